// One time budget for everything a run sends to GitHub. GitHub is reporting, never the deployment: when it
// fails (5xx, refused connections, no answer), the run may spend at most `budgetMs` of wall time on those
// failures in total, and after `maxConsecutiveFailures` failed attempts in a row it judges GitHub down.
// Either way it gives up for good: no request is sent after that, and the ones in flight are aborted.
// Pure bookkeeping over an injected clock; the client (client.ts) applies the verdicts.

export type BudgetVerdict =
  | { ok: true }
  | {
      ok: false;
      /** Stable reason codes: the failure time was spent, too many failures in a row, or the caller stopped. */
      reason: 'budget_spent' | 'github_down' | 'stopped';
      message: string;
    };

export interface BudgetOptions {
  /** Wall time the whole run may spend on GitHub failing (default 10 s). */
  budgetMs?: number;
  /** Failed attempts in a row after which GitHub is judged down (default 5). */
  maxConsecutiveFailures?: number;
  /** The longest one attempt may take (default 10 s); never more than the budget left, see attemptTimeoutMs. */
  attemptTimeoutMs?: number;
  /** The shortest timeout an attempt gets even when the budget is nearly spent (default 1 s). */
  minAttemptMs?: number;
  now?: () => number;
  /** Told once, when the run gives up (whoever noticed: a failed attempt, a check of the verdict, stop()). */
  onGiveUp?: (verdict: Extract<BudgetVerdict, { ok: false }>) => void;
}

export const DEFAULT_BUDGET_MS = 10_000;

export class RequestBudget {
  readonly budgetMs: number;
  private readonly maxConsecutive: number;
  private readonly maxAttemptMs: number;
  private readonly minAttemptMs: number;
  readonly now: () => number;
  private readonly onGiveUp: BudgetOptions['onGiveUp'];
  private readonly controller = new AbortController();
  /** Failure time of streaks that ended with a success. */
  private closedMs = 0;
  /** Start of the current failing streak (the start of its first failed attempt), if failing now. */
  private streakStart: number | undefined;
  private consecutive = 0;
  private failedAttempts = 0;
  /** What the last failed attempt ran into (failure-cause.ts), when known. */
  private lastCause: string | undefined;
  private verdictGiven: BudgetVerdict = { ok: true };

  constructor(options: BudgetOptions = {}) {
    this.budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
    this.maxConsecutive = options.maxConsecutiveFailures ?? 5;
    this.maxAttemptMs = options.attemptTimeoutMs ?? 10_000;
    this.minAttemptMs = Math.min(options.minAttemptMs ?? 1000, this.maxAttemptMs);
    this.now = options.now ?? Date.now;
    this.onGiveUp = options.onGiveUp;
    for (const [name, value] of [
      ['budgetMs', this.budgetMs],
      ['maxConsecutiveFailures', this.maxConsecutive],
      ['attemptTimeoutMs', this.maxAttemptMs],
    ] as const)
      if (!Number.isFinite(value) || value <= 0)
        throw new Error(`GitHub request budget: ${name} must be a positive number, got ${value}`);
  }

  /** Aborted when the run gives up on GitHub: attempts in flight end there. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Failure time spent so far, the current streak included. */
  spentMs(): number {
    return this.closedMs + (this.streakStart === undefined ? 0 : this.now() - this.streakStart);
  }

  /** May a request be sent now? Once it says no, it says no for the rest of the run. */
  verdict(): BudgetVerdict {
    if (this.verdictGiven.ok && this.spentMs() >= this.budgetMs)
      this.giveUp(
        'budget_spent',
        `GitHub kept failing (${this.failedAttempts} failed request${this.failedAttempts === 1 ? '' : 's'}, ` +
          `${seconds(this.spentMs())} of the run's ${seconds(this.budgetMs)} budget for GitHub failures` +
          `${this.lastSaid()})`,
      );
    return this.verdictGiven;
  }

  /** The timeout of the next attempt: a hanging GitHub cannot spend more than the budget left. */
  attemptTimeoutMs(): number {
    const left = this.budgetMs - this.spentMs();
    return Math.max(this.minAttemptMs, Math.min(this.maxAttemptMs, left));
  }

  /** Whether waiting `ms` before another attempt still fits in the budget (the wait counts as failing). */
  canWait(ms: number): boolean {
    return this.verdict().ok && this.spentMs() + ms < this.budgetMs;
  }

  /** GitHub answered (any answer that is not a failure of the service: 2xx, 3xx, 4xx other than limits). */
  succeeded(): void {
    if (this.streakStart !== undefined) this.closedMs += this.now() - this.streakStart;
    this.streakStart = undefined;
    this.consecutive = 0;
  }

  /**
   * An attempt that started at `startedAt` failed (5xx, rate limit, no connection, no answer in time);
   * `cause`: what it ran into, said when the run gives up (a proxy's 407 is not GitHub being down).
   */
  failed(startedAt: number, cause?: string): void {
    this.failedAttempts++;
    this.lastCause = cause;
    this.consecutive++;
    if (this.streakStart === undefined) this.streakStart = Math.min(startedAt, this.now());
    if (this.verdictGiven.ok && this.consecutive >= this.maxConsecutive)
      this.giveUp(
        'github_down',
        `GitHub looks down (${this.consecutive} requests in a row failed over ${seconds(this.now() - this.streakStart)}` +
          `${this.lastSaid()})`,
      );
    this.verdict();
  }

  /** The caller gives up (e.g. its wait for the remaining updates is over). */
  stop(message: string): void {
    if (this.verdictGiven.ok) this.giveUp('stopped', message);
  }

  failures(): number {
    return this.failedAttempts;
  }

  private lastSaid(): string {
    return this.lastCause ? `; the last: ${this.lastCause}` : '';
  }

  private giveUp(reason: Extract<BudgetVerdict, { ok: false }>['reason'], message: string): void {
    const verdict = { ok: false as const, reason, message };
    this.verdictGiven = verdict;
    this.controller.abort(new GitHubUnavailableError(verdict));
    this.onGiveUp?.(verdict);
  }
}

/** Thrown instead of sending a request once the run has given up on GitHub; nothing was sent. */
export class GitHubUnavailableError extends Error {
  readonly reason: Extract<BudgetVerdict, { ok: false }>['reason'];
  constructor(verdict: Extract<BudgetVerdict, { ok: false }>) {
    super(`not sent: the run gave up on GitHub: ${verdict.message}`);
    this.name = 'GitHubUnavailableError';
    this.reason = verdict.reason;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
