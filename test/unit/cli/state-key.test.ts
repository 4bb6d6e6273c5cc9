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
