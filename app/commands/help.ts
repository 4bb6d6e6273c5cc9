// The /help text: every command with its usage. The lead appends the live policy from the default branch.
import { COMMAND_NAMES, usage } from './parse.ts';
import type { CommandKind } from './command.ts';

const PURPOSE: Record<CommandKind, string> = {
  deploy:
    'deploy this pull request’s head commit (dry run: show the plan only; `at <time>`: later, re-checked then; --queue: when the lock is free)',
  'approve-deploy': 'approve the pending deployment of this head commit',
  'reject-deploy': 'veto the pending deployment',
  rollback:
    'redeploy the previous version recorded for the environment (`to <sha>` must name it), straight back: no gates, no canary steps',
  lock: 'stop deployments to an environment, or everywhere with --global',
  unlock: 'release a lock (--force: someone else’s)',
  promote:
    'end the rollout’s current wait and go to its next step (--full: to 100 % after this step’s analysis)',
  pause: 'hold the rollout before its next step until /resume',
  resume: 'end a /pause',
  abort: 'roll the rollout back to the stable version now (deployers and approvers)',
  status:
    'what is live, before and rolling out per environment, locks, pending approvals, schedules and the queue',
  'cancel-deploy': 'cancel your scheduled or queued /deploy (deployers: anyone’s)',
  help: 'this text',
};

/** Markdown list of the commands; commands are read only from the first line of a comment. */
export function helpText(): string {
  const lines = COMMAND_NAMES.map((name) => `- \`${usage(name)}\`: ${PURPOSE[name]}`);
  return [
    // A review's body and its comments on the diff are not read (README, The GitHub App): said here, where a
    // refused or misplaced command's writer looks.
    '**Commands** (first line of a comment in the pull request’s conversation; a review and its comments on the diff are not read):',
    '',
    ...lines,
  ].join('\n');
}
