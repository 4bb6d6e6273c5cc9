// An error the CLI does not expect (a defect) is said through the same masking writer as everything else it
// prints: before, it escaped main() and Node printed it, stack and message, straight to standard error, so a
// message quoting a URL with a config's secret in it showed that secret. The value is made at test time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, mock, test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { runCli } from '../../helpers/cli.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';

const SECRET = `planted${randomBytes(9).toString('hex')}`;
let dir: string;
let configPath: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'internal-error-'));
  configPath = join(dir, 'deploy.yml');
  writeFileSync(
    configPath,
    `state_dir: ${dir}/state
notifications:
  channels:
    hook: { type: webhook, url_env: T_INTERNAL_URL, secret_env: T_INTERNAL_SECRET }
target:
  commands:
    deploy: ["true"]
    switch: ["true"]
    health: ["true"]
environments:
  production:
    strategy: direct
`,
  );
  process.env.T_INTERNAL_SECRET = SECRET;
  process.env.T_INTERNAL_URL = 'http://127.0.0.1:9/hook';
});

after(() => {
  delete process.env.T_INTERNAL_SECRET;
  delete process.env.T_INTERNAL_URL;
  rmSync(dir, { recursive: true, force: true });
});

test('an unexpected error is printed masked, with exit 1, not thrown past the masking writer', async (t) => {
  // A defect stands in for any: the state read throws an error that quotes the secret.
  t.after(() => mock.restoreAll());
  mock.method(FileStateStore.prototype, 'read', () => {
    throw new Error(`cannot reach https://user:${SECRET}@127.0.0.1:9/state`);
  });
  let out = '';
  let err = '';
  const code = await main(['status', '-e', 'production', '-c', configPath], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  assert.equal(code, 1);
  assert.match(
    err,
    /^deploy-action: internal error: Error: cannot reach https:\/\/user:\*\*\*@127\.0\.0\.1:9\/state\n/,
  );
  assert.ok(!(out + err).includes(SECRET), err);
});

test('an unexpected value that is not an Error (a library rejecting with an object) says what it holds, masked', async (t) => {
  t.after(() => mock.restoreAll());
  mock.method(FileStateStore.prototype, 'read', () => {
    throw { code: 'ECONNRESET', url: `https://user:${SECRET}@127.0.0.1:9/state` };
  });
  let err = '';
  const code = await main(['status', '-e', 'production', '-c', configPath], {
    out: () => {},
    err: (text) => void (err += text),
  });
  assert.equal(code, 1);
  // Said as Node says an uncaught value, not "[object Object]", which named nothing.
  assert.match(
    err,
    /^deploy-action: internal error: \{ code: 'ECONNRESET', url: 'https:\/\/user:\*\*\*@127\.0\.0\.1:9\/state' \}\n/,
  );
  assert.ok(!err.includes(SECRET), err);
});

test('an unexpected error says what it was caused by, and an AggregateError each of its errors, masked', async (t) => {
  t.after(() => mock.restoreAll());
  mock.method(FileStateStore.prototype, 'read', () => {
    const refused = new Error(`connect ECONNREFUSED https://user:${SECRET}@127.0.0.1:9`);
    const timedOut = new Error('read timed out after 10 s');
    throw new Error('the state could not be read', {
      cause: new AggregateError([refused, timedOut], 'every address failed'),
    });
  });
  let err = '';
  const code = await main(['status', '-e', 'production', '-c', configPath], {
    out: () => {},
    err: (text) => void (err += text),
  });
  assert.equal(code, 1);
  assert.match(err, /^deploy-action: internal error: Error: the state could not be read\n/);
  // The wrapped errors' own messages, which say why, as Node's report shows them.
  assert.match(err, /\n\[cause\]: AggregateError: every address failed\n/);
  assert.match(err, /\n\[errors\]: Error: connect ECONNREFUSED https:\/\/user:\*\*\*@127\.0\.0\.1:9\n/);
  assert.match(err, /\n\[errors\]: Error: read timed out after 10 s\n/);
  assert.ok(!err.includes(SECRET), err);
});

// Outside main(): work of the run's that rejects or throws with nobody to catch it (a timer, a stream's
// error event). Node's own report printed it raw; the entry point says it through the same masking writer.
for (const how of ['rejects', 'throws'] as const) {
  test(`an error thrown outside main() (background work that ${how}) is printed masked by the CLI's entry point, exit 1`, async (t) => {
    const preload = join(dir, `background-${how}.mjs`);
    const deploying = join(dir, `deploying-${how}`);
    // Only the CLI's own process misbehaves (NODE_OPTIONS reaches the deploy command too), once its deploy
    // command has begun: the config, and so the secret, is loaded by then.
    writeFileSync(
      preload,
      `import { existsSync } from 'node:fs';
      if (process.argv[1]?.endsWith('index.ts')) {
        const poll = setInterval(() => {
          if (!existsSync(${JSON.stringify(deploying)})) return;
          clearInterval(poll);
          const error = new Error('cannot reach https://user:' + process.env.T_INTERNAL_SECRET + '@127.0.0.1:9/state');
          ${how === 'rejects' ? 'void Promise.reject(error);' : 'throw error;'}
        }, 20);
      }\n`,
    );
    const config = join(dir, `slow-${how}.yml`);
    const hold = JSON.stringify([
      process.execPath,
      '-e',
      `require('node:fs').writeFileSync(${JSON.stringify(deploying)}, String(process.pid)); setTimeout(() => {}, 30000)`,
    ]);
    writeFileSync(
      config,
      `state_dir: ${dir}/state-${how}
notifications:
  channels:
    hook: { type: webhook, url_env: T_INTERNAL_URL, secret_env: T_INTERNAL_SECRET }
target:
  commands:
    deploy: ${hold}
    # The crash stops the run and it rolls back (util/crash-guard.ts): one that completes exits 1.
    rollback: ["true"]
    health: ["true"]
environments:
  production:
    strategy: direct
`,
    );
    const run = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', config], {
      env: { NODE_OPTIONS: `--import=${preload}` },
    });
    t.diagnostic(run.stderr);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /deploy-action: internal error: Error: cannot reach https:\/\/user:\*\*\*@127\.0\.0\.1:9\/state\n/,
    );
    assert.ok(!(run.stdout + run.stderr).includes(SECRET), run.stderr);
    // As after any exit of the CLI, the command it was running is not left behind.
    const pid = Number(readFileSync(deploying, 'utf8'));
    assert.ok(pid > 0);
    assert.equal(running(pid), false, `the deploy command (pid ${pid}) still runs`);
  });
}

/** Whether a process runs (a zombie nobody reaped has ended). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
