// One metric a deciding check reads answered nothing (a broken p95 query, an errors count written without
// `or vector(0)`) while the others had data: a window shorter than max_no_data ended undecided and was
// promoted "on its evidence", a promotion resting on no reading of that metric at all. Each such metric needs
// min_samples intervals with data of its own before the window may promote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer, type AnalysisContext } from '../../../src/analysis/analyzer.ts';
import type { MetricProvider, ReadRequest } from '../../../src/analysis/providers/provider.ts';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

/**
 * A Prometheus-like provider: every metric answers `good` on both sides, except those `silent(metric, call)`
 * names on the canary side, which answer no series, as Prometheus' empty vector reads.
 */
function provider(good: Record<string, number>, silent: (metric: string, call: number) => boolean) {
  let call = -1;
  const p: MetricProvider = {
    name: 'prom',
    async read(request: ReadRequest) {
      if (request.side === 'canary') call++;
      const values: Record<string, number | null> = {};
      const errors: Array<{ provider: string; code: 'empty-result'; message: string }> = [];
      for (const { name } of request.metrics) {
        if (request.side === 'canary' && silent(name, call)) {
          values[name] = null;
          errors.push({
            provider: 'prom',
            code: 'empty-result',
            message: `${name}: no series matched: q_${name}{version="v2"}`,
          });
        } else values[name] = good[name]!;
      }
      return { values, errors };
    },
  };
  return p;
}

const ctx = (windowMs: number): AnalysisContext => ({
  phase: 'canary-step',
  environment: 'production',
  version: 'v2',
  stableVersion: 'v1',
  weight: 10,
  windowMs,
  intervalMs: 30_000,
  signal: new AbortController().signal,
});

const config = {
  providers: { prom: { type: 'prometheus' as const, url: 'http://127.0.0.1:9' } },
  metrics: {
    error_rate: { provider: 'prom', query: 'q_error_rate' },
    p95: { provider: 'prom', query: 'q_p95' },
  },
};

test('a p95 that answered nothing all of a short canary step is no promotion: the window fails closed naming it', async () => {
  const analyzer = createAnalyzer(config, {
    ...fakeClock(),
    providers: { prom: provider({ error_rate: 0.001, p95: 120 }, (m) => m === 'p95') },
  });
  // 2 minutes at 30 s, extended by 1 minute: 3 minutes, under max_no_data (5m), so the switch never fires.
  const outcome = await analyzer.evaluate(ctx(120_000));
  assert.equal(outcome.intervals.length, 6);
  assert.ok(outcome.intervals.every((i) => i.decision.kind === 'hold'));
  assert.equal(outcome.decision.kind, 'rollback', outcome.decision.reason);
  assert.equal(outcome.decision.code, 'no-data');
  assert.equal(outcome.decision.rule, 'min_samples');
  assert.match(
    outcome.decision.reason,
    /^the window ended undecided with data for p95 in 0 of the 3 intervals needed to judge it: failing closed \(prom \(canary\) empty-result: p95: no series matched: q_p95\{version="v2"\}\)$/,
  );
  assert.equal(outcome.decision.values['p95.intervals_with_data'], 0);
});

test('an errors count with no series all window (no `or vector(0)`) fails closed with the hint, not a promotion', async () => {
  const analyzer = createAnalyzer(
    {
      ...config,
      metrics: {
        errors: { provider: 'prom', query: 'q_errors' },
        requests: { provider: 'prom', query: 'q_requests' },
      },
    },
    {
      ...fakeClock(),
      providers: { prom: provider({ errors: 0, requests: 600 }, (m) => m === 'errors') },
    },
  );
  const outcome = await analyzer.evaluate(ctx(120_000));
  assert.equal(outcome.decision.kind, 'rollback', outcome.decision.reason);
  assert.equal(outcome.decision.code, 'no-data');
  assert.match(outcome.decision.reason, /data for errors in 0 of the 3 intervals/);
  assert.match(outcome.decision.reason, /end the query with `or vector\(0\)`/);
});

test('a metric with data only at the end holds until it has min_samples intervals of its own, then promotes', async () => {
  // p95 answers from the 4th interval (the window's last) on: 1 interval of it at the window's end.
  const analyzer = createAnalyzer(config, {
    ...fakeClock(),
    providers: {
      prom: provider({ error_rate: 0.001, p95: 120 }, (m, call) => m === 'p95' && call < 3),
    },
  });
  const outcome = await analyzer.evaluate(ctx(120_000));
  const last = outcome.intervals[3]!.decision;
  assert.equal(last.kind, 'hold', last.reason);
  assert.equal(last.code, 'not-enough-data');
  assert.match(
    last.reason,
    /^data for p95 in 1 of the 3 intervals needed before promoting \(prom \(canary\) empty-result: p95: no series matched/,
  );
  // The extension's two intervals give p95 its third: promoted on the readings of every metric.
  assert.equal(outcome.intervals.length, 6);
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
  assert.equal(outcome.decision.code, 'healthy');
});

test('every metric with data in min_samples intervals: the window promotes as before', async () => {
  const analyzer = createAnalyzer(config, {
    ...fakeClock(),
    // p95 missing in one interval of four: a gap, not a metric without evidence.
    providers: { prom: provider({ error_rate: 0.001, p95: 120 }, (m, call) => m === 'p95' && call === 1) },
  });
  const outcome = await analyzer.evaluate(ctx(120_000));
  assert.equal(outcome.intervals.length, 4);
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
  assert.equal(outcome.decision.code, 'healthy');
});
