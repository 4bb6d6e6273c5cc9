// helm --set, --set-string and --set-json split their argument on "," and read "=", "[ ]", "{ }" and "\": a value
// holding one of them sets other keys of the chart. The argument stays allowed when the config loads, and each
// value in it is checked when the command runs; --set-literal takes its value as it is; --set-file's value is
// a path, which a template may not choose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgvCommand, renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

const renderArgv = (argv: string[], v: string) =>
  renderArgvCommand(argv, { x: v }, (word) => word.replaceAll('{{x}}', v));

test('a value in a helm --set argument holding a character helm parses fails the command, naming key and character', () => {
  const forms: Array<[string[], string]> = [
    [['helm', 'upgrade', 'app', './chart', '--set', 'image.tag={{x}}'], '--set'],
    [['helm', 'upgrade', 'app', './chart', '--set-string', 'a=1,image.tag={{x}}'], '--set-string'],
    [['helm', 'install', 'app', './chart', '--set-json=image.tag={{x}}'], '--set-json'],
  ];
  for (const [argv, option] of forms) {
    assertAccepted(argv);
    const json = option === '--set-json';
    for (const c of json ? [',', '\\', '"', '{', '}', '[', ']'] : [',', '\\']) {
      const value = `1${c}securityContext.privileged=true`;
      assert.throws(
        () => renderArgv(argv, value),
        (e: Error) =>
          e.message.includes(`helm ${option} for the key image.tag`) && e.message.includes(`holds "${c}"`),
        `${argv.join(' ')} with ${value}`,
      );
    }
    assert.deepEqual(renderArgv(argv, '1.2.3').argv.at(-1), argv.at(-1)!.replace('{{x}}', '1.2.3'));
    // helm reads a value up to the next ",": "=", "[" and "]" inside it are its own (base64's padding).
    if (!json) {
      for (const value of ['dGVzdA==', 'a[0]=b', 'x}'])
        assert.doesNotThrow(() => renderArgv(argv, value), `${option} with ${value}`);
      assert.throws(() => renderArgv(argv, '{ab}'), /holds "\{"/, 'a leading { writes a list');
    }
  }
  assert.throws(
    () => renderShellScript('helm upgrade app ./chart --set "image.tag={{x}}" --wait', { x: '1,a=b' }),
    /\{\{x\}\} is in the argument of helm --set for the key image\.tag, and its value holds ","/,
  );
  assert.throws(
    () => renderShellScript('V={{x}}; helm upgrade app ./chart --set image.tag="$V"', { x: 'x,a=b' }),
    /helm --set for the key image\.tag, and its value holds ","/,
  );
  assert.match(
    renderShellScript('helm upgrade app ./chart --set image.tag={{x}}', { x: '1.2.3' }).script,
    /helm/,
  );
});

test('helm --set-literal takes its value as it is; --set-file refuses a template in its path when the config loads', () => {
  assert.equal(
    renderArgv(['helm', 'upgrade', 'app', './c', '--set-literal', 'k={{x}}'], 'a,b=[c]').argv.at(-1),
    'k=a,b=[c]',
  );
  assertRefused(
    ['helm', 'upgrade', 'app', './c', '--set-file', 'cfg={{x}}'],
    /helm --set-file, whose value is the path/,
  );
  assertScriptRefused(
    'helm upgrade app ./c --set-file=cfg=./{{x}}.yaml',
    /helm --set-file, whose value is the path/,
  );
  assertScriptAccepted('helm upgrade app ./c --set-file cfg=./values.yaml --set image.tag={{x}}');
});

test('a template in the key of a helm --set assignment is refused when the config loads: it would choose the key', () => {
  for (const argv of [
    ['helm', 'upgrade', 'app', './c', '--set', '{{x}}=true'],
    ['helm', 'upgrade', 'app', './c', '--set', 'a=1,{{x}}=true'],
    ['helm', 'upgrade', 'app', './c', '--set', 'securityContext.{{x}}=true'],
    ['helm', 'upgrade', 'app', './c', '--set-string={{x}}=1'],
    ['helm', 'upgrade', 'app', './c', '--set-json', 'list[{{x}}]=1'],
  ])
    assertRefused(argv, /is in the key of an assignment of helm --set/);
  assertScriptRefused(
    'helm upgrade app ./c --set "{{x}}=true"',
    /is in the key of an assignment of helm --set/,
  );
  assertScriptRefused(
    'K={{x}}; helm upgrade app ./c --set "$K=true"',
    /in the key of an assignment of helm --set/,
  );
  assertAccepted(['helm', 'upgrade', 'app', './c', '--set', 'image.tag={{x}},replicas=2']);
  assertScriptAccepted('helm upgrade app ./c --set image.tag={{x}} --set-string env={{x}}');
});
