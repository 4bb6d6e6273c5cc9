// The pre-deploy baseline reading reads the version serving before the deployment, which is the stable version:
// its templates get {{stable_version}} and {{stable_slot}} as that version and slot, and {{weight}} as 100 (the
// version read has all the traffic), so a canary query written with them gets a pre-deploy baseline instead of
// silently none (a `baseline: pre-deploy` rule on it was never judged). No baseline serves before the
// deployment, so {{baseline_slot}} still has no value there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { metricsAnalyzer } from '../../../src/pipeline/metrics-analyzer.ts';

function setup(query: string) {
  const queries: string[] = [];
  const fetch = async (url: string | URL) => {
    queries.push(new URL(String(url)).searchParams.get('query') ?? '');
    return Response.json({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, '120'] }] },
    });
  };
  const env = {
    name: 'production',
    strategy: { type: 'canary', steps: [] },
    target: { health: [] },
    health: [],
    analysis: {
      preset: 'none',
      providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9' } },
      metrics: { p95: { provider: 'prom', query } },
      checks: [{ check: 'p95 < 2x baseline', baseline: 'pre-deploy' }],
    },
  } as unknown as ResolvedEnvironment;
  const lines: string[] = [];
  const analyzer = metricsAnalyzer(env, {
    version: 'v2',
    previousVersion: 'v1',
    deps: { fetch: fetch as never, warn: (line) => lines.push(line) },
    onInterval: (line) => lines.push(line),
  });
  return { analyzer, queries, lines };
}

const live = { slot: 'blue', version: 'v1' };

test('a query using {{stable_version}}, {{stable_slot}} and {{weight}} is read before the deployment, with the serving version, its slot and 100', async () => {
  const { analyzer, queries, lines } = setup(
    'p95{version="{{version}}",stable="{{stable_version}}",slot="{{stable_slot}}"} * 100 / {{weight}}',
  );
  await analyzer.prepare!(live);
  assert.deepEqual(queries, ['p95{version="v1",stable="v1",slot="blue"} * 100 / 100']);
  assert.deepEqual(lines, []);
});

test('a query using {{baseline_slot}} has no pre-deploy reading (no baseline serves before the deployment)', async () => {
  const { analyzer, queries } = setup('p95{slot="{{baseline_slot}}"}');
  await analyzer.prepare!(live);
  assert.deepEqual(queries, []);
});
