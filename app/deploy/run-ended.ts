// A workflow run the App let through for its deployment (the protection rule approved it: a first run, or a
// re-run of an ended deployment) that ends without the Action ever writing a final status: another protection
// rule rejected it, it was cancelled before its job started, the job failed before the Action's step. Or a
// first run the App's rule rejected, or that was cancelled while its gate waited for approvals. The
// deployment would stay `queued`, holding its environment's lock (and its staging environment's) until someone
// used `--force`. On the run's completion the App ends it: an `error` status of its own naming the run (a
// re-run's: the state its deployment had ended in), which releases the locks through the one release path (app/handlers/deployment-status.ts).
//
// Which deployment was let through (or held back) for which run is the App's own status on it
// (app/deploy/run-record.ts), written before it answered the rule or when the run's gate started waiting. Left
// alone: a deployment whose newest status of its runner's is anyone else's (the Action took it over, or ended
// it), one of another run or of a later attempt, one whose state record names this run as a rollout's owner
// (reconcile's, dispatched on the same completion), and one of a run GitHub shows running again. Once per (run
// attempt, deployment): a ref claimed before the status is written, so a redelivery or a second replica does
// not write it twice (it would find the status anyway, read after).
import type { StateRead } from '../../src/state/store.ts';
import type { DeploymentState } from '../../src/github/status-comment.ts';
import { createDeploymentStatusOnce } from '../../src/github/deployments.ts';
import { mayHaveLanded } from '../../src/github/write-once.ts';
import { createdByApp } from '../facts/deployments.ts';
import { httpStatus } from '../facts/github.ts';
import type { Api, Where } from '../facts/github.ts';
import { claim } from '../reconcile/dispatch.ts';
import { stagingHeld } from './lock.ts';
import {
  STATUSES_READ,
  approvalNaming,
  namingDecision,
  orphanDecision,
  orphanedRunDescription,
  rejectedRunDescription,
  runClaim,
  runDeploymentCandidates,
  waitingRunDescription,
} from './run-record.ts';
import type {
  ApprovalNaming,
  NamedRun,
  NamingDecision,
  OrphanDecision,
  RunAttempt,
  RunClaim,
  RunNow,
} from './run-record.ts';

/** The completed run, as GitHub's signed workflow_run webhook shows it. */
export interface EndedRun extends RunAttempt {
  sha: string;
  createdAt?: string;
  conclusion?: string | null;
}

export type EndedDeployment =
  | { deployment: number; environment: string; status: 'ended' | 'already_claimed' }
  | {
      deployment: number;
      environment: string;
      status: 'left';
      why: Extract<OrphanDecision, { action: 'none' }>['why'];
    }
  | {
      deployment: number;
      environment: string;
      status: 'not_orphaned';
      why: Extract<RunClaim, { orphan: false }>['why'];
    };

/** The claim of ending `deployment` after `run`'s attempt: one ref, atomic to create. */
export const orphanClaimRef = (run: NamedRun, deployment: number): string =>
  `deploy-orphan/${run.id}${run.attempt !== undefined ? `-${run.attempt}` : ''}/${deployment}`;

/**
 * Ends the App deployments `run` was let through for that its end leaves without a final status. Reads: the
 * commit's deployments (one page of 100, newest first), the statuses of the newest App deployment per
 * environment made no later than the run; only for an orphan, the state records of its environments (`records`,
 * most of them read already by the caller), the run as it is now (once), the claim and the status.
 */
export async function endOrphanedDeployments(
  api: Pick<Api, 'repos' | 'git' | 'actions'>,
  where: Where,
  run: EndedRun,
  o: { botLogin: string; records: (environment: string) => Promise<StateRead> },
): Promise<EndedDeployment[]> {
  const { data } = await api.repos.listDeployments({ ...where, sha: run.sha, per_page: 100 });
  const candidates = runDeploymentCandidates(data, run.createdAt, (d) =>
    createdByApp(d, { login: o.botLogin }),
  );
  let now: Promise<RunNow> | undefined;
  const runNow = (): Promise<RunNow> => (now ??= readRunNow(api, where, run.id));
  const results: EndedDeployment[] = [];
  for (const d of candidates) {
    const environment = d.environment!;
    const { data: statuses } = await api.repos.listDeploymentStatuses({
      ...where,
      deployment_id: d.id,
      per_page: 100,
    });
    const claimed = runClaim(statuses, run, o.botLogin);
    if (!claimed.orphan) {
      results.push({ deployment: d.id, environment, status: 'not_orphaned', why: claimed.why });
      continue;
    }
    const staging = stagingHeld(d.payload);
    const records = await Promise.all(
      [
        environment,
        ...(staging !== undefined && staging.toLowerCase() !== environment.toLowerCase() ? [staging] : []),
      ].map((e) => o.records(e)),
    );
    const alongside = await Promise.all(
      (claimed.alongside ?? []).map(async (id) => ({ id, now: await readRunNow(api, where, id) })),
    );
    const decision = orphanDecision(records, run, await runNow(), alongside);
    if (decision.action === 'none') {
      results.push({ deployment: d.id, environment, status: 'left', why: decision.why });
      continue;
    }
    results.push({
      deployment: d.id,
      environment,
      status: await endDeployment(api, where, run, d.id, claimed.before),
    });
  }
  return results;
}

/** The run as GitHub shows it now (one request): `gone` when it answers 404. */
async function readRunNow(api: Pick<Api, 'actions'>, where: Where, run: number): Promise<RunNow> {
  try {
    const { data } = await api.actions.getWorkflowRun({ ...where, run_id: run });
    return { status: data.status, attempt: data.run_attempt };
  } catch (error) {
    if (httpStatus(error) === 404) return 'gone';
    throw error;
  }
}

/**
 * Claims the end of `deployment`, then writes its final status: `error`, or for a re-run of a deployment that
 * had ended, the state it had ended in (`before`: nothing deployed, a live deployment stays `success`), without
 * marking others inactive. A write that surely failed gives the claim back.
 */
async function endDeployment(
  api: Pick<Api, 'repos' | 'git'>,
  where: Where,
  run: NamedRun & { sha: string; conclusion?: string | null },
  deployment: number,
  before: DeploymentState | undefined,
): Promise<'ended' | 'already_claimed'> {
  const ref = orphanClaimRef(run, deployment);
  if (!(await claim(api as Api, where, ref, run.sha))) return 'already_claimed';
  try {
    await createDeploymentStatusOnce(api, {
      ...where,
      deploymentId: deployment,
      state: before ?? 'error',
      description: orphanedRunDescription(run, run.conclusion, before !== undefined),
      ...(before !== undefined ? { autoInactive: false } : {}),
    });
  } catch (error) {
    if (!mayHaveLanded(error)) await api.git.deleteRef({ ...where, ref }).catch(() => undefined);
    throw error;
  }
  return 'ended';
}

/**
 * Before the rule approves a first run of App deployment `deployment`: the App's own `queued` status naming the
 * run, and its attempt when known (approvedRunDescription), the record its end is judged by; or naming no run
 * when another run let through is named there already, and nothing when the Action's status is the newest
 * (approvalNaming: two workflows of one deployment event). Costs one read of the deployment's statuses and at
 * most one status, written once (a lost answer is settled by reading the newest status back); a failure is
 * thrown, and the run is answered by the request's redelivery, as a re-run's reopening status is
 * (app/deploy/rerun.ts). Whether this run was named: only then can its end, or endUnansweredRun, end it.
 */
export async function recordApprovedRun(
  api: Pick<Api, 'repos'>,
  where: Where,
  deployment: number,
  run: NamedRun,
  botLogin: string,
): Promise<ApprovalNaming> {
  const { data: statuses } = await api.repos.listDeploymentStatuses({
    ...where,
    deployment_id: deployment,
    per_page: STATUSES_READ,
  });
  const naming = approvalNaming(statuses, run, botLogin, STATUSES_READ);
  if (naming.write)
    await createDeploymentStatusOnce(api, {
      ...where,
      deploymentId: deployment,
      state: 'queued',
      description: naming.description,
    });
  return naming;
}

/** A run the rule does not approve: its gate waits for approvals, or it is rejected with a reason code. */
export type UnapprovedAnswer = { answer: 'pending' } | { answer: 'rejected'; code: string | undefined };

/**
 * Before the rule rejects a first run of App deployment `deployment`, and when its gate starts waiting for
 * approvals: the App's own `pending` status naming the run (rejectedRunDescription, waitingRunDescription), so
 * that the run's completion ends the deployment (endOrphanedDeployments) when nothing deploys: a rejected run
 * completes at once, one cancelled while its gate waits completes then. Not ended here: another run of the same
 * deployment event may deploy it (namingDecision). Named only when the deployment's newest status of the App's
 * or its runner's names no other run, is not final and is not the Action's: a redelivery finds its own status
 * newest and writes nothing. Costs one read of the deployment's statuses and, when named, one status (written
 * once: createDeploymentStatusOnce); a failure is thrown before GitHub is answered, and the redelivery answers
 * (a deployment deleted meanwhile is not named, and the run is answered).
 */
export async function recordUnapprovedRun(
  api: Pick<Api, 'repos'>,
  where: Where,
  deployment: number,
  run: NamedRun,
  answer: UnapprovedAnswer,
  botLogin: string,
): Promise<NamingDecision | { name: false; why: 'deployment_gone' }> {
  const status = {
    state: 'pending' as const,
    description:
      answer.answer === 'pending' ? waitingRunDescription(run) : rejectedRunDescription(run, answer.code),
  };
  let statuses;
  try {
    ({ data: statuses } = await api.repos.listDeploymentStatuses({
      ...where,
      deployment_id: deployment,
      per_page: STATUSES_READ,
    }));
  } catch (error) {
    // Deleted: nothing of it holds a lock, and the run is still answered.
    if (httpStatus(error) === 404) return { name: false, why: 'deployment_gone' };
    throw error;
  }
  const decision = namingDecision(statuses, run, status, botLogin, STATUSES_READ);
  if (decision.name) await createDeploymentStatusOnce(api, { ...where, deploymentId: deployment, ...status });
  return decision;
}

/**
 * A first run recorded (recordApprovedRun, or recordUnapprovedRun on a rejection) that GitHub no longer held when answered: nothing deploys if it was
 * cancelled or timed out, and its completion may have been delivered before the record was written. But "no
 * longer waits" is also what a run shows that another answer let through a moment before (two approvals of one
 * waiting gate at once): that run deploys, and ending its deployment would release its locks under it. So it is
 * ended, as its completion would end it (once per run, attempt and deployment: endDeployment), only when GitHub
 * shows the run over (completed, at the attempt named, or gone) and the deployment's newest status of its
 * runner's is still the App's naming this run (runClaim). Otherwise it is left: a run still going ends its own
 * deployment, or its completion does. Two reads (the run, the deployment's statuses).
 */
export async function endUnansweredRun(
  api: Pick<Api, 'repos' | 'git' | 'actions'>,
  where: Where,
  deployment: number,
  run: NamedRun & { sha: string },
  botLogin: string,
): Promise<'ended' | 'already_claimed' | 'left'> {
  const now = await readRunNow(api, where, run.id);
  const attempt = run.attempt ?? (now === 'gone' ? undefined : now.attempt) ?? 1;
  if (orphanDecision([], { id: run.id, attempt }, now).action === 'none') return 'left';
  const { data: statuses } = await api.repos.listDeploymentStatuses({
    ...where,
    deployment_id: deployment,
    per_page: 100,
  });
  const claimed = runClaim(statuses, { id: run.id, attempt }, botLogin);
  if (!claimed.orphan) return 'left';
  const alongside = await Promise.all(
    (claimed.alongside ?? []).map(async (id) => ({ id, now: await readRunNow(api, where, id) })),
  );
  if (orphanDecision([], { id: run.id, attempt }, now, alongside).action === 'none') return 'left';
  // The attempt GitHub showed over, named as the completion names it: one claim for both (one final status).
  return endDeployment(
    api,
    where,
    { ...run, attempt, conclusion: 'not_answered' },
    deployment,
    claimed.before,
  );
}
