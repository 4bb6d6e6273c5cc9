// Seed 01's automatic rollback triggers (phase 6, 01:745-749) that judge.test.ts does not time: "Critical
// health checks failing for 3 minutes" and "Memory usage > 95% sustained" (5m, after seed 01's
// MemoryUsageHigh alert, 01:692-694). Each rolls back at exactly its duration and not at its limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { createJudgeState, judge } from '../../../src/analysis/judge.ts';
import type { Decision } from '../../../src/analysis/types.ts';

const INTERVAL = 30_000;
const cmd = { type: 'command' as const, run: ['metrics'] };

/** The decisions on one metric's values, one interval each, under the seeds preset. */
function decide(metric: string, values: number[]): Decision[] {
  const config = resolveAnalysisConfig({ providers: { m: cmd }, metrics: { [metric]: { provider: 'm' } } });
  let state = createJudgeState(config, { intervalMs: INTERVAL, startedAt: 0 });
  return values.map((value, i) => {
    const r = judge(state, { at: (i + 1) * INTERVAL, canary: { [metric]: value }, errors: [] });
    state = r.state;
    return r.decision;
  });
}

const series = (length: number, from: number, before: number, after: number) =>
  Array.from({ length }, (_, i) => (i >= from ? after : before));

test('health checks failing for 3 minutes roll back at exactly 3 minutes (seeds.health)', () => {
  const decisions = decide('health', series(20, 4, 1, 0));
  const first = decisions.findIndex((d) => d.kind === 'rollback');
  assert.equal(first, 4 + 5, '6 intervals of 30 s = 3 min');
  assert.equal(decisions[first]!.code, 'threshold-breached');
  assert.equal(decisions[first]!.rule, 'seeds.health');
  assert.match(decisions[first]!.reason, /health >= 1" for 3m/);
  // One failing health request in a hundred is failing health checks too.
  assert.equal(
    decide('health', series(20, 4, 1, 0.99)).findIndex((d) => d.kind === 'rollback'),
    9,
  );
  // A failure shorter than 3 minutes recovers without a rollback.
  const short = decide('health', [1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.ok(short.every((d) => d.kind !== 'rollback'));
});

test('memory above 95 % for 5 minutes rolls back at exactly 5 minutes; at 95 % it never does (seeds.memory)', () => {
  const decisions = decide('memory', series(30, 4, 0.5, 0.96));
  const first = decisions.findIndex((d) => d.kind === 'rollback');
  assert.equal(first, 4 + 9, '10 intervals of 30 s = 5 min');
  assert.equal(decisions[first]!.code, 'threshold-breached');
  assert.equal(decisions[first]!.rule, 'seeds.memory');
  assert.match(decisions[first]!.reason, /memory <= 0\.95" for 5m/);
  // Seed 01 says "> 95%": 95 % itself is within the limit however long it lasts.
  assert.ok(decide('memory', series(30, 4, 0.5, 0.95)).every((d) => d.kind !== 'rollback'));
});

test('an Apdex score at or below 0.95 for 5 minutes rolls back (seeds.apdex, seed 01 "Apdex score > 0.95")', () => {
  // Seed 01 phase 4 "Target: > 0.95", "Apdex score > 0.95" (01:646, 01:661); sustained 5m as the error rate.
  const decisions = decide('apdex', series(30, 4, 0.98, 0.9));
  const first = decisions.findIndex((d) => d.kind === 'rollback');
  assert.equal(first, 4 + 9, '10 intervals of 30 s = 5 min');
  assert.equal(decisions[first]!.code, 'threshold-breached');
  assert.equal(decisions[first]!.rule, 'seeds.apdex');
  assert.match(decisions[first]!.reason, /apdex > 0\.95" for 5m/);
  // 0.95 itself is not above 0.95; 0.96 is.
  assert.equal(
    decide('apdex', series(30, 4, 0.98, 0.95)).findIndex((d) => d.kind === 'rollback'),
    13,
  );
  assert.ok(decide('apdex', series(30, 4, 0.98, 0.96)).every((d) => d.kind !== 'rollback'));
});
