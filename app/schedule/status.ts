// What /status shows of scheduled and queued requests: one section each, in the order they start. Pure.
// Every value (environment, login, zone, time) goes through userText, though the App wrote and signed them:
// a reply never prints stored text raw.
import { userText } from '../../src/github/user-text.ts';
import { queueOrder } from './decide.ts';
import type { ScheduledRequest } from './record.ts';

const env = (name: string): string => userText(name, { as: 'code' });
const short = (sha: string): string => userText(sha.slice(0, 12), { as: 'code' });
const by = (login: string): string => userText(login, { as: 'mention' });

/** What /status knows besides the requests, to tell the ones that will not start. */
export interface StatusFacts {
  /** The pull request /status was asked on (its requests are the ones whose state it has read). */
  pull?: { number: number; open: boolean; headSha: string };
  /** The environments the config on the default branch defines now. */
  environments?: readonly string[];
}

/**
 * Pure: why a request will not start, as run-due would find at its time (nothing started, the request dropped):
 * its environment no longer in the config (`schedule_unknown_environment`), or, for the pull request /status
 * was asked on, that pull request closed (`schedule_pr_closed`) or its head moved off the commit asked for
 * (`schedule_sha_moved`). Undefined: nothing known stops it.
 */
export function wontStart(request: ScheduledRequest, facts: StatusFacts): string | undefined {
  if (facts.environments && !facts.environments.includes(request.environment))
    return 'the config no longer defines the environment';
  const pull = facts.pull;
  if (!pull || request.pr !== pull.number) return undefined;
  if (!pull.open) return `pull request #${pull.number} is closed`;
  if (request.sha.toLowerCase() !== pull.headSha.toLowerCase())
    return `the pull request's head is now ${short(pull.headSha)}`;
  return undefined;
}

/**
 * The /status lines for the requests of `environments` (every environment when undefined); a request that
 * will not start (wontStart) says why rather than being listed as coming.
 */
export function scheduleStatus(
  requests: readonly ScheduledRequest[],
  environments: readonly string[] | undefined,
  facts: StatusFacts = {},
): string {
  const fate = (r: ScheduledRequest): string => {
    const why = wontStart(r, facts);
    return why === undefined ? '' : `: will not start, ${why}`;
  };
  const shown = (r: ScheduledRequest): boolean =>
    environments === undefined || environments.some((e) => e.toLowerCase() === r.environment.toLowerCase());
  const scheduled = requests
    .filter((r) => r.mode === 'at' && shown(r))
    .sort((a, b) => a.at!.getTime() - b.at!.getTime())
    .map(
      (r) =>
        `- ${env(r.environment)} ← ${short(r.sha)} at ${userText(r.at!.toISOString(), { as: 'code' })}${r.zone && r.zone !== 'UTC' ? ` (written in ${userText(r.zone)})` : ''}, asked by ${by(r.requestedBy)} on PR #${r.pr}${fate(r)}`,
    );
  const names = [
    ...new Set(
      requests.filter((r) => r.mode === 'queue' && shown(r)).map((r) => r.environment.toLowerCase()),
    ),
  ].sort();
  const queued = names.flatMap((name) =>
    queueOrder(requests, name).map(
      (r, i) =>
        `- ${env(r.environment)} ${i + 1}. ${short(r.sha)}, asked by ${by(r.requestedBy)} on PR #${r.pr}${fate(r)}`,
    ),
  );
  return [
    `**Scheduled**: ${scheduled.length ? `\n${scheduled.join('\n')}` : 'none'}`,
    '',
    `**Queue**: ${queued.length ? `\n${queued.join('\n')}` : 'none'}`,
  ].join('\n');
}
