// Zero downtime, proven: real haproxy, real nginx and the embedded router in front of real demo services,
// under continuous load (300 rps asked), while `ctl` moves traffic between slots and rolls instances. Every
// failed request (network error, timeout or status >= 500) fails the test; a load client that could not keep
// its rate on a busy machine is reported, and fails the test only when too little load was left to prove it.
// nginx moves traffic by config file and graceful reload, so it also gets a reload storm under load, the
// weight-0 and bad-config guarantees, and the checks on what may reach its config.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { events, repoRoot, runCli } from '../helpers/cli.ts';
import { CTL, demoTargetYaml, setupDemo, type Demo } from '../helpers/demo.ts';
import { assertZeroDowntime, describeLoad, lastFullBucket, startLoad, type Load } from '../helpers/load.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { requireNginx } from '../helpers/nginx.ts';
import { readCtlEnv } from '../../examples/demo/lib/ctl-env.ts';
import { trafficControl } from '../../examples/demo/lib/traffic.ts';
import { haproxyAction } from '../../examples/demo/lib/haproxy-runtime.ts';
import { freePorts } from '../helpers/ports.ts';
import { NODE } from '../helpers/processes.ts';
import {
  checkPrefix,
  parseRouterState,
  renderNginxConfig,
  withServer,
} from '../../examples/demo/lib/nginx-config.ts';
import {
  applyNginxConfig,
  masterPid,
  nginxPaths,
  updateNginxRouter,
  workersOf,
} from '../../examples/demo/lib/nginx-runtime.ts';

const RPS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The load's counts once at least one request has been answered (bounded: 30 s). */
async function answered(load: Load): Promise<ReturnType<Load['snapshot']>> {
  for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
    const snapshot = load.snapshot();
    if (snapshot.ok + snapshot.failed > 0) return snapshot;
  }
  assert.fail('no request was answered within 30 s of starting the load');
}

for (const kind of ['haproxy', 'nginx', 'embedded'] as const) {
  describe(`zero downtime through ${kind === 'embedded' ? 'the embedded router' : kind}`, () => {
    test('blue-green: weights 100/0 -> 0/100, old slot torn down and redeployed, all under load', async (t) => {
      const demo = await setupDemo(t, kind, { blue: 100, green: 0 });
      // Before the load: blue live on 1.0.0 and green started on 2.0.0 (two slots, started side by side).
      await Promise.all([
        demo
          .ctl('deploy', '--slot', 'blue', '--version', '1.0.0')
          .then(() => demo.ctl('switch', '--slot', 'blue')),
        demo.ctl('deploy', '--slot', 'green', '--version', '2.0.0'),
      ]);

      const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 120_000 });
      t.after(() => load.stop());
      await sleep(800);
      // Answered before the first weight change: all by 1.0.0. (Read from the answers, not the first 500 ms
      // of send times: a router slowed by a busy machine may route a request sent then after the change.)
      const before = await answered(load);
      await demo.ctl('weight', '--slot', 'green', '--weight', '50', '--stable', 'blue');
      await sleep(600);
      await demo.ctl('switch', '--slot', 'green');
      await sleep(600);
      assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'green', version: '2.0.0' });
      await demo.ctl('teardown', '--slot', 'blue');
      // The idle slot is redeployed (restarted) while green serves: nobody may notice.
      await demo.ctl('deploy', '--slot', 'blue', '--version', '3.0.0');
      await demo.ctl('switch', '--slot', 'blue');
      await sleep(1200);
      const report = await load.stop();

      assertZeroDowntime(t, report);
      for (const v of ['1.0.0', '2.0.0', '3.0.0']) {
        assert.ok((report.byVersion[v] ?? 0) > 50, `too little traffic on ${v}: ${describeLoad(report)}`);
      }
      const settled = lastFullBucket(report);
      assert.deepEqual(
        Object.keys(settled.byVersion),
        ['3.0.0'],
        `traffic did not settle on 3.0.0: ${JSON.stringify(settled)}`,
      );
      assert.deepEqual(Object.keys(before.byVersion), ['1.0.0'], JSON.stringify(before));
    });

    test('rolling: three instances rolled one by one under load', async (t) => {
      const demo = await setupDemo(t, kind, { i1: 100, i2: 100, i3: 100 });
      // Before the load: the three instances are started side by side (each its own port and record).
      await Promise.all(['i1', 'i2', 'i3'].map((i) => demo.ctl('deploy', '--slot', i, '--version', '1.0.0')));
      const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 120_000 });
      t.after(() => load.stop());
      await sleep(600);
      await demo.ctl('roll', '--instances', 'i1,i2,i3', '--version', '2.0.0');
      await sleep(1000);
      const report = await load.stop();

      assertZeroDowntime(t, report);
      assert.ok((report.byVersion['1.0.0'] ?? 0) > 50, describeLoad(report));
      assert.ok((report.byVersion['2.0.0'] ?? 0) > 50, describeLoad(report));
      const settled = lastFullBucket(report);
      assert.deepEqual(
        Object.keys(settled.byVersion),
        ['2.0.0'],
        `traffic did not settle on 2.0.0: ${JSON.stringify(settled)}`,
      );
      const status = JSON.parse(await demo.ctl('status')) as {
        processes: Record<string, { version: string; running: boolean }>;
      };
      for (const i of ['i1', 'i2', 'i3'])
        assert.deepEqual([status.processes[i]?.version, status.processes[i]?.running], ['2.0.0', true]);
    });
  });
}

/** x-version of `count` requests through the router, by version; any status other than 200 counts as its status. */
async function versionsOf(url: string, count: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    const key = res.status === 200 ? (res.headers.get('x-version') ?? '(none)') : `HTTP ${res.status}`;
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
}

async function workerPids(demo: Demo): Promise<number[]> {
  const paths = nginxPaths(demo.env.DEMO_NGINX_PREFIX!);
  return (await workersOf(await masterPid(paths))).map((w) => w.pid);
}

/** blue runs 1.0.0 with all the traffic, green runs 2.0.0 with none. */
async function nginxBlueLive(t: Parameters<typeof setupDemo>[0]): Promise<Demo> {
  const demo = await setupDemo(t, 'nginx', { blue: 100, green: 0 });
  await Promise.all([
    demo.ctl('deploy', '--slot', 'blue', '--version', '1.0.0'),
    demo.ctl('deploy', '--slot', 'green', '--version', '2.0.0'),
  ]);
  return demo;
}

describe('nginx: config file and graceful reload', () => {
  test('a storm of reloads under load drops no request, and each reload really replaced the worker', async (t) => {
    const demo = await nginxBlueLive(t);
    const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 120_000 });
    t.after(() => load.stop());
    await answered(load);
    const seenWorkers = new Set(await workerPids(demo));
    const reloads = 10;
    for (let i = 0; i < reloads; i++) {
      // Alternate blue/green shares, each applied by its own validated config and graceful reload.
      await updateNginxRouter(demo.env.DEMO_NGINX_BIN!, demo.env.DEMO_NGINX_PREFIX!, (state) =>
        withServer(withServer(state, 'green', { weight: i % 2 === 0 ? 60 : 10 }), 'blue', { weight: 40 }),
      );
      const workers = await workerPids(demo);
      assert.equal(workers.length, 1, `after reload ${i + 1} exactly one worker runs: ${workers.join(', ')}`);
      assert.ok(!seenWorkers.has(workers[0]!), `reload ${i + 1} did not start a new worker`);
      seenWorkers.add(workers[0]!);
      await sleep(300);
    }
    await demo.ctl('switch', '--slot', 'blue');
    await sleep(1200);
    const report = await load.stop();

    assertZeroDowntime(t, report);
    for (const v of ['1.0.0', '2.0.0'])
      assert.ok((report.byVersion[v] ?? 0) > 50, `too little traffic on ${v}: ${describeLoad(report)}`);
    assert.deepEqual(Object.keys(lastFullBucket(report).byVersion), ['1.0.0']);
  });

  // No load here: each test has its own nginx, services and ports, and mostly waits on ctl and reloads.
  describe('without load', { concurrency: true }, () => {
    test('weight 0 gets no traffic: not even when the weighted server fails (down, never backup)', async (t) => {
      const demo = await nginxBlueLive(t);
      assert.deepEqual(await versionsOf(demo.url, 60), { '1.0.0': 60 });
      const config = await readFile(nginxPaths(demo.env.DEMO_NGINX_PREFIX!).config, 'utf8');
      assert.doesNotMatch(config, /backup|weight=0/);

      // A backup server would take over here; a weight-0 one must not: the failure shows instead.
      const status = JSON.parse(await demo.ctl('status')) as { processes: Record<string, { pid: number }> };
      process.kill(status.processes.blue!.pid, 'SIGTERM');
      for (let i = 0; i < 100 && (await fetch(demo.url).then((r) => r.status)) === 200; i++) await sleep(50);
      const afterStop = await versionsOf(demo.url, 30);
      assert.equal(afterStop['2.0.0'], undefined, `weight-0 green answered: ${JSON.stringify(afterStop)}`);
      assert.ok((afterStop['HTTP 502'] ?? 0) > 0, JSON.stringify(afterStop));

      // And a slot taken out of rotation gets nothing either, however its weight stood.
      await demo.ctl('deploy', '--slot', 'blue', '--version', '1.0.1');
      await demo.ctl('weight', '--slot', 'green', '--weight', '50', '--stable', 'blue');
      const split = await versionsOf(demo.url, 60);
      assert.ok((split['1.0.1'] ?? 0) > 5 && (split['2.0.0'] ?? 0) > 5, JSON.stringify(split));
      await updateNginxRouter(demo.env.DEMO_NGINX_BIN!, demo.env.DEMO_NGINX_PREFIX!, (s) =>
        withServer(s, 'green', { enabled: false }),
      );
      assert.deepEqual(await versionsOf(demo.url, 60), { '1.0.1': 60 });
    });

    test('a config nginx refuses never replaces the running one', async (t) => {
      const demo = await nginxBlueLive(t);
      const paths = nginxPaths(demo.env.DEMO_NGINX_PREFIX!);
      const good = await readFile(paths.config, 'utf8');
      const workers = await workerPids(demo);
      // weight=0 is the classic mistake: nginx -t rejects it, and nothing may change.
      const bad = good.replace(/server (127\.0\.0\.1:\d+) down;/, 'server $1 weight=0;');
      assert.notEqual(bad, good);
      await assert.rejects(
        applyNginxConfig(demo.env.DEMO_NGINX_BIN!, paths, bad),
        /nginx -t refused.*weight=0/s,
      );
      assert.equal(await readFile(paths.config, 'utf8'), good);
      assert.deepEqual(await workerPids(demo), workers, 'nginx was reloaded with a refused config');
      assert.deepEqual(await versionsOf(demo.url, 20), { '1.0.0': 20 });

      // One nginx -t cannot judge: a listen port taken by another process. The master keeps the old config
      // and says why; the file goes back to what nginx runs.
      const bluePort = JSON.parse(await readFile(paths.state, 'utf8')).servers.blue.port as number;
      const taken = good.replace(/listen 127\.0\.0\.1:\d+;/, `listen 127.0.0.1:${bluePort};`);
      await assert.rejects(
        applyNginxConfig(demo.env.DEMO_NGINX_BIN!, paths, taken),
        /nginx did not apply the new configuration: .*bind\(\) to 127\.0\.0\.1:\d+ failed/,
      );
      assert.equal(await readFile(paths.config, 'utf8'), good);
      assert.deepEqual(await workerPids(demo), workers, 'the old worker must keep serving');
      assert.deepEqual(await versionsOf(demo.url, 20), { '1.0.0': 20 });
      assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'blue', version: '1.0.0' });
    });

    test('a ctl killed part-way through a change: the next change starts from what nginx runs, not a stale router.json', async (t) => {
      // A cancelled deployment stops its set_weight command; SIGKILL runs no cleanup. Killed once the new
      // config is swapped in (and being reloaded) but before router.json says so, ctl left nginx sending the
      // canary its share while router.json still said 0: the rollback's "green to 0" changed nothing.
      const demo = await nginxBlueLive(t);
      const paths = nginxPaths(demo.env.DEMO_NGINX_PREFIX!);
      // The window (new config swapped in and reloaded, router.json not yet written) is held open, not raced
      // for: ctl's nginx is a wrapper that, once the real `nginx -s reload` has run, stays until killed. A poll
      // for a window of a few milliseconds missed it on a busy machine.
      const dir = await mkdtemp(join(tmpdir(), 'nginx-hold-'));
      t.after(() => rm(dir, { recursive: true, force: true }));
      const held = join(dir, 'held');
      const wrapper = join(dir, 'nginx');
      await writeFile(
        wrapper,
        [
          '#!/bin/sh',
          '"$REAL_NGINX" "$@" || exit $?',
          'for a in "$@"; do [ "$a" = reload ] && { echo $$ > "$HOLD_MARK.tmp"; mv "$HOLD_MARK.tmp" "$HOLD_MARK"; exec sleep 30; }; done',
          'exit 0',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      const raise = execa(NODE, [CTL, 'weight', '--slot', 'green', '--weight', '10', '--stable', 'blue'], {
        env: { ...demo.env, DEMO_NGINX_BIN: wrapper, REAL_NGINX: demo.env.DEMO_NGINX_BIN!, HOLD_MARK: held },
        reject: false,
      });
      let holder: number | undefined;
      for (const until = Date.now() + 30_000; holder === undefined && Date.now() < until; await sleep(20))
        holder = existsSync(held) ? Number(await readFile(held, 'utf8')) : undefined;
      t.after(() => {
        try {
          if (holder !== undefined) process.kill(holder, 'SIGKILL');
        } catch {
          // already gone (ctl's own timeout ended it)
        }
      });
      if (holder === undefined) {
        raise.kill('SIGKILL');
        assert.fail(`ctl never reloaded nginx: ${(await raise).stderr}`);
      }
      const [config, state] = await Promise.all([
        readFile(paths.config, 'utf8'),
        readFile(paths.state, 'utf8'),
      ]);
      assert.match(config, /weight=10 max_fails=0; # green/, 'the new config is swapped in');
      assert.equal(JSON.parse(state).servers.green.weight, 0, 'router.json is not written yet');
      raise.kill('SIGKILL');
      await raise;

      await demo.ctl('weight', '--slot', 'green', '--weight', '0', '--stable', 'blue');
      assert.match(await readFile(paths.config, 'utf8'), /down; # green/);
      assert.deepEqual(await versionsOf(demo.url, 60), { '1.0.0': 60 });
      const status = JSON.parse(await demo.ctl('status')) as { servers: Record<string, { weight: number }> };
      assert.deepEqual([status.servers.blue?.weight, status.servers.green?.weight], [100, 0]);
    });

    test('a lock left with no pid in it (a ctl killed as it took the lock) is taken over once it is old, one whose pid was recycled at once', async (t) => {
      // ctl created the lock empty and wrote its pid after: one killed in between (a cancelled deployment
      // kills its set_weight) left a lock no later ctl could take, and every change failed from then on.
      const demo = await nginxBlueLive(t);
      const paths = nginxPaths(demo.env.DEMO_NGINX_PREFIX!);
      await writeFile(paths.lock, '');
      const minuteAgo = new Date(Date.now() - 60_000);
      await utimes(paths.lock, minuteAgo, minuteAgo);
      await demo.ctl('weight', '--slot', 'green', '--weight', '10', '--stable', 'blue');
      const status = JSON.parse(await demo.ctl('status')) as { servers: Record<string, { weight: number }> };
      assert.deepEqual([status.servers.blue?.weight, status.servers.green?.weight], [90, 10]);
      assert.equal(existsSync(paths.lock), false, 'the lock was left behind');

      // A killed ctl's pid now belongs to another process (here this test's): its lock was held by nobody, yet
      // waited for, and every change failed after the bound. The lock names the pid alone (an older ctl's),
      // then the pid and a start time that is not that process's.
      for (const [text, split] of [
        [`${process.pid}`, 20],
        [`${process.pid} 1`, 30],
      ] as const) {
        await writeFile(paths.lock, text);
        await demo.ctl('weight', '--slot', 'green', '--weight', String(split), '--stable', 'blue');
        const after = JSON.parse(await demo.ctl('status')) as { servers: Record<string, { weight: number }> };
        assert.deepEqual([after.servers.blue?.weight, after.servers.green?.weight], [100 - split, split]);
        assert.equal(existsSync(paths.lock), false, 'the lock was left behind');
      }
    });

    test('traffic is never handed to a server that does not answer', async (t) => {
      const demo = await setupDemo(t, 'nginx', { blue: 100, green: 0 });
      await demo.ctl('deploy', '--slot', 'blue', '--version', '1.0.0');
      const r = await execa(NODE, [CTL, 'switch', '--slot', 'green'], { env: demo.env, reject: false });
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /refusing to send traffic to green: nothing answers on its port/);
      // The same rule below ctl: the router itself refuses to make a silent server routable.
      await assert.rejects(
        updateNginxRouter(demo.env.DEMO_NGINX_BIN!, demo.env.DEMO_NGINX_PREFIX!, (s) =>
          withServer(s, 'green', { weight: 10 }),
        ),
        /refusing to route to green: nothing answers/,
      );
      assert.deepEqual(await versionsOf(demo.url, 20), { '1.0.0': 20 });
      assert.match(await readFile(nginxPaths(demo.env.DEMO_NGINX_PREFIX!).config, 'utf8'), /down; # green/);
    });

    test('only checked values reach the config, and a missing nginx names the package to install', async () => {
      const state = { listenPort: 8080, servers: { blue: { port: 8081, weight: 100, enabled: true } } };
      for (const prefix of ['relative/dir', '/tmp/a;b', '/tmp/a b', '/tmp/x}', '/tmp/../etc', '/tmp/$x']) {
        assert.throws(() => checkPrefix(prefix, 'DEMO_NGINX_PREFIX'), /must be an absolute path/, prefix);
        assert.throws(() => renderNginxConfig(state, { prefix }), /must be an absolute path/, prefix);
      }
      const bad: [unknown, RegExp][] = [
        [{ ...state, listenPort: '8080; include /etc/passwd' }, /listenPort .* is not a TCP port/],
        [
          { ...state, servers: { 'a;b': { port: 1, weight: 1, enabled: true } } },
          /"a;b" is not a valid name/,
        ],
        [
          { ...state, servers: { blue: { port: 70000, weight: 1, enabled: true } } },
          /port 70000 is not a TCP port/,
        ],
        [
          { ...state, servers: { blue: { port: 1, weight: 1.5, enabled: true } } },
          /weight 1.5 is not a whole number/,
        ],
        [
          { ...state, servers: { blue: { port: 1, weight: 1, enabled: 'yes' } } },
          /enabled must be true or false/,
        ],
        [{ ...state, servers: {} }, /at least one server/],
      ];
      for (const [value, message] of bad)
        assert.throws(() => parseRouterState(value, 'router.json'), message);
      assert.throws(
        () => renderNginxConfig(state, { prefix: '/tmp/p', user: 'root;evil' }),
        /not a valid name/,
      );
      assert.throws(
        () => withServer(parseRouterState(state, 's'), 'green', { weight: 1 }),
        /no server "green"/,
      );

      const none = renderNginxConfig(
        { listenPort: 8080, servers: { blue: { port: 8081, weight: 0, enabled: true } } },
        { prefix: '/tmp/p' },
      );
      assert.match(none, /server 127\.0\.0\.1:8081 down;/);
      assert.match(none, /return 503/);

      const ctl = await execa(NODE, [CTL, 'current'], {
        env: {
          DEMO_STATE_DIR: '/tmp/x',
          DEMO_PORTS: 'blue=1',
          DEMO_ROUTER: 'nginx',
          DEMO_NGINX_PREFIX: '/tmp/a;b',
        },
        reject: false,
      });
      assert.equal(ctl.exitCode, 1);
      assert.match(ctl.stderr, /DEMO_NGINX_PREFIX: "\/tmp\/a;b" must be an absolute path/);

      assert.throws(() => requireNginx('/nonexistent/sbin/nginx'), /apt-get install nginx/);
    });
  });
});

/** Kills a slot's service outright (no graceful stop) and waits, bounded, until its port answers nothing. */
/** `deploy-action run -e production -v v1 --json` from the source CLI, on the demo's router and state dir. */
function deployV1(demo: Demo, config: string): ReturnType<typeof runCli> {
  const args = ['run', '-e', 'production', '-v', 'v1', '-c', config];
  return runCli([...args, '--state-dir', join(demo.stateDir, 'st'), '--json'], {
    cwd: repoRoot,
    env: demo.env,
  });
}

async function killSlot(demo: Demo, slot: string): Promise<void> {
  const status = JSON.parse(await demo.ctl('status')) as {
    processes: Record<string, { pid: number; port: number }>;
  };
  const { pid, port } = status.processes[slot]!;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 200; i++) {
    const answered = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.arrayBuffer().then(() => true))
      .catch(() => false);
    if (!answered) return;
    await sleep(25);
  }
  assert.fail(`${slot} (pid ${pid}) still answers on port ${port} after SIGKILL`);
}

describe(
  'every router: what ctl refuses, and what it answers when nothing serves',
  { concurrency: true },
  () => {
    for (const kind of ['haproxy', 'nginx', 'embedded'] as const) {
      test(`${kind}: current prints nothing while no server has weight; a canary that died at 50 %, or a slot out of rotation, is never given more traffic`, async (t) => {
        const demo = await setupDemo(t, kind, { blue: 0, green: 0 });
        // Nothing serves: the answer is nothing (deploy-action's contract for a current command), not a failure
        // that refuses every first blue-green or canary deployment.
        const nothing = await execa(NODE, [CTL, 'current'], { env: demo.env, reject: false });
        assert.equal(nothing.exitCode, 0, nothing.stderr);
        assert.equal(nothing.stdout, '');
        assert.match(nothing.stderr, /no server has weight > 0: nothing is live/);

        await Promise.all([
          demo.ctl('deploy', '--slot', 'blue', '--version', '1.0.0'),
          demo.ctl('deploy', '--slot', 'green', '--version', '2.0.0'),
        ]);
        await demo.ctl('switch', '--slot', 'blue');
        await demo.ctl('weight', '--slot', 'green', '--weight', '50', '--stable', 'blue');
        await killSlot(demo, 'green');
        // green already has a share; taking everything (a switch, or the canary's last step) would fail every
        // request. Refused, and nothing changed: the live slot keeps its half and takes the dead one's.
        for (const args of [
          ['switch', '--slot', 'green'],
          ['weight', '--slot', 'green', '--weight', '100', '--stable', 'blue'],
          ['weight', '--slot', 'green', '--weight', '60', '--stable', 'blue'],
        ]) {
          const r = await execa(NODE, [CTL, ...args], { env: demo.env, reject: false });
          assert.equal(r.exitCode, 1, `ctl ${args.join(' ')} was not refused:\n${r.stdout}\n${r.stderr}`);
          assert.match(
            r.stderr,
            /refusing to send traffic to green: nothing answers on its port \d+ \(ECONNREFUSED\); it has weight 50 now and was to get (100|60): nothing was changed/,
          );
        }
        const status = JSON.parse(await demo.ctl('status')) as {
          servers: Record<string, { weight: number }>;
        };
        assert.deepEqual([status.servers.blue?.weight, status.servers.green?.weight], [50, 50]);
        assert.deepEqual(await versionsOf(demo.url, 20), { '1.0.0': 20 });
        // Taking the dead canary's share away (the rollback) is a cut for it and a raise for the live slot.
        await demo.ctl('weight', '--slot', 'green', '--weight', '0', '--stable', 'blue');
        assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'blue', version: '1.0.0' });

        // A slot out of rotation (as a roll stopped part-way leaves one) is refused at once: with nginx the
        // switch left no server routed (every request 503); haproxy and the embedded router waited out the
        // start timeout for a change the router never makes by itself.
        await demo.ctl('deploy', '--slot', 'green', '--version', '2.0.0');
        await trafficControl(readCtlEnv(demo.env)).setEnabled('green', false);
        const out = await execa(NODE, [CTL, 'switch', '--slot', 'green'], {
          env: { ...demo.env, DEMO_START_TIMEOUT_MS: '600000' },
          reject: false,
          timeout: 60_000,
        });
        assert.equal(out.exitCode, 1, out.stdout);
        assert.match(
          out.stderr,
          /refusing to send traffic to green: it is out of rotation \(.*\); ctl roll puts it back: nothing was changed/,
        );
        assert.deepEqual(await versionsOf(demo.url, 10), { '1.0.0': 10 });
        if (kind === 'haproxy') {
          // Drained by an operator: haproxy gives it no new request whatever its weight, and the switch left
          // every request answered 503.
          const socket = demo.env.DEMO_HAPROXY_SOCKET!;
          await haproxyAction(socket, 'set server be_app/green state ready');
          await haproxyAction(socket, 'set server be_app/green state drain');
          const drained = await execa(NODE, [CTL, 'switch', '--slot', 'green'], {
            env: demo.env,
            reject: false,
          });
          assert.equal(drained.exitCode, 1, drained.stdout);
          assert.match(drained.stderr, /refusing to send traffic to green: it is out of rotation \(DRAIN\)/);
          assert.deepEqual(await versionsOf(demo.url, 10), { '1.0.0': 10 });
        }
      });
    }

    test('haproxy balancing with first or leastconn: a split its algorithm cannot make is refused, one it makes by connections is warned about', async (t) => {
      // ctl said 90/10 and traffic stayed 100/0 under `balance first`: the canary's analysis judged no request.
      const site = async (balance: string) => {
        const demo = await setupDemo(t, 'haproxy', { blue: 100, green: 0 }, { balance });
        await Promise.all([
          demo.ctl('deploy', '--slot', 'blue', '--version', '1.0.0'),
          demo.ctl('deploy', '--slot', 'green', '--version', '2.0.0'),
        ]);
        return demo;
      };
      const [first, leastconn] = await Promise.all([site('first'), site('leastconn')]);
      const greenAt10 = (demo: Demo) =>
        execa(NODE, [CTL, 'weight', '--slot', 'green', '--weight', '10', '--stable', 'blue'], {
          env: demo.env,
          reject: false,
        });
      const refused = await greenAt10(first);
      assert.equal(refused.exitCode, 1, refused.stdout);
      assert.match(
        refused.stderr,
        /refusing to split traffic: the backend balances with "first", which gives every request to the first usable server whatever the weights: green=10 blue=90 cannot be split; balance it with roundrobin; nothing was changed/,
      );
      assert.deepEqual(await versionsOf(first.url, 10), { '1.0.0': 10 });
      // One server with weight is the same under every algorithm: the switch is made.
      await first.ctl('switch', '--slot', 'green');
      assert.deepEqual(await versionsOf(first.url, 10), { '2.0.0': 10 });

      const warned = await greenAt10(leastconn);
      assert.equal(warned.exitCode, 0, warned.stderr);
      assert.match(
        warned.stderr,
        /warning: the backend balances with "leastconn": the weights \(green=10 blue=90\) split open connections, not requests/,
      );
    });

    test('a first blue-green deployment behind a haproxy where no server has weight yet goes live', async (t) => {
      const demo = await setupDemo(t, 'haproxy', { blue: 0, green: 0 });
      const config = join(demo.stateDir, 'deploy.yml');
      await writeFile(
        config,
        `preset: fast
${demoTargetYaml()}environments:
  production:
    strategy: blue-green
    monitor: 0
strategies:
  blue-green:
    verify_after_switch: 0
`,
      );
      const run = await deployV1(demo, config);
      const result = events(run.stdout).at(-1)?.result as { status: string; message: string } | undefined;
      assert.equal(run.code, 0, `${result?.message ?? ''}\n${run.stderr}`);
      assert.equal(result?.status, 'succeeded');
      assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'blue', version: 'v1' });
      assert.deepEqual(await versionsOf(demo.url, 10), { v1: 10 });
    });

    test('a first canary deployment behind a haproxy where no server has weight yet goes straight to 100 %', async (t) => {
      // It set blue=10 green=90 with nothing on green: the router refused it (green does not answer), and the
      // rollback's green=100 too, so a first canary deployment could not go live, nor be rolled back.
      const demo = await setupDemo(t, 'haproxy', { blue: 0, green: 0 });
      const config = join(demo.stateDir, 'deploy.yml');
      await writeFile(
        config,
        `preset: fast
${demoTargetYaml()}environments:
  production:
    strategy: { type: canary, steps: [10, { weight: 50, pause: manual }], pause: 1s }
    monitor: 0
`,
      );
      const run = await deployV1(demo, config);
      const lines = events(run.stdout);
      const result = lines.at(-1)?.result as { status: string; message: string } | undefined;
      assert.equal(run.code, 0, `${result?.message ?? ''}\n${run.stderr}`);
      assert.equal(result?.status, 'succeeded');
      const weights = lines.flatMap((e) => {
        const step = (e as { type: string; step?: { kind: string; weight?: number } }).step;
        return e.type === 'step-start' && step?.kind === 'set_weight' ? [step.weight] : [];
      });
      assert.deepEqual(weights, [100]);
      assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'blue', version: 'v1' });
      assert.deepEqual(await versionsOf(demo.url, 10), { v1: 10 });
    });

    // Beside the tests above, not after them: it waits on its own processes, not on theirs.
    test('two environments behind one haproxy, each its own backend (one reached over TCP): two runs at once move only their own traffic', async (t) => {
      // One load balancer, two sites (two frontends): production's slots in be_app, ctl's default, and eu's in
      // be_eu, which its ctl is told by DEMO_HAPROXY_BACKEND. ctl used to know be_app only, so eu's switch moved
      // production's servers and eu's traffic never moved. eu's ctl reaches the runtime API over TCP, as a
      // `stats socket ipv4@...` line serves it (ctl took the address for a file name).
      const [prodPorts, euPorts] = [await freePorts(2), await freePorts(2)];
      const haproxy = await startHaproxy(t, {
        servers: { blue: prodPorts[0]!, green: prodPorts[1]! },
        weights: { blue: 100, green: 0 },
        check: 'tcp',
        statsTcp: true,
        also: [
          {
            backend: 'be_eu',
            servers: { blue: euPorts[0]!, green: euPorts[1]! },
            weights: { blue: 100, green: 0 },
          },
        ],
      });
      const site = async (name: string, ports: number[], backend?: string, socket = haproxy.socketPath) => {
        const stateDir = await mkdtemp(join(tmpdir(), `demo-${name}-`));
        const env: Record<string, string> = {
          DEMO_STATE_DIR: stateDir,
          DEMO_PORTS: `blue=${ports[0]},green=${ports[1]}`,
          DEMO_ROUTER: 'haproxy',
          DEMO_HAPROXY_SOCKET: socket,
          ...(backend ? { DEMO_HAPROXY_BACKEND: backend } : {}),
          DEMO_START_TIMEOUT_MS: '8000',
          PATH: `${dirname(NODE)}:${process.env.PATH ?? ''}`,
        };
        t.after(async () => {
          await execa(NODE, [CTL, 'down'], { env, reject: false, timeout: 30_000 });
          await rm(stateDir, { recursive: true, force: true });
        });
        const ctl = async (...args: string[]) => {
          const r = await execa(NODE, [CTL, ...args], { env, reject: false, timeout: 30_000 });
          assert.equal(r.exitCode, 0, `${name}: ctl ${args.join(' ')} failed:\n${r.stderr}`);
          return r.stdout;
        };
        await ctl('deploy', '--slot', 'blue', '--version', `${name}-1`);
        await ctl('switch', '--slot', 'blue');
        const config = join(stateDir, 'deploy.yml');
        await writeFile(
          config,
          `preset: fast
${demoTargetYaml()}environments:
  ${name}:
    strategy: ${name === 'production' ? '{type: canary, steps: [50], pause: 1s}' : 'blue-green'}
    monitor: 0
strategies:
  blue-green:
    verify_after_switch: 1s
`,
        );
        const run = () =>
          runCli(
            [
              'run',
              '-e',
              name,
              '-v',
              `${name}-2`,
              '-c',
              config,
              '--state-dir',
              join(stateDir, 'st'),
              '--json',
            ],
            { cwd: repoRoot, env },
          );
        return { ctl, run };
      };
      const [production, eu] = [
        await site('production', prodPorts),
        await site('eu', euPorts, 'be_eu', haproxy.statsAddress),
      ];
      const euUrl = haproxy.also[0]!.url;
      assert.deepEqual(await versionsOf(euUrl, 10), { 'eu-1': 10 });

      const runs = await Promise.all([production.run(), eu.run()]);
      for (const [name, run] of [
        ['production', runs[0]],
        ['eu', runs[1]],
      ] as const) {
        const result = events(run.stdout).at(-1)?.result as { status: string; message: string } | undefined;
        assert.equal(run.code, 0, `${name}: ${result?.message ?? ''}\n${run.stderr}`);
      }
      assert.deepEqual(await versionsOf(haproxy.url, 10), { 'production-2': 10 });
      assert.deepEqual(await versionsOf(euUrl, 10), { 'eu-2': 10 });
      assert.deepEqual(JSON.parse(await eu.ctl('current')), { slot: 'green', version: 'eu-2' });
      assert.deepEqual(JSON.parse(await production.ctl('current')), {
        slot: 'green',
        version: 'production-2',
      });
    });
  },
);
