// A bake longer than a job is judged over its whole window (issue 14): a real Prometheus holds a day of
// backfilled traffic (promtool), and the analysis reads every interval of it back in time through
// query_range, as the live analysis would have read it then. The provider's points line up with the interval
// ends (plain, histogram and range-reduced metrics, long spans in pieces), and the analyzer finds a canary
// whose error rate tripled late in a 24 h bake, at the right time, with a handful of requests.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/config/load.ts';
import { resolveEnvironment } from '../../src/config/resolve.ts';
import type { RawConfig } from '../../src/config/schema.ts';
import { metricsAnalyzer } from '../../src/pipeline/metrics-analyzer.ts';
import { runPipeline } from '../../src/pipeline/pipeline.ts';
import { reconcile } from '../../src/reconcile/run.ts';
import { FileStateStore } from '../../src/state/file-store.ts';
import { emptyRecord, type EnvironmentRecord } from '../../src/state/record.ts';
import { recordedTarget, type RecordedTarget } from '../helpers/recorded-target.ts';
import { createAnalyzer } from '../../src/analysis/analyzer.ts';
import { bucketKey } from '../../src/analysis/histogram.ts';
import { createPrometheusProvider, MAX_POINTS } from '../../src/analysis/providers/prometheus.ts';
import type { AnalysisConfigInput } from '../../src/analysis/schema.ts';
import { poisson, rng } from '../helpers/random.ts';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SCRAPE = 15_000;
// A whole day, three days ago (older than Prometheus' head block), on a minute boundary.
const BASE = Math.floor((Date.now() - 3 * DAY) / MINUTE) * MINUTE;
const ONSET = BASE + 20 * 60 * MINUTE;
const REPLACED = BASE + 2 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

/** Counters of requests and errors per version, one sample per scrape, and a few gauges to check alignment. */
function history(): string {
  const random = rng(20261201);
  const series = new Map<string, string[]>();
  const add = (name: string, labels: string, t: number, v: number) => {
    const key = `${name}{${labels}}`;
    const lines = series.get(key) ?? [];
    lines.push(`${key} ${v} ${t / 1000}`);
    series.set(key, lines);
  };
  const totals = { 'v1-200': 0, 'v1-500': 0, 'v2-200': 0, 'v2-500': 0, 'v3-200': 0, 'v3-500': 0 };
  for (let t = BASE; t <= BASE + DAY; t += SCRAPE) {
    // Stable (v1) 15 req/s at 1 % errors; canaries 5 req/s: v2 healthy, v3 triples its error rate at ONSET.
    for (const [version, rate, errorRate] of [
      ['v1', 15, 0.01],
      ['v2', 5, 0.01],
      ['v3', 5, t >= ONSET ? 0.03 : 0.01],
    ] as const) {
      const requests = poisson(random, rate * (SCRAPE / 1000));
      const errors = poisson(random, requests * errorRate);
      totals[`${version}-200`] += Math.max(0, requests - errors);
      totals[`${version}-500`] += errors;
      add('http_requests_total', `code="200",version="${version}"`, t, totals[`${version}-200`]);
      add('http_requests_total', `code="500",version="${version}"`, t, totals[`${version}-500`]);
    }
    // Which scrape this is: the value at an interval end says exactly which sample the query saw.
    const index = (t - BASE) / SCRAPE;
    add('scrape_index', 'version="v2"', t, index);
    for (const le of ['0.1', '0.5', '+Inf'])
      add('latency_bucket', `le="${le}",version="v2"`, t, index * (le === '0.1' ? 1 : le === '0.5' ? 2 : 3));
    // One pod until REPLACED, then another: a restart under a new pod label, the first series gone.
    if (t <= REPLACED) add('pod_ratio', 'pod="web-a",version="v2"', t, 0.25);
    else add('pod_ratio', 'pod="web-b",version="v2"', t, 0.5);
  }
  const families = ['http_requests_total', 'scrape_index', 'latency_bucket', 'pod_ratio'];
  const out: string[] = [];
  for (const family of families) {
    out.push(`# TYPE ${family.replace(/_total$/, '')} ${family.endsWith('_total') ? 'counter' : 'gauge'}`);
    for (const [key, lines] of series) if (key.startsWith(`${family}{`)) out.push(...lines);
  }
  return `${out.join('\n')}\n# EOF\n`;
}

let prometheus: RunningPrometheus;
let requests = 0;
const counting: typeof fetch = (input, init) => {
  requests++;
  return fetch(input, init);
};

before(async () => {
  prometheus = await startPrometheus([], { history: history() });
});
after(async () => {
  await prometheus?.stop();
});

describe('reading the past from a real Prometheus', () => {
  const provider = () =>
    createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url }, { fetch: counting });
  const read = (times: number[], intervalMs: number, metric: Record<string, unknown>) =>
    provider().readPast!({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: 'm', config: { provider: 'prom', ...metric } as never }],
      intervalMs,
      times,
      signal: new AbortController().signal,
    });

  test('each interval end reads the sample current then; a day at 5 s comes in pieces of at most MAX_POINTS', async () => {
    const intervalMs = 5_000;
    const times = Array.from({ length: DAY / intervalMs }, (_, i) => BASE + (i + 1) * intervalMs);
    assert.ok(times.length > MAX_POINTS, 'the span needs more than one request');
    requests = 0;
    const reads = await read(times, intervalMs, { query: 'max(scrape_index{version="{{version}}"})' });
    assert.equal(requests, Math.ceil(times.length / MAX_POINTS));
    assert.equal(reads.length, times.length);
    const wrong = reads.filter((r, i) => r.values.m !== Math.floor((times[i]! - BASE) / SCRAPE));
    assert.equal(wrong.length, 0, `${wrong.length} interval ends read another sample`);
    assert.ok(reads.every((r) => r.errors.length === 0));
  });

  test('histogram buckets per interval end, and a range reduced over the window before each end', async () => {
    const times = [BASE + 10 * MINUTE, BASE + 11 * MINUTE, BASE + 12 * MINUTE];
    const buckets = await read(times, MINUTE, {
      query: 'sum by (le) (latency_bucket{version="{{version}}"})',
      histogram: true,
    });
    const index = (t: number) => (t - BASE) / SCRAPE;
    buckets.forEach((r, i) => {
      const n = index(times[i]!);
      assert.deepEqual(r.values, {
        m: 3 * n,
        [bucketKey('m', 0.1)]: n,
        [bucketKey('m', 0.5)]: 2 * n,
        [bucketKey('m', Infinity)]: 3 * n,
      });
    });
    const ranged = await read(times, MINUTE, {
      query: 'max(scrape_index{version="{{version}}"})',
      range: { window: 5 * MINUTE, step: SCRAPE, reduce: 'min' },
    });
    ranged.forEach((r, i) => assert.equal(r.values.m, index(times[i]!) - (5 * MINUTE) / SCRAPE));
  });

  test('a series replaced by another (a pod restarted) is read at each time as a live read saw it then', async () => {
    const times = Array.from({ length: 170 }, (_, i) => BASE + MINUTE + i * MINUTE);
    const reads = await read(times, MINUTE, { query: 'pod_ratio{version="{{version}}"}' });
    reads.forEach((r, i) => {
      const t = times[i]!;
      if (t <= REPLACED) assert.deepEqual(r, { values: { m: 0.25 }, errors: [] }, iso(t));
      // The first pod's last sample stays current for Prometheus' 5 minute lookback: both series there.
      else if (t < REPLACED + 5 * MINUTE) {
        assert.equal(r.values.m, null, iso(t));
        assert.equal(r.errors[0]?.code, 'multiple-series', iso(t));
        assert.match(r.errors[0]!.message, new RegExp(`at ${iso(t)} where one is read, differing in pod`));
      } else if (t > REPLACED + 5 * MINUTE) assert.deepEqual(r, { values: { m: 0.5 }, errors: [] }, iso(t));
    });
    // Each pod's value where it alone was current, and two series only while both were.
    const count = (m: number | null) => reads.filter((r) => r.values.m === m).length;
    assert.equal(count(0.25), 120);
    assert.ok(count(0.5) >= 45, String(count(0.5)));
    assert.ok(count(null) >= 4 && count(null) <= 5, String(count(null)));
  });

  test('a time with no data is no data (empty-result), never zero', async () => {
    const reads = await read([BASE - 60 * MINUTE, BASE + MINUTE], MINUTE, {
      query: 'max(scrape_index{version="{{version}}"})',
    });
    assert.equal(reads[0]!.values.m, null);
    assert.equal(reads[0]!.errors[0]!.code, 'empty-result');
    assert.equal(reads[1]!.values.m, 4);
  });
});

describe('a 24 h bake judged over its whole window', () => {
  const config: AnalysisConfigInput = {
    preset: 'none',
    providers: { prom: { type: 'prometheus', url: 'http://placeholder' } },
    metrics: {
      errors: {
        provider: 'prom',
        query: 'sum(increase(http_requests_total{version="{{version}}",code="500"}[1m]))',
      },
      requests: { provider: 'prom', query: 'sum(increase(http_requests_total{version="{{version}}"}[1m]))' },
    },
    checks: [{ name: 'errors-vs-stable', compare: 'errors', errors: 'errors', requests: 'requests' }],
  };
  const analyze = async (version: string, now: number, midway: boolean) => {
    const analyzer = createAnalyzer(
      { ...config, providers: { prom: { type: 'prometheus', url: prometheus.url } } },
      { now: () => now, fetch: counting, sleep: async () => assert.fail('nothing is waited for') },
    );
    assert.equal(analyzer.history, true);
    requests = 0;
    const outcome = await analyzer.evaluate({
      phase: 'canary-step',
      environment: 'production',
      version,
      stableVersion: 'v1',
      weight: 25,
      windowMs: now - BASE,
      intervalMs: MINUTE,
      since: BASE,
      midway,
      signal: new AbortController().signal,
    });
    return { outcome, requests };
  };

  test('a healthy canary: every interval of the day judged, nothing fired, four requests', async () => {
    const { outcome, requests } = await analyze('v2', BASE + DAY, true);
    assert.equal(outcome.decision.code, 'window-so-far');
    assert.equal(outcome.intervals.length, DAY / MINUTE);
    assert.equal(outcome.intervals[0]!.at, BASE + MINUTE);
    assert.equal(requests, 4, 'two metrics, canary and stable, one query_range each');
  });

  test('a canary whose error rate tripled at 20 h is rolled back at a look after it, from the evidence since then', async () => {
    // A look at 22 h: the whole bake so far, the fault included.
    const { outcome } = await analyze('v3', BASE + 22 * 60 * MINUTE, true);
    assert.equal(outcome.decision.kind, 'rollback', outcome.decision.reason);
    assert.equal(outcome.decision.code, 'sequential-errors-worse');
    const at = outcome.intervals.at(-1)!.at;
    assert.ok(at > ONSET, `rolled back at ${new Date(at).toISOString()}, before the fault began`);
    assert.ok(at <= ONSET + 60 * MINUTE, `found ${(at - ONSET) / MINUTE} min after the fault began`);
    // The same canary looked at before the fault: nothing to say yet.
    const before = await analyze('v3', ONSET - MINUTE, true);
    assert.equal(before.outcome.decision.code, 'window-so-far');
  });

  test("the bake's end decides on the whole window", async () => {
    const healthy = await analyze('v2', BASE + DAY, false);
    assert.equal(healthy.outcome.decision.kind, 'promote', healthy.outcome.decision.reason);
    assert.equal(healthy.outcome.intervals.length, DAY / MINUTE);
    const faulty = await analyze('v3', BASE + DAY, false);
    assert.equal(faulty.outcome.decision.kind, 'rollback');
  });
});

describe('reconcile and a handed-off 24 h bake, judged from the real Prometheus', () => {
  let dir: string;
  let target: RecordedTarget;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bake-history-'));
    target = recordedTarget(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** v1 live on blue; `version` rolled out to its 25 % bake, handed off, the bake moved to [BASE, BASE + 24 h]. */
  async function bakeOf(version: string) {
    const path = join(dir, 'deploy.yml');
    writeFileSync(
      path,
      `preset: fast
state_dir: ${JSON.stringify(join(dir, 'state'))}
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
environments:
  production:
    monitor_interval: 1m
    strategy: { type: canary, slots: [blue, green], pause: 0, steps: [{ weight: 25, pause: 24h }, 50, 100] }
    control: { max_wait_in_job: 0 }
    analysis:
      preset: none
      providers: { prom: { type: prometheus, url: "${prometheus.url}" } }
      metrics:
        errors: { provider: prom, query: 'sum(increase(http_requests_total{version="{{version}}",code="500"}[1m]))' }
        requests: { provider: prom, query: 'sum(increase(http_requests_total{version="{{version}}"}[1m]))' }
      checks: [{ name: errors-vs-stable, compare: errors, errors: errors, requests: requests }]
`,
    );
    const cfg = await loadConfigFile(path);
    const store = new FileStateStore(join(dir, 'state'));
    await store.write({
      ...emptyRecord('o/r', 'production', new Date()),
      seq: 1,
      live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    });
    const env = resolveEnvironment(cfg, 'production');
    const run = await runPipeline(
      { env, version, sha: 'abcdef1234567', deploymentId: 'd-1', runId: '41', handOff: true },
      { reporter: { event() {} }, store },
    );
    assert.equal(run.status, 'waiting', run.message);
    const handed = await stored(store);
    await store.write({
      ...handed,
      seq: handed.seq + 1,
      rollout: {
        ...handed.rollout!,
        wait: { ...handed.rollout!.wait!, since: iso(BASE), until: iso(BASE + DAY) },
      },
    });
    return { cfg, store };
  }

  async function stored(store: FileStateStore): Promise<EnvironmentRecord> {
    const read = await store.read('production');
    assert.ok(read.ok && read.record);
    return read.record;
  }

  /** Reconcile as of `now`, judging with the pipeline's own metrics analyzer on that clock. */
  function reconcileAt(cfg: RawConfig, store: FileStateStore, now: number, intervals: string[] = []) {
    return reconcile({
      config: cfg,
      environments: ['production'],
      storeFor: () => store,
      ownerStatus: async () => ({ state: 'ended', conclusion: 'success' }),
      actor: 'reconcile:99',
      owner: { kind: 'workflow', runId: '99' },
      reporter: { event() {} },
      now: () => new Date(now),
      controlFor: () => ({ poll: async () => ({ changed: true, requests: [] }) }),
      analyzerFor: (env, rollout) =>
        metricsAnalyzer(env, {
          version: rollout.version,
          previousVersion: 'v1',
          deps: { now: () => now },
          onInterval: (line) => intervals.push(line),
        }),
    });
  }

  test('a look at 22 h judges the whole bake so far and rolls back the canary that degraded at 20 h', async () => {
    const { cfg, store } = await bakeOf('v3');
    const result = await reconcileAt(cfg, store, BASE + 22 * 60 * MINUTE);
    assert.equal(result.entries[0]!.code, 'bake_rolled_back', result.entries[0]!.message);
    assert.match(result.entries[0]!.message, /sequential-errors-worse/);
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.live?.version, 'v1');
    assert.equal(
      target
        .calls()
        .filter((c) => c.startsWith('set_weight'))
        .at(-1),
      'set_weight green 0',
    );
  });

  test('a healthy bake: each look covers the bake so far; at its end the final look covers all of it, then 50 %, 100 %', async () => {
    const { cfg, store } = await bakeOf('v2');
    const look = await reconcileAt(cfg, store, BASE + 22 * 60 * MINUTE);
    assert.equal(look.entries[0]!.code, 'rollout_waiting', look.entries[0]!.message);
    const lastLook = (await stored(store)).rollout!.wait!.lastLook!;
    assert.equal(lastLook.decision, 'promote');
    assert.match(lastLook.detail!, /window-so-far.*1320 interval/);

    const intervals: string[] = [];
    const due = await reconcileAt(cfg, store, BASE + DAY, intervals);
    assert.equal(due.entries[0]!.code, 'rollout_resumed', due.entries[0]!.message);
    assert.equal(intervals.length, DAY / MINUTE, 'the final look judged every interval of the bake');
    assert.deepEqual(
      target
        .calls()
        .filter((c) => c.startsWith('set_weight'))
        .slice(-2),
      ['set_weight green 50', 'set_weight green 100'],
    );
    assert.equal((await stored(store)).live?.version, 'v2');
  });
});
