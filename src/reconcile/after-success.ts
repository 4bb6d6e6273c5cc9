// Whether `hooks.after_success` (the delayed hook: seed 01's phase 2 migrations, the contract step of
// expand/contract) is due for an environment, decided from its record alone. Pure: the record, the hook's
// delay and the time in; run, wait until, or skip with a stable reason code out. run.ts performs it.
import type { EnvironmentRecord, Release } from '../state/record.ts';

/** Why the delayed hook is not run for the record's live release (stable codes: summaries, logs, tests). */
export type AfterSuccessSkip =
  /** The environment has no `hooks.after_success`. */
  | 'not_configured'
  /** Nothing is live in the record. */
  | 'nothing_live'
  /** A rollout is in the record (running, waiting, orphaned): the release may be replaced or rolled back. */
  | 'deploy_in_progress'
  /**
   * The live release was not put there by a deployment that succeeded (adopted from `current`, or a record
   * whose `succeeded` entry for it is no longer in the history): nothing says it proved itself.
   */
  | 'not_deployed'
  /** Put live by a rollback deployment: the contract step belongs to the release it rolled back from. */
  | 'rollback_release'
  /**
   * The deployment that put it live had no `hooks.after_success`: the hook was added to the config since (a
   * contract step merged before its own release went out), and is not this release's to run.
   */
  | 'not_planned'
  /** It ran and succeeded for this release. */
  | 'already_ran'
  /** It ran and failed for this release: never retried automatically (a person looks first). */
  | 'failed'
  /** It was started for this release and never recorded an end (its reconcile died): never started again. */
  | 'interrupted';

export type AfterSuccessDecision =
  | { kind: 'run'; release: Release; dueAt: string }
  | { kind: 'wait'; release: Release; until: string }
  | { kind: 'skip'; reason: AfterSuccessSkip; release?: Release };

export interface AfterSuccessInput {
  record: EnvironmentRecord;
  /** The environment's hook (its delay), or undefined when it has none. */
  hook: { afterMs: number } | undefined;
  now: Date;
}

export function decideAfterSuccess({ record, hook, now }: AfterSuccessInput): AfterSuccessDecision {
  if (!hook) return { kind: 'skip', reason: 'not_configured' };
  const release = record.live;
  if (!release) return { kind: 'skip', reason: 'nothing_live' };
  if (record.rollout) return { kind: 'skip', reason: 'deploy_in_progress', release };
  const ran = release.afterSuccess;
  if (ran)
    return {
      kind: 'skip',
      reason: ran.finishedAt === undefined ? 'interrupted' : ran.ok ? 'already_ran' : 'failed',
      release,
    };
  if (release.rollback) return { kind: 'skip', reason: 'rollback_release', release };
  if (!deployedBySuccess(record, release)) return { kind: 'skip', reason: 'not_deployed', release };
  if (!release.afterSuccessPlanned) return { kind: 'skip', reason: 'not_planned', release };
  const since = Date.parse(release.since);
  const dueAt = new Date(since + hook.afterMs).toISOString();
  // The same rule as a teardown's: due at its time, never one millisecond before.
  return since + hook.afterMs <= now.getTime()
    ? { kind: 'run', release, dueAt }
    : { kind: 'wait', release, until: dueAt };
}

/**
 * Whether a deployment's finalize put `release` live: it writes the release and its `succeeded` history entry
 * in one record, at one time (pipeline/machine/finalize.ts). A redeploy of the same version is another release
 * (another time), so its hook runs again; an adopted release has no such entry.
 */
function deployedBySuccess(record: EnvironmentRecord, release: Release): boolean {
  return record.history.some(
    (h) =>
      h.event === 'succeeded' &&
      h.at === release.since &&
      h.version === release.version &&
      (release.sha === undefined || h.sha === undefined || h.sha === release.sha),
  );
}

/** The reason, in words, for a summary. */
export function afterSuccessSkipText(reason: AfterSuccessSkip, release?: Release): string {
  const of = release ? ` of ${release.version}` : '';
  const ran = release?.afterSuccess;
  switch (reason) {
    case 'not_configured':
      return 'no hooks.after_success';
    case 'nothing_live':
      return 'nothing is live';
    case 'deploy_in_progress':
      return `hooks.after_success${of} waits: a rollout is in the record`;
    case 'not_deployed':
      return `hooks.after_success is not run for the live release${of}: no deployment that succeeded put it there (adopted, or its entry left the history)`;
    case 'rollback_release':
      return `hooks.after_success is not run for the live release${of}: a rollback deployment put it there`;
    case 'not_planned':
      return `hooks.after_success is not run for the live release${of}: the deployment that put it there recorded none (the hook was added to the config since, or an older deploy-action, which did not record it, deployed the release); it runs for the next release deployed with it: run it by hand if this one needs it`;
    case 'already_ran':
      return `hooks.after_success${of} ran at ${ran?.startedAt}`;
    case 'failed':
      return `hooks.after_success${of} failed at ${ran?.finishedAt} (${ran?.code ?? 'failed'}); it is not retried: look at what it did, then run it by hand or deploy again`;
    case 'interrupted':
      return `hooks.after_success${of} was started at ${ran?.startedAt} by ${ran?.by} and never finished; it is not started again: look at what it did, then run it by hand or deploy again`;
  }
}
