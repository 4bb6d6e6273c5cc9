// Starting the reconcile workflow for one environment now (workflow_dispatch on the default branch, input
// `environment`), at most once per claim. Two callers: a completed run that leaves an orphaned rollout
// (app/handlers/workflow-run.ts, claimed per run attempt and environment) and a /promote, /resume or /abort
// of a rollout whose job handed it off (app/deploy/control.ts, claimed per request). The dispatch only says
// "look now": reconcile reads the record and the requests again and decides itself.
//
// The claim is a ref created before the dispatch: creating a ref is atomic on GitHub, so of two deliveries (a
// redelivery, or two replicas at once) exactly one dispatches. The ref carries no trust: someone with push
// access who creates it first only delays the rollout to the scheduled reconcile.
import { httpStatus } from '../facts/github.ts';
import type { Api, Where } from '../facts/github.ts';

/** The reconcile workflow file when `reconcile.workflow` does not name one. */
export const DEFAULT_RECONCILE_WORKFLOW = 'deploy-reconcile.yml';

export type ReconcileStart =
  | { environment: string; status: 'dispatched'; workflow: string; ref: string }
  | { environment: string; status: 'already_dispatched' | 'invalid_environment_name' };

/**
 * Claims `ref` (without `refs/`) at `sha`: true when this call created it, false when it existed. Also the claim
 * of ending a deployment whose run ended (app/deploy/run-ended.ts).
 */
export async function claim(api: Api, where: Where, ref: string, sha: string): Promise<boolean> {
  try {
    await api.git.createRef({ ...where, ref: `refs/${ref}`, sha });
    return true;
  } catch (error) {
    if (httpStatus(error) === 422 && /already exists/i.test((error as Error).message)) return false;
    throw error;
  }
}

/**
 * Dispatches `workflow` on `branch` for `environment` unless `claimRef` (undefined: a name git cannot hold,
 * nothing dispatched) was claimed before. A dispatch GitHub refuses gives the claim back, so a redelivery
 * tries again.
 */
export async function startReconcile(
  api: Api,
  where: Where,
  args: { claimRef: string | undefined; sha: string; environment: string; workflow: string; branch: string },
): Promise<ReconcileStart> {
  const { claimRef, environment, workflow, branch } = args;
  if (!claimRef) return { environment, status: 'invalid_environment_name' };
  if (!(await claim(api, where, claimRef, args.sha))) return { environment, status: 'already_dispatched' };
  try {
    await api.actions.createWorkflowDispatch({
      ...where,
      workflow_id: workflow,
      ref: branch,
      inputs: { environment },
    });
  } catch (error) {
    await api.git.deleteRef({ ...where, ref: claimRef }).catch(() => undefined);
    throw error;
  }
  return { environment, status: 'dispatched', workflow, ref: branch };
}
