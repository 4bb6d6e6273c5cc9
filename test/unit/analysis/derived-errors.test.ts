// The seed preset's errors comparison for a config that measures `error_rate` and `requests` but has no
// `errors` metric: the counts are derived (error_rate x requests per side), so a low-traffic canary is judged
// on cumulative evidence, not on per-interval rates alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';
import { createJudgeState, judge, withDerivedCounts } from '../../../src/analysis/judge.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import type { Decision, MetricValues } from '../../../src/analysis/types.ts';
import { recordingLines, recordingText } from '../../helpers/recording-lines.ts';

const MINUTE = 60_000;
const cmd = { type: 'command' as const, run: ['metrics'] };
const rateOnly: AnalysisConfigInput = {
  providers: { m: cmd },
  metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
};
const withCounts: AnalysisConfigInput = {
  providers: { m: cmd },
  metrics: { error_rate: { provider: 'm' }, errors: { provider: 'm' }, requests: { provider: 'm' } },
};

/** Minutes of a canary at 2 requests/s whose errors triple from `onset` on (0.5 % -> 1.5 %), and its stable. */
function lowTraffic(minutes: number, onset: number, canaryRequests = 120) {
  // Whole error counts that alternate, so no interval's rate stays above the 1 % rule for 5 minutes.
  const healthy = [1, 0, 1, 0, 1, 0];
  const tripled = [3, 1, 2, 0, 3];
  return Array.from({ length: minutes }, (_, minute) => {
    const errors = minute < onset ? healthy[minute % 6]! : tripled[minute % 5]!;
    const stableErrors = [5, 6, 5, 6, 5][minute % 5]!;
    return {
      errors,
      requests: canaryRequests,
      stableErrors,
      stableRequests: 1080,
    };
  });
}

function judgeAll(config: AnalysisConfigInput, sides: Array<{ canary: MetricValues; stable: MetricValues }>) {
  let state = createJudgeState(resolveAnalysisConfig(config), { intervalMs: MINUTE, startedAt: 0 });
  const decisions: Decision[] = [];
  for (const [minute, side] of sides.entries()) {
    const r = judge(state, { at: (minute + 1) * MINUTE, ...side, errors: [] });
    state = r.state;
    decisions.push(r.decision);
    if (r.decision.kind === 'rollback') break;
  }
  return decisions;
}

const rateSides = (data: ReturnType<typeof lowTraffic>) =>
  data.map((d) => ({
    canary: { error_rate: d.errors / d.requests, requests: d.requests },
    stable: { error_rate: d.stableErrors / d.stableRequests, requests: d.stableRequests },
  }));
const countSides = (data: ReturnType<typeof lowTraffic>) =>
  data.map((d) => ({
    canary: { error_rate: d.errors / d.requests, errors: d.errors, requests: d.requests },
    stable: {
      error_rate: d.stableErrors / d.stableRequests,
      errors: d.stableErrors,
      requests: d.stableRequests,
    },
  }));

test('error_rate and requests without errors: the seed preset compares counts derived from them', () => {
  const config = resolveAnalysisConfig(rateOnly);
  const check = config.checks.find((c) => c.name === 'seeds.errors-vs-stable');
  assert.ok(check, `checks: ${config.checks.map((c) => c.name).join(', ')}`);
  assert.equal(check.kind, 'errors');
  assert.equal(check.kind === 'errors' && check.rate, 'error_rate');

  // With an errors metric the counts are read, not derived.
  const counted = resolveAnalysisConfig(withCounts).checks.find((c) => c.name === 'seeds.errors-vs-stable');
  assert.equal(counted?.kind === 'errors' && counted.rate, undefined);

  // Not without requests, not for preset none, not over a check of the user's with that name.
  const noRequests = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' } },
  });
  assert.ok(!noRequests.checks.some((c) => c.name === 'seeds.errors-vs-stable'));
  const none = resolveAnalysisConfig({ ...rateOnly, preset: 'none', checks: [{ check: 'error_rate < 1%' }] });
  assert.ok(!none.checks.some((c) => c.kind === 'errors'));
  const own = resolveAnalysisConfig({
    ...rateOnly,
    checks: [{ name: 'seeds.errors-vs-stable', check: 'error_rate < 2%' }],
  });
  assert.deepEqual(
    own.checks.filter((c) => c.name === 'seeds.errors-vs-stable').map((c) => c.kind),
    ['threshold'],
  );
});

test('a tripled error rate at 2 requests/s, measured as a rate: rolled back by the sequential error test', () => {
  const decisions = judgeAll(rateOnly, rateSides(lowTraffic(30, 3)));
  const fired = decisions.at(-1)!;
  assert.equal(fired.kind, 'rollback', fired.reason);
  assert.equal(fired.rule, 'seeds.errors-vs-stable');
  assert.equal(fired.code, 'sequential-errors-worse');
  assert.ok(decisions.length - 3 <= 15, `rolled back ${decisions.length - 3} minutes after the onset`);
  // Its evidence is in counts, as for a config that measures them.
  assert.match(fired.reason, /\(\d+ errors in \d+ requests\)/);
  assert.equal(fired.values['seeds.errors-vs-stable.canary_requests'], 120 * decisions.length);
});

test('derived counts decide as the same counts measured: every interval, the same decision', () => {
  for (const onset of [0, 3, 8, 40]) {
    const data = lowTraffic(40, onset);
    const derived = judgeAll(rateOnly, rateSides(data)).map((d) => `${d.kind}:${d.code}:${d.rule ?? ''}`);
    const measured = judgeAll(withCounts, countSides(data)).map((d) => `${d.kind}:${d.code}:${d.rule ?? ''}`);
    assert.deepEqual(derived, measured, `onset at minute ${onset}`);
  }
});

test('a healthy canary measured as a rate is never rolled back by the derived comparison', () => {
  // Onset past the window: 40 healthy minutes at the stable's error rate.
  const decisions = judgeAll(rateOnly, rateSides(lowTraffic(40, 40)));
  assert.equal(decisions.length, 40);
  assert.ok(decisions.every((d) => d.kind !== 'rollback'));
  assert.equal(decisions.at(-1)!.kind, 'promote');
});

test('withDerivedCounts: rate x requests per side; no data when either is missing; a measured count kept', () => {
  const config = resolveAnalysisConfig(rateOnly);
  const out = withDerivedCounts(config, {
    at: MINUTE,
    canary: { error_rate: 0.025, requests: 119.6 },
    stable: { error_rate: null, requests: 1000 },
    errors: [],
  });
  assert.ok(Math.abs((out.canary.errors as number) - 2.99) < 1e-9);
  assert.equal(out.stable!.errors, null);
  const kept = withDerivedCounts(config, {
    at: MINUTE,
    canary: { error_rate: 0.5, requests: 100, errors: 7 },
    errors: [],
  });
  assert.equal(kept.canary.errors, 7);
  assert.equal(kept.stable, undefined);
  // A config without a derived check leaves the sample as read.
  const sample = { at: MINUTE, canary: { error_rate: 0.5, requests: 100 }, errors: [] };
  assert.equal(withDerivedCounts(resolveAnalysisConfig(withCounts), sample), sample);
});

test('replay of a rate-only recording: the recording stores what was read, the replay derives the counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'derived-errors-'));
  try {
    const file = join(dir, 'rec.ndjson');
    // Requests as Prometheus' increase() gives them: fractional.
    const sides = lowTraffic(20, 2).map((d) => ({
      canary: { error_rate: d.errors / (d.requests - 0.4), requests: d.requests - 0.4 },
      stable: { error_rate: d.stableErrors / d.stableRequests, requests: d.stableRequests },
    }));
    writeFileSync(file, recordingText(recordingLines(rateOnly, sides)));
    const [window] = analyzeRecording(file).windows;
    assert.equal(window!.decision.kind, 'rollback', window!.decision.reason);
    assert.equal(window!.decision.rule, 'seeds.errors-vs-stable');
    assert.equal(window!.decision.code, 'sequential-errors-worse');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
