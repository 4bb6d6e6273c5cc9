// The Probot app: `export default (app) => { ... }`. Events are handed to small handlers that take narrow
// Octokit interfaces; this file only registers them.
import type { Probot } from 'probot';
import { commentEventFrom, handleComment, logFailure } from './handlers/comment.ts';
import type { Dispatch } from './handlers/comment.ts';
import { countingWrites } from './write-count.ts';
import { commandDispatch } from './deploy/dispatch.ts';
import type { Api } from './facts/github.ts';
import { markerTrust, ownAppId, ownBotLogin } from './facts/own-comments.ts';
import { peopleCache } from './facts/pull-request.ts';
import { configOnce } from './facts/config.ts';
import { markerKeysFromEnv } from './config.ts';
import type { MarkerKeys } from '../src/github/marker-keys.ts';
import { registerCheckRun } from './handlers/check-run.ts';
import { registerGateRerun } from './handlers/gate-rerun.ts';
import { registerDeploymentStatus } from './handlers/deployment-status.ts';
import { answerPendingProtectionRules, registerProtectionRule } from './handlers/protection-rule.ts';
import { registerPullRequest } from './handlers/pull-request.ts';
import { registerWorkflowRun } from './handlers/workflow-run.ts';
import { registerReviewCommands } from './handlers/review-command.ts';
import { registerWaitNotice } from './handlers/wait-notice.ts';
import { appRecordReader } from './state.ts';
import type { RecordReader } from './state.ts';
import { readEnvironmentRecord } from '../src/state/github-store.ts';
import { githubChannel } from './deploy/control.ts';
import type { ControlChannel } from './deploy/control.ts';
import type { RequestFn } from '../src/control/github-channel.ts';
import { dueLook, registerScheduleTriggers } from './schedule/triggers.ts';

export interface AppOptions {
  /** What a valid command does; defaults to the real commands (policy, approvals, locks, deployments). */
  dispatch?: Dispatch;
  /** The clock for policy decisions (windows, approval expiry); tests inject it. */
  now?: () => Date;
  /** The app's bot login; by default read once per process from GET /app (`<slug>[bot]`). */
  botLogin?: string;
  /**
   * The keys that authenticate the app's hidden markers (approvals, pending requests, gate notices). By
   * default from the environment when the app is loaded: DEPLOY_ACTION_MARKER_KEY, else the app's private
   * key (PRIVATE_KEY or PRIVATE_KEY_PATH); loading fails when there is neither.
   */
  markerKeys?: MarkerKeys;
  /**
   * How an environment's state record is read; by default from GitHub (src/state/github-store.ts), verified
   * under the state keys derived from the marker keys.
   */
  readRecord?: RecordReader;
  /** Where control requests (/promote...) and wait notices are read and written; by default GitHub check runs. */
  controlChannel?: ControlChannel;
}

export function deployApp(options: AppOptions = {}): (app: Probot) => void {
  const now = options.now ?? (() => new Date());
  return (app) => {
    const keys = options.markerKeys ?? markerKeysFromEnv(process.env);
    const records = options.readRecord ?? appRecordReader(keys, readEnvironmentRecord);
    // One reader for every path (commands, buttons, the protection rule, schedules): it remembers the highest
    // record number seen, which only protects across deliveries if they all share it.
    registerProtectionRule(app, now, keys, records);
    const channel = options.controlChannel ?? githubChannel;
    registerCheckRun(app, now, keys, records, channel);
    registerGateRerun(app, now, keys, records);
    // Scheduled and queued deployments start on these triggers (app/schedule/triggers.ts).
    const schedule = { keys, now, records, ...(options.botLogin ? { botLogin: options.botLogin } : {}) };
    registerDeploymentStatus(app, dueLook(schedule));
    registerScheduleTriggers(app, schedule);
    registerWaitNotice(app, records, channel, keys, now);
    registerPullRequest(app, keys, records, now);
    registerWorkflowRun(app, records, { channel, keys, now });
    // A command written in a review or on the diff is not read; its writer is told where to write it.
    registerReviewCommands(app, keys, now);
    // Only `created`: edited and deleted comments must never act, so they are not even subscribed to here.
    app.on('issue_comment.created', async (context) => {
      const event = commentEventFrom(context.payload);
      const api = context.octokit.rest as Api;
      const markers = markerTrust(keys, context.log);
      // One delivery, one view of the people it reads: the command and the gates it answers share it.
      const people = peopleCache();
      // And one read of the config from the default branch, shared the same way.
      const config = configOnce();
      const dispatch: Dispatch =
        options.dispatch ??
        (async (command, ev) =>
          commandDispatch({
            api,
            botLogin: options.botLogin ?? (await ownBotLogin(context.octokit)),
            appId: await ownAppId(context.octokit),
            now,
            markers,
            records,
            control: {
              readRequests: channel.readRequests(
                context.octokit.request as unknown as RequestFn,
                await ownAppId(context.octokit),
              ),
              write: channel.write,
            },
            graphql: (query, variables) => context.octokit.graphql(query, variables),
            people,
            config,
            info: context.log.info.bind(context.log),
          })(command, ev));
      // What the command wrote, should it fail: its own requests only (write-count.ts).
      const outcome = await countingWrites(context.octokit, (writes) =>
        handleComment(api, event, dispatch, {
          writes,
          ownLogin: () =>
            options.botLogin ? Promise.resolve(options.botLogin) : ownBotLogin(context.octokit),
          report: (failed) =>
            logFailure(context.log, { delivery: context.id, comment: event.commentId, ...failed }),
        }),
      );
      if (outcome.status === 'dispatched' && outcome.reply.answerGates) {
        const answers = await answerPendingProtectionRules(context.octokit, {
          where: { owner: event.owner, repo: event.repo },
          defaultBranch: context.payload.repository.default_branch,
          ...outcome.reply.answerGates,
          now: now(),
          markers,
          records,
          people,
          config,
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
