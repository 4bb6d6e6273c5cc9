// The job summary's analysis as GitHub shows it: Markdown (marked, GFM, github-markdown-css at the 1012 px
// column) and mermaid drawn by its browser bundle in headless Chromium. The analysis results come from the
// real metric analyzer (src/pipeline/metrics-analyzer.ts, the seeds preset) fed by a seeded low-traffic
// generator (about 20 requests/s, the canary at its step's share, one-minute intervals), for a promotion and
// a rollback; the summary is the real renderJobSummary. What a reader needs is asserted on the rendered
// page: every chart drawn without a mermaid error, lines that move (not flat zeros), labels that do not
// overlap, the limit or boundary of the check that fired, missing intervals not drawn as zero, and tables
// that fit the column. The PNGs are kept in a temp dir to look at (their paths are printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import { resolveEnvironment } from '../../src/config/resolve.ts';
import { metricsAnalyzer } from '../../src/pipeline/metrics-analyzer.ts';
import type { PipelineResult, StepRecord } from '../../src/pipeline/events.ts';
import type { MetricProvider } from '../../src/analysis/providers/provider.ts';
import type { Decision, MetricValues } from '../../src/analysis/types.ts';
import { bucketKey } from '../../src/analysis/histogram.ts';
import { renderJobSummary } from '../../src/report/job-summary.ts';
import { renderAnalysisSection } from '../../src/report/evidence-table.ts';
import type { AnalysisRow } from '../../src/report/analysis-steps.ts';
import { resolveAnalysisConfig } from '../../src/analysis/config.ts';
import { windowEvidence } from '../../src/analysis/evidence.ts';
import {
  openSummaryRenderer,
  overlaps,
  type RenderedSummary,
  type SummaryRenderer,
} from '../helpers/render-summary.ts';
import { normal, poisson, rng } from '../helpers/random.ts';
import { HOSTILE } from '../unit/report/fixtures.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
const RPS = 20;

interface Scenario {
  seed: number;
  /** Stable's error rate, and the canary's at a minute since the analysis began. */
  stableErrorRate: number;
  canaryErrorRate(minute: number): number;
  /** Minutes at which every canary metric is missing (a scrape gap). */
  gaps?: number[];
  /** The canary's latency scale at a minute (1: stable's), for a `latency` histogram metric. */
  canaryLatency?(minute: number): number;
}

/** Latency bucket bounds (s) of the `latency` histogram metric; latencies are exponential, mean 0.1 s x scale. */
const LATENCY_BOUNDS = [0.05, 0.1, 0.2, 0.3, 0.5, 1, Infinity];
function latencyBuckets(random: () => number, requests: number, scale: number): MetricValues {
  const values: MetricValues = { latency: requests };
  let previous = 0;
  let cumulative = 0;
  for (const le of LATENCY_BOUNDS) {
    const cdf = le === Infinity ? 1 : 1 - Math.exp(-le / (0.1 * scale));
    cumulative +=
      le === Infinity
        ? requests - cumulative
        : Math.min(requests - cumulative, poisson(random, requests * (cdf - previous)));
    previous = cdf;
    values[bucketKey('latency', le)] = cumulative;
  }
  return values;
}

/** The production rollback a failed run's result names: traffic back after `restoredMs`, done after `durationMs`. */
function rollbackOf(reason: string, restoredMs: number, durationMs: number) {
  return {
    reason,
    environment: 'production',
    steps: [],
    levels: [],
    ok: true,
    trafficRestoredMs: restoredMs,
    durationMs,
  };
}

/** Prometheus-like counts and a p95 for each side, drawn per interval from the scenario. */
function generator(scenario: Scenario, clock: () => number): MetricProvider {
  const random = rng(scenario.seed);
  return {
    name: 'gen',
    async read(request) {
      const minute = Math.round((clock() - T0) / MINUTE);
      const share = Number(request.vars.weight ?? 100) / 100;
      const canary = request.side === 'canary';
      const requests = poisson(random, RPS * 60 * (canary ? share : 1 - share));
      const rate = canary ? scenario.canaryErrorRate(minute) : scenario.stableErrorRate;
      const errors = poisson(random, requests * rate);
      const p95 = 180 + 12 * normal(random) + (canary ? 4 : 0);
      const all: MetricValues = { requests, errors, error_rate: requests ? errors / requests : null, p95 };
      const values: MetricValues = {};
      for (const m of request.metrics) {
        if (m.name === 'latency') {
          const scale = canary ? (scenario.canaryLatency?.(minute) ?? 1) : 1;
          Object.assign(values, latencyBuckets(random, requests, scale));
          continue;
        }
        values[m.name] = canary && scenario.gaps?.includes(minute) ? null : (all[m.name] ?? null);
      }
      return { values, errors: [] };
    },
  };
}

const config = (windowMinutes: number, extraChecks = '') => `preset: fast
state_dir: /nonexistent
target:
  commands:
    deploy: deploy {{slot}} {{version}}
    set_weight: set_weight {{slot}} {{weight}}
environments:
  production:
    strategy: { type: canary, steps: [10, 25, 50], pause: ${windowMinutes}m }
    analysis:
      providers:
        gen: { type: command, run: ["true"] }
        prom: { type: prometheus, url: "http://127.0.0.1:9" }
      metrics:
        error_rate: { provider: gen }
        errors: { provider: gen }
        requests: { provider: gen }
        p95: { provider: gen }
${extraChecks}`;

/** Runs the real analyzer over each canary step and wraps the steps in a pipeline result. */
async function deploy(scenario: Scenario, windowMinutes = 5, extraChecks = ''): Promise<PipelineResult> {
  const parsed = parseConfig(config(windowMinutes, extraChecks), 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  let clock = T0;
  const now = () => clock;
  const analyzer = metricsAnalyzer(env, {
    version: 'v2.5.0',
    previousVersion: 'v2.4.1',
    deps: {
      now,
      sleep: async (ms: number) => {
        clock += ms;
      },
      providers: { gen: generator(scenario, now), prom: generator(scenario, now) },
    },
  });
  const steps: StepRecord[] = [];
  for (const weight of [10, 25, 50]) {
    const started = clock;
    const step = {
      kind: 'analysis' as const,
      phase: 'canary-step' as const,
      slot: 'canary',
      stableSlot: 'stable',
      weight,
      windowMs: windowMinutes * MINUTE,
    };
    const result = await analyzer.evaluate({
      phase: 'canary-step',
      slot: 'canary',
      stableSlot: 'stable',
      weight,
      windowMs: windowMinutes * MINUTE,
      intervalMs: MINUTE,
      values: {},
    });
    steps.push({
      environment: 'production',
      phase: 'production',
      step,
      description: `analysis at ${weight}%`,
      result,
      durationMs: clock - started,
    });
    if (!result.ok) break;
    clock += 5000; // set_weight to the next step
  }
  const failed = steps.find((s) => !s.result.ok);
  const reason = failed && !failed.result.ok ? failed.result.reason : '';
  return {
    status: failed ? 'rolled_back' : 'succeeded',
    code: failed ? 'strategy_failed' : 'deployed',
    message: failed ? `canary analysis failed: ${reason}` : 'deployed v2.5.0 to production',
    environment: 'production',
    version: 'v2.5.0',
    previousVersion: 'v2.4.1',
    strategy: 'canary',
    dryRun: false,
    phases: [
      {
        phase: 'production',
        status: failed ? 'failed' : 'succeeded',
        startedAt: new Date(T0).toISOString(),
        durationMs: clock - T0,
      },
    ],
    steps,
    decisions: failed
      ? [
          {
            at: new Date(clock).toISOString(),
            environment: 'production',
            phase: 'production',
            strategy: 'canary',
            state: 'canary',
            decision: { type: 'fail', code: 'analysis_rollback', reason },
          },
        ]
      : [],
    rollbacks: failed ? [rollbackOf(reason, 900, 2000)] : [],
    startedAt: new Date(T0).toISOString(),
    durationMs: clock - T0,
    exitCode: failed ? 3 : 0,
  };
}

// 0.3 % errors on both, well inside the 1 % rule at 120 canary requests a minute; no canary data at minute 7.
const healthy: Scenario = { seed: 7, stableErrorRate: 0.003, canaryErrorRate: () => 0.003, gaps: [7] };
// The error rate triples eight minutes in (during the 25 % step).
const tripled: Scenario = {
  seed: 11,
  stableErrorRate: 0.005,
  canaryErrorRate: (m) => (m >= 8 ? 0.015 : 0.005),
};

let renderer: SummaryRenderer;
const dir = mkdtempSync(join(tmpdir(), 'summary-render-'));
before(async () => {
  renderer = await openSummaryRenderer(dir);
});
after(() => renderer?.close());

/** What holds for every rendered summary: charts drawn, lines that move, readable axes, tables that fit. */
function assertReadable(page: RenderedSummary) {
  assert.ok(page.charts.length > 0, 'the summary has a chart');
  for (const chart of page.charts) {
    assert.equal(chart.error, undefined, `mermaid drew "${chart.title}" (${chart.error})\n${chart.source}`);
    const declared = chart.source.split('\n').filter((l) => /^\s+line /.test(l)).length;
    assert.equal(chart.lines.length, declared, `every line series of "${chart.title}" is drawn`);
    assert.ok(
      chart.lines.some((l) => l.ys.length > 1),
      `"${chart.title}" has a line that moves, not flat zeros: ${JSON.stringify(chart.lines)}`,
    );
    assert.ok(chart.xLabels.length >= 2, `"${chart.title}" has x labels`);
    assert.deepEqual(overlaps(chart.xLabels), [], `x labels of "${chart.title}" do not overlap`);
    assert.deepEqual(overlaps(chart.yLabels), [], `y labels of "${chart.title}" do not overlap`);
    assert.ok(chart.svgBox.width <= page.columnWidth + 1, `"${chart.title}" fits the column`);
    const { titleBox: tb, svgBox: sb } = chart;
    assert.ok(
      tb.x >= sb.x && tb.x + tb.width <= sb.x + sb.width,
      `the title "${chart.title}" fits its chart`,
    );
    assert.doesNotMatch(chart.title, /&[a-z]+;/, 'no entity shown as text');
  }
  for (const table of page.tables)
    assert.equal(table.overflows, false, `table [${table.header.join(', ')}] fits ${page.columnWidth}px`);
  const evidence = page.tables.find((t) => t.header[0] === 'check');
  assert.ok(evidence, 'the deciding evidence is one table');
  assert.deepEqual(evidence.header, ['check', 'canary', 'stable', 'rule or test', 'threshold', 'verdict']);
}

test('a promotion: meaningful lines of what came closest to firing, a gap not drawn as zero', async (t) => {
  const result = await deploy(healthy);
  assert.equal(result.status, 'succeeded', result.message);
  const md = renderJobSummary(result);
  const page = await renderer.render(md, 'promotion');
  t.diagnostic(`PNG: ${page.png}`);
  assertReadable(page);
  for (const chart of page.charts) assert.match(chart.title, /promoted at \d+ min \(50%\)/);
  // Minute 7 had no canary data: it is neither a point nor a label, and the caption says so.
  const observed = page.charts.filter((c) => /canary vs stable/.test(c.title));
  assert.ok(observed.length > 0, 'canary against stable is drawn');
  assert.doesNotMatch(page.text, /new version/, "a canary's steps name the canary");
  for (const chart of observed) {
    assert.ok(!chart.xLabels.some((l) => l.text === '7'), 'no label for the minute without data');
    const canaryLine = chart.source.split('\n').find((l) => /line "canary"/.test(l))!;
    const steps = result.steps.reduce((n, s) => n + (s.result.evidence?.at.length ?? 0), 0);
    assert.equal(
      canaryLine.split(',').length,
      steps - 1,
      'one point per interval with data, the gap left out',
    );
  }
  assert.match(md, /Not drawn, no data: min 7\./);
  // Each step's start is on the axis.
  const labels = page.charts[0]!.xLabels.map((l) => l.text);
  for (const step of ['10%', '25%', '50%'])
    assert.ok(labels.includes(step), `${step} on the axis: ${labels}`);
});

test('a rollback: the check that fired, against its boundary, and where it fell', async (t) => {
  const result = await deploy(tripled);
  assert.equal(result.status, 'rolled_back', result.message);
  const fired = result.steps.at(-1)!.result.evidence!.decision;
  const md = renderJobSummary(result);
  const page = await renderer.render(md, 'rollback');
  t.diagnostic(`PNG: ${page.png}; fired: ${fired.rule} (${fired.code})`);
  assertReadable(page);
  assert.ok(fired.rule, 'a check fired');
  for (const chart of page.charts) assert.match(chart.title, /rolled back at \d+ min \((10|25|50)%\)/);
  const evidenceRow = page.text.split('\n').find((l) => l.startsWith(fired.rule!));
  assert.match(evidenceRow ?? '', /❌/, 'the table marks the check that fired');
  if (fired.code.startsWith('sequential')) {
    // The test's statistic against its boundary: ln(e-value) against the flat ln(1/alpha), or the errors
    // check's CUSUM against each look's boundary. Either way the statistic reaches it at the last point.
    const chart = page.charts.find((c) => c.title.startsWith(`${fired.rule}: evidence`));
    assert.ok(chart, `the test's evidence is drawn: ${page.charts.map((c) => c.title)}`);
    // The statistic is drawn last, on top of its boundary.
    const [boundary, evidence] = chart.lines;
    if (/line "CUSUM \(nats\)"/.test(chart.source)) {
      assert.ok(boundary!.ys.length > 1, 'the boundary is drawn look by look, not as one flat line');
      assert.ok(evidence!.points > 1 && boundary!.points === evidence!.points);
      // The drawn data: the CUSUM stays under each look's boundary until the last look, where it reaches it.
      const data = (label: RegExp) =>
        JSON.parse(
          chart.source
            .split('\n')
            .find((l) => label.test(l))!
            .replace(/^.*\] ?\[|^[^[]*\[/, '['),
        ) as number[];
      const statistic = data(/line "CUSUM \(nats\)"/);
      const limits = data(/line "boundary \(now [\d.]+\)"/);
      assert.equal(statistic.length, limits.length);
      assert.ok(statistic.at(-1)! >= limits.at(-1)!, `${statistic.at(-1)} reaches ${limits.at(-1)}`);
      statistic
        .slice(0, -1)
        .forEach((x, i) => assert.ok(x < limits[i]!, `look ${i + 1}: ${x} < ${limits[i]}`));
    } else {
      assert.equal(boundary!.ys.length, 1, 'the boundary is one flat line');
      assert.ok(Math.min(...evidence!.ys) <= boundary!.ys[0]! + 0.5, 'the evidence reaches the boundary');
    }
    assert.ok(
      page.charts.some((c) => /error rate \(%\): canary vs stable/.test(c.title)),
      'the rates too',
    );
  } else {
    const chart = page.charts.find((c) => /canary vs stable/.test(c.title));
    assert.ok(chart && /line "limit"/.test(chart.source), 'the limit that was breached is drawn');
  }
});

test('a long window and a hostile check name: dozens of intervals on one axis, labels thinned, mermaid still parses', async (t) => {
  const name = `${HOSTILE} "q" --> x`;
  // An error test of the user's, named with every character that could break a chart, fires first.
  const checks = `      checks:\n        - { name: ${JSON.stringify(name)}, compare: errors, errors: errors, requests: requests, alpha: 0.05 }\n`;
  const late = { seed: 5, stableErrorRate: 0.004, canaryErrorRate: (m: number) => (m >= 40 ? 0.02 : 0.004) };
  const result = await deploy(late, 30, checks);
  assert.equal(result.status, 'rolled_back', result.message);
  assert.equal(result.steps.at(-1)!.result.evidence!.decision.rule, name);
  const page = await renderer.render(renderJobSummary(result), 'long-hostile');
  t.diagnostic(`PNG: ${page.png}`);
  assertReadable(page);
  const points = result.steps.reduce((n, s) => n + (s.result.evidence?.at.length ?? 0), 0);
  assert.ok(points >= 35, `${points} intervals`);
  for (const chart of page.charts) assert.ok(chart.xLabels.length < points / 2, 'labels thinned');
  assert.ok(
    page.charts.some((c) => c.title.startsWith('evil | pipe')),
    'the hostile name is a title, as text',
  );
  assert.doesNotMatch(page.text, /mermaid error|Syntax error/i);
});

test('a slower canary caught by the histogram test: its p95s from buckets against stable, and its evidence', async (t) => {
  // Same errors on both; the canary's latency 1.6x stable's from minute 3 on, read as histogram buckets.
  const slower: Scenario = {
    seed: 13,
    stableErrorRate: 0.003,
    canaryErrorRate: () => 0.003,
    canaryLatency: (m) => (m >= 3 ? 1.6 : 1),
  };
  const result = await deploy(
    slower,
    5,
    '        latency: { provider: prom, query: latency, histogram: true }\n',
  );
  assert.equal(result.status, 'rolled_back', result.message);
  const fired = result.steps.at(-1)!.result.evidence!.decision;
  assert.equal(fired.rule, 'seeds.latency-vs-stable');
  const page = await renderer.render(renderJobSummary(result), 'histogram');
  t.diagnostic(`PNG: ${page.png}`);
  assertReadable(page);
  const p95s = page.charts.find((c) => /latency p95 \(from buckets\): canary vs stable/.test(c.title));
  assert.ok(p95s, `canary against stable is drawn: ${page.charts.map((c) => c.title)}`);
  assert.equal(p95s.lines.length, 2, 'canary and stable');
  assert.ok(
    page.charts.some((c) => c.title.startsWith('seeds.latency-vs-stable: evidence')),
    'and the e-value against its boundary',
  );
});

test('a flat zero is drawn on an axis from 0, never below; a 200-character check name without spaces wraps in its table', async (t) => {
  // A check that fired with nothing but zeros drawn (no errors, a limit of 0): the axis ran from -1 to 1.
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { errors: { provider: 'p' } },
    checks: [{ name: 'no-errors', check: 'errors <= 0' }],
  });
  const intervals = [0, 1, 2, 3, 4].map((i) => ({
    at: T0 + (i + 1) * MINUTE,
    decision: {
      kind: i === 4 ? ('rollback' as const) : ('promote' as const),
      code: i === 4 ? 'threshold-breached' : 'healthy',
      ...(i === 4 ? { rule: 'no-errors' } : {}),
      reason: 'errors <= 0',
      values: { errors: 0 },
    } as Decision,
  }));
  const evidence = windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE);
  const rows: AnalysisRow[] = [
    {
      label: 'canary-step @ 10%',
      environment: 'production',
      phase: 'canary-step',
      weight: 10,
      verdict: 'rollback',
      detail: 'errors <= 0',
      durationMs: 5 * MINUTE,
      metrics: {},
      evidence,
    },
  ];
  const zero = await renderer.render(renderAnalysisSection(rows).join('\n'), 'flat-zero');
  t.diagnostic(`PNG: ${zero.png}`);
  assert.equal(zero.charts.length, 1, 'the check that fired is drawn');
  const [chart] = zero.charts;
  assert.equal(chart!.error, undefined, chart!.source);
  const ticks = chart!.yLabels.map((l) => Number(l.text));
  assert.ok(ticks.length >= 2 && ticks.every(Number.isFinite), `y labels: ${ticks}`);
  assert.equal(Math.min(...ticks), 0, `the axis starts at 0: ${ticks}`);
  assert.ok(Math.max(...ticks) > 0, `and has room above it: ${ticks}`);

  // The evidence table of a real analysis whose check has a long name without a space.
  const name = `slo-${'n'.repeat(196)}`;
  const checks = `      preset: none\n      checks:\n        - { name: ${name}, check: "error_rate <= 1%" }\n`;
  const result = await deploy({ seed: 3, stableErrorRate: 0, canaryErrorRate: () => 0 }, 5, checks);
  const page = await renderer.render(renderJobSummary(result), 'long-name');
  t.diagnostic(`PNG: ${page.png}`);
  const table = page.tables.find((x) => x.header[0] === 'check');
  assert.ok(table, 'the evidence table');
  assert.equal(table.overflows, false, `the table fits ${page.columnWidth}px (${table.width}px)`);
  // What a reader sees is the name, in full (the wraps are zero-width).
  assert.ok(page.text.replace(/\u200B/g, '').includes(name), 'the whole name is shown');
});

/**
 * A blue-green deploy of v2.5.0 over v2.4.1 with a relative p95 rule: the analyzer reads v2.4.1's p95 before
 * the deploy (its baseline), then analyses green before the switch and watches it after, with no stable side
 * beside it. Green's p95 is `p95(minute)`; v2.4.1's about 180.
 */
async function blueGreen(p95: (minute: number) => number): Promise<PipelineResult> {
  const parsed = parseConfig(
    `preset: fast
state_dir: /nonexistent
target:
  commands:
    deploy: deploy {{slot}} {{version}}
    switch: switch {{slot}}
environments:
  production:
    strategy: { type: blue-green, analysis_before_switch: 3m, verify_after_switch: 10m }
    analysis:
      preset: none
      providers:
        gen: { type: command, run: ["true"] }
      metrics:
        error_rate: { provider: gen }
        p95: { provider: gen }
      checks:
        - { name: errors, check: "error_rate <= 1%" }
        - { name: p95-vs-before, check: "p95 <= 2x baseline" }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  let clock = T0;
  const now = () => clock;
  const random = rng(17);
  const gen: MetricProvider = {
    name: 'gen',
    async read(request) {
      const minute = Math.round((clock - T0) / MINUTE);
      const old = request.vars.version === 'v2.4.1';
      const all: MetricValues = {
        error_rate: 0.002,
        p95: (old ? 180 : p95(minute)) + 8 * normal(random),
      };
      return {
        values: Object.fromEntries(request.metrics.map((m) => [m.name, all[m.name] ?? null])),
        errors: [],
      };
    },
  };
  const analyzer = metricsAnalyzer(env, {
    version: 'v2.5.0',
    previousVersion: 'v2.4.1',
    deps: { now, sleep: async (ms: number) => void (clock += ms), providers: { gen } },
  });
  await analyzer.prepare!({ slot: 'blue', version: 'v2.4.1' });
  const steps: StepRecord[] = [];
  for (const [phase, minutes] of [
    ['pre-switch', 3],
    ['post-switch', 10],
  ] as const) {
    const started = clock;
    const step = {
      kind: 'analysis' as const,
      phase,
      slot: 'green',
      stableSlot: 'blue',
      windowMs: minutes * MINUTE,
    };
    const result = await analyzer.evaluate({ ...step, intervalMs: MINUTE, values: {} });
    steps.push({
      environment: 'production',
      phase: 'production',
      step,
      description: `analysis ${phase}`,
      result,
      durationMs: clock - started,
    });
    if (!result.ok) break;
    clock += 1000; // the switch
  }
  const failed = steps.find((s) => !s.result.ok);
  const reason = failed && !failed.result.ok ? failed.result.reason : '';
  return {
    status: failed ? 'rolled_back' : 'succeeded',
    code: failed ? 'strategy_failed' : 'deployed',
    message: failed ? `analysis failed: ${reason}` : 'deployed v2.5.0 to production',
    environment: 'production',
    version: 'v2.5.0',
    previousVersion: 'v2.4.1',
    strategy: 'blue-green',
    dryRun: false,
    phases: [
      {
        phase: 'production',
        status: failed ? 'failed' : 'succeeded',
        startedAt: new Date(T0).toISOString(),
        durationMs: clock - T0,
      },
    ],
    steps,
    decisions: [],
    rollbacks: failed ? [rollbackOf(reason, 400, 1500)] : [],
    startedAt: new Date(T0).toISOString(),
    durationMs: clock - T0,
    exitCode: failed ? 3 : 0,
  };
}

test('a blue-green rollback on a relative p95 rule: the new version against the reading before the deploy, and the limit 2x that', async (t) => {
  // Green's p95 climbs to about 2.5x blue's six minutes after the switch.
  const result = await blueGreen((m) => (m >= 9 ? 450 : 190));
  assert.equal(result.status, 'rolled_back', result.message);
  const last = result.steps.at(-1)!.result.evidence!;
  assert.equal(last.decision.rule, 'p95-vs-before');
  const md = renderJobSummary(result);
  const page = await renderer.render(md, 'blue-green-rollback');
  t.diagnostic(`PNG: ${page.png}`);
  // No canary served: what is judged is the new version, in the chart and the table.
  const chart = page.charts.find((c) => c.title.startsWith('p95: new version vs before the deploy'));
  assert.ok(
    chart,
    `the rule that fired is drawn against the pre-deploy reading: ${page.charts.map((c) => c.title)}`,
  );
  assert.equal(chart.error, undefined, chart.source);
  assert.doesNotMatch(chart.title, /stable/, 'no stable side served: it is not named');
  assert.match(chart.title, /rolled back at \d+ min \(post-switch\)/);
  const data = (label: string) =>
    JSON.parse(
      chart.source
        .split('\n')
        .find((l) => l.startsWith(`    line "${label}"`))!
        .replace(/^[^[]*/, ''),
    ) as number[];
  const before = data('before the deploy');
  const limit = data('limit');
  const canary = data('new version');
  const reading = last.checks.find((c) => c.name === 'p95-vs-before')!.preDeploy!.find((v) => v !== null)!;
  assert.equal(new Set(before).size, 1, 'one reading: a flat line');
  assert.ok(
    Math.abs(before[0]! - reading) <= reading * 1e-3,
    `at the reading ${reading} (four digits): ${before[0]}`,
  );
  assert.equal(before.length, canary.length, 'across the whole chart');
  for (const l of limit)
    assert.ok(Math.abs(l - 2 * reading) <= reading * 2e-3, `the limit is 2x the reading: ${l}`);
  assert.ok(canary.at(-1)! > limit.at(-1)!, 'the new version ends above it');
  assert.equal(chart.lines.length, 3, 'the new version, the pre-deploy reading and the limit are drawn');
  // Drawn in the order the reading, the limit, the new version (last, on top).
  assert.equal(chart.lines[0]!.ys.length, 1, 'the reading is one flat line');
  assert.deepEqual(overlaps(chart.xLabels), []);
  assert.deepEqual(overlaps(chart.yLabels), []);
  const { titleBox: tb, svgBox: sb } = chart;
  assert.ok(tb.x >= sb.x && tb.x + tb.width <= sb.x + sb.width, 'the title fits its chart');
  assert.match(page.text, /red: new version · teal: before the deploy/, 'the legend names the lines');
  const table = page.tables.find((x) => x.header[0] === 'check');
  assert.deepEqual(table?.header, [
    'check',
    'new version',
    'before the deploy',
    'rule or test',
    'threshold',
    'verdict',
  ]);
  assert.doesNotMatch(page.text, /canary/, 'no canary is named: none served');
  assert.match(page.text, /labelled with its phase/, 'the steps are named by phase, and the caption says so');
});
