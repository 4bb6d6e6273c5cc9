// The bundles as scripts/build.ts writes them, built once per test process into a temporary directory. The
// tests of what the build writes (each worker thread's own file: gates/xml-worker.js, gates/secrets-worker.js)
// only read a build, and share a process (npm test's shared groups): each building its own spent about 1.5 s
// of CPU (esbuild's, then loading it) on the same files. A test that changes a build makes its own
// (test/unit/build/build-in-place.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist } from '../../scripts/build.ts';

let built: Promise<string> | undefined;

/** The directory of this process's build (its dist/), built on the first call; removed when the process exits. */
export function sharedDist(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'built-dist-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const dist = join(dir, 'dist');
    await buildDist(dist);
    return dist;
  })();
  return built;
}
