// The one Octokit the action uses: retries for server errors (plugin-retry), GitHub's rate-limit guidance
// (plugin-throttling), one time budget for GitHub failures over the whole run (budget.ts), a timeout on
// every attempt, and a count of every request sent so a run can say what it cost.
import { Octokit } from '@octokit/rest';
import type { Octokit as CoreOctokit, OctokitOptions } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { GitHubUnavailableError, RequestBudget, type BudgetOptions } from './budget.ts';
import { failureCause } from './failure-cause.ts';
import { isGraphqlRead } from './graphql-kind.ts';

export interface RequestCounter {
  /** Calls made by our code, by route ("POST /repos/{owner}/{repo}/deployments"). */
  byRoute: Map<string, number>;
  /** Every request sent to GitHub, retries included: what the `github-requests` output reports. */
  attempts: number;
  /** Calls that ended in an error after their retries. */
  failed: number;
  /** Attempts not sent because the run had given up on GitHub. */
  refused: number;
  /** Calls made by our code (each may have sent several requests, or none). */
  total(): number;
}

export interface ClientOptions {
  token: string;
  baseUrl?: string;
  /** Info lines about retries, rate limits and giving up; never receives the token. */
  log?: (message: string) => void;
  /** Retries for a 5xx or a network error (default 3; never for a POST but a GraphQL query, see below; always within the budget). */
  retries?: number;
  /** Multiplier of the retry back-off, in ms (default 1000: waits 1 s, 4 s, 9 s). */
  retryBaseMs?: number;
  /** GitHub asks for at least a second between content-creating requests (default 1000). */
  writeIntervalMs?: number;
  /**
   * Between two requests that notify people (a new comment, issue or review), which plugin-throttling spaces
   * 3 s apart (default: three write intervals, so 3000).
   */
  notifyIntervalMs?: number;
  /** Longest rate-limit wait the run accepts before giving up on a request (default 60 s, and the budget). */
  maxRateLimitWaitS?: number;
  /** The run's time budget for GitHub failures (see budget.ts). */
  budget?: BudgetOptions;
}

interface RequestSettings {
  retries?: number;
  retryCount?: number;
  signal?: AbortSignal;
}

/**
 * Innermost hook (a plugin, so it runs before retry and throttling wrap it): sees every attempt. It refuses
 * attempts once the run has given up, gives each one a timeout within the budget, counts what is sent, and
 * tells the budget how GitHub answered. A retry is allowed only when its back-off still fits the budget.
 */
function budgetPlugin(octokit: CoreOctokit, options: OctokitOptions) {
  const { budget, counter, retryBaseMs, writes, notifications } = (options as { deployAction: PluginState })
    .deployAction;
  // The caller's own signal, kept across the attempts of one call (each attempt sets its own).
  const callerSignals = new WeakMap<object, AbortSignal | undefined>();
  octokit.hook.wrap('request', async (request, opts) => {
    // Every hook of a call is handed the same options object (before-after-hook binds it), so settings are
    // changed on it, in place; its `request` may be shared with Octokit's defaults, so on a copy.
    opts.request = { ...opts.request };
    const settings = opts.request as RequestSettings;
    if (!callerSignals.has(opts)) callerSignals.set(opts, settings.signal);
    const callerSignal = callerSignals.get(opts);
    // A POST whose answer is lost may have landed: it is never repeated blindly. The callers that can
    // check whether it landed repeat it themselves (write-once.ts). A GraphQL query is a POST that writes
    // nothing: repeated as a GET is (a 502 on one page of the metrics' reading lost the whole reading).
    if (
      opts.method === 'POST' &&
      settings.retries === undefined &&
      !isGraphqlRead(opts.method, String(opts.url), (opts as { query?: unknown }).query)
    )
      settings.retries = 0;
    const verdict = budget.verdict();
    if (!verdict.ok) {
      counter.refused++;
      throw new GitHubUnavailableError(verdict);
    }
    const timeoutMs = budget.attemptTimeoutMs();
    const timeout = AbortSignal.timeout(timeoutMs);
    settings.signal = AbortSignal.any([budget.signal, timeout, ...(callerSignal ? [callerSignal] : [])]);
    const startedAt = budget.now();
    counter.attempts++;
    try {
      const response = await request(opts);
      budget.succeeded();
      return response;
    } catch (error) {
      // The caller gave up on it (a gate's timeout, the job's cancellation): not GitHub failing, so neither
      // charged to the budget (a timed-out gate's reads judged GitHub down for the rest of the run) nor retried.
      if (callerSignal?.aborted) {
        settings.retries = 0;
        throw callerSignal.reason instanceof Error ? callerSignal.reason : error;
      }
      if (!isServiceFailure(error)) {
        budget.succeeded();
        throw error;
      }
      budget.failed(startedAt, failureCause(error));
      const next = ((settings.retryCount ?? 0) + 1) ** 2 * retryBaseMs;
      if (!budget.canWait(next)) settings.retries = 0;
      if (budget.signal.aborted && isAbort(error)) throw budget.signal.reason as Error;
      if (timeout.aborted && isAbort(error)) throw new GitHubTimeoutError(opts.method, timeoutMs);
      throw error;
    }
  });
  /**
   * The job is cancelled: from the next one on, content-creating requests go without the interval GitHub asks
   * for between them (writeIntervalMs). What is left to write is a handful of final updates (the status, the
   * check run, the comment, the record), and a second between each cost seconds of the ten the runner gives
   * a cancelled job before its SIGKILL; they were cut off on a busy runner.
   */
  function unspaceWrites(): Promise<void> {
    return Promise.all([writes, notifications].map(unspace)).then(() => undefined);
  }
  function unspace(group: Bottleneck.Group): Promise<void> {
    group.updateSettings({ minTime: 0 });
    return Promise.all(
      group.limiters().map(async ({ limiter }) => {
        await limiter.updateSettings({ minTime: 0 });
        // Bottleneck set the earliest start of the next write when the last one started, with the interval
        // in force then; a write already waiting for its turn still waits (at most one interval).
        const store = (limiter as unknown as { _store?: { _nextRequest?: unknown } })._store;
        if (typeof store?._nextRequest === 'number') store._nextRequest = Date.now();
      }),
    ).then(() => undefined);
  }
  return { budget, unspaceWrites };
}

interface PluginState {
  budget: RequestBudget;
  counter: RequestCounter;
  retryBaseMs: number;
  /** plugin-throttling's queue of writes, one at a time and writeIntervalMs apart. */
  writes: Bottleneck.Group;
  /**
   * Its queue of writes that notify people, notifyIntervalMs apart: this client's own (the plugin's default
   * queue is shared by every client of the process).
   */
  notifications: Bottleneck.Group;
}

const GitHub = Octokit.plugin(budgetPlugin, retry, throttling);
export type GitHubClient = InstanceType<typeof GitHub>;

/** plugin-request-log's line for a 304: `GET <path> - 304 with id <id> in <n>ms`. */
const NOT_MODIFIED = /^GET \S+ - 304 with id /;

export function createGitHubClient(options: ClientOptions): {
  octokit: GitHubClient;
  counter: RequestCounter;
  budget: RequestBudget;
} {
  const log = options.log ?? (() => {});
  const maxWait = options.maxRateLimitWaitS ?? 60;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const budget = new RequestBudget({
    ...options.budget,
    onGiveUp(verdict) {
      log(`GitHub: giving up for the rest of this run: ${verdict.message}; no more requests are sent`);
      options.budget?.onGiveUp?.(verdict);
    },
  });
  const counter: RequestCounter = {
    byRoute: new Map(),
    attempts: 0,
    failed: 0,
    refused: 0,
    total() {
      let sum = 0;
      for (const n of this.byRoute.values()) sum += n;
      return sum;
    },
  };
  // `retryAfter` is in seconds as GitHub sends it; the plugin waits retryAfter × retryBaseMs.
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < 2 && retryAfter <= maxWait && budget.canWait(retryAfter * retryBaseMs);
      log(
        `GitHub ${kind} on ${request.method} ${request.url}: ` +
          (retrying
            ? `retrying in ${retryAfter} s`
            : `giving up (wait ${retryAfter} s, attempt ${retryCount + 1})`),
      );
      return retrying;
    };
  const writeIntervalMs = options.writeIntervalMs ?? 1000;
  const writes = new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs });
  const notifications = new Bottleneck.Group({
    maxConcurrent: 1,
    minTime: options.notifyIntervalMs ?? 3 * writeIntervalMs,
  });
  const pluginState: PluginState = { budget, counter, retryBaseMs, writes, notifications };
  const octokit = new GitHub({
    auth: options.token,
    baseUrl: options.baseUrl ?? 'https://api.github.com',
    userAgent: 'deploy-action',
    deployAction: pluginState,
    // Every attempt is logged by @octokit/plugin-request-log; a failed one is not a warning of its own. A
    // 304 answers a conditional poll (control requests, issue 14): nothing changed, nothing to log.
    log: {
      debug: () => {},
      info: () => {},
      warn: log,
      error: (m: string) => {
        if (!NOT_MODIFIED.test(m)) log(m);
      },
    },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: retryBaseMs },
    throttle: {
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
      retryAfterBaseValue: retryBaseMs,
      write: writes,
      notifications,
    },
  });
  // Registered after the plugins, so this wraps them: one count per call, whatever the retries.
  octokit.hook.wrap('request', async (request, opts) => {
    const route = `${opts.method} ${String(opts.url)}`;
    counter.byRoute.set(route, (counter.byRoute.get(route) ?? 0) + 1);
    try {
      return await request(opts);
    } catch (error) {
      // 304 Not Modified answers a conditional request: nothing changed, and nothing failed.
      if ((error as { status?: number }).status !== 304) counter.failed++;
      throw error;
    }
  });
  return { octokit, counter, budget };
}

/** No answer within the attempt's timeout: the request may or may not have been applied. */
export class GitHubTimeoutError extends Error {
  /** Treated like a 5xx: GitHub failed to answer. */
  readonly status = 504;
  constructor(method: string, timeoutMs: number) {
    super(`GitHub did not answer the ${method} within ${(timeoutMs / 1000).toFixed(1)} s`);
    this.name = 'GitHubTimeoutError';
  }
}

/** A failure of the service rather than an answer: 5xx, a rate limit, no connection, no answer in time. */
export function isServiceFailure(error: unknown): boolean {
  const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
  if (e.status === undefined) return true;
  if (e.status >= 500 || e.status === 429) return true;
  if (e.status === 403)
    return (
      e.response?.headers?.['x-ratelimit-remaining'] === '0' || /\bsecondary rate\b/i.test(e.message ?? '')
    );
  return false;
}

/** An attempt ended by a signal (Octokit wraps a timeout's error in a 500 and keeps it as the cause). */
function isAbort(error: unknown): boolean {
  const e = error as { name?: string; cause?: { name?: string } };
  return [e.name, e.cause?.name].some((name) => name === 'AbortError' || name === 'TimeoutError');
}

/** "24 GitHub API requests sent (4 calls, 20 retries), 4 failed: 6 × POST /repos/{owner}/{repo}/check-runs, ..." */
export function describeRequests(counter: RequestCounter): string {
  const routes = [...counter.byRoute.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([route, n]) => `${n} × ${route}`);
  const calls = counter.total();
  const retried = Math.max(0, counter.attempts - (calls - counter.refused));
  return (
    `${counter.attempts} GitHub API request${counter.attempts === 1 ? '' : 's'} sent` +
    (retried > 0
      ? ` (${calls} call${calls === 1 ? '' : 's'}, ${retried} retr${retried === 1 ? 'y' : 'ies'})`
      : '') +
    (counter.failed > 0 ? `, ${counter.failed} failed` : '') +
    (counter.refused > 0 ? `, ${counter.refused} not sent after giving up on GitHub` : '') +
    (routes.length ? `: ${routes.join(', ')}` : '')
  );
}
