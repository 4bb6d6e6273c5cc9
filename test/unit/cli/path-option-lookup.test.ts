// A path option (--state-dir, run --record) whose lookup fails for a reason other than "not there" (a loop of
// symbolic links, a name too long) is the user's bad input: refused before anything runs, exit 2, the option
// and the reason named. stat's error thrown from the option's parser was an internal error, exit 1 with a stack.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

const dir = mkdtempSync(join(tmpdir(), 'path-option-lookup-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'deploy.yml');
writeFileSync(
  config,
  'target:\n  commands:\n    deploy: echo {{version}}\n    health: "true"\nenvironments:\n  production: {}\n',
);
// loop-a -> loop-b -> loop-a: every lookup through them fails with ELOOP.
symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
const loop = join(dir, 'loop-a');
const tooLong = join(dir, 'n'.repeat(300));

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const cases: Array<[string, string[], string]> = [
  ['status --state-dir on a symlink loop', ['status', '-e', 'production', '--state-dir', loop], 'ELOOP'],
  [
    'run --state-dir under a symlink loop',
    ['run', '-e', 'production', '-v', 'v1', '--state-dir', join(loop, 'state')],
    'ELOOP',
  ],
  ['reconcile --state-dir with a name too long', ['reconcile', '--state-dir', tooLong], 'ENAMETOOLONG'],
  ['metrics --state-dir on a symlink loop', ['metrics', '--state-dir', loop], 'ELOOP'],
  ['run --record on a symlink loop', ['run', '-e', 'production', '-v', 'v1', '--record', loop], 'ELOOP'],
  [
    'run --record under a symlink loop',
    ['run', '-e', 'production', '-v', 'v1', '--record', join(loop, 'rec.ndjson')],
    'ELOOP',
  ],
];

for (const [name, argv, code] of cases)
  test(`${name}: refused as invalid input, naming the option and why`, async () => {
    const result = await cli([...argv, '-c', config]);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, result.err);
    assert.equal(result.out, '');
    assert.doesNotMatch(result.err, /internal error/);
    assert.match(result.err, /option '--(state-dir|record) <(dir|file)>'/);
    assert.match(result.err, new RegExp(code));
  });
