// `deploy-action metrics [--since 90d] [--json] [-e ENV...] [--repository o/r]` (docs/metrics.md): the four
// DORA keys per environment. With a GitHub token (GITHUB_TOKEN or GH_TOKEN) and a repository (--repository or
// GITHUB_REPOSITORY) they are read from GitHub's deployments (GraphQL; GITHUB_API_URL for GitHub Enterprise
// Server); without a token, from the state records in the state_dir, which cannot give lead time. Loaded by
// main.ts with import() only when the command runs.
import { maskSecrets, oneLine } from '../config/errors.ts';
import { secretValueRedactor } from '../util/secret-values.ts';
import { resolveEnvironment, ResolveError } from '../config/resolve.ts';
import type { RawConfig } from '../config/schema.ts';
import { githubMetricsReport, historyMetricsReport, metricsJson } from '../metrics/report.ts';
import { parseSince, SinceError } from '../metrics/window.ts';
import { MetricsReadError } from '../metrics/github-read.ts';
import type { MetricsReport } from '../metrics/types.ts';
import { formatMetricsText } from '../report/metrics.ts';
import { FileStateStore } from '../state/file-store.ts';
import type { EnvironmentRecord } from '../state/record.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';

export interface MetricsCliOptions {
  since: string;
  environment?: string[];
  repository?: string;
  config: string;
  stateDir?: string;
  json?: boolean;
}

export interface MetricsCliDeps {
  out(text: string): void;
  err(text: string): void;
  loadConfig(path: string, json: boolean): Promise<RawConfig | undefined>;
  env: NodeJS.ProcessEnv;
  now(): number;
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export async function metricsCli(opts: MetricsCliOptions, deps: MetricsCliDeps): Promise<number> {
  const tokenName = deps.env.GITHUB_TOKEN ? 'GITHUB_TOKEN' : 'GH_TOKEN';
  const token = deps.env.GITHUB_TOKEN || deps.env.GH_TOKEN;
  // What GitHub's client says when it fails quotes the request: a token with a line break in its header
  // ("Headers.append: "token …" is an invalid header value"), a password in GITHUB_API_URL.
  const hide = secretValueRedactor([token]);
  const fail = (code: string, what: string, exit: number = EXIT_CODES.invalidOrBlocked) => {
    const message = maskSecrets(hide(what));
    if (opts.json) deps.out(`${JSON.stringify({ type: 'metrics', ok: false, code, message })}\n`);
    else deps.err(`error: ${code}: ${oneLine(message)}\n`);
    return exit;
  };
  const now = deps.now();
  let since: number;
  try {
    since = parseSince(opts.since, now);
  } catch (error) {
    if (error instanceof SinceError) return fail('invalid_since', error.message);
    throw error;
  }
  const environments = opts.environment?.filter(Boolean);
  if (token !== undefined && /[\s\p{Cc}]/u.test(token.trim()))
    return fail(
      'invalid_token',
      `${tokenName} has a space or a line break inside it: give exactly one token (its value is not shown)`,
    );
  const repository = opts.repository ?? deps.env.GITHUB_REPOSITORY;
  let report: MetricsReport;
  if (token) {
    if (!repository)
      return fail(
        'repository_required',
        'a GitHub token is set: name the repository with --repository owner/name',
      );
    if (!REPOSITORY.test(repository))
      return fail('invalid_repository', `--repository is "${repository}"; expected owner/name`);
    const [owner, repo] = repository.split('/') as [string, string];
    const { createGitHubClient } = await import('../github/client.ts');
    const { octokit } = createGitHubClient({
      token: token.trim(),
      ...(deps.env.GITHUB_API_URL ? { baseUrl: deps.env.GITHUB_API_URL } : {}),
    });
    try {
      report = await githubMetricsReport((query, variables) => octokit.graphql(query, variables), {
        owner,
        repo,
        since,
        until: now,
        ...(environments?.length ? { environments } : {}),
      });
    } catch (error) {
      // The reading says what failed and where (readFailure): never an HTTP error's body, GitHub's HTML page.
      // A cancellation is said as one (code cancelled, exit 130 as a cancelled run's), not as GitHub failing.
      if (error instanceof MetricsReadError)
        return fail(
          error.code,
          error.message,
          error.code === 'cancelled' ? EXIT_CODES.interrupted : EXIT_CODES.failed,
        );
      throw error;
    }
  } else {
    const config = await deps.loadConfig(opts.config, !!opts.json);
    if (!config) return EXIT_CODES.invalidOrBlocked;
    const names = environments?.length ? environments : Object.keys(config.environments);
    const records: Array<{ environment: string; record: EnvironmentRecord | undefined }> = [];
    for (const name of names) {
      let env;
      try {
        env = resolveEnvironment(config, name, { stateDir: opts.stateDir });
      } catch (error) {
        // An -e the config does not define: refused like every other bad input (a JSON line with --json).
        if (error instanceof ResolveError) return fail('unknown_environment', error.message);
        throw error;
      }
      if (records.some((r) => r.environment === env.name)) continue;
      const read = await new FileStateStore(env.stateDir).read(env.name);
      if (!read.ok) return fail(read.code, `${name}: ${read.message}`);
      records.push({ environment: env.name, record: read.record });
    }
    report = historyMetricsReport(records, { since, until: now });
    report.notes.push(
      'no GITHUB_TOKEN: read from the local state records; set one (and --repository) for GitHub',
    );
  }
  if (opts.json) deps.out(`${JSON.stringify({ type: 'metrics', ok: true, ...metricsJson(report) })}\n`);
  else deps.out(formatMetricsText(report));
  return EXIT_CODES.success;
}
