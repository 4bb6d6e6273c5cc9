// A real Prometheus scraping a loopback metrics server, queried through the analysis provider.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PrometheusClient, createPrometheusProvider } from '../../src/analysis/providers/prometheus.ts';
import {
  startMetricsServer,
  startPrometheus,
  waitForSeries,
  type MetricsServer,
  type RunningPrometheus,
} from '../helpers/prometheus.ts';

let metrics: MetricsServer;
let prometheus: RunningPrometheus;

/** A label value with every character that could end or change a PromQL string or regex. */
const HOSTILE_LABEL = 'x"y\\z\'w`.*|q\n}) or vector(1) #';

const exposition = (errorsV2: number) =>
  [
    '# TYPE app_requests_total counter',
    `app_requests_total{version="v1",code="200"} 1000`,
    `app_requests_total{version="v2",code="200"} 500`,
    `app_requests_total{version="v2",code="500"} ${errorsV2}`,
    '# TYPE app_memory_ratio gauge',
    'app_memory_ratio{version="v2"} 0.42',
    'app_memory_ratio{version="v1"} NaN',
    '# TYPE app_hostile gauge',
    `app_hostile{v="${HOSTILE_LABEL.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"} 7`,
    'app_hostile{v="other"} 1',
    '',
  ].join('\n');

before(async () => {
  metrics = await startMetricsServer(exposition(5));
  prometheus = await startPrometheus([`127.0.0.1:${metrics.port}`]);
  await waitForSeries(prometheus.url, 'app_memory_ratio');
});

after(async () => {
  await prometheus?.stop();
  await metrics?.close();
});

const signal = () => AbortSignal.timeout(10_000);

test('instant query through the provider with templated, escaped version', async () => {
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const read = await provider.read({
    side: 'canary',
    vars: { version: 'v2', environment: 'production' },
    metrics: [
      { name: 'memory', config: { provider: 'prom', query: 'app_memory_ratio{version="{{version}}"}' } },
      {
        name: 'errors',
        config: { provider: 'prom', query: 'sum(app_requests_total{version="{{version}}",code="500"})' },
      },
    ],
    intervalMs: 1000,
    signal: signal(),
  });
  assert.deepEqual(read.errors, []);
  assert.deepEqual(read.values, { memory: 0.42, errors: 5 });
});

test('a version that would break out of the label matcher is escaped and matches nothing', async () => {
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const read = await provider.read({
    side: 'canary',
    vars: { version: 'v2"} or vector(1) #' },
    metrics: [
      { name: 'memory', config: { provider: 'prom', query: 'app_memory_ratio{version="{{version}}"}' } },
    ],
    intervalMs: 1000,
    signal: signal(),
  });
  assert.equal(read.values.memory, null);
  assert.equal(read.errors[0]!.code, 'empty-result');
});

test('a hostile value in every kind of string and matcher selects exactly its own series, or is refused', async () => {
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const templates = ['"', "'", '`'].flatMap((q) =>
    ['=', '=~'].map((op) => `sum(app_hostile{v${op}${q}{{version}}${q}})`),
  );
  const metrics = templates.map((query, i) => ({ name: `m${i}`, config: { provider: 'prom', query } }));
  const read = (version: string) =>
    provider.read({ side: 'canary', vars: { version }, metrics, intervalMs: 1000, signal: signal() });
  const exact = await read(HOSTILE_LABEL);
  templates.forEach((query, i) => {
    // A backtick string cannot hold a backtick: refused before anything is sent.
    if (query.includes('`')) {
      assert.equal(exact.values[`m${i}`], null, query);
      assert.ok(
        exact.errors.some((e) => e.code === 'template' && e.message.startsWith(`m${i}: `)),
        query,
      );
    } else assert.equal(exact.values[`m${i}`], 7, `${query}: ${JSON.stringify(exact.errors)}`);
  });
  // A regex value matches only itself: `.*` is not every series.
  const wide = await read('.*');
  for (const [i, query] of templates.entries())
    if (query.includes('~')) assert.equal(wide.values[`m${i}`], null, query);
});

test('empty vector and NaN are typed no-data results, not zero', async () => {
  const client = new PrometheusClient('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const empty = await client.instant('app_memory_ratio{version="v9"}', signal());
  assert.equal(empty.ok, false);
  assert.equal(!empty.ok && empty.error.code, 'empty-result');
  const nan = await client.instant('app_memory_ratio{version="v1"}', signal());
  assert.equal(!nan.ok && nan.error.code, 'not-a-number');
  const many = await client.instant('app_requests_total', signal());
  assert.equal(!many.ok && many.error.code, 'multiple-series');
  const bad = await client.instant('sum(', signal());
  assert.equal(!bad.ok && bad.error.code, 'query-error');
});

test('range query returns the scraped points and follows a changing counter', async () => {
  // A moment the counter was 5, in milliseconds (fractional seconds in `time`).
  const wasFive = Date.now() - 1;
  metrics.set(exposition(9));
  await waitForSeries(prometheus.url, 'app_requests_total{version="v2",code="500"} == 9');
  // A read given its instant (the interval's end) is evaluated then, not when Prometheus receives it: the
  // instant query and the range's end both, in the `time` format Prometheus takes.
  const errorsAt = async (at: number) => {
    const provider = createPrometheusProvider('prom', {
      type: 'prometheus',
      url: prometheus.url,
      retries: 0,
    });
    const query = 'max(app_requests_total{version="{{version}}",code="500"})';
    return provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [
        { name: 'now', config: { provider: 'prom', query } },
        {
          name: 'last',
          config: { provider: 'prom', query, range: { window: 5000, step: 1000, reduce: 'last' } },
        },
      ],
      intervalMs: 1000,
      signal: signal(),
      at,
    });
  };
  const then = await errorsAt(wasFive);
  assert.deepEqual([then.errors, then.values], [[], { now: 5, last: 5 }]);
  const later = await errorsAt(Date.now());
  assert.deepEqual([later.errors, later.values], [[], { now: 9, last: 9 }]);
  const client = new PrometheusClient('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const end = Date.now();
  const range = await client.range(
    'max(app_requests_total{version="v2",code="500"})',
    end - 10_000,
    end,
    1000,
    signal(),
  );
  assert.ok(range.ok, !range.ok ? range.error.message : '');
  const values = range.value.map(([, v]) => v);
  assert.ok(values.length >= 2, `points: ${values.length}`);
  assert.equal(values.at(-1), 9);
  assert.ok(values.every((v) => v === 5 || v === 9));
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  /** The v2 errors counter's peak over the last `window` ms, read as an analysis metric. */
  const peakOver = (window: number) =>
    provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [
        {
          name: 'peak',
          config: {
            provider: 'prom',
            query: 'max(app_requests_total{version="{{version}}",code="500"})',
            range: { window, reduce: 'max' },
          },
        },
      ],
      intervalMs: 1000,
      signal: signal(),
    });
  const read = await peakOver(10_000);
  assert.equal(read.values.peak, 9);
  // A step that is not whole seconds (a 90s window's default, 1.5 s): Prometheus refused "1.5s" as bad_data.
  const fine = await peakOver(90_000);
  assert.deepEqual([fine.errors, fine.values.peak], [[], 9]);
});

test('classic buckets with one bound spelled two ways (le="1" and "1.0", Prometheus 2 and 3) are one bucket, as histogram_quantile reads them', async () => {
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const buckets =
    'label_replace(vector(10), "le", "1", "", "") or label_replace(vector(5), "le", "1.0", "", "") or label_replace(vector(20), "le", "+Inf", "", "")';
  const read = await provider.read({
    side: 'canary',
    vars: {},
    metrics: [
      { name: 'latency', config: { provider: 'prom', query: buckets, histogram: true } },
      { name: 'p50', config: { provider: 'prom', query: `histogram_quantile(0.5, ${buckets})` } },
    ],
    intervalMs: 1000,
    signal: signal(),
  });
  assert.deepEqual(read.errors, []);
  assert.deepEqual(read.values, {
    latency: 20,
    'latency{le="1"}': 15,
    'latency{le="+Inf"}': 20,
    p50: 10 / 15,
  });
});

test('what a real Prometheus answers that a metric cannot read is refused saying why', async () => {
  const provider = (url: string) => createPrometheusProvider('prom', { type: 'prometheus', url, retries: 0 });
  const read = (url: string, config: Record<string, unknown>) =>
    provider(url).read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: 'm', config: { provider: 'prom', query: 'app_requests_total', ...config } }],
      intervalMs: 1000,
      signal: signal(),
    });
  // Several series: the labels that differ are named (code and version), not the ones all share (job).
  const many = await read(prometheus.url, {});
  assert.equal(many.errors[0]?.code, 'multiple-series');
  assert.match(many.errors[0]!.message, /differing in code \("200", "500"\) and version \("v1", "v2"\)/);
  assert.doesNotMatch(many.errors[0]!.message, /job \(/);
  // Buckets kept apart by another label than le.
  const buckets = await read(prometheus.url, {
    histogram: true,
    query: 'label_replace(app_requests_total, "le", "+Inf", "", "")',
  });
  assert.equal(buckets.errors[0]?.code, 'bad-json');
  assert.match(
    buckets.errors[0]!.message,
    /le="\+Inf" is repeated, in series differing in code .* and version/,
  );
  // A scalar where buckets are read.
  const scalar = await read(prometheus.url, { histogram: true, query: 'scalar(sum(app_memory_ratio))' });
  assert.equal(scalar.errors[0]?.code, 'query-error');
  assert.match(scalar.errors[0]!.message, /returned a scalar, not histogram buckets/);
  // A url that is not where the API is (a path below it): the 404 says where the API must be.
  const lost = await read(`${prometheus.url}/graph`, {});
  assert.equal(lost.errors[0]?.code, 'http-status');
  assert.match(
    lost.errors[0]!.message,
    /^m: HTTP 404 from \/graph\/api\/v1\/query.*: not found; the url must be the address the API is under/,
  );
  // A query Prometheus cannot parse is its 400 bad_data, one line.
  const bad = await read(prometheus.url, { query: 'sum(' });
  assert.equal(bad.errors[0]?.code, 'query-error');
  assert.match(bad.errors[0]!.message, /^m: bad_data: /);
});

test('a value standing alone outside a string cannot add an operator or make a range a subquery', async () => {
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const read = (query: string, weight: string) =>
    provider.read({
      side: 'canary',
      vars: { version: 'v2', weight },
      metrics: [{ name: 'm', config: { provider: 'prom', query } }],
      intervalMs: 1000,
      signal: signal(),
    });
  // As meant: a number and a duration.
  assert.deepEqual((await read('sum(app_hostile{v="other"}) * {{weight}}', '25')).values, { m: 25 });
  const ranged = await read('max(max_over_time(app_memory_ratio{version="v2"}[{{weight}}]))', '1m');
  assert.deepEqual(ranged.values, { m: 0.42 });
  // `or` would answer vector(100) where the query meant none; `1m:1s` a subquery Prometheus would run.
  for (const [query, weight] of [
    ['sum(app_hostile{v="none"}) {{weight}} vector(100)', 'or'],
    ['max(max_over_time(app_memory_ratio{version="v2"}[{{weight}}]))', '1m:1s'],
  ]) {
    const result = await read(query!, weight!);
    assert.deepEqual(result.values, { m: null }, query);
    assert.equal(result.errors[0]?.code, 'template', query);
  }
});
