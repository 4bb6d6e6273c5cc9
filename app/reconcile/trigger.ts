// When a workflow run completes, which environments' rollouts it leaves without an owner: those whose
// trusted record names this run as the owner of a rollout still in progress. The App then starts the
// reconcile workflow for each (app/handlers/workflow-run.ts), so an orphan is handled within a minute
// instead of at the next scheduled reconcile. Pure. A record the store refused (forged, misplaced, stale,
// corrupt, unverifiable) never starts anything: a write-permission user could otherwise write one that
// claims any run.
import { countedRequests, decideRollout, lastHoldOrGo, waitEndedBy } from '../../src/control/rollout.ts';
import type { ControlRequest } from '../../src/control/request.ts';
import { waitsHandedOff, type RefusalCode, type Rollout } from '../../src/state/record.ts';
import type { StateRead } from '../../src/state/store.ts';

export interface CompletedRun {
  id: number;
  /** The attempt that completed (a re-run is the same run id with a higher attempt). */
  attempt: number;
}

export type TriggerDecision =
  | { environment: string; action: 'dispatch' }
  | {
      environment: string;
      action: 'none';
      /** handed_off: the job ended with the rollout waiting on purpose (issue 14): not an orphan. */
      why: 'no_record' | 'no_rollout' | 'handed_off' | 'other_owner' | 'later_attempt_owns';
      /**
       * With `handed_off`: the run that completed is the one that handed it off (requestAfterHandOff then
       * looks for a request it did not read), with the rollout.
       */
      handedOffBy?: Rollout;
    }
  | { environment: string; action: 'refused'; code: RefusalCode; message: string };

/**
 * One decision per environment. A record that names an attempt later than the one that completed belongs
 * to a re-run still at work (a late delivery of the earlier attempt's completion must not orphan it); a
 * record without an attempt, or with this one or an earlier one, is orphaned by this completion.
 */
export function orphanedBy(
  reads: ReadonlyArray<{ environment: string; read: StateRead }>,
  run: CompletedRun,
): TriggerDecision[] {
  return reads.map(({ environment, read }): TriggerDecision => {
    if (!read.ok) return { environment, action: 'refused', code: read.code, message: read.message };
    const rollout = read.record?.rollout;
    if (!read.record) return { environment, action: 'none', why: 'no_record' };
    if (!rollout) return { environment, action: 'none', why: 'no_rollout' };
    // Its run ended because the rollout waits for people or a bake; a /promote (through the App) or the
    // scheduled reconcile goes on with it, and a dispatch here would be a resume nobody asked for.
    const { owner } = rollout;
    const ownedByRun = owner.kind === 'workflow' && owner.runId === String(run.id);
    const laterAttempt =
      owner.kind === 'workflow' && owner.runAttempt !== undefined && Number(owner.runAttempt) > run.attempt;
    // Not once its rollback began (an /abort or a bake's trigger taken up by a reconcile run, which owns it
    // from then): that run's end leaves the rollback to a reconcile, as an orphan's.
    if (waitsHandedOff(rollout))
      return {
        environment,
        action: 'none',
        why: 'handed_off',
        ...(ownedByRun && !laterAttempt ? { handedOffBy: rollout } : {}),
      };
    if (!ownedByRun) return { environment, action: 'none', why: 'other_owner' };
    if (laterAttempt) return { environment, action: 'none', why: 'later_attempt_owns' };
    return { environment, action: 'dispatch' };
  });
}

/**
 * Pure: the request that lets a handed-off rollout go on or rolls it back, recorded while the run that handed it
 * off could no longer read it: a /promote (or the approval that made N, a /resume of a hold) or an /abort
 * written after the job's last poll and before its hand-off record landed. The App found the rollout not
 * handed off then (the job would read it), and the job ended without reading it: nothing would start the
 * reconcile run its wait's end needs until a scheduled one, or ever without a schedule. Undefined when the
 * requests leave it waiting (or only a bake's time ends it: the scheduled reconcile's, as before).
 */
export function requestAfterHandOff(
  rollout: Rollout,
  requests: readonly ControlRequest[],
  now: number,
  recordedIn?: ReadonlyMap<string, number>,
): ControlRequest | undefined {
  if (rollout.wait?.handedOff !== true || rollout.phase === 'rollback') return undefined;
  const decision = decideRollout(rollout, requests, now, recordedIn);
  if (decision.action === 'abort') return decision.request;
  if (decision.action !== 'go') return undefined;
  if (rollout.wait.kind === 'hold')
    return lastHoldOrGo(rollout, countedRequests(rollout, requests, recordedIn));
  return waitEndedBy(rollout, decision);
}

/**
 * The ref that says "reconcile was started for this environment after this attempt of this run": created
 * before the dispatch, so of two deliveries (a redelivery, or two replicas at once) exactly one dispatches
 * (creating a ref is atomic on GitHub). Undefined for a name git cannot hold as a ref.
 */
export function dispatchRefName(run: CompletedRun, environment: string): string | undefined {
  const env = environment.toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(env) || env.includes('..') || env.endsWith('.') || env.endsWith('.lock'))
    return undefined;
  return `deploy-reconcile/${run.id}-${run.attempt}/${env}`;
}

/** A request id or deployment id as one ref component: every character but letters, digits and '-' as '_'. */
const refPart = (value: string): string => value.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 200);

/**
 * The ref that says "reconcile was started for this control request" (a /promote, /resume or /abort of a
 * handed-off rollout): per deployment and request id, so a redelivered comment or click dispatches once.
 * Request ids are `comment:<id>` or `button:<run>:<login>:<step>:<action>`: ':' is the only character
 * replaced there, so two ids never share a ref.
 */
export function controlRefName(deploymentId: string, requestId: string): string | undefined {
  if (!deploymentId || !requestId) return undefined;
  return `deploy-control/${refPart(deploymentId)}/${refPart(requestId)}`;
}
