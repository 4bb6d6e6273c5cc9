// Orchestration overhead per strategy step, the bundles' sizes, and cold start. Prints figures; asserts none.
//   node bench/pipeline.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveEnvironment } from '../src/config/resolve.ts';
import type { RawConfig } from '../src/config/schema.ts';
import type { Analyzer } from '../src/pipeline/analyzer.ts';
import type { Reporter } from '../src/pipeline/events.ts';
import { runPipeline } from '../src/pipeline/pipeline.ts';

const silent: Reporter = { event() {} };
const promote: Analyzer = { evaluate: async () => ({ ok: true, analysis: 'promote' }) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function config(stateDir: string, strategy: unknown, command: string[]): RawConfig {
  const c = (...extra: string[]) => [...command, ...extra];
  return {
    preset: 'fast',
    state_dir: stateDir,
    target: {
      commands: {
        deploy: c('{{version}}'),
        switch: c('{{slot}}'),
        set_weight: c('{{slot}}', '{{weight}}'),
        health: c('{{environment}}'),
        teardown: c('{{environment}}'),
      },
    },
    environments: { production: { strategy: strategy as never, monitor: 0 } },
  } as RawConfig;
}

const strategies: Record<string, unknown> = {
  direct: 'direct',
  rolling: { type: 'rolling', instances: 8, max_surge: 1, max_unavailable: 0 },
  'blue-green': { type: 'blue-green', verify_after_switch: 0 },
  canary: { type: 'canary', steps: [5, 10, 25, 50, 100], pause: 0 },
};

async function measure(name: string, strategy: unknown, command: string[], rounds: number) {
  const perStep: number[] = [];
  let steps = 0;
  for (let i = 0; i < rounds; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const started = performance.now();
    const result = await runPipeline(
      { env: resolveEnvironment(config(dir, strategy, command), 'production'), version: `v${i}` },
      { reporter: silent, analyzerFor: () => promote },
    );
    const total = performance.now() - started;
    rmSync(dir, { recursive: true, force: true });
    if (result.status !== 'succeeded') throw new Error(`${name}: ${result.message}`);
    steps = result.steps.length;
    perStep.push(total / steps);
  }
  return { name, steps, msPerStep: median(perStep) };
}

/**
 * An entry and the chunks it loads statically (code splitting): what a start compiles. Chunks behind a
 * dynamic import() are loaded only when used and are not counted.
 */
function loadedAtStart(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const match of source.matchAll(/\bimport\s*(?:[\w$*{}\s,]+from\s*)?"(\.{1,2}\/[^"]+)"/g))
    loadedAtStart(resolve(dirname(entry), match[1]!), seen);
  return seen;
}

async function coldStart(file: string, args: string[], rounds: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    samples.push(
      await new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [file, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: '1' },
        });
        let seen = false;
        const first = () => {
          if (!seen) {
            seen = true;
            resolve(performance.now() - started);
          }
        };
        child.stdout.once('data', first);
        child.stderr.once('data', first);
        child.on('error', reject);
        child.on('close', () => (seen ? undefined : reject(new Error(`${file} printed nothing`))));
      }),
    );
  }
  return median(samples);
}

export async function benchPipeline(): Promise<void> {
  console.log('## Orchestration overhead per strategy step (median of runs)');
  console.log(
    '| strategy | steps | in-process no-op target (ms/step) | `true` as every command (ms/step, incl. spawn) |',
  );
  console.log('|---|---:|---:|---:|');
  for (const [name, strategy] of Object.entries(strategies)) {
    // Real processes: every command is `true`, so the figure is orchestration plus one spawn per step.
    const noop = await measure(name, strategy, ['true'], 5);
    console.log(
      `| ${name} | ${noop.steps} | ${await inProcess(name, strategy)} | ${noop.msPerStep.toFixed(2)} |`,
    );
  }
  console.log('');
  console.log('## Bundles');
  console.log(
    '| entry | files loaded at start | bytes | gzip bytes | cold start to first output (median of 10) |',
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const [file, args] of [
    ['dist/action/index.js', []],
    ['dist/cli/index.js', ['--help']],
  ] as const) {
    const files = [...loadedAtStart(file)];
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    const gzip = files.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0);
    const ms = await coldStart(file, [...args], 10);
    console.log(`| ${file} | ${files.length} | ${bytes} | ${gzip} | ${ms.toFixed(0)} ms |`);
  }
}

/** The pipeline with step execution stubbed out entirely: pure decision + reporting cost. */
async function inProcess(name: string, strategy: unknown): Promise<string> {
  const { createStrategy } = await import('../src/strategies/index.ts');
  const { resolveEnvironment } = await import('../src/config/resolve.ts');
  const { executeStrategy } = await import('../src/pipeline/execute-strategy.ts');
  const env = resolveEnvironment(config('/tmp/unused', strategy, ['true']), 'production');
  const caps = { health: true, smoke: false, warmup: false, switch: true, setWeight: true, teardown: true };
  const rounds = 2000;
  let steps = 0;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const machine = createStrategy(env.strategy, caps, { slot: 'blue' });
    const log = { decisions: [], steps: [] };
    await executeStrategy(machine, {
      environment: 'production',
      phase: 'production',
      runStep: async () => ({ ok: true, analysis: 'promote' }),
      reporter: silent,
      log,
    });
    steps += log.steps.length;
  }
  void name;
  return ((performance.now() - started) / steps).toFixed(4);
}

if (import.meta.main) await benchPipeline();
