// When a workflow run completes, which environments' rollouts it leaves without an owner: those whose
// trusted record names this run as the owner of a rollout still in progress. The App then starts the
// reconcile workflow for each (app/handlers/workflow-run.ts), so an orphan is handled within a minute
// instead of at the next scheduled reconcile. Pure. A record the store refused (forged, misplaced, stale,
// corrupt, unverifiable) never starts anything: a write-permission user could otherwise write one that
// claims any run.
import type { RefusalCode } from '../../src/state/record.ts';
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
    if (rollout.wait?.handedOff === true) return { environment, action: 'none', why: 'handed_off' };
    const { owner } = rollout;
    if (owner.kind !== 'workflow' || owner.runId !== String(run.id))
      return { environment, action: 'none', why: 'other_owner' };
    if (owner.runAttempt !== undefined && Number(owner.runAttempt) > run.attempt)
      return { environment, action: 'none', why: 'later_attempt_owns' };
    return { environment, action: 'dispatch' };
  });
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
