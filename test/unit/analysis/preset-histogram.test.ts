// A histogram metric's value is the interval's bucket counts (its total the request count): a rule or a values
// comparison on one judges that count, not what it measures, and a config that writes one is refused (schema.ts).
// The seeds preset must not add one either: a `p95` defined as a histogram got seeds.p95-vs-baseline,
// seeds.p95-critical and seeds.p95-vs-stable on its request count ("requests <= 2x the pre-deploy requests":
// a busier hour rolled a healthy version back, and a canary at 10 % of the traffic held any latency).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';

const prometheus = { type: 'prometheus' as const, url: 'http://127.0.0.1:9' };

test('seeds preset: no rule or values comparison on a metric defined as a histogram', () => {
  const config = resolveAnalysisConfig({
    providers: { prom: prometheus },
    metrics: {
      p95: { provider: 'prom', query: 'http_request_duration_seconds_bucket', histogram: true },
      error_rate: { provider: 'prom', query: 'rate' },
    },
  });
  const onHistogram = config.checks.filter(
    (c) => (c.kind === 'threshold' || c.kind === 'relative' || c.kind === 'values') && c.metric === 'p95',
  );
  assert.deepEqual(
    onHistogram.map((c) => c.name),
    [],
  );
  // The preset's other checks still apply.
  assert.ok(config.checks.some((c) => c.name === 'seeds.error-rate'));
});

test('seeds preset: the p95 rules still apply to a p95 that is a number', () => {
  const config = resolveAnalysisConfig({
    providers: { prom: prometheus },
    metrics: { p95: { provider: 'prom', query: 'histogram_quantile(0.95, x)' } },
  });
  assert.deepEqual(
    config.checks.map((c) => c.name).filter((n) => n.startsWith('seeds.p95')),
    ['seeds.p95-vs-baseline', 'seeds.p95-critical', 'seeds.p95-vs-stable'],
  );
});
