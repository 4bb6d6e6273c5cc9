// `requires: staging` ("production only after this commit succeeded in staging"), judged from what can be
// trusted: the environment's state record, signed by the Action under the environment's state key
// (src/state, docs/state.md), which the App verifies under the key it derives from its marker key.
//
// Not from the commit's deployments and their statuses: anyone with write permission (their own token, or any
// workflow's GITHUB_TOKEN) creates a deployment of any commit to any environment and posts `success` on it.
// So the record is the only source. A required environment without one (the Action there runs without
// `state-key`) is refused as a configuration error (`state_not_kept`), never judged from deployments; a record
// that does not verify is refused with its reason code.
//
// "Succeeded there" is: the verified record shows this commit live in the environment (`live.sha`), or its
// history shows the commit's `succeeded` entry and that it was not rolled back afterwards (a later release over
// it does not undo that it succeeded). See rolledBackSince for exactly what counts as rolled back. History
// entries name their commit since the Action records it; an older entry names none and counts for nothing.
import type { StateRead } from '../../src/state/store.ts';
import type { HistoryEntry } from '../../src/state/record.ts';
import type { PriorEnvironmentIssue, SuccessfulDeployment } from '../../src/policy/index.ts';
import type { RecordReader } from '../state.ts';
import type { Api, Where } from './github.ts';

export interface PriorEnvironments {
  /** The required environments whose verified record shows the commit live. */
  successful: SuccessfulDeployment[];
  /** Why each other required environment does not count. */
  issues: PriorEnvironmentIssue[];
}

const short = (sha: string): string => sha.slice(0, 7);
const same = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

/** History events that undo a rollout of the commit they name (its own run's, or reconcile's of an orphan). */
const ROLLBACK_EVENTS: ReadonlySet<string> = new Set([
  'rollback_started',
  'rolled_back',
  'rollback_failed',
  'orphan_rolled_back',
  'orphan_rollback_failed',
]);

/** Two history entries name the same release: the same commit, or the same version where one names none. */
const sameRelease = (a: HistoryEntry, b: HistoryEntry): boolean =>
  a.sha !== undefined && b.sha !== undefined
    ? same(a.sha, b.sha)
    : a.version !== undefined && a.version === b.version;

const shortOf = (e: HistoryEntry): string =>
  e.sha ? `${short(e.sha)} (${e.version ?? 'no version'})` : (e.version ?? 'a release');

/**
 * Pure: what the history says of `sha`, which is not live there. Undefined: it has no `succeeded` entry for
 * the commit (never deployed there, or only before entries named commits, or so long ago the bounded history
 * no longer holds it). Otherwise whether that success still counts, after its last `succeeded` entry:
 *
 * - rolled back, when a later entry undoes a rollout of the commit (rollback_started, rolled_back,
 *   rollback_failed, orphan_rolled_back, orphan_rollback_failed naming it): a later run of the same commit
 *   that failed there;
 * - rolled back, when the next release that succeeded there went back to one that had succeeded there before
 *   it (what /rollback does: it deploys the record's previous release; a redeploy of an earlier release by
 *   hand reads the same, so it does not count either);
 * - not known, when no earlier `succeeded` entry is left to compare with (the history is bounded): not counted;
 * - otherwise superseded by a newer release: it counts.
 */
export function rolledBackSince(
  history: readonly HistoryEntry[],
  sha: string,
): { counts: true; at: string } | { counts: false; why: string } | undefined {
  let i = -1;
  for (let k = history.length - 1; k >= 0; k--)
    if (history[k]!.event === 'succeeded' && same(history[k]!.sha, sha)) {
      i = k;
      break;
    }
  if (i < 0) return undefined;
  const success = history[i]!;
  const names = (e: HistoryEntry): boolean =>
    e.sha !== undefined ? same(e.sha, sha) : e.version !== undefined && e.version === success.version;
  const after = history.slice(i + 1);
  const undone = after.find((e) => ROLLBACK_EVENTS.has(e.event) && names(e));
  if (undone)
    return {
      counts: false,
      why: `it succeeded there at ${success.at}, then a rollout of it was rolled back (${undone.event} at ${undone.at})`,
    };
  const next = after.find((e) => e.event === 'succeeded');
  if (!next)
    return {
      counts: false,
      why: `it succeeded there at ${success.at}, and the history does not say what replaced it`,
    };
  const earlier = history.slice(0, i).filter((e) => e.event === 'succeeded');
  if (earlier.length === 0)
    return {
      counts: false,
      why:
        `it succeeded there at ${success.at} and ${shortOf(next)} replaced it; the history no longer holds ` +
        'what it had replaced, so whether that went back to it (a rollback) cannot be told',
    };
  const back = earlier.find((e) => sameRelease(e, next));
  if (back)
    return {
      counts: false,
      why: `it succeeded there at ${success.at}, then was rolled back: ${shortOf(next)}, live there before it, replaced it at ${next.at}`,
    };
  return { counts: true, at: success.at };
}

/**
 * Pure: does what was read of `environment`'s record show `sha` deployed successfully there? Undefined: yes;
 * otherwise why not, with a stable code.
 */
export function judgePrior(
  environment: string,
  read: StateRead,
  sha: string,
): PriorEnvironmentIssue | undefined {
  if (!read.ok)
    return {
      environment,
      code: read.code,
      message: `its state record is refused, so nothing in it counts: ${read.message}`,
    };
  const record = read.record;
  if (!record)
    return {
      environment,
      code: 'state_not_kept',
      message:
        'keeps no signed state record, so that this commit succeeded there cannot be verified (deployment ' +
        "statuses are no evidence: anyone with write permission posts them). Pass the environment's " +
        "DEPLOY_STATE_KEY as the action's state-key there (docs/state.md) and deploy this commit there",
    };
  if (same(record.live?.sha, sha)) return undefined;
  const past = rolledBackSince(record.history, sha);
  if (past?.counts) return undefined;
  const live = record.live
    ? `${record.live.sha ? short(record.live.sha) : 'no commit'} (${record.live.version}) is live there`
    : 'nothing is live there';
  const rolling = record.rollout && same(record.rollout.sha, sha);
  const replaced = same(record.previous?.sha, sha);
  const detail = past
    ? `${short(sha)}: ${past.why}; ${live}`
    : rolling
      ? `its rollout of ${short(sha)} has not succeeded yet (phase ${record.rollout!.phase}); ${live}`
      : replaced
        ? `${short(sha)} was live there and has been replaced; its history does not show it succeeded there; ${live}`
        : `${live}, not ${short(sha)}`;
  return { environment, code: 'not_live', message: `its signed record (#${record.seq}): ${detail}` };
}

/** Reads the record of every required environment (one read each, in parallel) and judges `sha` against it. */
export async function priorEnvironments(
  records: RecordReader,
  api: Api,
  where: Where,
  sha: string,
  needed: readonly string[],
): Promise<PriorEnvironments> {
  const judged = await Promise.all(
    needed.map(async (environment) => ({
      environment,
      issue: judgePrior(environment, await records(api, where, environment), sha),
    })),
  );
  return {
    successful: judged.filter((j) => !j.issue).map((j) => ({ environment: j.environment, sha })),
    issues: judged.flatMap((j) => (j.issue ? [j.issue] : [])),
  };
}
