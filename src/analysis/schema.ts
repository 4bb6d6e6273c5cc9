// The `analysis:` section of .github/deploy.yml (top level or per environment). Strict: unknown keys are
// errors. A check is written as a small expression ("error_rate < 0.01", "p95 < 2x baseline") so the config
// reads like the rule it states; the expression is parsed here so a typo is reported at its path.
import * as z from 'zod';
import { duration, durationUpTo, MAX_TIMER_MS, parseDuration } from '../config/duration.ts';
import { commandLine } from '../config/command-line-schema.ts';
import { didYouMean } from '../config/suggest.ts';
import { invisibleNameProblem } from '../config/invisible.ts';
import { visibleName } from '../config/name-schema.ts';
import { HTTP_URL } from '../config/http-url.ts';
import { ENV_NAME, HEADER_NAME, requestFieldIssues } from '../config/analysis-request-fields.ts';
import {
  DEFAULT_MIN_COUNT,
  findsEveryLine,
  LOG_FIELDS,
  MAX_IGNORE_PROGRAM,
  MAX_MATCH_LINE,
  programSize,
  regexProblem,
} from './log-config.ts';

const nonEmpty = z.string().min(1, 'must not be empty');
const metricName = visibleName('metric name').regex(
  /^[A-Za-z_][A-Za-z0-9_.]*$/,
  'metric names use letters, digits, "_" and "." and start with a letter',
);
/** A check's name: a preset's check is replaced by one of the same name, so it is typed back from reports. */
const checkName = visibleName('check name').min(1, 'must not be empty');

// Not 0: a request or command given no time fails at once, and a range of no time or a step of 0 is refused
// by Prometheus, so every interval would be a provider error and the analysis would roll back whatever the
// canary did.
const positiveDuration = durationUpTo(MAX_TIMER_MS, { minMs: 1 });

const requestPolicy = {
  timeout: positiveDuration.optional().meta({ description: 'Per attempt. Default 10s.' }),
  retries: z
    .number()
    .int()
    .min(0)
    .max(10)
    .optional()
    .meta({ description: 'Retries after a failed attempt. Default 2.' }),
  backoff: duration.optional().meta({ description: 'First retry delay, doubled each retry. Default 500ms.' }),
};

/**
 * The JSON Schema's patterns (`meta` only: zod does not check them) for what the config check refuses of a
 * provider (config/analysis-request-fields.ts, config/analysis-templates.ts), so an editor flags it too; recordings, read with
 * recordedAnalysisConfigSchema, are not refused by them.
 */
const PROBER_URL = HTTP_URL.source;

const statusList = z.array(z.number().int().min(100).max(599)).min(1);

export const prometheusProviderSchema = z.strictObject({
  type: z.literal('prometheus'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL of the Prometheus server' }),
  headers: z
    .record(z.string().meta({ pattern: HEADER_NAME.source }), z.string())
    .optional()
    .meta({
      description:
        'Extra request headers, sent as written here (this file is committed: a credential goes in headers_env); never logged.',
    }),
  headers_env: z
    .record(z.string().meta({ pattern: HEADER_NAME.source }), z.string().meta({ pattern: ENV_NAME.source }))
    .optional()
    .meta({
      description:
        "Request headers whose values are read from the environment variable each names (a credential set by the workflow step from a secret: {Authorization: PROM_AUTHORIZATION}); masked in every output like the run's secrets.",
    }),
  ...requestPolicy,
});

export const httpProberSchema = z.strictObject({
  type: z.literal('http'),
  url: nonEmpty.meta({
    pattern: PROBER_URL,
    description: 'URL probed for the version under test; templated ({{version}}, {{slot}}, {{environment}}).',
  }),
  stable_url: nonEmpty.optional().meta({
    pattern: PROBER_URL,
    description:
      'URL probed for the stable version ({{stable_version}}, {{stable_slot}}); default: url rendered for stable.',
  }),
  method: z.enum(['GET', 'HEAD', 'POST']).optional(),
  expect_status: statusList
    .optional()
    .meta({ description: 'Statuses counted as success. Default: 200-399.' }),
  rate: z
    .number()
    .positive()
    .max(200)
    .optional()
    .meta({ description: 'Requests per second per version. Default 5.' }),
  max_requests: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .meta({ description: 'Upper bound on requests per interval per version. Default 300.' }),
  timeout: positiveDuration
    .optional()
    .meta({ description: 'Per request; a timeout counts as a failure. Default 5s.' }),
});

export const commandProviderSchema = z.strictObject({
  type: z.literal('command'),
  run: commandLine.meta({
    description:
      'Prints JSON {"metric": number | null}. Templated; runs without a shell. Env: DEPLOY_SIDE=canary|stable, DEPLOY_READ_AT (the end of the interval, in unix seconds).',
  }),
  cwd: nonEmpty.optional(),
  env: z.record(z.string().meta({ pattern: ENV_NAME.source }), z.string()).optional(),
  ...requestPolicy,
});

/** A regex of log lines, compiled case-insensitive; refused at its path when the linear-time matcher cannot run it. */
const logRegex = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((source, ctx) => {
    const problem = regexProblem(source);
    if (problem) ctx.addIssue({ code: 'custom', message: `regular expression ${problem}` });
  });

/**
 * An `ignore` regex: one that finds every line (a stray `|`, as `timeout|`) would leave no line counted and
 * the provider's checks passing whatever the canary logs, without a word. A `match` may (a command that
 * prints only error lines, matched by `.*`).
 */
const ignoreRegex = logRegex.superRefine((source, ctx) => {
  if (source !== '' && regexProblem(source) === undefined && findsEveryLine(source))
    ctx.addIssue({
      code: 'custom',
      message:
        'regular expression finds every line (as "timeout|" with its stray |, "x*" or "." do), so no line would be counted and the checks on this provider could never fail; write what the lines to leave out contain',
    });
});

export const logsProviderSchema = z.strictObject({
  type: z.literal('logs'),
  run: commandLine.meta({
    description:
      'Prints the log lines of one side for the last interval (e.g. ["kubectl", "logs", "-l", "app=web,version={{version}}", "--since=1m"]). Templated; runs without a shell. Env: DEPLOY_SIDE=canary|stable, DEPLOY_READ_AT (the end of the interval, in unix seconds).',
  }),
  cwd: nonEmpty.optional(),
  env: z.record(z.string().meta({ pattern: ENV_NAME.source }), z.string()).optional(),
  match: logRegex.optional().meta({
    description: `Regex of error lines, RE2 syntax (no backreferences or lookaround), case-insensitive (a line's first ${MAX_MATCH_LINE} characters are matched). Default: the words error, exception, fatal, panic, traceback, critical (and a few more).`,
  }),
  ignore: z
    .array(ignoreRegex)
    .superRefine((sources, ctx) => {
      const size = programSize(sources);
      if (size > MAX_IGNORE_PROGRAM)
        ctx.addIssue({
          code: 'custom',
          message: `regular expressions compile to ${size} instructions in all, at most ${MAX_IGNORE_PROGRAM}: every line is matched against each; leave out those no longer logged, or use smaller counts`,
        });
    })
    .optional()
    .meta({
      description:
        'Regexes of error lines that are expected and documented (known warnings): never counted. RE2 syntax, case-insensitive; one that finds every line (a stray |, as "timeout|") is refused.',
    }),
  min_count: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .meta({
      description: `A canary error pattern the reference side never showed counts as new once seen this many times in the window. Default ${DEFAULT_MIN_COUNT}.`,
    }),
  ...requestPolicy,
});

export const providerSchema = z.discriminatedUnion('type', [
  prometheusProviderSchema,
  httpProberSchema,
  commandProviderSchema,
  logsProviderSchema,
]);

export const metricSchema = z.strictObject({
  provider: visibleName('provider name')
    .min(1, 'must not be empty')
    .meta({ description: 'A provider name from analysis.providers.' }),
  query: nonEmpty.optional().meta({
    description:
      'PromQL for the version under test ({{version}}, {{slot}}, {{environment}}, {{stable_version}}).',
  }),
  stable_query: nonEmpty.optional().meta({
    description: 'PromQL for the stable version; default: query with {{version}} and {{slot}} set to stable.',
  }),
  field: nonEmpty.optional().meta({
    description:
      'Key in the provider output (prober: success_rate, error_rate, requests, errors, p50, p95, p99; logs: error_lines, new_error_patterns). Default: the metric name.',
  }),
  histogram: z.boolean().optional().meta({
    description:
      'Prometheus only: the query returns one series per bucket bound `le` (e.g. sum by (le) (increase(http_request_duration_seconds_bucket{version="{{version}}"}[1m]))), read as the interval\'s bucket counts for `compare: histogram`.',
  }),
  range: z
    .strictObject({
      window: positiveDuration,
      step: positiveDuration.optional(),
      reduce: z.enum(['mean', 'max', 'min', 'last']).optional(),
    })
    .optional()
    .meta({
      description:
        'Prometheus only: read a range (query_range) over the last window and reduce it (default mean).',
    }),
});

export const COMPARISON_OPS = ['<', '<=', '>', '>='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export type CheckExpression =
  | { kind: 'threshold'; metric: string; op: ComparisonOp; value: number }
  | { kind: 'relative'; metric: string; op: ComparisonOp; factor: number };

/** A number as PromQL and YAML users write it: "0.01", ".5", "1e-3", "2.5E2". */
const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
// Read from the trimmed text: with "\s*(suffix)?\s*$" the two runs of spaces were tried against each other,
// quadratic in the length of a run ("p95 < 1", 40 000 spaces and a letter took 5 s to refuse).
const EXPRESSION = new RegExp(
  String.raw`^([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|<|>)\s*(${NUMBER})(?:\s*(%|x\s*baseline|\*\s*baseline))?$`,
);

/** Parses "error_rate < 0.01", "error_rate < 1%", "p95 < 2x baseline". Undefined when malformed. */
export function parseCheckExpression(text: string): CheckExpression | undefined {
  const m = EXPRESSION.exec(text.trim());
  if (!m) return undefined;
  const [, metric, op, number, suffix] = m;
  const value = Number(number);
  if (!Number.isFinite(value)) return undefined;
  if (suffix && /baseline/.test(suffix))
    return { kind: 'relative', metric: metric!, op: op as ComparisonOp, factor: value };
  return {
    kind: 'threshold',
    metric: metric!,
    op: op as ComparisonOp,
    // 0.7 / 100 is 0.006999999999999999: the fraction the percentage writes, as its name and limit.
    value: suffix === '%' ? percentOf(value) : value,
  };
}

// What a metric measures, by its name (or the prober field it reads): the names the seed preset and the
// prober give a meaning to. Here rather than in domain.ts, which checks values, so that checks that can never
// hold are refused with the config without loading the analysis at start.
export type Kind = 'fraction' | 'count' | 'duration' | 'non-negative';

const NAMED: Record<string, Kind> = {
  error_rate: 'fraction',
  success_rate: 'fraction',
  health: 'fraction',
  requests: 'count',
  errors: 'count',
  latency: 'duration',
  memory: 'non-negative',
};

/** p50, p95, p99, p999: a latency percentile. */
const PERCENTILE = /^p\d+$/;

function kindOf(name: string | undefined): Kind | undefined {
  if (name === undefined) return undefined;
  if (Object.hasOwn(NAMED, name)) return NAMED[name];
  return PERCENTILE.test(name) ? 'duration' : undefined;
}

/** What the value of a metric with this name and config can be, or undefined when anything goes. */
export function metricKind(name: string, config: { field?: string } | undefined): Kind | undefined {
  return kindOf(name) ?? kindOf(config?.field);
}

/** `value / 100` without the float's noise (99.9 / 100 is 0.9990000000000001). */
const percentOf = (value: number) => Number((value / 100).toPrecision(12));

/** ` Did you mean "error_rate < 0.05" (5 %)?` for a fraction written as a percentage, or nothing. */
function percentHint(check: Extract<CheckExpression, { kind: 'threshold' }>): string {
  if (!(check.value > 1 && check.value <= 100) && !(check.value === 1 && check.op !== '>=')) return '';
  return `; did you mean "${check.metric} ${check.op} ${percentOf(check.value)}" (${check.value} %)?`;
}

/**
 * Why a check can never hold for what its metric measures (by name, or the prober field it reads:
 * domain.ts), or undefined. Such a check is violated in every interval and rolls back every deployment,
 * whatever the canary does: "error_rate < 0", "p95 < 0x baseline", "success_rate > 100%".
 */
export function neverHolds(check: CheckExpression, config?: { field?: string }): string | undefined {
  const kind = metricKind(check.metric, config);
  if (kind === undefined) return undefined;
  const what = kind === 'fraction' ? 'a fraction between 0 and 1' : 'never negative';
  const limit = check.kind === 'threshold' ? check.value : check.factor;
  if (check.op === '<' && limit === 0) return `${check.metric} is ${what}, so it is never below 0`;
  if (check.kind === 'threshold' && kind === 'fraction') {
    if (check.op === '>' && check.value >= 1) return `${check.metric} is ${what}, so it is never above 1`;
    if (check.op === '>=' && check.value > 1)
      return `${check.metric} is ${what}, so it never reaches ${check.value}`;
  }
  return undefined;
}

/**
 * Why a check on a fraction can never fire, or undefined: "error_rate < 5" (5 % written as 5) holds for
 * every value an error rate can have, so it never rolls back, however many requests fail.
 */
export function neverFires(check: CheckExpression, config?: { field?: string }): string | undefined {
  if (check.kind !== 'threshold' || metricKind(check.metric, config) !== 'fraction') return undefined;
  const always =
    (check.op === '<' && check.value > 1) || (check.op === '<=' && check.value >= 1)
      ? `always ${check.op === '<' ? 'below' : 'at or below'} ${check.value}`
      : undefined;
  if (!always) return undefined;
  return `${check.metric} is a fraction between 0 and 1 (1 % is 0.01), so it is ${always} and the check would never roll back${percentHint(check)}`;
}

/**
 * What is wrong with a check the parser does not read, where it is one of the usual slips: an operator
 * from a programming language, a unit on the number, a number too large, "2X" or "200%" of the baseline.
 * Undefined when nothing more specific than the general form can be said.
 */
export function checkTextProblem(text: string): string | undefined {
  // Trimmed first: a lazy "(\S.*?)\s*$" tried every end of a long run of spaces, quadratic in the check's
  // length (a check of 40 000 characters took 5 s to refuse, one of the config's megabyte minutes).
  const loose = new RegExp(
    String.raw`^([A-Za-z_][A-Za-z0-9_.]*)\s*(=<|=>|==|=|!=|<>|<=|>=|<|>)\s*(\S.*)$`,
  ).exec(text.trim());
  if (!loose) return undefined;
  const [, metric, op, rest] = loose as unknown as [string, string, string, string];
  if (['==', '=', '!=', '<>'].includes(op))
    return `"${op}" is not a check operator: a check says which side of a limit the metric must stay on (for example "${metric} <= 0")`;
  if (op === '=<' || op === '=>') return `write "${op === '=<' ? '<=' : '>='}", not "${op}"`;
  const number = new RegExp(String.raw`^(${NUMBER})\s*(.*)$`).exec(rest);
  // "-1" is a number, one a check does not take (what it measures is a rate, a latency, a count, a factor).
  if (!number && new RegExp(String.raw`^[-+]\s*${NUMBER}`).test(rest))
    return `a limit is a number of 0 or more, without a sign: "${rest}"`;
  if (!number) return `"${rest}" is not a number`;
  const [, digits, after] = number as unknown as [string, string, string];
  if (!Number.isFinite(Number(digits))) return `${digits} is not a finite number`;
  const asDuration = parseDuration(`${digits}${after}`);
  if (asDuration !== undefined)
    return `a limit has no unit: write it in the unit ${metric}'s query returns (${asDuration} if in milliseconds, ${asDuration / 1000} if in seconds)`;
  if (/^(?:sec|secs|seconds?|mins?|minutes?|[kmgt]i?b|bytes?)$/i.test(after))
    return `a limit has no unit: write the number in the unit ${metric}'s query returns`;
  if (/^x\s*baseline$/i.test(after)) return `write "${digits}x baseline" (a lower-case x)`;
  if (/^%\s*(?:of\s+)?baseline$/i.test(after))
    return `a limit relative to the baseline is a factor: write "${percentOf(Number(digits))}x baseline"`;
  if (/^(?:percent|pct)$/i.test(after)) return `write "${digits}%"`;
  return undefined;
}

const checkExpression = z.string().transform((text, ctx) => {
  // "error\u200b_rate < 0.01" (a metric name copied from a job summary) reads right and parses as nothing.
  const invisible = invisibleNameProblem(text, 'check');
  if (invisible) {
    ctx.addIssue({ code: 'custom', message: invisible });
    return z.NEVER;
  }
  const parsed = parseCheckExpression(text);
  if (!parsed) {
    const why = checkTextProblem(text);
    ctx.addIssue({
      code: 'custom',
      message: `invalid check "${text}": ${why ?? 'write "<metric> <op> <number>" or "<metric> <op> <number>x baseline" with op one of <, <=, >, >= (for example "error_rate < 0.01", "error_rate < 1%", "p95 < 2x baseline")'}`,
    });
    return z.NEVER;
  }
  // As written, for messages about it.
  return { ...parsed, text };
});

/** What a threshold check's breach does: `warn` reports it and never changes the decision (judge.ts). */
export const ON_BREACH = ['rollback', 'warn'] as const;
export type OnBreach = (typeof ON_BREACH)[number];

const alpha = z.number().gt(0).max(0.2).optional().meta({
  description:
    'Bound on the probability of a false rollback by this check over the whole window. Default 0.01.',
});

export const ruleCheckSchema = z.strictObject({
  name: checkName.optional(),
  check: checkExpression.meta({
    description: 'The condition that must HOLD, e.g. "error_rate < 0.01", "p95 < 2x baseline".',
  }),
  for: duration.optional().meta({
    description:
      'The condition must be violated this long before it fires (a single spike does not). Default 0.',
  }),
  baseline: z.enum(['auto', 'stable', 'pre-deploy']).optional().meta({
    description:
      'For "x baseline": stable measured at the same time, or the pre-deploy window. Default auto (stable when measured).',
  }),
  on_breach: z.enum(ON_BREACH).optional().meta({
    description:
      'What a breach (sustained for `for`) does: rollback, or warn (reported in the log, the job summary and to the notification channels; it never rolls back, holds or delays a promotion). Default rollback.',
  }),
  requests: metricName.optional().meta({
    description:
      "A threshold on a rate (error_rate < 10%): the metric counting the interval's requests it is a fraction of. An interval then breaches the limit only when its counts (rate x requests) are significant evidence that the rate is past it (an exact binomial test at `alpha`), so a few errors at low traffic are not a breach; an interval without a request count breaches only as the second in a row.",
  }),
  alpha: z.number().gt(0).max(0.2).optional().meta({
    description:
      'With `requests`: bound on the probability that a version whose rate is at the limit breaches it in any interval of the window (each interval is tested at alpha / the intervals of the window). Default 0.01.',
  }),
});

/**
 * `on_breach` on a statistical comparison: refused by name. Its test answers "significantly worse" once and
 * for all (it never recovers within a window), and its alpha is a bound on false rollbacks: a warning of it
 * would say neither. Written as a key that only ever fails, so the message says why, not "unknown key".
 */
const noOnBreach = z
  .never({
    error:
      'on_breach is for threshold checks (`check:`); a statistical comparison (`compare:`) always rolls back when it fires: write the warning as a threshold check instead, e.g. { check: "p95 < 2000", on_breach: warn }',
  })
  .optional()
  .meta({ description: 'Not allowed on a comparison: on_breach is for threshold checks (`check:`).' });

export const errorsComparisonSchema = z.strictObject({
  name: checkName.optional(),
  compare: z.literal('errors'),
  on_breach: noOnBreach,
  errors: metricName.meta({ description: 'Metric: error count in the interval (per version).' }),
  requests: metricName.meta({ description: 'Metric: request count in the interval (per version).' }),
  alpha,
  tolerance: z.number().min(1).max(100).optional().meta({
    description:
      'Canary error rate up to this multiple of stable is acceptable. Default 1 (no worse than stable).',
  }),
});

export const valuesComparisonSchema = z.strictObject({
  name: checkName.optional(),
  compare: z.literal('values'),
  on_breach: noOnBreach,
  metric: metricName,
  alpha,
  tolerance: z
    .number()
    .min(0)
    .max(10)
    .optional()
    .meta({ description: 'Canary may be this fraction worse than stable (0.1 = 10 %). Default 0.1.' }),
  min_difference: z.number().min(0).optional().meta({
    description:
      "Canary may also be this much worse than stable, in the metric's units, whatever stable is: the floor under the tolerance where stable is at or near 0 (a queue depth, a rate of rare events). Default 0.",
  }),
  higher_is_worse: z.boolean().optional().meta({ description: 'Default true (latency, memory).' }),
});

export const histogramComparisonSchema = z.strictObject({
  name: checkName.optional(),
  compare: z.literal('histogram'),
  on_breach: noOnBreach,
  metric: metricName.meta({ description: 'A metric with histogram: true (bucket counts per version).' }),
  alpha,
  tolerance: z.number().min(1).max(100).optional().meta({
    description:
      "The canary's share of requests slower than a cut (the pooled 75th / 95th percentile) may be this multiple of stable's. Default 1.05.",
  }),
});

export const checkSchema = z.union([
  ruleCheckSchema,
  errorsComparisonSchema,
  valuesComparisonSchema,
  histogramComparisonSchema,
]);

export const ANALYSIS_PRESETS = ['seeds', 'none'] as const;

/**
 * What a threshold check's `requests` and `alpha` (its test on the interval's counts, rate-test.ts) cannot
 * mean: a test of "x baseline" (no fixed rate to test against), `alpha` without counts to test, a limit
 * that is no fraction of the requests, a metric that is no rate. Each at the key that is wrong.
 */
function countedRuleIssues(
  check: z.output<typeof ruleCheckSchema>,
  metrics: Record<string, { field?: string }>,
): Array<{ key: string; message: string }> {
  const issues: Array<{ key: string; message: string }> = [];
  const at = (key: string, message: string) => ({ key, message });
  const e = check.check;
  if (check.requests === undefined) {
    if (check.alpha !== undefined)
      issues.push(
        at(
          'alpha',
          `alpha on a threshold check is the significance of its test on each interval's counts and needs requests: the metric counting the requests ${e.metric} is a fraction of (for example requests: requests)`,
        ),
      );
    return issues;
  }
  if (e.kind === 'relative') {
    issues.push(
      at(
        'requests',
        `requests is for a threshold on a rate ("${e.metric} < 10%"); "${e.text}" compares with a baseline, so its limit is no fixed rate to test the counts against: remove requests, or write the limit as a number`,
      ),
    );
    return issues;
  }
  const metric = Object.hasOwn(metrics, e.metric) ? metrics[e.metric] : undefined;
  const kind = metricKind(e.metric, metric);
  if (kind !== undefined && kind !== 'fraction')
    issues.push(
      at(
        'requests',
        `requests is for a rate (a fraction of the requests, such as error_rate); ${e.metric} is ${kind === 'duration' ? 'a duration' : kind === 'count' ? 'a count' : 'not a fraction'}, so ${e.metric} x requests counts nothing: remove requests`,
      ),
    );
  else if (!(e.value > 0 && e.value < 1))
    issues.push(
      at(
        'check',
        `"${e.text}" with requests: the limit must be a fraction of the requests between 0 and 1 (exclusive), such as 0.1 or 10%; got ${e.value}`,
      ),
    );
  return issues;
}

/**
 * The section as the analyzer of any version accepted it: well formed, every reference defined. A
 * recording's config is read with this (replay.ts), so a check refused since the recording was made (one
 * that can never hold or never fire) does not stop the recording from being judged as it was run.
 */
export const recordedAnalysisConfigSchema = z
  .strictObject({
    preset: z
      .enum(ANALYSIS_PRESETS)
      .optional()
      .meta({ description: 'seeds: the seed rollback triggers for the metrics you define. Default seeds.' }),
    providers: z.record(metricName, providerSchema).optional(),
    metrics: z.record(metricName, metricSchema).optional(),
    checks: z.array(checkSchema).optional(),
    max_provider_errors: z.number().int().min(0).max(1000).optional().meta({
      description: 'Consecutive intervals with a provider error tolerated; one more rolls back. Default 5.',
    }),
    max_no_data: duration
      .optional()
      .meta({ description: "Dead-man's switch: no data for longer than this rolls back. Default 5m." }),
    extend_undecided: z.number().min(0).max(4).optional().meta({
      description:
        'A window that ends undecided (hold) is extended once by this fraction of its length. Default 0.5; 0: no extension.',
    }),
    on_undecided: z.enum(['decide', 'hold']).optional().meta({
      description:
        "Still undecided after the extension: decide (promote or roll back on the window's evidence) or hold. Default decide.",
    }),
    min_samples: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .meta({ description: 'Intervals with data needed before a window may promote. Default 3.' }),
  })
  .superRefine((config, ctx) => {
    const providers = config.providers ?? {};
    const metrics = config.metrics ?? {};
    for (const [name, metric] of Object.entries(metrics)) {
      // Own keys only: "toString" or "constructor" would find Object.prototype's.
      const provider = Object.hasOwn(providers, metric.provider) ? providers[metric.provider] : undefined;
      if (!provider) {
        const known = Object.keys(providers);
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', name, 'provider'],
          message: `unknown provider "${metric.provider}"; defined: ${known.length ? known.join(', ') : 'none (add analysis.providers)'}`,
        });
        continue;
      }
      if (provider.type === 'prometheus' && !metric.query)
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', name, 'query'],
          message: 'a Prometheus metric needs a query',
        });
      if (metric.histogram && metric.range)
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', name, 'range'],
          message: 'a histogram metric is read as one instant query per interval; remove range',
        });
      if (provider.type !== 'prometheus' && metric.histogram)
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', name, 'histogram'],
          message: `histogram is for Prometheus metrics; provider "${metric.provider}" is ${provider.type}`,
        });
      if (provider.type === 'logs' && !(LOG_FIELDS as readonly string[]).includes(metric.field ?? name))
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', name, ...(metric.field === undefined ? [] : ['field'])],
          message: `the logs provider "${metric.provider}" counts ${LOG_FIELDS.join(' and ')}; ${metric.field === undefined ? `name the metric one of them or give field: one of them` : `not ${JSON.stringify(metric.field)}`}`,
        });
      if (provider.type !== 'prometheus' && (metric.query || metric.stable_query || metric.range))
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', name],
          message: `query, stable_query and range are for Prometheus metrics; provider "${metric.provider}" is ${provider.type}`,
        });
    }
    (config.checks ?? []).forEach((check, index) => {
      if ('check' in check)
        for (const { key, message } of countedRuleIssues(check, metrics))
          ctx.addIssue({ code: 'custom', path: ['checks', index, key], message });
      const used =
        'check' in check
          ? [check.check.metric, ...(check.requests === undefined ? [] : [check.requests])]
          : check.compare === 'errors'
            ? [check.errors, check.requests]
            : [check.metric];
      if (
        'compare' in check &&
        check.compare === 'histogram' &&
        Object.hasOwn(metrics, check.metric) &&
        !metrics[check.metric]!.histogram
      )
        ctx.addIssue({
          code: 'custom',
          path: ['checks', index, 'metric'],
          message: `compare: histogram needs a histogram metric; add histogram: true to analysis.metrics.${check.metric}`,
        });
      for (const metric of used)
        if (!Object.hasOwn(metrics, metric))
          ctx.addIssue({
            code: 'custom',
            path: ['checks', index],
            message: `check uses metric "${metric}", which is not defined in analysis.metrics${didYouMean(metric, Object.keys(metrics))}`,
          });
    });
  });

/**
 * The section as written by a user: also refused, at the check's position, are checks that make no sense for
 * what their metric measures (by name or prober field): one that can never hold (rolls back every deployment)
 * and one that can never fire ("error_rate < 5" meant as 5 %: never rolls back).
 */
export const analysisConfigSchema = recordedAnalysisConfigSchema.superRefine((config, ctx) => {
  // Headers and variables a provider could not send as written (config/analysis-request-fields.ts); a refused key is said
  // as the config's other invalid keys are.
  for (const [name, provider] of Object.entries(config.providers ?? {}))
    for (const issue of requestFieldIssues({
      headers: 'headers' in provider ? provider.headers : undefined,
      headers_env: 'headers_env' in provider ? provider.headers_env : undefined,
      env: 'env' in provider ? provider.env : undefined,
    })) {
      const path = ['providers', name, ...issue.path];
      if (issue.key)
        ctx.addIssue({
          code: 'invalid_key',
          origin: 'record',
          path,
          input: issue.path[1],
          issues: [{ code: 'custom', message: issue.message, path: [], input: issue.path[1] }],
        });
      else ctx.addIssue({ code: 'custom', path, message: issue.message });
    }
  const metrics = config.metrics ?? {};
  (config.checks ?? []).forEach((check, index) => {
    // A histogram metric's value is its bucket counts, of which a rule or a values comparison would read the
    // request count (`latency < 0.5` held by any canary serving under one request an interval): refused, saying
    // what compares a histogram. Only as written: a recording made before this still replays.
    const judged =
      'check' in check ? check.check.metric : check.compare === 'values' ? check.metric : undefined;
    if (judged !== undefined && Object.hasOwn(metrics, judged) && metrics[judged]!.histogram === true)
      ctx.addIssue({
        code: 'custom',
        path: ['checks', index, 'check' in check ? 'check' : 'metric'],
        message: `metric "${judged}" is a histogram (histogram: true, its value is the interval's bucket counts), so ${'check' in check ? `"${check.check.text}"` : 'compare: values'} would judge its request count, not what it measures; compare it with stable's by { compare: histogram, metric: ${judged} }, or define a quantile metric (a histogram_quantile query) for a rule`,
      });
    if (!('check' in check)) return;
    const expression = check.check;
    const metric = Object.hasOwn(metrics, expression.metric) ? metrics[expression.metric] : undefined;
    const never = neverHolds(expression, metric);
    const silent = never ? undefined : neverFires(expression, metric);
    const text = expression.text;
    if (never)
      ctx.addIssue({
        code: 'custom',
        path: ['checks', index, 'check'],
        message: `check "${text}" can never hold: ${never}, so every interval would violate it and every deployment would be rolled back${expression.kind === 'threshold' && metricKind(expression.metric, metric) === 'fraction' ? percentHint(expression) : ''}`,
      });
    else if (silent)
      ctx.addIssue({
        code: 'custom',
        path: ['checks', index, 'check'],
        message: `check "${text}" can never fire: ${silent}`,
      });
  });
});

export type AnalysisConfigInput = z.input<typeof analysisConfigSchema>;
export type AnalysisConfigParsed = z.output<typeof analysisConfigSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type PrometheusProviderConfig = z.output<typeof prometheusProviderSchema>;
export type HttpProberConfig = z.output<typeof httpProberSchema>;
export type CommandProviderConfig = z.output<typeof commandProviderSchema>;
export type LogsProviderConfig = z.output<typeof logsProviderSchema>;
export type MetricConfig = z.output<typeof metricSchema>;
export type CheckConfig = z.output<typeof checkSchema>;
