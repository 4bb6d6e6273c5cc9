// workflow_run.completed: when the run that owns a rollout ends with the rollout still in its record, the
// rollout is an orphan (the runner died, the job was cancelled past its grace, the action was killed). The
// App starts the reconcile workflow for that environment at once (workflow_dispatch on the default branch,
// input `environment`), instead of leaving the orphan to the next scheduled reconcile. Reconcile itself
// reads the record again and asks the Actions API whether the run ended before it acts: the dispatch only
// says "look now", it decides nothing.
//
// Once per (run attempt, environment): before dispatching, the App creates the ref
// refs/deploy-reconcile/<run id>-<attempt>/<environment> at the run's commit. Creating a ref is atomic, so a
// redelivery, or the same delivery on two replicas, finds it and does not dispatch again. The ref carries no
// trust: someone with push access who creates it first only delays the orphan to the scheduled reconcile,
// which is no more than they could do by cancelling workflow runs, and they could start reconcile themselves.
//
// The same completion ends the App deployments this run was let through for and that it leaves without a final
// status (app/deploy/run-ended.ts): the run ended before the Action wrote one (another protection rule rejected
// it, it was cancelled before its job started, its job failed before the Action's step). Their final status
// (`error`; a re-run's, the state its deployment had ended in) releases their locks. A deployment whose rollout the record still holds is left to reconcile.
//
// What a completed run costs: the config (one conditional read) and one record read per environment, as
// before; a repository without a config stops there. A run the App's bot did not start (GitHub's word, in the
// signed webhook), which is most of them, or one no deployment event started (the reconcile the App dispatches),
// costs nothing more; one it started (its deployment event's) costs one
// listing of the commit's deployments and one status read per environment with an App deployment of the commit
// made before the run; only for a deployment found orphaned, the run read again, the claim and the status. A
// run whose record shows it handed its rollout off costs one read of that rollout's control requests.
// (The schedule's own look at the same completion, app/schedule/triggers.ts, costs its own request: `npm run
// bench:app` counts both.)
import type { Probot } from 'probot';
import { FactsError, loadConfig } from '../facts/config.ts';
import type { Api } from '../facts/github.ts';
import { DEFAULT_RECONCILE_WORKFLOW, startReconcile } from '../reconcile/dispatch.ts';
import type { ReconcileStart } from '../reconcile/dispatch.ts';
import { controlRefName, dispatchRefName, orphanedBy, requestAfterHandOff } from '../reconcile/trigger.ts';
import type { TriggerDecision } from '../reconcile/trigger.ts';
import type { RecordReader } from '../state.ts';
import { endOrphanedDeployments } from '../deploy/run-ended.ts';
import type { EndedDeployment } from '../deploy/run-ended.ts';
import { ownAppId, ownBotLogin } from '../facts/own-comments.ts';
import type { ControlChannel, RequestsReader } from '../deploy/control.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { stateKeysFor } from '../../src/state/state-key.ts';
import type { RequestFn } from '../../src/control/github-channel.ts';

interface WorkflowRunPayload {
  action: string;
  workflow_run: {
    id: number;
    run_attempt?: number;
    head_sha: string;
    created_at?: string;
    conclusion?: string | null;
    actor?: { login: string } | null;
    /** What started the run (a re-run keeps it): `deployment` for the run of a deployment event. */
    event?: string;
  };
  repository: { name: string; owner: { login: string }; default_branch: string };
}

export type DispatchResult = ReconcileStart;

export type WorkflowRunOutcome =
  | { status: 'ignored'; reason: 'not_completed' | 'config_missing' | 'config_invalid' }
  | {
      status: 'checked';
      decisions: TriggerDecision[];
      dispatches: DispatchResult[];
      /** The App deployments of a run the App's bot started, and what became of each (run-ended.ts). */
      deployments: EndedDeployment[];
    };

export interface WorkflowRunDeps {
  readRecord: RecordReader;
  /** Where a refused record is reported (a forged one is tampering, worth a look). */
  warn: (fields: Record<string, unknown>, message: string) => void;
  /** The App's bot login: only a run it started can be the run of an App deployment. */
  botLogin: () => Promise<string>;
  /**
   * The control requests of a rollout the completed run handed off (requestAfterHandOff), read under the state
   * keys of its environment; without it, none are read.
   */
  handOff?: {
    readRequests: RequestsReader;
    keys: MarkerKeys;
    now: () => Date;
  };
}

export async function handleWorkflowRun(
  api: Api,
  payload: WorkflowRunPayload,
  deps: WorkflowRunDeps,
): Promise<WorkflowRunOutcome> {
  if (payload.action !== 'completed') return { status: 'ignored', reason: 'not_completed' };
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const branch = payload.repository.default_branch;
  const run = {
    id: payload.workflow_run.id,
    attempt: payload.workflow_run.run_attempt ?? 1,
    sha: payload.workflow_run.head_sha,
  };
  let config;
  try {
    config = await loadConfig(api, where, branch);
  } catch (error) {
    // Most repositories' runs have nothing to do with deployments; a bad config is the commands' to report.
    if (error instanceof FactsError && (error.code === 'config_missing' || error.code === 'config_invalid'))
      return { status: 'ignored', reason: error.code };
    throw error;
  }
  const environments = Object.keys(config.environments);
  const reads = await Promise.all(
    environments.map(async (environment) => ({
      environment,
      read: await deps.readRecord(api, where, environment),
    })),
  );
  const decisions = orphanedBy(reads, run);
  for (const d of decisions) {
    if (d.action === 'refused')
      deps.warn(
        { repository: `${where.owner}/${where.repo}`, environment: d.environment, run: run.id, code: d.code },
        `state record not trusted, no reconcile started for it: ${d.message}`,
      );
  }
  const workflow = config.reconcile?.workflow ?? DEFAULT_RECONCILE_WORKFLOW;
  const dispatches: DispatchResult[] = [];
  // One at a time: a failure stops here, and the redelivery finds the claims already made and skips those.
  for (const d of decisions) {
    if (d.action === 'dispatch')
      dispatches.push(
        await startReconcile(api, where, {
          claimRef: dispatchRefName(run, d.environment),
          sha: run.sha,
          environment: d.environment,
          workflow,
          branch,
        }),
      );
  }
  // Only a run the App's bot started deploys an App deployment (its deployment event; a re-run keeps the actor
  // and the event): not the reconcile runs the App dispatches (workflow_dispatch), which cost nothing more.
  const event = payload.workflow_run.event;
  const botLogin = await deps.botLogin();
  const startedByApp =
    (event === undefined || event === 'deployment') &&
    payload.workflow_run.actor?.login.toLowerCase() === botLogin.toLowerCase();
  const deployments = startedByApp
    ? await endOrphanedDeployments(
        api,
        where,
        {
          ...run,
          ...(payload.workflow_run.created_at ? { createdAt: payload.workflow_run.created_at } : {}),
          conclusion: payload.workflow_run.conclusion ?? null,
        },
        {
          botLogin,
          // Read above for the config's environments; another (a deployment of one the config no longer has) here.
          records: async (environment) =>
            reads.find((r) => r.environment.toLowerCase() === environment.toLowerCase())?.read ??
            deps.readRecord(api, where, environment),
        },
      )
    : [];
  // A rollout this run handed off, and a request it never read: written after the job's last poll and before its
  // hand-off record landed, the App found the rollout not handed off (the job would read it) and started
  // nothing, and the job ended without it. Its reconcile run starts now, claimed by that request as the App's
  // /promote claims it (app/deploy/control.ts), so of the two exactly one starts it. After the deployments are
  // ended: requests that cannot be read leave the rollout to the scheduled reconcile, as before, and never keep
  // a deployment's locks.
  for (const d of decisions) {
    const rollout = d.action === 'none' ? d.handedOffBy : undefined;
    if (!rollout?.sha || !deps.handOff) continue;
    const repository = `${where.owner}/${where.repo}`;
    const sha = rollout.sha.toLowerCase();
    const unread = (error: string) =>
      deps.warn(
        { repository, environment: d.environment, run: run.id, error },
        'control requests of a handed-off rollout could not be read: the scheduled reconcile goes on with it',
      );
    let poll;
    try {
      poll = await deps.handOff.readRequests(
        where,
        { repository, environment: d.environment, deploymentId: rollout.deploymentId },
        sha,
        stateKeysFor(deps.handOff.keys, repository, d.environment),
      );
    } catch (error) {
      unread(String(error));
      continue;
    }
    if (poll.error) unread(poll.error);
    const request = requestAfterHandOff(
      rollout,
      poll.requests,
      deps.handOff.now().getTime(),
      poll.recordedIn,
    );
    if (request)
      dispatches.push(
        await startReconcile(api, where, {
          claimRef: controlRefName(rollout.deploymentId, request.id),
          sha,
          environment: d.environment,
          workflow,
          branch,
        }),
      );
  }
  return { status: 'checked', decisions, dispatches, deployments };
}

export function registerWorkflowRun(
  app: Probot,
  readRecord: RecordReader,
  control?: { channel: ControlChannel; keys: MarkerKeys; now: () => Date },
): void {
  app.on('workflow_run.completed', async (context) => {
    const outcome = await handleWorkflowRun(
      context.octokit.rest as Api,
      context.payload as unknown as WorkflowRunPayload,
      {
        readRecord,
        warn: (fields, message) => context.log.warn(fields, message),
        botLogin: () => ownBotLogin(context.octokit),
        ...(control
          ? {
              handOff: {
                // Only the App's own check runs: what the runner and reconcile act on (docs/control.md).
                readRequests: async (...read) =>
                  control.channel.readRequests(
                    context.octokit.request as unknown as RequestFn,
                    await ownAppId(context.octokit),
                  )(...read),
                keys: control.keys,
                now: control.now,
              },
            }
          : {}),
      },
    );
    context.log.info(
      {
        delivery: context.id,
        run: (context.payload as unknown as WorkflowRunPayload).workflow_run.id,
        ...(outcome.status === 'ignored'
          ? { reason: outcome.reason }
          : {
              dispatched: outcome.dispatches
                .filter((d) => d.status === 'dispatched')
                .map((d) => d.environment),
              ended: outcome.deployments.filter((d) => d.status === 'ended').map((d) => d.deployment),
            }),
      },
      `workflow_run ${outcome.status}`,
    );
  });
}
