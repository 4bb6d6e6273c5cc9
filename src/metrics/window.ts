// `--since` (CLI), the Action's `since` and /status --history's window: a duration back from now ("90d",
// "12h") or an ISO 8601 date. Pure.
import { parseDuration } from '../config/duration.ts';
import { quoted } from '../config/errors.ts';

export const DEFAULT_SINCE = '90d';
/** GitHub keeps deployments for good, but a window longer than two years reads thousands of them. */
export const MAX_SINCE_MS = 731 * 86_400_000;

export class SinceError extends Error {}

/** The window's start (epoch ms) for `text` at `now`; throws SinceError saying what is accepted. */
export function parseSince(text: string, now: number, where = '--since'): number {
  const value = text.trim();
  const shown = quoted(value);
  const duration = parseDuration(value);
  const start =
    duration !== undefined
      ? now - duration
      : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
        ? Date.parse(value)
        : Number.NaN;
  if (!Number.isFinite(start))
    throw new SinceError(
      `${where} is ${shown}: give a duration back from now (for example 90d, 12h) or a date (2026-09-01)`,
    );
  // Date.parse rolls a day past the month's end over (2026-02-30 is March 2): such a date is a typo.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (duration === undefined && (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day))
    throw new SinceError(`${where} is ${shown}: there is no such day`);
  if (start >= now) throw new SinceError(`${where} is ${shown}, which is not in the past`);
  if (now - start > MAX_SINCE_MS) throw new SinceError(`${where} is ${shown}: at most two years back (731d)`);
  return start;
}
