// A word of a command that is the name of an Object.prototype property ("constructor", "toString",
// "__proto__") is an unknown name like any other: the checks' tables (lookup-table.ts) do not find
// Object.prototype's functions behind it. `deploy: valueOf {{version}}` used to stop validate with a TypeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeShellTemplate, argvShellProblems } from '../../../src/targets/shell-script.ts';
import { accepts } from '../../helpers/config-text.ts';

const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

const shapes = (n: string): string[][] => [
  [n, '{{version}}'],
  ['sudo', n, '{{version}}'],
  ['npm', 'run', n, '{{version}}'],
  ['gh', n, n, '{{version}}'],
  ['docker', 'compose', n, '{{version}}'],
  ['kubectl', n, `--${n}`, '{{version}}'],
  ['git', n, n, '{{version}}'],
  ['ssh', 'host', n, '{{version}}'],
  ['env', `${n}=1`, n, '{{version}}'],
  ['aws', n, n, `--${n}`, '{{version}}'],
  [n, `-${n}`, '{{version}}'],
];

test('a program, subcommand or option named like an Object.prototype property is checked, never a crash', () => {
  for (const name of NAMES)
    for (const argv of shapes(name)) {
      assert.doesNotThrow(() => argvShellProblems(argv), JSON.stringify(argv));
      assert.doesNotThrow(() => analyzeShellTemplate(argv.join(' ')), argv.join(' '));
    }
  // As any unknown program: its argument is a plain value.
  assert.deepEqual(argvShellProblems(['constructor', '{{version}}']), []);
  // A known program's rules still hold after such a word.
  assert.match(argvShellProblems(['toString', 'bash', '-c', '{{version}}']).join('\n'), /bash -c/);
});

test('a config whose command is named valueOf is validated, and accepted', () => {
  accepts('target:\n  commands:\n    deploy: valueOf {{version}}\nenvironments:\n  production: {}\n');
});
