// Prometheus alerting rules for ongoing monitoring (seed 01 phase 5, seed 04's levels and dead-man's switch),
// derived from an environment's resolved `analysis:` section: each threshold check on a Prometheus metric
// becomes one rule that fires when the check breaks, and one rule per environment fires when the metrics
// return no data. Pure: the CLI (src/cli/alerts.ts) reads the config and the state record and writes the
// file. Queries are rendered by the analysis's own renderer (promql.ts), so a value is escaped for where
// it sits exactly as during a deployment. Docs: docs/alerts.md.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { checkMetrics, readMetrics, warnsOnly, type AnalysisConfig, type ResolvedCheck } from './config.ts';
import { escapePromqlString, renderPromql, TemplateError } from './promql.ts';
import { isScalarExpression, outerShape } from './promql-shape.ts';
import { rangeStep } from './providers/prometheus.ts';
import { metricKind, type ComparisonOp, type MetricConfig } from './schema.ts';
import { FRACTION_SLACK } from './domain.ts';
import type { TemplateValues } from '../targets/template.ts';
import { oneLine } from '../config/shown.ts';

/** The seed's evaluation interval. */
export const ALERT_INTERVAL_MS = 30_000;

/** Why a check has no alert. Stable codes: docs/alerts.md lists them. */
export type SkipCode =
  /** "x baseline": its limit is another version's or the pre-deploy window's value, not a number. */
  | 'relative'
  /** A sequential canary-vs-stable test (compare: errors | values | histogram): two versions side by side. */
  | 'statistical'
  /** The metric is read by the HTTP prober or a command, not from Prometheus. */
  | 'not-prometheus'
  /** The metric is bucket counts (histogram: true), not one value. */
  | 'histogram-metric'
  /** The query cannot be rendered for the live release (a variable with no value, a value refused there). */
  | 'template';

export interface SkippedCheck {
  check: string;
  code: SkipCode;
  reason: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  /** A Prometheus duration; absent for a check that breaks at once. */
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertRulesInput {
  environment: string;
  config: AnalysisConfig;
  /** The template values of the live release (version, slot, environment, phase). */
  vars: TemplateValues;
  intervalMs?: number;
}

export type AlertRulesResult =
  | { ok: true; group: { name: string; interval: string; rules: AlertRule[] }; skipped: SkippedCheck[] }
  | {
      ok: false;
      /**
       * `no-prometheus-metric`: nothing to alert on. `scalar-query`: a metric's query is a scalar, which the
       * analysis reads as its number but a rule cannot compare or test for absence (Prometheus refuses the file).
       */
      code: 'no-prometheus-metric' | 'scalar-query';
      message: string;
      skipped: SkippedCheck[];
    };

/** The name of the dead-man's switch rule; check rules get other names. */
export const NO_DATA_ALERT = 'MetricsAbsent';
/** The dead-man's switch of metrics only warning checks read: their silence rolls nothing back either. */
export const NO_DATA_WARNING_ALERT = 'MetricsAbsentWarning';
/** The rule firing while a metric's query returns several series, which the analysis judges none of. */
export const MULTIPLE_SERIES_ALERT = 'MetricsMultipleSeries';
/** Its warning, for metrics only warning checks read. */
export const MULTIPLE_SERIES_WARNING_ALERT = 'MetricsMultipleSeriesWarning';
const RESERVED = [NO_DATA_ALERT, NO_DATA_WARNING_ALERT, MULTIPLE_SERIES_ALERT, MULTIPLE_SERIES_WARNING_ALERT];

/** The comparison that breaks a check which must hold `op`: error_rate <= 0.01 breaks at > 0.01. */
export const BREACH_OP: Record<ComparisonOp, ComparisonOp> = { '<=': '>', '<': '>=', '>=': '<', '>': '<=' };

/**
 * Text for a rule's labels and annotations, which Prometheus expands as Go templates: every `{` of user text
 * is written as the template action printing it, so no name can open an action, whether inside itself or
 * with a `{` beside it (a name ending in `{` before `{{ $value }}`).
 */
export function templateText(text: string): string {
  return text.replace(/\{/g, '{{ "{" }}');
}

/** A Prometheus duration (`1m30s`, `500ms`): whole units, largest first; 0 for nothing. */
export function promDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest <= 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

const OPERATOR_WORDS: Record<string, string> = {
  '<': 'Below',
  '<=': 'AtMost',
  '>': 'Above',
  '>=': 'AtLeast',
  '%': 'Percent',
};

/**
 * A check's name in CamelCase: letters and digits kept, every other character a word break, each word
 * capitalised (`seeds.error-rate` is SeedsErrorRate); a name that would start with a digit or be empty starts
 * with `Check`. It depends on the name alone; alertNames makes it unique.
 */
export function alertBaseName(check: string): string {
  // A comparison's operator is a word (an unnamed check is named by its rule: `p95 < 2` is P95Below2, not
  // P95_2, so `p95 > 2` is not the same name with a suffix).
  const words = check
    .replace(/<=|>=|<|>|%/g, (op) => ` ${OPERATOR_WORDS[op]} `)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  // Words joined, with `_` between two digits (`p95 < 2` is P95_2, not P952).
  const base = words
    .map(
      (w, i) =>
        (i > 0 && /\d$/.test(words[i - 1]!) && /^\d/.test(w) ? '_' : '') + w[0]!.toUpperCase() + w.slice(1),
    )
    .join('');
  return /^[A-Za-z]/.test(base) ? base : `Check${base}`;
}

/** Hex digits of a SHA-256 of the text, as many as asked. */
const digest = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * Each check's alert name, from its own name only, so adding, removing or reordering other checks renames
 * none (a counter did: of `error-rate` and `error_rate`, the one listed second was ErrorRate2, so reordering
 * them swapped the names and a third listed first renamed both). Check names are unique (config.ts), but their
 * CamelCase may not be (`error-rate` and `error_rate`, two names without a Latin letter): of those, the first
 * in code-unit order keeps it, and each other one,
 * like one that would be a `reserved` name, gets `__` and 8 hex digits of a SHA-256 of its own name (more
 * while two would be the same). A CamelCase name never holds `__`, so a suffixed name is no other's.
 */
export function alertNames(checks: readonly string[], reserved: readonly string[] = []): Map<string, string> {
  const byBase = new Map<string, string[]>();
  for (const check of checks) {
    const base = alertBaseName(check);
    byBase.set(base, [...(byBase.get(base) ?? []), check]);
  }
  const names = new Map<string, string>();
  for (const [base, group] of byBase) {
    // Code-unit order, whatever order the checks are listed in (localeCompare would vary with the locale).
    const sorted = [...new Set(group)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const suffixed = reserved.includes(base) ? sorted : sorted.slice(1);
    if (!reserved.includes(base)) names.set(sorted[0]!, base);
    let length = 8;
    while (new Set(suffixed.map((c) => digest(c, length))).size < suffixed.length) length += 2;
    for (const check of suffixed) names.set(check, `${base}__${digest(check, length)}`);
  }
  return names;
}

/**
 * A rendered query as an operand: in parentheses, with newlines around it when it holds a `#`, which may
 * start a comment that would otherwise run on over what follows.
 */
function operand(query: string): string {
  const q = query.trim();
  return q.includes('#') ? `(\n${q}\n)` : `(${q})`;
}

const REDUCERS = { mean: 'avg', max: 'max', min: 'min', last: 'last' } as const;

/**
 * The value a check judges, as PromQL: the query, or for a range metric (read over `window` and reduced)
 * the same reduction of a subquery over the window at the step the provider reads with, over its finite
 * points as the provider reduces them (`> -Inf < +Inf` drops NaN and Inf): one NaN point (an idle step's
 * 0/0) made avg_over_time NaN, a last one last_over_time, and neither fired again.
 */
function judgedValue(query: string, metric: MetricConfig): string {
  if (!metric.range) return operand(query);
  return `${REDUCERS[metric.range.reduce ?? 'mean']}_over_time(${finitePoints(query, metric.range)})`;
}

/**
 * The number of series the provider would get for the metric: the instant query's, or for a range metric
 * those with a point in its window (at its step, NaN points too: the range query returns them).
 */
function seriesCount(query: string, metric: MetricConfig): string {
  if (!metric.range) return `count${operand(query)}`;
  return `count(count_over_time(${operand(query)}[${promDuration(metric.range.window)}:${promDuration(rangeStep(metric.range))}]))`;
}

/** A query that returns one series at most, by its shape (an aggregation keeping no label): no guard needed. */
const oneSeries = (query: string) => outerShape(query) === 'one-series';

/** A range metric's finite points over its window, at the provider's step, as a subquery. */
function finitePoints(query: string, range: NonNullable<MetricConfig['range']>): string {
  return `(${operand(query)} > -Inf < +Inf)[${promDuration(range.window)}:${promDuration(rangeStep(range))}]`;
}

/**
 * The far-side bounds of a threshold rule: what the analysis reads as a value (domain.ts), as PromQL filters.
 * A fraction a rounding error outside 0..1 is the bound it missed (settleRounding), so the slack is kept.
 */
function metricBounds(name: string, metric: MetricConfig): { low: string; high: string } {
  switch (metricKind(name, metric)) {
    case 'fraction':
      return { low: ` >= -${FRACTION_SLACK}`, high: ` <= ${1 + FRACTION_SLACK}` };
    case 'count':
    case 'duration':
    case 'non-negative':
      return { low: ' >= 0', high: ' < +Inf' };
    default:
      return { low: ' > -Inf', high: ' < +Inf' };
  }
}

type Rendered = { ok: true; query: string; metric: MetricConfig } | { ok: false; skip: SkippedCheck };

/** A check's metric read from Prometheus, its query rendered for the live release; or why not. */
function renderedMetric(config: AnalysisConfig, check: string, name: string, vars: TemplateValues): Rendered {
  const skip = (code: SkipCode, reason: string): Rendered => ({ ok: false, skip: { check, code, reason } });
  const metric = Object.hasOwn(config.metrics, name) ? config.metrics[name]! : undefined;
  const provider =
    metric && Object.hasOwn(config.providers, metric.provider)
      ? config.providers[metric.provider]
      : undefined;
  if (!metric || !provider) return skip('not-prometheus', `metric ${name} has no provider`);
  if (provider.type !== 'prometheus' || metric.query === undefined)
    return skip(
      'not-prometheus',
      `metric ${name} is read by provider ${metric.provider} (${provider.type}), not from Prometheus`,
    );
  try {
    return { ok: true, query: renderPromql(metric.query, vars), metric };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return skip(
      'template',
      `the query of metric ${name} cannot be written for the live release: ${error.message}`,
    );
  }
}

function describeFor(forMs: number): string {
  return forMs > 0 ? ` for ${promDuration(forMs)}` : '';
}

/**
 * The rule's `for` that fires at the evaluation the analysis decides at, when a breach must be seen in
 * `readings` evaluations in a row. Prometheus counts from the first evaluation over the limit (pending there,
 * firing once `for` has passed since it), so `for: 5m` every 30s fires at the 11th; the analysis counts each
 * reading as one interval of breach (judge.ts: violating intervals x interval >= for), so a check waiting 5m
 * breaks at the 10th. One interval less says it.
 */
export function ruleForMs(readings: number, intervalMs: number): number {
  return Math.max(0, readings - 1) * intervalMs;
}

/** The readings in a row a breach of `forMs` takes in the analysis: at least one, whole intervals. */
export function breachReadings(forMs: number, intervalMs: number): number {
  return Math.max(1, Math.ceil(forMs / intervalMs));
}

/** The rule of a threshold check, or why it has none. */
function thresholdRule(
  input: AlertRulesInput,
  check: Extract<ResolvedCheck, { kind: 'threshold' }>,
  intervalMs: number,
): Omit<AlertRule, 'alert'> | SkippedCheck {
  const rendered = renderedMetric(input.config, check.name, check.metric, input.vars);
  if (!rendered.ok) return rendered.skip;
  if (rendered.metric.histogram)
    return {
      check: check.name,
      code: 'histogram-metric',
      reason: `metric ${check.metric} is bucket counts (histogram: true), not one value to compare`,
    };
  // A counted check (`alpha`) decides on each interval's counts in the analysis (an exact test), and without a
  // count as the second interval in a row over its limit (judge.ts). A static rule cannot state the test: it
  // holds the rate over the limit for two evaluations in a row (more when its `for` takes more readings), the
  // analysis's reading without counts. The
  // one error less of a rate with `requests` is low traffic's allowance within one interval, not a limit an
  // ongoing alert needs: the rate is compared as written (seed 01's HighErrorRate is `rate > 0.05 for 5m`).
  const readings = breachReadings(check.forMs, intervalMs);
  const forMs = ruleForMs(check.alpha !== undefined ? Math.max(readings, 2) : readings, intervalMs);
  // Without a requests metric the analysis has no counts to test: two intervals in a row is all it does.
  const inARow = `${forMs / intervalMs + 1} evaluations in a row`;
  const counted =
    check.alpha === undefined
      ? ''
      : check.requests !== undefined
        ? ` (the analysis tests each interval's ${check.requests} counts; this alert holds the rate over the limit for ${inARow})`
        : ` (without a request count, the analysis takes two intervals in a row over the limit; this alert, ${inARow})`;
  const breach = BREACH_OP[check.op];
  // An infinite value is no data to the analysis (the provider's not-a-number), as NaN, which no comparison
  // keeps: bounded on the far side, +Inf breaks no upper limit and -Inf no lower one (the dead-man's switch
  // counts both). A range metric's reduction is of finite points already.
  // So is a value no system gives (domain.ts: an error rate of 1.7, a negative latency): the far side is the
  // kind's bound where the metric's name says one.
  const { low, high } = metricBounds(check.metric, rendered.metric);
  const finite = rendered.metric.range ? '' : breach === '>' || breach === '>=' ? high : low;
  const env = templateText(input.environment);
  const checkText = templateText(check.name);
  return {
    // Several series are a provider error to the analysis (multiple-series), judged for none: the breach
    // counts only while the query returns one (MetricsMultipleSeries says when it does not).
    expr: `${judgedValue(rendered.query, rendered.metric)} ${breach} ${check.value}${finite}${oneSeries(rendered.query) ? '' : ` and on() ${seriesCount(rendered.query, rendered.metric)} == 1`}`,
    ...(forMs > 0 ? { for: promDuration(forMs) } : {}),
    labels: {
      severity: check.warn ? 'warning' : 'critical',
      environment: env,
      check: checkText,
    },
    annotations: {
      summary: `${checkText} breached on ${env}`,
      description: `${check.metric} is {{ $value }} (${breach} ${check.value}${describeFor(check.forMs)}); the check ${checkText} requires ${check.metric} ${check.op} ${check.value}${check.warn ? ' (a warning: on_breach: warn)' : ''}${counted}`,
    },
  };
}

function skippedCheck(check: ResolvedCheck): SkippedCheck | undefined {
  if (check.kind === 'relative')
    return {
      check: check.name,
      code: 'relative',
      reason: `"${check.metric} ${check.op} ${check.factor}x baseline" compares with a baseline (another version, or the window before a deployment), which ongoing monitoring does not have`,
    };
  if (check.kind === 'errors' || check.kind === 'histogram' || check.kind === 'values')
    return {
      check: check.name,
      code: 'statistical',
      reason: `a sequential test of the new version against the stable one (compare: ${check.kind}), which needs two versions serving side by side`,
    };
  return undefined;
}

/**
 * The dead-man's switch: fires while a metric the checks use has no value, as the analysis counts one (no
 * series, NaN or Inf: `> -Inf < +Inf` keeps every finite number; for a range metric, no finite point in its
 * window), for max_no_data. `absent()` works on any instant vector, where absent_over_time needs a range
 * selector; each term names its metric, so `or` keeps them apart.
 */
function noDataRule(
  input: AlertRulesInput,
  queries: ReadonlyArray<{ metric: string; query: string; config: MetricConfig }>,
  severity: 'critical' | 'warning',
  intervalMs: number,
): AlertRule {
  const env = templateText(input.environment);
  const terms = queries.map(({ metric, query, config }) => {
    const value = config.range
      ? `count_over_time(${finitePoints(query, config.range)})`
      : `${operand(query)} > -Inf < +Inf`;
    return `label_replace(absent(${value}), "metric", "${escapePromqlString(metric)}", "", "")`;
  });
  // The analysis rolls back at the first reading more than max_no_data after the last data (judge.ts), the
  // (floor(max_no_data / interval) + 1)-th without data: that many evaluations in a row, as for a breach.
  const forMs = ruleForMs(Math.floor(input.config.maxNoDataMs / intervalMs) + 1, intervalMs);
  return {
    alert: severity === 'critical' ? NO_DATA_ALERT : NO_DATA_WARNING_ALERT,
    expr: terms.join(' or '),
    ...(forMs > 0 ? { for: promDuration(forMs) } : {}),
    labels: { severity, environment: env },
    annotations: {
      summary: `No data for {{ $labels.metric }} on ${env}`,
      description: `The query of metric {{ $labels.metric }} returned no series (or NaN, Inf)${describeFor(input.config.maxNoDataMs)}: the checks of ${env} cannot be judged (analysis max_no_data)`,
    },
  };
}

/**
 * Fires while a metric's query returns more than one series, as the provider counts them (seriesCount), which
 * the analysis reads as a provider error (`multiple-series`) and no data: it rolls back after more than
 * max_provider_errors such readings in a row, or max_no_data without a value, whichever comes first, and
 * judges no check on the metric meanwhile (their rules hold off too). Only metrics whose query may return
 * several: an aggregation keeping no label cannot, and a histogram metric's buckets are several by design.
 */
function multipleSeriesRule(
  input: AlertRulesInput,
  queries: ReadonlyArray<{ metric: string; query: string; config: MetricConfig }>,
  severity: 'critical' | 'warning',
  intervalMs: number,
): AlertRule {
  const env = templateText(input.environment);
  const terms = queries.map(
    ({ metric, query, config }) =>
      `label_replace(${seriesCount(query, config)} > 1, "metric", "${escapePromqlString(metric)}", "", "")`,
  );
  const readings = Math.min(
    input.config.maxProviderErrors + 1,
    Math.floor(input.config.maxNoDataMs / intervalMs) + 1,
  );
  const forMs = ruleForMs(readings, intervalMs);
  return {
    alert: severity === 'critical' ? MULTIPLE_SERIES_ALERT : MULTIPLE_SERIES_WARNING_ALERT,
    expr: terms.join(' or '),
    ...(forMs > 0 ? { for: promDuration(forMs) } : {}),
    labels: { severity, environment: env },
    annotations: {
      summary: `The query of metric {{ $labels.metric }} returns {{ $value }} series on ${env}, not one`,
      description: `The analysis judges one series per metric: it reads several as a provider error (multiple-series) and no data, ${severity === 'critical' ? `and rolls back after more than max_provider_errors (${input.config.maxProviderErrors}) readings in a row of them or max_no_data without a value` : 'and, as only warning checks read the metric, neither rolls back nor warns on it'}; the checks on {{ $labels.metric }} are not alerted meanwhile. Aggregate the query to one series (sum(...), or select the one version or slot it is about)`,
    },
  };
}

/** The rules for one environment, or why there are none. */
export function deriveAlertRules(input: AlertRulesInput): AlertRulesResult {
  const intervalMs = input.intervalMs ?? ALERT_INTERVAL_MS;
  const checkRules: Array<{ check: string; rule: Omit<AlertRule, 'alert'> }> = [];
  const skipped: SkippedCheck[] = [];
  for (const check of input.config.checks) {
    const skip = skippedCheck(check);
    if (skip) skipped.push(skip);
    else if (check.kind === 'threshold') {
      const rule = thresholdRule(input, check, intervalMs);
      if ('expr' in rule) checkRules.push({ check: check.name, rule });
      else skipped.push(rule);
    }
  }
  // Named from the checks that have a rule, each by its own name (alertNames).
  const names = alertNames(
    checkRules.map((r) => r.check),
    RESERVED,
  );
  const rules: AlertRule[] = checkRules.map(({ check, rule }) => ({ alert: names.get(check)!, ...rule }));
  // Every metric a check reads (its request count too), skipped or not, when it is one Prometheus answers.
  const used = new Set(input.config.checks.flatMap(readMetrics));
  // The metrics the analysis waits for (judge.ts): a check's own, never a rule's request count, without which
  // it judges the rate alone; the dead-man's switch watches these only.
  const judged = new Set(input.config.checks.flatMap(checkMetrics));
  const queries: Array<{ metric: string; query: string; config: MetricConfig }> = [];
  for (const metric of [...used].sort()) {
    const rendered = renderedMetric(input.config, '', metric, input.vars);
    if (rendered.ok) queries.push({ metric, query: rendered.query, config: rendered.metric });
  }
  // The queries the check rules and the dead-man's switch hold (a check's metric is among them): one that is a
  // scalar would spoil the whole file, so none is written, and each such metric is named with what to write
  // instead. A request count's query is in no comparison and no absent(): a scalar there is one number, never
  // several series, and the analysis reads it as its count.
  const watched = queries.filter((q) => judged.has(q.metric));
  const scalars = watched.filter((q) => isScalarExpression(q.query));
  if (scalars.length > 0)
    return {
      ok: false,
      code: 'scalar-query',
      message: `${scalars.map((q) => `the query of metric ${q.metric}, ${JSON.stringify(q.query.trim())},`).join(' and ')} ${scalars.length === 1 ? 'is a scalar' : 'are scalars'} (a number, scalar(...), time() or pi(), or arithmetic of only those), which the analysis reads as its one number but an alerting rule cannot compare or test for absence (Prometheus refuses the file): write the query as an instant vector, vector(<query>) (the analysis reads it as the same number), or without scalar() around an aggregation such as sum(...), which is one series already`,
      skipped,
    };
  if (watched.length === 0)
    return {
      ok: false,
      code: 'no-prometheus-metric',
      message:
        input.config.checks.length === 0
          ? 'the analysis section has no checks (none written, and no metric the seeds preset checks is defined)'
          : 'no check reads a metric from Prometheus whose query can be written for the live release',
      skipped,
    };
  // A metric only warning checks read pages no one when it falls silent: the analysis's own dead-man's switch
  // does not count it either (judge.ts), so its switch is a warning too. A request count is in neither: the
  // analysis never waits for it (an interval without one is judged on the rate), and its switch paged while
  // the analysis would roll nothing back.
  const rollback = input.config.checks.filter((check) => !warnsOnly(check));
  const critical = new Set(rollback.flatMap(checkMetrics));
  const paging = watched.filter((q) => critical.has(q.metric));
  const warningOnly = watched.filter((q) => !critical.has(q.metric));
  if (paging.length) rules.push(noDataRule(input, paging, 'critical', intervalMs));
  if (warningOnly.length) rules.push(noDataRule(input, warningOnly, 'warning', intervalMs));
  // Several series of a request count are a provider error too, counted unless only warning checks read it
  // (judge.ts). A histogram metric is one series per bucket by design (the analysis reads them as buckets).
  const errorsCount = new Set(rollback.flatMap(readMetrics));
  const many = (qs: typeof queries) =>
    qs.filter((q) => !q.config.histogram && outerShape(q.query) === 'vector');
  const manyPaging = many(queries.filter((q) => errorsCount.has(q.metric)));
  const manyWarning = many(queries.filter((q) => !errorsCount.has(q.metric)));
  if (manyPaging.length) rules.push(multipleSeriesRule(input, manyPaging, 'critical', intervalMs));
  if (manyWarning.length) rules.push(multipleSeriesRule(input, manyWarning, 'warning', intervalMs));
  return {
    ok: true,
    group: { name: `deploy-action ${input.environment}`, interval: promDuration(intervalMs), rules },
    skipped,
  };
}

function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return value.toWellFormed() as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wellFormed(v)])) as T;
  return value;
}

/** Characters YAML reads as line breaks (NEL, LS, PS) or allows nowhere in a file (DEL, C1, U+FFFE/FFFF). */
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g;
const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A comment line: user text in it escaped onto one line, so it cannot end the comment or spoil the file. */
const comment = (text: string) => `# ${oneLine(text).replace(YAML_UNSAFE, escaped)}`;

/**
 * The rule file: `groups:` with the environment's one group, every string double-quoted (unambiguous in
 * YAML 1.1, which Prometheus reads, and 1.2), under comments saying what it is for and what was skipped.
 */
export function alertRulesYaml(
  result: Extract<AlertRulesResult, { ok: true }>,
  about: { environment: string; version: string; slot?: string },
): string {
  const header = [
    comment(
      `Prometheus alerting rules for environment ${JSON.stringify(about.environment)}, derived from its analysis config by deploy-action alerts.`,
    ),
    comment(
      `Queries written for version ${JSON.stringify(about.version)}${about.slot === undefined ? '' : ` on slot ${JSON.stringify(about.slot)}`}: derive them again after each deployment.`,
    ),
    ...(result.skipped.length > 0
      ? [
          comment('Checks with no alert here:'),
          ...result.skipped.map((s) => comment(`  ${JSON.stringify(s.check)} (${s.code}): ${s.reason}`)),
        ]
      : []),
  ];
  // Every string well formed (a lone surrogate has no escape Prometheus reads), and what the library writes
  // raw escaped (all are in "…" strings): the characters YAML 1.1 reads as line breaks (NEL, LS, PS), and
  // those YAML allows nowhere in a file (DEL, C1 controls, U+FFFE, U+FFFF), for which Prometheus refuses the
  // whole file ("control characters are not allowed").
  const body = stringify(
    { groups: [wellFormed(result.group)] },
    { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', doubleQuotedAsJSON: true, lineWidth: 0 },
  );
  return `${header.join('\n')}\n${body.replace(YAML_UNSAFE, escaped)}`;
}
