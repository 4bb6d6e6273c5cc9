// `deploy-action alerts` against the real tools: every generated rule file passes `promtool check rules`
// (the seeds preset over every metric it knows, range metrics, a query ending in a comment, hostile check
// names and values), and a file loaded into a real Prometheus scraping a loopback exporter fires the alerts
// whose thresholds the exported values break, with the check's name as it was written, and the dead-man's
// switch for a metric with no series and one that is NaN, and for a query returning two series the rule
// saying so instead of the check's. promtool's rule tests compare the minute each alert fires with the
// minute the analysis (judge.ts) rolls back over the same readings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { readMetrics, resolveAnalysisConfig } from '../../src/analysis/config.ts';
import { createJudgeState, judge } from '../../src/analysis/judge.ts';
import type { AnalysisConfigInput } from '../../src/analysis/schema.ts';
import type { SampleError } from '../../src/analysis/types.ts';
import { main } from '../../src/cli/main.ts';
import { EXIT_CODES } from '../../src/util/exit-codes.ts';
import {
  startMetricsServer,
  startPrometheus,
  type MetricsServer,
  type RunningPrometheus,
} from '../helpers/prometheus.ts';

let dir: string;
before(() => void (dir = mkdtempSync(join(tmpdir(), 'alert-rules-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const prom = { type: 'prometheus', url: 'http://127.0.0.1:9090' };

/** Check names that would be YAML, a comment's end or a Go template action if written raw. */
const HOSTILE = [
  'a {{ $value }}\n{{ template "x" . }} "q" #c {',
  '{{{',
  'ends in {',
  "- it's: [x]\u2028\u0085",
  'yes',
  'del \u007f c1 \u0080\u009b non \ufffe',
];

/** The rule file `alerts` writes for a config (its environment `production`). */
async function rulesFor(name: string, config: object, args: string[] = []): Promise<string> {
  const file = join(dir, `${name}.deploy.yml`);
  writeFileSync(
    file,
    stringify({
      state_dir: join(dir, 'state'),
      // Blue-green: the queries select by {{slot}}, which a direct environment's analysis may not.
      target: { commands: { deploy: './d.sh', switch: './s.sh {{slot}}' } },
      ...config,
      environments: { production: { strategy: 'blue-green' } },
    }),
  );
  const output = join(dir, `${name}.rules.yml`);
  let err = '';
  const code = await main(
    ['alerts', '-e', 'production', '-c', file, '-v', 'v1', '--slot', 'blue', '-o', output, ...args],
    {
      out: () => undefined,
      err: (t) => void (err += t),
    },
  );
  assert.equal(code, EXIT_CODES.success, err);
  return output;
}

/** promtool from PATH; its absence fails the test (CI installs it with the Debian package prometheus). */
function promtool(): string {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '')
    assert.fail(
      'promtool is not installed: this test checks the generated rule files with it. Install the Debian package prometheus (CI installs it in .github/workflows/ci.yml), which has promtool',
    );
  return path;
}

test('promtool check rules accepts every file: the seeds preset, range metrics, comments, hostile names and values', async () => {
  const files = [
    await rulesFor('seeds', {
      analysis: {
        providers: { prom },
        metrics: {
          error_rate: {
            provider: 'prom',
            query: 'sum(rate(e{version="{{version}}"}[1m])) / sum(rate(r{version="{{version}}"}[1m]))',
          },
          memory: { provider: 'prom', query: 'max(m{slot=~"{{slot}}"}) # the worst pod' },
          health: { provider: 'prom', query: 'min(up{slot="{{slot}}"})' },
          apdex: {
            provider: 'prom',
            query: 'apdex{version=`{{version}}`}',
            range: { window: '5m', reduce: 'min' },
          },
          cpu: {
            provider: 'prom',
            query: 'c{version="{{version}}"}',
            range: { window: '90s', step: '1500ms' },
          },
          p95: {
            provider: 'prom',
            query: 'histogram_quantile(0.95, sum by (le) (rate(b{version="{{version}}"}[1m])))',
          },
          latency: {
            provider: 'prom',
            query: 'sum by (le) (increase(b{version="{{version}}"}[1m]))',
            histogram: true,
          },
        },
      },
    }),
    await rulesFor('counted', {
      analysis: {
        providers: { prom },
        metrics: {
          error_rate: { provider: 'prom', query: 'e{version="{{version}}"}' },
          requests: { provider: 'prom', query: 'r{version="{{version}}"}' },
        },
      },
    }),
    await rulesFor('hostile', {
      analysis: {
        preset: 'none',
        providers: { prom },
        metrics: { value: { provider: 'prom', query: 'v{version="{{version}}",slot=~"{{slot}}"}' } },
        checks: HOSTILE.map((name, i) => ({
          name,
          check: `value < ${i + 1}`,
          ...(i % 2 ? { on_breach: 'warn' } : { for: '1m' }),
        })),
      },
    }),
  ];
  const result = spawnSync(promtool(), ['check', 'rules', ...files], { encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  // seeds: error rate x3, memory x2, health, apdex, cpu, and the dead-man's switch in two (cpu is read by a
  // warning check only, so its silence warns), and the several-series rule in two (apdex; cpu, a warning: the
  // other queries keep no label, one series); counted: the three
  // error-rate levels on the rate (a request count changes how the analysis judges them, not the alert),
  // the switch and the several-series rule; hostile: one each.
  assert.deepEqual(
    [...result.stdout.matchAll(/SUCCESS: (\d+) rules found/g)].map((m) => Number(m[1])),
    [12, 5, HOSTILE.length + 2],
    result.stdout,
  );
});

/**
 * `promtool test rules` of the file `rules` over `series` (1m apart): at each of `times`, exactly the alerts
 * `expected` names (`alertname` or `alertname/metric`, sorted) are firing.
 */
function firingOver(
  rules: string,
  series: Record<string, string>,
  times: string[],
  expected: Record<string, string[]>,
): { status: number | null; output: string } {
  const file = `${rules}.test.yml`;
  writeFileSync(
    file,
    stringify({
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: Object.entries(series).map(([name, values]) => ({ series: name, values })),
          promql_expr_test: times.map((time) => ({
            expr: 'count by (alertname, metric) (ALERTS{alertstate="firing"})',
            eval_time: time,
            exp_samples: (expected[time] ?? []).map((key) => {
              const [alertname, metric] = key.split('/');
              return { labels: `{alertname="${alertname}"${metric ? `,metric="${metric}"` : ''}}`, value: 1 };
            }),
          })),
        },
      ],
    }),
  );
  const result = spawnSync(promtool(), ['test', 'rules', file], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('promtool test rules: a range metric is reduced over its finite points, as the provider reduces them', async () => {
  // The provider drops NaN and Inf points before reducing (an idle step's 0/0): one such point in the window
  // made avg_over_time NaN, and a last one made last_over_time NaN, and neither alert ever fired.
  const rules = await rulesFor(
    'range-nan',
    {
      analysis: {
        preset: 'none',
        max_no_data: '10m',
        providers: { prom },
        metrics: {
          mean: {
            provider: 'prom',
            query: 'm_mean{version="{{version}}"}',
            range: { window: '5m', step: '1m' },
          },
          last: {
            provider: 'prom',
            query: 'm_last{version="{{version}}"}',
            range: { window: '3m', step: '1m', reduce: 'last' },
          },
        },
        checks: [
          { name: 'mean', check: 'mean < 0.5' },
          { name: 'last', check: 'last < 0.5' },
        ],
      },
    },
    ['--interval', '1m'],
  );
  const { status, output } = firingOver(
    rules,
    {
      'm_mean{version="v1"}': '0.9 0.9 NaN 0.9 0.9 0.9 0.9 0.9',
      'm_last{version="v1"}': '0.1 0.1 0.9 Inf NaN NaN 0.1 0.1',
    },
    ['1m', '4m', '5m', '7m'],
    // mean: 0.9 over every finite point; last: 0.9 the last finite point from 2m until 0.1 at 6m.
    { '1m': ['Mean'], '4m': ['Last', 'Mean'], '5m': ['Last', 'Mean'], '7m': ['Mean'] },
  );
  assert.equal(status, 0, output);
});

test('promtool test rules: Inf is no data, as the analysis reads it: no breach, the dead-man switch fires', async () => {
  // The provider reads +Inf and -Inf as no value (not-a-number), as NaN: the analysis neither rolls back on
  // them as a breach nor counts them as data. `>= -Inf` kept them, and +Inf broke an upper limit at once.
  const rules = await rulesFor(
    'inf',
    {
      analysis: {
        preset: 'none',
        max_no_data: '2m',
        providers: { prom },
        metrics: {
          up: { provider: 'prom', query: 'm_up{version="{{version}}"}' },
          down: { provider: 'prom', query: 'm_down{version="{{version}}"}' },
        },
        checks: [
          { name: 'up', check: 'up < 0.5' },
          { name: 'down', check: 'down >= 0.5' },
        ],
      },
    },
    ['--interval', '1m'],
  );
  const { status, output } = firingOver(
    rules,
    {
      'm_up{version="v1"}': '0.1 +Inf +Inf +Inf +Inf 0.9',
      'm_down{version="v1"}': '0.9 -Inf -Inf -Inf -Inf 0.1',
    },
    ['0m', '1m', '3m', '5m'],
    { '3m': ['MetricsAbsent/down', 'MetricsAbsent/up'], '5m': ['Down', 'Up'] },
  );
  assert.equal(status, 0, output);
});

test('promtool test rules: a range metric has no data when its window has no finite point, as the provider reads it', async () => {
  // The provider reads a range metric over its window: an idle stretch shorter than the window still leaves
  // points, and the analysis judges them. The instant query's absence fired the switch (critical) anyway.
  const rules = await rulesFor(
    'range-absent',
    {
      analysis: {
        preset: 'none',
        max_no_data: '2m',
        providers: { prom },
        metrics: {
          slow: {
            provider: 'prom',
            query: 'm_slow{version="{{version}}"}',
            range: { window: '10m', step: '1m' },
          },
        },
        checks: [{ name: 'slow', check: 'slow < 100' }],
      },
    },
    ['--interval', '1m'],
  );
  const { status, output } = firingOver(
    rules,
    { 'm_slow{version="v1"}': `1 1 1 1 ${Array(20).fill('NaN').join(' ')}` },
    ['8m', '12m', '15m', '16m'],
    // The last finite point (3m) leaves the 10m window after 13m: no data from 14m, for 2m at 16m.
    { '16m': ['MetricsAbsent/slow'] },
  );
  assert.equal(status, 0, output);
});

/** A minute's reading of a metric: a value, no data, or two series (each 0.9), a provider error. */
type Reading = number | undefined | 'two series';

/**
 * The minutes (from 0, one reading a minute) at which the analysis (judge.ts) rolls back, for each check of
 * `checks` judged on its own over per-minute `readings` of its metrics, by the rule that fires (the check's
 * name, max_no_data or max_provider_errors).
 */
function analysisRollsBackAt(
  analysis: AnalysisConfigInput,
  readings: Record<string, Reading[]>,
): Record<string, number> {
  const config = resolveAnalysisConfig(analysis);
  const at: Record<string, number> = {};
  for (const check of config.checks) {
    let state = createJudgeState({ ...config, checks: [check] }, { intervalMs: 60_000 });
    // A rule's request count too, when it has one: read each interval, never waited for.
    const metrics = readMetrics(check);
    const minutes = readings[metrics[0]!]!.length;
    for (let minute = 0; minute < minutes; minute++) {
      const canary: Record<string, number> = {};
      const errors: SampleError[] = [];
      for (const metric of metrics) {
        const value = readings[metric]?.[minute];
        // As the provider reports it, under the metric's name (providers/prometheus.ts).
        if (value === 'two series')
          errors.push({
            provider: 'prom',
            side: 'canary',
            code: 'multiple-series',
            message: `${metric}: 2 series`,
          });
        else if (value !== undefined) canary[metric] = value;
      }
      const judged = judge(state, { at: minute * 60_000, canary, errors });
      state = judged.state;
      if (judged.decision.kind === 'rollback') {
        at[judged.decision.rule ?? check.name] = minute;
        break;
      }
    }
  }
  return at;
}

/**
 * `readings` as promtool's input series `m_<metric>{version="v1"}` (no data: NaN), with two series
 * (`pod="a"` and `pod="b"`, each 0.9) at a minute of two series; and at each minute the alerts firing from
 * the analysis's rollback minute on (`rollsBack`, its rules' alerts in `alertOf`).
 */
function promtoolRun(
  rules: string,
  readings: Record<string, Reading[]>,
  rollsBack: Record<string, number>,
  alertOf: Record<string, string>,
) {
  const minutes = Object.values(readings)[0]!.map((_, minute) => `${minute}m`);
  const series: Record<string, string> = {};
  for (const [m, values] of Object.entries(readings)) {
    const two = values.includes('two series');
    series[`m_${m}{version="v1"${two ? ',pod="a"' : ''}}`] = values
      .map((v) => (v === undefined ? 'NaN' : v === 'two series' ? '0.9' : String(v)))
      .join(' ');
    if (two)
      series[`m_${m}{version="v1",pod="b"}`] = values
        .map((v) => (v === 'two series' ? '0.9' : '_'))
        .join(' ');
  }
  return firingOver(
    rules,
    series,
    minutes,
    Object.fromEntries(
      minutes.map((time, minute) => [
        time,
        Object.entries(rollsBack)
          .filter(([, at]) => at <= minute)
          .map(([key]) => alertOf[key]!)
          .sort(),
      ]),
    ),
  );
}

test('promtool test rules: a breach held `for` a time, and silence for max_no_data, fire at the reading the analysis rolls back at', async () => {
  // The analysis counts each reading over the limit as one interval of breach (violating intervals x
  // interval >= for): a check with `for: 3m` read each minute rolls back at its third reading over the limit.
  // Prometheus counts from the first evaluation over it, pending there: `for: 3m` fired at the fourth, one
  // evaluation later than the analysis decides (and `for: 2m30s` too; max_no_data 2m30s as well).
  const analysis = {
    preset: 'none' as const,
    max_no_data: '150s',
    providers: { prom: { type: 'prometheus' as const, url: prom.url } },
    metrics: Object.fromEntries(
      ['a', 'b', 'c', 'd'].map((m) => [m, { provider: 'prom', query: `m_${m}{version="{{version}}"}` }]),
    ),
    checks: [
      { name: 'a', check: 'a < 0.5', for: '3m' },
      { name: 'b', check: 'b < 0.5', for: '150s' },
      { name: 'c', check: 'c < 0.5' },
      { name: 'd', check: 'd < 100' },
    ],
  };
  const readings: Record<string, Array<number | undefined>> = {
    a: [0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    b: [0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    c: [0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    d: [1, 1, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  };
  const rollsBack = analysisRollsBackAt(analysis, readings);
  // The analysis's own minutes: a and b at their third reading over the limit (2m, 3m, 4m), c at its first,
  // d's silence since 1m longer than 2m30s at 4m.
  assert.deepEqual(rollsBack, { a: 4, b: 4, c: 3, max_no_data: 4 });
  const alertOf: Record<string, string> = { a: 'A', b: 'B', c: 'C', max_no_data: 'MetricsAbsent/d' };
  const rules = await rulesFor('held', { analysis }, ['--interval', '1m']);
  const { status, output } = promtoolRun(rules, readings, rollsBack, alertOf);
  assert.equal(status, 0, output);
});

test('promtool test rules: a query returning two series breaks no check, and its own rule fires when the analysis rolls back', async () => {
  // The analysis judges one series per metric: several are a provider error (multiple-series), judged for no
  // check, which rolls back after more than max_provider_errors such readings in a row. The rule fired once per
  // series over the limit, breaches the analysis never saw, and nothing said the query was wrong.
  const analysis = {
    preset: 'none' as const,
    max_no_data: '150s',
    max_provider_errors: 1,
    providers: { prom: { type: 'prometheus' as const, url: prom.url } },
    metrics: { e: { provider: 'prom', query: 'm_e{version="{{version}}"}' } },
    checks: [{ name: 'e', check: 'e < 0.5' }],
  };
  const two = 'two series' as const;
  const readings: Record<string, Reading[]> = { e: [0.1, 0.1, two, two, two, two, two, two] };
  const rollsBack = analysisRollsBackAt(analysis, readings);
  // Provider errors at 2m and 3m: more than 1 in a row.
  assert.deepEqual(rollsBack, { max_provider_errors: 3 });
  const rules = await rulesFor('two-series', { analysis }, ['--interval', '1m']);
  const { status, output } = promtoolRun(rules, readings, rollsBack, {
    max_provider_errors: 'MetricsMultipleSeries/e',
  });
  assert.equal(status, 0, output);
});

test("promtool test rules: a rule's request count silent for longer than max_no_data pages no one, as the analysis rolls nothing back", async () => {
  // The analysis never waits for a request count: an interval without one is judged on the rate alone. The
  // dead-man's switch watched it and paged (MetricsAbsent/requests at 3m) where the analysis would not.
  const analysis = {
    preset: 'none' as const,
    max_no_data: '150s',
    providers: { prom: { type: 'prometheus' as const, url: prom.url } },
    metrics: {
      error_rate: { provider: 'prom', query: 'm_error_rate{version="{{version}}"}' },
      requests: { provider: 'prom', query: 'm_requests{version="{{version}}"}' },
    },
    checks: [{ name: 'counted', check: 'error_rate < 10%', requests: 'requests' }],
  };
  const readings: Record<string, Reading[]> = {
    error_rate: [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01],
    requests: [100, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  };
  const rollsBack = analysisRollsBackAt(analysis, readings);
  assert.deepEqual(rollsBack, {});
  const rules = await rulesFor('silent-requests', { analysis }, ['--interval', '1m']);
  const { status, output } = promtoolRun(rules, readings, rollsBack, {});
  assert.equal(status, 0, output);
});

test('promtool test rules: a comment ended by a carriage return does not hide a grouping: two series, no check fires', async () => {
  // PromQL ends a comment at \r: `sum(x) # total\r by (pod)` is one series per pod. Read as one series, its
  // rule had no guard and fired once per pod over the limit, and no rule said the query returns several.
  const analysis = {
    preset: 'none' as const,
    max_no_data: '150s',
    max_provider_errors: 1,
    providers: { prom: { type: 'prometheus' as const, url: prom.url } },
    metrics: { e: { provider: 'prom', query: 'sum(m_e{version="{{version}}"}) # total\r by (pod)' } },
    checks: [{ name: 'e', check: 'e < 0.5' }],
  };
  const two = 'two series' as const;
  const readings: Record<string, Reading[]> = { e: [0.1, 0.1, two, two, two, two, two, two] };
  const rollsBack = analysisRollsBackAt(analysis, readings);
  assert.deepEqual(rollsBack, { max_provider_errors: 3 });
  const rules = await rulesFor('comment-cr', { analysis }, ['--interval', '1m']);
  const { status, output } = promtoolRun(rules, readings, rollsBack, {
    max_provider_errors: 'MetricsMultipleSeries/e',
  });
  assert.equal(status, 0, output);
});

test("promtool test rules: a gap in a breach restarts the rule's `for`, where the analysis keeps counting (docs/alerts.md)", async () => {
  // The analysis counts the readings over the limit: a reading without a value neither ends nor extends a
  // breach. Prometheus drops a pending alert at an evaluation with no result, and starts `for` again.
  const analysis = {
    preset: 'none' as const,
    max_no_data: '10m',
    providers: { prom: { type: 'prometheus' as const, url: prom.url } },
    metrics: { a: { provider: 'prom', query: 'm_a{version="{{version}}"}' } },
    checks: [{ name: 'a', check: 'a < 0.5', for: '3m' }],
  };
  const readings: Record<string, Reading[]> = { a: [0.1, 0.9, 0.9, undefined, 0.9, 0.9, 0.9, 0.9] };
  // Over the limit at 1m and 2m, no value at 3m, the third reading over it at 4m.
  assert.deepEqual(analysisRollsBackAt(analysis, readings), { a: 4 });
  const rules = await rulesFor('gap', { analysis }, ['--interval', '1m']);
  // The rule (`for: 2m`) is pending again at 4m and fires at 6m, two evaluations after the rollback.
  const { status, output } = promtoolRun(rules, readings, { a: 6 }, { a: 'A' });
  assert.equal(status, 0, output);
});

let metrics: MetricsServer;
let prometheus: RunningPrometheus;

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  value: string;
}

async function alerts(): Promise<ApiAlert[]> {
  const response = await fetch(`${prometheus.url}/api/v1/alerts`);
  return ((await response.json()) as { data: { alerts: ApiAlert[] } }).data.alerts;
}

after(async () => {
  await prometheus?.stop();
  await metrics?.close();
});

test('a real Prometheus fires the alerts the exported values break, the switch for no data, and the rule for several series', async () => {
  const name = HOSTILE[0]!;
  const rules = await rulesFor(
    'live',
    {
      analysis: {
        preset: 'none',
        max_no_data: '1s',
        providers: { prom },
        metrics: {
          value: { provider: 'prom', query: 'app_value{version="{{version}}"}' },
          ranged: {
            provider: 'prom',
            query: 'app_value{version="{{version}}"}',
            range: { window: '3s', step: '1s' },
          },
          nan: { provider: 'prom', query: 'app_nan{version="{{version}}"}' },
          missing: { provider: 'prom', query: 'app_missing{version="{{version}}"}' },
          // Both versions' series: several, which the analysis judges none of (multiple-series).
          multi: { provider: 'prom', query: 'app_value' },
        },
        checks: [
          { name, check: 'value < 0.2', for: '1s' },
          { name: 'warned', check: 'value <= 0.3', on_breach: 'warn' },
          { name: 'ranged', check: 'ranged < 0.4' },
          { name: 'holds', check: 'value < 0.9' },
          { name: 'nan holds', check: 'nan < 1' },
          { name: 'missing holds', check: 'missing < 1' },
          { name: 'multi', check: 'multi < 0.2' },
        ],
      },
    },
    ['--interval', '1s'],
  );
  metrics = await startMetricsServer(
    [
      '# TYPE app_value gauge',
      'app_value{version="v1"} 0.5',
      'app_value{version="v0"} 0',
      '# TYPE app_nan gauge',
      'app_nan{version="v1"} NaN',
      '',
    ].join('\n'),
  );
  prometheus = await startPrometheus([`127.0.0.1:${metrics.port}`], { ruleFiles: [rules] });

  // `multi` breaks its limit in v1's series, but the query returns two: its own rule fires instead.
  const expected = [
    'AValueTemplateXQC',
    'Warned',
    'Ranged',
    'MetricsAbsent/missing',
    'MetricsAbsent/nan',
    'MetricsMultipleSeries/multi',
  ];
  const key = (a: ApiAlert) =>
    a.labels.metric ? `${a.labels.alertname}/${a.labels.metric}` : a.labels.alertname!;
  // Bounded: Prometheus's first scrape and evaluations take a few seconds, more on a busy machine.
  const deadline = Date.now() + 120_000;
  let seen: ApiAlert[] = [];
  while (Date.now() < deadline) {
    seen = await alerts().catch(() => []);
    const firing = new Set(seen.filter((a) => a.state === 'firing').map(key));
    if (expected.every((k) => firing.has(k))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(
    seen.map((a) => `${key(a)} ${a.state}`).sort(),
    expected.map((k) => `${k} firing`).sort(),
    'exactly the breaking checks and the two metrics without data fire; nothing else is even pending',
  );
  const hostile = seen.find((a) => a.labels.alertname === 'AValueTemplateXQC')!;
  // The rule's labels beside the series' own (instance, job, version).
  assert.deepEqual(hostile.labels, {
    ...hostile.labels,
    alertname: 'AValueTemplateXQC',
    severity: 'critical',
    environment: 'production',
    check: name,
    version: 'v1',
  });
  assert.equal(hostile.annotations.summary, `${name} breached on production`);
  assert.equal(
    hostile.annotations.description,
    `value is 0.5 (>= 0.2 for 1s); the check ${name} requires value < 0.2`,
  );
  assert.equal(seen.find((a) => a.labels.alertname === 'Warned')!.labels.severity, 'warning');
  const absent = seen.find((a) => a.labels.metric === 'nan')!;
  assert.equal(absent.labels.severity, 'critical');
  assert.equal(absent.annotations.summary, 'No data for nan on production');
  const several = seen.find((a) => a.labels.alertname === 'MetricsMultipleSeries')!;
  assert.equal(
    several.annotations.summary,
    'The query of metric multi returns 2 series on production, not one',
  );
});
