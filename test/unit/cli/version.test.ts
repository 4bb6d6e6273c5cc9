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
});

test('--version with anything else is refused, in a sentence that names what to write (not "unknown option --version")', async () => {
  // Before: "error: unknown option '--version'" then "(Did you mean --version?)": lower case, and it
  // suggested the very option it refused.
  for (const argv of [['--version', 'extra'], ['-V', 'plan'], ['--version', '--json'], ['--version=1']]) {
    const run = await cli(argv);
    assert.equal(run.code, EXIT_CODES.invalidOrBlocked, argv.join(' '));
    assert.equal(run.out, '');
    const [first, ...rest] = run.err.split('\n');
    assert.match(first!, /^error: deploy-action --version is given alone/, run.err);
    assert.match(first!, /deploy-action run -e <environment> --version <version>/);
    assert.doesNotMatch(run.err, /Did you mean|unknown option/, run.err);
    assert.deepEqual(rest, ['(run with --help for usage)', '']);
  }
  const extra = await cli(['--version', 'extra']);
  assert.match(extra.err, /got "extra"/, extra.err);
});
