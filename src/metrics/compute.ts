// The four keys per environment over a window (docs/metrics.md): deployment frequency, lead time for
// changes, change failure rate, time to restore. Pure: facts and a window in, numbers out.
import { changeFailureBand, frequencyBand, leadTimeBand, restoreBand } from './bands.ts';
import { chronological, outcomeOf } from './outcome.ts';
import { median, percentile } from './stats.ts';
import type { DeploymentFact, DeploymentOutcome, EnvironmentMetrics, FailureCode } from './types.ts';

export const DAY_MS = 86_400_000;

export interface MetricsWindow {
  /** Deployments created at or after this (epoch ms) count. */
  since: number;
  /** ... and at or before this (now). */
  until: number;
}

export class MetricsWindowError extends Error {}

interface Judged {
  fact: DeploymentFact;
  outcome: DeploymentOutcome;
  /** When it went live (its first success), also for one a later rollback took back. */
  liveAt?: number;
}

/** Per environment, sorted by name; `environments` adds those asked for even without deployments. */
export function computeMetrics(
  deployments: readonly DeploymentFact[],
  window: MetricsWindow,
  environments: readonly string[] = [],
): EnvironmentMetrics[] {
  if (!(window.until > window.since))
    throw new MetricsWindowError(
      `the metrics window is empty: since ${new Date(window.since).toISOString()} is not before ${new Date(window.until).toISOString()}`,
    );
  // GitHub compares environment names without regard to case: a workflow's `environment: Production` and a
  // /deploy production are deployments of one environment, shown under the name asked for (else the first read).
  const key = (name: string) => name.toLowerCase();
  const byEnvironment = new Map<string, { name: string; list: DeploymentFact[] }>(
    environments.map((e) => [key(e), { name: e, list: [] }]),
  );
  for (const d of deployments) {
    const k = key(d.environment);
    if (environments.length && !byEnvironment.has(k)) continue;
    const entry = byEnvironment.get(k) ?? { name: d.environment, list: [] };
    entry.list.push(d);
    byEnvironment.set(k, entry);
  }
  return [...byEnvironment.values()]
    .sort(({ name: a }, { name: b }) => (a < b ? -1 : a > b ? 1 : 0))
    .map(({ name, list }) => environmentMetrics(name, list, window));
}

/**
 * Outcomes of one environment's deployments, oldest first. A success that a later `rollback` deployment took
 * back (the next deployment after it that is a rollback, with no other success between) is a failed change,
 * failed when the rollback was asked for: statuses alone cannot say it, since GitHub only marks it inactive.
 */
export function judge(list: readonly DeploymentFact[]): Judged[] {
  const sorted = [...list].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const judged: Judged[] = sorted.map((fact) => {
    const outcome = outcomeOf(fact);
    // A success followed by a failure (a handed-off bake that failed later) went live too, at its first
    // success: a release for frequency and lead time, and a failure for the rate.
    const liveAt =
      outcome.kind === 'succeeded'
        ? outcome.at
        : outcome.kind === 'failed'
          ? chronological(fact.statuses).find((s) => s.state === 'success' && s.at <= outcome.at)?.at
          : undefined;
    return { fact, outcome, ...(liveAt !== undefined ? { liveAt } : {}) };
  });
  for (let i = 0; i < judged.length; i++) {
    const j = judged[i]!;
    if (j.outcome.kind !== 'succeeded') continue;
    const live = j.outcome.at;
    for (const later of judged.slice(i + 1)) {
      if (later.outcome.kind === 'succeeded' && later.fact.type !== 'rollback' && later.outcome.at > live)
        break;
      if (later.fact.type === 'rollback' && later.fact.createdAt >= live) {
        if (later.outcome.kind === 'no_change' || later.outcome.kind === 'superseded') continue;
        j.outcome = { kind: 'failed', at: later.fact.createdAt, code: 'rolled_back_later' };
        break;
      }
    }
  }
  return judged;
}

function environmentMetrics(
  environment: string,
  list: readonly DeploymentFact[],
  window: MetricsWindow,
): EnvironmentMetrics {
  const inWindow = judge(list).filter(
    (j) => j.fact.createdAt >= window.since && j.fact.createdAt <= window.until,
  );
  // A rollback deployment (`/rollback`, `mode: rollback`) redeploys a version that went live before: a
  // recovery, not a change. It ends a failure episode (time to restore) but is no release and no change: its
  // commit's age is no lead time, and counting its success would halve the failure rate of the change it undid.
  const changes = inWindow.filter((j) => j.fact.type !== 'rollback');
  const count = (kind: DeploymentOutcome['kind']) => changes.filter((j) => j.outcome.kind === kind).length;
  const released = changes.filter((j) => j.liveAt !== undefined);
  const days = (window.until - window.since) / DAY_MS;
  const perDay = released.length / days;

  // Lead time: each release, from the first commit of its change to its first success.
  const leads: number[] = [];
  let unknown = 0;
  let skewed = 0;
  for (const j of released) {
    if (j.fact.changeAt === undefined) unknown++;
    else if (j.fact.changeAt > j.liveAt!) skewed++;
    else leads.push(j.liveAt! - j.fact.changeAt);
  }
  const leadMedian = median(leads);

  const failed = changes.filter((j) => j.outcome.kind === 'failed');
  const finished = count('succeeded') + failed.length;
  const byCode: Record<FailureCode, number> = { rolled_back: 0, rolled_back_later: 0, failure: 0, error: 0 };
  for (const j of failed) byCode[(j.outcome as { code: FailureCode }).code]++;
  const rate = finished ? failed.length / finished : null;

  const restore = restoreEpisodes(inWindow);
  const restoreMedian = median(restore.durations);
  return {
    environment,
    deployments: {
      total: inWindow.length,
      rollbacks: inWindow.length - changes.length,
      succeeded: count('succeeded'),
      failed: failed.length,
      noChange: count('no_change'),
      superseded: count('superseded'),
      inProgress: count('in_progress'),
    },
    frequency: {
      perDay,
      perWeek: perDay * 7,
      band: released.length ? frequencyBand(perDay) : null,
    },
    leadTime: {
      count: leads.length,
      medianMs: leadMedian,
      p90Ms: percentile(leads, 0.9),
      band: leadMedian === null ? null : leadTimeBand(leadMedian),
      unknown,
      skewed,
    },
    changeFailureRate: {
      rate,
      failed: failed.length,
      finished,
      byCode,
      band: rate === null ? null : changeFailureBand(rate),
    },
    timeToRestore: {
      count: restore.durations.length,
      medianMs: restoreMedian,
      band: restoreMedian === null ? null : restoreBand(restoreMedian),
      openSince: restore.openSince,
    },
  };
}

/**
 * Time to restore: from a failure to the next success in the environment. Failures in a row are one episode,
 * from the first. A failure with no success after it leaves the episode open (`openSince`).
 */
export function restoreEpisodes(judged: readonly Judged[]): {
  durations: number[];
  openSince: number | null;
} {
  const events: Array<{ at: number; failed: boolean; order: number }> = [];
  judged.forEach((j, order) => {
    if (j.liveAt !== undefined) events.push({ at: j.liveAt, failed: false, order });
    if (j.outcome.kind === 'failed') events.push({ at: j.outcome.at, failed: true, order });
  });
  // By time; at the same instant, in the order the deployments were made.
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  const durations: number[] = [];
  let open: number | null = null;
  for (const e of events) {
    if (e.failed) open ??= e.at;
    else if (open !== null) {
      durations.push(e.at - open);
      open = null;
    }
  }
  return { durations, openSince: open };
}
