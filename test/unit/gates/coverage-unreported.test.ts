import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeLines, isUnreportedSource, measuredByReports } from '../../../src/gates/coverage/unreported.ts';

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
