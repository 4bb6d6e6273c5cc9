// The bound on the work of checking a command (src/targets/budget.ts): a script or an argv command past it is
// refused as too complex to check, never accepted unchecked; scripts below it are checked as before; and what
// the check keeps of a script it read (by the script's text and a variable's name) is never another's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TOO_COMPLEX_MESSAGE, WORK_BUDGET } from '../../../src/targets/budget.ts';
import { analyzeShellTemplate, argvShellProblems } from '../../../src/targets/shell-script.ts';
import { programLiterals, programUnsure } from '../../../src/targets/stdin-routes.ts';
import { assertScriptAccepted, assertScriptRefused, configErrors } from '../../helpers/command-checks.ts';

const TOO_COMPLEX = /the script is too complex to check .*\.\/deploy\.sh \{\{version\}\}/;

/** `count` repetitions of `unit(i)`. */
const lines = (count: number, unit: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => unit(i)).join('');

test('the too-complex refusal says why and what to do instead', () => {
  assert.match(TOO_COMPLEX_MESSAGE, /too complex to check/);
  assert.match(TOO_COMPLEX_MESSAGE, new RegExp(String(WORK_BUDGET)));
  assert.match(TOO_COMPLEX_MESSAGE, /script file of the repository/);
  assert.match(TOO_COMPLEX_MESSAGE, /\.\/deploy\.sh \{\{version\}\}/);
});

test('a script of more words than the bound is refused as too complex, not accepted', () => {
  // Each line alone is accepted: only the size refuses it.
  const line = (i: number) => `echo "step ${i}" "{{x}}"\n`;
  assertScriptAccepted(lines(10, line));
  const script = lines(WORK_BUDGET / 3, line);
  const analysis = analyzeShellTemplate(script);
  assert.equal(analysis.ok, false);
  if (!analysis.ok) {
    assert.deepEqual(
      analysis.problems.map((p) => [p.reason, p.name, p.offset]),
      [['too_complex', 'x', 0]],
    );
    assert.equal(analysis.problems[0]!.message, TOO_COMPLEX_MESSAGE);
  }
  assertScriptRefused(script, TOO_COMPLEX);
});

test('a script whose refusals would be found past the bound is still refused (too complex)', () => {
  // A value run as code at the end of a script too big to check: refused either way, never accepted.
  const script = `${lines(WORK_BUDGET / 3, (i) => `echo "step ${i}"\n`)}eval "{{x}}"\n`;
  assertScriptRefused(script, TOO_COMPLEX);
});

test('functions that each call the one before twice are refused as too complex, not read for ever', () => {
  // Each call reads the body of the function it calls again: 2^n readings of f0.
  const chain = (n: number) =>
    `f0() { echo "$1"; }\n${lines(n, (i) => `f${i + 1}() { f${i} "$1"; f${i} "$1"; }\n`)}f${n} "{{x}}"\n`;
  assertScriptAccepted(chain(3));
  assertScriptRefused(chain(40), TOO_COMPLEX);
});

test('functions nested deeper than the stack holds are refused as too complex, not a crash', () => {
  const chain = (n: number) =>
    `f0() { echo "$1"; }\n${lines(n, (i) => `f${i + 1}() { f${i} "$1"; }\n`)}f${n} "{{x}}"\n`;
  assertScriptAccepted(chain(5));
  assertScriptRefused(chain(3000), TOO_COMPLEX);
});

test('an argv command of ssh running ssh running ssh … is refused as too complex, one ssh is checked', () => {
  const chain = (n: number) => [
    ...lines(n, (i) => `ssh host${i} `)
      .trim()
      .split(' '),
    './deploy.sh',
    '{{x}}',
  ];
  assert.deepEqual(argvShellProblems(chain(1)), []);
  assert.deepEqual(configErrors(chain(1)), []);
  assert.deepEqual(argvShellProblems(chain(200)), [TOO_COMPLEX_MESSAGE]);
  assert.ok(
    configErrors(chain(200)).some((e) => TOO_COMPLEX.test(e)),
    JSON.stringify(configErrors(chain(200))),
  );
});

test('what a program variable holds is kept by script and variable: never another script’s or variable’s', () => {
  const a = 'P=./deploy.sh\nQ=kubectl\n"$P" "{{x}}"\n$Q apply\n';
  const b = 'P=./rollback.sh\nQ=kubectl\n"$P" "{{x}}"\n$Q apply\n';
  // The same text but one character: another script, read on its own.
  const c = 'P=./deploy.sh\nQ=kubectl\n"$P" "{{x}}"\n$Q apply\nsource ./env.sh\n';
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(programLiterals(a, '$P', undefined), ['./deploy.sh']);
    assert.deepEqual(programLiterals(a, '$Q', undefined), ['kubectl']);
    assert.deepEqual(programLiterals(b, '$P', undefined), ['./rollback.sh']);
    assert.equal(programLiterals(c, '$P', undefined), undefined);
  }
  // A positional parameter: what the call gives it, not what an earlier call gave.
  assert.deepEqual(programLiterals(a, '$1', { 1: 'helm' }), ['helm']);
  assert.deepEqual(programLiterals(a, '$1', { 1: 'kubectl' }), ['kubectl']);
  assert.equal(programLiterals(a, '$1', undefined), undefined);
  // Where the program runs: before the assignment the variable holds the environment's value.
  const d = '"$P" "{{x}}"\nP=./deploy.sh\n"$P" "{{x}}"\n';
  assert.match(programUnsure(d, '$P', undefined, 0) ?? '', /none is sure to hold where it is run/);
  assert.deepEqual(programLiterals(d, '$P', undefined, d.lastIndexOf('"$P"')), ['./deploy.sh']);
  assert.equal(programUnsure(d, '$P', undefined, d.lastIndexOf('"$P"')), undefined);
  // ssh-agent's eval sets its own two variables only: kept apart from the others of the same script.
  const e = 'eval "$(ssh-agent -s)"\nP=./deploy.sh\nSSH_AUTH_SOCK=/tmp/a\n"$P" "{{x}}"\n';
  assert.deepEqual(programLiterals(e, '$P', undefined), ['./deploy.sh']);
  assert.equal(programLiterals(e, '$SSH_AUTH_SOCK', undefined), undefined);
  assert.deepEqual(programLiterals(e, '$P', undefined), ['./deploy.sh']);
});

test('a script read after many others is read again, not taken from what was kept of another', () => {
  // More scripts than are kept: the first is read again, the same as the first time.
  const script = (i: number) => `P=./deploy${i}.sh\n"$P" "{{x}}"\n`;
  for (let i = 0; i < 40; i++)
    assert.deepEqual(programLiterals(script(i), '$P', undefined), [`./deploy${i}.sh`]);
  assert.deepEqual(programLiterals(script(0), '$P', undefined), ['./deploy0.sh']);
});

test('many uses of one program variable are checked as one use is: each value refused where it chooses', () => {
  // $P holds sh: its argument {{x}} is code; $Q holds ./deploy.sh: its argument is a plain argument.
  const uses = lines(300, (i) => `"$Q" "{{x}}" ${i}\n`);
  assertScriptAccepted(`Q=./deploy.sh\n${uses}`);
  assertScriptRefused(`Q=./deploy.sh\nP=sh\n${uses}"$P" -c "{{x}}"\n`, /\{\{x\}\}/);
});
