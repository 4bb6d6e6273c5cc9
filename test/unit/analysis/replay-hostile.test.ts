// Replaying recordings nobody here has seen: odd, broken or hostile files. Every bad input is refused with
// the file, line, sample and field; every valid but unusual one is judged; nothing crashes, hangs or writes
// raw control characters to the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { decideAtDeadline } from '../../../src/analysis/deadline.ts';
import { createJudgeState, judge, type JudgeState } from '../../../src/analysis/judge.ts';

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------------
// Size: a long window is judged in linear time.

test('a window of 30 000 samples is judged in linear time, and a state judged twice keeps its own evidence', () => {
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { m: { type: 'command', run: ['metrics'] } },
    metrics: { error_rate: { provider: 'm' } },
    checks: [{ check: 'error_rate < 5%', for: '1h' }],
  });
  let state: JudgeState = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
  const started = performance.now();
  for (let i = 0; i < 30_000; i++)
    state = judge(state, { at: (i + 1) * MINUTE, canary: { error_rate: 0.01 }, errors: [] }).state;
  // Copying the window's margins at every interval took minutes here; linear work takes well under a second.
  assert.ok(performance.now() - started < 15_000, `took ${Math.round(performance.now() - started)} ms`);
  assert.equal(state.samplesWithData, 30_000);

  // Branching: two different next samples from one state, then the deadline reads each branch's own margins.
  let short: JudgeState = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
  for (let i = 0; i < 3; i++)
    short = judge(short, { at: (i + 1) * MINUTE, canary: { error_rate: 0.2 }, errors: [] }).state;
  const frozen = JSON.stringify(short);
  const worse = judge(short, { at: 4 * MINUTE, canary: { error_rate: 0.2 }, errors: [] });
  const better = (s: JudgeState) =>
    [0, 1, 2, 3].reduce(
      (st, i) => judge(st, { at: (5 + i) * MINUTE, canary: { error_rate: 0.001 }, errors: [] }).state,
      s,
    );
  const healthy = better(short);
  assert.equal(JSON.stringify(short), frozen, 'the older state is unchanged');
  const last = { kind: 'hold', code: 'breach-pending', reason: 'r', values: {} } as const;
  assert.equal(decideAtDeadline(worse.state, last).kind, 'rollback', '4 of 4 intervals violate');
  assert.equal(decideAtDeadline(healthy, last).kind, 'promote', '3 of 7 intervals violate');
  assert.match(decideAtDeadline(worse.state, last).reason, /violated in 4 of 4/);
});
