// An option a command does not have is refused by name, with commander's "Did you mean", even when the
// command has a required option the misspelt one was meant to be (`run --enviroment production` said only
// that -e was not specified). A required option left out is still named, with the same exit codes.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { ANALYZE_EXIT_CODES } from '../../../src/analysis/exit-codes.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';
import { repoRoot } from '../../helpers/cli.ts';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

test('a misspelt required option is named as unknown, with the option meant', async () => {
  for (const [argv, flag, meant, code] of [
    [['plan', '--enviroment', 'production'], '--enviroment', '--environment', EXIT_CODES.invalidOrBlocked],
    [
      ['run', '--envrionment', 'production', '--json'],
      '--envrionment',
      '--environment',
      EXIT_CODES.invalidOrBlocked,
    ],
    [['status', '--enviroment', 'staging'], '--enviroment', '--environment', EXIT_CODES.invalidOrBlocked],
    [['abort', '--enviroment', 'staging'], '--enviroment', '--environment', EXIT_CODES.invalidOrBlocked],
    [
      ['state-key', '--repositry', 'o/r', '--environment', 'e'],
      '--repositry',
      '--repository',
      EXIT_CODES.invalidOrBlocked,
    ],
    [['analyze', '--recordng', 'r.json'], '--recordng', '--recording', ANALYZE_EXIT_CODES['bad-input']],
  ] as const) {
    const result = await cli([...argv]);
    assert.equal(result.code, code, argv.join(' '));
    assert.equal(result.out, '', argv.join(' '));
    assert.match(
      result.err,
      new RegExp(`^error: unknown option '${flag}'\\n\\(Did you mean ${meant}\\?\\)\\n`),
      argv.join(' '),
    );
  }
});

test('a required option left out is still named, and nothing runs', async () => {
  for (const [argv, flags, code] of [
    [['run', '--json'], '-e, --environment <name>', EXIT_CODES.invalidOrBlocked],
    [['promote'], '-e, --environment <name>', EXIT_CODES.invalidOrBlocked],
    [['state-key', '--environment', 'e'], '--repository <owner/name>', EXIT_CODES.invalidOrBlocked],
    [['analyze'], '-r, --recording <file>', ANALYZE_EXIT_CODES['bad-input']],
  ] as const) {
    const result = await cli([...argv]);
    assert.equal(result.code, code, argv.join(' '));
    assert.equal(result.out, '', argv.join(' '));
    assert.match(
      result.err,
      new RegExp(`^error: required option '${flags}' not specified\\n`),
      argv.join(' '),
    );
  }
});

test('--help still works without the required options', async () => {
  const result = await cli(['run', '--help']);
  assert.equal(result.code, EXIT_CODES.success);
  assert.match(result.out, /-e, --environment <name>/);
});

test('reconcile names a misspelt environment as the other commands do, with the one meant', async () => {
  const state = mkdtempSync(join(tmpdir(), 'reconcile-typo-'));
  try {
    const config = join(repoRoot, 'examples/demo/deploy.yml');
    const result = await cli(['reconcile', '-e', 'prodution,flet', '-c', config, '--state-dir', state]);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked);
    assert.equal(result.out, '');
    // Was: no environment "prodution", "flet" in the config (it has production, fleet)
    assert.equal(
      result.err,
      'error: unknown environment "prodution": the config defines "production" and "fleet": did you mean "production"?; ' +
        'unknown environment "flet": the config defines "production" and "fleet": did you mean "fleet"?\n',
    );
    assert.deepEqual(readdirSync(state), [], 'nothing read or written');
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('a misspelt option written with its value (--name=value) gets the same "Did you mean" as the spaced form', async () => {
  for (const [argv, flag, meant] of [
    [['run', '--environmnt=production'], '--environmnt', '--environment'],
    [['plan', '--enviroment=staging', '--version', 'v1'], '--enviroment', '--environment'],
    [['validate', '--confg=.github/deploy.yml'], '--confg', '--config'],
    [['analyze', '--recordng=recordings/canary-run.json'], '--recordng', '--recording'],
  ] as const) {
    const result = await cli([...argv]);
    assert.notEqual(result.code, EXIT_CODES.success, argv.join(' '));
    assert.equal(result.out, '', argv.join(' '));
    // The option is named, not its value (which may be a token).
    assert.match(
      result.err,
      new RegExp(`^error: unknown option '${flag}'\\n\\(Did you mean ${meant}\\?\\)\\n`),
      argv.join(' '),
    );
  }
  // A flag that takes no value, given one, is named as such rather than as unknown.
  const json = await cli(['validate', '--json=true']);
  assert.equal(json.code, EXIT_CODES.invalidOrBlocked);
  assert.match(json.err, /^error: option '--json' takes no value: write --json alone\n/);
  // The right option with its value still works as before.
  const known = await cli(['validate', '--config=does-not-exist.yml']);
  assert.doesNotMatch(known.err, /unknown option/);
});
