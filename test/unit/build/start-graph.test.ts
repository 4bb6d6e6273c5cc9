// What the action compiles at start (issue 16): the entry and what it imports statically, built the way
// scripts/build.ts builds dist/ (esbuild's metafile). Run code, HTTP clients and process runners load when
// a run needs them, through import(); a static import or require() of one of them would load it on every
// start, which is what these tests catch, naming the chain that drags it in.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { bundleOptions, entries } from '../../../scripts/build.ts';
import { lazyActionsCore } from '../../../scripts/lazy-actions-core.ts';
import { lazyCommander } from '../../../scripts/lazy-commander.ts';

const root = join(import.meta.dirname, '..', '..', '..');

/** An entry built as scripts/build.ts builds it, once per entry: the CLI's graph and its text are one build. */
const builds = new Map<string, ReturnType<typeof build<{ write: false; metafile: true }>>>();
function built(entry: string) {
  let result = builds.get(entry);
  if (!result) {
    result = build({
      ...bundleOptions,
      entryPoints: [entry],
      absWorkingDir: root,
      outdir: join(root, 'dist-graph-unused'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    builds.set(entry, result);
  }
  return result;
}

async function metafileOf(entry: string): Promise<Metafile> {
  return (await built(entry)).metafile;
}

/** Every input reached from `entry` without crossing a dynamic import(), with who imported it first. */
function staticGraph(inputs: Metafile['inputs'], entry: string): Map<string, string> {
  const from = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const { path, kind } of inputs[file]?.imports ?? []) {
      if (kind === 'dynamic-import' || from.has(path) || !(path in inputs)) continue;
      from.set(path, file);
      queue.push(path);
    }
  }
  return from;
}

/**
 * The inputs whose code is in the entry's output file or a chunk it imports statically: what a start
 * compiles (an input esbuild tree-shook to nothing is not counted).
 */
function compiledAtStart(metafile: Metafile, entry: string): Set<string> {
  const outputs = metafile.outputs;
  const first = Object.keys(outputs).find((file) => outputs[file]!.entryPoint === entry)!;
  const files = new Set<string>([first]);
  for (const file of files)
    for (const { path, kind } of outputs[file]!.imports)
      if (kind === 'import-statement' && path in outputs) files.add(path);
  const inputs = new Set<string>();
  for (const file of files)
    for (const [input, { bytesInOutput }] of Object.entries(outputs[file]!.inputs))
      if (bytesInOutput > 0) inputs.add(input);
  return inputs;
}

function chainTo(graph: Map<string, string>, target: string): string {
  const path = [target];
  while (graph.get(path[0]!)) path.unshift(graph.get(path[0]!)!);
  return path.join('\n  → ');
}

/** Loaded when a run needs them, never at start. */
const NOT_AT_START: Array<[what: string, pattern: RegExp]> = [
  ['undici (through @actions/core → oidc-utils → @actions/http-client)', /^node_modules\/undici\//],
  ['@actions/http-client', /^node_modules\/@actions\/http-client\//],
  ['octokit', /^node_modules\/@octokit\//],
  ['bottleneck (octokit throttling)', /^node_modules\/bottleneck\//],
  ['execa', /^node_modules\/execa\//],
  ['pg', /^node_modules\/pg(-[^/]+)?\//],
  ['a gate’s run code', /^src\/gates\/(?!schema\/|registry\.ts$|types\.ts$)/],
  ['the pipeline', /^src\/pipeline\//],
  ['the analysis providers', /^src\/analysis\/providers\//],
  ['the GitHub reporter', /^src\/report\/github\//],
  ['zod locales other than English', /^node_modules\/zod\/v4\/locales\/(?!en\.js$)/],
  // A start that stops before it has a plan (a bad input, nothing to do) builds no config schema.
  ['the zod config schemas (src/config/schema.ts)', /^src\/config\/schema\.ts$/],
  ['the config loader and yaml', /^(src\/config\/load\.ts$|node_modules\/yaml\/)/],
];

/**
 * What `deploy-action validate` need not compile: every other command's code, loaded by import() when that
 * command runs (src/cli/main.ts).
 */
const NOT_AT_CLI_START: Array<[what: string, pattern: RegExp]> = [
  ['the pipeline', /^src\/pipeline\//],
  ['reconcile', /^(src\/reconcile\/|src\/cli\/reconcile\.ts$)/],
  [
    'the analysis (judge, providers, replay)',
    // config.ts resolves the section's checks (which metrics the analyzer reads: config/analysis-templates.ts),
    // from schema.ts and window.ts alone.
    /^src\/analysis\/(?!schema\.ts$|log-config\.ts$|exit-codes\.ts$|window\.ts$|config\.ts$)/,
  ],
  ['control requests', /^(src\/control\/|src\/cli\/control\.ts$)/],
  ['the other commands’ modules', /^src\/cli\/(analyze|status|state-key|metrics|alerts)\.ts$/],
  ['the state stores', /^src\/state\//],
  ['the reporters', /^src\/report\//],
  ['a gate’s run code', /^src\/gates\/(?!schema\/|registry\.ts$|types\.ts$)/],
  ['execa', /^node_modules\/execa\//],
  ['octokit', /^node_modules\/@octokit\//],
  ['pg', /^node_modules\/pg(-[^/]+)?\//],
];

/** The NOT_AT_START entries found in what `entry` compiles at start, each with the chain that drags it in. */
async function loadedTooEarly(
  entry: string,
  notAtStart: Array<[what: string, pattern: RegExp]>,
  expected: string,
): Promise<{ problems: string[]; metafile: Metafile; atStart: string[] }> {
  const metafile = await metafileOf(entry);
  const { inputs } = metafile;
  const graph = staticGraph(inputs, entry);
  const atStart = [...compiledAtStart(metafile, entry)];
  assert.ok(atStart.includes(expected), `the start is not what this test thinks: ${atStart.join(', ')}`);
  const problems: string[] = [];
  for (const [what, pattern] of notAtStart) {
    const found = atStart.find((input) => pattern.test(input));
    if (found) problems.push(`${what} at start: ${found} through\n  ${chainTo(graph, found)}`);
    // It still ships: a run that needs it must find it (a dynamic import resolved at build time).
    else if (what !== 'zod locales other than English')
      assert.ok(
        Object.keys(inputs).some((input) => pattern.test(input)),
        `${what} is not in the bundle at all: the check would pass for the wrong reason`,
      );
  }
  return { problems, metafile, atStart };
}

/** Node built-ins imported statically by the outputs that hold code compiled at start. */
function builtinsAtStart(metafile: Metafile, atStart: string[]): Set<string> {
  return new Set(
    Object.values(metafile.outputs)
      .filter((output) => Object.keys(output.inputs).some((input) => atStart.includes(input)))
      .flatMap((output) => output.imports)
      .filter(({ kind, external }) => external && kind === 'import-statement')
      .map(({ path }) => path.replace(/^node:/, '')),
  );
}

describe('what the action loads at start', () => {
  it('none of the run-time code: it is behind import() until a run needs it', async () => {
    const { problems, metafile, atStart } = await loadedTooEarly(
      entries['action/index'],
      NOT_AT_START,
      'src/action/run.ts',
    );
    assert.deepEqual(problems, []);
    // Node built-ins a start need not pay for: crypto (about 10 ms and 3 MiB), the HTTP stack, processes.
    const builtins = builtinsAtStart(metafile, atStart);
    for (const heavy of ['crypto', 'http', 'https', 'net', 'tls', 'zlib', 'child_process'])
      assert.ok(!builtins.has(heavy), `node:${heavy} is imported statically at start`);
  });

  it('the gate registry gives every gate its schema without loading its run code', async () => {
    const entry = 'src/gates/registry.ts';
    const graph = staticGraph((await metafileOf(entry)).inputs, entry);
    const runCode = [...graph.keys()].filter((input) =>
      /^src\/gates\/(?!schema\/|registry\.ts$|types\.ts$)/.test(input),
    );
    assert.deepEqual(
      runCode,
      [],
      `the registry imports run code statically:\n  ${runCode.map((f) => chainTo(graph, f)).join('\n')}`,
    );
  });
});

describe('what the CLI loads at start', () => {
  it('the config loader and commander; every other command’s code is behind import()', async () => {
    const { problems, metafile, atStart } = await loadedTooEarly(
      entries['cli/main'],
      NOT_AT_CLI_START,
      'src/config/load.ts',
    );
    assert.deepEqual(problems, []);
    // The version rule without the deployment payload's zod schema, which no CLI command reads.
    assert.ok(atStart.includes('src/github/version-rule.ts'));
    assert.ok(!atStart.includes('src/github/deployment-payload.ts'), 'the payload schema is loaded at start');
    const builtins = builtinsAtStart(metafile, atStart);
    for (const heavy of ['crypto', 'http', 'https', 'net', 'tls', 'zlib'])
      assert.ok(!builtins.has(heavy), `node:${heavy} is imported statically at the CLI's start`);
  });
});

describe('lazy-actions-core', () => {
  const core = [
    'const oidc_utils_1 = require("./oidc-utils");',
    'function getIDToken(aud) {',
    '        return yield oidc_utils_1.OidcClient.getIDToken(aud);',
    '}',
    'exports.platform = __importStar(require("./platform"));',
  ].join('\n');

  it('turns the two eager requires into loads on first use', () => {
    const out = lazyActionsCore(core);
    assert.doesNotMatch(out, /require\("\.\/oidc-utils"\)/);
    assert.match(out, /yield import\("\.\/oidc-utils\.js"\)\)\.OidcClient\.getIDToken\(aud\)/);
    assert.match(
      out,
      /get: function \(\) \{ return \(platform_1 \?\?= __importStar\(require\("\.\/platform"\)\)\); \}/,
    );
  });

  it('loads node:crypto in file-command.js when a delimiter is needed, not at load', () => {
    const out = lazyActionsCore(
      'const crypto = __importStar(require("crypto"));\nconst delimiter = `ghadelimiter_${crypto.randomUUID()}`;',
      'node_modules/@actions/core/lib/file-command.js',
    );
    assert.doesNotMatch(out, /__importStar\(require\("crypto"\)\)/);
    assert.match(out, /randomUUID: \(\) => require\("crypto"\)\.randomUUID\(\)/);
  });

  it('fails the build, naming the text, when @actions/core no longer has it', () => {
    const changed = core.replace('require("./oidc-utils")', 'require("./oidc")');
    assert.throws(
      () => lazyActionsCore(changed, 'node_modules/@actions/core/lib/core.js'),
      /"const oidc_utils_1 = require\("\.\/oidc-utils"\);" not found in node_modules\/@actions\/core\/lib\/core\.js/,
    );
  });
});

describe('lazy-commander', () => {
  const command = [
    "const EventEmitter = require('node:events').EventEmitter;",
    "const childProcess = require('node:child_process');",
    "proc = childProcess.spawn(process.execPath, args, { stdio: 'inherit' });",
  ].join('\n');

  it('loads node:child_process when a subcommand is spawned, not at load', () => {
    const out = lazyCommander(command);
    assert.doesNotMatch(out, /const childProcess = require\('node:child_process'\);/);
    assert.match(out, /spawn: \(\.\.\.args\) => require\('node:child_process'\)\.spawn\(\.\.\.args\)/);
    assert.match(out, /childProcess\.spawn\(process\.execPath, args/);
  });

  it('is in the build: the CLI requires node:child_process only where commander spawns', async () => {
    // A require() is not in the metafile's static graph (builtinsAtStart), so the built text is read.
    const result = await built(entries['cli/main']);
    const requires = result.outputFiles.flatMap((file) => [
      ...file.text.matchAll(/require\("node:child_process"\)(\.\w+)?/g),
    ]);
    assert.ok(
      requires.length > 0,
      'commander is not in the CLI bundle: the check would pass for the wrong reason',
    );
    assert.deepEqual(new Set(requires.map((m) => m[0])), new Set(['require("node:child_process").spawn']));
  });

  it('fails the build, naming the text, when commander no longer has it', () => {
    assert.throws(
      () =>
        lazyCommander(command.replace("require('node:child_process')", "require('child_process')"), 'x.js'),
      /lazy-commander: "const childProcess = require\('node:child_process'\);" not found in x\.js/,
    );
  });
});
