// Durations in config are human strings ("500ms", "30s", "5m", "1h", "1d", or Go's combined form "1h30m", which
// Argo Rollouts, Flagger and Kubernetes users write and formatDuration prints) or the number 0. They become
// milliseconds once parsed. `ms` is the well-kept parser of each part; the regex keeps the accepted forms
// explicit so the error message can list them and "5 minutes" or "-1s" are rejected rather than guessed at.
import ms from 'ms';
import * as z from 'zod';
import { DURATION_ACCEPTS, durationField, quoted } from './errors.ts';

/** One part of a duration: a number and its unit. */
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
/**
 * A duration: one or more parts, largest unit first and each unit once ("1h30m", "2m30s", "1d12h"), as Go
 * writes them. "30s1m" or "1m1m" are refused (suggestDuration offers the sum).
 */
export const DURATION_PATTERN =
  /^(?=\d)(?:\d+(?:\.\d+)?d)?(?:\d+(?:\.\d+)?h)?(?:\d+(?:\.\d+)?m(?!s))?(?:\d+(?:\.\d+)?s)?(?:\d+(?:\.\d+)?ms)?$/;

/**
 * The text of a duration field. The pattern is for the JSON Schema only (editors then flag "5 minutes" as the
 * loader does); zod reads the text with readDuration, whose messages say what to write.
 */
export const durationText = z.string().meta({ pattern: DURATION_PATTERN.source });

export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const [part] of text.matchAll(PART)) total += ms(part as ms.StringValue);
  return Number.isFinite(total) ? total : undefined;
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const seconds = milliseconds / 1000;
  const tenths = Number(seconds.toFixed(1));
  if (tenths < 60) return `${tenths}s`;
  // Rounded before it is split, so 119.6 s is 2m, not 1m60s.
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole - minutes * 60;
  if (minutes < 60) return rest ? `${minutes}m${rest}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes - hours * 60;
  // Whole days from two on, as people write them ("30d", not "720h"); a day is "24h", as written.
  if (!restMinutes && !rest && hours >= 48 && hours % 24 === 0) return `${hours / 24}d`;
  // Zero parts left out, as Go's parser reads them ("1h30s" for 1h0m30s written "1h30s").
  return `${hours}h${restMinutes ? `${restMinutes}m` : ''}${rest ? `${rest}s` : ''}`;
}

/** A maximum as written, never above it (Node's timer limit, 596h31m23.647s, is "596h31m23s", which is accepted). */
function formatLimit(milliseconds: number): string {
  return formatDuration(milliseconds < 1000 ? milliseconds : Math.floor(milliseconds / 1000) * 1000);
}

/** The longest delay Node's timers can wait (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const HOUR = 3_600_000;
/** Per-field maxima: what each kind of wait can sensibly mean in a deployment. */
export const DURATION_LIMITS = {
  /** A health check's request or its retry interval. */
  check: HOUR,
  /** One command, one gate, a pause between steps or batches, a watch after a switch. */
  step: 24 * HOUR,
  /** Monitor and validation windows, the delay before an old slot is removed. */
  window: 7 * 24 * HOUR,
  /** How long a job may wait for people before it hands the rollout off: a GitHub-hosted job ends at 6 h. */
  job: 6 * HOUR,
  /** How often a waiting job polls for /promote and /abort: at most 10 minutes, at least 2 s (API cost). */
  poll: 10 * 60_000,
  pollMin: 2000,
  /** How old an approval may be (approvals.expires_after): an age compared with, never a timer. */
  age: 365 * 24 * HOUR,
} as const;

export interface DurationBounds {
  maxMs: number;
  /**
   * False for an age a time is compared with (never waited for): not capped by Node's timers. Default true:
   * a longer timer fires at once.
   */
  timer?: boolean;
  /** Shorter values (0 included) are refused: a poll interval of 0 would spin. */
  minMs?: number;
}

/** A written duration in milliseconds, or why it is refused (`format`: not a duration at all). */
export function readDuration(
  value: string | 0,
  bounds: DurationBounds,
): { ok: true; ms: number } | { ok: false; reason: 'format' | 'too_long' | 'too_short'; message: string } {
  const max = bounds.timer === false ? bounds.maxMs : Math.min(bounds.maxMs, MAX_TIMER_MS);
  const min = bounds.minMs ?? 0;
  const parsed = value === 0 ? 0 : parseDuration(value);
  if (parsed === undefined) {
    const meant = typeof value === 'string' ? suggestDuration(value) : undefined;
    // "90" is not clearly seconds or minutes: the forms with a unit are shown, none picked.
    const write =
      meant !== undefined
        ? ` (write "${meant}")`
        : /^0+(?:\.0+)?$/.test(String(value))
          ? min > 0
            ? ` (0 is not allowed here either: at least ${formatDuration(min)})`
            : ' (write 0 without quotes, or "0s")'
          : /^\d{1,9}(?:\.\d{1,6})?$/.test(String(value))
            ? ` (${unitHint(value, bounds)})`
            : /^\s*-/.test(String(value))
              ? ' (a duration cannot be negative)'
              : '';
    return {
      ok: false,
      reason: 'format',
      message: `invalid duration ${quoted(String(value))}${write}: use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m")${min > 0 ? '' : ', or 0'}`,
    };
  }
  if (parsed > max)
    return {
      ok: false,
      reason: 'too_long',
      message: `${quoted(String(value))} is too long: at most ${formatLimit(max)} here`,
    };
  if (parsed < min)
    return {
      ok: false,
      reason: 'too_short',
      message: `${typeof value === 'string' ? quoted(value) : value} is too short: at least ${formatDuration(min)} here`,
    };
  return { ok: true, ms: parsed };
}

/**
 * What a number written without its unit may have meant: the value with the units that make it a duration the
 * field takes (milliseconds first for a field of at most an hour: a latency, a check's timeout). "3600h" is not
 * offered where 30 days is the most, nor "500m" for a latency.
 */
export function unitHint(value: number | string, bounds: DurationBounds): string {
  const max = bounds.timer === false ? bounds.maxMs : Math.min(bounds.maxMs, MAX_TIMER_MS);
  const min = bounds.minMs ?? 0;
  const units = max <= HOUR ? ['ms', 's', 'm'] : ['s', 'm', 'h'];
  const fits = units
    .map((unit) => `${value}${unit}`)
    .filter((text) => {
      const parsed = parseDuration(text);
      return parsed !== undefined && parsed >= min && parsed <= max;
    })
    .map((text) => `"${text}"`);
  if (fits.length === 0) return 'a duration needs its unit (ms, s, m, h or d)';
  const listed = fits.length === 1 ? fits[0] : `${fits.slice(0, -1).join(', ')} or ${fits.at(-1)}`;
  return `a duration needs its unit, such as ${listed}`;
}

const SECOND = 1000;
const UNIT_WORDS: Readonly<Record<string, number>> = Object.fromEntries([
  ...['ms', 'msec', 'msecs', 'millisecond', 'milliseconds'].map((word) => [word, 1]),
  ...['s', 'sec', 'secs', 'second', 'seconds'].map((word) => [word, SECOND]),
  ...['m', 'min', 'mins', 'minute', 'minutes'].map((word) => [word, 60 * SECOND]),
  ...['h', 'hr', 'hrs', 'hour', 'hours'].map((word) => [word, HOUR]),
  ...['d', 'day', 'days'].map((word) => [word, 24 * HOUR]),
]);
const ISO_DURATION = /^p(?:(\d+)d)?(?:t(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?)?$/;

/**
 * The accepted form of a duration written another common way: "5 m", "5min", "2 hours", "1h 30m", "PT5M".
 * Undefined when it is not clearly a duration ("soon", "90" without a unit).
 */
export function suggestDuration(text: string): string | undefined {
  const written = text.trim().toLowerCase();
  let total = 0;
  const iso = ISO_DURATION.exec(written);
  if (iso && /\d/.test(written)) {
    const [, days, hours, minutes, seconds] = iso.map(Number);
    total =
      (days || 0) * 24 * HOUR + (hours || 0) * HOUR + (minutes || 0) * 60 * SECOND + (seconds || 0) * SECOND;
  } else {
    if (!/^(?:\d+(?:\.\d+)?\s*[a-z]+\s*)+$/.test(written)) return undefined;
    for (const [, amount, unit] of written.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)) {
      const factor = UNIT_WORDS[unit!];
      if (factor === undefined) return undefined;
      total += Number(amount) * factor;
    }
  }
  if (!Number.isFinite(total)) return undefined;
  if (total === 0) return '0s';
  const [name, size] = (
    [
      ['d', 24 * HOUR],
      ['h', HOUR],
      ['m', 60 * SECOND],
      ['s', SECOND],
    ] as const
  ).find(([, size]) => total % size === 0) ?? ['ms', 1];
  const suggestion = `${total / size}${name}`;
  return suggestion !== text && parseDuration(suggestion) !== undefined ? suggestion : undefined;
}

/** What a duration field accepts, for its description. */
export function durationDescription(bounds: DurationBounds): string {
  const max = formatLimit(bounds.timer === false ? bounds.maxMs : Math.min(bounds.maxMs, MAX_TIMER_MS));
  return bounds.minMs
    ? `A duration such as "500ms", "30s", "5m" or "1h", from ${formatDuration(bounds.minMs)} to ${max}.`
    : `A duration such as "500ms", "30s", "5m", "1h" or "1d", up to ${max}; 0 for none.`;
}

/** A duration field up to `maxMs` (and from `minMs`): accepts "30s"-style strings or 0, yields milliseconds. */
export function durationUpTo(maxMs: number, options: { minMs?: number; timer?: boolean } = {}) {
  const bounds = { maxMs, minMs: options.minMs, timer: options.timer };
  return durationField(
    z.union([durationText, z.literal(0)]),
    // 0 is not offered where it is refused.
    bounds.minMs ? DURATION_ACCEPTS.replace(/, or 0$/, '') : DURATION_ACCEPTS,
    (value) => unitHint(value, bounds),
  )
    .transform((value, ctx) => {
      const read = readDuration(value, bounds);
      if (read.ok) return read.ms;
      ctx.addIssue({ code: 'custom', message: read.message });
      return z.NEVER;
    })
    .meta({
      description: durationDescription(bounds),
      // For the JSON Schema: 0 is refused where there is a minimum (readDuration says so here).
      ...(bounds.minMs ? { not: { const: 0 } } : {}),
    });
}

/** A duration field: accepts "30s"-style strings or 0, yields milliseconds; never beyond Node's timers. */
export const duration = durationUpTo(MAX_TIMER_MS);
