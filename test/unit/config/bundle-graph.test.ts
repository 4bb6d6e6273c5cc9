// What loading a config pulls into a bundle. The App only reads deploy.yml, so its bundle must not carry the
// gates' run code or what that code needs (execa, pg): config → schema → gate registry → migrations gate
// once put both there. Built the way scripts/build.ts builds dist/, with esbuild's metafile: every input
// esbuild bundled, static or behind a dynamic import() (a chunk that ships is a chunk that ships).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { bundleOptions, entries } from '../../../scripts/build.ts';

const root = join(import.meta.dirname, '..', '..', '..');

/**
 * Inputs that are run code or its dependencies: a gate outside src/gates/schema/, execa, pg and its family.
 * The secret rules and their helpers (entropy, patterns, placeholders) are not: a pure scanner (node:crypto
 * only) that every writer of records and reports uses to keep credentials out of what it stores, the App's
 * record writes included.
 */
const RUN_CODE = [
  /^src\/gates\/(?!schema\/|secret-(?:rules|entropy|patterns|placeholders)\.ts$)/,
  /^node_modules\/execa\//,
  /^node_modules\/pg(-[^/]+)?\//,
];
const isRunCode = (input: string): boolean => RUN_CODE.some((pattern) => pattern.test(input));

const configFiles = readdirSync(join(root, 'src', 'config'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => `src/config/${name}`);
const checked = [entries['app/index'], entries['app/server'], ...configFiles, entries['action/index']];

/**
 * Every checked entry bundled at once (one esbuild run, not one an entry: 29 builds of the same modules were
 * most of this file's CPU). A module's imports are the same whichever entry reached it, so what an entry's
 * own build bundles is what its imports reach through the shared metafile (reachable below).
 */
let built: Promise<Metafile['inputs']> | undefined;
function allInputs(): Promise<Metafile['inputs']> {
  built ??= build({
    ...bundleOptions,
    entryPoints: checked,
    absWorkingDir: root,
    outdir: join(root, 'dist-graph-unused'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  }).then((result) => result.metafile.inputs);
  return built;
}

/** The inputs `entry` reaches through static and dynamic imports: what its own build would bundle. */
function reachable(inputs: Metafile['inputs'], entry: string): Metafile['inputs'] {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift())
    for (const { path } of inputs[file]?.imports ?? [])
      if (path in inputs && !seen.has(path)) {
        seen.add(path);
        queue.push(path);
      }
  return Object.fromEntries([...seen].map((file) => [file, inputs[file]!]));
}

async function graph(entry: string): Promise<Metafile['inputs']> {
  return reachable(await allInputs(), entry);
}

/** The import chain from `entry` to `target` (first found), so a failure says who drags it in. */
function chain(inputs: Metafile['inputs'], entry: string, target: string): string[] {
  const from = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (file === target) break;
    for (const { path } of inputs[file]?.imports ?? []) {
      if (from.has(path) || !(path in inputs)) continue;
      from.set(path, file);
      queue.push(path);
    }
  }
  const path = [target];
  while (from.get(path[0]!)) path.unshift(from.get(path[0]!)!);
  return path;
}

async function runCodeIn(entry: string): Promise<{ found: string[]; why: string }> {
  const inputs = await graph(entry);
  const found = Object.keys(inputs).filter(isRunCode).sort();
  return { found, why: found.length > 0 ? chain(inputs, entry, found[0]!).join('\n  → ') : '' };
}

describe('what loading a config bundles', () => {
  for (const entry of [entries['app/index'], entries['app/server'], ...configFiles]) {
    it(`${entry}: no gate run code, execa or pg`, async () => {
      const { found, why } = await runCodeIn(entry);
      const shown =
        found.slice(0, 10).join('\n  ') + (found.length > 10 ? `\n  and ${found.length - 10} more` : '');
      assert.equal(found.length, 0, `${entry} bundles run code:\n  ${shown}\nthrough\n  ${why}`);
    });
  }

  it('the same check finds the gates, execa and pg in the action, which runs them', async () => {
    const { found } = await runCodeIn(entries['action/index']);
    for (const expected of [
      'src/gates/registry.ts',
      'src/gates/migrations.ts',
      'node_modules/execa/',
      'node_modules/pg/',
    ])
      assert.ok(
        found.some((input) => input.startsWith(expected)),
        `expected ${expected} in the action's graph`,
      );
  });
});
