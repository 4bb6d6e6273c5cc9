// The evidence a window records (src/analysis/evidence.ts) and the charts drawn from it (src/report/chart.ts):
// values per interval with no data kept apart from zero, the limit or boundary of each check, a y range from
// the data, axis labels that stay distinct and name each step, and text that cannot break out of a chart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { windowEvidence, type WindowEvidence } from '../../../src/analysis/evidence.ts';
import { createJudgeState, judge } from '../../../src/analysis/judge.ts';
import type { Decision } from '../../../src/analysis/types.ts';
import { analysisRows, type AnalysisRow } from '../../../src/report/analysis-steps.ts';
import {
  axisLabels,
  decidingChecks,
  evidenceCharts,
  testedName,
  timeline,
  yRange,
} from '../../../src/report/chart.ts';
import { evidenceTable, renderAnalysisSection } from '../../../src/report/evidence-table.ts';
import { HOSTILE } from './fixtures.ts';
import { assertTablesIntact, readable } from './table-check.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');

const config = resolveAnalysisConfig({
  preset: 'none',
  providers: { p: { type: 'command', run: ['true'] } },
  metrics: {
    error_rate: { provider: 'p' },
    errors: { provider: 'p' },
    requests: { provider: 'p' },
    p95: { provider: 'p' },
  },
  checks: [
    { name: 'rate', check: 'error_rate <= 1%', for: '3m' },
    { name: 'p95-x', check: 'p95 < 2x baseline', baseline: 'stable' },
    { name: 'errs', compare: 'errors', errors: 'errors', requests: 'requests', alpha: 0.01 },
  ],
});

type Values = Record<string, number | null>;
const decision = (values: Values, kind: Decision['kind'] = 'promote', rule?: string): Decision => ({
  kind,
  code: kind === 'rollback' ? 'sequential-errors-worse' : 'healthy',
  ...(rule ? { rule } : {}),
  reason: kind,
  values,
});

/** A window of intervals (one a minute from `start`) with these judge values; the last decision is the window's. */
function window(
  start: number,
  values: Values[],
  last: Decision['kind'] = 'promote',
  rule?: string,
): WindowEvidence {
  const intervals = values.map((v, i) => ({
    at: start + (i + 1) * MINUTE,
    decision: decision(
      v,
      i === values.length - 1 ? last : 'promote',
      i === values.length - 1 ? rule : undefined,
    ),
  }));
  return windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE);
}

const healthyValues = (i: number): Values => ({
  error_rate: 0.004 + (i % 3) * 0.001,
  'stable.error_rate': 0.005,
  errors: 1 + (i % 2),
  requests: 300,
  'stable.errors': 5,
  'stable.requests': 1000,
  p95: 180 + (i % 4) * 5,
  'stable.p95': 175,
  'p95-x.baseline': 175,
  'errs.evidence': Math.exp(-0.2 * (i % 3)),
});

function row(
  weight: number,
  evidence: WindowEvidence,
  verdict: AnalysisRow['verdict'] = 'promote',
): AnalysisRow {
  return {
    label: `canary-step @ ${weight}%`,
    environment: 'production',
    phase: 'canary-step',
    weight,
    verdict,
    detail: verdict,
    durationMs: evidence.at.length * MINUTE,
    metrics: {},
    evidence,
  };
}

test('evidence: per interval and per check, no data stays null, limits and boundaries as the judge used them', () => {
  const values = [
    healthyValues(0),
    { ...healthyValues(1), error_rate: null, errors: null, p95: null },
    healthyValues(2),
  ];
  values[2]!['p95-x.baseline'] = null;
  const w = window(T0, values);
  assert.deepEqual(w.at, [T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]);
  assert.equal(w.reference, 'stable');
  const [rate, p95, errs] = w.checks;
  assert.equal(rate!.rule, 'error_rate <= 0.01 for 3m');
  assert.deepEqual(
    rate!.observed.map((s) => [s.role, s.label, s.values]),
    [
      ['canary', 'canary', [0.004, null, 0.006]],
      ['reference', 'stable', [0.005, 0.005, 0.005]],
      ['limit', 'limit', [0.01, 0.01, 0.01]],
    ],
  );
  // The relative limit is the baseline the judge used times the factor; none where it had none.
  assert.deepEqual(p95!.observed[2]!.values, [350, 350, null]);
  // The error test: rates per interval in %, the counts of the intervals it could use, ln(e) and ln(1/alpha).
  assert.deepEqual(errs!.observed[0]!.values, [(1 / 300) * 100, null, (1 / 300) * 100]);
  assert.deepEqual(errs!.counts, {
    canaryErrors: 2,
    canaryRequests: 600,
    referenceErrors: 10,
    referenceRequests: 2000,
  });
  assert.ok(Math.abs(errs!.test!.boundary - Math.log(100)) < 1e-12);
  assert.deepEqual(
    errs!.test!.logEvidence.map((v) => Number(v!.toFixed(6))),
    [0, -0.2, -0.4],
  );
});

test('evidence names the side it compared with: a fresh baseline reads "baseline"', () => {
  const intervals = [{ at: T0 + MINUTE, decision: decision(healthyValues(0)) }];
  const w = windowEvidence(config, intervals, intervals[0]!.decision, MINUTE, 'baseline');
  assert.equal(w.reference, 'baseline');
  assert.equal(w.checks[0]!.observed[1]!.label, 'baseline');
  assert.match(w.checks[2]!.rule, /vs baseline/);
  assert.match(evidenceTable(w), /^\| check \| canary \| baseline \|/);
});

test('yRange comes from the data: latencies are not drawn on 0-1, small rates start at zero, a flat line has room', () => {
  const [lo, hi] = yRange([172, 181, 190, 350]);
  assert.ok(lo <= 172 && hi >= 350 && hi < 500, `${lo}..${hi}`);
  assert.deepEqual(
    yRange([0.004, 0.006, 0.01]).map((v) => v <= 0.011),
    [true, true],
  );
  assert.equal(yRange([0.004, 0.006, 0.01])[0], 0);
  const [flo, fhi] = yRange([4.6, 4.6]);
  assert.ok(flo < 4.6 && fhi > 4.6);
  const [nlo] = yRange([-1.2, 0.5, 4.6]);
  assert.ok(nlo <= -1.2, 'negative log e-values stay on the chart');
  // A flat zero (no errors at all) from 0: a count or a rate is never drawn below it.
  assert.deepEqual(yRange([0, 0]), [0, 1]);
  for (const values of [[0], [0, 0, 0], [0, 1e-300], [0, 5e-324], [3, 3], [0.001, 0.001], [0, 2, 1000]])
    assert.ok(yRange(values)[0] >= 0, `${values}: ${yRange(values)}`);
  assert.ok(
    yRange([-0.5, -0.5])[0] < -0.5 && yRange([-0.5, -0.5])[1] > -0.5,
    'a negative flat line has room',
  );
});

test('axis labels: distinct, each step named at its start, elapsed minutes between, however many intervals', () => {
  for (const perStep of [3, 10, 45]) {
    const rows = [10, 25, 50].map((w, s) =>
      row(
        w,
        window(
          T0 + s * perStep * MINUTE,
          Array.from({ length: perStep }, (_, i) => healthyValues(i)),
        ),
      ),
    );
    const t = timeline(rows, 'production')!;
    const keep = t.points.map((_, i) => i);
    const labels = axisLabels(t, keep);
    assert.equal(new Set(labels).size, labels.length, 'mermaid merges equal labels');
    assert.equal(labels[0], '10%');
    assert.equal(labels[perStep], '25%');
    assert.equal(labels[2 * perStep], '50%');
    const shown = labels.filter((l) => l.replace(/\u200b/g, '') !== '');
    const minutes = shown.filter((l) => /^\d+$/.test(l)).map(Number);
    assert.ok(minutes.length >= 2, `elapsed minutes on the axis: ${shown}`);
    assert.deepEqual(
      [...minutes].sort((a, b) => a - b),
      minutes,
      'in order',
    );
    // Dense axes are thinned (whether they overlap is measured on the rendered chart, test/e2e).
    if (perStep === 45)
      assert.ok(shown.length < keep.length / 2, `${shown.length} labels for ${keep.length} points`);
  }
});

test('a rollback draws the check that fired with its boundary; a promotion the two closest to firing', () => {
  const healthy = Array.from({ length: 5 }, (_, i) => healthyValues(i));
  const firing = healthy.map((v, i) => ({ ...v, 'errs.evidence': Math.exp(i + 0.8) }));
  const rolled = [
    row(10, window(T0, healthy)),
    row(25, window(T0 + 5 * MINUTE, firing, 'rollback', 'errs'), 'rollback'),
  ];
  assert.deepEqual(
    decidingChecks(timeline(rolled, 'production')!).map((c) => c.name),
    ['errs'],
  );
  const charts = evidenceCharts(rolled, 'production');
  assert.equal(charts.length, 2, 'the rates and the evidence');
  assert.match(charts[1]!, /title "errs: evidence, rolled back at 10 min \(25%\)"/);
  assert.match(charts[1]!, /line "ln\(1\/alpha\) = 4\.605" \[(4\.605, ){9}4\.605\]/);
  assert.match(charts[0]!, /title "error rate \(%\): canary vs stable, rolled back at 10 min \(25%\)"/);
  assert.match(
    readable(evidenceTable(rolled[1]!.evidence!)),
    /\| errs \| 0\.4667% \(7\/1500\) \| 0\.5% \(25\/5000\) \|.*\| e-value 100 \(now 121\.5\) \| ❌ significantly worse \|/,
  );

  const promoted = [row(10, window(T0, healthy)), row(25, window(T0 + 5 * MINUTE, healthy))];
  const picked = decidingChecks(timeline(promoted, 'production')!).map((c) => c.name);
  assert.equal(picked.length, 2);
  assert.ok(picked.includes('rate') && picked.includes('p95-x'), `closest to their limits: ${picked}`);
});

test('a warning check is never drawn as the closest to firing: it cannot fire', () => {
  // A warning level below the rollback rule on the same metric (as seeds.memory-warning beside seeds.memory).
  const withWarning = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { error_rate: { provider: 'p' }, p95: { provider: 'p' } },
    checks: [
      { name: 'rate', check: 'error_rate <= 1%', for: '3m' },
      { name: 'rate-warning', check: 'error_rate <= 0.5%', on_breach: 'warn' },
      { name: 'p95-x', check: 'p95 < 2x baseline', baseline: 'stable' },
    ],
  });
  const intervals = Array.from({ length: 5 }, (_, i) => ({
    at: T0 + (i + 1) * MINUTE,
    decision: decision(healthyValues(i)),
  }));
  const evidence = windowEvidence(withWarning, intervals, intervals.at(-1)!.decision, MINUTE);
  assert.deepEqual(
    decidingChecks(timeline([row(10, evidence)], 'production')!).map((c) => c.name),
    ['rate', 'p95-x'],
  );
});

test('an interval without canary data is left out (never a zero), and a reference that ends early is drawn shorter', () => {
  const values = Array.from({ length: 6 }, (_, i) => healthyValues(i));
  values[2] = { ...values[2]!, error_rate: null };
  // At 100 % there is no stable side.
  const full = Array.from({ length: 3 }, (_, i) => ({ ...healthyValues(i), 'stable.error_rate': null }));
  const rows = [row(50, window(T0, values)), row(100, window(T0 + 6 * MINUTE, full))];
  const chart = evidenceCharts(rows, 'production').find((c) => c.includes('title "error_rate'))!;
  const line = (name: string) => chart.split('\n').find((l) => l.includes(`line "${name}"`))!;
  assert.equal(line('canary').split(',').length, 8, 'nine intervals, one without data');
  assert.doesNotMatch(line('canary'), /[[ ]0[,\]]/);
  assert.equal(line('stable').split(',').length, 5, 'stable until the 100 % step');
  assert.equal(line('limit').split(',').length, 8);
  assert.match(chart, /Not drawn, no data: min 3\./);
});

test('check names and metrics cannot end a chart, its quotes or its caption', () => {
  const name = `${HOSTILE} "q"`;
  const hostile = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { err: { provider: 'p' }, req: { provider: 'p' } },
    checks: [
      { name: HOSTILE, check: 'err <= 1' },
      { name, compare: 'errors', errors: 'err', requests: 'req' },
    ],
  });
  const intervals = [1, 2, 3].map((i) => ({
    at: T0 + i * MINUTE,
    decision: decision({
      err: i,
      req: 100,
      'stable.err': 1,
      'stable.req': 100,
      [`${name}.evidence`]: i * 40,
    }),
  }));
  const fired = { ...intervals[2]!.decision, kind: 'rollback' as const, rule: name };
  const w = windowEvidence(hostile, intervals, fired, MINUTE);
  const md = evidenceCharts([row(10, w, 'rollback')], 'production').join('\n');
  assert.match(md, /title "evil/, 'the hostile name is in a title');
  assert.equal(md.split('\n').filter((l) => l.startsWith('```')).length, 4, 'two charts, two fences each');
  for (const l of md.split('\n').filter((l) => /^ {4}(title|line|x-axis|y-axis)/.test(l)))
    assert.match(l, /^ {4}[a-z-]+( "[^"\n`]*")*( \[.*\]| -?[\d.]+ --> -?[\d.]+)?$/, l);
  for (const caption of md.split('\n').filter((l) => l.startsWith('<sub>')))
    assert.doesNotMatch(caption.replace(/^<sub>|<\/sub>$/g, ''), /<|>/);
  assertTablesIntact(evidenceTable(w));
});

test('a histogram test draws canary against its reference (p95 from buckets) beside its evidence, where there are p95s', () => {
  const hist = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
    metrics: { latency: { provider: 'p', query: 'x', histogram: true } },
    checks: [{ name: 'lat', compare: 'histogram', metric: 'latency' }],
  });
  const interval = (i: number, p95: boolean): { at: number; decision: Decision } => ({
    at: T0 + (i + 1) * MINUTE,
    decision: decision({
      latency: 120,
      'stable.latency': 1000,
      'lat.evidence': Math.exp(i * 0.9),
      ...(p95 ? { 'lat.canary_p95': 0.3 + i * 0.01, 'lat.stable_p95': i === 2 ? null : 0.25 } : {}),
    }),
  });
  for (const reference of ['stable', 'baseline']) {
    const intervals = [0, 1, 2, 3, 4, 5].map((i) => interval(i, true));
    const fired = { ...intervals.at(-1)!.decision, kind: 'rollback' as const, rule: 'lat' };
    const w = windowEvidence(hist, intervals, fired, MINUTE, reference);
    const charts = evidenceCharts([row(10, w, 'rollback')], 'production');
    assert.equal(charts.length, 2, 'the p95s and the evidence');
    assert.match(
      charts[0]!,
      new RegExp(`title "latency p95 \\(from buckets\\): canary vs ${reference}, rolled back`),
    );
    const line = (name: string) => charts[0]!.split('\n').find((l) => l.includes(`line "${name}"`))!;
    // The interval without the reference's p95 is left out of every line and named under the chart.
    assert.match(line('canary'), /\[0\.3, 0\.31, 0\.33, 0\.34, 0\.35\]/);
    assert.match(line(reference), /\[0\.25, 0\.25, 0\.25, 0\.25, 0\.25\]/);
    assert.match(charts[0]!, /Not drawn, no data: min 3\./);
    assert.match(charts[1]!, /title "lat: evidence, rolled back/);
    // The table shows both sides' last p95, not dashes.
    assert.match(
      evidenceTable(w),
      new RegExp(`\\| lat \\| 0\\.35 \\| 0\\.25 \\| latency distribution vs ${reference}`),
    );
  }
  // A result recorded before the judge kept p95s: the evidence chart alone, no empty chart.
  const old = [0, 1, 2].map((i) => interval(i, false));
  const w = windowEvidence(hist, old, old.at(-1)!.decision, MINUTE);
  assert.deepEqual(w.checks[0]!.observed, []);
  const charts = evidenceCharts([row(10, w)], 'production');
  assert.ok(
    charts.every((c) => !c.includes('p95')),
    charts.join('\n'),
  );
});

test('the table says a check whose evidence held the window open is pending, not significant yet', () => {
  const values = Array.from({ length: 4 }, (_, i) => ({ ...healthyValues(i), 'errs.evidence': 6 + i }));
  const intervals = values.map((v, i) => ({
    at: T0 + (i + 1) * MINUTE,
    decision: { ...decision(v, 'hold', 'errs'), code: 'evidence-pending' as const },
  }));
  const w = windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE);
  const errs = evidenceTable(w)
    .split('\n')
    .find((l) => l.startsWith('| errs |'))!;
  assert.match(errs, /\| ⏳ evidence pending, not yet significant \|$/);
  // The other checks are not pending: the hold is the error test's.
  assert.doesNotMatch(
    evidenceTable(w)
      .split('\n')
      .find((l) => l.startsWith('| rate |'))!,
    /pending/,
  );
});

test('the errors check draws what fired: its CUSUM when it crossed (also when the e-value did too), else the e-value that fired; without boundaries the e-value', () => {
  const cusumValues = (i: number, cusum: number, evidence: number): Values => ({
    ...healthyValues(i),
    'errs.cusum': cusum,
    'errs.cusum_boundary': 3,
    'errs.evidence': evidence,
  });
  const drawn = (values: Values[]) => {
    const w = window(T0, values, 'rollback', 'errs');
    const errs = w.checks.find((c) => c.name === 'errs')!;
    const line = readable(evidenceTable(w))
      .split('\n')
      .find((l) => l.startsWith('| errs |'))!;
    return { test: errs.test!, line };
  };
  // Both fired at the last look: the judge's reason names the CUSUM, and so must the chart and the table.
  const both = drawn([cusumValues(0, 1, 2), cusumValues(1, 3.2, 1500)]);
  assert.equal(both.test.statistic, 'cusum');
  assert.deepEqual(both.test.logEvidence, [1, 3.2]);
  assert.match(both.line, /\| CUSUM 3 \(now 3\.2\) \|/);
  // Only the e-value fired (a gross failure the CUSUM discounts): its threshold is 1/(0.1 alpha) = 1000.
  const gross = drawn([cusumValues(0, 0.5, 20), cusumValues(1, 1.1, 1500)]);
  assert.equal(gross.test.statistic, 'e-value');
  assert.ok(Math.abs(gross.test.boundary - Math.log(1000)) < 1e-12);
  assert.match(gross.line, /\| e-value 1000 \(now 1500\) \|/);
  // A CUSUM without any boundary (edited results) cannot be drawn against one: the e-value at the check's
  // alpha, as for results from before the CUSUM, never "CUSUM 0".
  const bare = drawn([
    { ...cusumValues(0, 1, 2), 'errs.cusum_boundary': null },
    { ...cusumValues(1, 2, 3), 'errs.cusum_boundary': null },
  ]);
  assert.equal(bare.test.statistic, 'e-value');
  assert.ok(Math.abs(bare.test.boundary - Math.log(100)) < 1e-12);
  assert.match(bare.line, /\| e-value 100 \(now 3\) \|/);
});

test("the errors check's counts are those its tests used: whole counts (increase() extrapolates), usable intervals only", () => {
  const w = window(T0, [
    { ...healthyValues(0), errors: 2.7, requests: 299.6, 'stable.errors': 4.4, 'stable.requests': 1000.2 },
    // More errors than requests: impossible, the judge's tests skip it.
    { ...healthyValues(1), errors: 500, requests: 300 },
    // Less than half a request: no requests.
    { ...healthyValues(2), errors: 0, requests: 0.4 },
  ]);
  assert.deepEqual(w.checks.find((c) => c.name === 'errs')!.counts, {
    canaryErrors: 3,
    canaryRequests: 300,
    referenceErrors: 4,
    referenceRequests: 1000,
  });
});

/**
 * Windows judged by the real judge with a pre-deploy p95 of 0.25: each window's intervals as [canary, stable?]
 * (no stable: blue-green, rolling, direct, or a canary at 100 %), one row per window, in order.
 */
function judgedRows(
  checks: Array<{ name: string; check: string; baseline?: 'stable' | 'pre-deploy' | 'auto' }>,
  windows: Array<{ phase: AnalysisRow['phase']; weight?: number; sides: Array<[number, number?]> }>,
): AnalysisRow[] {
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { p95: { provider: 'p' } },
    checks,
  });
  let n = 0;
  return windows.map(({ phase, weight, sides }) => {
    let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: T0, baseline: { p95: 0.25 } });
    const intervals = sides.map(([canary, stable]) => {
      const at = T0 + ++n * MINUTE;
      const r = judge(state, {
        at,
        canary: { p95: canary },
        ...(stable === undefined ? {} : { stable: { p95: stable } }),
        errors: [],
      });
      state = r.state;
      return { at, decision: r.decision };
    });
    const evidence = windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE);
    return {
      label: weight === undefined ? phase : `${phase} @ ${weight}%`,
      environment: 'production',
      phase,
      ...(weight === undefined ? {} : { weight }),
      verdict: evidence.decision.kind,
      detail: evidence.decision.kind,
      durationMs: sides.length * MINUTE,
      metrics: {},
      evidence,
    };
  });
}

/** A chart's series by its label, as mermaid reads it. */
const lineOf = (chart: string, label: string): number[] | undefined => {
  const line = chart.split('\n').find((l) => l.startsWith(`    line "${label}" [`));
  return line === undefined ? undefined : (JSON.parse(line.replace(/^[^[]*/, '')) as number[]);
};
const titleOf = (chart: string) => /^ {4}title "(.*)"$/m.exec(chart)?.[1];

test('a relative rule that compared with the reading before the deploy draws it: a flat line at the reading, the limit factor x it', () => {
  // A blue-green watch: no stable side; the rule compared the new version with the pre-deploy p95 of 0.25.
  const rows = judgedRows(
    [{ name: 'p95-x', check: 'p95 <= 2x baseline' }],
    [
      { phase: 'pre-switch', sides: [[0.26], [0.27]] },
      { phase: 'post-switch', sides: [[0.3], [0.28], [0.6]] },
    ],
  );
  assert.equal(rows.at(-1)!.evidence!.decision.rule, 'p95-x');
  const [chart, ...rest] = evidenceCharts(rows, 'production');
  assert.equal(rest.length, 0);
  assert.deepEqual(lineOf(chart!, 'new version'), [0.26, 0.27, 0.3, 0.28, 0.6]);
  assert.deepEqual(lineOf(chart!, 'before the deploy'), [0.25, 0.25, 0.25, 0.25, 0.25]);
  assert.deepEqual(lineOf(chart!, 'limit'), [0.5, 0.5, 0.5, 0.5, 0.5]);
  assert.equal(lineOf(chart!, 'stable'), undefined, 'no stable side served: no line');
  // The order mermaid draws them in, each over the one before, and the palette follows: the reading, the
  // limit, and the new version last, on top (the caption's legend names it first).
  assert.deepEqual(
    chart!
      .split('\n')
      .filter((l) => l.startsWith('    line '))
      .map((l) => /"(.*?)"/.exec(l)![1]),
    ['before the deploy', 'limit', 'new version'],
  );
  assert.match(chart!, /"plotColorPalette":"#1b7c83, #6e7781, #cf222e"/);
  assert.equal(titleOf(chart!), 'p95: new version vs before the deploy, rolled back at 5 min (post-switch)');
  assert.match(
    chart!,
    /red: new version · teal: before the deploy · grey: limit \(p95 &lt;= 2x baseline\)\./,
  );
  assert.match(chart!, /The baseline is the reading taken before the deploy: one reading, a flat line\./);
  // Its steps have no traffic share: the axis names them by phase, and the caption says so.
  assert.match(chart!, /a step's first interval is labelled with its phase\./);

  // The same rule with its baseline pinned, in a canary beside stable: stable is drawn as it read, the
  // limit is 3x the pre-deploy reading, not 3x stable.
  const [pinned] = evidenceCharts(
    judgedRows(
      [{ name: 'pinned', check: 'p95 < 3x baseline', baseline: 'pre-deploy' }],
      [
        {
          phase: 'canary-step',
          weight: 10,
          sides: [
            [0.3, 0.2],
            [0.5, 0.2],
            [0.8, 0.2],
          ],
        },
      ],
    ),
    'production',
  );
  assert.deepEqual(lineOf(pinned!, 'stable'), [0.2, 0.2, 0.2]);
  assert.deepEqual(lineOf(pinned!, 'before the deploy'), [0.25, 0.25, 0.25]);
  assert.deepEqual(lineOf(pinned!, 'limit'), [0.75, 0.75, 0.75]);
  assert.equal(titleOf(pinned!), 'p95: canary vs stable and before the deploy, rolled back at 3 min (10%)');
});

test('an auto baseline: stable while it served beside the canary, then the reading before the deploy, drawn across', () => {
  const rows = judgedRows(
    [{ name: 'auto', check: 'p95 <= 2x baseline' }],
    [
      {
        phase: 'canary-step',
        weight: 50,
        sides: [
          [0.3, 0.2],
          [0.3, 0.22],
        ],
      },
      { phase: 'canary-step', weight: 100, sides: [[0.3], [0.6]] },
    ],
  );
  const [chart] = evidenceCharts(rows, 'production');
  assert.deepEqual(lineOf(chart!, 'canary'), [0.3, 0.3, 0.3, 0.6]);
  assert.deepEqual(lineOf(chart!, 'stable'), [0.2, 0.22], 'stable ends where it stopped serving');
  assert.deepEqual(lineOf(chart!, 'before the deploy'), [0.25, 0.25, 0.25, 0.25]);
  assert.deepEqual(lineOf(chart!, 'limit'), [0.4, 0.44, 0.5, 0.5]);
  assert.match(chart!, /before the deploy where no stable side served beside the canary: one reading/);
});

test('charts of a canary against stable, and recordings from before the pre-deploy reading was kept, are drawn as before', () => {
  // An auto rule beside stable all along compared with stable: no pre-deploy line (this is the chart drawn
  // before the line existed, byte for byte, but for the canary drawn last, on top of stable and the limit).
  const beside = judgedRows(
    [{ name: 'auto', check: 'p95 <= 2x baseline' }],
    [
      {
        phase: 'canary-step',
        weight: 10,
        sides: [
          [0.3, 0.2],
          [0.5, 0.2],
        ],
      },
    ],
  );
  assert.equal(beside[0]!.evidence!.checks[0]!.preDeploy, undefined);
  const [chart] = evidenceCharts(beside, 'production');
  assert.equal(
    chart,
    [
      '```mermaid',
      '%%{init: {"xyChart":{"width":900,"height":340,"xAxis":{"labelFontSize":12},"yAxis":{"labelFontSize":12}},"themeVariables":{"xyChart":{"plotColorPalette":"#0969da, #6e7781, #cf222e"}}}}%%',
      'xychart-beta',
      '    title "p95: canary vs stable, rolled back at 2 min (10%)"',
      '    x-axis "minutes since the analysis began" ["10%", "2"]',
      '    y-axis "p95" 0 --> 0.53',
      '    line "stable" [0.2, 0.2]',
      '    line "limit" [0.4, 0.4]',
      '    line "canary" [0.3, 0.5]',
      '```',
      "<sub>red: canary · blue: stable · grey: limit (p95 &lt;= 2x baseline). x: minutes since the analysis began; a step's first interval is labelled with its traffic share.</sub>",
    ].join('\n'),
  );
  // A blue-green recording from before `preDeploy`: the new version and its limit, as it was drawn then (the
  // version under test named by its step's phase, which every result has).
  const old = judgedRows(
    [{ name: 'p95-x', check: 'p95 <= 2x baseline' }],
    [{ phase: 'post-switch', sides: [[0.3], [0.6]] }],
  );
  delete old[0]!.evidence!.checks[0]!.preDeploy;
  const [drawn] = evidenceCharts(old, 'production');
  assert.equal(lineOf(drawn!, 'before the deploy'), undefined);
  assert.deepEqual(lineOf(drawn!, 'new version'), [0.3, 0.6]);
  assert.deepEqual(lineOf(drawn!, 'limit'), [0.5, 0.5]);
  // No reference line is drawn (no stable side served, no reading kept): the title names none, where it
  // named "stable", which the chart does not show.
  assert.equal(titleOf(drawn!), 'p95: new version, rolled back at 2 min (post-switch)');
  assert.doesNotMatch(drawn!, /before the deploy|teal/);
});

test('the version under test is the canary in a canary step, the new version on a watch without one', () => {
  // A blue-green rollback: green against the reading before the deploy, no canary anywhere.
  const blueGreen = judgedRows(
    [{ name: 'p95-x', check: 'p95 <= 2x baseline' }],
    [
      { phase: 'pre-switch', sides: [[0.26], [0.27]] },
      { phase: 'post-switch', sides: [[0.3], [0.6]] },
    ],
  );
  const section = renderAnalysisSection(blueGreen).join('\n');
  assert.match(section, /^\| check \| new version \| before the deploy \| rule or test \|/m);
  assert.match(
    section,
    /title "p95: new version vs before the deploy, rolled back at 4 min \(post-switch\)"/,
  );
  assert.match(section, /line "new version" \[0\.26, 0\.27, 0\.3, 0\.6\]/);
  assert.match(section, /red: new version · teal: before the deploy · grey: limit/);
  assert.doesNotMatch(section, /canary/, 'no canary is named where none served');

  // A canary's steps keep their name, in the table and the chart.
  const canary = judgedRows(
    [{ name: 'auto', check: 'p95 <= 2x baseline' }],
    [
      {
        phase: 'canary-step',
        weight: 10,
        sides: [
          [0.3, 0.2],
          [0.5, 0.2],
        ],
      },
    ],
  );
  const canarySection = renderAnalysisSection(canary).join('\n');
  assert.match(canarySection, /^\| check \| canary \| stable \| rule or test \|/m);
  assert.match(canarySection, /title "p95: canary vs stable, rolled back at 2 min \(10%\)"/);
  assert.match(canarySection, /red: canary · blue: stable · grey: limit/);
  assert.doesNotMatch(canarySection, /new version/);

  // Every watch without a canary; a chart across a canary's steps and the watch after them draws one
  // version, first a canary; a phase this version does not know keeps the name it had.
  for (const phase of ['pre-switch', 'post-switch', 'batch', 'verify', 'monitor', 'staging'])
    assert.equal(testedName([{ phase }]), 'new version', phase);
  assert.equal(testedName([{ phase: 'canary-step' }]), 'canary');
  assert.equal(testedName([{ phase: 'canary-step' }, { phase: 'monitor' }]), 'canary');
  assert.equal(testedName([{ phase: 'later-phase' }]), 'canary');
  assert.equal(testedName([{ phase: '' }]), 'canary');
  assert.equal(testedName([]), 'canary');
  // A table rendered without a name (another caller, an older one) heads the column canary, as before.
  assert.match(evidenceTable(blueGreen[1]!.evidence!), /^\| check \| canary \| before the deploy \|/);

  // After a canary's steps, a monitor window that decided: its table names the new version, the chart
  // across both the canary it was.
  const healthy = Array.from({ length: 3 }, (_, i) => healthyValues(i));
  const firing = healthy.map((v, i) => ({
    ...v,
    'stable.errors': null,
    'stable.requests': null,
    'errs.cusum': i + 1,
    'errs.cusum_boundary': 3,
  }));
  const monitored = [
    row(10, window(T0, healthy)),
    {
      ...row(100, window(T0 + 3 * MINUTE, firing, 'rollback', 'errs'), 'rollback'),
      label: 'monitor',
      phase: 'monitor',
    },
  ];
  delete monitored[1]!.weight;
  const after = renderAnalysisSection(monitored).join('\n');
  assert.match(after, /^\| check \| new version \| stable \|/m);
  assert.match(after, /title "error rate \(%\): canary vs stable, rolled back at 6 min \(monitor\)"/);
  assert.match(after, /so that a canary no worse crosses it/);
  // The same CUSUM on a watch alone: the new version.
  const alone = renderAnalysisSection([monitored[1]!]).join('\n');
  assert.match(alone, /so that a new version no worse crosses it/);
  // Its stable side has no data in this window, so no stable line and no "vs stable" in the title.
  assert.match(alone, /title "error rate \(%\): new version, rolled back at 3 min \(monitor\)"/);
  assert.doesNotMatch(alone, /canary/);
});

test('a rollback at the first interval is drawn across that interval: a line of one point is no line at all', () => {
  // A path of one point draws nothing: the chart was an empty box under a legend of three lines.
  const first = { ...healthyValues(0), error_rate: 0.3 };
  const rows = [row(5, window(T0, [first], 'rollback', 'rate'), 'rollback')];
  const [chart] = evidenceCharts(rows, 'production');
  assert.ok(chart, 'the rule that fired is drawn');
  const source = chart.split('\n');
  // From the interval's start (its step, 5 %) to its end (1 min): two labels, every line two equal points.
  assert.match(chart, /x-axis "minutes since the analysis began" \["5%", "1"\]/);
  const lines = source.filter((l) => l.startsWith('    line '));
  assert.deepEqual(
    lines.map((l) => l.replace(/^ {4}line "([^"]*)".*$/, '$1')),
    ['stable', 'limit', 'canary'],
  );
  for (const line of lines) {
    const values = JSON.parse(line.replace(/^[^[]*/, '')) as number[];
    assert.equal(values.length, 2, line);
    assert.equal(values[0], values[1], line);
  }
  assert.match(chart, /One interval: its value is drawn across it/);
  assert.match(
    renderAnalysisSection(rows).join('\n'),
    /\(1 interval, compared with stable\)/,
    'one, not "1 intervals"',
  );
  // Two intervals are drawn as they were: a point each.
  const two = evidenceCharts(
    [row(5, window(T0, [healthyValues(0), first], 'rollback', 'rate'), 'rollback')],
    'production',
  );
  assert.match(two[0]!, /x-axis "minutes since the analysis began" \["5%", "2"\]/);
  assert.doesNotMatch(two[0]!, /One interval/);
});

test("a test's chart draws one statistic: a step that recorded the errors check's CUSUM is no point of the e-value that fired", () => {
  // The 10 % step promoted on its CUSUM (nats, against boundaries near 3); at 25 % the e-value fired (a gross
  // failure, its threshold 1/(0.1 alpha) = 1000). Drawn together, CUSUMs were shown as ln(e-values) and the
  // boundary of 3 as ln(1/alpha) = 6.908.
  const cusum = (i: number): Values => ({
    ...healthyValues(i),
    'errs.cusum': 0.5,
    'errs.cusum_boundary': 3,
    'errs.evidence': 2,
  });
  const gross = (i: number): Values => ({ ...cusum(i), 'errs.cusum': 1, 'errs.evidence': 50 * (i + 1) ** 2 });
  const rows = [
    row(10, window(T0, [0, 1, 2, 3].map(cusum))),
    row(25, window(T0 + 4 * MINUTE, [0, 1, 2, 3, 4].map(gross), 'rollback', 'errs'), 'rollback'),
  ];
  assert.equal(rows[0]!.evidence!.checks.find((c) => c.name === 'errs')!.test!.statistic, 'cusum');
  assert.equal(rows[1]!.evidence!.checks.find((c) => c.name === 'errs')!.test!.statistic, 'e-value');
  const chart = evidenceCharts(rows, 'production').find((c) => c.includes('title "errs: evidence'));
  assert.ok(chart);
  const data = (label: string) =>
    JSON.parse(
      chart
        .split('\n')
        .find((l) => l.startsWith(`    line "${label}`))!
        .replace(/^[^[]*/, ''),
    ) as number[];
  const evidence = data('ln(e-value)');
  assert.deepEqual(
    evidence.map((v) => Number(v.toFixed(2))),
    [1, 2, 3, 4, 5].map((i) => Number(Math.log(50 * i ** 2).toFixed(2))),
    'the 25 % step only',
  );
  assert.deepEqual(new Set(data('ln(1/alpha)')), new Set([6.908]), 'one boundary: ln(1000)');
  assert.match(chart, /x-axis "minutes since the analysis began" \["25%", /);
  assert.match(chart, /Not drawn: the 10% step, which recorded its CUSUM, not this e-value\./);
  assert.doesNotMatch(chart, /Not drawn, no data/, 'those intervals had data');
});

test('intervals without data after the last reading stay on the axis: it ends where the decision fell, the lines before it', () => {
  // A canary whose data stopped two minutes in and a window rolled back for it four minutes later: the axis
  // ended at minute 2 under a title saying "rolled back at 6 min".
  const gone = (i: number): Values =>
    i < 2
      ? healthyValues(i)
      : { ...healthyValues(i), error_rate: null, p95: null, errors: null, requests: null };
  const rows = [row(10, window(T0, [0, 1, 2, 3, 4, 5].map(gone), 'rollback', 'rate'), 'rollback')];
  const [chart] = evidenceCharts(rows, 'production');
  assert.ok(chart);
  assert.match(chart, /title "error_rate: canary vs stable, rolled back at 6 min \(10%\)"/);
  assert.match(chart, /x-axis "minutes since the analysis began" \["10%", "2", "3", "4", "5", "6"\]/);
  for (const line of chart.split('\n').filter((l) => l.startsWith('    line ')))
    assert.equal(
      (JSON.parse(line.replace(/^[^[]*/, '')) as number[]).length,
      2,
      `ends at its last reading: ${line}`,
    );
  assert.match(chart, /Not drawn, no data: min 3, 4, 5, 6\./);
  // A gap inside the window is still left out of the axis (a point between two readings would be drawn).
  const inside = (i: number): Values => (i === 2 ? gone(2) : healthyValues(i));
  const [gap] = evidenceCharts([row(10, window(T0, [0, 1, 2, 3].map(inside)))], 'production');
  assert.match(gap!, /x-axis "minutes since the analysis began" \["10%", "2", "4"\]/);
});

test('the version under test is drawn last, on top: where it runs along stable (no errors on either) it is the line seen', () => {
  // Mermaid draws each line over the one before: drawn first, a canary at 0 beside a stable at 0 lay under the
  // blue line, and the legend's red line was nowhere to be seen.
  const zero = (i: number): Values => ({ ...healthyValues(i), error_rate: 0, 'stable.error_rate': 0 });
  const [chart] = evidenceCharts(
    [row(10, window(T0, [0, 1, 2].map(zero), 'rollback', 'rate'), 'rollback')],
    'production',
  );
  const names = chart!
    .split('\n')
    .filter((l) => l.startsWith('    line '))
    .map((l) => /"(.*?)"/.exec(l)![1]);
  assert.equal(names.at(-1), 'canary', `drawn last: ${names}`);
  assert.match(chart!, /"plotColorPalette":"[^"]*#cf222e"/, 'in red, the palette in the same order');
  assert.match(chart!, /<sub>red: canary · blue: stable · grey: limit/, 'the caption names it first');
  assert.match(
    chart!,
    /The canary is drawn over stable, which has the same values\./,
    'and says what it covers',
  );
  assert.doesNotMatch(
    evidenceCharts([row(10, window(T0, [0, 1, 2].map(healthyValues)))], 'production').join('\n'),
    /drawn over/,
  );
  // A test's statistic is drawn over its boundary.
  const firing = [0, 1, 2].map((i) => ({ ...healthyValues(i), 'errs.evidence': Math.exp(2 * i + 1) }));
  const test = evidenceCharts(
    [row(10, window(T0, firing, 'rollback', 'errs'), 'rollback')],
    'production',
  ).find((c) => c.includes(': evidence'))!;
  assert.match(test, /line "ln\(1\/alpha\) = [\d.]+" \[[^\n]*\n {4}line "ln\(e-value\)"/);
});

test('rolling batches are named by their number: the steps, the evidence heading and the axis tell them apart', () => {
  // Every batch was "batch": three labels of one name on the axis, "Evidence at batch", "(batch)" in the title.
  const steps = [1, 2].map((batch, n) => ({
    environment: 'production',
    phase: 'production' as const,
    description: 'analysis',
    durationMs: 3 * MINUTE,
    step: { kind: 'analysis' as const, phase: 'batch' as const, batch, windowMs: 3 * MINUTE },
    result: {
      ok: true as const,
      analysis: 'promote' as const,
      evidence: window(T0 + n * 3 * MINUTE, [0, 1, 2].map(healthyValues)),
    },
  }));
  const rows = analysisRows({ steps });
  assert.deepEqual(
    rows.map((r) => r.label),
    ['batch 1', 'batch 2'],
  );
  const section = renderAnalysisSection(rows).join('\n');
  assert.match(section, /Steps: batch 1 ✅ promote \(3m\) → batch 2 ✅ promote \(3m\)/);
  assert.match(section, /\*\*Evidence at batch 2\*\*/);
  const [chart] = evidenceCharts(rows, 'production');
  assert.match(
    chart!,
    /x-axis "minutes since the analysis began" \["batch 1", "2", "3", "batch 2", "5", "6"\]/,
  );
  assert.match(chart!, /promoted at 6 min \(batch 2\)"/);
  // A step recorded before the number was kept is named as it was.
  const { step: _, ...record } = steps[0]!;
  const old = analysisRows({
    steps: [{ ...record, step: { kind: 'analysis', phase: 'batch', windowMs: 3 * MINUTE } }],
  });
  assert.equal(old[0]!.label, 'batch');
});

test('at 30 s intervals (the default) elapsed time reads as minutes and seconds, not hundreds of seconds', () => {
  // Two 5-minute steps of 30 s intervals, the second begun 5 s after the first ended: the title said "rolled
  // back at 605 s" and the axis 305, 335, 365.
  const windowAt = (start: number, n: number, last: Decision['kind'] = 'promote') => {
    const intervals = Array.from({ length: n }, (_, i) => ({
      at: start + (i + 1) * 30_000,
      decision: decision(
        healthyValues(i),
        i === n - 1 ? last : 'promote',
        i === n - 1 && last === 'rollback' ? 'rate' : undefined,
      ),
    }));
    return windowEvidence(config, intervals, intervals.at(-1)!.decision, 30_000);
  };
  const rows = [row(10, windowAt(T0, 10)), row(25, windowAt(T0 + 305_000, 10, 'rollback'), 'rollback')];
  const [chart] = evidenceCharts(rows, 'production');
  assert.match(chart!, /rolled back at 10m5s \(25%\)"/);
  const labels = JSON.parse(
    /x-axis "minutes:seconds since the analysis began" (\[.*\])/.exec(chart!)![1]!,
  ) as string[];
  const shown = labels.filter((l) => l.replace(/\u200b/g, '') !== '');
  assert.equal(shown[0], '10%');
  assert.ok(shown.includes('25%'), `${shown}`);
  for (const label of shown.filter((l) => !l.endsWith('%')))
    assert.match(label, /^\d+:[0-5]\d$/, `minutes and seconds: ${shown}`);
  assert.match(chart!, /x: minutes:seconds since the analysis began/);
  // A short analysis stays in seconds: 30, 60, 90.
  const [short] = evidenceCharts([row(10, windowAt(T0, 3, 'rollback'), 'rollback')], 'production');
  assert.match(short!, /rolled back at 90 s \(10%\)"/);
  assert.match(short!, /x-axis "seconds since the analysis began" \["10%", "60", "90"\]/);
});

test('the errors test reading the same rates as a rule drawn beside it (the seeds preset derives its errors from error_rate) is drawn once', () => {
  // A promotion's two closest checks were the error-rate rule and the errors test: two charts of the same
  // canary and stable lines, one as a fraction with the limit, one in %.
  const derived = (i: number): Values => {
    const rate = 0.006 + (i % 3) * 0.001;
    return {
      ...healthyValues(i),
      error_rate: rate,
      errors: rate * 1000,
      requests: 1000,
      'stable.error_rate': 0.005,
      'stable.errors': 5,
      'stable.requests': 1000,
      p95: 100,
    };
  };
  const rows = [row(10, window(T0, [0, 1, 2, 3].map(derived)))];
  assert.deepEqual(
    decidingChecks(timeline(rows, 'production')!)
      .map((c) => c.name)
      .sort(),
    ['errs', 'rate'],
  );
  const titles = evidenceCharts(rows, 'production').map((c) => titleOf(c));
  assert.deepEqual(titles, [
    'error_rate: canary vs stable, promoted at 4 min (10%)',
    'errs: evidence, promoted at 4 min (10%)',
  ]);
  // Rates of its own (a user's errors metric that is not error_rate): both are drawn.
  const own = [
    row(
      10,
      window(
        T0,
        [0, 1, 2, 3].map((i) => ({ ...derived(i), errors: 2 + (i % 2) })),
      ),
    ),
  ];
  assert.equal(evidenceCharts(own, 'production').filter((c) => /error rate \(%\)/.test(c)).length, 1);
});

test('an errors test whose canary rates match a rule only where both are 0 keeps its chart when its stable rates are not the rule’s', () => {
  // A canary without errors beside a rule whose canary read 0 too (a restarts or crash count: any metric at
  // 0): the canary lines agree, but the errors test's stable rates (2 %) are drawn nowhere else, and dropping
  // its chart as "the same lines" left the summary without the error rates the test compared.
  const quiet = (i: number): Values => ({
    ...healthyValues(i),
    error_rate: 0,
    'stable.error_rate': 0,
    errors: 0,
    requests: 1000,
    'stable.errors': 20,
    'stable.requests': 1000,
    p95: null,
    'stable.p95': null,
  });
  const rows = [row(10, window(T0, [0, 1, 2, 3].map(quiet)))];
  assert.deepEqual(
    decidingChecks(timeline(rows, 'production')!)
      .map((c) => c.name)
      .sort(),
    ['errs', 'rate'],
  );
  const charts = evidenceCharts(rows, 'production');
  const rates = charts.find((c) => /error rate \(%\)/.test(c));
  assert.ok(rates, charts.map((c) => titleOf(c)).join(' | '));
  assert.match(rates, /line "stable" \[2, 2, 2, 2\]/);
});
