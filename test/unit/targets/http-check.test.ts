// Health checks against hostile servers (loopback only): time and body are bounded, redirects are answers
// (never followed to another host), templated values stay one part of the URL, credentials are never shown.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ResolvedHealthCheck } from '../../../src/config/resolve.ts';
import { httpCheck, MAX_BODY_BYTES } from '../../../src/targets/http-check.ts';
import { freePort } from '../../helpers/ports.ts';
import { selfSignedCertificate } from '../../helpers/tls-certificate.ts';

type HttpCheck = Extract<ResolvedHealthCheck, { kind: 'http' }>;

const open: Array<() => Promise<void>> = [];
after(() => Promise.all(open.map((close) => close())));

async function serve(answer: (res: ServerResponse) => void) {
  const seen: Array<{ url: string; method: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers });
    answer(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  open.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const check = (url: string, extra: Partial<HttpCheck> = {}): HttpCheck => ({
  kind: 'http',
  source: 'health',
  url,
  method: 'GET',
  expectStatus: [200],
  timeoutMs: 5000,
  retries: 0,
  intervalMs: 0,
  ...extra,
});

/** A 200 whose body starts with `head` and never ends. */
const endless = (head: string) => (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  // A HEAD answer has no body (node drops the writes, so the loop below would never yield).
  if (res.req.method === 'HEAD') return void res.end();
  res.write(head);
  const chunk = 'x'.repeat(64 * 1024);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
};

// The check's own timeout (10 min) is far beyond the test's: a check that waited for the endless body would
// not end in time (the test's timeout is the backstop), nor be cut off by the timeout and pass.
test(
  'a body that never ends: the status is the answer, and a pattern is matched in the first MiB',
  { timeout: 60_000 },
  async () => {
    const s = await serve(endless('status: healthy\n'));
    for (const [extra, ok] of [
      [{}, true],
      [{ body: '^status: healthy' }, true],
      [{ method: 'HEAD' as const }, true],
      [{ body: 'never there' }, false],
    ] as const) {
      const result = await httpCheck(check(s.url, { timeoutMs: 600_000, ...extra }), {});
      assert.equal(result.ok, ok, `${JSON.stringify(extra)}: ${result.detail}`);
      if (!ok)
        assert.match(
          result.detail,
          new RegExp(`does not match /never there/ \\(in its first ${MAX_BODY_BYTES} bytes\\)`),
        );
    }
  },
);

// The detail names the 300 ms timeout as what ended the check; without it the check would never end (the
// test's own timeout is the backstop).
test(
  'a server that never answers, or trickles its body, is cut off by the timeout',
  { timeout: 60_000 },
  async () => {
    const silent = await serve(() => {});
    const trickle = await serve((res) => {
      res.writeHead(200);
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('.')), 20);
      res.on('close', () => clearInterval(timer));
    });
    for (const [url, extra] of [
      [silent.url, {}],
      [trickle.url, { body: 'ok' }],
    ] as const) {
      const result = await httpCheck(check(url, { timeoutMs: 300, ...extra }), {});
      assert.equal(result.ok, false);
      assert.match(result.detail, /did not answer within 300ms/);
    }
  },
);

test('a redirect is an answer with its status, never followed to another host', async () => {
  const other = await serve((res) => void res.writeHead(200).end('ok'));
  for (const status of [301, 302, 303, 307, 308]) {
    const s = await serve((res) => void res.writeHead(status, { location: `${other.url}/x` }).end());
    const refused = await httpCheck(check(`${s.url}/health`), {});
    assert.equal(refused.ok, false);
    assert.match(refused.detail, new RegExp(`answered ${status}, expected 200`));
    const accepted = await httpCheck(check(`${s.url}/health`, { expectStatus: [status] }), {});
    assert.equal(accepted.ok, true, accepted.detail);
  }
  assert.deepEqual(other.seen, []);
});

test('statuses: only the expected ones pass, whatever the body says', async () => {
  for (const status of [204, 400, 404, 500, 503]) {
    const s = await serve((res) => void res.writeHead(status).end(status === 204 ? undefined : 'ok'));
    const result = await httpCheck(check(s.url, { expectStatus: [200], body: 'ok' }), {});
    assert.equal(result.ok, false, `${status}`);
    const expected = await httpCheck(check(s.url, { expectStatus: [status] }), {});
    assert.equal(expected.ok, true, `${status}: ${expected.detail}`);
  }
});

test('templated values stay one part of the URL', async () => {
  const s = await serve((res) => void res.writeHead(200).end('ok'));
  const host = s.url.slice('http://'.length);
  for (const [template, value, path] of [
    [`${s.url}/health?v={{version}}`, 'v1&admin=1#frag', '/health?v=v1%26admin%3D1%23frag'],
    [`${s.url}/{{version}}/health`, 'a/../../b?c', '/a%2F..%2F..%2Fb%3Fc/health'],
    [`${s.url}/health/{{version}}`, '$(id) `id` "\'\n', "/health/%24(id)%20%60id%60%20%22'%0A"],
  ] as const) {
    const before = s.seen.length;
    const result = await httpCheck(check(template), { version: value });
    assert.equal(result.ok, true, result.detail);
    assert.deepEqual(
      s.seen.slice(before).map((r) => r.url),
      [path],
    );
  }
  const before = s.seen.length;
  const result = await httpCheck(check('http://{{version}}.invalid/health'), { version: `${host}/steal?` });
  assert.equal(result.ok, false);
  assert.equal(s.seen.length, before, 'a value where the host is written cannot make it this host');
});

test('user:password in the URL is sent as basic auth and shown nowhere', async () => {
  const s = await serve((res) => void res.writeHead(503).end());
  const url = s.url.replace('http://', 'http://ops:s3cr%40t-pw@');
  const result = await httpCheck(check(`${url}/health`, { retries: 1, intervalMs: 1 }), {});
  assert.equal(result.ok, false);
  assert.equal(s.seen[0]!.headers.authorization, `Basic ${Buffer.from('ops:s3cr@t-pw').toString('base64')}`);
  assert.equal(s.seen[0]!.url, '/health');
  assert.ok(!/s3cr|ops:/.test(result.detail), result.detail);
  assert.match(result.detail, new RegExp(`^${s.url}/health answered 503`));
});

test('an IPv6 loopback URL is checked like any other; a refused one names the refusal', async () => {
  const server = createServer((_, res) => void res.writeHead(200).end('ok'));
  await new Promise<void>((r) => server.listen(0, '::1', r));
  const port = (server.address() as AddressInfo).port;
  open.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const ok = await httpCheck(check(`http://[::1]:${port}/health`, { body: '^ok$' }), {});
  assert.equal(ok.ok, true, ok.detail);
  assert.equal(ok.detail, `http://[::1]:${port}/health answered 200`);
  // A port nothing listens on: a reserved one, outside the ephemeral range (a just-closed port 0 one could be
  // handed to another socket meanwhile).
  const free = await freePort();
  const refused = await httpCheck(check(`http://[::1]:${free}/health`), {});
  assert.equal(refused.ok, false);
  assert.match(refused.detail, new RegExp(`^http://\\[::1\\]:${free}/health: ECONNREFUSED`));
});

test('a port fetch refuses to connect to is named, not "fetch failed"', async () => {
  // Fetch never connects to ports browsers block (6000 is X11), whatever listens there.
  for (const url of ['http://127.0.0.1:6000/health', 'http://[::1]:6665/health']) {
    const result = await httpCheck(check(url), {});
    assert.equal(result.ok, false);
    assert.doesNotMatch(result.detail, /fetch failed/);
    assert.match(result.detail, /fetch never connects to port (6000|6665) \(a port browsers block/);
  }
});

test('a TLS error says what is wrong with the certificate, not only its code', async (t) => {
  const server = createHttpsServer(selfSignedCertificate(t), (_, res) => void res.writeHead(200).end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  const result = await httpCheck(check(`https://127.0.0.1:${port}/health`), {});
  assert.equal(result.ok, false);
  assert.match(
    result.detail,
    new RegExp(
      `^https://127\\.0\\.0\\.1:${port}/health: DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate`,
    ),
  );
  // Plain HTTP to the TLS port: the connection is closed, and that is said.
  const plain = await httpCheck(check(`http://127.0.0.1:${port}/health`), {});
  assert.equal(plain.ok, false);
  assert.match(plain.detail, /: UND_ERR_SOCKET: other side closed/);
});
