import { describe, expect, it } from 'vitest';
import type { NodeReport } from '../../src/health/cluster.js';
import { NOT_IN_QUORUM, parseSrvr } from '../../src/health/probe.js';
import type { NodeSpec } from '../../src/inventory/spec.js';
import { quorumOutlook } from '../../src/steps/quorum-guard.js';

const node = (id: number, role: NodeSpec['role'] = 'participant') => ({ id, role }) as NodeSpec;
const report = (id: number, health: NodeReport['health'], role?: NodeSpec['role']): NodeReport => ({
  node: node(id, role),
  health,
});
const electing = { mode: 'not-serving', error: NOT_IN_QUORUM } as const;

describe('what taking nodes out of service would leave', () => {
  it('counts the voters of an election under way as up, not serving (the leader just stopped)', () => {
    const reports = [report(1, electing), report(2, { mode: 'down' }), report(3, electing)];
    expect(quorumOutlook(reports, [node(1)])).toEqual({
      voters: 3,
      need: 2,
      servingNow: 0,
      servingAfter: 0,
      upNow: 2,
      upAfter: 1,
    });
  });

  it('does not count a server whose srvr is not whitelisted, nor observers', () => {
    const refused = parseSrvr('srvr is not executed because it is not in the whitelist.');
    expect(refused.mode).toBe('not-serving');
    const reports = [
      report(1, { mode: 'leader' }),
      report(2, refused),
      report(3, { mode: 'follower' }),
      report(4, electing, 'observer'),
    ];
    expect(quorumOutlook(reports, [node(3)])).toMatchObject({
      voters: 3,
      servingNow: 2,
      servingAfter: 1,
      upNow: 2,
      upAfter: 1,
    });
  });
});
