// commander requires node:child_process at load, for one thing this CLI never does: running a subcommand
// from a separate executable. node:child_process brings node:net, node:dgram and the DNS binding with it,
// which bare `node` does not load, into every start of `deploy-action`. This esbuild plugin rewrites that
// require in commander/lib/command.js so node:child_process loads when a subcommand is spawned (spawn is all
// commander uses of it). If an upgrade changes the text, the build fails rather than quietly loading it again.
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

const EAGER = "const childProcess = require('node:child_process');";
const LAZY = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";

export function lazyCommander(source: string, path = 'commander/lib/command.js'): string {
  if (!source.includes(EAGER))
    throw new Error(
      `lazy-commander: "${EAGER}" not found in ${path}; commander changed, update scripts/lazy-commander.ts`,
    );
  return source.replace(EAGER, LAZY);
}

export const lazyCommanderPlugin: Plugin = {
  name: 'lazy-commander',
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async ({ path }) => ({
      contents: lazyCommander(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};
