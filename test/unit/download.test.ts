import { describe, expect, it } from 'vitest';
import { parseSha512File } from '../../src/distribution/download.js';

const HEX = 'ab'.repeat(64);

describe('release checksums', () => {
  it('reads both forms Apache has published', () => {
    expect(parseSha512File(`${HEX}  apache-zookeeper-3.8.4-bin.tar.gz\n`)).toBe(HEX);
    const gpg =
      'apache-zookeeper-3.5.6-bin.tar.gz: ' +
      HEX.toUpperCase()
        .match(/.{8}/g)!
        .join(' ')
        .replace(/(.{80})/g, '$1\n                                   ');
    expect(parseSha512File(gpg)).toBe(HEX);
  });

  it('reads nothing from a file without a SHA-512', () => {
    expect(parseSha512File('<html>Not Found</html>')).toBeUndefined();
    expect(parseSha512File('file: 1234')).toBeUndefined();
  });
});
