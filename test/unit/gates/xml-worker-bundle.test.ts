// The XML report reader's worker thread in the bundles: scripts/build.ts writes it to
// dist/gates/xml-worker.js, self-contained, loaded by URL only; and the BUILT action, run the way the
// runner runs it (test/helpers/action.ts), reads a big JUnit report through that thread: started once,
// ended once, and the verdict is the report's; cancelled as the runner cancels a job, mid-parse, it exits
// at once by itself, after SIGINT alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cancelLikeRunner, runBuiltAction, startBuiltAction } from '../../helpers/action.ts';
import { sharedDist } from '../../helpers/built-dist.ts';
import { parseJUnit } from '../../../src/gates/junit.ts';
import { bigJUnit } from '../../helpers/big-xml-reports.ts';

/** Loaded into the built action (NODE_OPTIONS): says on stderr when a worker thread starts and exits. */
const WATCH_THREADS = `import dc from 'node:diagnostics_channel';
dc.subscribe('worker_threads', ({ worker }) => {
  process.stderr.write('thread started\\n');
  worker.on('exit', () => process.stderr.write('thread exited\\n'));
});
`;

const CONFIG = `gates:
  tests: { junit: junit.xml, thresholds: {}, required: true }
target:
  commands:
    deploy: ["true"]
    health: ["true"]
environments:
  production: {}
`;

let dir: string;
let dist: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xml-worker-bundle-'));
  dist = await sharedDist();
  await writeFile(join(dir, 'watch-threads.mjs'), WATCH_THREADS);
});
after(() => rm(dir, { recursive: true, force: true }));

/** A work dir with deploy.yml and `junit` as junit.xml; how the runner starts the built action in it. */
async function gatesRun(name: string, junit: string) {
  const work = join(dir, name);
  await mkdir(work);
  await writeFile(join(work, 'junit.xml'), junit);
  await writeFile(join(work, 'deploy.yml'), CONFIG);
  return {
    entry: join(dist, 'action/index.js'),
    dir: work,
    inputs: { environment: 'production', config: 'deploy.yml', mode: 'gates' },
    env: {
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'f'.repeat(40),
      NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'watch-threads.mjs')).href}`,
    },
  };
}

const threadLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('thread '));

test('the built action reads a big JUnit report through dist/gates/xml-worker.js', async () => {
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
  const run = await runBuiltAction(await gatesRun('read', bigJUnit(300)));
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.outputs.status, 'blocked');
  const gate = JSON.parse(run.outputs.gates!).gates[0];
  assert.equal(gate.summary, '1 of 30000 tests failed');
  assert.deepEqual(gate.findings, [
    { rule: 'tests.failed', severity: 'error', message: 'k7 › t3 failed: expected 1 (junit.xml)' },
  ]);
  assert.deepEqual(threadLines(run.stderr), ['thread started', 'thread exited'], run.stderr);
});

test('the built action cancelled like a job mid-parse exits after SIGINT alone, far sooner than the parse', async () => {
  const junit = bigJUnit(600);
  // What the parse takes on the main thread, on this machine now (warmed up).
  let parse = Infinity;
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    parseJUnit(junit, 'junit.xml');
    parse = Math.min(parse, performance.now() - started);
  }
  const action = startBuiltAction(await gatesRun('cancel', junit));
  // The reading thread has started; 300 ms later the parse is under way. (Waiting for the gate's own line
  // instead raced on a loaded machine: reading the 8 MB file could outlast the 300 ms, and SIGINT then
  // came before any thread, which is not the case under test.) Should the action end first, the
  // assertions below say how.
  await Promise.race([
    action.done,
    new Promise<void>((resolve) => {
      const onData = (data: Buffer) => {
        if (!/thread started/.test(String(data))) return;
        action.child.stderr!.off('data', onData);
        setTimeout(resolve, 300);
      };
      action.child.stderr!.on('data', onData);
    }),
  ]);
  const { sent, exitedAfterMs } = await cancelLikeRunner(action);
  const run = await action.done;
  assert.deepEqual(sent, ['SIGINT'], run.stdout);
  assert.equal(run.signal, null);
  assert.ok(
    exitedAfterMs < parse / 4,
    `exited ${exitedAfterMs} ms after SIGINT; the parse takes ${parse.toFixed(0)} ms on the main thread`,
  );
  assert.equal(JSON.parse(run.outputs.gates!).gates[0].summary, 'cancelled (SIGINT received)');
  assert.equal(threadLines(run.stderr)[0], 'thread started', run.stderr);
});
