// src/targets' modules import each other in cycles (programs.ts, task-runners.ts, file-reads.ts, ...). A table
// that spreads another module's table at load breaks when that module has not finished loading, which depends on
// which module of the cycle is imported first. Today the CLI happens to load programs.ts first; each module of the
// big cycle is loaded first in a fresh worker, so a new importer cannot trip over the order. (All of src/targets,
// one worker each, takes about 10 s of CPU: these are the modules that failed before and the cycle's hubs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const TARGETS = join(import.meta.dirname, '../../../src/targets');

function loadsFirst(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const worker = new Worker(
      `import(${JSON.stringify(file)}).then(() => process.exit(0), (e) => { require('node:worker_threads').parentPort.postMessage(String(e && e.message)); process.exit(1); });`,
      { eval: true },
    );
    let message: string | undefined;
    worker.on('message', (m: string) => (message = m));
    worker.on('error', (e) => (message = e.message));
    worker.on('exit', (code) => resolve(code === 0 ? undefined : (message ?? `exit ${code}`)));
  });
}

test('every src/targets module loads when it is the first one imported', async () => {
  const modules = [
    // Each failed ("Cannot access 'GCLOUD_BUILD_WITH_VALUE' before initialization") before gcloud's option
    // tables moved to gcloud-options.ts, which imports nothing.
    ...['file-reads', 'container-mounts', 'file-writes', 'hcl-fields', 'json-arguments', 'manifest-fields'],
    'ssh-destinations',
    ...[
      'programs',
      'launchers',
      'shell-script',
      'task-runners',
      'deploy-sources',
      'remote-tools',
      'stdin-routes',
    ],
  ];
  const failed: string[] = [];
  for (const name of modules) {
    const problem = await loadsFirst(join(TARGETS, `${name}.ts`));
    if (problem) failed.push(`${name}.ts: ${problem}`);
  }
  assert.deepEqual(failed, []);
});
