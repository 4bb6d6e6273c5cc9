// The GitHub reporter (DESIGN.md §5): the Deployments tab, a check run per gate with annotations, the
// `deploy / <environment>` check run, and the PR's status comment. It renders pipeline events; it never
// decides anything and never stops the pipeline: every GitHub call runs in a background queue, a failure is
// a warning, and after repeated failures only the final updates are tried. A GitHub outage therefore
// cannot keep traffic on a bad version: the rollback path never waits on GitHub.
import type { GitHubClient } from '../../github/client.ts';
import { commitsSince, createDeploymentOnce, lastSuccessfulDeployment } from '../../github/deployments.ts';
import type { DeploymentPayload } from '../../github/deployment-payload.ts';
import { upsertStatusComment, type StatusCommentState } from '../../github/status-comment.ts';
import type { GateResult } from '../../gates/types.ts';
import type { PhaseId, PipelineEvent, PipelineResult, Reporter } from '../../pipeline/events.ts';
import { annotationBatches, gateCheckName, gateCheckOutput, gateConclusion } from './gate-checks.ts';
import {
  deployConclusion,
  finalStatus,
  phaseStatus,
  startStatus,
  type StatusUpdate,
} from './deployment-status.ts';
import { truncate } from '../markdown.ts';

export interface GitHubReporterOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  sha: string;
  environment: string;
  version: string;
  strategy: string;
  /** The deployment the run was started for, or what to create; absent when only gates run. */
  deployment?:
    | { id: number }
    | {
        create: { production: boolean; transient: boolean; payload: DeploymentPayload & { run_key: string } };
      };
  pullNumber?: number;
  /** The status comment's id when the App wrote it already. */
  commentId?: number;
  runUrl?: string;
  environmentUrl?: string;
  /** Check runs need `checks: write`; set false where the token lacks it. */
  checks?: boolean;
  log(level: 'info' | 'warn', message: string): void;
  /** The longest close() waits for GitHub before giving up on the remaining updates (default 90 s). */
  closeTimeoutMs?: number;
  /** Failed operations in a row after which only the final updates are still tried (default 3). */
  breakerThreshold?: number;
}

export interface GitHubReporter extends Reporter {
  /** Resolved when the deployment exists (or could not be created). */
  deploymentId(): Promise<number | undefined>;
  /** The previously deployed SHA and the commits since, once looked up (undefined when unknown). */
  changes(): Promise<
    { previousSha: string; total: number; commits: StatusCommentState['commits'] } | undefined
  >;
  /** Operations that failed (each also logged as a warning). */
  failures(): string[];
}

interface Operation {
  label: string;
  /** Final updates are tried even after GitHub has failed repeatedly. */
  essential: boolean;
  run(): Promise<void>;
}

export function githubReporter(options: GitHubReporterOptions): GitHubReporter {
  const { octokit, owner, repo, sha, environment, log } = options;
  const rest = octokit.rest;
  const checksEnabled = options.checks !== false;
  const threshold = options.breakerThreshold ?? 3;
  const failures: string[] = [];
  let consecutiveFailures = 0;
  let breakerOpen = false;
  let chain: Promise<void> = Promise.resolve();
  let strategy = options.strategy;
  let version = options.version;
  let previousVersion: string | undefined;

  const enqueue = (op: Operation) => {
    chain = chain.then(async () => {
      if (breakerOpen && !op.essential) return;
      try {
        await op.run();
        consecutiveFailures = 0;
      } catch (error) {
        consecutiveFailures++;
        const message = `GitHub: could not ${op.label}: ${describeError(error)}`;
        failures.push(message);
        log('warn', message);
        if (!breakerOpen && consecutiveFailures >= threshold) {
          breakerOpen = true;
          log(
            'warn',
            `GitHub failed ${consecutiveFailures} times in a row: only the final updates will be tried`,
          );
        }
      }
    });
  };

  // ---- the deployment -------------------------------------------------------------------------------
  let resolveDeployment!: (id: number | undefined) => void;
  const deploymentReady = new Promise<number | undefined>((r) => (resolveDeployment = r));
  let deploymentId: number | undefined;
  if (options.deployment && 'id' in options.deployment) {
    deploymentId = options.deployment.id;
    resolveDeployment(deploymentId);
  } else if (options.deployment) {
    const create = options.deployment.create;
    enqueue({
      label: 'create the deployment',
      essential: true,
      async run() {
        try {
          const created = await createDeploymentOnce(rest, {
            owner,
            repo,
            sha,
            environment,
            description: truncate(`deploy ${version} with ${strategy}`, 140),
            payload: create.payload,
            production: create.production,
            transient: create.transient,
          });
          deploymentId = created.id;
        } finally {
          resolveDeployment(deploymentId);
        }
      },
    });
  } else {
    resolveDeployment(undefined);
  }

  const postStatus = (update: StatusUpdate, essential: boolean, environmentUrl?: string) => {
    if (!options.deployment) return;
    enqueue({
      label: `set the deployment status to ${update.state}`,
      essential,
      async run() {
        if (deploymentId === undefined) throw new Error('there is no deployment to report to');
        await rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: deploymentId,
          state: update.state,
          description: update.description,
          ...(options.runUrl ? { log_url: options.runUrl } : {}),
          ...(environmentUrl ? { environment_url: environmentUrl } : {}),
        });
      },
    });
  };

  // ---- what changed since the last deployment -------------------------------------------------------
  let changesFound: Awaited<ReturnType<GitHubReporter['changes']>>;
  let resolveChanges!: () => void;
  const changesReady = new Promise<void>((r) => (resolveChanges = r));
  const lookUpChanges = () =>
    enqueue({
      label: 'read the previous deployment and the commits since',
      essential: false,
      async run() {
        try {
          const previous = await lastSuccessfulDeployment(rest, {
            owner,
            repo,
            environment,
            excludeId: deploymentId,
          });
          if (!previous) return;
          if (previous.sha === sha) {
            changesFound = { previousSha: previous.sha, total: 0, commits: [] };
            return;
          }
          const since = await commitsSince(rest, { owner, repo, base: previous.sha, head: sha });
          changesFound = { previousSha: previous.sha, total: since.total, commits: since.commits };
        } finally {
          resolveChanges();
        }
      },
    });

  // ---- the deploy check run ---------------------------------------------------------------------------
  const deployCheck = checksEnabled && options.deployment !== undefined;
  let deployCheckId: number | undefined;
  let deployCheckPending = false;
  let deployCheckState: { phase: string; detail: string } = { phase: 'starting', detail: '' };
  const phases: string[] = [];
  const deployCheckOutput = () => ({
    title: truncate(`${environment}: ${deployCheckState.phase}`, 255),
    summary: truncate(
      [
        `Deploying **${version}** with **${strategy}**${previousVersion ? ` (serving: ${previousVersion})` : ''}.`,
        '',
        ...phases.map((p) => `- ${p}`),
        ...(deployCheckState.detail ? ['', deployCheckState.detail] : []),
      ].join('\n'),
      65_000,
    ),
  });
  // Phase updates coalesce: if one is still waiting in the queue, it sends the newest state when it runs.
  const updateDeployCheck = () => {
    if (!deployCheck || deployCheckPending) return;
    deployCheckPending = true;
    enqueue({
      label: `update the ${checkName()} check run`,
      essential: false,
      async run() {
        deployCheckPending = false;
        if (deployCheckId === undefined) {
          const { data } = await rest.checks.create({
            owner,
            repo,
            name: checkName(),
            head_sha: sha,
            status: 'in_progress',
            started_at: new Date().toISOString(),
            ...(options.runUrl ? { details_url: options.runUrl } : {}),
            output: deployCheckOutput(),
          });
          deployCheckId = data.id;
        } else {
          await rest.checks.update({ owner, repo, check_run_id: deployCheckId, output: deployCheckOutput() });
        }
      },
    });
  };
  const checkName = () => `deploy / ${environment}`;

  // ---- gate check runs ----------------------------------------------------------------------------------
  const reportGate = (result: GateResult) => {
    if (!checksEnabled) return;
    const batches = annotationBatches(result.findings);
    enqueue({
      label: `create the ${gateCheckName(result.name)} check run`,
      essential: result.status === 'block',
      async run() {
        const output = gateCheckOutput(result);
        const { data } = await rest.checks.create({
          owner,
          repo,
          name: gateCheckName(result.name),
          head_sha: sha,
          status: 'completed',
          conclusion: gateConclusion(result),
          completed_at: new Date().toISOString(),
          ...(options.runUrl ? { details_url: options.runUrl } : {}),
          output: { ...output, ...(batches[0] ? { annotations: batches[0] } : {}) },
        });
        for (const batch of batches.slice(1)) {
          await rest.checks.update({
            owner,
            repo,
            check_run_id: data.id,
            output: { title: output.title, summary: output.summary, annotations: batch },
          });
        }
      },
    });
  };

  // ---- events -----------------------------------------------------------------------------------------------
  let result: PipelineResult | undefined;
  const sawPhase = new Set<PhaseId>();
  const event = (e: PipelineEvent) => {
    switch (e.type) {
      case 'start':
        // The staging environment's own start arrives too; the run's environment is the one reported.
        if (e.environment !== environment) return;
        strategy = e.strategy;
        version = e.version;
        previousVersion = e.previousVersion;
        postStatus(startStatus(version, strategy), false);
        updateDeployCheck();
        lookUpChanges();
        return;
      case 'phase-start': {
        if (sawPhase.has(e.phase)) return;
        sawPhase.add(e.phase);
        deployCheckState = { phase: e.phase, detail: '' };
        // Statuses mark where traffic starts to move; the check run follows every phase.
        if (e.phase === 'production') postStatus(phaseStatus(e.phase, environment, version, strategy), false);
        updateDeployCheck();
        return;
      }
      case 'phase-end':
        phases.push(
          `${e.record.phase}: ${e.record.status}${e.record.detail ? `: ${truncate(e.record.detail, 300)}` : ''}`,
        );
        return;
      case 'gate-end':
        reportGate(e.result);
        return;
      case 'result':
        result = e.result;
        return;
      default:
        return;
    }
  };

  const finish = (final: PipelineResult) => {
    const status = finalStatus(final);
    postStatus(status, true, final.status === 'succeeded' ? options.environmentUrl : undefined);
    if (deployCheck) {
      deployCheckState = {
        phase: `${final.status.replace('_', ' ')}`,
        detail: `**${final.code}**: ${final.message}`,
      };
      enqueue({
        label: `complete the ${checkName()} check run`,
        essential: true,
        async run() {
          const body = {
            status: 'completed' as const,
            conclusion: deployConclusion(final),
            completed_at: new Date().toISOString(),
            output: deployCheckOutput(),
          };
          if (deployCheckId === undefined) {
            await rest.checks.create({ owner, repo, name: checkName(), head_sha: sha, ...body });
          } else {
            await rest.checks.update({ owner, repo, check_run_id: deployCheckId, ...body });
          }
        },
      });
    }
    if (options.pullNumber !== undefined && options.deployment) {
      const pullNumber = options.pullNumber;
      enqueue({
        label: `update the status comment on #${pullNumber}`,
        essential: true,
        async run() {
          const state: StatusCommentState = {
            environment,
            state: status.state,
            description: status.description,
            version: final.version,
            sha,
            strategy: final.strategy,
            deploymentId,
            runUrl: options.runUrl,
            environmentUrl: options.environmentUrl,
            previousSha: changesFound?.previousSha,
            commits: changesFound?.commits,
            commitsTotal: changesFound?.total,
            updatedAt: new Date().toISOString(),
          };
          await upsertStatusComment(
            rest,
            { owner, repo, pullNumber, environment },
            () => state,
            options.commentId,
          );
        },
      });
    }
  };

  return {
    event,
    deploymentId: () => deploymentReady,
    async changes() {
      // Resolves once looked up; undefined if the lookup never ran or failed.
      await Promise.race([changesReady, chain]);
      return changesFound;
    },
    failures: () => [...failures],
    async close() {
      // Gates only (no result): the gate check runs already queued are all there is.
      if (result) finish(result);
      const timeoutMs = options.closeTimeoutMs ?? 90_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        chain.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        const message = `GitHub: gave up on the remaining updates after ${Math.round(timeoutMs / 1000)} s`;
        failures.push(message);
        log('warn', message);
      }
      resolveChanges();
      resolveDeployment(deploymentId);
    },
  };
}

function describeError(error: unknown): string {
  const e = error as { status?: number; message?: string };
  const message = (e.message ?? String(error)).split('\n')[0]!;
  return e.status ? `HTTP ${e.status}: ${truncate(message, 200)}` : truncate(message, 200);
}
