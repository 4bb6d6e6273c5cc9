#!/usr/bin/env node
// The `deploy-action` binary. It only checks the Node.js release before loading the CLI: the bundle uses
// APIs of newer releases (fs.glob among them), and an older Node would fail while linking it with a screen
// of minified source instead of saying what is wrong. So this file imports nothing that needs a newer Node.
import module from 'node:module';
import { nodeReleaseProblem } from './node-release.ts';

const problem = nodeReleaseProblem(process.versions.node);
if (problem) {
  process.stderr.write(`deploy-action: ${problem}\n`);
  process.exit(1);
}
// Node's on-disk compile cache: a later start skips compiling the CLI's bundle, about 15 % of a `validate`
// (bench/startup.ts). Node's own variables still apply: NODE_COMPILE_CACHE names the directory (the default
// is node-compile-cache in the temporary directory), NODE_DISABLE_COMPILE_CACHE=1 turns it off. A directory
// that cannot be written leaves the cache off, silently. Not in the action: a runner starts with an empty
// temporary directory, so there it would only add the writes.
module.enableCompileCache?.();
// A computed specifier, so the bundler leaves the CLI in its own file, loaded only on a supported Node.
await import(new URL('./main.js', import.meta.url).href);
