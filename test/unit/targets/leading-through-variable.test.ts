// A value that reaches an argument through a variable set from it (`v={{x}}; git checkout "$v"`) is read as an
// option when it starts with "-", as the template written there would be: the command fails once rendered,
// unless the program stopped reading options before it (`git checkout -- "$v"`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';

const refused = (script: string, value: string) =>
  assert.throws(
    () => renderShellScript(script, { x: value, env: 'staging' }),
    (e: unknown) =>
      e instanceof TemplateError &&
      /the value of \{\{x\}\} starts with "-" and is a whole argument of \w+.*through \$v, set from it/.test(
        e.message,
      ),
    `${script} with ${value}`,
  );
const accepted = (script: string, value: string) =>
  assert.doesNotThrow(
    () => renderShellScript(script, { x: value, env: 'staging' }),
    `${script} with ${value}`,
  );

test('a variable holding a value that starts with "-" fails the command where options are read', () => {
  refused('v={{x}}; git checkout "$v"', '--orphan=x');
  refused('v="{{x}}"; git checkout ${v}', '-b');
  refused('export v={{x}}\nssh-keygen -f key "$v"', '-oProxyCommand=x');
  refused('if [ -n "$A" ]; then v={{x}}; else v={{env}}; fi; ./deploy.sh "$v"', '-x');
  refused('w={{x}}; v=$w; ./deploy.sh "$v"', '--force');
});

test('the same value after -- or as data is accepted', () => {
  accepted('v={{x}}; git checkout -- "$v"', '--orphan=x');
  accepted('v={{x}}; echo "$v"', '-n');
  accepted('v={{x}}; ./deploy.sh --ref="$v"', '-x');
  accepted('v={{x}}; git checkout "$v"', 'main');
});
