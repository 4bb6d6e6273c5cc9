// Durations in config are human strings ("500ms", "30s", "5m", "1h", "1d") or the number 0. They become
// milliseconds once parsed. `ms` is the well-kept parser; the regex keeps the accepted forms explicit so the
// error message can list them and "5 minutes" or "-1s" are rejected rather than guessed at.
import ms from 'ms';
import * as z from 'zod';

const DURATION_PATTERN = /^\d+(\.\d+)?(ms|s|m|h|d)$/;

export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  const value = ms(text as ms.StringValue);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  if (minutes < 60) return rest ? `${minutes}m${rest}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes - hours * 60;
  return restMinutes ? `${hours}h${restMinutes}m` : `${hours}h`;
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
} as const;

/** A duration field up to `maxMs`: accepts "30s"-style strings or 0, yields milliseconds. */
export function durationUpTo(maxMs: number) {
  const max = Math.min(maxMs, MAX_TIMER_MS);
  return z
    .union([z.string(), z.literal(0)])
    .transform((value, ctx) => {
      if (value === 0) return 0;
      const parsed = parseDuration(value);
      if (parsed === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid duration "${value}": use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h"), or 0`,
        });
        return z.NEVER;
      }
      if (parsed > max) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is too long: at most ${formatDuration(max)} here`,
        });
        return z.NEVER;
      }
      return parsed;
    })
    .meta({
      description: `A duration such as "500ms", "30s", "5m", "1h" or "1d", up to ${formatDuration(max)}; 0 for none.`,
    });
}

/** A duration field: accepts "30s"-style strings or 0, yields milliseconds; never beyond Node's timers. */
export const duration = durationUpTo(MAX_TIMER_MS);
