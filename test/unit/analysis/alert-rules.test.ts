// The alert rules derived from an analysis section (src/analysis/alert-rules.ts): each threshold check on a
// Prometheus metric fires on the side that breaks it, for as long as the check waits, at the check's
// severity; what cannot be a static alert is listed with its reason; names people chose reach the file
// only as text, never as YAML structure, a comment's end or a Go template action.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  alertNames,
  alertRulesYaml,
  deriveAlertRules,
  MULTIPLE_SERIES_ALERT,
  MULTIPLE_SERIES_WARNING_ALERT,
  NO_DATA_ALERT,
  NO_DATA_WARNING_ALERT,
  promDuration,
  templateText,
  type AlertRule,
  type AlertRulesResult,
} from '../../../src/analysis/alert-rules.ts';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { createJudgeState, judge } from '../../../src/analysis/judge.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';

const prom = { type: 'prometheus' as const, url: 'http://127.0.0.1:9090' };
const VARS = { environment: 'production', phase: 'monitor', version: 'v2', slot: 'blue' };

function derive(input: AnalysisConfigInput, vars: Record<string, string> = VARS, environment = 'production') {
  return deriveAlertRules({ environment, config: resolveAnalysisConfig(input), vars });
}

function ok(result: AlertRulesResult): Extract<AlertRulesResult, { ok: true }> {
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result;
}

const rule = (result: AlertRulesResult, check: string): AlertRule => {
  const found = ok(result).group.rules.find((r) => r.labels.check === templateText(check));
  assert.ok(found, `a rule for ${check}`);
  return found;
};

/**
 * A rule's comparison, without the guard a query that may return several series gets (`and on() count(…) ==
 * 1`: the analysis judges one series only); the guard has tests of its own.
 */
const judged = (r: AlertRule): string => r.expr.replace(/ and on\(\) count[^]* == 1$/, '');

const oneMetric = (checks: AnalysisConfigInput['checks'], query = 'app_value{version="{{version}}"}') => ({
  preset: 'none' as const,
  providers: { prom },
  metrics: { value: { provider: 'prom', query } },
  checks,
});

test('each threshold fires on the side that breaks it: <= at >, < at >=, >= at <, > at <=, never at Inf', () => {
  const result = derive(
    oneMetric([
      { name: 'le', check: 'value <= 0.5' },
      { name: 'lt', check: 'value < 0.5' },
      { name: 'ge', check: 'value >= 0.5' },
      { name: 'gt', check: 'value > 0.5' },
    ]),
  );
  // Bounded on the far side: an infinite value is no data to the analysis (the dead-man's switch), as NaN.
  assert.equal(judged(rule(result, 'le')), '(app_value{version="v2"}) > 0.5 < +Inf');
  assert.equal(judged(rule(result, 'lt')), '(app_value{version="v2"}) >= 0.5 < +Inf');
  assert.equal(judged(rule(result, 'ge')), '(app_value{version="v2"}) < 0.5 > -Inf');
  assert.equal(judged(rule(result, 'gt')), '(app_value{version="v2"}) <= 0.5 > -Inf');
});

test('a value the analysis reads as no data never fires a rule: a fraction outside 0..1, a negative latency or count', () => {
  // domain.ts: an error rate of 1.7 or a p95 of -3 is a provider error of its interval, not a breach.
  const { group } = ok(
    derive({
      preset: 'none',
      providers: { prom },
      metrics: {
        error_rate: { provider: 'prom', query: 'e' },
        success_rate: { provider: 'prom', query: 's' },
        p95: { provider: 'prom', query: 'p' },
        requests: { provider: 'prom', query: 'r' },
      },
      checks: [
        { name: 'errors', check: 'error_rate < 0.05' },
        { name: 'success', check: 'success_rate > 0.99' },
        { name: 'latency', check: 'p95 < 2' },
        { name: 'traffic', check: 'requests > 10' },
      ],
    }),
  );
  const expr = (check: string) => judged(group.rules.find((r) => r.labels.check === check)!);
  assert.equal(expr('errors'), '(e) >= 0.05 <= 1.000000001');
  assert.equal(expr('success'), '(s) <= 0.99 >= -1e-9');
  assert.equal(expr('latency'), '(p) >= 2 < +Inf');
  assert.equal(expr('traffic'), '(r) <= 10 >= 0');
});

test("a rollback check is critical, on_breach: warn a warning; `for` one evaluation short of the check's wait, none for 0", () => {
  const result = derive(
    oneMetric([
      { name: 'rollback', check: 'value < 1', for: '5m' },
      { name: 'warn', check: 'value < 1', on_breach: 'warn' },
      { name: 'odd', check: 'value < 1', for: '90500ms' },
    ]),
  );
  assert.equal(rule(result, 'rollback').labels.severity, 'critical');
  // The analysis breaks `for: 5m` at its 10th reading over the limit every 30s; Prometheus fires `for: 4m30s`
  // at its 10th evaluation over it (pending at the first).
  assert.equal(rule(result, 'rollback').for, '4m30s');
  assert.match(rule(result, 'rollback').annotations.description!, /\(>= 1 for 5m\)/);
  assert.equal(rule(result, 'warn').labels.severity, 'warning');
  assert.equal('for' in rule(result, 'warn'), false);
  // Whole intervals, as the analysis counts them: 90.5s is 4 readings, fired at the 4th evaluation.
  assert.equal(rule(result, 'odd').for, '1m30s');
  assert.equal(rule(result, 'warn').labels.environment, 'production');
});

test('the seeds preset: its thresholds become rules, a rate without counts waits two evaluations', () => {
  const result = ok(
    derive({
      providers: { prom },
      metrics: {
        error_rate: { provider: 'prom', query: 'job:errors:ratio{version="{{version}}"}' },
        memory: { provider: 'prom', query: 'job:memory:ratio{slot="{{slot}}"}' },
      },
    }),
  );
  const byCheck = Object.fromEntries(result.group.rules.map((r) => [r.labels.check, r]));
  assert.deepEqual(
    Object.keys(byCheck).sort(),
    [
      'seeds.error-rate',
      'seeds.error-rate-critical',
      'seeds.error-rate-warning',
      'seeds.memory',
      'seeds.memory-warning',
      // The dead-man's switch has no check label.
      'undefined',
    ].sort(),
  );
  assert.equal(
    judged(byCheck['seeds.error-rate']!),
    '(job:errors:ratio{version="v2"}) > 0.01 <= 1.000000001',
  );
  assert.equal(byCheck['seeds.error-rate']!.for, '4m30s');
  // Seed 02's immediate trigger: the second interval in a row over 10 % (judge.ts), here two evaluations.
  assert.equal(byCheck['seeds.error-rate-critical']!.for, '30s');
  // Without a requests metric the analysis has no counts to test: the description says what it does.
  const critical = byCheck['seeds.error-rate-critical']!.annotations.description!;
  assert.doesNotMatch(critical, /counts/);
  assert.match(critical, /without a request count, the analysis takes two intervals in a row over the limit/);
  assert.equal(judged(byCheck['seeds.memory']!), '(job:memory:ratio{slot="blue"}) > 0.95 < +Inf');
  assert.equal(byCheck['seeds.memory-warning']!.labels.severity, 'warning');
  assert.equal(result.group.interval, '30s');
});

test('what cannot be a static alert is listed with its reason code, never dropped', () => {
  const result = derive({
    preset: 'none',
    providers: { prom, probe: { type: 'http', url: 'http://127.0.0.1:1/health' } },
    metrics: {
      error_rate: { provider: 'prom', query: 'e{version="{{version}}"}' },
      requests: { provider: 'prom', query: 'r{version="{{version}}"}' },
      errors: { provider: 'prom', query: 'x{version="{{version}}"}' },
      p95: { provider: 'prom', query: 'p{version="{{version}}"}' },
      latency: { provider: 'prom', query: 'sum by (le) (b{version="{{version}}"})', histogram: true },
      success_rate: { provider: 'probe' },
      vs: { provider: 'prom', query: 'v{version="{{stable_version}}"}' },
    },
    checks: [
      { name: 'relative', check: 'p95 < 2x baseline' },
      { name: 'errors', compare: 'errors', errors: 'errors', requests: 'requests' },
      { name: 'values', compare: 'values', metric: 'p95' },
      { name: 'histogram', compare: 'histogram', metric: 'latency' },
      { name: 'counted', check: 'error_rate < 10%', requests: 'requests' },
      { name: 'prober', check: 'success_rate > 0.99' },
      { name: 'template', check: 'vs < 1' },
      { name: 'kept', check: 'p95 < 1' },
    ],
  });
  const { skipped, group } = ok(result);
  assert.deepEqual(
    skipped.map((s) => [s.check, s.code]),
    [
      ['relative', 'relative'],
      ['errors', 'statistical'],
      ['values', 'statistical'],
      ['histogram', 'statistical'],
      ['prober', 'not-prometheus'],
      ['template', 'template'],
    ],
  );
  assert.match(skipped.find((s) => s.code === 'template')!.reason, /\{\{stable_version\}\} has no value/);
  assert.deepEqual(
    group.rules.map((r) => r.alert),
    ['Counted', 'Kept', NO_DATA_ALERT, MULTIPLE_SERIES_ALERT],
  );
  // A histogram metric's buckets are one series each by design: never "several series".
  const many = group.rules.find((r) => r.alert === MULTIPLE_SERIES_ALERT)!.expr;
  assert.match(many, /"metric", "p95"/);
  assert.doesNotMatch(many, /latency/);
  // The file says what was skipped, at its top.
  const text = alertRulesYaml(ok(result), { environment: 'production', version: 'v2' });
  for (const s of skipped) assert.ok(text.includes(`# ${'  '}"${s.check}" (${s.code}): `), s.check);
});

test("the dead-man's switch: every Prometheus metric a check judges, absent, NaN or Inf for max_no_data; never a request count", () => {
  const analysis: AnalysisConfigInput = {
    preset: 'none',
    max_no_data: '2m',
    providers: { prom },
    metrics: {
      error_rate: { provider: 'prom', query: 'e{version="{{version}}"}' },
      requests: { provider: 'prom', query: 'r{version="{{version}}"}' },
      unused: { provider: 'prom', query: 'u' },
    },
    checks: [{ name: 'counted', check: 'error_rate < 10%', requests: 'requests' }],
  };
  const result = ok(derive(analysis));
  assert.deepEqual(
    result.group.rules.map((r) => r.alert),
    ['Counted', NO_DATA_ALERT, MULTIPLE_SERIES_ALERT],
  );
  const noData = result.group.rules.find((r) => r.alert === NO_DATA_ALERT)!;
  assert.equal(noData.alert, NO_DATA_ALERT);
  assert.equal(noData.for, '2m');
  assert.equal(noData.labels.severity, 'critical');
  // The analysis never waits for a request count: without one it judges the rate alone, and rolls nothing
  // back however long the count is missing. The switch watched it too, and paged where the analysis would not.
  let state = createJudgeState(resolveAnalysisConfig(analysis), { intervalMs: 30_000 });
  for (let i = 1; i <= 20; i++) {
    const judged = judge(state, { at: i * 30_000, canary: { error_rate: 0.01 }, errors: [] });
    state = judged.state;
    assert.notEqual(judged.decision.kind, 'rollback', judged.decision.reason);
  }
  assert.equal(
    noData.expr,
    'label_replace(absent((e{version="v2"}) > -Inf < +Inf), "metric", "error_rate", "", "")',
  );
  // Several series of it are a provider error the analysis counts (max_provider_errors): that rule keeps it.
  assert.match(
    result.group.rules.find((r) => r.alert === MULTIPLE_SERIES_ALERT)!.expr,
    /count\(r\{version="v2"\}\) > 1, "metric", "requests"/,
  );
});

test('a request count whose query is a scalar is no reason to refuse the file: no rule compares it or tests it for absence', () => {
  const { group } = ok(
    derive({
      preset: 'none',
      providers: { prom },
      metrics: {
        error_rate: { provider: 'prom', query: 'e' },
        requests: { provider: 'prom', query: 'scalar(sum(increase(r[1m])))' },
      },
      checks: [{ name: 'counted', check: 'error_rate < 10%', requests: 'requests' }],
    }),
  );
  // Nowhere in the file: a scalar is one number, never several series, and count() of it is refused.
  assert.ok(
    group.rules.every((r) => !r.expr.includes('scalar(')),
    JSON.stringify(group.rules),
  );
});

test('a range metric is judged as its reduction over the window, as the provider reads it', () => {
  const result = derive({
    preset: 'none',
    providers: { prom },
    metrics: {
      mean: { provider: 'prom', query: 'm', range: { window: '5m' } },
      max: { provider: 'prom', query: 'm', range: { window: '10m', step: '30s', reduce: 'max' } },
    },
    checks: [
      { name: 'mean', check: 'mean < 1' },
      { name: 'max', check: 'max < 1' },
    ],
  });
  // Over the finite points: the provider drops NaN and Inf before reducing.
  assert.equal(judged(rule(result, 'mean')), 'avg_over_time(((m) > -Inf < +Inf)[5m:5s]) >= 1');
  assert.equal(judged(rule(result, 'max')), 'max_over_time(((m) > -Inf < +Inf)[10m:30s]) >= 1');
  // No data, as the provider reads a range metric: no finite point in its window.
  assert.equal(
    ok(result).group.rules.find((r) => r.alert === NO_DATA_ALERT)!.expr,
    'label_replace(absent(count_over_time(((m) > -Inf < +Inf)[10m:30s])), "metric", "max", "", "") or ' +
      'label_replace(absent(count_over_time(((m) > -Inf < +Inf)[5m:5s])), "metric", "mean", "", "")',
  );
});

test('a query ending in a # comment is closed on a line of its own', () => {
  const result = derive(oneMetric([{ name: 'c', check: 'value < 1' }], 'app_value # the value'));
  assert.equal(judged(rule(result, 'c')), '(\napp_value # the value\n) >= 1 < +Inf');
});

test('values are written into the query by the analysis renderer: escaped, or refused where they cannot go', () => {
  const hostile = { ...VARS, version: 'v2"} or vector(1) #', slot: 'a\\b' };
  const result = derive(
    oneMetric([{ name: 'c', check: 'value < 1' }], 'app_value{version="{{version}}",slot=~"{{slot}}"}'),
    hostile,
  );
  assert.equal(
    judged(rule(result, 'c')),
    // Its '#' (inside a string, but a comment for all this file knows) puts the query on a line of its own.
    String.raw`(` +
      `\n` +
      String.raw`app_value{version="v2\"} or vector(1) #",slot=~"a\\\\b"}` +
      `\n) >= 1 < +Inf`,
  );
  const refused = derive(
    oneMetric([{ name: 'c', check: 'value < 1' }], 'app_value offset {{version}}'),
    hostile,
  );
  assert.equal(refused.ok, false);
  assert.deepEqual(
    refused.skipped.map((s) => s.code),
    ['template'],
  );
});

test('a scalar query is refused, naming the metric and what to write: Prometheus refuses such a rule file', () => {
  // The analysis reads a scalar answer as its number, but `(scalar(...)) > 0.5` ("comparisons between scalars
  // must use BOOL modifier") and `absent((time()) > -Inf < +Inf)` made promtool and Prometheus refuse the file.
  const result = derive({
    preset: 'none',
    providers: { prom },
    metrics: {
      ratio: { provider: 'prom', query: 'scalar(sum(e{version="{{version}}"}))' },
      fine: { provider: 'prom', query: 'sum(f)' },
      // Read by a skipped check only: its query is still in the dead-man's switch.
      uptime: { provider: 'prom', query: 'time() - 1e9' },
    },
    checks: [{ check: 'ratio < 0.5' }, { check: 'fine < 1' }, { check: 'uptime < 2x baseline' }],
  });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.code, 'scalar-query');
  const message = !result.ok ? result.message : '';
  assert.match(
    message,
    /^the query of metric ratio, "scalar\(sum\(e\{version=\\"v2\\"\}\)\)", and the query of metric uptime, "time\(\) - 1e9", are scalars /,
  );
  assert.doesNotMatch(message, /metric fine/);
  assert.match(message, /write the query as an instant vector, vector\(<query>\)/);
  // The vector it suggests is a rule Prometheus takes.
  assert.equal(
    rule(derive(oneMetric([{ name: 'v', check: 'value < 0.5' }], 'vector(scalar(x))')), 'v').expr,
    '(vector(scalar(x))) >= 0.5 < +Inf',
  );
});

test('no Prometheus metric to alert on: an error that says so', () => {
  const result = derive({
    preset: 'none',
    providers: { probe: { type: 'http', url: 'http://127.0.0.1:1/' } },
    metrics: { success_rate: { provider: 'probe' } },
    checks: [{ check: 'success_rate > 0.99' }],
  });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.code, 'no-prometheus-metric');
  assert.deepEqual(
    result.skipped.map((s) => s.code),
    ['not-prometheus'],
  );
  const none = derive({ preset: 'none', providers: { prom }, metrics: {} });
  assert.match(!none.ok ? none.message : '', /no checks/);
});

test('alert names: CamelCase from the check name, valid, unique, never the dead-man switch', () => {
  const checks = [
    'seeds.error-rate',
    'p95 < 2',
    'p95 > 2',
    'error_rate <= 1%',
    'apdex >= 0.95',
    '99th percentile',
    '错误率',
    '{{ $value }}',
    'metrics absent',
    'seeds_error_rate',
    '错误率 2',
    '---',
  ];
  const names = alertNames(checks, [NO_DATA_ALERT]);
  const hash = (check: string) => createHash('sha256').update(check).digest('hex').slice(0, 8);
  assert.deepEqual(Object.fromEntries(names), {
    'seeds.error-rate': 'SeedsErrorRate',
    'p95 < 2': 'P95Below2',
    'p95 > 2': 'P95Above2',
    'error_rate <= 1%': 'ErrorRateAtMost1Percent',
    'apdex >= 0.95': 'ApdexAtLeast0_95',
    '99th percentile': 'Check99thPercentile',
    // Of names with one CamelCase, the first in code-unit order keeps it ('---' before '错误率').
    '---': 'Check',
    错误率: `Check__${hash('错误率')}`,
    '{{ $value }}': 'Value',
    // A reserved name is never a check's.
    'metrics absent': `MetricsAbsent__${hash('metrics absent')}`,
    seeds_error_rate: `SeedsErrorRate__${hash('seeds_error_rate')}`,
    '错误率 2': 'Check2',
  });
  for (const n of names.values()) assert.match(n, /^[A-Za-z_][A-Za-z0-9_]*$/);
});

test('alert names: each from its own check, the same whatever other checks are added, removed or reordered', () => {
  // A counter named them: of `error-rate` and `error_rate` the one listed second was ErrorRate2, so swapping
  // them swapped the names (Alertmanager's silences and routes by name followed the wrong check), and
  // `error rate` listed first renamed both.
  const alertOf = (names: string[]) => {
    const { group } = ok(derive(oneMetric(names.map((name) => ({ name, check: 'value < 1' })))));
    return Object.fromEntries(
      group.rules.filter((r) => r.labels.check).map((r) => [r.labels.check, r.alert]),
    );
  };
  const first = alertOf(['error-rate', 'error_rate']);
  assert.equal(new Set(Object.values(first)).size, 2, 'distinct names');
  const reordered = alertOf(['error_rate', 'error-rate']);
  const added = alertOf(['other', 'error_rate', 'p95', 'error-rate']);
  for (const check of ['error-rate', 'error_rate']) {
    assert.equal(reordered[check], first[check], check);
    assert.equal(added[check], first[check], check);
  }
  assert.equal(first['error-rate'], 'ErrorRate');
  // A name of its own is the CamelCase alone, whatever comes before it.
  assert.equal(alertOf(['a', 'b', 'latency budget'])['latency budget'], 'LatencyBudget');
});

test('promDuration: whole units, largest first', () => {
  assert.equal(promDuration(0), '0s');
  assert.equal(promDuration(500), '500ms');
  assert.equal(promDuration(300_000), '5m');
  assert.equal(promDuration(3_600_000 + 61_001), '1h1m1s1ms');
  assert.equal(promDuration(2.6), '3ms');
});

/**
 * A Go text/template's text with every action expanded as Prometheus would for these (the only actions the
 * file holds: the escaped `{`, $value and $labels.metric); throws on any other action, or a `{{` left open.
 */
function expand(text: string): string {
  return text.replace(/\{\{([^]*?)\}\}|\{\{/g, (whole, action: string | undefined) => {
    if (action === ' "{" ') return '{';
    if (action === ' $value ') return '0.5';
    if (action === ' $labels.metric ') return 'm';
    throw new Error(`an action the file must not hold: ${whole} in ${JSON.stringify(text)}`);
  });
}

const HOSTILE_NAMES = [
  '{{ $value }}',
  '{{ template "x" . }}',
  'ends in {',
  '{',
  '{{{',
  '}} {{',
  'a\nb: c',
  'line\u2028sep\u0085nel\u2029',
  // Characters YAML does not allow in a file at all (DEL, C1 controls, the two noncharacters of the BMP):
  // Prometheus refuses the whole file ("control characters are not allowed").
  'del \u007f c1 \u0080\u009b non \ufffe\uffff',
  'lone \ud800 surrogate',
  '"quoted" #comment',
  "- it's: [x]",
  'yes',
  '1.0',
];

test('hostile check and environment names are only text: YAML values, one-line comments, no template action', () => {
  for (const name of HOSTILE_NAMES) {
    // A lone surrogate (no character at all) is written as U+FFFD.
    const hostile = name.toWellFormed();
    const input = {
      preset: 'none' as const,
      providers: { prom, probe: { type: 'http' as const, url: 'http://127.0.0.1:1/' } },
      metrics: { value: { provider: 'prom', query: 'v' }, success_rate: { provider: 'probe' } },
      checks: [
        { name, check: 'value < 1' },
        { name: `${name} skipped`, check: 'success_rate > 0.99' },
      ],
    };
    const result = ok(derive(input, VARS, name));
    const text = alertRulesYaml(result, { environment: name, version: 'v2', slot: name });
    const lines = text.split(/\r?\n|\r|\u0085|\u2028|\u2029/);
    const body = lines.findIndex((l) => l === 'groups:');
    assert.ok(
      lines.slice(0, body).every((l) => l.startsWith('# ')),
      `${JSON.stringify(name)}: every line above groups: is a comment:\n${text}`,
    );
    const parsed = parse(text) as { groups: Array<{ rules: AlertRule[] }> };
    assert.deepEqual(Object.keys(parsed), ['groups']);
    const [check, noData] = parsed.groups[0]!.rules;
    assert.equal(expand(check!.labels.check!), hostile);
    assert.equal(expand(check!.labels.environment!), hostile);
    assert.equal(expand(check!.annotations.summary!), `${hostile} breached on ${hostile}`);
    assert.ok(expand(check!.annotations.description!).includes(`the check ${hostile} requires`));
    assert.equal(expand(noData!.labels.environment!), hostile);
    assert.equal(expand(noData!.annotations.summary!), `No data for m on ${hostile}`);
    assert.doesNotMatch(text, /[\u0085\u2028\u2029]/, 'no character YAML 1.1 reads as a line break');
    assert.doesNotMatch(text, /[\u007f-\u009f\ufffe\uffff]/, 'no character YAML does not allow in a file');
  }
});

test('a rate with a request count gets its alert on the rate; a counted check holds it for two evaluations', () => {
  // The seeds preset with a `requests` metric: every error-rate level reads the count (one error less, and
  // seed 02's 10 % an exact test on it). Seed 01's HighErrorRate is the rate over its limit, not the test.
  const { group, skipped } = ok(
    derive({
      providers: { prom },
      metrics: {
        error_rate: { provider: 'prom', query: 'e{version="{{version}}"}' },
        requests: { provider: 'prom', query: 'r{version="{{version}}"}' },
      },
    }),
  );
  const byCheck = new Map(group.rules.map((r) => [r.labels.check, r]));
  const sustained = byCheck.get('seeds.error-rate')!;
  assert.equal(judged(sustained), '(e{version="v2"}) > 0.01 <= 1.000000001');
  assert.equal(sustained.for, '4m30s');
  assert.equal(sustained.labels.severity, 'critical');
  const critical = byCheck.get('seeds.error-rate-critical')!;
  assert.equal(judged(critical), '(e{version="v2"}) > 0.1 <= 1.000000001');
  assert.equal(critical.for, '30s', 'two evaluations of a 30s group');
  assert.match(critical.annotations.description ?? '', /tests each interval's requests counts/);
  const warning = byCheck.get('seeds.error-rate-warning')!;
  assert.equal(warning.labels.severity, 'warning');
  // Decided as the critical level is (the warning on low traffic's noise: warning-checks.test.ts).
  assert.equal(warning.for, '30s', 'two evaluations of a 30s group');
  // What stays without an alert compares with another version or a baseline.
  assert.deepEqual([...new Set(skipped.map((s) => s.code))].sort(), ['relative', 'statistical']);
  assert.ok(skipped.every((s) => s.check !== 'seeds.error-rate'));
});

test("a counted check held `for` a time fires at the analysis's reading too, and says how many evaluations", () => {
  const { group } = ok(
    derive({
      preset: 'none',
      max_no_data: '100s',
      providers: { prom },
      metrics: {
        error_rate: { provider: 'prom', query: 'e' },
        requests: { provider: 'prom', query: 'r' },
      },
      checks: [{ name: 'held', check: 'error_rate < 5%', requests: 'requests', for: '5m' }],
    }),
  );
  const held = group.rules.find((r) => r.labels.check === 'held')!;
  assert.equal(held.for, '4m30s');
  assert.match(held.annotations.description!, /for 10 evaluations in a row\)$/);
  // The analysis rolls back at the first reading more than 100s after the last data: the 4th without data
  // every 30s (120s), which Prometheus fires at with `for: 1m30s`.
  assert.equal(group.rules.find((r) => r.alert === NO_DATA_ALERT)!.for, '1m30s');
});

test('several series: a check fires only while its query returns one, and a rule says when it returns more', () => {
  // The analysis reads several series as a provider error (multiple-series) and judges none of them; the
  // rule fired once per series over the limit, as breaches the analysis never saw.
  const { group } = ok(
    derive({
      preset: 'none',
      max_provider_errors: 3,
      providers: { prom },
      metrics: {
        value: { provider: 'prom', query: 'app_value{version="{{version}}"}' },
        ranged: { provider: 'prom', query: 'app_ranged', range: { window: '5m', step: '5s' } },
        ratio: { provider: 'prom', query: 'sum(rate(e[1m])) / sum(rate(r[1m]))' },
        cpu: { provider: 'prom', query: 'c' },
      },
      checks: [
        { name: 'value', check: 'value < 1' },
        { name: 'ranged', check: 'ranged < 1' },
        { name: 'ratio', check: 'ratio < 0.1' },
        { name: 'cpu', check: 'cpu < 0.8', on_breach: 'warn' },
      ],
    }),
  );
  const byName = new Map(group.rules.map((r) => [r.labels.check ?? r.alert, r]));
  assert.equal(
    byName.get('value')!.expr,
    '(app_value{version="v2"}) >= 1 < +Inf and on() count(app_value{version="v2"}) == 1',
  );
  assert.equal(
    byName.get('ranged')!.expr,
    'avg_over_time(((app_ranged) > -Inf < +Inf)[5m:5s]) >= 1 and on() count(count_over_time((app_ranged)[5m:5s])) == 1',
  );
  // An aggregation keeping no label is one series: no guard, and no term in the rule below.
  assert.equal(byName.get('ratio')!.expr, '(sum(rate(e[1m])) / sum(rate(r[1m]))) >= 0.1 < +Inf');
  const many = byName.get(MULTIPLE_SERIES_ALERT)!;
  assert.equal(
    many.expr,
    'label_replace(count(count_over_time((app_ranged)[5m:5s])) > 1, "metric", "ranged", "", "") or ' +
      'label_replace(count(app_value{version="v2"}) > 1, "metric", "value", "", "")',
  );
  // The analysis rolls back at the 4th reading in a row with a provider error (more than 3): for 3 intervals.
  assert.equal(many.for, '1m30s');
  assert.equal(many.labels.severity, 'critical');
  assert.match(
    many.annotations.summary!,
    /^The query of metric \{\{ \$labels\.metric \}\} returns \{\{ \$value \}\} series on production, not one$/,
  );
  assert.match(many.annotations.description!, /multiple-series/);
  // A metric only warning checks read: the analysis does not count its errors either.
  const warning = byName.get(MULTIPLE_SERIES_WARNING_ALERT)!;
  assert.equal(warning.labels.severity, 'warning');
  assert.equal(warning.expr, 'label_replace(count(c) > 1, "metric", "cpu", "", "")');
  assert.match(warning.annotations.description!, /neither rolls back nor warns/);
  assert.match(many.annotations.description!, /rolls back after more than max_provider_errors \(3\)/);
  // max_no_data first when it is shorter: 2 readings without a value (more than 30s after the last data).
  const short = ok(
    derive({ ...oneMetric([{ name: 'v', check: 'value < 1' }]), max_no_data: '30s', max_provider_errors: 5 }),
  );
  assert.equal(short.group.rules.find((r) => r.alert === MULTIPLE_SERIES_ALERT)!.for, '30s');
});

test("a metric only warning checks read has a warning dead-man's switch, not a critical one", () => {
  // The analysis's own switch does not count a warning check's metric (its silence rolls nothing back), so
  // its silence should not page either.
  const { group } = ok(
    derive({
      preset: 'none',
      providers: { prom },
      metrics: {
        error_rate: { provider: 'prom', query: 'e{version="{{version}}"}' },
        cpu: { provider: 'prom', query: 'c{version="{{version}}"}' },
      },
      checks: [
        { name: 'errors', check: 'error_rate < 0.05' },
        { name: 'cpu', check: 'cpu < 0.8', on_breach: 'warn' },
      ],
    }),
  );
  const switches = group.rules.filter((r) => r.alert === NO_DATA_ALERT || r.alert === NO_DATA_WARNING_ALERT);
  assert.deepEqual(
    switches.map((r) => [r.alert, r.labels.severity, /"metric", "(\w+)"/.exec(r.expr)?.[1]]),
    [
      [NO_DATA_ALERT, 'critical', 'error_rate'],
      [NO_DATA_WARNING_ALERT, 'warning', 'cpu'],
    ],
  );
  assert.ok(!switches[0]!.expr.includes('c{'), 'the critical switch does not read cpu');
});
