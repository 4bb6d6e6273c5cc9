// ctl's probe of a server about to get more traffic, in the rollback's shape: the canary's share goes back
// to a stable slot that already takes traffic. Behind a stand-in for the embedded router's admin API (it
// keeps the weights ctl sets), with stand-in services on loopback ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { freePort } from '../../helpers/ports.ts';

const CTL = fileURLToPath(new URL('../../../examples/demo/ctl.ts', import.meta.url));

/** An admin API like the embedded router's: GET /state, PUT /weights. `onState` runs at each GET /state. */
async function fakeRouter(weights: Record<string, number>, onState = () => {}): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      if (req.method === 'PUT' && req.url === '/weights')
        Object.assign(weights, JSON.parse(body) as Record<string, number>);
      else onState();
      const backends = Object.fromEntries(
        Object.entries(weights).map(([n, weight]) => [n, { weight, enabled: true, inFlight: 0 }]),
      );
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ backends }));
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (s: { address(): unknown }) => (s.address() as { port: number }).port;

function ctl(env: Record<string, string>, ...args: string[]) {
  return execa(process.execPath, [CTL, ...args], {
    env: { DEMO_STATE_DIR: '/nonexistent-demo-state', DEMO_START_TIMEOUT_MS: '15000', ...env },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
}

test("a canary's rollback goes on when the stable slot is only slow to answer its probe; a slow canary is not promoted", async (t) => {
  // Accepts connections and never answers: slower than any probe bound, as a stable slot under load.
  const held: Socket[] = [];
  const slow = createTcpServer((socket) => held.push(socket));
  slow.listen(0, '127.0.0.1');
  await once(slow, 'listening');
  const weights = { blue: 50, green: 50 };
  const router = await fakeRouter(weights);
  t.after(() => {
    for (const s of held) s.destroy();
    slow.close();
    router.close();
  });
  const r = await ctl(
    {
      DEMO_PORTS: `blue=${portOf(slow)},green=${await freePort()}`,
      DEMO_ROUTER_ADMIN: `127.0.0.1:${portOf(router)}`,
    },
    ...['weight', '--slot', 'green', '--weight', '0', '--stable', 'blue'],
  );
  // It refused before ("nothing answers on its port"): the bad canary kept its half and the rollback failed.
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(
    r.stderr,
    /blue did not answer .* it takes traffic already \(weight 50\), so it is taken as slow/,
  );
  assert.deepEqual(weights, { blue: 100, green: 0 });

  // A canary that hangs is no stable slot: promoted, it would take everything. Refused, nothing changed.
  Object.assign(weights, { blue: 50, green: 50 });
  const promote = await ctl(
    {
      DEMO_PORTS: `green=${portOf(slow)},blue=${await freePort()}`,
      DEMO_ROUTER_ADMIN: `127.0.0.1:${portOf(router)}`,
    },
    ...['weight', '--slot', 'green', '--weight', '100', '--stable', 'blue'],
  );
  assert.equal(promote.exitCode, 1);
  assert.match(
    promote.stderr,
    /refusing to send traffic to green: nothing answers on its port \d+ \(ETIMEDOUT\); it has weight 50 now and was to get 100/,
  );
  assert.deepEqual(weights, { blue: 50, green: 50 });
});

test("a canary's rollback waits for a stable slot that is starting, and refuses one that stays down", async (t) => {
  const stablePort = await freePort();
  const stable = createServer((_req, res) => res.end('{"version":"1.0.0"}'));
  let starting: NodeJS.Timeout | undefined;
  // The stable slot starts listening only after ctl has read the router: its first probe meets a closed port.
  const weights = { blue: 50, green: 50 };
  const router = await fakeRouter(weights, () => {
    starting ??= setTimeout(() => stable.listen(stablePort, '127.0.0.1'), 300);
  });
  t.after(() => {
    clearTimeout(starting);
    stable.close();
    router.close();
  });
  const env = {
    DEMO_PORTS: `blue=${stablePort},green=${await freePort()}`,
    DEMO_ROUTER_ADMIN: `127.0.0.1:${portOf(router)}`,
  };
  const rollback = ['weight', '--slot', 'green', '--weight', '0', '--stable', 'blue'];
  const r = await ctl(env, ...rollback);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(weights, { blue: 100, green: 0 });
  assert.ok(stable.listening);

  // Down for good: refused once the start timeout has passed, nothing changed.
  Object.assign(weights, { blue: 50, green: 50 });
  stable.close();
  await once(stable, 'close');
  const down = await ctl({ ...env, DEMO_START_TIMEOUT_MS: '300' }, ...rollback);
  assert.equal(down.exitCode, 1);
  assert.match(
    down.stderr,
    /refusing to send traffic to blue: nothing answers on its port \d+ \(ECONNREFUSED\); it has weight 50 now and was to get 100: nothing was changed/,
  );
  assert.deepEqual(weights, { blue: 50, green: 50 });
});
