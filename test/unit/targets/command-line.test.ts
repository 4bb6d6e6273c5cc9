// splitCommand remembers recent splits (a shared command is split once per environment otherwise): what a
// caller does with the argv it was given must not change what the next caller gets.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { splitCommand } from '../../../src/targets/command-line.ts';
import { parseConfig } from '../../../src/config/load.ts';

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

// shell-quote reads a line break as a blank and drops a quote left open: the command run was not the one
// written (`cd app` and `./deploy.sh` as one command, `echo 'a b` as echo a b), where a shell reads two
// commands, or waits for the rest.
it('a line break between words, or a quote left open, is refused with where it is', () => {
  assert.deepEqual(splitCommand("echo 'open {{version}}"), {
    ok: false,
    message: "the quote ' at character 6 is never closed, so where its argument ends is not known: close it",
    offset: 5,
  });
  assert.equal(splitCommand('deploy "{{version}}').ok, false);
  const split = splitCommand('cd services/api\n./deploy.sh {{version}}');
  assert.equal(split.ok, false);
  assert.equal(split.ok ? undefined : split.offset, 15);
  assert.match(
    split.ok ? '' : split.message,
    /^a line break outside quotes \(character 16\) ends the command there, .*write the command on one line, set "shell: true" for it, or write it as an argv list$/,
  );
  assert.deepEqual(splitCommand('./deploy.sh {{version}} \\'), {
    ok: false,
    message: 'the command ends with a backslash, which escapes nothing: remove it',
  });
  // The config names it at its field.
  const parsed = parseConfig(
    'target:\n  commands:\n    deploy: "cd services/api\\n./deploy.sh {{version}}"\nenvironments:\n  production: {}\n',
    'deploy.yml',
  );
  assert.match(
    parsed.ok ? '' : parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n'),
    /^target\.commands\.deploy: a line break outside quotes \(character 16\)/,
  );
});

it('a line break inside quotes, after a backslash, or around the words keeps one command', () => {
  assert.deepEqual(splitCommand('./deploy.sh \\\n  --to eu {{version}}'), {
    ok: true,
    argv: ['./deploy.sh', '--to', 'eu', '{{version}}'],
  });
  assert.deepEqual(splitCommand('\n./deploy.sh {{version}}\n\n'), {
    ok: true,
    argv: ['./deploy.sh', '{{version}}'],
  });
  assert.deepEqual(splitCommand('notify "line one\nline two"'), {
    ok: true,
    argv: ['notify', 'line one\nline two'],
  });
});

it('${…} is kept as written, as $NAME is, and never throws', () => {
  assert.deepEqual(splitCommand('echo ${HOME}/app "${A}b" ${x'), {
    ok: true,
    argv: ['echo', '${HOME}/app', '${A}b', '${x'],
  });
  assert.deepEqual(splitCommand('echo $HOME'), { ok: true, argv: ['echo', '$HOME'] });
  assert.deepEqual(splitCommand("echo '${a'"), { ok: true, argv: ['echo', '${a'] });
});
