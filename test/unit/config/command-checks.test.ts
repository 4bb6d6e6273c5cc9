// A command shared by many environments is analysed once per validation (src/config/command-checks.ts): the
// answers must be the ones the analysis gives for those exact words, and each environment's issue its own path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandChecks } from '../../../src/config/command-checks.ts';
import { errorsOf } from '../../helpers/config-text.ts';

test('a command is analysed once per validation, keyed by its words, not by their text', () => {
  const checks = commandChecks();
  const refused = ['bash', '-c', 'echo `{{version}}`'];
  // The same characters in other words: `{{version}}` is an argument of the script, not inside its backticks.
  const split = ['bash', '-c', 'echo', '`{{version}}`'];
  assert.deepEqual(checks.argvProblems(split), []);
  assert.deepEqual(checks.argvProblems(refused), [
    'in the script of "bash -c": {{version}} (character 7) is inside backticks, where quoting cannot protect a value: write $(…) instead of `…`',
  ]);
  // Asked again with equal words (another array), the first answer is given back, not worked out anew.
  assert.equal(checks.argvProblems([...refused]), checks.argvProblems(refused));
  assert.equal(checks.shellProblems('deploy `{{version}}`'), checks.shellProblems('deploy `{{version}}`'));
  assert.match(checks.shellProblems('deploy `{{version}}`')[0]!.message, /inside backticks/);
  assert.equal(checks.shellProblems('deploy `{{version}}`')[0]!.offset, 8);
  assert.deepEqual(checks.shellProblems('deploy "{{version}}"'), []);
  // Answers are frozen: a caller cannot change what the next environment is told.
  assert.throws(() => (checks.argvProblems(refused) as string[]).push('x'), TypeError);
});

test('one refused command in many environments: shared, reported once at the target; own, at each environment', () => {
  const command = '["bash", "-c", "echo `{{version}}`"]';
  const message =
    'in the script of "bash -c": {{version}} (character 7) is inside backticks, where quoting cannot protect a value: write $(…) instead of `…`';
  const names = Array.from({ length: 50 }, (_, i) => `e${i}`);
  const shared = `target:\n  commands:\n    deploy: ${command}\nenvironments:\n${names.map((n) => `  ${n}: {}\n`).join('')}`;
  assert.deepEqual(errorsOf(shared), [`deploy.yml:3:13: target.commands.deploy: ${message}`]);
  const own = `environments:\n${names
    .slice(0, 3)
    .map((n) => `  ${n}:\n    target:\n      commands:\n        deploy: ${command}\n`)
    .join('')}`;
  assert.deepEqual(
    errorsOf(own),
    names
      .slice(0, 3)
      .map((n, i) => `deploy.yml:${5 + 4 * i}:17: environments.${n}.target.commands.deploy: ${message}`),
  );
});
