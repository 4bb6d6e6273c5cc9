// npm test's groups (scripts/test.ts): every test file runs, once, the files that change the process or run
// the built programs keep a process each, and the App's files share one of their own. A file left out of every
// group would never run and never fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { measuredWeight, SHARED_COST, sharedGroups, testFiles, testGroups } from '../../../scripts/test.ts';

const ROOT = join(import.meta.dirname, '../../..');

test('every test file of the repository is in exactly one group', () => {
  const all = testFiles(join(ROOT, 'test'));
  assert.ok(all.length > 500, `found ${all.length} test files`);
  const grouped = testGroups(all, () => 1).flatMap((g) => g.files);
  assert.equal(grouped.length, all.length, 'a file in two groups, or in none');
  assert.deepEqual([...grouped].sort(), all);
});

test('end-to-end, Action and CLI files, and any file outside test/unit, get a process each; App files share one', () => {
  const files = [
    'test/app/a.test.ts',
    'test/e2e/b.test.ts',
    'test/unit/action/c.test.ts',
    'test/unit/cli/d.test.ts',
    'test/other/e.test.ts',
    'test/unit/targets/f.test.ts',
    'test/unit/config/g.test.ts',
    'test/unit/new-dir/h.test.ts',
  ];
  const groups = testGroups(files.sort(), () => 1); // sorted, as testFiles lists them
  const [own, ...rest] = groups;
  assert.equal(own!.name, 'own-process');
  assert.ok(!own!.args.includes('--test-isolation=none'));
  // The end-to-end files first: the longest start first.
  assert.deepEqual(own!.files, [
    'test/e2e/b.test.ts',
    'test/other/e.test.ts',
    'test/unit/action/c.test.ts',
    'test/unit/cli/d.test.ts',
  ]);
  assert.ok(rest.every((g) => g.args.includes('--test-isolation=none')));
  const app = rest.filter((g) => g.name === 'app');
  assert.deepEqual(
    app.map((g) => g.files),
    [['test/app/a.test.ts']],
  );
  assert.deepEqual(
    rest
      .filter((g) => g.name !== 'app')
      .flatMap((g) => g.files)
      .sort(),
    ['test/unit/config/g.test.ts', 'test/unit/new-dir/h.test.ts', 'test/unit/targets/f.test.ts'],
  );
  // No App file: no empty group.
  assert.ok(testGroups(['test/unit/config/g.test.ts'], () => 1).every((g) => g.name !== 'app'));
});

test('shared files are split by directory into groups of about the same size', () => {
  const sizes: Record<string, number> = {
    'test/unit/a/1.test.ts': 50,
    'test/unit/a/2.test.ts': 50,
    'test/unit/b/1.test.ts': 60,
    'test/unit/c/1.test.ts': 30,
    'test/unit/d/1.test.ts': 10,
  };
  const groups = sharedGroups(Object.keys(sizes), 2, (f) => sizes[f]!);
  assert.deepEqual(groups, [
    ['test/unit/a/1.test.ts', 'test/unit/a/2.test.ts'],
    ['test/unit/b/1.test.ts', 'test/unit/c/1.test.ts', 'test/unit/d/1.test.ts'],
  ]);
  // Fewer directories than groups: no empty group.
  assert.deepEqual(
    sharedGroups(['test/unit/a/1.test.ts'], 2, () => 1),
    [['test/unit/a/1.test.ts']],
  );
});

test("shared files are weighed by their directory's measured cost; a directory not measured by its bytes", () => {
  const bytes: Record<string, number> = {
    'test/unit/a/1.test.ts': 300,
    'test/unit/a/2.test.ts': 100,
    'test/unit/b/1.test.ts': 100,
    'test/unit/new/1.test.ts': 50,
  };
  const weight = measuredWeight(Object.keys(bytes), (f) => bytes[f]!, {
    'test/unit/a': 40,
    'test/unit/b': 60,
  });
  // a's 40 shared by bytes; b's 60 whole; new: 50 bytes at the measured rate (100 per 500 bytes).
  assert.deepEqual(
    Object.keys(bytes).map((f) => weight(f)),
    [30, 10, 60, 10],
  );
  // The small costly directory is a group of its own; by bytes, the big cheap one would be.
  assert.deepEqual(sharedGroups(Object.keys(bytes), 2, weight), [
    ['test/unit/b/1.test.ts'],
    ['test/unit/a/1.test.ts', 'test/unit/a/2.test.ts', 'test/unit/new/1.test.ts'],
  ]);
  // Every directory of the repository's shared files measured is one that exists.
  const shared = testGroups(testFiles(join(ROOT, 'test')), () => 1)
    .filter((g) => g.name.startsWith('shared-'))
    .flatMap((g) => g.files);
  const dirs = new Set(shared.map((f) => f.slice(0, f.lastIndexOf('/'))));
  for (const dir of Object.keys(SHARED_COST))
    assert.ok(dirs.has(dir), `${dir} is measured but has no shared file`);
});
