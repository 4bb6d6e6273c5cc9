// Which failed rollback was told, and by what: the key of a rollback's failure (what failed and why), and a
// rollout's `failureNotified` (that key, with `:notifications` or `:status` when only that one told it). A
// reconcile retrying a rollback that fails the same way as the one told sends nothing again (reconcile/run.ts);
// the deploying run records its own `rollback_failed` here once its notifications went out
// (recordRunFailureTold), so the first reconcile does not tell it once more.
import { createHash } from 'node:crypto';
import type { PipelineResult, RollbackLevelRecord, StepRecord } from '../pipeline/events.ts';
import { redactRecordSecrets, withTransition } from '../state/record.ts';
import { secretValueRedactor } from '../util/secret-values.ts';
import type { StateStore } from '../state/store.ts';

/**
 * What a rollback failed on, as a key: each step that failed and why, each level left undone and why, and
 * whether the rollout is kept. Runs that fail alike give the same key: no duration is in it, and the numbers
 * of a reason are not (a health check says how long it waited to the tenth of a second, a command's error
 * its timestamp and process id: every run had a key of its own and was notified again).
 */
export function rollbackFailureKey(
  steps: readonly StepRecord[],
  levels: readonly RollbackLevelRecord[],
  kept: boolean,
): string {
  const words = (reason: string) => reason.replace(/\d+/g, '#');
  const failed = [
    ...steps
      .filter((s) => !s.result.ok)
      .map((s) => ['step', s.description, s.result.ok ? '' : words(s.result.reason)]),
    ...levels
      .filter((l) => !l.skipped && (!l.ok || (l.verify && !l.verify.ok)))
      .map((l) => ['level', l.name, words(l.ok ? `verify: ${l.verify?.detail ?? ''}` : l.detail)]),
  ];
  return createHash('sha256').update(JSON.stringify({ failed, kept })).digest('hex').slice(0, 32);
}

/**
 * A rollout's failureNotified: the failure's key alone when the notifications and the deployment's status both
 * told it; `<key>:notifications` or `<key>:status` when only that one did (the other is owed: the next run that
 * has it tells it, the one that did is not told again); undefined when neither did.
 */
export function failureToldKey(
  failure: string,
  told: { notifications: boolean; status: boolean },
): string | undefined {
  if (told.notifications && told.status) return failure;
  if (told.notifications) return `${failure}:notifications`;
  if (told.status) return `${failure}:status`;
  return undefined;
}

/** What a rollout's failureNotified says was told of `failure` (failureToldKey), by each. */
export function toldOf(
  stored: string | undefined,
  failure: string | undefined,
): { notifications: boolean; status: boolean } {
  if (failure === undefined || stored === undefined) return { notifications: false, status: false };
  if (stored === failure) return { notifications: true, status: true };
  if (stored === `${failure}:notifications`) return { notifications: true, status: false };
  if (stored === `${failure}:status`) return { notifications: false, status: true };
  return { notifications: false, status: false };
}

/**
 * The warning when a deploying run's failure is not recorded as told (`why`: its write failed, or the job was
 * cancelled first), said by the Action and the command line alike.
 */
export function failureToldNotRecorded(why: string): string {
  return (
    `state: the record does not say that this run told its rollback failure (${why}): the first reconcile ` +
    "that fails the same way tells it once more. The run's outcome stands."
  );
}

/** What recordRunFailureTold did. */
export type RunFailureTold =
  | { kind: 'recorded'; failureNotified: string }
  /** Nothing to record: no failed rollback kept in the record, or nothing told. */
  | { kind: 'nothing'; reason: 'no_failed_rollback' | 'rollout_not_kept' | 'not_told' }
  | { kind: 'not_stored'; message: string };

/**
 * The deploying run's own `rollback_failed`, recorded as told once its notifications closed: the record the
 * run left (`result.record`) with the rollout's failureNotified set, as a reconcile sets it (the key of the
 * rollback's failure, by what told it: `told.notifications` only when every channel delivered, `told.status`
 * only when GitHub took the deployment's final status). `secrets` are the run's secret values, as the run gave
 * its pipeline (PipelineDeps.secrets): `result.record` is the machine's, not the redacted one it stored, and a
 * detail or a reason in it may quote them. Never throws: a write that fails says why.
 */
export async function recordRunFailureTold(
  store: StateStore,
  result: PipelineResult,
  told: { notifications: boolean; status: boolean },
  now: Date,
  secrets: readonly string[],
): Promise<RunFailureTold> {
  const rollback = result.rollbacks.findLast((r) => r.environment === result.environment && !r.ok);
  if (result.code !== 'rollback_failed' || !rollback)
    return { kind: 'nothing', reason: 'no_failed_rollback' };
  const record = result.record;
  // Dropped (nothing a later run could undo): no reconcile retries it, so none tells it again.
  if (!record?.rollout || record.rollout.phase !== 'rollback')
    return { kind: 'nothing', reason: 'rollout_not_kept' };
  const failureNotified = failureToldKey(rollbackFailureKey(rollback.steps, rollback.levels, true), told);
  if (!failureNotified) return { kind: 'nothing', reason: 'not_told' };
  try {
    const next = withTransition(record, { rollout: { ...record.rollout, failureNotified } }, undefined, now);
    await store.write(redactRecordSecrets(next, secretValueRedactor(secrets)), {
      durable: true,
      settle: true,
    });
    return { kind: 'recorded', failureNotified };
  } catch (error) {
    return { kind: 'not_stored', message: (error as Error).message };
  }
}
