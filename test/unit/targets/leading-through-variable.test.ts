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

// An expansion of a variable not known here ($EMPTY, ${P}, $1) may expand to nothing: a template after it, with
// nothing else before it, may start the argument, and is checked as one that does.
const leading = /the value of \{\{x\}\} starts with "-" and is a whole argument of curl/;
const run = (script: string, x: string, env = 'staging') => renderShellScript(script, { x, env });

test('a template after an expansion that may be empty fails the command when its value starts with "-"', () => {
  for (const script of [
    'curl "$EMPTY{{x}}"',
    'curl "${EMPTY}{{x}}" https://h.example.com/',
    'curl $1{{x}}',
    'curl "${EMPTY:-}{{x}}"',
    'v={{x}}; curl "$EMPTY$v"',
    'v={{x}}; curl "${V:-$v}"',
    'v={{x}}; curl "${V:+$v}"',
  ]) {
    assert.throws(() => run(script, '-K/proc/self/environ'), leading, script);
    assert.throws(() => run(script, '--config=x'), leading, script);
    assert.doesNotThrow(() => run(script, 'https://h.example.com/'), script);
  }
  // After an empty template and an expansion, the value may start the argument too; after a value, not.
  assert.throws(() => run('curl "{{env}}$EMPTY{{x}}"', '-K', ''), leading);
  assert.doesNotThrow(() => run('curl "{{env}}$EMPTY{{x}}"', '-K', 'a'));
  // After --, or after fixed text before the expansion, options are not read there.
  assert.doesNotThrow(() => run('curl -- "$EMPTY{{x}}"', '-K'));
  assert.doesNotThrow(() => run('curl "https://h.example.com/$P{{x}}"', '-K'));
});

test('a substitution after an expansion that may be empty may start the argument: a template inside it is refused', () => {
  for (const script of ['curl "$EMPTY$(echo {{x}})"', 'curl "${P}$(printf %s {{x}})"'])
    assert.throws(
      () => run(script, 'https://h.example.com/'),
      /is inside \$\(…\) at the start of an argument of curl/,
      script,
    );
});
