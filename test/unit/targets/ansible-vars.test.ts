// ansible's -e / --extra-vars values are rendered by Jinja on the controller: a value holding "{{", "{%" or "{#"
// would run as a template there. The argument stays allowed and each value in it is checked when the command runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgvCommand, renderShellScript } from '../../../src/targets/shell-script.ts';
import { assertAccepted } from '../../helpers/command-checks.ts';

test('a value in an ansible extra-vars argument holding a Jinja opener fails the command', () => {
  const forms = [
    ['ansible-playbook', 'deploy.yml', '-e', 'version={{x}}'],
    ['ansible-playbook', 'deploy.yml', '--extra-vars', 'version={{x}}'],
    ['ansible-playbook', 'deploy.yml', '--extra-vars=version={{x}}'],
  ];
  for (const argv of forms) {
    assertAccepted(argv);
    for (const opener of ['{{', '{%', '{#']) {
      const value = `${opener} lookup('pipe', 'id') }}`;
      assert.throws(
        () => renderArgvCommand(argv, { x: value }, (w) => w.replaceAll('{{x}}', value)),
        new RegExp(`extra-vars argument \\(-e\\), and its value holds "${opener}"`),
      );
    }
    assert.equal(
      renderArgvCommand(argv, { x: '1.2.3' }, (w) => w.replaceAll('{{x}}', '1.2.3')).argv.length,
      argv.length,
    );
  }
  assert.throws(
    () => renderShellScript('ansible-playbook deploy.yml -e "version={{x}}"', { x: '{{ 7*7 }}' }),
    /\{\{x\}\} is in an ansible extra-vars argument/,
  );
  assert.equal(
    renderShellScript('ansible-playbook deploy.yml -e "version={{x}}"', { x: '1.2.3' }).env.DEPLOY_X,
    '1.2.3',
  );
});
