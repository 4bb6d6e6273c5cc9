// Answers that are not the Prometheus API's JSON (a proxy's login page, a wrong base path, a failing
// gateway), and API answers of a kind the metric cannot read: each is an error of its interval that says
// what most likely answered and what to do, never a number, and never quotes the body (it may reflect the
// request's credentials).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';

async function serving(t: { after(fn: () => Promise<void>): void }, answer: (res: ServerResponse) => void) {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prom`;
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url, retries: 0 });
  return (config: Record<string, unknown> = {}) =>
    provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: 'm', config: { provider: 'prom', query: 'q', ...config } }],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
}

const LOGIN = '<!DOCTYPE html><html><head><title>Sign in secret-token-1</title></head><body>x</body></html>';

test('a status from before the API names its likely cause, and the body is not quoted', async (t) => {
  const cases: Array<[number, string, string, RegExp]> = [
    [
      401,
      'text/html',
      LOGIN,
      /^m: HTTP 401 from \/prom\/api\/v1\/query \(an HTML page\): refused; check the credentials/,
    ],
    [
      403,
      'application/json',
      '{"message":"forbidden secret-token-1"}',
      /^m: HTTP 403 from .*: refused; check the credentials/,
    ],
    [
      404,
      'text/plain',
      '404 page not found',
      /^m: HTTP 404 from \/prom\/api\/v1\/query: not found; the url must be the address the API is under/,
    ],
    [
      502,
      'text/html',
      '<html><body>Bad Gateway secret-token-1</body></html>',
      /^m: HTTP 502 from .*\(an HTML page\): the server, or a proxy in front of it, failed/,
    ],
  ];
  for (const [status, type, body, message] of cases) {
    const read = await serving(t, (res) => void res.writeHead(status, { 'content-type': type }).end(body));
    const result = await read();
    assert.deepEqual(result.values, { m: null }, String(status));
    assert.equal(result.errors[0]?.code, 'http-status', String(status));
    assert.match(result.errors[0]!.message, message);
    assert.doesNotMatch(result.errors[0]!.message, /secret-token|Sign in|Bad Gateway|page not found/);
  }
});

test('an HTML page with 200 (a UI or a login page at the url) says so; other non-JSON is bad JSON', async (t) => {
  const html = await serving(t, (res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(LOGIN));
  const page = await html();
  assert.equal(page.errors[0]?.code, 'bad-json');
  assert.match(
    page.errors[0]!.message,
    /answered HTTP 200 with an HTML page, not the API's JSON: is the url a UI/,
  );
  assert.doesNotMatch(page.errors[0]!.message, /secret-token|Sign in/);
  const text = await serving(t, (res) => void res.writeHead(200).end('ok'));
  assert.match((await text()).errors[0]!.message, /answered HTTP 200 with a body that is not JSON$/);
});

test('a server error text with line breaks is one line in the message', async (t) => {
  const read = await serving(
    t,
    (res) =>
      void res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error\n::error::forged' }),
        ),
  );
  const result = await read();
  assert.equal(result.errors[0]?.code, 'query-error');
  assert.doesNotMatch(result.errors[0]!.message, /\n/);
  assert.match(result.errors[0]!.message, /bad_data: parse error\\n::error::forged/);
});

test('a scalar where histogram buckets are read is a query error saying what to write; a vector that is not a list is bad JSON', async (t) => {
  const answers = [
    { status: 'success', data: { resultType: 'scalar', result: [1, '3'] } },
    { status: 'success', data: { resultType: 'vector', result: null } },
    { status: 'success', data: { resultType: 'vector', result: { a: 1 } } },
  ];
  const read = await serving(t, (res) => void res.writeHead(200).end(JSON.stringify(answers.shift())));
  const scalar = await read({ histogram: true });
  assert.equal(scalar.errors[0]?.code, 'query-error');
  assert.match(
    scalar.errors[0]!.message,
    /the query returned a scalar, not histogram buckets; a histogram metric reads one native histogram .* or the classic buckets, one series per le/,
  );
  for (const config of [{}, { histogram: true }]) {
    const broken = await read(config);
    assert.equal(broken.errors[0]?.code, 'bad-json');
    assert.match(broken.errors[0]!.message, /a vector result that is not a list of series/);
  }
});

test("VictoriaMetrics' isPartial: true is a partial answer, not judged as whole; isPartial: false is read", async (t) => {
  const answers = [true, false, true].map((isPartial) => ({
    status: 'success',
    isPartial,
    data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.002'] }] },
  }));
  const read = await serving(t, (res) => void res.writeHead(200).end(JSON.stringify(answers.shift())));
  const partial = await read();
  assert.deepEqual(partial.values, { m: null });
  assert.equal(partial.errors[0]?.code, 'query-error');
  assert.match(partial.errors[0]!.message, /may be partial or wrong and is not judged: isPartial: true/);
  assert.deepEqual(await read(), { values: { m: 0.002 }, errors: [] });
  const past = await read({ range: { window: 60_000, step: 15_000 } });
  assert.equal(past.errors[0]?.code, 'query-error');
});
