// At the crash deadline, the Action's `mode: reconcile` still going (util/crash-guard.ts) wrote its `reconcile`
// output with `entries: []` even when earlier environments had been reconciled in that run. It reports the
// entries done (reconcile's entryDone), redacted as its own report is, in the output and the job summary.
// Written through @actions/core to the runner's files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReconcileAtCrashDeadline } from '../../../src/action/reconcile-deadline.ts';
import { rollbackWatch } from '../../../src/pipeline/rollback-seen.ts';
import { credentialRedactor } from '../../../src/report/redact.ts';
import type { ReconcileEntry } from '../../../src/reconcile/run.ts';
import { onCrash, onCrashDeadline, onRunStart, CRASH_IDLE } from '../../../src/util/crash-decision.ts';

const TOKEN = 'ghs_reconcileDeadline0123456789abcdefghij';

/** The outputs GITHUB_OUTPUT holds, as the runner reads its `name<<delimiter` blocks. */
function outputsOf(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [, name, , value] of text.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
    outputs[name!] = value!;
  return outputs;
}

test('the action in reconcile mode at the crash deadline: the entries done before, redacted, in the output and the summary', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-deadline-'));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary.md');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const saved = { output: process.env.GITHUB_OUTPUT, summary: process.env.GITHUB_STEP_SUMMARY };
  process.env.GITHUB_OUTPUT = output;
  process.env.GITHUB_STEP_SUMMARY = summary;
  t.after(() => {
    for (const [name, value] of [
      ['GITHUB_OUTPUT', saved.output],
      ['GITHUB_STEP_SUMMARY', saved.summary],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    rmSync(dir, { recursive: true, force: true });
  });
  const entries: ReconcileEntry[] = [
    {
      environment: 'qa',
      code: 'orphan_rolled_back',
      failed: false,
      message: `rolled back v2; the push said https://x:${TOKEN}@example.test`,
      steps: [],
    },
  ];
  const late = onCrashDeadline(onCrash(onRunStart(CRASH_IDLE), 0).watch, 1000)!;
  await writeReconcileAtCrashDeadline(
    late,
    { GITHUB_STEP_SUMMARY: summary },
    { rollback: rollbackWatch(), redact: credentialRedactor([TOKEN]), entries },
    'Error: boom',
  );
  const outputs = outputsOf(readFileSync(output, 'utf8'));
  assert.equal(outputs.status, 'failed');
  assert.equal(outputs.code, 'internal_error');
  const reconciled = JSON.parse(outputs.reconcile ?? '{}') as { entries: ReconcileEntry[]; failed: boolean };
  assert.deepEqual(
    reconciled.entries.map((e) => [e.environment, e.code]),
    [['qa', 'orphan_rolled_back']],
  );
  assert.equal(reconciled.failed, true);
  const text = readFileSync(summary, 'utf8');
  assert.match(text, /^- qa: `orphan_rolled_back`: rolled back v2/m, text);
  for (const written of [outputs.reconcile!, text]) assert.ok(!written.includes(TOKEN), written);
  assert.equal(entries[0]!.message.includes(TOKEN), true, 'what reconcile keeps is not changed');
});
