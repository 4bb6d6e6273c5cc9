// ctl's one HTTP request (examples/demo/lib/http-json.ts, what its health checks and the embedded router's
// admin calls use): the answer's status and JSON body, a body that is not JSON, and a request that got no
// answer, refused or past its bound, each told apart by its code.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { RequestError, requestJson } from '../../../examples/demo/lib/http-json.ts';
import { checkHealth } from '../../../examples/demo/lib/services.ts';

async function serve(
  t: { after(fn: () => unknown): void },
  handler: Parameters<typeof createServer>[1],
): Promise<number> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

test('the status and the JSON body come back; the method and a JSON body go out', async (t) => {
  const seen: string[] = [];
  const port = await serve(t, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += String(d)));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'} ${body}`);
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'no such server' }));
    });
  });
  const answer = await requestJson(`http://127.0.0.1:${port}/weights`, {
    method: 'PUT',
    body: { blue: 10 },
    timeoutMs: 5000,
  });
  assert.deepEqual(answer, { status: 409, json: { error: 'no such server' } });
  assert.deepEqual(seen, ['PUT /weights application/json {"blue":10}']);
});

test('a body that is not JSON is undefined, not an error', async (t) => {
  const port = await serve(t, (_req, res) => res.end('<html>oops</html>'));
  assert.deepEqual(await requestJson(`http://127.0.0.1:${port}/`, { timeoutMs: 5000 }), {
    status: 200,
    json: undefined,
  });
  // A health answer without JSON is answered, but says no version.
  assert.deepEqual(await checkHealth(port), { healthy: true, status: 200, version: undefined });
});

test('no answer: a refused connection and a server that never answers, each with its code', async (t) => {
  const refused = await requestJson('http://127.0.0.1:1/', { timeoutMs: 5000 }).catch((e: unknown) => e);
  assert.ok(refused instanceof RequestError);
  assert.equal(refused.code, 'ECONNREFUSED');
  assert.match(refused.message, /ECONNREFUSED 127\.0\.0\.1:1/);
  assert.deepEqual(await checkHealth(1), { healthy: false, error: 'ECONNREFUSED' });

  const port = await serve(t, () => {}); // accepts, never answers
  const silent = await requestJson(`http://127.0.0.1:${port}/`, { timeoutMs: 200 }).catch((e: unknown) => e);
  assert.ok(silent instanceof RequestError);
  assert.equal(silent.code, 'ETIMEDOUT');
  assert.match(silent.message, /no answer within 200 ms/);
  assert.deepEqual(await checkHealth(port, 200), { healthy: false, error: 'ETIMEDOUT' });

  // Headers sent, the body never finished: the bound holds for the whole answer.
  const stalled = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"version":');
  });
  const cut = await requestJson(`http://127.0.0.1:${stalled}/`, { timeoutMs: 200 }).catch((e: unknown) => e);
  assert.ok(cut instanceof RequestError);
  assert.equal(cut.code, 'ETIMEDOUT');
});
