// The XML report reader's worker thread in the bundles: scripts/build.ts writes it to
// dist/gates/xml-worker.js, self-contained, loaded by URL only; and the BUILT action, run the way the
// runner runs it (test/helpers/action.ts), reads a big JUnit report through that thread: started once,
// ended once, and the verdict is the report's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildDist } from '../../../scripts/build.ts';
import { runBuiltAction } from '../../helpers/action.ts';
import { bigJUnit } from '../../helpers/big-xml-reports.ts';

/** Loaded into the built action (NODE_OPTIONS): says on stderr when a worker thread starts and exits. */
const WATCH_THREADS = `import dc from 'node:diagnostics_channel';
dc.subscribe('worker_threads', ({ worker }) => {
  process.stderr.write('thread started\\n');
  worker.on('exit', () => process.stderr.write('thread exited\\n'));
});
`;

test('the built action reads a big JUnit report through dist/gates/xml-worker.js', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'xml-worker-bundle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dist = join(dir, 'dist');
  await buildDist(dist);
  const worker = join(dist, 'gates/xml-worker.js');
  assert.ok(existsSync(worker), 'dist/gates/xml-worker.js was not built');

  // Self-contained: it imports Node's modules only, no chunk shared with the entries.
  const source = await readFile(worker, 'utf8');
  // Import statements and import() calls only: the parser's bundled code has strings such as "DELETE from".
  const imports = [
    ...source.matchAll(
      /\bimport\s*(?:[\w$*{}\s,]+from\s*)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g,
    ),
  ].map((m) => (m[1] ?? m[2])!);
  assert.ok(imports.includes('node:worker_threads'), imports.join(', '));
  assert.deepEqual(
    imports.filter((specifier) => !specifier.startsWith('node:')),
    [],
  );
  // Nothing imports it; the gates' chunk names it by the URL the reader starts it from, which resolves to it.
  const mentions: string[] = [];
  for (const file of await readdir(dist, { recursive: true })) {
    const path = join(dist, file);
    if (!file.endsWith('.js') || path === worker) continue;
    const text = await readFile(path, 'utf8');
    const all = text.split('xml-worker').length - 1;
    if (all === 0) continue;
    const urls = [...text.matchAll(/new URL\("([^"]*xml-worker[^"]*)",import\.meta\.url\)/g)].map(
      (m) => m[1]!,
    );
    assert.equal(urls.length, all, `${file} mentions the worker outside a URL`);
    assert.deepEqual(urls.sort(), ['../gates/xml-worker.js', './xml-worker.ts']);
    assert.equal(fileURLToPath(new URL('../gates/xml-worker.js', pathToFileURL(path))), worker);
    mentions.push(relative(dist, path));
  }
  assert.equal(mentions.length, 1, `mentioned in ${mentions.join(', ')}`);
  assert.match(mentions[0]!, /^chunks\//, 'the reader is in a chunk loaded when the gate runs');

  // The built action, gates only, with a 4 MB JUnit report that lists one failure among 30,000 tests.
  const work = join(dir, 'work');
  await mkdir(work);
  await writeFile(join(work, 'junit.xml'), bigJUnit(300));
  await writeFile(join(dir, 'watch-threads.mjs'), WATCH_THREADS);
  await writeFile(
    join(work, 'deploy.yml'),
    `gates:
  tests: { junit: junit.xml, thresholds: {}, required: true }
target:
  commands:
    deploy: ["true"]
    health: ["true"]
environments:
  production: {}
`,
  );
  const run = await runBuiltAction({
    entry: join(dist, 'action/index.js'),
    dir: work,
    inputs: { environment: 'production', config: 'deploy.yml', mode: 'gates' },
    env: {
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'f'.repeat(40),
      NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'watch-threads.mjs')).href}`,
    },
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.outputs.status, 'blocked');
  const gate = JSON.parse(run.outputs.gates!).gates[0];
  assert.equal(gate.summary, '1 of 30000 tests failed');
  assert.deepEqual(gate.findings, [
    { rule: 'tests.failed', severity: 'error', message: 'k7 › t3 failed: expected 1 (junit.xml)' },
  ]);
  assert.deepEqual(
    run.stderr.split('\n').filter((line) => line.startsWith('thread ')),
    ['thread started', 'thread exited'],
    run.stderr,
  );
});
