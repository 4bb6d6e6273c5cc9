// Bundles the action, the CLI and the App into dist/: one ESM file per entry, plus shared chunks in
// dist/chunks/ (code splitting), so a run compiles only what it loads; a dynamic import() (pg, the analysis
// providers) stays out of the entry's chunk graph until it is called. Chunk names carry a content hash
// only, so the build stays reproducible. The output is committed and CI checks that it
// matches a fresh build (scripts/check-dist.ts), so the build must be deterministic: no timestamps, no
// absolute paths, no minification differences between machines.
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { lazyActionsCorePlugin } from './lazy-actions-core.ts';
import { lazyCommanderPlugin } from './lazy-commander.ts';

export const entries = {
  'action/index': 'src/action/index.ts',
  // The binary checks the Node.js release, then loads the CLI itself (cli/main).
  'cli/index': 'src/cli/launcher.ts',
  'cli/main': 'src/cli/index.ts',
  // The GitHub App: the Probot app function (package export "./app") and its server (`npm start`).
  'app/index': 'app/index.ts',
  'app/server': 'app/server.ts',
  // The App on AWS Lambda (handler `handler`): app/lambda.ts.
  'app/lambda': 'app/lambda.ts',
} as const;

/** How every entry is bundled: the build below, and tests that inspect an entry's module graph. */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: false,
  legalComments: 'none',
  // Whitespace and syntax only: identifiers keep their names, so stack traces stay readable. Halves the
  // bytes the runner reads at every cold start.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // @actions/core without undici at start (lazy-actions-core.ts), commander without node:child_process
  // (lazy-commander.ts).
  plugins: [lazyActionsCorePlugin, lazyCommanderPlugin],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
} as const satisfies BuildOptions;

/**
 * Builds into a directory beside `outdir` (in `.tmp/`, git-ignored), then moves the files in (moveInto). The
 * build used to empty `outdir` first: for the seconds the build took, a CLI already running from it (a second
 * `npm run demo` while the first deployed, `npm test` beside it) found its lazily loaded chunks gone and
 * crashed mid-deployment.
 */
export async function buildDist(outdir = 'dist'): Promise<void> {
  const target = resolve(outdir);
  const scratch = join(dirname(target), '.tmp');
  const staging = scratchDir(scratch, `${basename(target)}-build-`);
  try {
    await build({ ...bundleOptions, entryPoints: entries, outdir: staging });
    await build({ ...bundleOptions, splitting: false, entryPoints: secretsWorkerEntry, outdir: staging });
    await build({ ...bundleOptions, splitting: false, entryPoints: xmlWorkerEntry, outdir: staging });
    moveInto(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    try {
      rmdirSync(scratch);
    } catch {
      // Not empty (another build's, or the project's own .tmp/ files): it stays.
    }
  }
}

/** A fresh directory in `scratch`, which another build that just finished may remove at this moment. */
function scratchDir(scratch: string, prefix: string): string {
  for (let attempt = 1; ; attempt++) {
    mkdirSync(scratch, { recursive: true });
    try {
      return mkdtempSync(join(scratch, prefix));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
    }
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/**
 * Puts a fresh build in `outdir` with no moment where a file a running process may load is missing or half
 * written: each file is renamed over its old copy (atomic on one file system), the shared chunks before the
 * entries that import them; only then are the files the new build no longer has removed.
 */
export function moveInto(staging: string, outdir: string): void {
  const fresh = filesUnder(staging);
  const chunksFirst = [...fresh].sort(
    (a, b) => Number(!a.startsWith(`chunks/`)) - Number(!b.startsWith(`chunks/`)) || a.localeCompare(b),
  );
  for (const file of chunksFirst) {
    mkdirSync(dirname(join(outdir, file)), { recursive: true });
    renameSync(join(staging, file), join(outdir, file));
  }
  const kept = new Set(fresh);
  for (const file of filesUnder(outdir)) if (!kept.has(file)) rmSync(join(outdir, file), { force: true });
}

/**
 * The secrets gate's worker thread (src/gates/secrets-pool.ts starts it by its path, dist/gates/): one file
 * of its own, outside the entries' chunk graph, so no start loads it; only a secret scan with threads does.
 */
export const secretsWorkerEntry = { 'gates/secrets-worker': 'src/gates/secrets-worker.ts' } as const;

/**
 * The XML report reader's worker thread (src/gates/xml-thread.ts starts it by its path, dist/gates/): one file
 * of its own with the XML parser in it, loaded only when a big JUnit or Cobertura report is read.
 */
export const xmlWorkerEntry = { 'gates/xml-worker': 'src/gates/xml-worker.ts' } as const;

if (import.meta.main) {
  await buildDist();
}
