// `--since` (CLI), the Action's `since` and /status --history's window: a duration back from now ("90d",
// "12h") or an ISO 8601 date. Pure.
import { parseDuration } from '../config/duration.ts';
import { quoted } from '../config/errors.ts';
import { parseIsoInstant } from '../schedule/iso-time.ts';

export const DEFAULT_SINCE = '90d';
/** GitHub keeps deployments for good, but a window longer than two years reads thousands of them. */
export const MAX_SINCE_MS = 731 * 86_400_000;

export class SinceError extends Error {}

/** The window's start (epoch ms) for `text` at `now`; throws SinceError saying what is accepted. */
export function parseSince(text: string, now: number, where = '--since'): number {
  const value = text.trim();
  const shown = quoted(value);
  const duration = parseDuration(value);
  let start = duration !== undefined ? now - duration : Number.NaN;
  const date = /^(\d{4})-(\d{2})-(\d{2})(?=$|[Tt ])/.exec(value);
  if (duration === undefined && date) {
    // Date.parse rolls a day past the month's end over (2026-02-30 is March 2): such a date is a typo.
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day)
      throw new SinceError(`${where} is ${shown}: there is no such day`);
    // A date alone is midnight UTC. A date and time must say its offset (Z, +01:00): without one, Date.parse
    // reads it in the machine's zone, and one window would start at different instants on different runners.
    if (value.length === 10) start = calendar.getTime();
    else if (/^[^Tt ]+[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value))
      throw new SinceError(
        `${where} is ${shown}: a date and time needs its offset, such as ${value}Z or ${value}+01:00 (without one it would be read in the machine's time zone)`,
      );
    else start = parseIsoInstant(value)?.getTime() ?? Number.NaN;
  }
  if (!Number.isFinite(start))
    throw new SinceError(
      `${where} is ${shown}: give a duration back from now (for example 90d, 12h), a date (2026-09-01) or a date and time with its offset (2026-09-01T12:00:00Z)`,
    );
  if (start >= now) throw new SinceError(`${where} is ${shown}, which is not in the past`);
  if (now - start > MAX_SINCE_MS) throw new SinceError(`${where} is ${shown}: at most two years back (731d)`);
  return start;
}
