#!/usr/bin/env node
// The `deploy-action` binary. It only checks the Node.js release before loading the CLI: the bundle uses
// APIs of newer releases (fs.glob among them), and an older Node would fail while linking it with a screen
// of minified source instead of saying what is wrong. So this file imports nothing that needs a newer Node.
import { nodeReleaseProblem } from './node-release.ts';

const problem = nodeReleaseProblem(process.versions.node);
if (problem) {
  process.stderr.write(`deploy-action: ${problem}\n`);
  process.exit(1);
}
// A computed specifier, so the bundler leaves the CLI in its own file, loaded only on a supported Node.
await import(new URL('./main.js', import.meta.url).href);
