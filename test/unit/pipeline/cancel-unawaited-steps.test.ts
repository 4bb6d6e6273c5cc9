// A cancellation in a step that changes nothing (an analysis, a health check, a smoke test, a pause): the
// rollback begins as soon as the step is told to stop, not once its commands have died. A check whose
// command ignores SIGTERM is killed 2 s later, and on a busy runner even one that dies at once took half a
// second to be reaped: time the rollback does not have before the runner's SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { Analyzer } from '../../../src/pipeline/analyzer.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

async function canary(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'cancel-unawaited-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const targetYaml = target.targetYaml
    .split('\n')
    .filter((line) => !/^\s+(health|current|switch):/.test(line))
    .join('\n');
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${targetYaml}\nenvironments:\n  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }\n`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  // v1 is live on green, so the canary on blue takes its steps (a first deployment goes straight to 100 %).
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'green', since: at },
  });
  return { env: resolveEnvironment(parsed.config, 'production'), calls: target.calls };
}

test('cancelled during an analysis whose check does not stop: the rollback begins while it still runs', async (t) => {
  const { env, calls } = await canary(t);
  const cancel = new AbortController();
  let analysing = false;
  let rollbackBeganWhileAnalysing = false;
  let rollbackBegan!: () => void;
  const rollbackStart = new Promise<void>((resolve) => (rollbackBegan = resolve));
  const analyzer: Analyzer = {
    evaluate: async (request) => {
      if (request.weight !== 5) return { ok: true, analysis: 'promote' };
      analysing = true;
      cancel.abort(new Error('SIGINT received'));
      // Like a health command that ignores SIGTERM: it ends only once the rollback has begun, or (when the
      // rollback waits for it) a little later, so that the run still ends.
      // (20 s: long enough that a busy machine's slow rollback start is not read as waiting.)
      await Promise.race([rollbackStart, new Promise((r) => setTimeout(r, 20_000))]);
      analysing = false;
      return { ok: false, reason: 'cancelled' };
    },
  };
  const events: PipelineEvent[] = [];
  const reporter = {
    event(e: PipelineEvent) {
      events.push(e);
      if (e.type === 'step-start' && e.phase === 'rollback') {
        if (analysing) rollbackBeganWhileAnalysing = true;
        rollbackBegan();
      }
    },
  };
  const result = await runPipeline(
    { env, version: 'v2' },
    { reporter, signal: cancel.signal, analyzerFor: () => analyzer },
  );
  assert.equal(result.status, 'cancelled', result.message);
  assert.ok(rollbackBeganWhileAnalysing, 'the rollback waited for the cancelled analysis to end');
  assert.deepEqual(calls(), ['deploy blue v2', 'set_weight blue 5', 'set_weight blue 0', 'teardown blue']);
  const analysis = result.steps.find((s) => s.step.kind === 'analysis');
  assert.deepEqual(analysis?.result, { ok: false, reason: 'cancelled', stopped: 'cancelled' });
  assert.equal(result.rollbacks.at(-1)?.ok, true);
});

test('cancelled during a step that changes something (set_weight): the rollback waits for it to end', async (t) => {
  const { env, calls } = await canary(t);
  const cancel = new AbortController();
  const events: PipelineEvent[] = [];
  const reporter = {
    event(e: PipelineEvent) {
      events.push(e);
      // The job is cancelled once the first weight change's command runs: the rollback must not race it.
      if (e.type === 'step-start' && e.step.kind === 'set_weight' && e.phase !== 'rollback') {
        const poll = setInterval(() => {
          if (!calls().includes('set_weight blue 5')) return;
          clearInterval(poll);
          cancel.abort(new Error('SIGINT received'));
        }, 10);
        t.after(() => clearInterval(poll));
      }
    },
  };
  const analyzer: Analyzer = { evaluate: async () => ({ ok: true, analysis: 'promote' }) };
  // The first weight change takes a while, and the target logs when each call ends.
  const saved = { SLEEP_ON: process.env.SLEEP_ON, LOG_END: process.env.LOG_END };
  process.env.SLEEP_ON = 'set_weight blue 5=1500';
  process.env.LOG_END = '1';
  t.after(() => {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  });
  const result = await runPipeline(
    { env, version: 'v2' },
    { reporter, signal: cancel.signal, analyzerFor: () => analyzer },
  );
  assert.equal(result.status, 'cancelled', result.message);
  // The weight change was stopped, and had ended (it takes 300 ms to stop) before the rollback's first
  // command began: never two weight changes at once.
  const log = calls();
  const changed = log.indexOf('end set_weight blue 5 terminated');
  assert.ok(changed >= 0 && changed < log.indexOf('set_weight blue 0'), log.join(', '));
  const ends = events.flatMap((e) =>
    e.type === 'step-end'
      ? [`end ${e.record.step.kind}`]
      : e.type === 'step-start'
        ? [`start ${e.step.kind} ${e.phase}`]
        : [],
  );
  const setWeightEnd = ends.indexOf('end set_weight');
  const rollbackStart = ends.findIndex((x) => x.endsWith(' rollback'));
  assert.ok(setWeightEnd >= 0 && setWeightEnd < rollbackStart, ends.join(', '));
  assert.equal(calls().at(-1), 'end teardown blue');
});
