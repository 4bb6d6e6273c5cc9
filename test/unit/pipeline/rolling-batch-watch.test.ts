// Seed 01's rolling update checks the error rate every 30 s while pods are replaced and stops the rollout
// above 1 % (01:403-411). The seeds preset watches each batch but the last for one monitor interval; with the
// seeds' rules, that look and the one extension an undecided window gets decide on their evidence: a batch
// serving 3 % errors stops the rollout within a minute, a healthy one goes on after a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricProvider } from '../../../src/analysis/providers/provider.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { metricsAnalyzer } from '../../../src/pipeline/metrics-analyzer.ts';

const CONFIG = `target:
  commands:
    deploy: deploy {{version}} {{instances}}
environments:
  production:
    strategy: { type: rolling, instances: 3 }
    analysis:
      providers: { prom: { type: prometheus, url: "http://127.0.0.1:9" } }
      metrics:
        error_rate: { provider: prom, query: "rate" }
        requests: { provider: prom, query: "count" }
`;

function seedsEnvironment(): ResolvedEnvironment {
  const parsed = parseConfig(CONFIG, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return resolveEnvironment(parsed.config, 'production');
}

async function watchBatch(errorRate: number) {
  const env = seedsEnvironment();
  assert.ok(env.strategy.type === 'rolling');
  const looks: number[] = [];
  let now = 1_700_000_000_000;
  const provider: MetricProvider = {
    name: 'prom',
    async read() {
      looks.push(now);
      return { values: { error_rate: errorRate, requests: 600 }, errors: [] };
    },
  };
  const analyzer = metricsAnalyzer(env, {
    version: 'v2',
    previousVersion: 'v1',
    deps: { providers: { prom: provider }, now: () => now, sleep: async (ms: number) => void (now += ms) },
  });
  const started = now;
  const result = await analyzer.evaluate({
    phase: 'batch',
    instances: ['1'],
    windowMs: env.strategy.pauseMs,
    intervalMs: env.monitorIntervalMs,
    values: {},
  });
  // One look may read several metrics: counted by when it was made.
  return { result, looks: new Set(looks).size, elapsed: now - started, env };
}

test('seeds: a batch serving 3 % errors stops the rolling rollout within a minute, on the 1 % rule', async () => {
  const { result, elapsed, env } = await watchBatch(0.03);
  assert.ok(env.strategy.type === 'rolling' && env.strategy.pauseMs === 30_000);
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(!result.ok && result.analysis, 'rollback');
  assert.match(JSON.stringify(result), /seeds\.error-rate/);
  assert.ok(elapsed <= 60_000, `${elapsed} ms`);
});

test('seeds: a healthy batch goes on after its interval and the one extension (two looks, one minute)', async () => {
  // The analysis promotes only after two intervals with data, and a one-interval window is extended once:
  // so a batch's watch is one minute at the seeds' 30 s interval, not 30 s.
  const { result, looks, elapsed } = await watchBatch(0.002);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.ok && result.analysis, 'promote');
  assert.equal(looks, 2);
  assert.equal(elapsed, 60_000);
});
