// The Action's `mode: metrics` (docs/metrics.md): the four DORA keys per environment from the repository's
// deployments and statuses (GraphQL, one request per 100 deployments), as the job summary (a table and
// charts) and the `metrics` output. Needs the token's `deployments: read`. Loaded by run.ts with import().
import * as core from '@actions/core';
import { invisibleNameProblem } from '../config/invisible.ts';
import { userText } from '../github/user-text.ts';
import { logInfo } from './job-log.ts';
import { plainLines } from '../util/plain-text.ts';
import { createGitHubClient, type RequestCounter } from '../github/client.ts';
import { MetricsReadError } from '../metrics/github-read.ts';
import { githubMetricsReport } from '../metrics/report.ts';
import { DEFAULT_SINCE, parseSince, SinceError } from '../metrics/window.ts';
import { metricsJobSummary } from '../report/metrics.ts';
import { metricsOutput } from '../report/metrics-output.ts';
import type { RunContext } from './context.ts';
import { environmentList, InputError, type ActionInputs } from './inputs.ts';

export async function runMetrics(
  inputs: ActionInputs,
  context: RunContext,
  env: NodeJS.ProcessEnv,
): Promise<RequestCounter | undefined> {
  const problems: string[] = [];
  if (!inputs.token)
    problems.push(
      'mode "metrics" reads the Deployments tab: input "github-token" is required (deployments: read)',
    );
  const now = Date.now();
  let since = now;
  try {
    since = parseSince(inputs.since ?? DEFAULT_SINCE, now, 'input "since"');
  } catch (error) {
    if (!(error instanceof SinceError)) throw error;
    problems.push(error.message);
  }
  // GitHub filters by the names as given: one holding an invisible character (typed into the "Run workflow"
  // form from a job summary) would count no deployment at all. The input itself was checked with the others.
  const environments = environmentList(inputs.environment ?? context.dispatch?.environment);
  const invisible = environments?.map((name) => invisibleNameProblem(name, 'environment name')).find(Boolean);
  if (invisible) problems.push(`workflow input "environment": ${invisible}`);
  if (problems.length) throw new InputError(problems);
  const { octokit, counter } = createGitHubClient({
    token: inputs.token!,
    baseUrl: context.apiUrl,
    log: (message) => logInfo(message),
  });
  let report;
  try {
    report = await githubMetricsReport((query, variables) => octokit.graphql(query, variables), {
      owner: context.owner,
      repo: context.repo,
      since,
      until: now,
      ...(environments ? { environments } : {}),
    });
  } catch (error) {
    if (!(error instanceof MetricsReadError)) throw error;
    // Said where people look (the job summary, the outputs a later step reads), not only as the job's error:
    // no figures from part of the deployments.
    // A cancelled run says so (status and code cancelled), not that GitHub could not be read.
    core.setOutput('status', error.code === 'cancelled' ? 'cancelled' : 'failed');
    core.setOutput('code', error.code);
    // The message quotes GitHub's GraphQL errors: inert (plainLines), as every annotation quoting others is, so a
    // `##[error]` in one is no workflow command of the runner's.
    core.setFailed(plainLines(`delivery metrics: ${error.message}; nothing was computed`));
    await writeSummary(env, `## Delivery metrics\n\n${userText(error.message)}: nothing was computed.\n`);
    return counter;
  }
  logInfo(
    `delivery metrics for ${report.environments.length} environment(s) from ${report.requests} GraphQL request(s)`,
  );
  for (const note of report.notes) core.warning(note);
  core.setOutput('metrics', metricsOutput(report));
  core.setOutput('status', 'succeeded');
  core.setOutput('code', 'metrics');
  await writeSummary(env, metricsJobSummary(report));
  return counter;
}

async function writeSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}
