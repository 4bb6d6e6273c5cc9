import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchFiles } from '../../../src/gates/match-files.ts';

test('matchFiles: sorted, each path once across overlapping globs, node_modules never searched', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'match-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const path of [
    'reports/b.sarif',
    'reports/a.sarif',
    'node_modules/pkg/c.sarif',
    'reports/notes.txt',
  ]) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), '');
  }
  assert.deepEqual(await matchFiles(['**/*.sarif', 'reports/a.sarif'], dir), [
    'reports/a.sarif',
    'reports/b.sarif',
  ]);
  assert.deepEqual(await matchFiles('reports/*.txt', dir), ['reports/notes.txt']);
  assert.deepEqual(await matchFiles('missing/*.xml', dir), []);
});
