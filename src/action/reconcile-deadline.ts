// What the Action's reconcile mode writes when the crash deadline comes with it still going (util/crash-guard.ts):
// without this the step ended, exit 3, with no status or code output and an empty job summary. Written once,
// by the deadline or by reconcile's own report, whichever begins first (one-outcome.ts).
import * as core from '@actions/core';
import type { CrashDeadline } from '../util/crash-decision.ts';
import { unfinishedAtDeadline } from '../reconcile/unfinished.ts';
import { deadlineRollback, type rollbackWatch } from '../pipeline/rollback-seen.ts';
import type { DeadlineSeen } from './deadline-outcome.ts';

/**
 * What reconcile reported so far, for the crash deadline, filled in by runReconcile as it starts (run.ts holds
 * it from before, loading none of it): its rollbacks (given its events), and the redaction of its outcome
 * (credentials and the config's secrets). Unset: reconcile had not started (no rollback begun).
 */
export interface ReconcileSoFar {
  rollback?: ReturnType<typeof rollbackWatch>;
  redact?: (text: string) => string;
  /** Whether a rollout is in its hands now (what the crash says stopping it does). */
  rolloutInHand?: () => boolean;
}

/**
 * The outputs at the deadline: failed, its code as a deployment's at its crash deadline (pipeline/rollback-seen.ts
 * deadlineRollback): `rollback_failed` when a rollback began and is not known to have put traffic back,
 * `internal_error` when none began or the ones begun completed. It said `rollback_failed` of every reconcile
 * still going, a rollback begun or not. Pure.
 */
export function reconcileDeadlineOutputs(seen: DeadlineSeen): Record<string, string> {
  return { status: 'failed', code: deadlineRollback(seen.seen, seen.ended).code };
}

/** The `reconcile` output's JSON at the deadline: no entries (none was said), failed, why, what is unfinished. Pure. */
export function reconcileDeadlineJson(late: CrashDeadline, seen: DeadlineSeen, stoppedBy: string): string {
  return JSON.stringify({
    entries: [],
    failed: true,
    stoppedBy,
    unfinished: unfinishedAtDeadline(late.after, seen.seen, seen.ended),
  });
}

/** The job summary's section for it. Pure. */
export function reconcileDeadlineSummary(late: CrashDeadline, seen: DeadlineSeen): string {
  const outputs = Object.entries(reconcileDeadlineOutputs(seen))
    .map(([name, value]) => `\`${name}\` \`${value}\``)
    .join(', ');
  return [
    '## ❌ deploy-action reconcile did not finish in time',
    '',
    `An internal error stopped reconcile (the error is in the job log), and ` +
      `${unfinishedAtDeadline(late.after, seen.seen, seen.ended)}.`,
    '',
    `- Outputs: ${outputs}, \`reconcile\` with \`unfinished\`; exit code ${late.code}.`,
    '',
  ].join('\n');
}

/** Writes the outputs, then the job summary (its failure said as a warning). */
export async function writeReconcileAtCrashDeadline(
  late: CrashDeadline,
  env: NodeJS.ProcessEnv,
  soFar: ReconcileSoFar,
  stoppedBy: string,
): Promise<void> {
  const seen: DeadlineSeen = {
    seen: soFar.rollback?.seen() ?? 'not_begun',
    ended: soFar.rollback?.ended() ?? [],
  };
  for (const [name, value] of Object.entries(reconcileDeadlineOutputs(seen))) core.setOutput(name, value);
  // Redacted as reconcile's own report redacts its stoppedBy (reconcile.ts); the message is masked in the log.
  core.setOutput('reconcile', reconcileDeadlineJson(late, seen, (soFar.redact ?? String)(stoppedBy)));
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(reconcileDeadlineSummary(late, seen), true).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}
