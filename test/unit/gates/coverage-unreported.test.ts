import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typeOnlyLines } from '../../../src/gates/coverage/type-only.ts';
import {
  codeLines,
  isUnreportedSource,
  measuredByReports,
  runnableLines,
} from '../../../src/gates/coverage/unreported.ts';

test('a changed file in no report is source when the reports measure its kind and folder, not a test', () => {
  const measured = measuredByReports(['src/app.ts', 'lib/util.js', 'main.py'], []);
  const source = ['src/new.ts', 'src/deep/er/x.ts', 'lib/a.js', 'setup.py'];
  const other = [
    'docs/a.md',
    'src/config.json',
    'src/types.d.ts',
    'src/a.test.ts',
    'src/a.spec.js',
    'src/__tests__/a.ts',
    'lib/a_test.js',
    'test_main.py',
    'scripts/release.ts',
    'README',
  ];
  for (const path of source) assert.equal(isUnreportedSource(path, measured), true, path);
  for (const path of other) assert.equal(isUnreportedSource(path, measured), false, path);
});

test('a report written in another checkout (absolute paths) tells its folders by the changed files', () => {
  const measured = measuredByReports(
    ['/home/ci/work/repo/src/app.ts', 'C:\\build\\repo\\src\\b.ts'],
    ['src', 'tools'],
  );
  assert.equal(isUnreportedSource('src/new.ts', measured), true);
  assert.equal(isUnreportedSource('tools/new.ts', measured), false);
  assert.equal(isUnreportedSource('new.ts', measured), false);
});

test('code lines leave out blank and comment-only lines', () => {
  const text = ['// a', 'const a = 1;', '', '  # b', '/* c', ' * d', ' */', 'x();'].join('\n');
  assert.deepEqual(codeLines(text, [1, 2, 3, 4, 5, 6, 7, 8, 99]), [2, 8]);
});

test('a TypeScript file in no report counts only the lines a coverage tool would count: not types', () => {
  const text = [
    "import type { A } from './a';",
    "export type B = 'x' | 'y'",
    'export interface C {',
    '  a: string; // }',
    "  b: `x${'}'}`;",
    '}',
    'export type D =',
    "  | { kind: 'a' }",
    "  | { kind: 'b' };",
    'declare global {',
    '  interface Window { x: 1 }',
    '}',
    'export const re = /[}{]/;',
    'type E = string',
    'run();',
    "export type { F } from './f';",
    'export function g(): void {',
    '  return;',
    '}',
    "type G<T> = T extends string ? 'a' : 'b';",
    "const url = 'http://x'; type H = 1;",
    "type U = 'http://x'",
    'export const a = 1',
    'enum K { A }',
    '',
  ].join('\n');
  const all = text.split('\n').map((_, index) => index + 1);
  assert.deepEqual(typeOnlyLines(text), new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 22]));
  assert.deepEqual(runnableLines('src/a.ts', text, all), [13, 15, 17, 18, 19, 21, 23, 24]);
  // A file made only of types has none; another language is read by its code lines alone.
  const types = 'export interface P {\n  id: string;\n}\nexport type Q = P[];\n';
  assert.deepEqual(runnableLines('src/p.mts', types, [1, 2, 3, 4]), []);
  assert.deepEqual(runnableLines('src/p.py', 'type Q = list[int]\n', [1]), [1]);
  // A line whose statement cannot be placed stays code.
  assert.deepEqual(runnableLines('src/x.ts', 'type A = string\nfoo()\n', [1, 2]), [2]);
});

test('type-only lines are read in time linear in the file, whatever its lines hold', () => {
  const started = performance.now();
  typeOnlyLines(`x = a${' / b'.repeat(200_000)}`);
  typeOnlyLines(`type A = {\n${'  a: string;\n'.repeat(200_000)}}\n`);
  typeOnlyLines('('.repeat(300_000));
  assert.ok(performance.now() - started < 10_000, `${performance.now() - started} ms`);
});
