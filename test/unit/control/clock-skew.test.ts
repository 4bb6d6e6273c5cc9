// Which control requests a rollout warns of as dated ahead of its clock, and that each is warned of once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockSkewWarnings } from '../../../src/control/clock-skew.ts';
import { CONTROL_CLOCK_SKEW_MS } from '../../../src/control/decide.ts';
import type { ControlRequest, ControlVerb } from '../../../src/control/request.ts';

const NOW = Date.parse('2026-12-05T08:00:00Z');
const request = (id: string, verb: ControlVerb, aheadMs: number, deploymentId = 'd1'): ControlRequest => ({
  id,
  verb,
  by: `cli:${id}@host`,
  at: new Date(NOW + aheadMs).toISOString(),
  deploymentId,
  step: 0,
  source: 'cli',
});

test('each /pause, /resume or /promote of the rollout dated past the allowed skew is warned of once', () => {
  const warnings = new ClockSkewWarnings();
  const requests = [
    request('pause', 'pause', 3_600_000),
    request('promote', 'promote', 60_000),
    request('resume', 'resume', CONTROL_CLOCK_SKEW_MS + 1_000),
    request('in-skew', 'promote', CONTROL_CLOCK_SKEW_MS),
    request('past', 'pause', -60_000),
    // An /abort wins whenever it was made; another deployment's request counts for nothing here.
    request('abort', 'abort', 3_600_000),
    request('other', 'pause', 3_600_000, 'd0'),
  ];
  const first = warnings.check(requests, 'd1', NOW);
  assert.deepEqual(
    first.map((w) => /the \/(\w+) by cli:([\w-]+)@host is dated \S+, (\d+) s after/.exec(w)?.slice(1)),
    [
      ['resume', 'resume', '6'],
      ['promote', 'promote', '60'],
      ['pause', 'pause', '3600'],
    ],
  );
  assert.ok(first.every((w) => w.startsWith('clock_skew: ')));
  assert.deepEqual(warnings.check(requests, 'd1', NOW + 1_000), [], 'not again at the next poll');
  const later = request('later', 'pause', 120_000);
  assert.equal(warnings.check([...requests, later], 'd1', NOW).length, 1, 'a new one is');
});
