// What the Action's `mode: reconcile` writes when reconcile fails with an internal error (a bug, a failure no
// environment's own handling caught: the stray records' read, the log's writes): `status` `failed`, `code`
// `internal_error` and the message, as a deployment's outcome says a pipeline's internal error. It wrote no
// `status` or `code` output then, only the failure annotation. A problem with the inputs or the config is not
// one: it stays the input error it is (run.ts failWith), as in the deploy mode.
import * as core from '@actions/core';
import { ConfigLoadError } from '../config/errors.ts';
import type { ReconcileEntry } from '../reconcile/run.ts';
import { code, say } from '../report/markdown.ts';
import { entriesDoneSection } from './reconcile-deadline.ts';
import { InputError } from './inputs.ts';

/** Whether `error` is reconcile asked wrongly (an input, the config), not an internal error. Pure. */
export function inputProblem(error: unknown): boolean {
  // ReconcileUsageError reaches here as an InputError (reconcile.ts).
  return error instanceof InputError || error instanceof ConfigLoadError;
}

/** "internal error: <message>", as a deployment's outcome says it. Pure. */
export function internalErrorMessage(error: unknown): string {
  return `internal error: ${error instanceof Error ? error.message : String(error)}`;
}

/** The outputs: failed / internal_error, and the `reconcile` JSON with the entries done and the error. Pure. */
export function reconcileFailureOutputs(
  message: string,
  done: readonly ReconcileEntry[],
): Record<string, string> {
  return {
    status: 'failed',
    code: 'internal_error',
    reconcile: JSON.stringify({ entries: done, failed: true, error: message }),
  };
}

/** The job summary's section: the error, the entries done before it. Pure. */
export function reconcileFailureSummary(message: string, done: readonly ReconcileEntry[]): string {
  return [
    '## ❌ deploy-action reconcile failed',
    '',
    `${say(message, 1000)} (the job log has the rest). What was not done is left for the next reconcile.`,
    '',
    ...entriesDoneSection(done),
    `- Outputs: ${code('status')} ${code('failed')}, ${code('code')} ${code('internal_error')}, ${code('reconcile')} with ${code('error')}.`,
    '',
  ].join('\n');
}

/**
 * Writes the outputs, then the job summary (its failure said as a warning). `message` and `done` redacted by the
 * caller, as reconcile's own report is.
 */
export async function writeReconcileFailure(
  message: string,
  done: readonly ReconcileEntry[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  for (const [name, value] of Object.entries(reconcileFailureOutputs(message, done)))
    core.setOutput(name, value);
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(reconcileFailureSummary(message, done), true).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}
