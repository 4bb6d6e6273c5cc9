// `validate` refuses a template placed where no quoting protects it in a `shell: true` command, with the file
// position, the field and the safe form; templates in quotes, $(…) and after -- are valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';

function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const config = (deploy: string, shell = 'shell: true') =>
  `target:\n  ${shell}\n  commands:\n    deploy: ${JSON.stringify(deploy)}\nenvironments:\n  production: {}\n`;

test('a shell: true template inside backticks, ${…} or $((…)) is refused at its field, with the safe form', () => {
  // Each at the template itself: the value starts at column 13, its opening quote.
  assert.deepEqual(errorsOf(config('./deploy.sh `echo {{version}}`')), [
    'deploy.yml:4:32: target.commands.deploy: {{version}} (character 19) is inside backticks, where quoting ' +
      'cannot protect a value: write $(…) instead of `…`',
  ]);
  assert.match(
    errorsOf(config('./deploy.sh ${TAG:-{{version}}}')).join('\n'),
    /^deploy\.yml:4:33: .*"\$DEPLOY_VERSION"/,
  );
  assert.match(errorsOf(config('echo $(( {{version}} ))')).join('\n'), /^deploy\.yml:4:23: .*\$\(\(…\)\)/);
  // The same command without a shell has no such contexts: backticks are literal characters there.
  assert.deepEqual(errorsOf(config('./deploy.sh `{{version}}`', 'shell: false')), []);
});

test('an argv list run through a shell is checked as the script it becomes', () => {
  const text = `target:\n  commands:\n    deploy:\n      run: ["./deploy.sh", "\`{{version}}\`"]\n      shell: true\nenvironments:\n  production: {}\n`;
  assert.match(
    errorsOf(text).join('\n'),
    /target\.commands\.deploy\.run: \{\{version\}\} \(character 14\) is inside backticks/,
  );
});

test('templates bare, in "…", in \'…\', in $(…) and after -- are valid under a shell', () => {
  for (const deploy of [
    './deploy.sh {{version}}',
    './deploy.sh "prefix-{{version}}"',
    "./deploy.sh '{{version}}'",
    'echo "$(basename {{version}})"',
    './deploy.sh -- {{version}} && echo done # for {{environment}}',
  ])
    assert.deepEqual(errorsOf(config(deploy)), [], deploy);
});
