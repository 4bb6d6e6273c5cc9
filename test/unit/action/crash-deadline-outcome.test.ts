// At the crash deadline (crash-guard.ts: an internal error stopped the run and its rollback had not ended 15 min
// later) the Action exited with no `status` / `code` output and an empty job summary. The run still going now
// writes what is known first: failed, that traffic may not be back on stable, what to check and who finishes
// the rollback; rollback_failed / rolled back / `incomplete` only when a rollback had begun (they said so also of
// a run stuck before any began). Written as the real ActionRun writes them, through @actions/core to the
// runner's files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionRun } from '../../../src/action/action-run.ts';
import type { RunContext } from '../../../src/action/context.ts';
import type { ActionInputs, RunPlan } from '../../../src/action/inputs.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import { onCrash, onCrashDeadline, onRunStart, CRASH_IDLE } from '../../../src/util/crash-decision.ts';
import { cancelOnSignals, type SignalSource } from '../../../src/util/signals.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';

const TOKEN = 'ghs_deadline0123456789abcdefghijklmnopqr';

/** The outputs GITHUB_OUTPUT holds, as the runner reads its `name<<delimiter` blocks. */
function outputsOf(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const blocks = text.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm);
  for (const [, name, , value] of blocks) outputs[name!] = value!;
  return outputs;
}

const dir = mkdtempSync(join(tmpdir(), 'crash-deadline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An ActionRun stopped by a crash, at its crash deadline: after `events`, what it wrote to the runner's files. */
async function atDeadline(
  t: { after(fn: () => void): void },
  events: PipelineEvent[],
): Promise<{ outputs: Record<string, string>; text: string }> {
  // One directory for the file: @actions/core keeps the summary's path it first read.
  const output = join(dir, 'output');
  const summary = join(dir, 'summary.md');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const saved = { output: process.env.GITHUB_OUTPUT, summary: process.env.GITHUB_STEP_SUMMARY };
  process.env.GITHUB_OUTPUT = output;
  process.env.GITHUB_STEP_SUMMARY = summary;
  const cancellation = cancelOnSignals(() => {}, new EventEmitter() as unknown as SignalSource);
  t.after(() => {
    cancellation.dispose();
    for (const [name, value] of [
      ['GITHUB_OUTPUT', saved.output],
      ['GITHUB_STEP_SUMMARY', saved.summary],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });
  const runner = new ActionRun(
    { token: TOKEN } as ActionInputs,
    {} as RunContext,
    // A version that is Markdown (a person's text), and the token in it: neither reaches the summary as written.
    { environment: 'production', version: `v2 <img src=x> **${TOKEN}**` } as RunPlan,
    { environments: {} } as unknown as RawConfig,
    undefined,
    { GITHUB_STEP_SUMMARY: summary },
    cancellation,
  );
  // What the pipeline reported, through the reporter the run gives it (action-run.ts fans out to it).
  for (const e of events) runner['rollbackSeen'].reporter.event(e);
  const stopping = onCrash(onRunStart(CRASH_IDLE), 0).watch;
  const late = onCrashDeadline(stopping)!;
  await runner.writeAtCrashDeadline(late);
  return { outputs: outputsOf(readFileSync(output, 'utf8')), text: readFileSync(summary, 'utf8') };
}

test('at the crash deadline, no rollback begun: failed / internal_error, not rolled back, the summary what to check, masked and inert', async (t) => {
  const { outputs, text } = await atDeadline(t, []);
  assert.deepEqual(outputs, {
    status: 'failed',
    code: 'internal_error',
    'rolled-back': 'false',
  });
  // This run reported no rollback-start: it was stuck before its rollback began, and the summary says so.
  assert.match(text, /^## ❌ production: the stopped deployment of .* did not end in time$/m, text);
  assert.match(
    text,
    /had not ended 15 min later, and no rollback had begun: the action exited with it unfinished/,
  );
  assert.doesNotMatch(text, /its rollback had not ended/);
  assert.match(text, /\*\*Traffic may not be back on the stable version: check production now\*\*/);
  // Stuck before a rollback, maybe before its record's write of the rollout landed: not said to keep it.
  assert.match(
    text,
    /Whether the state record keeps the rollout is not known .*: a reconcile run \(`deploy-action reconcile -e production`/,
  );
  assert.doesNotMatch(text, /The state record keeps the rollout/);
  assert.match(text, /`code` `internal_error`, `rolled-back` `false`; exit code 3\./);
  assert.doesNotMatch(text, /rollback_failed|`incomplete`/);
  assert.ok(!text.includes(TOKEN), text);
  assert.ok(!text.includes('<img'), text);
});

test('at the crash deadline, its rollback still going: failed / rollback_failed, rolled back, rollback incomplete', async (t) => {
  const { outputs, text } = await atDeadline(t, [
    { type: 'rollback-start', environment: 'production', reason: 'internal error', steps: ['set_weight'] },
  ]);
  assert.deepEqual(outputs, {
    status: 'failed',
    code: 'rollback_failed',
    'rolled-back': 'true',
    rollback: 'incomplete',
  });
  assert.match(text, /^## ❌ production: the rollback of .* did not finish in time$/m, text);
  assert.match(
    text,
    /`code` `rollback_failed`, `rolled-back` `true`, `rollback` `incomplete`; exit code 3\./,
  );
  assert.ok(!text.includes(TOKEN), text);
});
