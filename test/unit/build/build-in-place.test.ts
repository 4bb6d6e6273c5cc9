// A build over a dist/ in use: `npm run demo` and `npm test` build first, and a second one started while the
// first deploys must not pull the bundle out from under the running CLI. The build emptied dist/ and wrote
// it again, so for the seconds the build took a running CLI's lazily loaded chunks were gone and it crashed
// mid-deployment ("Cannot find module dist/chunks/…"). Now no file a process may load is ever missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist } from '../../../scripts/build.ts';

const filesOf = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();

test('building again over a dist/ in use never leaves a file of it missing, and drops what the new build lacks', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'build-in-place-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dist = join(dir, 'dist');
  await buildDist(dist);
  const files = filesOf(dist);
  assert.ok(files.includes('cli/index.js') && files.some((f) => f.startsWith('chunks/')), files.join(' '));
  const before = new Map(files.map((f) => [f, readFileSync(join(dist, f))]));
  // A chunk an older build made (another content hash): the new build does not reference it.
  writeFileSync(join(dist, 'chunks/chunk-OLDHASH0.js'), 'export {};\n');

  // Every file of the bundle, watched while it is built again, as a running CLI would load them.
  const missing = new Set<string>();
  let looks = 0;
  const watch = setInterval(() => {
    looks++;
    for (const f of files) if (!existsSync(join(dist, f))) missing.add(f);
  }, 1);
  try {
    await buildDist(dist);
  } finally {
    clearInterval(watch);
  }
  assert.ok(looks > 10, `the build was watched only ${looks} time(s)`);
  assert.deepEqual([...missing], [], 'files of the bundle went missing during the build');
  assert.deepEqual(filesOf(dist), files, 'the stale chunk is removed, nothing else changes');
  for (const [f, bytes] of before) assert.ok(readFileSync(join(dist, f)).equals(bytes), `${f} changed`);
  assert.deepEqual(readdirSync(dir), ['dist'], 'the build left its scratch directory behind');
});
