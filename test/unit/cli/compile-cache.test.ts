// The built binary keeps Node's compile cache, so a later start skips compiling the CLI's bundle; Node's own
// switch turns it off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_BUNDLE, repoRoot } from '../../helpers/cli.ts';

const exec = promisify(execFile);

/** Runs `deploy-action --help` with its temporary directory at a fresh place; answers that place. */
async function helpWithTemp(extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const temp = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: temp, NO_COLOR: '1', ...extra };
  delete env.NODE_COMPILE_CACHE;
  const { stdout } = await exec(process.execPath, [CLI_BUNDLE, '--help'], { cwd: repoRoot, env });
  assert.match(stdout, /deploy-action/);
  return temp;
}

/** Every file under a directory, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

test("the built CLI writes its compiled code to Node's compile cache in the temporary directory", async (t) => {
  const temp = await helpWithTemp();
  t.after(() => rmSync(temp, { recursive: true, force: true }));
  const cache = join(temp, 'node-compile-cache');
  assert.ok(existsSync(cache), 'node-compile-cache was created');
  // The CLI's bundle and the chunks --help loads (the launcher itself is compiled before the cache is on).
  assert.ok(filesUnder(cache).length >= 2, `cached: ${filesUnder(cache).join(', ')}`);
});

test('NODE_DISABLE_COMPILE_CACHE=1 keeps the CLI from writing a cache', async (t) => {
  const temp = await helpWithTemp({ NODE_DISABLE_COMPILE_CACHE: '1' });
  t.after(() => rmSync(temp, { recursive: true, force: true }));
  assert.equal(existsSync(join(temp, 'node-compile-cache')), false);
});
