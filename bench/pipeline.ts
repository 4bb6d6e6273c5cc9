// Orchestration overhead per strategy step, the bundles' sizes, and cold start. Prints figures; asserts none.
//   node bench/pipeline.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveEnvironment } from '../src/config/resolve.ts';
import type { RawConfig } from '../src/config/schema.ts';
import type { Analyzer } from '../src/pipeline/analyzer.ts';
import type { Reporter } from '../src/pipeline/events.ts';
import { next, start, type MachineEvent } from '../src/pipeline/machine.ts';
import { runPipeline } from '../src/pipeline/pipeline.ts';
import { FileStateStore } from '../src/state/file-store.ts';
import { loadedAtStart } from './startup.ts';

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

/** Counts the record writes the pipeline makes through the file store. */
class CountingStore extends FileStateStore {
  writes = 0;
  override async write(...args: Parameters<FileStateStore['write']>): Promise<void> {
    this.writes++;
    return super.write(...args);
  }
}

async function measure(name: string, strategy: unknown, command: string[], rounds: number) {
  const perStep: number[] = [];
  let steps = 0;
  let spawns = 0;
  let writes = 0;
  for (let i = 0; i < rounds; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const env = resolveEnvironment(config(dir, strategy, command), 'production');
    const store = new CountingStore(env.stateDir);
    const started = performance.now();
    const result = await runPipeline(
      { env, version: `v${i}` },
      { reporter: silent, analyzerFor: () => promote, store },
    );
    const total = performance.now() - started;
    rmSync(dir, { recursive: true, force: true });
    if (result.status !== 'succeeded') throw new Error(`${name}: ${result.message}`);
    steps = result.steps.length;
    // Analysis steps ask the analyzer (in process); every other step runs one command.
    spawns = result.steps.filter((s) => s.step.kind !== 'analysis').length;
    writes = store.writes;
    perStep.push(total / steps);
  }
  return { name, steps, spawns, writes, msPerStep: median(perStep) };
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
    'The pipeline machine, its executor and the environment record written to the file store after every ' +
      'transition. Before the machine (the 500-line closure, no record): 3-9 ms per step, spawn included.\n',
  );
  console.log(
    '| strategy | steps (commands) | record writes | machine alone, in process (ms/step) | machine + file store writes, in process (ms/step) | pipeline, `true` as every command (ms/step, incl. one spawn per command) | before (ms/step) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const [name, strategy] of Object.entries(strategies)) {
    // Real processes: every command is `true`, so the figure is orchestration plus one spawn per command.
    const run = await measure(name, strategy, ['true'], 5);
    console.log(
      `| ${name} | ${run.steps} (${run.spawns}) | ${run.writes} | ${await inProcess(strategy, false)} | ${await inProcess(strategy, true)} | ${run.msPerStep.toFixed(2)} | 3-9 |`,
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

/**
 * The machine driven in process as the executor drives it, every step answered at once (no spawn), and with
 * `writes` every record written to a real file store (atomic replace): the decision, bookkeeping and
 * state-write cost per step. Without `writes` nothing is stored: every round is a first deployment.
 */
async function inProcess(strategy: unknown, writes: boolean): Promise<string> {
  const rounds = 200;
  let steps = 0;
  const dir = mkdtempSync(join(tmpdir(), 'bench-machine-'));
  const env = resolveEnvironment(config(dir, strategy, ['true']), 'production');
  const store = new FileStateStore(env.stateDir);
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const read = await store.read(env.name);
    let t = start({
      now: Date.now(),
      env,
      version: `v${i}`,
      deploymentId: `bench-${i}`,
      repository: 'local',
      owner: { kind: 'process', pid: process.pid, host: 'bench' },
      skipGates: true,
      skipStaging: true,
      hasGates: false,
      live: { slot: read.ok ? read.record?.live?.slot : undefined, version: `v${i - 1}` },
      stored: read.ok ? { ok: true, record: read.record } : { ok: true, record: undefined },
    });
    for (;;) {
      let event: MachineEvent | undefined;
      let done = false;
      for (const action of t.actions) {
        const now = Date.now();
        if (action.kind === 'persist') {
          if (writes) await store.write(action.record, { durable: action.durable });
        } else if (action.kind === 'finish') {
          steps += action.result.steps.length;
          done = true;
        } else if (action.kind === 'run_step')
          event = { type: 'step_done', result: { ok: true, analysis: 'promote' }, durationMs: 0, now };
        else if (action.kind === 'checkpoint') event = { type: 'resumed', now };
        else if (action.kind === 'prepare') event = { type: 'prepared', now };
        else if (action.kind === 'run_command') event = { type: 'command_done', durationMs: 0, now };
        else if (action.kind === 'wait') event = { type: 'waited', now };
        else if (action.kind === 'run_gates' || action.kind === 'read_state')
          throw new Error(`bench: unexpected ${action.kind}`);
      }
      if (done) break;
      t = next(t.state, event!);
    }
  }
  const ms = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  return (ms / steps).toFixed(3);
}

if (import.meta.main) await benchPipeline();
