// The Probot app: `export default (app) => { ... }`. Events are handed to small handlers that take narrow
// Octokit interfaces; this file only registers them.
import type { Probot } from 'probot';
import { commentEventFrom, handleComment } from './handlers/comment.ts';
import type { Dispatch } from './handlers/comment.ts';
import { commandDispatch } from './deploy/dispatch.ts';
import { ownBotLogin } from './facts.ts';
import type { Api } from './facts.ts';
import { registerCheckRun } from './handlers/check-run.ts';
import { registerDeploymentStatus } from './handlers/deployment-status.ts';
import { answerPendingProtectionRules, registerProtectionRule } from './handlers/protection-rule.ts';
import { registerPullRequest } from './handlers/pull-request.ts';

export interface AppOptions {
  /** What a valid command does; defaults to the real commands (policy, approvals, locks, deployments). */
  dispatch?: Dispatch;
  /** The clock for policy decisions (windows, approval expiry); tests inject it. */
  now?: () => Date;
  /** The app's bot login; by default read once per process from GET /app (`<slug>[bot]`). */
  botLogin?: string;
}

export function deployApp(options: AppOptions = {}): (app: Probot) => void {
  const now = options.now ?? (() => new Date());
  return (app) => {
    registerProtectionRule(app, now);
    registerCheckRun(app, now);
    registerDeploymentStatus(app);
    registerPullRequest(app);
    // Only `created`: edited and deleted comments must never act, so they are not even subscribed to here.
    app.on('issue_comment.created', async (context) => {
      const event = commentEventFrom(context.payload);
      const api = context.octokit.rest as Api;
      const dispatch: Dispatch =
        options.dispatch ??
        (async (command, ev) =>
          commandDispatch({ api, botLogin: options.botLogin ?? (await ownBotLogin(context.octokit)), now })(
            command,
            ev,
          ));
      const outcome = await handleComment(api, event, dispatch);
      if (outcome.status === 'dispatched' && outcome.reply.answerGates) {
        const answers = await answerPendingProtectionRules(context.octokit, {
          where: { owner: event.owner, repo: event.repo },
          defaultBranch: context.payload.repository.default_branch,
          ...outcome.reply.answerGates,
          now: now(),
        });
        context.log.info({ delivery: context.id, answers }, 'protection rules decided again');
      }
      context.log.info(
        { delivery: context.id, comment: event.commentId, outcome: outcome.status },
        `issue_comment ${outcome.status}`,
      );
    });
  };
}

export default deployApp();
