// What /status shows of scheduled and queued requests: one section each, in the order they start. Pure.
// Every value (environment, login, zone, time) goes through userText, though the App wrote and signed them:
// a reply never prints stored text raw.
import { userText } from '../../src/github/user-text.ts';
import { queueOrder } from './decide.ts';
import type { ScheduledRequest } from './record.ts';

const env = (name: string): string => userText(name, { as: 'code' });
const short = (sha: string): string => userText(sha.slice(0, 12), { as: 'code' });
const by = (login: string): string => userText(login, { as: 'mention' });

/**
 * The /status lines for the requests of `environments` (every environment when undefined). `closedPull`: the
 * pull request /status was asked on, when it is closed: its requests are dropped at their time
 * (`schedule_pr_closed`, `queue_pr_closed`), so they are said not to start rather than listed as coming.
 */
export function scheduleStatus(
  requests: readonly ScheduledRequest[],
  environments: readonly string[] | undefined,
  closedPull?: number,
): string {
  const fate = (r: ScheduledRequest): string =>
    r.pr === closedPull ? `: will not start, pull request #${r.pr} is closed` : '';
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
