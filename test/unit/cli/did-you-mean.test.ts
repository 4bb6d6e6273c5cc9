// Bad arguments are named with what was probably meant: a strategy misspelt, and an option this command
// does not have but another one does (commander offered the nearest of this command's own: "promote
// --reason" was told "Did you mean --json?").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

test('a misspelt strategy is named with the one meant', async () => {
  for (const written of ['canry', 'Canary', 'blue_green']) {
    const { code, err } = await cli(['plan', '-e', 'production', '--strategy', written]);
    assert.equal(code, EXIT_CODES.invalidOrBlocked);
    const meant = written === 'blue_green' ? 'blue-green' : 'canary';
    assert.match(
      err,
      new RegExp(
        `argument '${written}' is invalid\\. Allowed choices are direct, rolling, blue-green, canary; did you mean "${meant}"\\?\\n`,
      ),
    );
  }
  const { err } = await cli(['plan', '-e', 'production', '--strategy', 'zzz']);
  assert.match(err, /Allowed choices are direct, rolling, blue-green, canary\.\n/);
});

test('an option of another command is named as that command’s', async () => {
  const promote = await cli(['promote', '-e', 'production', '--reason', 'x']);
  assert.equal(promote.code, EXIT_CODES.invalidOrBlocked);
  assert.match(
    promote.err,
    /^error: unknown option '--reason': promote has no such option; it is an option of abort: see deploy-action promote --help\n/,
  );
  assert.doesNotMatch(promote.err, /--json/);
  const written = await cli(['promote', '-e', 'production', '--reason=x']);
  assert.match(
    written.err,
    /^error: unknown option '--reason': promote has no such option; it is an option of abort/,
  );
  // A misspelling of this command's own option keeps commander's suggestion.
  const misspelt = await cli(['abort', '-e', 'production', '--reasn', 'x']);
  assert.match(misspelt.err, /unknown option '--reasn'\n\(Did you mean --reason\?\)/);
});

test('help for a command that does not exist names it, with the likely one', async () => {
  // Before: the general help, on stderr with exit 2, and no word of what was wrong.
  const typo = await cli(['help', 'valdate']);
  assert.equal(typo.code, EXIT_CODES.invalidOrBlocked);
  assert.equal(typo.out, '');
  assert.equal(
    typo.err,
    'error: unknown command "valdate"\n(Did you mean validate?)\n(run with --help for usage)\n',
  );
  const none = await cli(['help', 'deploy\n::error::x']);
  assert.equal(none.err, 'error: unknown command "deploy\\n::error::x"\n(run with --help for usage)\n');
  const known = await cli(['help', 'validate']);
  assert.equal(known.code, EXIT_CODES.success);
  assert.match(known.out, /^Usage: deploy-action validate/);
});
