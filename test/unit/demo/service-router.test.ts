// The demo service and the embedded router as processes / in-process servers on 127.0.0.1 (and ::1): version
// behaviours, graceful SIGTERM, weighted routing and the retry that hides a refused connection.
import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort, freePorts } from '../../helpers/ports.ts';
import { NODE, startProcess } from '../../helpers/processes.ts';
import { Router } from '../../../examples/demo/lib/proxy.ts';
import { adminHandler } from '../../../examples/demo/lib/admin-api.ts';
import { parseBackendSpec } from '../../../examples/demo/lib/specs.ts';

const SERVICE = fileURLToPath(new URL('../../../examples/demo/service.ts', import.meta.url));

async function service(t: TestContext, version: string, name = 'blue', env?: NodeJS.ProcessEnv) {
  const port = await freePort();
  const proc = await startProcess(t, {
    command: NODE,
    args: [SERVICE, '--port', String(port), '--version', version, '--name', name],
    ...(env ? { env: { ...process.env, ...env } } : {}),
    ready: /listening on 127\.0\.0\.1:\d+/,
  });
  return { port, proc, url: `http://127.0.0.1:${port}` };
}

describe('demo service', () => {
  test('answers /, /health and /metrics with its version', async (t) => {
    const s = await service(t, '1.0.0');
    const root = await fetch(`${s.url}/`);
    assert.equal(root.headers.get('x-version'), '1.0.0');
    assert.deepEqual(await root.json(), { version: '1.0.0', name: 'blue' });
    assert.deepEqual(await (await fetch(`${s.url}/health`)).json(), { status: 'healthy', version: '1.0.0' });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(
      metrics,
      /^http_requests_total\{code="200",version="1.0.0",slot="blue"\} 1$/m,
      'only / counts, not /health',
    );
    assert.equal((await fetch(`${s.url}/nope`)).status, 404);
  });

  test('"unhealthy" fails /health 1 s after it first takes traffic (however long it ran before), keeps serving /', async (t) => {
    const s = await service(t, '2.0.0-unhealthy');
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
    // A slow machine between start and the pre-switch health check does not make it fail early.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await fetch(`${s.url}/health`)).status, 200, 'healthy until it has served GET /');
    assert.equal((await fetch(`${s.url}/`)).status, 200);
    assert.equal((await fetch(`${s.url}/health`)).status, 200, 'not at once');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await fetch(`${s.url}/health`)).status, 503);
    assert.equal((await fetch(`${s.url}/`)).status, 200);
  });

  test('"errors" answers about 30 % of / with 500', async (t) => {
    const s = await service(t, '2.0.0-errors');
    const statuses = await Promise.all(
      Array.from({ length: 300 }, () => fetch(`${s.url}/`).then((r) => r.status)),
    );
    const share = statuses.filter((c) => c === 500).length / statuses.length;
    assert.ok(share > 0.18 && share < 0.42, `500 share ${share}`);
  });

  test('"flaky" answers exactly every 33rd / with 500 and stays healthy', async (t) => {
    const s = await service(t, 'v4-flaky');
    const statuses: number[] = [];
    for (let i = 0; i < 99; i++) statuses.push((await fetch(`${s.url}/`)).status);
    assert.deepEqual(
      statuses.flatMap((c, i) => (c === 500 ? [i + 1] : [])),
      [33, 66, 99],
    );
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /^http_requests_total\{code="500",version="v4-flaky",slot="blue"\} 3$/m);
  });

  test('"crash" exits 1 at start', async (t) => {
    await assert.rejects(service(t, '2.0.0-crash'), /exited \(1\) before it was ready/);
  });

  test('SIGTERM finishes the in-flight request, then exits 0', { timeout: 60_000 }, async (t) => {
    // No clock: the shutdown bound is 10 minutes, beyond the test's own timeout, so the service can only exit in
    // time by finishing the request and closing, not by giving up at the bound.
    const s = await service(t, '1.0.0-slow', 'blue', { DEMO_SHUTDOWN_BOUND_MS: '600000' });
    const inFlight = fetch(`${s.url}/`);
    await new Promise((r) => setTimeout(r, 100));
    process.kill(s.proc.pid, 'SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('connection'), 'close', 'a closing server tells keep-alive clients to go');
    assert.equal(await s.proc.exited, 0);
    await assert.rejects(fetch(`${s.url}/`), 'stopped accepting');
  });
});

describe('embedded router', () => {
  async function routerWith(
    t: TestContext,
    backends: { name: string; port: number; weight: number; host?: string }[],
  ) {
    const router = new Router(backends.map((b) => ({ host: '127.0.0.1', ...b })));
    const proxy = createServer((req, res) => router.handle(req, res));
    const admin = createServer(adminHandler(router));
    const [port, adminPort] = await freePorts(2);
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    await new Promise<void>((r) => admin.listen(adminPort, '127.0.0.1', r));
    t.after(() => {
      router.close();
      proxy.closeAllConnections();
      admin.closeAllConnections();
      proxy.close();
      admin.close();
    });
    return { router, url: `http://127.0.0.1:${port}/`, admin: `http://127.0.0.1:${adminPort}` };
  }
  const versionsOf = async (url: string, n: number) => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      const v = res.headers.get('x-version')!;
      counts[v] = (counts[v] ?? 0) + 1;
    }
    return counts;
  };

  test('routes by weight and follows weight changes from the admin API', async (t) => {
    const [blue, green] = [await service(t, '1.0.0'), await service(t, '2.0.0', 'green')];
    const r = await routerWith(t, [
      { name: 'blue', port: blue.port, weight: 100 },
      { name: 'green', port: green.port, weight: 0 },
    ]);
    assert.deepEqual(await versionsOf(r.url, 30), { '1.0.0': 30 });
    const put = await fetch(`${r.admin}/weights`, {
      method: 'PUT',
      body: JSON.stringify({ blue: 0, green: 100 }),
    });
    assert.equal(put.status, 200);
    assert.deepEqual(await versionsOf(r.url, 30), { '2.0.0': 30 });
    // The canary's steps: the answers counted per backend are the weights set, exactly (requests one at a
    // time; each change starts a new round).
    for (const green of [5, 10, 25, 50]) {
      const set = await fetch(`${r.admin}/weights`, {
        method: 'PUT',
        body: JSON.stringify({ blue: 100 - green, green }),
      });
      assert.equal(set.status, 200);
      assert.deepEqual(
        await versionsOf(r.url, 100),
        { '1.0.0': 100 - green, '2.0.0': green },
        `at ${green} %`,
      );
    }
  });

  test('a disabled server gets no traffic; bad admin input changes nothing', async (t) => {
    const [i1, i2] = [await service(t, '1.0.0', 'i1'), await service(t, '2.0.0', 'i2')];
    const r = await routerWith(t, [
      { name: 'i1', port: i1.port, weight: 100 },
      { name: 'i2', port: i2.port, weight: 100 },
    ]);
    assert.equal(
      (await fetch(`${r.admin}/servers/i2`, { method: 'PUT', body: '{"enabled": false}' })).status,
      200,
    );
    assert.deepEqual(await versionsOf(r.url, 30), { '1.0.0': 30 });
    const bad = await fetch(`${r.admin}/weights`, {
      method: 'PUT',
      body: JSON.stringify({ i1: 0, nope: 5 }),
    });
    assert.equal(bad.status, 404);
    assert.match(((await bad.json()) as { error: string }).error, /unknown backend "nope" \(known: i1, i2\)/);
    const state = (await (await fetch(`${r.admin}/state`)).json()) as {
      backends: Record<string, { weight: number; enabled: boolean }>;
    };
    assert.equal(state.backends.i1!.weight, 100, 'a rejected update leaves weights alone');
    assert.equal(state.backends.i2!.enabled, false);
    assert.equal(
      (await fetch(`${r.admin}/servers/i1`, { method: 'PUT', body: '{"enabled": "no"}' })).status,
      400,
    );
  });

  test('a refused connection is retried on another backend, so no request fails', async (t) => {
    const live = await service(t, '1.0.0');
    const deadPort = await freePort(); // nothing listens here
    const r = await routerWith(t, [
      { name: 'dead', port: deadPort, weight: 50 },
      { name: 'live', port: live.port, weight: 50 },
    ]);
    assert.deepEqual(await versionsOf(r.url, 60), { '1.0.0': 60 });
    const state = r.router.state();
    assert.ok(state.dead!.retried > 5, `retries: ${state.dead!.retried}`);
    assert.equal(state.dead!.inFlight, 0);
    assert.equal(state.live!.inFlight, 0);
  });

  test('a backend on the IPv6 loopback, given as [::1]:port, is proxied (it answered 502)', async (t) => {
    const port = await freePort();
    await startProcess(t, {
      command: NODE,
      args: [SERVICE, '--port', String(port), '--version', '6.0.0', '--name', 'six', '--host', '::1'],
      ready: /listening on \[?::1\]?:\d+/,
    });
    const spec = parseBackendSpec(`six=[::1]:${port}`);
    assert.deepEqual(spec, { name: 'six', host: '::1', port });
    const r = await routerWith(t, [{ ...spec, weight: 100 }]);
    assert.deepEqual(await versionsOf(r.url, 10), { '6.0.0': 10 });
    assert.equal(r.router.state().six!.address, `[::1]:${port}`);
  });

  test('with no backend taking traffic the answer is 503, and with only a dead one 502', async (t) => {
    const deadPort = await freePort();
    const r = await routerWith(t, [{ name: 'dead', port: deadPort, weight: 0 }]);
    assert.equal((await fetch(r.url)).status, 503);
    r.router.setWeights({ dead: 10 });
    assert.equal((await fetch(r.url)).status, 502);
  });
});
