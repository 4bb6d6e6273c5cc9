// Bundles the action, the CLI and the App into dist/: one ESM file per entry, plus shared chunks in
// dist/chunks/ (code splitting), so a run compiles only what it loads; a dynamic import() (pg, the analysis
// providers) stays out of the entry's chunk graph until it is called. Chunk names carry a content hash
// only, so the build stays reproducible. The output is committed and CI checks that it
// matches a fresh build (scripts/check-dist.ts), so the build must be deterministic: no timestamps, no
// absolute paths, no minification differences between machines.
import { build, type BuildOptions } from 'esbuild';
import { rmSync } from 'node:fs';
import { lazyActionsCorePlugin } from './lazy-actions-core.ts';

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
  // @actions/core without undici at start (lazy-actions-core.ts).
  plugins: [lazyActionsCorePlugin],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
} as const satisfies BuildOptions;

export async function buildDist(outdir = 'dist'): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build({ ...bundleOptions, entryPoints: entries, outdir });
  await build({ ...bundleOptions, splitting: false, entryPoints: secretsWorkerEntry, outdir });
  await build({ ...bundleOptions, splitting: false, entryPoints: xmlWorkerEntry, outdir });
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
