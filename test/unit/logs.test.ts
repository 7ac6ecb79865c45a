import { describe, expect, it } from 'vitest';
import { entries, formatEntry, merge, parseSince, timeOf } from '../../src/logs/merge.js';

const line = (t: string, msg: string, id = 1) => `2026-11-30 ${t} [myid:${id}] - INFO  [main:X@1] - ${msg}`;

describe('merging server logs', () => {
  it('reads the time of log4j and logback lines as local time', () => {
    expect(timeOf(line('21:16:39,982', 'x'))).toBe(new Date(2026, 10, 30, 21, 16, 39, 982).getTime());
    expect(timeOf('2026-11-30T21:16:39.5 x')).toBe(new Date(2026, 10, 30, 21, 16, 39, 500).getTime());
    expect(timeOf('\tat org.apache.zookeeper.Foo(Foo.java:1)')).toBeUndefined();
  });

  it('keeps a stack trace with the entry it belongs to', () => {
    const text = [line('21:00:00,000', 'ERROR boom'), 'java.io.IOException: x', '\tat a.B(B.java:1)', ''].join('\n');
    const e = entries(2, text);
    expect(e).toHaveLength(1);
    expect(e[0]!.text.split('\n')).toHaveLength(3);
    expect(formatEntry(e[0]!, 6).split('\n')).toEqual([
      `node 2 | ${line('21:00:00,000', 'ERROR boom')}`,
      'node 2 | java.io.IOException: x',
      'node 2 | \tat a.B(B.java:1)',
    ]);
  });

  it("merges nodes by time, keeping each node's own order for equal times", () => {
    const a = entries(1, [line('21:00:01,000', 'a1'), line('21:00:03,000', 'a2')].join('\n'));
    const b = entries(
      2,
      [line('21:00:02,000', 'b1'), line('21:00:03,000', 'b2'), line('21:00:03,000', 'b3')].join('\n'),
    );
    expect(merge([a, b]).map((e) => e.text.slice(-2))).toEqual(['a1', 'b1', 'a2', 'b2', 'b3']);
  });

  it('reads --since as a duration back or a local time, and refuses anything else', () => {
    const now = new Date(2026, 10, 30, 22, 0, 0).getTime();
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('2026-11-30 21:00', now)).toBe(new Date(2026, 10, 30, 21, 0, 0).getTime());
    expect(parseSince('yesterday', now)).toBeUndefined();
    expect(parseSince('10 parsecs', now)).toBeUndefined();
  });
});

describe('support bundle redaction', () => {
  it('replaces the values of keys that name secrets, in every form they come in', async () => {
    const { redact } = await import('../../src/support/bundle.js');
    const text = [
      'ssl.keyStore.password=abc123',
      'ssl.quorum.trustStore.password = x y',
      'SERVER_JVMFLAGS="-Xmx1g -Dzookeeper.DigestAuthenticationProvider.superDigest=super:UdxDQl4f9v5oITwcAsO9bmWgHSI="',
      '  "ssl.trustStore.password": "s3cret",',
      'clientPort=2181',
      'authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider',
    ].join('\n');
    expect(redact(text).split('\n')).toEqual([
      'ssl.keyStore.password=<redacted>',
      'ssl.quorum.trustStore.password = <redacted>',
      'SERVER_JVMFLAGS="-Xmx1g -Dzookeeper.DigestAuthenticationProvider.superDigest=<redacted>"',
      '  "ssl.trustStore.password": "<redacted>",',
      'clientPort=2181',
      'authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider',
    ]);
  });
});
