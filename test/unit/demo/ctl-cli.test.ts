// ctl's argument and environment errors: each exits non-zero with a message saying what was wrong.
// (No router or service is needed: these fail before touching anything, which the last test checks.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readCtlEnv } from '../../../examples/demo/lib/ctl-env.ts';
import { freePort } from '../../helpers/ports.ts';

const CTL = fileURLToPath(new URL('../../../examples/demo/ctl.ts', import.meta.url));
const GOOD_ENV = {
  DEMO_STATE_DIR: '/nonexistent-demo-state',
  DEMO_PORTS: 'blue=1,green=2',
  DEMO_ROUTER_ADMIN: '127.0.0.1:1',
};

async function ctl(args: string[], env: Record<string, string> = GOOD_ENV) {
  const r = await execa(process.execPath, [CTL, ...args], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 20_000,
  });
  return { code: r.exitCode, stderr: r.stderr };
}

test('ctl rejects bad arguments with a clear message and a non-zero exit', async () => {
  const cases: [string[], RegExp][] = [
    [['deploy', '--slot', 'blue'], /required option '--version <version>' not specified/],
    [['deploy', '--version', '1'], /one of --slot <name> or --instances <a,b,...> is required/],
    [
      ['deploy', '--slot', 'blue', '--instances', 'i1', '--version', '1'],
      /give --slot or --instances, not both/,
    ],
    [['deploy', '--slot', 'a b', '--version', '1'], /--slot: "a b" is not a valid name/],
    [
      ['weight', '--slot', 'green', '--weight', 'ten', '--stable', 'blue'],
      /--weight must be a whole number from 0 to 100, got "ten"/,
    ],
    [
      ['weight', '--slot', 'green', '--weight', '10', '--stable', 'blue', '--baseline', 'baseline'],
      /give --baseline and --baseline-weight together/,
    ],
    [
      ['weight', '--slot', 'green', '--weight', '10', '--stable', 'blue', '--baseline-weight', '10'],
      /give --baseline and --baseline-weight together/,
    ],
    [
      [
        'weight',
        '--slot',
        'green',
        '--weight',
        '10',
        '--stable',
        'blue',
        '--baseline',
        'b',
        '--baseline-weight',
        'x',
      ],
      /--baseline-weight must be a whole number from 0 to 100, got "x"/,
    ],
    [['health', '--slot', 'purple'], /DEMO_PORTS has no port for "purple" \(known: blue, green\)/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  const results = await Promise.all(cases.map(([args]) => ctl(args)));
  results.forEach((r, i) => {
    const [args, message] = cases[i]!;
    assert.notEqual(r.code, 0, `ctl ${args.join(' ')} should fail`);
    assert.match(r.stderr, message, `ctl ${args.join(' ')}`);
  });
});

test('ctl names the missing or bad environment variable', async () => {
  const missing = await ctl(['current'], { DEMO_PORTS: 'blue=1' });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /DEMO_STATE_DIR is not set/);
  const unreachable = await ctl(['current']);
  assert.equal(unreachable.code, 1);
  assert.match(
    unreachable.stderr,
    /cannot reach the embedded router's admin API at http:\/\/127.0.0.1:1 \(DEMO_ROUTER_ADMIN\)/,
  );
});

test('readCtlEnv validates each variable', () => {
  assert.throws(
    () => readCtlEnv({ ...GOOD_ENV, DEMO_ROUTER: 'traefik' }),
    /DEMO_ROUTER must be "embedded", "haproxy" or "nginx", got "traefik"/,
  );
  assert.throws(() => readCtlEnv({ ...GOOD_ENV, DEMO_ROUTER: 'haproxy' }), /DEMO_HAPROXY_SOCKET is not set/);
  assert.throws(() => readCtlEnv({ ...GOOD_ENV, DEMO_ROUTER_ADMIN: '' }), /DEMO_ROUTER_ADMIN is not set/);
  assert.throws(
    () => readCtlEnv({ ...GOOD_ENV, DEMO_PORTS: 'blue' }),
    /DEMO_PORTS: "blue" must look like blue=18081/,
  );
  assert.throws(
    () => readCtlEnv({ ...GOOD_ENV, DEMO_START_TIMEOUT_MS: '5s' }),
    /DEMO_START_TIMEOUT_MS must be a number/,
  );
  const env = readCtlEnv({ ...GOOD_ENV, DEMO_ROUTER: 'haproxy', DEMO_HAPROXY_SOCKET: '/s' });
  assert.deepEqual(env.router, { kind: 'haproxy', socketPath: '/s', backend: 'be_app' });
  const haproxy = { ...GOOD_ENV, DEMO_ROUTER: 'haproxy', DEMO_HAPROXY_SOCKET: '/s' };
  assert.deepEqual(readCtlEnv({ ...haproxy, DEMO_HAPROXY_BACKEND: 'be_eu.1' }).router, {
    kind: 'haproxy',
    socketPath: '/s',
    backend: 'be_eu.1',
  });
  // The name goes into runtime API commands: nothing that would be another argument or command.
  for (const backend of ['be app', 'be;show info', 'be\nshutdown sessions', 'be/x'])
    assert.throws(
      () => readCtlEnv({ ...haproxy, DEMO_HAPROXY_BACKEND: backend }),
      /DEMO_HAPROXY_BACKEND: .* is not a haproxy backend name/,
      backend,
    );
  assert.equal(env.ports.get('green'), 2);
  assert.equal(env.startTimeoutMs, 15_000);
});

test('a deploy whose router cannot be reached fails before anything is started', async (t) => {
  // ctl used to start the new process first, then fail on the router: the process was left running with no
  // record of why, and the deployment's rollback (ctl teardown) could not reach the router to take it down.
  const stateDir = await mkdtemp(join(tmpdir(), 'ctl-unreachable-'));
  const port = await freePort();
  const env = {
    DEMO_STATE_DIR: stateDir,
    DEMO_PORTS: `blue=${port}`,
    DEMO_ROUTER: 'haproxy',
    DEMO_HAPROXY_SOCKET: join(stateDir, 'no-haproxy.sock'),
  };
  t.after(async () => {
    await ctl(['down'], env);
    await rm(stateDir, { recursive: true, force: true });
  });
  const r = await ctl(['deploy', '--slot', 'blue', '--version', '1.0.0'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot reach haproxy runtime API at .*no-haproxy\.sock: connect ENOENT/);
  assert.equal(existsSync(join(stateDir, 'services', 'blue.json')), false, 'a service was started');
  const answered = await fetch(`http://127.0.0.1:${port}/health`).then(
    () => true,
    () => false,
  );
  assert.equal(answered, false, `something answers on blue's port ${port}`);
});
