// The policy decision for one deployment request: the facts it needs read from GitHub (the SHA's deployments
// and checks, only when the policy needs them), then the pure policy (src/policy). Shared by the commands
// (dispatch.ts) and a due schedule's re-check (app/schedule/run-due.ts).
import type { RawConfig } from '../../src/config/schema.ts';
import { evaluatePolicy } from '../../src/policy/index.ts';
import type { Actor, DeploymentType, Policy, PolicyDecision } from '../../src/policy/index.ts';
import type { Api, Where } from '../facts/github.ts';
import type { PullFacts } from '../facts/pull-request.ts';
import type { AppComments } from '../facts/own-comments.ts';
import { checksAt, deploymentsAt, successfulEnvironments } from '../facts/deployments.ts';
import type { ShaDeployment } from '../facts/deployments.ts';

/** What every command reads first: the repository, the PR, the config and the App's own comments. */
export interface Base {
  where: Where;
  pr: PullFacts;
  config: RawConfig;
  comments: AppComments;
}

/** The policy input facts for a deployment of `sha` asked by `actor` (also a due schedule's re-check). */
export async function decide(
  deps: { api: Api; now: () => Date },
  b: Base,
  policy: Policy,
  request: { environment: string; sha: string; type: DeploymentType; hotfixReason?: string },
  actor: Actor,
  extra: { approvals?: AppComments['approvals']; readDeployments?: boolean } = {},
): Promise<{ decision: PolicyDecision; deployments: ShaDeployment[] | undefined }> {
  // The SHA's deployments are read only when something needs them: a required earlier environment, or a
  // request that may already have deployed (a pending one). A comment's own redelivery is caught earlier, by
  // its reaction (handlers/comment.ts), and concurrent requests by the lock.
  const needed = extra.readDeployments || (request.type !== 'rollback' && policy.requires.length > 0);
  const [deployments, checks] = await Promise.all([
    needed ? deploymentsAt(deps.api, b.where, request.sha) : undefined,
    request.type === 'rollback' ? [] : checksAt(deps.api, b.where, request.sha, policy.requiredChecks),
  ]);
  const successful =
    request.type === 'rollback'
      ? []
      : await successfulEnvironments(deps.api, b.where, deployments ?? [], policy.requires);
  const decision = evaluatePolicy({
    config: b.config,
    environment: request.environment,
    actor,
    sha: request.sha,
    pullRequest: { number: b.pr.number, author: b.pr.author, headSha: b.pr.headSha, fromFork: b.pr.fromFork },
    approvals: extra.approvals ?? b.comments.approvals,
    successfulDeployments: successful,
    checks,
    now: deps.now(),
    type: request.type,
    ...(request.hotfixReason !== undefined ? { hotfixReason: request.hotfixReason } : {}),
  });
  return { decision, deployments };
}
