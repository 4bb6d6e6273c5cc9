// The Prometheus provider against hostile servers (loopback only): every answer it cannot read is a typed
// error, never a thrown exception or a made-up number; bodies and time are bounded; configured credentials
// never follow a redirect and never reach an error message.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCommandProvider } from '../../../src/analysis/providers/command.ts';
import { createHttpProber } from '../../../src/analysis/providers/http-prober.ts';
import { createPrometheusProvider, PrometheusClient } from '../../../src/analysis/providers/prometheus.ts';
import { MAX_BODY_BYTES } from '../../../src/analysis/http.ts';
import type { PrometheusProviderConfig } from '../../../src/analysis/schema.ts';
import type { Result } from '../../../src/analysis/types.ts';
import { freePort } from '../../helpers/prometheus.ts';
import { valuePaths, withValueAt } from '../../helpers/value-paths.ts';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A loopback server whose every request is answered by `answer`; it remembers what it was sent. */
async function serve(answer: (res: ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const s = { url: req.url ?? '', headers: req.headers };
    seen.push(s);
    answer(res, s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  open.push(close);
  return { url, seen, close };
}
/** Every server still listening when a test failed half-way is closed at the end. */
const open: Array<() => Promise<void>> = [];
after(() => Promise.all(open.map((close) => close().catch(() => undefined))));

const json =
  (body: unknown, status = 200) =>
  (res: ServerResponse) =>
    void res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
const success = (resultType: string, result: unknown) => ({
  status: 'success',
  data: { resultType, result },
});
const client = (url: string, extra: Partial<PrometheusProviderConfig> = {}) =>
  new PrometheusClient('prom', { type: 'prometheus', url, retries: 0, ...extra }, { sleep: async () => {} });

/** The error of a failed result; fails the test on a success. */
function failure<T>(result: Result<T>, what: string) {
  assert.ok(!result.ok, `${what}: expected a typed error, got ${JSON.stringify(result)}`);
  return result.error;
}

// Sample values Prometheus never sends (it sends a float as a string): not one of them may become a number.
const NOT_A_SAMPLE_VALUE: unknown[] = [
  null,
  '',
  ' ',
  true,
  false,
  [],
  {},
  '0x10',
  ' 1 ',
  '1,5',
  '1_000',
  'one',
];
// Shapes a vector element cannot have.
const NOT_A_VECTOR_ELEMENT: unknown[] = [
  null,
  7,
  'x',
  [],
  {},
  { metric: {} },
  { metric: {}, value: null },
  { metric: {}, value: [] },
  { metric: {}, value: [1] },
  { metric: {}, value: ['t', '1'] },
  { metric: {}, value: { 0: 1, 1: '1' } },
  { metric: 'x', value: [1, '1'] },
  { metric: { le: 5 }, value: [1, '1'] },
];

test('instant: every malformed vector element or sample value is a bad-json error, never a throw or a number', async () => {
  const bodies = [
    ...NOT_A_SAMPLE_VALUE.map((v) => success('vector', [{ metric: {}, value: [1, v] }])),
    ...NOT_A_VECTOR_ELEMENT.map((e) => success('vector', [e])),
    ...NOT_A_SAMPLE_VALUE.map((v) => success('scalar', [1, v])),
    success('scalar', null),
    success('scalar', [1]),
    success('scalar', 'x'),
    success('vector', { length: 1, 0: { metric: {}, value: [1, '1'] } }),
    // A string or matrix answer is a query error saying what to write (prometheus-input.test.ts).
    { status: 'success', data: { resultType: 'vector' } },
    { status: 'success', data: [] },
    { status: 'success', data: 'x' },
  ];
  for (const body of bodies) {
    const s = await serve(json(body));
    const result = await client(s.url)
      .instant('up')
      .catch((e: Error) => e);
    await s.close();
    assert.ok(!(result instanceof Error), `${JSON.stringify(body)} threw ${String(result)}`);
    assert.equal(failure(result, JSON.stringify(body)).code, 'bad-json', JSON.stringify(body));
  }
});

test('buckets: malformed elements and values are bad-json, never a throw or a count', async () => {
  const inf = { metric: { le: '+Inf' }, value: [1, '10'] };
  const bodies = [
    ...NOT_A_SAMPLE_VALUE.map((v) => success('vector', [{ metric: { le: '1' }, value: [1, v] }, inf])),
    ...NOT_A_VECTOR_ELEMENT.map((e) => success('vector', [e, inf])),
  ];
  for (const body of bodies) {
    const s = await serve(json(body));
    const result = await client(s.url)
      .buckets('sum by (le) (x)')
      .catch((e: Error) => e);
    await s.close();
    assert.ok(!(result instanceof Error), `${JSON.stringify(body)} threw ${String(result)}`);
    assert.equal(failure(result, JSON.stringify(body)).code, 'bad-json', JSON.stringify(body));
  }
});

test('range and readPast: malformed matrices are bad-json, never a throw or a point', async () => {
  const points = (values: unknown) => success('matrix', [{ metric: {}, values }]);
  const bodies = [
    ...NOT_A_SAMPLE_VALUE.map((v) => points([[1, v]])),
    points(null),
    points('abc'),
    points([null]),
    points([[1]]),
    points([['t', '1']]),
    points([[null, '1']]),
    points([{ 0: 1, 1: '1' }]),
    success('matrix', [null]),
    success('matrix', [{ metric: 'x', values: [[1, '1']] }]),
    success('matrix', [{ metric: { a: 1 }, values: [[1, '1']] }]),
  ];
  for (const body of bodies) {
    const s = await serve(json(body));
    const range = await client(s.url)
      .range('up', 0, 60_000, 1000)
      .catch((e: Error) => e);
    assert.ok(!(range instanceof Error), `range: ${JSON.stringify(body)} threw ${String(range)}`);
    assert.equal(failure(range, JSON.stringify(body)).code, 'bad-json', JSON.stringify(body));
    const provider = createPrometheusProvider('prom', { type: 'prometheus', url: s.url, retries: 0 });
    const past = await provider.readPast!({
      side: 'canary',
      vars: {},
      metrics: [{ name: 'm', config: { provider: 'prom', query: 'up' } }],
      intervalMs: 1000,
      signal: AbortSignal.timeout(5000),
      times: [1000, 2000],
    }).catch((e: Error) => e);
    await s.close();
    assert.ok(!(past instanceof Error), `readPast: ${JSON.stringify(body)} threw ${String(past)}`);
    for (const read of past) {
      assert.equal(read.values.m, null, JSON.stringify(body));
      assert.deepEqual(
        read.errors.map((e) => e.code),
        ['bad-json'],
        JSON.stringify(body),
      );
    }
  }
});

test('a range answer that is not a list of series says what it is, not "expected a matrix, got matrix"', async () => {
  for (const [body, message] of [
    [success('matrix', null), 'a matrix result that is not a list of series: null'],
    [success('matrix', { 0: {} }), 'a matrix result that is not a list of series: {"0":{}}'],
    [success('vector', []), 'expected a matrix, got "vector"'],
  ] as const) {
    const s = await serve(json(body));
    const error = failure(await client(s.url).range('up', 0, 60_000, 1000), JSON.stringify(body));
    await s.close();
    assert.deepEqual([error.code, error.message], ['bad-json', message]);
  }
});

test('NaN, +Inf, -Inf and numbers beyond a double are no data (not-a-number); real floats are read', async () => {
  for (const raw of ['NaN', '+Inf', '-Inf', 'Inf', '1e400', '-1e400']) {
    const s = await serve(json(success('vector', [{ metric: {}, value: [1, raw] }])));
    assert.equal(failure(await client(s.url).instant('up'), raw).code, 'not-a-number', raw);
    await s.close();
  }
  for (const [raw, value] of [
    ['1e308', 1e308],
    ['-0.5', -0.5],
    ['2', 2],
    ['.5', 0.5],
    ['1.5e-3', 0.0015],
    ['+3', 3],
  ] as const) {
    const s = await serve(json(success('vector', [{ metric: {}, value: [1, raw] }])));
    assert.deepEqual(await client(s.url).instant('up'), { ok: true, value }, raw);
    await s.close();
  }
});

test('an empty result is no data, several series where one is expected are refused, duplicate label sets too', async () => {
  const series = (metric: Record<string, string>, v: string) => ({ metric, values: [[1, v]] });
  const cases: Array<[string, unknown, string]> = [
    ['instant, empty vector', success('vector', []), 'empty-result'],
    [
      'instant, two series',
      success('vector', [
        { metric: { a: '1' }, value: [1, '1'] },
        { metric: { a: '2' }, value: [1, '2'] },
      ]),
      'multiple-series',
    ],
  ];
  for (const [what, body, code] of cases) {
    const s = await serve(json(body));
    assert.equal(failure(await client(s.url).instant('up'), what).code, code, what);
    await s.close();
  }
  // A matrix with one label set twice is not one series with all the points: it is a broken answer.
  const twice = success('matrix', [series({ a: '1' }, '1'), series({ a: '1' }, '100')]);
  const s = await serve(json(twice));
  assert.equal(failure(await client(s.url).range('up', 0, 1000, 1000), 'matrix twice').code, 'bad-json');
  await s.close();
  const reordered = success('matrix', [series({ a: '1', b: '2' }, '1'), series({ b: '2', a: '1' }, '1')]);
  const r = await serve(json(reordered));
  assert.equal(failure(await client(r.url).series('up', 0, 1000, 1000), 'labels reordered').code, 'bad-json');
  await r.close();
});

test('status "error" with HTTP 200 is a query error; its text is cut short, whatever its length', async () => {
  const s = await serve(
    json({ status: 'error', errorType: 'bad_data', error: `parse error ${'x'.repeat(100_000)}` }),
  );
  const error = failure(await client(s.url).instant('up'), 'status error');
  await s.close();
  assert.equal(error.code, 'query-error');
  assert.match(error.message, /^bad_data: parse error x+…$/);
  assert.ok(error.message.length <= 600, `${error.message.length} characters`);
  // A resultType that is not a word is not echoed in full either.
  const odd = await serve(json(success('x'.repeat(100_000), [])));
  const bad = failure(await client(odd.url).instant('up'), 'odd resultType');
  await odd.close();
  assert.equal(bad.code, 'bad-json');
  assert.ok(bad.message.length <= 600, `${bad.message.length} characters`);
});

test('an HTML error page with 200 is bad-json, and the page is not quoted', async () => {
  const s = await serve(
    (res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>'),
  );
  const error = failure(await client(s.url).instant('up'), 'html');
  await s.close();
  assert.equal(error.code, 'bad-json');
  assert.doesNotMatch(error.message, /oops/);
});

test('a body larger than the limit is refused once the limit is passed, not read until the timeout', async () => {
  // An endless answer: valid JSON that never ends.
  const endless = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"status":"success","data":{"resultType":"vector","result":[');
    const chunk = `${'{"metric":{},"value":[1,"1"]},'.repeat(2000)}`;
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  };
  // No clock: the request timeout (10 minutes) is beyond the test's own, so only the limit can end these
  // requests ('too-large', not 'timeout'); the test's timeout is the backstop.
  const s = await serve(endless);
  const error = failure(await client(s.url, { timeout: 600_000 }).instant('up'), 'endless');
  assert.equal(error.code, 'too-large');
  assert.match(error.message, new RegExp(`${MAX_BODY_BYTES} bytes`));
  await s.close();
  // A declared length above the limit is refused before reading anything.
  const declared = await serve(
    (res) => void res.writeHead(200, { 'content-length': String(MAX_BODY_BYTES + 1) }).write('{"status":'),
  );
  // The server sends 10 bytes of the body and then nothing: refused by the header, before the body ends.
  assert.equal(
    failure(await client(declared.url, { timeout: 600_000 }).instant('up'), 'declared').code,
    'too-large',
  );
  await declared.close();
});

test('a server that trickles bytes forever is cut off by the timeout', async () => {
  const s = await serve((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 20);
    res.on('close', () => clearInterval(timer));
  });
  // No clock: the server never ends, so only the 300 ms timeout (the error's code) can end the request.
  const error = failure(await client(s.url, { timeout: 300 }).instant('up'), 'trickle');
  assert.equal(error.code, 'timeout');
  await s.close();
});

test('a redirect is not followed: configured headers never reach another host, and the error says where it led', async () => {
  const other = await serve(json(success('vector', [{ metric: {}, value: [1, '1'] }])));
  for (const status of [301, 302, 303, 307, 308]) {
    const redirecting = await serve(
      (res) => void res.writeHead(status, { location: `${other.url}/api/v1/query?query=up` }).end(),
    );
    const error = failure(
      await client(redirecting.url, {
        headers: {
          Authorization: 'Bearer tok-123456',
          'X-Scope-OrgID': 'tenant-9',
          'X-Api-Key': 'key-654321',
        },
        retries: 2,
      }).instant('up'),
      `redirect ${status}`,
    );
    await redirecting.close();
    assert.equal(error.code, 'http-status');
    assert.equal(error.status, status);
    assert.equal(error.attempts, 1, 'a redirect is not retried');
    assert.ok(error.message.includes(`redirected to ${other.url}/api/v1/query`), error.message);
  }
  assert.deepEqual(other.seen, [], 'the other host was never asked');
  await other.close();
});

test('credentials in the URL are sent as basic auth, never in the URL or an error message', async () => {
  const s = await serve(json(success('vector', [{ metric: {}, value: [1, '4'] }])));
  const withUser = s.url.replace('http://', 'http://us%40er:p%3Ass-w0rd@');
  assert.deepEqual(await client(withUser).instant('up'), { ok: true, value: 4 });
  assert.equal(
    s.seen[0]!.headers.authorization,
    `Basic ${Buffer.from('us@er:p:ss-w0rd').toString('base64')}`,
  );
  // A configured Authorization header wins over the URL's user.
  await client(withUser, { headers: { authorization: 'Bearer mine' } }).instant('up');
  assert.equal(s.seen[1]!.headers.authorization, 'Bearer mine');
  await s.close();

  // Every way the request can fail: no message holds the password or a configured header's value.
  const port = await freePort();
  const failing = [
    await serve((res) => void res.writeHead(500).end('p:ss-w0rd tok-123456')),
    await serve((res) => void res.writeHead(200).end('not json p:ss-w0rd')),
    await serve(json({ status: 'error', errorType: 'bad_data', error: 'nope' })),
    await serve((res) => void res.writeHead(302, { location: 'http://x:p:ss-w0rd@127.0.0.1:1/' }).end()),
    await serve(() => {}), // never answers
  ];
  const urls = [...failing.map((f) => f.url), `http://127.0.0.1:${port}`, 'http://127.0.0.1:0'];
  for (const url of urls) {
    const error = failure(
      await client(url.replace('http://', 'http://user:p%3Ass-w0rd@'), {
        timeout: 300,
        headers: { 'X-Api-Key': 'tok-123456' },
      }).instant('up'),
      url,
    );
    const text = JSON.stringify(error);
    for (const secret of ['ss-w0rd', 'p%3Ass', 'tok-123456', 'user:'])
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
  }
  await Promise.all(failing.map((f) => f.close()));
});

test('the prober: a templated value stays one part of its URL (query, path or host), never another URL', async () => {
  const s = await serve((res) => void res.writeHead(200).end('ok'));
  const host = s.url.slice('http://'.length);
  const probe = async (url: string, version: string) => {
    const prober = createHttpProber('probe', { type: 'http', url, rate: 5 }, { sleep: async () => {} });
    return prober.read({
      side: 'canary',
      vars: { version },
      metrics: [{ name: 'requests', config: { provider: 'probe' } }],
      intervalMs: 200,
      signal: AbortSignal.timeout(5000),
    });
  };
  const cases: Array<[template: string, value: string, path: string]> = [
    [`${s.url}/health?version={{version}}`, 'v1&admin=1#frag', '/health?version=v1%26admin%3D1%23frag'],
    [`${s.url}/health/{{version}}`, 'a/b?c=d', '/health/a%2Fb%3Fc%3Dd'],
    [`${s.url}/health/{{version}}`, 'v 1%2e', '/health/v%201%252e'],
  ];
  for (const [template, value, path] of cases) {
    const before = s.seen.length;
    const read = await probe(template, value);
    assert.deepEqual(read.errors, [], template);
    assert.deepEqual(
      s.seen.slice(before).map((r) => r.url),
      [path],
      `${template} with ${JSON.stringify(value)}`,
    );
  }
  // A value where the host is written cannot make it another host (or this one, with a path of its own).
  const before = s.seen.length;
  const read = await probe('http://{{version}}.invalid/health', `${host}/steal?`);
  assert.equal(read.values.requests ?? 0, 0);
  assert.equal(s.seen.length, before, 'the loopback server was not reached');
  await s.close();
});

test('the command provider: a huge stderr line, a huge value in its output or a huge argv is cut short in the error', async () => {
  const huge = '"y".repeat(200_000)';
  const cases: Array<[argv: string[], code: string]> = [
    [['-e', `process.stderr.write(${huge} + "\\n" + ${huge}); process.exit(3)`], 'command-failed'],
    [['-e', `console.log(JSON.stringify({ m: ${huge} }))`], 'bad-json'],
    // A key no metric reads is ignored (with a warning): the metric read is missing.
    [['-e', `console.log(JSON.stringify({ [${huge}]: "1" }))`], 'query-error'],
    [['-e', `console.log(JSON.stringify({ m: { a: ${huge} } }))`], 'bad-json'],
    // Too long for the system to start it (E2BIG): the message quoting the command line is cut too.
    [['-e', 'console.log(1)', 'y'.repeat(200_000)], 'command-failed'],
  ];
  for (const [argv, code] of cases) {
    const provider = createCommandProvider('cmd', {
      type: 'command',
      run: [process.execPath, ...argv],
      retries: 0,
    });
    const read = await provider.read({
      side: 'canary',
      vars: {},
      metrics: [{ name: 'm', config: { provider: 'cmd' } }],
      intervalMs: 1000,
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(read.errors[0]?.code, code, argv[1]!.slice(0, 60));
    assert.ok(read.errors[0]!.message.length <= 1000, `${read.errors[0]!.message.length} characters`);
  }
});

test('status "error" with a 5xx or 429 (an overloaded or timed-out Prometheus) is retried like any 5xx; a 4xx query error is not', async () => {
  for (const [status, errorType, attempts, code] of [
    [503, 'timeout', 3, 'http-status'],
    [500, 'internal', 3, 'http-status'],
    [429, 'unavailable', 3, 'http-status'],
    [422, 'execution', 1, 'query-error'],
    [400, 'bad_data', 1, 'query-error'],
    [200, 'bad_data', 1, 'query-error'],
  ] as const) {
    const s = await serve(
      json({ status: 'error', errorType, error: 'query timed out in expression evaluation' }, status),
    );
    const error = failure(await client(s.url, { retries: 2 }).instant('up'), `${status}`);
    await s.close();
    assert.deepEqual([error.code, error.attempts, s.seen.length], [code, attempts, attempts], `${status}`);
    assert.match(error.message, new RegExp(`${errorType}: query timed out`), `${status}`);
  }
});

test('the prober measures the version itself: a redirect is its answer and is not followed', async () => {
  const elsewhere = await serve((res) => void res.writeHead(200).end('ok'));
  const version = await serve(
    (res) => void res.writeHead(302, { location: `${elsewhere.url}/landing` }).end(),
  );
  const read = (expect_status?: number[]) =>
    createHttpProber(
      'probe',
      { type: 'http', url: `${version.url}/health`, rate: 5, ...(expect_status ? { expect_status } : {}) },
      { sleep: async () => {} },
    ).read({
      side: 'canary',
      vars: {},
      metrics: [
        { name: 'requests', config: { provider: 'probe' } },
        { name: 'errors', config: { provider: 'probe' } },
      ],
      intervalMs: 600,
      signal: AbortSignal.timeout(5000),
    });
  // By default 2xx and 3xx are successes: the redirect counts as the version answering.
  const byDefault = await read();
  assert.deepEqual([byDefault.values.requests, byDefault.values.errors], [3, 0]);
  // A probe that expects 200 sees the 302 as a failure, instead of the page the redirect leads to.
  const strict = await read([200]);
  assert.deepEqual([strict.values.requests, strict.values.errors], [3, 3]);
  assert.equal(elsewhere.seen.length, 0, 'the Location was never requested');
  await Promise.all([elsewhere.close(), version.close()]);
});

test('the prober reads a huge answer to its end without keeping it: memory stays flat', async () => {
  // 1 GiB per answer, three answers at once, made lazily from one 1 MiB chunk: buffering even one of them
  // (as response.arrayBuffer() did) grows the process by a gigabyte.
  const chunk = new Uint8Array(1024 * 1024);
  const hugeFetch: typeof fetch = async () => {
    let left = 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left-- > 0) controller.enqueue(chunk);
        else controller.close();
      },
    });
    return new Response(body, { status: 200 });
  };
  const peakBefore = process.resourceUsage().maxRSS; // KiB
  const read = await createHttpProber(
    'probe',
    { type: 'http', url: 'http://127.0.0.1:9/health', rate: 5 },
    { sleep: async () => {}, fetch: hugeFetch },
  ).read({
    side: 'canary',
    vars: {},
    metrics: [
      { name: 'requests', config: { provider: 'probe' } },
      { name: 'errors', config: { provider: 'probe' } },
    ],
    intervalMs: 600,
    signal: AbortSignal.timeout(60_000),
  });
  assert.deepEqual([read.values.requests, read.values.errors], [3, 0], 'every answer read to its end');
  const grownMiB = (process.resourceUsage().maxRSS - peakBefore) / 1024;
  assert.ok(grownMiB < 256, `peak memory grew by ${Math.round(grownMiB)} MiB reading 3 GiB of answers`);
});

// Every field of the API's answers (an instant vector, histogram buckets, a range matrix, an error), one at a
// time, given a value of another kind: a mapping whose toString and valueOf are keys (any JSON may hold one,
// and String() of it throws), a list, text, null. Each read ends in a value or a typed error, never a throw.
test('an answer with any field of another kind (a mapping with a toString key, a list, text, null) is read or refused, never thrown', async () => {
  const t0 = 1_700_000_000;
  const answers: Record<string, unknown> = {
    vector: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { version: 'v2' }, value: [t0, '0.01'] }] },
    },
    buckets: {
      status: 'success',
      data: {
        resultType: 'vector',
        result: ['0.1', '+Inf'].map((le, i) => ({ metric: { le }, value: [t0, String(10 * (i + 1))] })),
      },
    },
    matrix: {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [
              [t0 - 60, '1'],
              [t0, '2'],
            ],
          },
        ],
      },
      warnings: ['PromQL info: metric might not be a counter'],
    },
    error: { status: 'error', errorType: 'bad_data', error: 'parse error', warnings: ['w'] },
  };
  const kinds: unknown[] = [{ toString: 'x', valueOf: 'y' }, ['a'], 'text', null];
  let reads = 0;
  for (const [name, answer] of Object.entries(answers))
    for (const path of valuePaths(answer))
      for (const kind of kinds)
        for (const status of [200, 400, 503]) {
          const body = withValueAt(answer, path, kind);
          const client = new PrometheusClient(
            'prom',
            { type: 'prometheus', url: 'http://127.0.0.1:9', retries: 0 },
            {
              fetch: async () =>
                new Response(JSON.stringify(body), {
                  status,
                  headers: { 'content-type': 'application/json' },
                }),
              sleep: async () => {},
              now: () => t0 * 1000,
            },
          );
          const where = `${name} ${path.join('.')} = ${JSON.stringify(kind)}, HTTP ${status}`;
          for (const read of [
            () => client.instant('q'),
            () => client.buckets('q'),
            () => client.range('q', (t0 - 600) * 1000, t0 * 1000, 60_000),
          ]) {
            const result = await read().catch((error: Error) => assert.fail(`${where}: ${error.stack}`));
            assert.equal(typeof result.ok, 'boolean', where);
            if (!result.ok) assert.ok(result.error.message.length > 0, where);
            reads++;
          }
        }
  assert.ok(reads > 500, `${reads} reads`);
});
