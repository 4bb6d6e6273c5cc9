// The job summary shows what the judge decided: the limit a rule's table row and chart hold the canary to is
// the one the judge applied in that interval, so a check that held every interval is never shown over its
// limit, and one that broke is never shown holding. Judged here by the real judge, interval by interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { windowEvidence } from '../../../src/analysis/evidence.ts';
import { createJudgeState, holds, judge } from '../../../src/analysis/judge.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';
import type { Decision, MetricValues } from '../../../src/analysis/types.ts';
import { evidenceCharts } from '../../../src/report/chart.ts';
import { evidenceTable } from '../../../src/report/evidence-table.ts';

const MINUTE = 60_000;

/** One side's values, the same every interval or per interval (1, 2, ...). */
type Side = MetricValues | ((interval: number) => MetricValues);
const at = (side: Side, i: number): MetricValues => (typeof side === 'function' ? side(i) : side);

/**
 * The judge over `n` intervals of these sides, then the table and charts of the window it decided.
 */
function judged(input: AnalysisConfigInput, canary: Side, stable: Side, n = 6) {
  const config = resolveAnalysisConfig(input);
  let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
  const intervals: Array<{ at: number; decision: Decision }> = [];
  for (let i = 1; i <= n; i++) {
    const r = judge(state, { at: i * MINUTE, canary: at(canary, i), stable: at(stable, i), errors: [] });
    state = r.state;
    intervals.push({ at: i * MINUTE, decision: r.decision });
  }
  const last = intervals.at(-1)!.decision;
  const evidence = windowEvidence(config, intervals, last, MINUTE);
  const row = {
    label: 'monitor',
    environment: 'production',
    phase: 'monitor',
    verdict: last.kind === 'rollback' ? ('rollback' as const) : ('promote' as const),
    detail: last.reason,
    durationMs: n * MINUTE,
    metrics: {},
    evidence,
  };
  return { intervals, evidence, table: evidenceTable(evidence), charts: evidenceCharts([row], 'production') };
}

/** The table row of a check: its cells. */
const rowOf = (table: string, name: string) =>
  table
    .split('\n')
    .find((l) => l.startsWith(`| ${name} `))
    ?.split(' | ');

test('an error-rate limit that allows one error: a canary the judge held is shown under the limit it was held to', () => {
  // 1.5 % at 100 requests is one error and a half: less one error's worth (1 %) it holds "error_rate <= 1 %".
  const { intervals, evidence, table, charts } = judged(
    {
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { error_rate: { provider: 'p' }, requests: { provider: 'p' } },
    },
    { error_rate: 0.015, requests: 100 },
    { error_rate: 0.015, requests: 100 },
  );
  assert.ok(
    intervals.every((i) => i.decision.rule !== 'seeds.error-rate'),
    'the judge never held the window back on the rule',
  );
  const check = evidence.checks.find((c) => c.name === 'seeds.error-rate')!;
  const limit = check.observed.find((s) => s.role === 'limit')!.values;
  check.observed[0]!.values.forEach((v, i) => assert.ok(holds(v!, check.op!, limit[i]!), `interval ${i}`));
  const cells = rowOf(table, 'seeds.error-rate')!;
  assert.equal(cells.at(-1), '✅ holds |', table);
  assert.match(
    cells[3]!,
    /error\\_rate &lt;= 0\.01 \+ 1\/requests for 5m/,
    'the rule says it allows one error',
  );
  assert.match(cells[4]!, /&lt;= 0\.02/, 'the threshold it was held to: 1 % and one error in 100');
  assert.match(charts[0]!, /line "limit" \[0\.02, 0\.02, 0\.02, 0\.02, 0\.02, 0\.02\]/, charts[0]);
});

test("a rate limit judged on counts (seed 02's 10 %): drawn at the rate its test needed at the interval's requests", () => {
  const input: AnalysisConfigInput = {
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { error_rate: { provider: 'p' }, requests: { provider: 'p' } },
  };
  // 2 errors in 12 requests (17 %): over 10 % as written, but no evidence of it; held, and shown holding.
  const held = judged(input, { error_rate: 2 / 12, requests: 12 }, { error_rate: 0.005, requests: 1000 });
  assert.ok(held.intervals.every((i) => i.decision.rule !== 'seeds.error-rate-critical'));
  const check = held.evidence.checks.find((c) => c.name === 'seeds.error-rate-critical')!;
  const limit = check.observed.find((s) => s.role === 'limit')!.values;
  // At 12 requests and alpha 0.01 over 30 looks the test needs 7 errors: drawn between 6 and 7 of 12.
  assert.deepEqual(limit, Array(6).fill(6.5 / 12));
  assert.equal(rowOf(held.table, 'seeds.error-rate-critical')!.at(-1), '✅ holds |', held.table);
  assert.match(
    rowOf(held.table, 'seeds.error-rate-critical')![3]!,
    /error\\_rate &lt;= 0\.1, binomial test on each interval's requests \\\(alpha 0\.01\\\); without a count 2 intervals in a row/,
  );
  // 40 of 100: broken at once, and shown over the limit it was held to.
  const broke = judged(input, { error_rate: 0.4, requests: 100 }, { error_rate: 0.005, requests: 1000 }, 1);
  assert.equal(broke.intervals[0]!.decision.rule, 'seeds.error-rate-critical');
  const drawn = broke.evidence.checks.find((c) => c.name === 'seeds.error-rate-critical')!;
  assert.ok(drawn.observed.find((s) => s.role === 'limit')!.values[0]! < 0.4);
  assert.equal(rowOf(broke.table, 'seeds.error-rate-critical')!.at(-1), '❌ breached |', broke.table);
});

test('an error-rate limit without a request count, or a lower limit, is drawn as written', () => {
  const { evidence, table } = judged(
    {
      preset: 'none',
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { error_rate: { provider: 'p' }, requests: { provider: 'p' }, success: { provider: 'p' } },
      checks: [
        { name: 'rate', check: 'error_rate <= 1%', for: '5m' },
        { name: 'ok', check: 'success >= 0.9', for: '5m' },
      ],
    },
    { error_rate: 0.015, requests: 100, success: 0.95 },
    { error_rate: 0.015, requests: 100, success: 0.95 },
  );
  for (const c of evidence.checks)
    assert.deepEqual(
      c.observed.find((s) => s.role === 'limit')!.values,
      Array(6).fill(c.name === 'rate' ? 0.01 : 0.9),
      c.name,
    );
  // A rule written by hand is judged as written: 1.5 % breaks 1 %, for 5 minutes.
  assert.equal(rowOf(table, 'rate')!.at(-1), '❌ breached |', table);
});

test('a relative rule with the canary and its baseline at 0 is shown holding, as the judge held it', () => {
  const { intervals, table } = judged(
    {
      preset: 'none',
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { queue: { provider: 'p' } },
      checks: [{ name: 'queue-x', check: 'queue < 2x baseline', baseline: 'stable' }],
    },
    { queue: 0 },
    { queue: 0 },
  );
  assert.equal(intervals.at(-1)!.decision.kind, 'promote');
  assert.equal(rowOf(table, 'queue-x')!.at(-1), '✅ holds |', table);
});

test('a row shows one interval the rule compared: never the last canary value beside an older stable value and limit', () => {
  // The last interval has no stable side: the judge compared nothing there (a p95 of 500 against no limit).
  const input: AnalysisConfigInput = {
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { p95: { provider: 'p' } },
    checks: [{ name: 'lat', check: 'p95 < 2x baseline', baseline: 'stable', for: '5m' }],
  };
  const config = resolveAnalysisConfig(input);
  let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
  const intervals: Array<{ at: number; decision: Decision }> = [];
  const sides: Array<[number, number | null]> = [
    [100, 100],
    [120, 100],
    [110, 100],
    [130, 90],
    [500, null],
  ];
  for (const [i, [canary, stable]] of sides.entries()) {
    const r = judge(state, {
      at: (i + 1) * MINUTE,
      canary: { p95: canary },
      ...(stable === null ? {} : { stable: { p95: stable } }),
      errors: [],
    });
    state = r.state;
    intervals.push({ at: (i + 1) * MINUTE, decision: r.decision });
  }
  assert.equal(intervals.at(-1)!.decision.kind, 'promote');
  const table = evidenceTable(windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE));
  assert.deepEqual(rowOf(table, 'lat'), [
    '| lat',
    '130',
    '90',
    'p95 &lt; 2x baseline for 5m',
    '&lt; 180',
    '✅ holds |',
  ]);

  // No interval with a baseline at all: nothing was compared, so nothing "holds".
  let never = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
  const alone: Array<{ at: number; decision: Decision }> = [];
  for (let i = 1; i <= 4; i++) {
    const r = judge(never, { at: i * MINUTE, canary: { p95: 100 }, errors: [] });
    never = r.state;
    alone.push({ at: i * MINUTE, decision: r.decision });
  }
  const none = evidenceTable(windowEvidence(config, alone, alone.at(-1)!.decision, MINUTE));
  assert.deepEqual(rowOf(none, 'lat'), [
    '| lat',
    '100',
    '—',
    'p95 &lt; 2x baseline for 5m',
    '—',
    '— no baseline |',
  ]);
});

test('a relative rule compared with the pre-deploy reading shows that baseline in its reference column, said as such', () => {
  // Blue-green, rolling and direct deployments have no stable side beside the new version: the judge compares
  // with the reading taken before the deploy. The column showed "—" and the value was only in the reason.
  const input: AnalysisConfigInput = {
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { p95: { provider: 'p' } },
    checks: [
      { name: 'auto', check: 'p95 < 2x baseline' },
      { name: 'pinned', check: 'p95 < 3x baseline', baseline: 'pre-deploy' },
    ],
  };
  const config = resolveAnalysisConfig(input);
  const at = (i: number, canary: number, stable?: number) => ({
    at: i * MINUTE,
    canary: { p95: canary },
    ...(stable === undefined ? {} : { stable: { p95: stable } }),
    errors: [],
  });
  const window = (sides: Array<[number, number?]>) => {
    let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0, baseline: { p95: 0.25 } });
    const intervals: Array<{ at: number; decision: Decision }> = [];
    for (const [i, [canary, stable]] of sides.entries()) {
      const r = judge(state, at(i + 1, canary, stable));
      state = r.state;
      intervals.push({ at: (i + 1) * MINUTE, decision: r.decision });
    }
    return evidenceTable(windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE));
  };
  const table = window([[0.3], [0.4], [0.3]]);
  assert.deepEqual(rowOf(table, 'auto'), [
    '| auto',
    '0.3',
    '0.25 (pre-deploy)',
    'p95 &lt; 2x baseline',
    '&lt; 0.5',
    '✅ holds |',
  ]);
  assert.deepEqual(rowOf(table, 'pinned')!.slice(1, 3), ['0.3', '0.25 (pre-deploy)']);
  // The column is headed by what the canary was compared with: no stable side served, so not "stable".
  assert.match(table.split('\n')[0]!, /^\| check \| canary \| before the deploy \| rule or test \|/);
  // With a stable side the auto rule compares with it, and shows its value plainly; a rule pinned to the
  // pre-deploy reading compared with that whatever stable read (its limit 0.75 is 3x 0.25, not 3x 0.2).
  const beside = window([
    [0.3, 0.2],
    [0.3, 0.2],
  ]);
  assert.deepEqual(rowOf(beside, 'auto')!.slice(1, 5), ['0.3', '0.2', 'p95 &lt; 2x baseline', '&lt; 0.4']);
  assert.match(beside.split('\n')[0]!, /^\| check \| canary \| stable \| rule or test \|/);
  assert.deepEqual(rowOf(beside, 'pinned')!.slice(1, 5), [
    '0.3',
    '0.25 (pre-deploy)',
    'p95 &lt; 3x baseline',
    '&lt; 0.75',
  ]);
});

test('a rule pinned to the pre-deploy reading shows no stable value without that reading: it never compared with one', () => {
  // `baseline: pre-deploy` with no reading taken before the deploy compares nothing; its reference column
  // showed the stable side's value beside "no baseline", a comparison the judge never made.
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { p95: { provider: 'p' } },
    checks: [
      { name: 'pinned', check: 'p95 < 3x baseline', baseline: 'pre-deploy' },
      { name: 'auto', check: 'p95 < 3x baseline' },
    ],
  });
  let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
  const intervals: Array<{ at: number; decision: Decision }> = [];
  for (const i of [1, 2]) {
    const r = judge(state, { at: i * MINUTE, canary: { p95: 0.3 }, stable: { p95: 0.2 }, errors: [] });
    state = r.state;
    intervals.push({ at: i * MINUTE, decision: r.decision });
  }
  const table = evidenceTable(windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE));
  assert.deepEqual(rowOf(table, 'pinned')!.slice(1, 6), [
    '0.3',
    '—',
    'p95 &lt; 3x baseline',
    '—',
    '— no baseline |',
  ]);
  // The rule beside it that may compare with stable (baseline: auto) did, and shows it.
  assert.deepEqual(rowOf(table, 'auto')!.slice(1, 5), ['0.3', '0.2', 'p95 &lt; 3x baseline', '&lt; 0.6']);
});

test('a relative rule whose limit is out of range says so beside its baseline, not "no baseline"', () => {
  // 2x a baseline near the largest double is Infinity, which the evidence keeps no number of: the row showed
  // the baseline (1e+308) and beside it "no baseline".
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { p95: { provider: 'p' } },
    checks: [
      { name: 'pinned', check: 'p95 < 2x baseline', baseline: 'pre-deploy' },
      { name: 'stable', check: 'p95 < 2x baseline', baseline: 'stable' },
    ],
  });
  let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0, baseline: { p95: 1e308 } });
  const intervals: Array<{ at: number; decision: Decision }> = [];
  for (const i of [1, 2]) {
    const r = judge(state, { at: i * MINUTE, canary: { p95: 0.3 }, stable: { p95: 1.5e308 }, errors: [] });
    state = r.state;
    intervals.push({ at: i * MINUTE, decision: r.decision });
  }
  const table = evidenceTable(windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE));
  assert.deepEqual(rowOf(table, 'pinned')!.slice(2), [
    '1e+308 (pre-deploy)',
    'p95 &lt; 2x baseline',
    '—',
    '— limit out of range |',
  ]);
  assert.deepEqual(rowOf(table, 'stable')!.slice(2), [
    '1.5e+308',
    'p95 &lt; 2x baseline',
    '—',
    '— limit out of range |',
  ]);
});

test('at a rollback every rule shows that interval, those listed after the one that fired too', () => {
  // The rollback's values were copied when its rule fired, before the rules after it were judged: a relative
  // rule after it had no baseline in them, and its row said "no baseline" at the interval that decided.
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { p95: { provider: 'p' } },
    checks: [
      { name: 'fast', check: 'p95 < 0.35' },
      { name: 'relative', check: 'p95 < 2x baseline' },
    ],
  });
  const state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0, baseline: { p95: 0.25 } });
  const r = judge(state, { at: MINUTE, canary: { p95: 0.4 }, errors: [] });
  assert.equal(r.decision.kind, 'rollback');
  const intervals = [{ at: MINUTE, decision: r.decision }];
  const table = evidenceTable(windowEvidence(config, intervals, r.decision, MINUTE));
  assert.deepEqual(rowOf(table, 'relative')!.slice(1), [
    '0.4',
    '0.25 (pre-deploy)',
    'p95 &lt; 2x baseline',
    '&lt; 0.5',
    '✅ holds |',
  ]);
});

test('a negative baseline: the limit drawn is the one the judge held the canary to, moved away from it', () => {
  // 2x a baseline of -10 is 0 to the judge (and the sign test's line for -10 at 10 % is -9): drawn as the
  // product (-20, -11), a canary the judge held would be shown over its limit.
  const { evidence } = judged(
    {
      preset: 'none',
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { delta: { provider: 'p' } },
      checks: [
        { name: 'r', check: 'delta < 2x baseline', baseline: 'stable' },
        { name: 'v', compare: 'values', metric: 'delta', tolerance: 0.1 },
      ],
    },
    { delta: -10 },
    { delta: -10 },
  );
  const limits = (name: string) =>
    evidence.checks.find((c) => c.name === name)!.observed.find((s) => s.role === 'limit')!.values;
  assert.deepEqual(limits('r'), Array(6).fill(0));
  assert.deepEqual(limits('v'), Array(6).fill(-9));
  assert.equal(evidence.decision.kind, 'promote');
});

test('a values check with min_difference: the line drawn at a stable of 0 is the floor, where the judge counted worse', () => {
  // Drawn as stable x (1 + tolerance), the line sat on 0 and a canary of 0.001 the judge held looked over it.
  const { evidence } = judged(
    {
      preset: 'none',
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { queue: { provider: 'p' } },
      checks: [
        { name: 'v', compare: 'values', metric: 'queue', tolerance: 0.1, min_difference: 0.01 },
        {
          name: 'w',
          compare: 'values',
          metric: 'queue',
          tolerance: 0.1,
          min_difference: 0.01,
          higher_is_worse: false,
        },
      ],
    },
    { queue: 0.001 },
    { queue: 0 },
  );
  const limit = (name: string) =>
    evidence.checks.find((c) => c.name === name)!.observed.find((s) => s.role === 'limit')!;
  assert.deepEqual(limit('v').values, Array(6).fill(0.01));
  assert.equal(limit('v').label, 'stable +10% (at least 0.01)');
  assert.deepEqual(limit('w').values, Array(6).fill(-0.01));
  assert.equal(evidence.decision.kind, 'promote');
});

test('a comparison that never had a stable side beside the version under test says it did not compare, as the reason does', () => {
  // A rolling or blue-green watch reads no stable side: the errors and values tests take in no interval, and
  // their e-value of 1 (CUSUM 0) is no verdict of "not significant".
  const { evidence, table } = judged(
    {
      preset: 'none',
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { errors: { provider: 'p' }, requests: { provider: 'p' }, p95: { provider: 'p' } },
      checks: [
        { name: 'errs', compare: 'errors', errors: 'errors', requests: 'requests', alpha: 0.01 },
        { name: 'p95-worse', compare: 'values', metric: 'p95', alpha: 0.01 },
      ],
    },
    { errors: 1, requests: 300, p95: 180 },
    {},
  );
  // Nothing compared the version with anything: it is held, never promoted (judge.ts nothingJudged).
  assert.equal(evidence.decision.kind, 'hold');
  assert.equal(evidence.decision.code, 'not-enough-data');
  for (const name of ['errs', 'p95-worse']) {
    const cells = rowOf(table, name);
    assert.ok(cells, `${name} has a row:\n${table}`);
    assert.equal(cells.at(-1)!.replace(/ \|$/, ''), '— not compared', `${name}: ${cells.join(' | ')}`);
  }
  // Beside a stable side the same tests did compare: not significant.
  const beside = judged(
    {
      preset: 'none',
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { errors: { provider: 'p' }, requests: { provider: 'p' }, p95: { provider: 'p' } },
      checks: [
        { name: 'errs', compare: 'errors', errors: 'errors', requests: 'requests', alpha: 0.01 },
        { name: 'p95-worse', compare: 'values', metric: 'p95', alpha: 0.01 },
      ],
    },
    { errors: 1, requests: 300, p95: 180 },
    { errors: 1, requests: 300, p95: 180 },
  );
  for (const name of ['errs', 'p95-worse'])
    assert.match(rowOf(beside.table, name)!.at(-1)!, /✅ not significant/);
});

test('a window that failed closed on missing data shows the check without data as what failed, not as holding', () => {
  // Data for five minutes, then none: max_no_data (3m) fails the window closed at its last interval.
  const side = (i: number) => (i <= 5 ? { error_rate: 0 } : { error_rate: null });
  const { intervals, table } = judged(
    {
      preset: 'none',
      providers: { p: { type: 'command', run: ['true'] } },
      metrics: { error_rate: { provider: 'p' } },
      max_no_data: '3m',
      checks: [{ name: 'error-rate-slo', check: 'error_rate <= 0.01' }],
    },
    side,
    side,
    9,
  );
  const last = intervals.at(-1)!.decision;
  assert.equal(last.code, 'no-data', last.reason);
  const row = rowOf(table, 'error-rate-slo')!;
  assert.match(row.at(-1)!, /^❌ no data for its last \d+ intervals/, table);
  assert.doesNotMatch(table, /holds/);
});

test('an errors test whose counts went silent before a no-data rollback says so: its statistic carried on, its data did not', () => {
  // The judge records the errors test's e-value and CUSUM every interval, data or not (the test keeps its
  // state): read from them, the test had a value to the end and showed "✅ not significant" beside a
  // rollback for want of its own counts.
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { errors: { provider: 'p' }, requests: { provider: 'p' } },
    max_no_data: '3m',
    checks: [{ name: 'errs', compare: 'errors', errors: 'errors', requests: 'requests', alpha: 0.01 }],
  });
  let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
  const intervals: Array<{ at: number; decision: Decision }> = [];
  for (let i = 1; i <= 12; i++) {
    const side = i <= 5 ? { errors: 1, requests: 300 } : { errors: null, requests: null };
    const r = judge(state, { at: i * MINUTE, canary: side, stable: side, errors: [] });
    state = r.state;
    intervals.push({ at: i * MINUTE, decision: r.decision });
    if (r.decision.kind === 'rollback') break;
  }
  const last = intervals.at(-1)!.decision;
  assert.equal(last.code, 'no-data', last.reason);
  const table = evidenceTable(windowEvidence(config, intervals, last, MINUTE));
  const row = rowOf(table, 'errs')!;
  assert.match(row.at(-1)!, /^❌ no data for its last \d+ intervals/, table);
  assert.doesNotMatch(table, /not significant/);
});
