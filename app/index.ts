// The Probot app: `export default (app) => { ... }`. Events are handed to small handlers that take narrow
// Octokit interfaces; this file only registers them.
import type { Probot } from 'probot';
import { acknowledgeOnly, commentEventFrom, handleComment } from './handlers/comment.ts';
import type { Dispatch } from './handlers/comment.ts';
import { registerCheckRun } from './handlers/check-run.ts';
import { registerDeploymentStatus } from './handlers/deployment-status.ts';
import { registerProtectionRule } from './handlers/protection-rule.ts';
import { registerPullRequest } from './handlers/pull-request.ts';

export interface AppOptions {
  /** What a valid command does; defaults to acknowledging it. */
  dispatch?: Dispatch;
}

export function deployApp(options: AppOptions = {}): (app: Probot) => void {
  const dispatch = options.dispatch ?? acknowledgeOnly;
  return (app) => {
    registerProtectionRule(app);
    registerCheckRun(app);
    registerDeploymentStatus(app);
    registerPullRequest(app);
    // Only `created`: edited and deleted comments must never act, so they are not even subscribed to here.
    app.on('issue_comment.created', async (context) => {
      const event = commentEventFrom(context.payload);
      const outcome = await handleComment(context.octokit.rest, event, dispatch);
      context.log.info(
        { delivery: context.id, comment: event.commentId, outcome: outcome.status },
        `issue_comment ${outcome.status}`,
      );
    });
  };
}

export default deployApp();
