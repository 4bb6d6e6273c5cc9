// What the Action's reconcile mode writes when the crash deadline comes with it still going (util/crash-guard.ts):
// without this the step ended, exit 3, with no status or code output and an empty job summary. Written once,
// by the deadline or by reconcile's own report, whichever begins first (one-outcome.ts).
import * as core from '@actions/core';
import type { CrashDeadline } from '../util/crash-decision.ts';
import { unfinishedAtDeadline } from '../reconcile/unfinished.ts';

/** The outputs at the deadline: failed, as a rollback that did not complete says it (exit 3). */
export const RECONCILE_DEADLINE_OUTPUTS: Readonly<Record<string, string>> = {
  status: 'failed',
  code: 'rollback_failed',
};

/** The job summary's section for it. Pure. */
export function reconcileDeadlineSummary(late: CrashDeadline): string {
  return [
    '## ❌ deploy-action reconcile did not finish in time',
    '',
    `An internal error stopped reconcile (the error is in the job log), and ${unfinishedAtDeadline(late.after)}.`,
    '',
  ].join('\n');
}

/** Writes the outputs, then the job summary (its failure said as a warning). */
export async function writeReconcileAtCrashDeadline(
  late: CrashDeadline,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  for (const [name, value] of Object.entries(RECONCILE_DEADLINE_OUTPUTS)) core.setOutput(name, value);
  core.setOutput(
    'reconcile',
    JSON.stringify({ entries: [], failed: true, unfinished: unfinishedAtDeadline(late.after) }),
  );
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(reconcileDeadlineSummary(late), true).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}
