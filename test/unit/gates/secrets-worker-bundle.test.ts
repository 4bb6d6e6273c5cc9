// The secrets scan's worker thread in the bundles (issue 16): scripts/build.ts writes it to
// dist/gates/secrets-worker.js, self-contained; nothing imports it, so no start loads it; the gate's chunk
// finds it by its URL; and it scans as the sources do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { sharedDist } from '../../helpers/built-dist.ts';
import { DEFAULT_SCAN_OPTIONS } from '../../../src/gates/secret-rules.ts';
import { FileScanner } from '../../../src/gates/secrets-file.ts';
import type { WorkerAnswer, WorkerBatch, WorkerSetup } from '../../../src/gates/secrets-pool.ts';

const token = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');

test('the bundled worker is its own file, loaded by URL only, and scans as the sources do', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-worker-bundle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dist = await sharedDist();
  const worker = join(dist, 'gates/secrets-worker.js');
  assert.ok(existsSync(worker), 'dist/gates/secrets-worker.js was not built');

  // Self-contained: it imports Node's modules only, no chunk shared with the entries.
  const source = await readFile(worker, 'utf8');
  const imports = [...source.matchAll(/(?:from|import)\s*["']([^"']+)["']/g)].map((m) => m[1]!);
  assert.deepEqual(
    imports.filter((specifier) => !specifier.startsWith('node:')),
    [],
  );

  // Nothing imports it; the one mention elsewhere is the URL the pool starts it from, which resolves to it.
  const files = (await readdir(dist, { recursive: true }))
    .filter((file) => file.endsWith('.js') && join(dist, file) !== worker)
    .map((file) => join(dist, file));
  const mentions: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const all = text.split('secrets-worker').length - 1;
    if (all === 0) continue;
    // In a URL only (the .ts one is the pool's path when it runs from the sources): never an import.
    const urls = [...text.matchAll(/new URL\("([^"]*secrets-worker[^"]*)",import\.meta\.url\)/g)].map(
      (m) => m[1]!,
    );
    assert.equal(urls.length, all, `${relative(dist, file)} mentions the worker outside a URL`);
    assert.deepEqual(urls.sort(), ['../gates/secrets-worker.js', './secrets-worker.ts']);
    assert.equal(fileURLToPath(new URL('../gates/secrets-worker.js', pathToFileURL(file))), worker);
    mentions.push(relative(dist, file));
  }
  assert.equal(mentions.length, 1, `mentioned in ${mentions.join(', ')}`);
  assert.match(mentions[0]!, /^chunks\//, 'the pool is in a chunk loaded when the gate runs');

  // It answers a batch as the source scanner does.
  await writeFile(join(dir, 'a.ts'), `const a = 1;\nexport const token = '${token}';\n`);
  await writeFile(join(dir, 'b.bin'), Buffer.from([0, 1, 2]));
  const setup: WorkerSetup = { options: DEFAULT_SCAN_OPTIONS };
  const thread = new Worker(worker, { workerData: setup });
  t.after(() => thread.terminate());
  const batch: WorkerBatch = {
    files: [
      { path: 'a.ts', absolute: join(dir, 'a.ts') },
      { path: 'b.bin', absolute: join(dir, 'b.bin') },
      { path: 'gone.ts', absolute: join(dir, 'gone.ts') },
    ],
  };
  thread.postMessage(batch);
  const [answer] = (await once(thread, 'message')) as [WorkerAnswer];
  const scanner = new FileScanner(DEFAULT_SCAN_OPTIONS);
  assert.deepEqual(
    answer,
    batch.files.map((file) => scanner.scanSync(file.absolute, file.path)),
  );
  assert.equal(answer[0]!.kind === 'scanned' && answer[0]!.findings[0]!.redacted, 'ghp_…q7R8');
  assert.deepEqual(answer[2], { kind: 'unreadable', code: 'ENOENT' });
});
