// The performance gate's section under `gates:` (seed 01: "Performance within baseline; load test successful
// (target RPS)"): an optional load-test command, the k6 results JSON it writes, targets, and an earlier run's
// results to compare with.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { durationUpTo } from '../../config/duration.ts';
import { gateCommonFields, gateEnv } from './common.ts';

const FRACTION_PATTERN = /^(\d+(?:\.\d+)?)\s*%$/;

/** 0.01 or "1%" → 0.01; undefined when it is neither a fraction from 0 to 1 nor a percentage up to 100 %. */
export function parseFraction(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
  const match = FRACTION_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const percent = Number(match[1]);
  // The fraction the percentage writes, at 12 significant digits: 0.7 / 100 is 0.006999999999999999 as a binary
  // fraction, and a run whose k6 error rate was 7 of 1,000 (0.007) blocked against "0.7%".
  return percent <= 100 ? Number((percent / 100).toPrecision(12)) : undefined;
}

/** The percentage form parseFraction reads (up to 100 %), for the JSON Schema. */
const PERCENT_UP_TO_100 = '^\\s*0*(?:100(?:\\.0+)?|\\d{1,2}(?:\\.\\d+)?)\\s*%\\s*$';

/**
 * A fraction (0.01) or a percentage ("1%"). A number above 1 is refused saying the fraction and the percentage it
 * probably meant (5: 0.05 or "5%"); `wholeRate` also refuses the number 1, which as a rate is every request
 * failing, a target nothing misses, and nearly always a percentage written without "%".
 */
const fraction = (what: string, wholeRate = false) =>
  z
    .union([z.string(), z.number()])
    .meta({
      anyOf: [
        { type: 'number', minimum: 0, ...(wholeRate ? { exclusiveMaximum: 1 } : { maximum: 1 }) },
        { type: 'string', pattern: PERCENT_UP_TO_100 },
      ],
    })
    .transform((value, ctx) => {
      if (wholeRate && value === 1) {
        ctx.addIssue({
          code: 'custom',
          message: `an ${what} of 1 is every request failing (a fraction: 1 is 100 %), a target no load test misses: for 1 % write 0.01 or "1%"`,
        });
        return z.NEVER;
      }
      const parsed = parseFraction(value);
      if (parsed === undefined) {
        const meant =
          typeof value === 'number' && value > 1 && value <= 100
            ? `: for ${value} % write ${Number((value / 100).toPrecision(12))} or "${value}%"`
            : '';
        ctx.addIssue({
          code: 'custom',
          message: `invalid ${what} ${JSON.stringify(value)}: use a fraction from 0 to 1 (0.01) or a percentage ("1%")${meant}`,
        });
        return z.NEVER;
      }
      return parsed;
    });

// A latency target: "500ms", "1.5s"; an hour is far beyond any request worth a target.
const latency = durationUpTo(60 * 60_000, { minMs: 1, timer: false });

export const performanceConfigSchema = z
  .strictObject({
    ...gateCommonFields,
    command: commandLine.optional().meta({
      description:
        'The load test, e.g. "k6 run --summary-export=k6-summary.json load.js". Without it, the gate reads a ' +
        'report an earlier step wrote. Exit code 99 (k6: a threshold failed) is read from the report.',
    }),
    env: gateEnv(),
    report: z.string().min(1).meta({
      description:
        'The k6 results JSON: what --summary-export writes, or the data handleSummary() gets, saved with ' +
        'JSON.stringify(data). Required.',
    }),
    targets: z
      .strictObject({
        p95: latency.optional().meta({ description: 'Highest 95th percentile of http_req_duration, e.g. "500ms".' }),
        p99: latency.optional().meta({ description: 'Highest 99th percentile of http_req_duration, e.g. "1s".' }),
        error_rate: fraction('error rate', true)
          .optional()
          .meta({ description: 'Highest rate of http_req_failed: a fraction (0.01) or a percentage ("1%").' }),
        min_rps: z
          .number()
          .positive()
          .optional()
          .meta({ description: 'Lowest rate of http_reqs, in requests per second over the whole test.' }),
      })
      .optional()
      .meta({ description: 'What the run must meet (inclusive).' }),
    baseline: z.string().min(1).optional().meta({
      description:
        "An earlier run's k6 results JSON (e.g. the main branch's, kept as an artifact), in either shape. A " +
        'missing file warns; an unreadable one blocks.',
    }),
    tolerance: fraction('tolerance')
      .optional()
      .meta({
        description:
          'How much worse than the baseline a run may be: p95 and p99 at most (1 + tolerance) × the ' +
          "baseline's, requests per second at least (1 − tolerance) ×, the error rate at most the baseline's " +
          '× (1 + tolerance) or + 0.1 percentage point, whichever is more. Default 10%.',
      }),
  })
  .refine((c) => c.tolerance === undefined || c.baseline !== undefined, {
    message: 'tolerance needs a baseline to compare with',
    path: ['tolerance'],
  });

export type PerformanceConfig = z.output<typeof performanceConfigSchema>;
export type PerformanceTargets = NonNullable<PerformanceConfig['targets']>;

export const DEFAULT_TOLERANCE = 0.1;
/** The error rate a run may add to its baseline's whatever the tolerance: one failed request in a thousand. */
export const ERROR_RATE_ALLOWANCE = 0.001;
