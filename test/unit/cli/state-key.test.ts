// `deploy-action state-key`: prints the environment's key exactly as the App derives it, never the master.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';
import { parseStateKey, stateKey, stateKeysFor } from '../../../src/state/state-key.ts';

const MASTER = 'master-secret-of-the-app-0123456789abcdef';

async function cli(args: string[], env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  let out = '';
  let err = '';
  try {
    const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } finally {
    // Put back in place, not by replacing process.env (a plain object then, which no longer converts what is
    // set on it to text nor reaches the process's real environment): the next test may share this process.
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

test('prints the key the App accepts for that repository and environment, and nothing of the master', async () => {
  const run = await cli(['state-key', '--repository', 'Acme/Web', '--environment', 'production'], {
    DEPLOY_ACTION_MARKER_KEY: MASTER,
  });
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /^[0-9a-f]{64}\n$/);
  const printed = parseStateKey(run.out, 'output');
  const app = stateKeysFor(markerKeys({ secret: MASTER }), 'acme/web', 'production');
  assert.deepEqual(printed, app[0]);
  assert.ok(!run.out.includes(MASTER) && !run.err.includes(MASTER));
  const staging = await cli(['state-key', '--repository', 'acme/web', '--environment', 'staging'], {
    DEPLOY_ACTION_MARKER_KEY: MASTER,
  });
  assert.notEqual(staging.out, run.out, 'each environment has its own key');
});

test('from the App private key when there is no DEPLOY_ACTION_MARKER_KEY', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'state-key-'));
  try {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs1',
      format: 'pem',
    }) as string;
    const file = join(dir, 'app.pem');
    writeFileSync(file, pem);
    const run = await cli(
      ['state-key', '--repository', 'acme/web', '--environment', 'production', '--private-key-file', file],
      { DEPLOY_ACTION_MARKER_KEY: undefined },
    );
    assert.equal(run.code, 0, run.err);
    const expected = stateKey(markerKeys({ privateKey: pem }).current, 'acme/web', 'production');
    assert.equal(run.out, `${expected.toString('hex')}\n`);
    assert.ok(!run.out.includes('PRIVATE KEY'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input exits 2 with what was wrong, never echoing a secret', async () => {
  const cases: Array<[string[], Record<string, string | undefined>, RegExp]> = [
    [['--repository', 'acme', '--environment', 'p'], { DEPLOY_ACTION_MARKER_KEY: MASTER }, /owner\/name/],
    [
      ['--repository', 'acme/web', '--environment', 'p'],
      { DEPLOY_ACTION_MARKER_KEY: undefined },
      /set DEPLOY_ACTION_MARKER_KEY/,
    ],
    [
      ['--repository', 'acme/web', '--environment', 'p'],
      { DEPLOY_ACTION_MARKER_KEY: 'too-short-1' },
      /DEPLOY_ACTION_MARKER_KEY must be at least 32/,
    ],
    [
      ['--repository', 'acme/web', '--environment', 'p', '--private-key-file', '/nonexistent/app.pem'],
      { DEPLOY_ACTION_MARKER_KEY: undefined },
      /--private-key-file \/nonexistent\/app.pem cannot be read: ENOENT/,
    ],
  ];
  for (const [args, env, message] of cases) {
    const run = await cli(['state-key', ...args], env);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.err, message);
    assert.equal(run.out, '');
    assert.ok(!run.err.includes('too-short-1'));
  }
});

test('a file that is no private key, a key file beside DEPLOY_ACTION_MARKER_KEY and a name no environment has are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'state-key-'));
  try {
    const notKey = join(dir, 'app.pub');
    writeFileSync(notKey, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9f0t9lB4iMZ0v0hYQ3bm0mVbqL7H0 app\n');
    const args = ['state-key', '--repository', 'acme/web', '--environment', 'production'];
    // Before: a key derived from whatever the file held, printed with exit 0.
    const notPem = await cli([...args, '--private-key-file', notKey], {
      DEPLOY_ACTION_MARKER_KEY: undefined,
    });
    assert.equal(notPem.code, 2);
    assert.match(notPem.err, /--private-key-file .*app\.pub holds no PEM private key/);
    assert.equal(notPem.out, '');
    // Before: the file was not read at all, the key derived from the variable, exit 0.
    const both = await cli([...args, '--private-key-file', notKey], { DEPLOY_ACTION_MARKER_KEY: MASTER });
    assert.equal(both.code, 2);
    assert.match(both.err, /DEPLOY_ACTION_MARKER_KEY is set and --private-key-file is given/);
    assert.ok(!both.err.includes(MASTER));
    // Before: a key printed for " production", which no record of "production" is signed with.
    for (const name of [' production', 'prod uction', 'prod/eu', '..']) {
      const odd = await cli(['state-key', '--repository', 'acme/web', '--environment', name], {
        DEPLOY_ACTION_MARKER_KEY: MASTER,
      });
      assert.equal(odd.code, 2, name);
      assert.match(odd.err, /--environment must be an environment's name as the Action takes it/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-e names the environment, as in every other command', async () => {
  // Before: "unknown option '-e': ... it is an option of plan", while state-key has --environment.
  const short = await cli(['state-key', '--repository', 'acme/web', '-e', 'production'], {
    DEPLOY_ACTION_MARKER_KEY: MASTER,
  });
  const long = await cli(['state-key', '--repository', 'acme/web', '--environment', 'production'], {
    DEPLOY_ACTION_MARKER_KEY: MASTER,
  });
  assert.equal(short.code, 0, short.err);
  assert.equal(short.out, long.out);
});
