// At the crash deadline (crash-guard.ts: an internal error stopped the run and its rollback had not ended 15 min
// later) the Action exited with no `status` / `code` output and an empty job summary. The run still going now
// writes what is known first: rollback_failed, that traffic may not be back on stable, what to check and who
// finishes the rollback. Written as the real ActionRun writes them, through @actions/core to the runner's files.
import { test } from 'node:test';
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

const TOKEN = 'ghs_deadline0123456789abcdefghijklmnopqr';

/** The outputs GITHUB_OUTPUT holds, as the runner reads its `name<<delimiter` blocks. */
function outputsOf(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const blocks = text.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm);
  for (const [, name, , value] of blocks) outputs[name!] = value!;
  return outputs;
}

test('at the crash deadline: the outputs say rollback_failed and the job summary what to check, masked and inert', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crash-deadline-'));
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
    rmSync(dir, { recursive: true, force: true });
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
  const stopping = onCrash(onRunStart(CRASH_IDLE), 0).watch;
  const late = onCrashDeadline(stopping)!;
  await runner.writeAtCrashDeadline(late);

  const outputs = outputsOf(readFileSync(output, 'utf8'));
  assert.deepEqual(outputs, {
    status: 'failed',
    code: 'rollback_failed',
    'rolled-back': 'true',
    rollback: 'incomplete',
  });
  const text = readFileSync(summary, 'utf8');
  // This run reported no rollback-start: it was stuck before its rollback began, and the summary says so.
  assert.match(text, /^## ❌ production: the stopped deployment of .* did not end in time$/m, text);
  assert.match(
    text,
    /had not ended 15 min later, and no rollback had begun: the action exited with it unfinished/,
  );
  assert.doesNotMatch(text, /its rollback had not ended/);
  assert.match(text, /\*\*Traffic may not be back on the stable version: check production now\*\*/);
  assert.match(text, /a reconcile run rolls it back \(`deploy-action reconcile -e production`/);
  assert.match(text, /`code` `rollback_failed`/);
  assert.match(text, /exit code 3\./);
  assert.ok(!text.includes(TOKEN), text);
  assert.ok(!text.includes('<img'), text);
});
