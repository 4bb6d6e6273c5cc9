// splitCommand remembers recent splits (a shared command is split once per environment otherwise): what a
// caller does with the argv it was given must not change what the next caller gets.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { splitCommand } from '../../../src/targets/command-line.ts';

it('a repeated split gives the same words, in an argv of its own', () => {
  const first = splitCommand(`./deploy.sh --to 'eu west' {{version}}`);
  assert.deepEqual(first, { ok: true, argv: ['./deploy.sh', '--to', 'eu west', '{{version}}'] });
  if (first.ok) first.argv.push('--injected');
  const again = splitCommand(`./deploy.sh --to 'eu west' {{version}}`);
  assert.deepEqual(again, { ok: true, argv: ['./deploy.sh', '--to', 'eu west', '{{version}}'] });
});

it('a refused command is refused again with the same message', () => {
  const message = '"|" needs a shell: set "shell: true" for this command, or write it as an argv list';
  assert.deepEqual(splitCommand('a | b'), { ok: false, message });
  assert.deepEqual(splitCommand('a | b'), { ok: false, message });
});

it('more distinct commands than it remembers are each split as written', () => {
  for (let i = 0; i < 1000; i++)
    assert.deepEqual(splitCommand(`run ${i}`), { ok: true, argv: ['run', String(i)] });
  assert.deepEqual(splitCommand('run 0'), { ok: true, argv: ['run', '0'] });
});
