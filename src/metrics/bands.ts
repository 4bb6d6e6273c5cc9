// DORA's performance bands for each key, as boundaries (docs/metrics.md "Bands"). Source: the performance
// clusters of the Accelerate State of DevOps Report 2023 (DORA, Google Cloud), "How do you compare?":
//   elite:  on demand (many a day) | lead time < 1 day   | change failure rate 5 %  | recovery < 1 hour
//   high:   daily to weekly        | 1 day to 1 week      | 10 %                     | < 1 day
//   medium: weekly to monthly      | 1 week to 1 month    | 15 %                     | 1 day to 1 week
//   low:    the report's low cluster overlaps medium for frequency and lead time; here it is whatever is
//           worse than medium (less than monthly, a month or more, above 15 %, a week or more).
// The clusters describe survey respondents, not a standard: the band is a reading aid. Pure.
import type { Band } from './types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const BAND_SOURCE = 'Accelerate State of DevOps Report 2023 (DORA), performance clusters';

/** Deployments per day: at least one a day is elite, one a week high, one a month (30 days) medium. */
export function frequencyBand(perDay: number): Band {
  if (perDay >= 1) return 'elite';
  if (perDay >= 1 / 7) return 'high';
  if (perDay >= 1 / 30) return 'medium';
  return 'low';
}

/** Lead time (the median): under a day elite, a week high, a month (30 days) medium. */
export function leadTimeBand(ms: number): Band {
  if (ms < DAY) return 'elite';
  if (ms < 7 * DAY) return 'high';
  if (ms < 30 * DAY) return 'medium';
  return 'low';
}

/** Change failure rate (0..1): up to 5 % elite, 10 % high, 15 % medium. */
export function changeFailureBand(rate: number): Band {
  if (rate <= 0.05) return 'elite';
  if (rate <= 0.1) return 'high';
  if (rate <= 0.15) return 'medium';
  return 'low';
}

/** Time to restore (the median): under an hour elite, a day high, a week medium. */
export function restoreBand(ms: number): Band {
  if (ms < HOUR) return 'elite';
  if (ms < DAY) return 'high';
  if (ms < 7 * DAY) return 'medium';
  return 'low';
}
