// Numbers in the summary's mermaid charts are written as mermaid's xychart reads them: a decimal, optionally
// signed, never an exponent ("3e-7" lexes as 3 then the word "e": the chart fails to render) and never a
// word ("—", "Infinity"). Tiny error rates (a busy service: one error in millions of requests), huge values
// from a broken exporter and values near the largest double must all give a chart that parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RATE_AND_QUEUE as config } from '../../helpers/chart-config.ts';
import { windowEvidence } from '../../../src/analysis/evidence.ts';
import type { Decision } from '../../../src/analysis/types.ts';
import type { AnalysisRow } from '../../../src/report/analysis-steps.ts';
import { chartNumber, evidenceCharts, yRange } from '../../../src/report/chart.ts';
import { renderAnalysisSection } from '../../../src/report/evidence-table.ts';
import { assertChartsInert } from './markdown-check.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
/** mermaid's xychart number token (its lexer: NUMBER_WITH_DECIMAL), the whole of it. */
const MERMAID_NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

type Values = Record<string, number | null>;

function row(values: Values[]): AnalysisRow {
  const intervals = values.map((v, i) => ({
    at: T0 + (i + 1) * MINUTE,
    decision: { kind: 'promote', code: 'healthy', reason: 'ok', values: v } as Decision,
  }));
  return {
    label: 'canary-step @ 10%',
    environment: 'production',
    phase: 'canary-step',
    weight: 10,
    verdict: 'promote',
    detail: 'ok',
    durationMs: values.length * MINUTE,
    metrics: {},
    evidence: windowEvidence(config, intervals, intervals.at(-1)!.decision, MINUTE),
  };
}

/** Every number of every chart statement (the y range and the lines' points). */
function chartNumbers(markdown: string): string[] {
  const numbers: string[] = [];
  for (const line of markdown.split('\n')) {
    const range = /^ {4}y-axis "[^"]*" (\S+) --> (\S+)$/.exec(line);
    if (range) numbers.push(range[1]!, range[2]!);
    const points = /^ {4}line "[^"]*" \[(.*)\]$/.exec(line);
    if (points) numbers.push(...points[1]!.split(', '));
  }
  return numbers;
}

function assertChartsParse(rows: AnalysisRow[], what: string): void {
  const charts = evidenceCharts(rows, 'production');
  assert.ok(charts.length > 0, `${what}: a chart is drawn`);
  const md = renderAnalysisSection(rows).join('\n');
  assertChartsInert(md, what);
  const numbers = chartNumbers(md);
  assert.ok(numbers.length > 0, what);
  for (const n of numbers) assert.match(n, MERMAID_NUMBER, `${what}: ${n} is not a number mermaid reads`);
}

test('a tiny error rate (one error in millions of requests) is written as a decimal mermaid reads', () => {
  const values = Array.from({ length: 6 }, (_, i) => ({
    error_rate: 3e-7 * (1 + (i % 2)),
    'stable.error_rate': 5e-7,
    queue: 10,
    'stable.queue': 10,
    'queue-x.baseline': 10,
  }));
  assertChartsParse([row(values)], 'tiny error rates');
});

test('values far from 1 (tiny or huge, up to the largest double) give a chart that parses, on a y range that stays finite', () => {
  for (const queue of [2e-9, 4.2e21, 1e300, 1.7e308, -3e-8, 5e-324]) {
    const values = Array.from({ length: 5 }, (_, i) => ({
      error_rate: 0.001,
      'stable.error_rate': 0.001,
      queue: queue * (1 + i / 10),
      'stable.queue': queue,
      'queue-x.baseline': queue,
    }));
    assertChartsParse([row(values)], `queue ${queue}`);
    const [lo, hi] = yRange(values.flatMap((v) => [v.queue, v['stable.queue']]));
    assert.ok(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi, `queue ${queue}: ${lo}..${hi}`);
  }
});

test('chartNumber: four significant digits, plain decimals at every magnitude', () => {
  assert.equal(chartNumber(0), '0');
  assert.equal(chartNumber(0.0123456), '0.01235');
  assert.equal(chartNumber(180), '180');
  assert.equal(chartNumber(123456), '123500');
  assert.equal(chartNumber(3e-7), '0.0000003');
  assert.equal(chartNumber(-1.23456e-8), '-0.00000001235');
  assert.equal(chartNumber(4.2e21), '4200000000000000000000');
  for (const v of [1e-300, 1.7e308, -5e-324]) assert.match(chartNumber(v), MERMAID_NUMBER);
});
