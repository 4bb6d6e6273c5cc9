import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir, chmod, unlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedFiles, parseUnifiedDiff, unquoteGitPath } from '../../../src/gates/changes.ts';
import { git } from '../../helpers/git.ts';

const lines = (n: number, tag = 'line') =>
  Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join('\n') + '\n';

test('changedFiles reads real git output: modified, added, deleted, renamed, binary, odd names', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'changes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q', '-b', 'main');
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/app.ts'), lines(10));
  await writeFile(join(dir, 'gone.txt'), 'bye\n');
  await writeFile(join(dir, 'old-name.ts'), lines(30, 'stable content that git can match'));
  await writeFile(join(dir, 'run.sh'), 'echo hi\n');
  await writeFile(join(dir, 'logo.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'base');
  await git(dir, 'tag', 'base');

  // Modify: replace line 3, insert two lines after line 7, delete line 10.
  const app = lines(10).split('\n');
  app[2] = 'changed 3';
  app.splice(7, 0, 'new a', 'new b');
  app.splice(11, 1);
  await writeFile(join(dir, 'src/app.ts'), app.join('\n'));
  await writeFile(join(dir, 'src/fresh file é.ts'), 'one\ntwo\n');
  await unlink(join(dir, 'gone.txt'));
  await git(dir, 'mv', 'old-name.ts', 'new-name.ts');
  await writeFile(join(dir, 'new-name.ts'), lines(30, 'stable content that git can match') + 'appended\n');
  await chmod(join(dir, 'run.sh'), 0o755);
  await writeFile(join(dir, 'logo.bin'), Buffer.from([0, 9, 9, 9, 0, 255]));
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'change');

  const files = await changedFiles(dir, 'base');
  const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
  assert.deepEqual(Object.keys(byPath).sort(), [
    'gone.txt',
    'logo.bin',
    'new-name.ts',
    'run.sh',
    'src/app.ts',
    'src/fresh file é.ts',
  ]);
  assert.deepEqual(byPath['src/app.ts'], { path: 'src/app.ts', status: 'modified', addedLines: [3, 8, 9] });
  assert.deepEqual(byPath['src/fresh file é.ts'], {
    path: 'src/fresh file é.ts',
    status: 'added',
    addedLines: [1, 2],
  });
  assert.deepEqual(byPath['gone.txt'], { path: 'gone.txt', status: 'deleted', addedLines: [] });
  assert.deepEqual(byPath['new-name.ts'], { path: 'new-name.ts', status: 'renamed', addedLines: [31] });
  assert.deepEqual(byPath['run.sh'], { path: 'run.sh', status: 'modified', addedLines: [] });
  assert.deepEqual(byPath['logo.bin'], { path: 'logo.bin', status: 'modified', addedLines: [] });
});

test('changedFiles fails with a message naming the base when it is unknown', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'changes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q');
  await writeFile(join(dir, 'a'), 'a\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'a');
  await assert.rejects(
    changedFiles(dir, 'no-such-ref'),
    /cannot list the files changed since "no-such-ref".*git diff/,
  );
});

test('changedFiles reads a base that starts with "-" as a revision, never as an option of git diff', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'changes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q');
  await writeFile(join(dir, 'a'), 'a\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'a');
  const written = join(dir, 'written');
  for (const base of [`--output=${written}`, '--no-index', '-p', '--ext-diff'])
    await assert.rejects(changedFiles(dir, base), /cannot list the files changed since/, base);
  await assert.rejects(stat(`${written}...HEAD`), { code: 'ENOENT' }, 'git diff wrote no file');
});

test('parseUnifiedDiff keeps "+++"/"---" content lines inside hunks as content', () => {
  const diff = [
    'diff --git a/notes.md b/notes.md',
    'index 1111111..2222222 100644',
    '--- a/notes.md',
    '+++ b/notes.md',
    '@@ -2 +2,2 @@',
    '--- old rule',
    '+++ new rule',
    '+-- tail',
    '@@ -9,0 +10 @@ context',
    '+last',
    '\\ No newline at end of file',
    '',
  ].join('\n');
  assert.deepEqual(parseUnifiedDiff(diff), [
    { path: 'notes.md', status: 'modified', addedLines: [2, 3, 10] },
  ]);
});

test('unquoteGitPath decodes C-style quoting with octal UTF-8 bytes', () => {
  assert.equal(unquoteGitPath('"b/caf\\303\\251 \\"q\\".txt"'), 'b/café "q".txt');
  assert.equal(unquoteGitPath('"tab\\there"'), 'tab\there');
  assert.equal(unquoteGitPath('plain/path'), 'plain/path');
});

test('parseUnifiedDiff returns nothing for an empty diff', () => {
  assert.deepEqual(parseUnifiedDiff(''), []);
});

test('changedFiles in a directory of a larger repository: paths relative to it, changes outside left out', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'changes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q');
  await mkdir(join(dir, 'services/api/db'), { recursive: true });
  await writeFile(join(dir, 'README.md'), 'top\n');
  await writeFile(join(dir, 'services/api/app.ts'), 'one\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'base');
  await writeFile(join(dir, 'README.md'), 'top\nchanged\n');
  await writeFile(join(dir, 'services/api/app.ts'), 'one\ntwo\n');
  await writeFile(join(dir, 'services/api/db/V2__x.sql'), 'SELECT 1;\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'change');
  const files = await changedFiles(join(dir, 'services/api'), 'HEAD~1');
  assert.deepEqual(
    files.map((f) => `${f.path}:${f.status}:${f.addedLines.join(',')}`),
    ['app.ts:modified:2', 'db/V2__x.sql:added:1'],
  );
});
