// The summary's analysis charts for odd but valid data, drawn by mermaid's browser bundle in headless
// Chromium (test/helpers/render-summary.ts): a tiny error rate (one error in millions of requests, which
// JavaScript writes as 3e-7), values near the largest double, and a long analysis (an 8-hour monitor at
// 30 s, 1,080 intervals). Each chart is drawn without a mermaid error, every line of it, labels apart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RATE_AND_QUEUE as config } from '../helpers/chart-config.ts';
import { resolveAnalysisConfig } from '../../src/analysis/config.ts';
import { windowEvidence } from '../../src/analysis/evidence.ts';
import type { Decision } from '../../src/analysis/types.ts';
import type { AnalysisRow } from '../../src/report/analysis-steps.ts';
import { renderAnalysisSection } from '../../src/report/evidence-table.ts';
import { openSummaryRenderer, overlaps, type SummaryRenderer } from '../helpers/render-summary.ts';

const INTERVAL = 30_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'summary-render-odd-'));
let renderer: SummaryRenderer;
before(async () => {
  renderer = await openSummaryRenderer(dir);
});
after(() => renderer?.close());

type Values = Record<string, number>;

/** Windows of `sizes` intervals end to end, interval n's values from `at(n)`. */
function rows(sizes: number[], at: (n: number) => Values): AnalysisRow[] {
  let clock = T0;
  let n = 0;
  return sizes.map((size, step) => {
    const intervals = Array.from({ length: size }, () => ({
      at: (clock += INTERVAL),
      decision: { kind: 'promote', code: 'healthy', reason: 'ok', values: at(n++) } as Decision,
    }));
    const weight = [5, 10, 25, 50][step];
    return {
      label: weight === undefined ? 'monitor' : `canary-step @ ${weight}%`,
      environment: 'production',
      phase: weight === undefined ? 'monitor' : 'canary-step',
      ...(weight === undefined ? {} : { weight }),
      verdict: 'promote',
      detail: 'ok',
      durationMs: size * INTERVAL,
      metrics: {},
      evidence: windowEvidence(config, intervals, intervals.at(-1)!.decision, INTERVAL),
    };
  });
}

const values = (rate: number, queue: number, n: number): Values => ({
  error_rate: rate * (1 + (n % 3) / 2),
  'stable.error_rate': rate,
  queue: queue * (1 + (n % 4) / 10),
  'stable.queue': queue,
  'queue-x.baseline': queue,
});

for (const [name, sizes, at] of [
  ['tiny error rates', [12], (n: number) => values(3e-7, 2e-9, n)],
  ['huge values', [12], (n: number) => values(0.004, 1.7e308 / 2.5, n)],
  ['a long analysis', [60, 30, 30, 960], (n: number) => values(0.004, 12, n)],
] as const)
  test(`${name}: every chart drawn by mermaid`, async (t) => {
    const md = renderAnalysisSection(rows([...sizes], at)).join('\n');
    const page = await renderer.render(md, name.replace(/ /g, '-'));
    t.diagnostic(`PNG: ${page.png}`);
    assert.equal(page.charts.length, 2, name);
    for (const chart of page.charts) {
      assert.equal(chart.error, undefined, `mermaid drew "${chart.title}" (${chart.error})`);
      const declared = chart.source.split('\n').filter((l) => /^\s+line /.test(l)).length;
      assert.equal(chart.lines.length, declared, `every line of "${chart.title}" is drawn`);
      assert.ok(chart.xLabels.length >= 1, `"${chart.title}" has x labels`);
      assert.deepEqual(overlaps(chart.xLabels), [], `x labels of "${chart.title}" do not overlap`);
    }
    assert.doesNotMatch(page.text, /mermaid error|Syntax error|Maximum text size/i);
  });

test('twelve checks with long names and values from 0.0001 to 1e7: the evidence table fits the column; a rollback at the first interval draws its lines', async (t) => {
  // Two columns of names and rules that wrap only every 30 characters, beside numbers such as 0.00007177 and
  // `<= 10000000`, made the table wider than GitHub's 1012 px: the verdicts were cut off at its edge.
  const metric = (i: number) =>
    `metric_number_${i}_with_a_very_long_descriptive_name_for_the_service_latency_seconds`;
  const many = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [metric(i), { provider: 'p' }])),
    checks: Array.from({ length: 12 }, (_, i) => ({
      name: `check-${i}-on-metric_number_${i}_with_a_very_long_descriptive_name`,
      check: `${metric(i)} <= ${10 ** (i - 4)}`,
    })),
  });
  // The first interval breaks check 7: the window ends there.
  const values = Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [
      [metric(i), 10 ** (i - 4) * (i === 7 ? 2.15 : 0.7177)],
      [`stable.${metric(i)}`, 10 ** (i - 4) * 0.6479],
    ]).flat(),
  ) as Values;
  const fired = `check-7-on-metric_number_7_with_a_very_long_descriptive_name`;
  const intervals = [
    {
      at: T0 + INTERVAL,
      decision: {
        kind: 'rollback',
        code: 'threshold-breached',
        rule: fired,
        reason: 'over',
        values,
      } as Decision,
    },
  ];
  const row: AnalysisRow = {
    label: 'canary-step @ 5%',
    environment: 'production',
    phase: 'canary-step',
    weight: 5,
    verdict: 'rollback',
    detail: 'over',
    durationMs: INTERVAL,
    metrics: {},
    evidence: windowEvidence(many, intervals, intervals[0]!.decision, INTERVAL),
  };
  const page = await renderer.render(renderAnalysisSection([row]).join('\n'), 'many-long-checks');
  t.diagnostic(`PNG: ${page.png}`);
  const table = page.tables.find((x) => x.header[0] === 'check');
  assert.ok(table && table.rows === 12, 'the evidence table, a row a check');
  assert.equal(table.overflows, false, `the table fits ${page.columnWidth}px (${table.width}px)`);
  // One interval: each line a segment across it (one point was a path mermaid draws as nothing).
  assert.equal(page.charts.length, 1);
  const [chart] = page.charts;
  assert.equal(chart!.error, undefined, chart!.source);
  assert.equal(chart!.lines.length, 3, 'canary, stable and the limit');
  for (const line of chart!.lines) assert.equal(line.points, 2, `a segment: ${JSON.stringify(line)}`);
  assert.deepEqual(
    chart!.xLabels.map((l) => l.text),
    ['5%', '30'],
  );
  assert.deepEqual(overlaps(chart!.yLabels), []);
});
