// What the Action's reconcile mode writes when the crash deadline comes with it still going (util/crash-guard.ts):
// without this the step ended, exit 3, with no status or code output and an empty job summary. Written once,
// by the deadline or by reconcile's own report, whichever begins first (one-outcome.ts).
import * as core from '@actions/core';
import type { CrashDeadline } from '../util/crash-decision.ts';
import { unfinishedAtDeadline } from '../reconcile/unfinished.ts';
import { deadlineRollback, type rollbackWatch } from '../pipeline/rollback-seen.ts';
import type { DeadlineSeen } from './deadline-outcome.ts';
import type { ReconcileEntry } from '../reconcile/run.ts';
import { redactDeep } from '../report/redact.ts';
import { code, say } from '../report/markdown.ts';

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
  /** The entries reconcile has done (each environment's, once reconciled), as yet unredacted. */
  entries?: ReconcileEntry[];
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

/**
 * The `reconcile` output's JSON at the deadline: the entries done before (`done`, redacted; it said `entries: []`
 * of environments already reconciled in the run), failed, why, what is unfinished. Pure.
 */
export function reconcileDeadlineJson(
  late: CrashDeadline,
  seen: DeadlineSeen,
  stoppedBy: string,
  done: readonly ReconcileEntry[] = [],
): string {
  return JSON.stringify({
    entries: done,
    failed: true,
    stoppedBy,
    unfinished: unfinishedAtDeadline(late.after, seen.seen, seen.ended),
  });
}

/** The job summary's section for it, with the entries done before (`done`, redacted). Pure. */
export function reconcileDeadlineSummary(
  late: CrashDeadline,
  seen: DeadlineSeen,
  done: readonly ReconcileEntry[] = [],
): string {
  const outputs = Object.entries(reconcileDeadlineOutputs(seen))
    .map(([name, value]) => `\`${name}\` \`${value}\``)
    .join(', ');
  return [
    '## ❌ deploy-action reconcile did not finish in time',
    '',
    `An internal error stopped reconcile (the error is in the job log), and ` +
      `${unfinishedAtDeadline(late.after, seen.seen, seen.ended)}.`,
    '',
    ...entriesDoneSection(done),
    `- Outputs: ${outputs}, \`reconcile\` with \`unfinished\`${done.length ? ' and the entries done' : ''}; exit code ${late.code}.`,
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
  // Redacted as reconcile's own report redacts its summary (reconcile.ts); the message is masked in the log.
  const redact = soFar.redact ?? String;
  const done = redactDeep(soFar.entries ?? [], redact);
  core.setOutput('reconcile', reconcileDeadlineJson(late, seen, redact(stoppedBy), done));
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(reconcileDeadlineSummary(late, seen, done), true).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}

/** The entries done before reconcile stopped, as a job summary's lines (none: nothing). Pure. */
export function entriesDoneSection(done: readonly ReconcileEntry[]): string[] {
  if (done.length === 0) return [];
  return [
    'Done before:',
    '',
    ...done.map((e) => `- ${say(e.environment, 200)}: ${code(e.code)}: ${say(e.message, 500)}`),
    '',
  ];
}
