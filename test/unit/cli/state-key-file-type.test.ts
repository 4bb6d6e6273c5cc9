// `state-key --private-key-file` and the App's PRIVATE_KEY_PATH take a path the operator chooses: a named pipe
// there hung the command (its open waited for a writer, for ever), a directory gave a bare EISDIR. Each is
// refused, naming the option or variable, the path and what it is. Run in a child, bounded: a hang fails.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLI_SOURCE, repoRoot } from '../../helpers/cli.ts';
import { KEY_FILE_MAX_BYTES } from '../../../src/util/regular-file.ts';

let dir: string;
let fifo: string;
let directory: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'key-file-type-'));
  fifo = join(dir, 'app.pem');
  execFileSync('mkfifo', [fifo]);
  directory = join(dir, 'keys');
  mkdirSync(directory);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `node args`, ended after 10 s if it has not (a hang is the failure this guards). */
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { DEPLOY_ACTION_MARKER_KEY: _unused, ...rest } = process.env;
  return spawnSync(process.execPath, args, {
    cwd: repoRoot,
    env: { ...rest, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
}

/** `deploy-action state-key` of acme/web production with `--private-key-file path`, bounded (run). */
const stateKeyFrom = (path: string) =>
  run([
    CLI_SOURCE,
    'state-key',
    '--repository',
    'acme/web',
    '--environment',
    'production',
    '--private-key-file',
    path,
  ]);

test('state-key --private-key-file: a named pipe or a directory is refused, not waited on', () => {
  for (const [path, what] of [
    [fifo, 'a FIFO'],
    [directory, 'a directory'],
  ] as const) {
    const result = stateKeyFrom(path);
    assert.equal(result.signal, null, `hung on ${what}`);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(
      result.stderr,
      `error: --private-key-file ${path} cannot be read: ${what}, not a regular file\n`,
    );
  }
});

test('state-key --private-key-file: a file far larger than any key (a wrong path to a log) is refused unread', () => {
  const big = join(dir, 'build.log');
  writeFileSync(big, `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(KEY_FILE_MAX_BYTES)}\n`);
  const result = stateKeyFrom(big);
  assert.equal(result.status, 2, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `^error: --private-key-file .*build\\.log cannot be read: \\d+ bytes, more than the ${KEY_FILE_MAX_BYTES} such a file may have\n$`,
    ),
  );
});

test("the App's PRIVATE_KEY_PATH: a named pipe or a directory is a settings problem naming it", () => {
  const script =
    "import { settingsFromEnv } from './app/config.ts';" +
    'try { settingsFromEnv(process.env); } catch (error) { console.log(error.problems.join("\\n")); }';
  for (const [path, what] of [
    [fifo, 'a FIFO'],
    [directory, 'a directory'],
  ] as const) {
    const result = run(['--input-type=module', '-e', script], {
      APP_ID: '12',
      WEBHOOK_SECRET: 'sekret',
      PRIVATE_KEY: '',
      PRIVATE_KEY_PATH: path,
    });
    assert.equal(result.signal, null, `hung on ${what}`);
    assert.ok(
      result.stdout.includes(`PRIVATE_KEY_PATH (${path}) cannot be read: ${what}, not a regular file`),
      result.stdout + result.stderr,
    );
  }
});
