// ansible's -e / --extra-vars values are rendered by Jinja on the controller: a value holding "{{", "{%" or "{#"
// would run as a template there. The argument stays allowed and each value in it is checked when the command runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgvCommand, renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

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

test('every spelling of -e is read: a flag cluster, an attached value, a prefix of --extra-vars, ansible-pull', () => {
  const payload = "{{ lookup('pipe', 'id') }}";
  const forms = [
    ['ansible-playbook', '-ve', 'version={{x}}', 'deploy.yml'],
    ['ansible-playbook', '-vvveversion={{x}}', 'deploy.yml'],
    ['ansible-playbook', '--extra', 'version={{x}}', 'deploy.yml'],
    ['ansible-playbook', '--extra-var=version={{x}}', 'deploy.yml'],
    ['ansible-playbook', '--ex', 'version={{x}}', 'deploy.yml'],
    ['ansible-pull', '-U', 'https://example.com/r.git', '-e', 'version={{x}}'],
    ['ansible', 'all', '-m', 'ping', '-e', 'version={{x}}'],
    // -C is --check (a flag) in ansible-playbook and --checkout (a value) in ansible-pull; -f is --force in
    // ansible-pull: a flag before the -e never hides it.
    ['ansible-playbook', '-Ce', 'version={{x}}', 'deploy.yml'],
    ['ansible-playbook', '-C', '-e', 'version={{x}}', 'deploy.yml'],
    ['ansible-pull', '-fe', 'version={{x}}', '-U', 'https://example.com/r.git'],
  ];
  for (const argv of forms) {
    assertAccepted(argv);
    assert.throws(
      () => renderArgvCommand(argv, { x: payload }, (w) => w.replaceAll('{{x}}', payload)),
      /extra-vars argument \(-e\)/,
      argv.join(' '),
    );
    assert.doesNotThrow(() => renderArgvCommand(argv, { x: '1.2.3' }, (w) => w.replaceAll('{{x}}', '1.2.3')));
  }
  // -i takes the next word: a -e after its value is still read, and an -e inside another option's value is not.
  assert.throws(
    () =>
      renderArgvCommand(['ansible-playbook', '-i', 'hosts', '-e', 'v={{x}}', 'd.yml'], { x: payload }, (w) =>
        w.replaceAll('{{x}}', payload),
      ),
    /extra-vars/,
  );
});

test('a value that would add variables, name a file, or build an opener with the text beside it fails the command', () => {
  const argv = ['ansible-playbook', 'deploy.yml', '-e', 'version={{x}}'];
  const render = (value: string) => () =>
    renderArgvCommand(argv, { x: value }, (w) => w.replaceAll('{{x}}', value));
  for (const value of [
    "1 ansible_ssh_common_args='-o ProxyCommand=sh -c id'",
    '1\tansible_become=true',
    '1"x',
    "1'x",
    '1\\x',
  ])
    assert.throws(render(value), /splits a -e argument into key=value pairs/, value);
  // Two templates side by side: neither holds "{{" alone, together they would.
  const two = ['ansible-playbook', 'deploy.yml', '-e', 'v={{a}}{{b}}'];
  assert.throws(
    () =>
      renderArgvCommand(two, { a: '{', b: "{ lookup('pipe','id') }}" }, (w) =>
        w.replace('{{a}}', '{').replace('{{b}}', "{ lookup('pipe','id') }}"),
      ),
    /extra-vars/,
  );
  const whole = ['ansible-playbook', 'deploy.yml', '-e', '{{x}}'];
  for (const value of ['@pr/vars.yml', '[1]'])
    assert.throws(
      () => renderArgvCommand(whole, { x: value }, (w) => w.replaceAll('{{x}}', value)),
      /extra-vars argument/,
      value,
    );
  for (const value of ['1.2.3', 'v2.0.0-rc.1', 'prod', 'registry.example.com/app:1.2', 'a=b'])
    assert.doesNotThrow(render(value), value);
});

test('a template in the file of variables -e @FILE names, or in a key, is refused at load', () => {
  const file =
    /is in the file of variables an ansible extra-vars argument names \(-e @FILE\): its value would choose the file.*-e @vars\/production\.yml -e version=\{\{x\}\}/;
  assertRefused(['ansible-playbook', 'deploy.yml', '-e', '@{{x}}'], file);
  assertRefused(['ansible-playbook', 'deploy.yml', '-e', '@vars/{{x}}.yml'], file);
  assertRefused(['ansible-playbook', 'deploy.yml', '--extra-vars=@{{x}}'], file);
  assertRefused(['ansible-playbook', 'deploy.yml', '-ve@{{x}}'], file);
  assertScriptRefused(
    'F={{x}}; ansible-playbook deploy.yml -e "@$F"',
    /\$F .*holds \{\{x\}\}.*file of variables/,
  );
  const key = /is in a key of .*: its value would choose which variable is set/;
  assertRefused(['ansible-playbook', 'deploy.yml', '-e', '{{x}}=1'], key);
  assertRefused(['ansible-playbook', 'deploy.yml', '-e', 'a=1 {{x}}=2'], key);
  assertRefused(['ansible-playbook', 'deploy.yml', '-e', '{"{{x}}": 1}'], key);
  assertRefused(
    ['salt', '*', 'state.apply', 'deploy', 'pillar={"{{x}}": 1}'],
    /in a key of salt's pillar= data/,
  );
  assertAccepted(['ansible-playbook', 'deploy.yml', '-e', '@vars/production.yml', '-e', 'version={{x}}']);
  assertAccepted(['ansible-playbook', 'deploy.yml', '-e', '{"version": "{{x}}"}']);
  assertAccepted(['salt', '*', 'state.apply', 'deploy', 'pillar={"version": "{{x}}"}']);
  assertScriptAccepted(`ansible-playbook deploy.yml -e '{"version": "{{x}}"}'`);
});

test('a value in YAML or JSON extra-vars or salt pillar data adds no structure: checked once rendered', () => {
  const fails = (render: () => unknown, message: RegExp) => assert.throws(render, message);
  const json = ['ansible-playbook', 'deploy.yml', '-e', '{"k": {{x}}}'];
  // No quote, no space: still a second key in a flow mapping.
  fails(
    () => renderArgvCommand(json, { x: 'true,x:y' }, (w) => w),
    /in the YAML or JSON of an ansible extra-vars argument \(-e \{…\}\), and its value holds ","/,
  );
  fails(
    () => renderShellScript(`ansible-playbook deploy.yml -e '{"k": "{{x}}"}'`, { x: 'a,b' }),
    /YAML or JSON of an ansible extra-vars argument/,
  );
  const pillar = `salt '*' state.apply deploy pillar='{"version": "{{x}}"}'`;
  fails(
    () => renderShellScript(pillar, { x: '1", "cmd": "x' }),
    /in salt's pillar= data, which salt reads as YAML/,
  );
  fails(
    () =>
      renderArgvCommand(['salt', '*', 'state.apply', 'd', 'pillar={"k": {{x}}}'], { x: '1,cmd:x' }, (w) => w),
    /salt's pillar= data.*holds ","/,
  );
  for (const good of ['1.2.3', 'v2', 'sha256:abc'])
    assert.doesNotThrow(() => renderShellScript(pillar, { x: good }));
  assert.doesNotThrow(() => renderArgvCommand(json, { x: '1.0' }, (w) => w));
});

test('a template in a key of YAML or JSON extra-vars is refused without a space after the colon, and in a flow mapping', () => {
  const key = /is in a key of .*: its value would choose which variable is set/;
  for (const data of [
    '{"{{x}}":1}',
    '{"a":1,"{{x}}":1}',
    "{'{{x}}':1}",
    '{a: 1, {{x}}: 1}',
    '{"nested": {"{{x}}": 1}}',
    '{"list": [{"{{x}}": 1}]}',
  ]) {
    assertRefused(['ansible-playbook', 'deploy.yml', '-e', data], key);
    assertRefused(
      ['salt', '*', 'state.apply', 'deploy', `pillar=${data}`],
      /in a key of salt's pillar= data/,
    );
  }
  for (const data of [
    '{"version":"{{x}}"}',
    '{"a":1,"version":"{{x}}"}',
    '{version: {{x}}, b: 1}',
    '{"l": ["{{x}}"]}',
  ])
    assertAccepted(['ansible-playbook', 'deploy.yml', '-e', data]);
});
