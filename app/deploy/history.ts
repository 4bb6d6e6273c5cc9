// /status --history [--since 90d] (docs/metrics.md): the four DORA keys per environment from the repository's
// deployments and statuses (GraphQL, one request per 100 deployments), as a table and charts under the
// /status reply. Environment names go through userText like every echoed value; a GitHub failure is one line.
import { githubMetricsReport } from '../../src/metrics/report.ts';
import { MetricsReadError, type GraphqlFn } from '../../src/metrics/github-read.ts';
import { DEFAULT_SINCE, parseSince } from '../../src/metrics/window.ts';
import { renderMetricsSummary } from '../../src/report/metrics.ts';
import { userText } from '../../src/github/user-text.ts';
import type { Where } from '../facts/github.ts';
import { hasPermission, type Permission } from '../../src/policy/actors.ts';

/**
 * The permission /status --history asks, the one every command that changes something needs: its read is up
 * to 50 GraphQL pages of the installation's rate limit, which anyone who may comment (on a public repository,
 * anyone) could otherwise spend over and over. Plain /status stays open to all.
 */
export const HISTORY_PERMISSION: Permission = 'write';

/** Why `permission` may not have /status --history read, or undefined when it may. */
export function historyRefusal(
  permission: Permission,
): { code: 'history_not_allowed'; message: string } | undefined {
  if (hasPermission(permission, HISTORY_PERMISSION)) return undefined;
  return {
    code: 'history_not_allowed',
    message: `\`/status --history\` reads many pages of the repository's deployments, so it is for people with ${HISTORY_PERMISSION} permission on the repository (yours: ${permission}). \`/status\` without \`--history\` is open to everyone; the delivery metrics are also in the \`deploy-action metrics\` command and the Action's \`mode: metrics\`.`,
  };
}

export async function historySection(
  graphql: GraphqlFn | undefined,
  where: Where,
  environments: readonly string[],
  since: string | undefined,
  now: Date,
): Promise<string> {
  const heading = `**Delivery metrics** (since ${userText(since ?? DEFAULT_SINCE)})`;
  if (!graphql) return `${heading}: not available here (no GraphQL client).`;
  try {
    const start = parseSince(since ?? DEFAULT_SINCE, now.getTime(), '--since');
    const report = await githubMetricsReport(graphql, {
      owner: where.owner,
      repo: where.repo,
      since: start,
      until: now.getTime(),
      environments,
    });
    return renderMetricsSummary(report, { heading, name: (name) => userText(name, { as: 'code', max: 60 }) });
  } catch (error) {
    // The reading's own words say what failed and where (never an HTTP error's body: GitHub's HTML page).
    if (error instanceof MetricsReadError) return `${heading}: ${userText(error.message, { max: 300 })}`;
    return `${heading}: could not be read: ${userText((error as Error).message, { max: 300 })}`;
  }
}
