// Odd but possible Prometheus answers (loopback server): read as Prometheus itself reads them, or refused
// with what was wrong; never a number made up from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import { queuedAnswers } from '../../helpers/prometheus-answers.ts';

/** A loopback Prometheus answering each request with the next queued body, and a provider reading it. */
async function prometheus(t: { after(fn: () => Promise<void>): void }, now?: number) {
  const { url, answers } = await queuedAnswers(t);
  const provider = createPrometheusProvider(
    'prom',
    { type: 'prometheus', url, retries: 0 },
    now === undefined ? {} : { now: () => now },
  );
  /** Queues `answer`, then reads one metric of the canary through the provider. */
  const read = (answer: unknown, metric: { name: string; config: Record<string, unknown> }) => {
    answers.push(JSON.stringify(answer));
    return provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: metric.name, config: { provider: 'prom', query: 'x', ...metric.config } }],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
  };
  const histogram = (series: Array<[string, string]>) =>
    read(
      {
        status: 'success',
        data: {
          resultType: 'vector',
          result: series.map(([le, v]) => ({ metric: { le }, value: [1, v] })),
        },
      },
      { name: 'latency', config: { histogram: true } },
    );
  /** Queues `answer`, then reads one metric of the canary at `times` (readPast). */
  const past = (
    answer: unknown,
    metric: { name: string; config: Record<string, unknown> },
    times: number[],
  ) => {
    answers.push(JSON.stringify(answer));
    return provider.readPast!({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: metric.name, config: { provider: 'prom', query: 'x', ...metric.config } }],
      intervalMs: 60_000,
      signal: new AbortController().signal,
      times,
    });
  };
  return { read, histogram, past };
}

test('bucket bounds are read as Prometheus reads them: "Inf", "+inf" and "1e+00" are bounds', async (t) => {
  const { histogram } = await prometheus(t);
  for (const inf of ['+Inf', 'Inf', '+inf', 'inf', '+Infinity']) {
    const read = await histogram([
      ['1e+00', '40'],
      ['2.5e-1', '10'],
      [inf, '50'],
    ]);
    assert.deepEqual(read.errors, [], inf);
    assert.deepEqual(
      read.values,
      { latency: 50, 'latency{le="0.25"}': 10, 'latency{le="1"}': 40, 'latency{le="+Inf"}': 50 },
      inf,
    );
  }
  const twice = await histogram([
    ['1', '40'],
    ['1', '40'],
    ['+Inf', '50'],
  ]);
  assert.match(twice.errors[0]?.message ?? '', /bucket le="1" is repeated/);
});

test('one bound spelled two ways in series alike but for le ("1" and "1.0": Prometheus 2 and 3) is one bucket, its counts added', async (t) => {
  // `sum by (le)` over data scraped before and after an upgrade to Prometheus 3 (which writes le as a
  // float), or by agents of both versions: each bound but +Inf comes twice. histogram_quantile adds them;
  // refused, every interval of the query's range was a provider error, and a lasting mix rolled back every
  // deployment with a message asking for the sum by (le) it had.
  const { histogram, past } = await prometheus(t);
  const upgrade = await histogram([
    ['0.1', '30'],
    ['0.1', '30'],
    ['+Inf', '50'],
  ]);
  assert.match(upgrade.errors[0]?.message ?? '', /le="0.1" is repeated/, 'the same spelling twice is not');
  const read = await histogram([
    ['0.1', '30'],
    ['1', '35'],
    ['1.0', '10'],
    ['+Inf', '50'],
  ]);
  assert.deepEqual(read.errors, []);
  assert.deepEqual(read.values, {
    latency: 50,
    'latency{le="0.1"}': 30,
    'latency{le="1"}': 45,
    'latency{le="+Inf"}': 50,
  });
  // With another label kept beside le, one bound twice is two histograms, refused as before.
  const instance = await past(
    {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { le: '1', instance: 'a' }, values: [[60, '3']] },
          { metric: { le: '1.0', instance: 'b' }, values: [[60, '4']] },
          { metric: { le: '+Inf', instance: 'a' }, values: [[60, '9']] },
        ],
      },
    },
    { name: 'latency', config: { histogram: true } },
    [60_000],
  );
  assert.match(
    instance[0]!.errors[0]?.message ?? '',
    /le="1.0" is repeated, in series differing in instance/,
  );
  // Read from history (a bake resumed), the same.
  const history = await past(
    {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { le: '1' }, values: [[60, '35']] },
          { metric: { le: '1.0' }, values: [[60, '10']] },
          { metric: { le: '+Inf' }, values: [[60, '50']] },
        ],
      },
    },
    { name: 'latency', config: { histogram: true } },
    [60_000],
  );
  assert.deepEqual(history[0], {
    values: { latency: 50, 'latency{le="1"}': 45, 'latency{le="+Inf"}': 50 },
    errors: [],
  });
});

test('a bound Prometheus could not read is refused, not read as 0, 1, 16 or the +Inf bucket', async (t) => {
  const { histogram } = await prometheus(t);
  for (const bad of ['', ' 1', '1 ', '0x10', '1e400', '-Inf', 'NaN', '1_0']) {
    const read = await histogram([
      [bad, '40'],
      ['+Inf', '50'],
    ]);
    assert.equal(read.errors[0]?.code, 'bad-json', JSON.stringify(bad));
    assert.match(
      read.errors[0]!.message,
      new RegExp(
        `bucket le=${JSON.stringify(JSON.stringify(bad)).slice(1, -1).replace(/[+]/g, '\\+')} is not a number`,
      ),
      JSON.stringify(bad),
    );
    assert.equal(read.values.latency, null, JSON.stringify(bad));
  }
});

test('a range answer with its points out of time order is read in time order; a time twice is refused', async (t) => {
  const now = 1_700_000_000_000;
  const prom = await prometheus(t, now);
  const read = (values: Array<[number, string]>) =>
    prom.read(
      { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } },
      { name: 'error_rate', config: { range: { window: 120_000, step: 60_000, reduce: 'last' } } },
    );
  const s = now / 1000;
  const ordered = await read([
    [s, '0.001'],
    [s - 120, '0.5'],
    [s - 60, '0.2'],
  ]);
  assert.deepEqual(ordered, { values: { error_rate: 0.001 }, errors: [] });
  const twice = await read([
    [s - 60, '0.2'],
    [s, '0.001'],
    [s, '0.5'],
  ]);
  assert.equal(twice.values.error_rate, null);
  assert.equal(twice.errors[0]?.code, 'bad-json');
  assert.match(twice.errors[0]!.message, /two points at 2023-11-14T22:13:20\.000Z in the series/);
});

test('an answer with warnings (a partial response, PromQL doubts) is a query error naming them; infos are not', async (t) => {
  const prom = await prometheus(t);
  const answer = (extra: Record<string, unknown>) =>
    prom.read(
      {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.002'] }] },
        ...extra,
      },
      { name: 'error_rate', config: {} },
    );
  const partial = await answer({
    warnings: ['No StoreAPIs matched for this query\nstore 10.0.0.7:10901 unavailable'],
  });
  assert.deepEqual(partial.values, { error_rate: null }, 'a partial sum is not read as the whole');
  assert.equal(partial.errors[0]?.code, 'query-error');
  assert.match(partial.errors[0]?.message ?? '', /a warning.*not judged: No StoreAPIs matched.*unavailable/);
  assert.doesNotMatch(partial.errors[0]?.message ?? '', /\n/);
  const two = await answer({ warnings: ['PromQL warning: encountered a mix of histograms and floats', 'x'] });
  assert.match(two.errors[0]?.message ?? '', /2 warnings/);
  // A note is not a doubt: infos in their own field, or in warnings from servers before that field existed.
  const note = 'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket';
  const noted = await answer({ infos: [note], warnings: [note] });
  assert.deepEqual([noted.errors, noted.values], [[], { error_rate: 0.002 }]);
  const none = await answer({ warnings: [] });
  assert.deepEqual([none.errors, none.values], [[], { error_rate: 0.002 }]);
  // A warning not in a list (a proxy's own spelling), or isPartial as a string, is still a warning: read as
  // none, a partial sum was judged as the whole.
  for (const extra of [{ warnings: 'partial response: store b unavailable' }, { isPartial: 'true' }]) {
    const odd = await answer(extra);
    assert.deepEqual(odd.values, { error_rate: null }, JSON.stringify(extra));
    assert.match(odd.errors[0]?.message ?? '', /a warning.*not judged: (partial response|isPartial: true)/);
  }
  for (const extra of [{ warnings: null }, { warnings: '' }, { isPartial: false }, { isPartial: 'false' }]) {
    const fine = await answer(extra);
    assert.deepEqual([fine.errors, fine.values], [[], { error_rate: 0.002 }], JSON.stringify(extra));
  }
});

test("a native histogram (histogram / histograms instead of value / values) is a number metric's query error saying what to write, never dropped; a histogram metric reads its buckets", async (t) => {
  const now = 1_700_000_000_000;
  const s = now / 1000;
  const prom = await prometheus(t, now);
  const native = {
    count: '120',
    sum: '14.2',
    buckets: [
      [0, '0.08', '0.09', '100'],
      [0, '0.5', '0.6', '20'],
    ],
  };
  const vector = {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, histogram: [s, native] }] },
  };
  const number = await prom.read(vector, { name: 'p95', config: {} });
  assert.deepEqual(number.values, { p95: null });
  assert.equal(number.errors[0]?.code, 'query-error');
  assert.match(
    number.errors[0]!.message,
    /^p95: the query returned a native histogram, not a number: wrap it in histogram_quantile\(0\.95, \.\.\.\)/,
  );
  // Buckets on no exponential schema: each bound of a filled bucket, with the count at or below it.
  const buckets = await prom.read(vector, { name: 'latency', config: { histogram: true } });
  assert.deepEqual(buckets, {
    values: {
      latency: 120,
      'latency{le="0.08"}': 0,
      'latency{le="0.09"}': 100,
      'latency{le="0.5"}': 100,
      'latency{le="0.6"}': 120,
      'latency{le="+Inf"}': 120,
    },
    errors: [],
  });

  // A series that changed kind within the range: its float points alone are not the series.
  const mixed = await prom.read(
    {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [[s - 120, '0.001']],
            histograms: [
              [s - 60, native],
              [s, native],
            ],
          },
        ],
      },
    },
    { name: 'p95', config: { range: { window: 120_000, step: 60_000, reduce: 'max' } } },
  );
  assert.deepEqual(mixed.values, { p95: null });
  assert.equal(mixed.errors[0]?.code, 'query-error');
  assert.match(mixed.errors[0]!.message, /native histogram, not a number.*\(at some of its points\)/);

  // Reading the past of a histogram metric: its buckets at each interval, no data where it has none.
  const reads = await prom.past(
    {
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, histograms: [[s, native]] }] },
    },
    { name: 'latency', config: { histogram: true } },
    [now - 60_000, now],
  );
  assert.equal(reads.length, 2);
  assert.deepEqual(reads[0]!.values, { latency: null });
  assert.equal(reads[0]!.errors[0]?.code, 'empty-result');
  assert.deepEqual(reads[1], buckets);
  // A histogram metric's series with both kinds of points is not read from either kind alone.
  const both = await prom.past(
    {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [{ metric: {}, values: [[s - 60, '1']], histograms: [[s, native]] }],
      },
    },
    { name: 'latency', config: { histogram: true } },
    [now],
  );
  assert.equal(both[0]!.errors[0]?.code, 'query-error');
  assert.match(both[0]!.errors[0]!.message, /both native histograms and numbers.*\(at some of its points\)/);
});

test('an instant query answering a range vector or a string is a query error saying what to write', async (t) => {
  const prom = await prometheus(t);
  const s = 1_700_000_000;
  const matrix = {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [s - 60, '3'],
            [s, '5'],
          ],
        },
      ],
    },
  };
  for (const config of [{}, { histogram: true }]) {
    const read = await prom.read(matrix, { name: 'requests', config });
    assert.deepEqual(read.values, { requests: null });
    assert.equal(read.errors[0]?.code, 'query-error');
    assert.match(
      read.errors[0]!.message,
      /^requests: the query returned a range vector \(matrix\), not one value per series: a range selector such as \[1m\] needs a function around it \(rate\(\.\.\.\), increase/,
    );
  }
  const text = await prom.read(
    { status: 'success', data: { resultType: 'string', result: [s, 'v2'] } },
    { name: 'requests', config: {} },
  );
  assert.equal(text.errors[0]?.code, 'query-error');
  assert.match(text.errors[0]!.message, /^requests: the query returned a string, not a number: x$/);
});

test('a range series without any point is no data saying so, not "every point was NaN or Inf"', async (t) => {
  const s = 1_700_000_000;
  const prom = await prometheus(t, s * 1000);
  const answer = (values: unknown[]) => ({
    status: 'success',
    data: { resultType: 'matrix', result: [{ metric: {}, values }] },
  });
  const range = { name: 'p95', config: { range: { window: 300_000 } } };
  const empty = await prom.read(answer([]), range);
  assert.deepEqual(empty.values, { p95: null });
  assert.equal(empty.errors[0]?.code, 'empty-result');
  assert.equal(empty.errors[0]?.message, 'p95: the series has no point in the range: x');
  const nan = await prom.read(answer([[s, 'NaN']]), range);
  assert.equal(nan.errors[0]?.code, 'not-a-number');
  assert.equal(nan.errors[0]?.message, 'p95: every point was NaN or Inf: x');
});

test('a range query\'s step is sent as Prometheus reads it at any length: seconds as a number, never "1.5s"', async (t) => {
  // Prometheus reads step as a float of seconds or a duration of whole units (1m30s, 1500ms), and answers
  // "1.5s" with 400 bad_data: a 90s window (step 1.5 s, a sixtieth of it) failed every interval.
  const steps: string[] = [];
  const server = createServer((req, res) => {
    const params = new URL(req.url!, 'http://x').searchParams;
    const step = params.get('step')!;
    steps.push(step);
    const float = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(step);
    const duration =
      /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/.test(step) && step !== '';
    if (!float && !duration) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'bad_data',
          error: `invalid parameter "step": cannot parse "${step}" to a valid duration`,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: 'success',
        // One point, at the end of the range asked (the provider reads no point of another time).
        data: {
          resultType: 'matrix',
          result: [{ metric: {}, values: [[Number(params.get('end')), '0.5']] }],
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const provider = createPrometheusProvider(
    'prom',
    { type: 'prometheus', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retries: 0 },
    { now: () => 1_700_000_000_000 },
  );
  for (const range of [
    { window: 90_000 },
    { window: 150_000 },
    { window: 300_000, step: 1500 },
    { window: 300_000 },
  ]) {
    const read = await provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: 'p95', config: { provider: 'prom', query: 'q', range } }],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(
      [read.errors, read.values],
      [[], { p95: 0.5 }],
      `${JSON.stringify(range)}: step ${steps.at(-1)}`,
    );
  }
  assert.deepEqual(steps, ['1.5', '2.5', '1.5', '5']);
});
