// The one Octokit the action uses: retries for server errors (plugin-retry), GitHub's rate-limit guidance
// (plugin-throttling), and a count of every request by route so a run can say what it cost.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';

const GitHub = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof GitHub>;

export interface RequestCounter {
  /** Calls made by our code, by route ("POST /repos/{owner}/{repo}/deployments"). */
  byRoute: Map<string, number>;
  /** Every HTTP attempt, retries included. */
  attempts: number;
  /** Calls that ended in an error after their retries. */
  failed: number;
  total(): number;
}

export interface ClientOptions {
  token: string;
  baseUrl?: string;
  /** Warnings about retries and rate limits; never receives the token. */
  log?: (message: string) => void;
  /** Retries for a 5xx or a network error (default 3; non-idempotent creates pass `request.retries: 0`). */
  retries?: number;
  /** Multiplier of the retry back-off, in ms (default 1000: waits 1 s, 4 s, 9 s). */
  retryBaseMs?: number;
  /** GitHub asks for at least a second between content-creating requests (default 1000). */
  writeIntervalMs?: number;
  /** Longest rate-limit wait the run accepts before giving up on a request (default 60 s). */
  maxRateLimitWaitS?: number;
}

export function createGitHubClient(options: ClientOptions): {
  octokit: GitHubClient;
  counter: RequestCounter;
} {
  const log = options.log ?? (() => {});
  const maxWait = options.maxRateLimitWaitS ?? 60;
  const counter: RequestCounter = {
    byRoute: new Map(),
    attempts: 0,
    failed: 0,
    total() {
      let sum = 0;
      for (const n of this.byRoute.values()) sum += n;
      return sum;
    },
  };
  const countingFetch: typeof fetch = (input, init) => {
    counter.attempts++;
    return fetch(input, init);
  };
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < 2 && retryAfter <= maxWait;
      log(
        `GitHub ${kind} on ${request.method} ${request.url}: ` +
          (retrying
            ? `retrying in ${retryAfter} s`
            : `giving up (wait ${retryAfter} s, attempt ${retryCount + 1})`),
      );
      return retrying;
    };
  const octokit = new GitHub({
    auth: options.token,
    baseUrl: options.baseUrl ?? 'https://api.github.com',
    userAgent: 'deploy-action',
    request: { fetch: countingFetch },
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    throttle: {
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs ?? 1000 }),
    },
  });
  // Registered after the plugins, so this wraps them: one count per call, whatever the retries.
  octokit.hook.wrap('request', async (request, opts) => {
    const route = `${opts.method} ${String(opts.url)}`;
    counter.byRoute.set(route, (counter.byRoute.get(route) ?? 0) + 1);
    try {
      return await request(opts);
    } catch (error) {
      counter.failed++;
      throw error;
    }
  });
  return { octokit, counter };
}

/** "19 GitHub API requests (21 HTTP attempts): 6 × POST /repos/{owner}/{repo}/check-runs, ..." */
export function describeRequests(counter: RequestCounter): string {
  const routes = [...counter.byRoute.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([route, n]) => `${n} × ${route}`);
  const retried = counter.attempts - counter.total();
  return (
    `${counter.total()} GitHub API request${counter.total() === 1 ? '' : 's'}` +
    (retried > 0 ? ` (${counter.attempts} HTTP attempts)` : '') +
    (counter.failed > 0 ? `, ${counter.failed} failed` : '') +
    (routes.length ? `: ${routes.join(', ')}` : '')
  );
}
