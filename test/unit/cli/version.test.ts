// `deploy-action --version` prints the version of package.json (a bug report's first question); the
// `--version <version>` of plan, run and alerts stays theirs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { repoRoot } from '../../helpers/cli.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

test('--version and -V print the version, exit 0', async () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  // Before: "error: unknown option '--version'", exit 2.
  for (const flag of ['--version', '-V'])
    assert.deepEqual(await cli([flag]), {
      code: EXIT_CODES.success,
      out: `deploy-action ${version}\n`,
      err: '',
    });
});

test("a command's own --version is still its option", async () => {
  const run = await cli(['plan', '--version']);
  assert.equal(run.code, EXIT_CODES.invalidOrBlocked);
  assert.match(run.err, /option '-v, --version <version>' argument missing/);
  const extra = await cli(['--version', 'plan']);
  assert.equal(extra.code, EXIT_CODES.invalidOrBlocked, 'not alone: read as before');
});
