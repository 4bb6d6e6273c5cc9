// With a fresh baseline (issue 15) the canary is compared with the baseline, not the warm stable version: the
// comparison side is read from the baseline's slot ({{baseline_slot}} in templates), and what the analysis
// reports names it "baseline".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricProvider, ReadRequest } from '../../../src/analysis/providers/provider.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { metricsAnalyzer, referenceKey } from '../../../src/pipeline/metrics-analyzer.ts';
import { comparedWith } from '../../../src/report/evidence-table.ts';

/** p95 by the slot a side is read from: the fresh baseline is as slow as the canary, stable is warm and fast. */
const P95: Record<string, number> = { green: 300, baseline: 290, blue: 100 };

function setup(p95: Record<string, number> = P95, strategy = 'canary') {
  const seen: ReadRequest[] = [];
  const provider: MetricProvider = {
    name: 'fake',
    async read(request) {
      seen.push(request);
      return { values: { p95: p95[request.vars.slot ?? ''] ?? null }, errors: [] };
    },
  };
  let now = 1_700_000_000_000;
  const env = {
    name: 'production',
    strategy: { type: strategy },
    target: { health: [] },
    health: [],
    analysis: {
      preset: 'none',
      providers: { fake: { type: 'command', run: 'unused' } },
      metrics: { p95: { provider: 'fake' } },
      checks: [{ check: 'p95 < 2x baseline', baseline: 'stable' }],
    },
  } as unknown as ResolvedEnvironment;
  const lines: string[] = [];
  const analyzer = metricsAnalyzer(env, {
    version: 'v2',
    previousVersion: 'v1',
    deps: {
      providers: { fake: provider },
      now: () => now,
      sleep: async (ms: number) => void (now += ms),
    },
    onInterval: (line) => lines.push(line),
  });
  return { analyzer, seen, lines };
}

const request = (baselineSlot?: string) => ({
  phase: 'canary-step' as const,
  slot: 'green',
  stableSlot: 'blue',
  ...(baselineSlot ? { baselineSlot } : {}),
  weight: 10,
  windowMs: 60_000,
  intervalMs: 10_000,
  values: {},
});

test('with a fresh baseline the comparison side is read from the baseline slot, and the canary passes', async () => {
  const { analyzer, seen } = setup();
  const result = await analyzer.evaluate(request('baseline'));
  assert.equal(result.ok, true, JSON.stringify(result));
  const reference = seen.filter((r) => r.side === 'stable');
  assert.ok(reference.length > 0);
  for (const r of reference) {
    assert.equal(r.vars.slot, 'baseline');
    assert.equal(r.vars.version, 'v1', 'the baseline runs the stable version');
    assert.equal(r.vars.baseline_slot, 'baseline');
    assert.equal(r.vars.stable_slot, 'blue', '{{stable_slot}} still names the stable slot');
  }
  for (const r of seen.filter((s) => s.side === 'canary')) {
    assert.equal(r.vars.slot, 'green');
    assert.equal(r.vars.baseline_slot, 'baseline');
  }
  // The readings name the baseline, never stable (check names are the config's: seeds.p95-vs-stable stays).
  assert.equal(result.metrics?.['baseline.p95'], 290);
  assert.ok(
    !Object.keys(result.metrics ?? {}).some((k) => /(^|\.)stable[._]/.test(k)),
    JSON.stringify(result.metrics),
  );
  assert.equal(result.ok && result.evidence?.reference, 'baseline');
});

test('the same canary against the warm stable version (no baseline) is rolled back: what the baseline is for', async () => {
  const { analyzer, seen } = setup();
  const result = await analyzer.evaluate(request());
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.ok(seen.filter((r) => r.side === 'stable').every((r) => r.vars.slot === 'blue'));
  assert.equal(result.metrics?.['stable.p95'], 100);
  assert.equal(result.ok || result.evidence?.reference, 'stable');
});

test('a canary slower than its fresh baseline is rolled back, and the reason and live lines name the baseline', async () => {
  const { analyzer, lines } = setup({ green: 900, baseline: 100, blue: 100 });
  const result = await analyzer.evaluate(request('baseline'));
  assert.equal(result.ok, false, JSON.stringify(result));
  const reason = result.ok ? '' : result.reason;
  assert.match(reason, /baseline/);
  assert.doesNotMatch(reason, /stable/);
  assert.equal(result.metrics?.['baseline.p95'], 100);
  assert.ok(lines.length > 0 && lines.every((l) => !/\bstable\b/.test(l)), lines.join('\n'));
});

test('a baseline is not compared at 100 % (it has no traffic): the canary is judged alone', async () => {
  const { analyzer, seen } = setup();
  await analyzer.evaluate({ ...request('baseline'), weight: 100 });
  assert.ok(seen.every((r) => r.side === 'canary'));
});

test('referenceKey renames the reference side in value keys only, never a name people chose', () => {
  const keys: Array<[string, string]> = [
    ['stable.p95', 'baseline.p95'],
    ['seeds.errors-vs-stable.stable_errors', 'seeds.errors-vs-stable.baseline_errors'],
    ['lat.cut1.stable_slow', 'lat.cut1.baseline_slow'],
    ['stable.stable_p95', 'baseline.stable_p95'],
    ['stable_p95', 'stable_p95'],
    ['seeds.p95-vs-stable.evidence', 'seeds.p95-vs-stable.evidence'],
    ['unstable.x', 'unstable.x'],
  ];
  for (const [key, renamed] of keys) {
    assert.equal(referenceKey(key, 'baseline'), renamed, key);
    assert.equal(referenceKey(key, 'stable'), key);
  }
});

test('a first deployment: a window with no stable side beside it compares with no stable version, and says so', async () => {
  // Nothing live before it: the canary at 100 % has no stable side and no pre-deploy reading. Its evidence
  // named "stable" (the empty other slot) as what it was compared with.
  const evaluate = async (live: { slot?: string; version?: string }) => {
    const { analyzer } = setup({ blue: 100, green: 120 });
    await analyzer.prepare?.(live);
    const result = await analyzer.evaluate({ ...request(), weight: 100 });
    assert.ok(result.evidence, JSON.stringify(result));
    return result.evidence;
  };
  const first = await evaluate({});
  assert.equal(first.reference, 'no stable version (first deployment)');
  assert.equal(comparedWith(first), 'no stable version (first deployment)');
  // Over a live release the same window keeps its usual name.
  assert.equal((await evaluate({ slot: 'blue', version: 'v1' })).reference, 'stable');
});

test('direct or rolling with no version known live is not taken for a first deployment in the evidence', async () => {
  // They have no slot: no version known (no record, a current command that failed) does not say nothing
  // served before, so the window does not claim "no stable version (first deployment)".
  for (const strategy of ['direct', 'rolling']) {
    const { analyzer } = setup({ blue: 100, green: 120 }, strategy);
    await analyzer.prepare?.({});
    const result = await analyzer.evaluate({ ...request(), phase: 'verify', weight: undefined });
    assert.ok(result.evidence, JSON.stringify(result));
    assert.notEqual(result.evidence.reference, 'no stable version (first deployment)', strategy);
  }
});
