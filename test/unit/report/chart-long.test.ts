// A long analysis (an 8-hour monitor window at the default 30 s interval: 960 intervals, or a 5,000-sample
// recording) must still give charts GitHub draws: each mermaid block within mermaid's default text limit
// (maxTextSize, 50,000 characters; past it the chart is an error box), and the analysis section small enough
// that the summary after it (rollback sections) is not cut off at GitHub's 1 MiB. Each hidden x label was one
// zero-width space longer than the last, so a chart of n intervals held n²/2 of them: 960 intervals made a
// 1 MB section. Long charts are thinned to at most a few hundred points, each the worst of its intervals, so
// a spike stays on the chart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { windowEvidence } from '../../../src/analysis/evidence.ts';
import type { Decision } from '../../../src/analysis/types.ts';
import type { AnalysisRow } from '../../../src/report/analysis-steps.ts';
import { renderAnalysisSection } from '../../../src/report/evidence-table.ts';
import { assertChartsInert } from './markdown-check.ts';

const INTERVAL = 30_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
/** mermaid's default maxTextSize. */
const MERMAID_MAX_TEXT = 50_000;

const config = resolveAnalysisConfig({
  preset: 'none',
  providers: { p: { type: 'command', run: ['true'] } },
  metrics: { error_rate: { provider: 'p' }, p95: { provider: 'p' } },
  checks: [
    { name: 'rate', check: 'error_rate <= 1%', for: '3m' },
    { name: 'p95-x', check: 'p95 < 2x baseline', baseline: 'stable' },
  ],
});

/** Windows of `sizes` intervals end to end (the first three canary steps, then a monitor window). */
function rows(sizes: number[], spikeAt: number): AnalysisRow[] {
  let at = T0;
  let n = 0;
  return sizes.map((size, step) => {
    const intervals = Array.from({ length: size }, (_, i) => {
      const spike = n++ === spikeAt;
      return {
        at: (at += INTERVAL),
        decision: {
          kind: 'promote',
          code: 'healthy',
          reason: 'ok',
          values: {
            error_rate: spike ? 0.0093 : 0.0042 + (i % 7) * 0.00013,
            'stable.error_rate': 0.0051,
            p95: 181.3 + (i % 5),
            'stable.p95': 175.2,
            'p95-x.baseline': 175.2,
          },
        } as Decision,
      };
    });
    const weight = step < sizes.length - 1 ? [5, 10, 25][step] : undefined;
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

const blocks = (md: string) => [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
const points = (block: string, line: string) =>
  /^ {4}line "([^"]*)" \[(.*)\]$/m.test(block)
    ? block
        .split('\n')
        .find((l) => l.startsWith(`    line "${line}"`))!
        .replace(/^.*\[|\]$/g, '')
        .split(', ')
        .map(Number)
    : [];

for (const sizes of [
  [60, 30, 30, 120], // the seeds preset's canary steps and its 60-minute monitor
  [60, 30, 30, 960], // an 8-hour monitor
  [5000], // a 5,000-sample window
]) {
  const total = sizes.reduce((a, b) => a + b, 0);
  test(`${total} intervals: every chart within mermaid's text limit, its spike drawn`, () => {
    const md = renderAnalysisSection(rows(sizes, total - 7)).join('\n');
    assertChartsInert(md, `${total} intervals`);
    const charts = blocks(md);
    assert.equal(charts.length, 2, 'the two checks closest to firing');
    for (const chart of charts)
      assert.ok(chart.length <= MERMAID_MAX_TEXT, `a chart of ${chart.length} characters`);
    assert.ok(Buffer.byteLength(md) < 120_000, `the section is ${Buffer.byteLength(md)} bytes`);
    const rate = charts.find((c) => c.includes('title "error_rate'))!;
    // A monitor window alone watched the new version; after canary steps, the line is the canary's.
    const canary = points(rate, sizes.length > 1 ? 'canary' : 'new version');
    assert.ok(canary.length <= 400, `${canary.length} points`);
    assert.ok(canary.includes(0.0093), 'the one-interval spike is on the chart');
    assert.equal(points(rate, 'stable').length, canary.length);
    assert.equal(points(rate, 'limit').length, canary.length);
  });
}
