// At the crash deadline the run may end on its own while the deadline writes what is known (stopping its commands
// makes it end): the Action's outcome has one writer, whichever begins first (one-outcome.ts). Written as the real
// ActionRun writes them, through @actions/core to the runner's files (a file of its own: core.summary keeps the
// first summary file it wrote to).
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
import { deadlineResult, runSoFar } from '../../../src/cli/deadline-result.ts';
import type { PipelineResult } from '../../../src/pipeline/events.ts';
import { onCrash, onCrashDeadline, onRunStart, CRASH_IDLE } from '../../../src/util/crash-decision.ts';
import { cancelOnSignals, type SignalSource } from '../../../src/util/signals.ts';

/** The outputs GITHUB_OUTPUT holds, as the runner reads its `name<<delimiter` blocks. */
function outputsOf(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const blocks = text.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm);
  for (const [, name, , value] of blocks) outputs[name!] = value!;
  return outputs;
}

// The run ending on its own as the deadline comes (its commands stopped): it had begun writing its own outcome,
// and the deadline wrote every output and a second, contradicting outcome in the summary after it, and the process
// exited 3 whatever the run's said. Now the deadline writes nothing, waits for the run's, and gives its exit code.
test("at the crash deadline, the run already writing its own outcome: the deadline writes nothing and gives the run's exit code", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crash-deadline-'));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary.md');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const saved = {
    output: process.env.GITHUB_OUTPUT,
    summary: process.env.GITHUB_STEP_SUMMARY,
    exitCode: process.exitCode,
  };
  process.env.GITHUB_OUTPUT = output;
  process.env.GITHUB_STEP_SUMMARY = summary;
  const cancellation = cancelOnSignals(() => {}, new EventEmitter() as unknown as SignalSource);
  t.after(() => {
    cancellation.dispose();
    // The run's failure set it (core.setFailed): not this test process's.
    process.exitCode = saved.exitCode;
    for (const [name, value] of [
      ['GITHUB_OUTPUT', saved.output],
      ['GITHUB_STEP_SUMMARY', saved.summary],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    rmSync(dir, { recursive: true, force: true });
  });
  const runner = new ActionRun(
    { recordDir: 'records' } as ActionInputs,
    { sha: 'a'.repeat(40), owner: 'acme', repo: 'shop' } as RunContext,
    {
      environment: 'production',
      version: 'v2',
      type: 'deploy',
      deployer: 'alice',
      approvers: [],
    } as unknown as RunPlan,
    { environments: {} } as unknown as RawConfig,
    undefined,
    { GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir },
    cancellation,
  );
  const late = onCrashDeadline(onCrash(onRunStart(CRASH_IDLE), 0).watch)!;
  // The run's own: rolled back in the end (its rollback's last command ended as the deadline came), exit 1.
  const result: PipelineResult = {
    ...deadlineResult(
      runSoFar().seen(),
      { environment: 'production', version: 'v2', strategy: 'canary', startedAtMs: Date.now() },
      late,
      'Error: boom',
      Date.now(),
    ),
    status: 'rolled_back',
    code: 'internal_error',
    message: 'internal error: Error: boom; the run was stopped and rolled back (traffic on stable)',
    exitCode: 1,
  };
  const recordOutcome = (
    runner as unknown as {
      recordOutcome(r: PipelineResult, id: undefined, github: undefined, where: object): Promise<void>;
    }
  ).recordOutcome.bind(runner);
  const own = recordOutcome(result, undefined, undefined, { environmentUrl: undefined, monitorMs: 0 });
  const atDeadline = runner.writeAtCrashDeadline(late);
  await own;
  assert.equal(await atDeadline, 1, "the process exits with the run's code, not 3");

  const text = readFileSync(output, 'utf8');
  const statuses = [...text.matchAll(/^status<</gm)].length;
  assert.equal(statuses, 1, text);
  assert.equal(outputsOf(text).status, 'rolled_back');
  assert.equal(outputsOf(text).code, 'internal_error');
  const written = readFileSync(summary, 'utf8');
  assert.match(written, /boom/, "the run's own summary");
  assert.doesNotMatch(written, /did not finish in time/, written);
});
