// A metrics report from where the facts are: GitHub (GraphQL, one request per 100 deployments) or the state
// records' history (files, for the CLI without a token). The I/O is the caller's reader; this composes.
import { computeMetrics, type MetricsWindow } from './compute.ts';
import { readDeploymentFacts, type GraphqlFn } from './github-read.ts';
import { historyFacts } from './history.ts';
import type { EnvironmentRecord } from '../state/record.ts';
import type { MetricsReport } from './types.ts';

export async function githubMetricsReport(
  graphql: GraphqlFn,
  options: {
    owner: string;
    repo: string;
    environments?: readonly string[];
    maxPages?: number;
  } & MetricsWindow,
): Promise<MetricsReport> {
  const read = await readDeploymentFacts(graphql, {
    owner: options.owner,
    repo: options.repo,
    since: options.since,
    ...(options.environments ? { environments: options.environments } : {}),
    ...(options.maxPages ? { maxPages: options.maxPages } : {}),
  });
  const notes: string[] = [];
  let since = options.since;
  if (read.truncated) {
    // The newest deployments only: every one created since the oldest read was read, none before. Over the
    // whole window asked for, a frequency would divide the releases read by days whose deployments were not.
    const oldest = Math.min(...read.deployments.map((d) => d.createdAt));
    if (Number.isFinite(oldest) && oldest > since && oldest < options.until) since = oldest;
    const iso = (ms: number) => new Date(ms).toISOString();
    notes.push(
      `read the newest ${read.deployments.length} deployments only (${read.requests} pages): the figures cover ${iso(since)} to ${iso(options.until)}, not the window asked for from ${iso(options.since)}`,
    );
  }
  return {
    since,
    until: options.until,
    environments: computeMetrics(
      read.deployments,
      { since, until: options.until },
      options.environments ?? [],
    ),
    source: 'github',
    requests: read.requests,
    notes,
  };
}

export function historyMetricsReport(
  records: ReadonlyArray<{ environment: string; record: EnvironmentRecord | undefined }>,
  window: MetricsWindow,
): MetricsReport {
  // One record per environment: an environment asked for twice (`-e production -e production`) would
  // otherwise count each of its runs twice.
  const facts = records
    .filter((r, i) => records.findIndex((o) => o.environment === r.environment) === i)
    .flatMap((r) => (r.record ? historyFacts(r.record) : []));
  const oldest = Math.min(...facts.map((f) => f.createdAt));
  const notes = [
    'from the state records: lead time needs commit dates (GitHub), and a record keeps its last 50 transitions only',
  ];
  if (facts.length && oldest > window.since)
    notes.push(`the oldest run recorded started ${new Date(oldest).toISOString()}, after the window's start`);
  return {
    since: window.since,
    until: window.until,
    environments: computeMetrics(
      facts,
      window,
      records.map((r) => r.environment),
    ),
    source: 'state_history',
    requests: 0,
    notes,
  };
}

/** The report with its times as ISO 8601 (epoch numbers are for code, not for people reading JSON). */
export function metricsJson(report: MetricsReport) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...report,
    since: iso(report.since),
    until: iso(report.until),
    environments: report.environments.map((m) => ({
      ...m,
      timeToRestore: { ...m.timeToRestore, openSince: iso(m.timeToRestore.openSince) },
    })),
  };
}
