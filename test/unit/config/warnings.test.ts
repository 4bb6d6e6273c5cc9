// A valid config may still say something a run will not do as written: a window watched every
// monitor_interval that is shorter than the interval (watched as one interval of its own length), or, with a
// metrics analysis, not a whole number of intervals (it lasts to the end of its last one). Such a config stays
// valid (exit 0); the loader returns the warnings beside it, located as errors are, `validate` prints them on
// standard error (in its JSON line with --json), and a run logs them once before it starts.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { main } from '../../../src/cli/main.ts';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';

const TARGET = 'target:\n  commands:\n    deploy: ["true"]\n    switch: ["true"]\n';
const ANALYSIS = `analysis:
  providers: { probe: { type: http, url: "https://app.example.com/" } }
  metrics: { errors: { provider: probe } }
  checks: [{ check: "errors < 5" }]
`;

/** The config's warnings, formatted as `validate` prints them (without `warning: `); fails when it is invalid. */
function warningsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.ok(result.ok, JSON.stringify(result));
  return result.warnings.map(formatConfigError);
}

/**
 * The warnings of a config written to show a query's warnings, without those of the metrics it does not read
 * and of an analysis that compares side by side under the preset's blue-green (sideBySideOnlyFindings).
 */
const queryWarningsOf = (text: string): string[] =>
  warningsOf(text).filter(
    (warning) =>
      !warning.includes('but no check reads it') && !warning.includes('compares the two side by side'),
  );

function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.ok(!result.ok, `expected the config to be refused: ${JSON.stringify(result)}`);
  return result.errors.map(formatConfigError);
}

test('monitor_interval longer than the monitor window: a warning at monitor_interval, the config valid', () => {
  assert.deepEqual(
    warningsOf(`${TARGET}environments:\n  production:\n    monitor: 2m\n    monitor_interval: 5m\n`),
    [
      'deploy.yml:8:23: environments.production.monitor_interval: monitor_interval (5m) is longer than the monitor window (2m): that window is watched as one interval of 2m (health checks at its start and end, one metrics reading over it), not every 5m; make monitor_interval at most 2m, or the window longer',
    ],
  );
  // A monitor window shorter than the default interval: said at the window, naming the default.
  assert.deepEqual(warningsOf(`${TARGET}environments:\n  production:\n    monitor: 10s\n`), [
    'deploy.yml:7:14: environments.production.monitor: monitor_interval (30s, the default) is longer than the monitor window (10s): that window is watched as one interval of 10s (health checks at its start and end, one metrics reading over it), not every 30s; make monitor_interval at most 10s, or the window longer',
  ]);
});

test('a window that is not a whole number of intervals: a warning where a metrics analysis reads whole intervals', () => {
  const text = `${TARGET}environments:\n  production:\n    monitor: 45s\n    monitor_interval: 30s\n`;
  assert.deepEqual(warningsOf(text), [], 'health checks only: the window ends when written');
  assert.deepEqual(warningsOf(`${ANALYSIS}${text}`), [
    'deploy.yml:12:23: environments.production.monitor_interval: the monitor window (45s) is not a whole number of monitor_interval (30s): the analysis reads whole intervals, so it lasts 2 intervals (1m), longer than written; make the window a multiple of the interval',
  ]);
});

test('a staging validation_window and a shared verify_after_switch are judged too; a shared one is said once', () => {
  const text = `${TARGET}strategies:
  blue-green: { verify_after_switch: 20s }
environments:
  staging:
    validation_window: 40s
    monitor: 0s
    monitor_interval: 1m
  production:
    staging: staging
    strategy: blue-green
  canary-eu:
    strategy: blue-green
    validation_window: 5s
`;
  assert.deepEqual(warningsOf(text), [
    'deploy.yml:6:38: strategies.blue-green.verify_after_switch: monitor_interval (30s, the default) is longer than its verify_after_switch window (20s): that window is watched as one interval of 20s (health checks at its start and end, one metrics reading over it), not every 30s; make monitor_interval at most 20s, or the window longer',
    'deploy.yml:11:23: environments.staging.monitor_interval: monitor_interval (1m) is longer than its validation_window (as a staging environment) (40s): that window is watched as one interval of 40s (health checks at its start and end, one metrics reading over it), not every 1m; make monitor_interval at most 40s, or the window longer',
    // canary-eu is nobody's staging: its window is not judged as one, but said to be read by nothing.
    'deploy.yml:17:24: environments.canary-eu.validation_window: no environment names "canary-eu" as its staging, so this window is never watched: it is read only when another environment deploys this one first ("staging: canary-eu" in that environment)',
  ]);
});

test('a canary step analysed for less than an interval: at its own pause, or once at the shared pause', () => {
  const TRAFFIC = `${TARGET}    set_weight: ["true"]\n`;
  assert.deepEqual(
    warningsOf(
      `${TRAFFIC}environments:\n  production:\n    strategy: { type: canary, steps: [{ weight: 10, pause: 10s }, 50] }\n`,
    ),
    [
      'deploy.yml:8:60: environments.production.strategy.steps[0].pause: monitor_interval (30s, the default) is longer than the analysis of canary step 1 (its pause) (10s): that window is watched as one interval of 10s (health checks at its start and end, one metrics reading over it), not every 30s; make monitor_interval at most 10s, or the window longer',
    ],
  );
  assert.deepEqual(
    warningsOf(
      `${TRAFFIC}strategies:\n  canary: { pause: 20s }\nenvironments:\n  production: { strategy: canary }\n  eu: { strategy: canary }\n`,
    ),
    [
      'deploy.yml:7:20: strategies.canary.pause: monitor_interval (30s, the default) is longer than the analysis of a canary step (its pause) (20s): that window is watched as one interval of 20s (health checks at its start and end, one metrics reading over it), not every 30s; make monitor_interval at most 20s, or the window longer',
    ],
  );
});

test('a rolling batch analysed for less than an interval (its pause), or not a whole number of them; one batch, no pause used', () => {
  assert.deepEqual(
    warningsOf(
      `${TARGET}environments:\n  fleet:\n    strategy: { type: rolling, instances: [a, b], pause: 10s }\n  one:\n    strategy: { type: rolling, instances: [a], pause: 10s }\n`,
    ),
    [
      'deploy.yml:7:58: environments.fleet.strategy.pause: monitor_interval (30s, the default) is longer than the analysis of a rolling batch (its pause) (10s): that window is watched as one interval of 10s (health checks at its start and end, one metrics reading over it), not every 30s; make monitor_interval at most 10s, or the window longer',
      // One batch: no interval warning for a pause never taken, but that it is never taken.
      // One instance: lowering max_surge / max_unavailable cannot make a second batch, so that is not advised.
      'deploy.yml:9:55: environments.one.strategy.pause: pause is taken between batches, and environment "one" has a single instance, always one batch, so it is never waited (the monitor window still watches the release): remove pause',
    ],
  );
  // A shared pause, once, with an analysis reading whole intervals.
  assert.deepEqual(
    warningsOf(
      `${ANALYSIS}${TARGET}strategies:\n  rolling: { pause: 45s }\nenvironments:\n  fleet:\n    strategy: { type: rolling, instances: 3 }\n  eu:\n    strategy: { type: rolling, instances: 3 }\n`,
    ),
    [
      'deploy.yml:10:21: strategies.rolling.pause: the analysis of a rolling batch (its pause) (45s) is not a whole number of monitor_interval (30s, the default): the analysis reads whole intervals, so it lasts 2 intervals (1m), longer than written; make the window a multiple of the interval',
    ],
  );
});

test('a blue-green analysis_before_switch shorter than an interval; none written (0, health checks only): no warning', () => {
  assert.deepEqual(
    warningsOf(
      `${TARGET}environments:\n  production:\n    strategy: { type: blue-green, analysis_before_switch: 10s }\n`,
    ),
    [
      'deploy.yml:7:59: environments.production.strategy.analysis_before_switch: monitor_interval (30s, the default) is longer than its analysis_before_switch window (10s): that window is watched as one interval of 10s (health checks at its start and end, one metrics reading over it), not every 30s; make monitor_interval at most 10s, or the window longer',
    ],
  );
  assert.deepEqual(
    warningsOf(`${TARGET}environments:\n  production:\n    strategy: blue-green\n    monitor_interval: 1m\n`),
    [],
  );
});

test('an analysed window with fewer intervals than a written min_samples, its extension included: refused where every deployment would fail there, said by what follows', () => {
  const TRAFFIC = `${TARGET}    set_weight: ["true"]\n`;
  // The default on_undecided (decide): a rollback (no-data, rule min_samples) for every deployment: an error.
  assert.deepEqual(
    errorsOf(`${ANALYSIS}  min_samples: 3\n${TARGET}environments:\n  production:\n    monitor: 30s\n`),
    [
      'deploy.yml:12:14: environments.production.monitor: the monitor window (30s) is 1 interval of monitor_interval (30s, the default), 2 with its one extension (extend_undecided), fewer than the min_samples (3) intervals with data the analysis needs before it may promote: that window can never pass on its metrics; its analysis ends in a rollback (no-data, rule min_samples) however healthy the deployment is, so every deployment fails there; make the window at least 1m (2 intervals), or min_samples at most 2',
    ],
  );
  // The preset's canary steps (1s of a 1s interval): said at min_samples.
  assert.deepEqual(
    errorsOf(
      `${ANALYSIS}  min_samples: 3\npreset: fast\n${TRAFFIC}environments:\n  production: { strategy: canary }\n`,
    ),
    [
      'deploy.yml:5:16: analysis.min_samples: the analysis of a canary step (its pause) (1s, the default) is 1 interval of monitor_interval (1s, the default), 2 with its one extension (extend_undecided), fewer than the min_samples (3) intervals with data the analysis needs before it may promote: that window can never pass on its metrics; its analysis ends in a rollback (no-data, rule min_samples) however healthy the deployment is, so every deployment fails there; make the window at least 2s (2 intervals), or min_samples at most 2',
    ],
  );
  assert.deepEqual(
    errorsOf(
      `${ANALYSIS}  min_samples: 8\n  extend_undecided: 0\npreset: fast\n${TARGET}environments:\n  production:\n    strategy: blue-green\n    monitor: 10s\n`,
    ),
    [
      'deploy.yml:5:16: analysis.min_samples: its verify_after_switch window (1s, the default) is 1 interval of monitor_interval (1s, the default), fewer than the min_samples (8) intervals with data the analysis needs before it may promote: that window can never pass on its metrics; its analysis ends in a rollback (no-data, rule min_samples) however healthy the deployment is, so every deployment fails there; make the window at least 8s (8 intervals), or min_samples at most 1',
    ],
  );
  // on_undecided: hold: a strategy's step fails (an error, and only errors are said while there are any);
  // a watch goes on without its metrics finding it healthy (a warning).
  assert.deepEqual(
    errorsOf(
      `${ANALYSIS}  on_undecided: hold\n  min_samples: 3\n${TRAFFIC}environments:\n  production:\n    monitor: 1m\n    monitor_interval: 1m\n    strategy: { type: canary, steps: [{ weight: 10, pause: 2m }, 50], pause: 1m }\n`,
    ),
    [
      'deploy.yml:16:78: environments.production.strategy.pause: the analysis of a canary step (its pause) (1m) is 1 interval of monitor_interval (1m), 2 with its one extension (extend_undecided), fewer than the min_samples (3) intervals with data the analysis needs before it may promote: that window can never pass on its metrics; it ends inconclusive (on_undecided: hold) every time it is analysed, so the step fails (analysis_inconclusive) however healthy the deployment is; make the window at least 2m (2 intervals), or min_samples at most 2',
    ],
  );
  assert.deepEqual(
    warningsOf(
      `${ANALYSIS}  on_undecided: hold\n  min_samples: 3\n${TRAFFIC}environments:\n  production:\n    monitor: 1m\n    monitor_interval: 1m\n    strategy: { type: canary, steps: [{ weight: 10, pause: 2m }, 50], pause: 2m }\n`,
    ),
    [
      'deploy.yml:14:14: environments.production.monitor: the monitor window (1m) is 1 interval of monitor_interval (1m), 2 with its one extension (extend_undecided), fewer than the min_samples (3) intervals with data the analysis needs before it may promote: that window can never pass on its metrics; it ends inconclusive (on_undecided: hold) and the run goes on without its metrics ever finding the deployment healthy; make the window at least 2m (2 intervals), or min_samples at most 2',
    ],
  );
  // Enough with the extension (2 intervals and 1 more reach 3; 4 and 2 more reach 6), min_samples left at its
  // default (it asks no more than a window has: analysis/judge.ts), or no analysis: none.
  for (const text of [
    `${ANALYSIS}  min_samples: 3\n${TARGET}environments:\n  production:\n    monitor: 1m\n`,
    `${ANALYSIS}  min_samples: 6\n${TARGET}environments:\n  production:\n    monitor: 2m\n`,
    `${ANALYSIS}${TARGET}environments:\n  production:\n    monitor: 30s\n`,
    `${ANALYSIS}preset: fast\n${TRAFFIC}environments:\n  production: { strategy: canary }\n`,
    `${ANALYSIS}  on_undecided: hold\n${TRAFFIC}environments:\n  production:\n    monitor: 1m\n    monitor_interval: 1m\n`,
    `${TARGET}environments:\n  production:\n    monitor: 30s\n`,
  ])
    assert.deepEqual(warningsOf(text), [], text);
});

test('the presets, windows that are whole numbers of intervals, and no window: no warning', () => {
  for (const text of [
    `${TARGET}environments:\n  production: {}\n`,
    `preset: fast\n${TARGET}environments:\n  production: { strategy: blue-green }\n`,
    `preset: fast\n${TARGET}    set_weight: ["true"]\nenvironments:\n  production: { strategy: canary }\n`,
    `${TARGET}    set_weight: ["true"]\nenvironments:\n  production: { strategy: canary }\n`,
    `${ANALYSIS}${TARGET}environments:\n  production:\n    monitor: 10m\n    monitor_interval: 1m\n`,
    `${TARGET}environments:\n  production:\n    monitor: 0s\n    monitor_interval: 1h\n`,
  ])
    assert.deepEqual(warningsOf(text), [], text);
});

test('the demo config (and its third deployment, with an analysis) and the config fixtures: no warning', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const demo = readFileSync(join(root, 'examples/demo/deploy.yml'), 'utf8');
  // As run-demo.ts's analysisConfig writes it.
  const analysed = parseDocument(demo);
  analysed.setIn(['environments', 'production', 'strategy'], {
    type: 'canary',
    steps: [10, 50, 100],
    pause: '6s',
  });
  analysed.setIn(['environments', 'production', 'analysis'], {
    providers: {
      probe: { type: 'http', url: 'http://127.0.0.1:1/', stable_url: 'http://127.0.0.1:2/', rate: 200 },
    },
    metrics: { errors: { provider: 'probe' }, requests: { provider: 'probe' } },
  });
  // several-errors.yml is invalid on purpose.
  const fixtures = readdirSync(join(root, 'test/fixtures/config')).filter(
    (f) => f.endsWith('.yml') && f !== 'several-errors.yml',
  );
  assert.ok(fixtures.length > 0);
  for (const [name, text] of [
    ['examples/demo/deploy.yml', demo],
    ['the demo with its analysis', analysed.toString()],
    ...fixtures.map((f) => [f, readFileSync(join(root, 'test/fixtures/config', f), 'utf8')]),
  ])
    assert.deepEqual(warningsOf(text!), [], name);
});

test('validate: the warnings on standard error, exit 0; with --json in its line; run logs them once at its start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'config-warnings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `state_dir: ${JSON.stringify(join(dir, 'state'))}\n${TARGET}environments:\n  production:\n    monitor: 1s\n    monitor_interval: 2s\n`,
  );
  const cli = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(args, {
      out: (text) => void (out += text),
      err: (text) => void (err += text),
    });
    return { code, out, err };
  };
  const warning = `${config}:9:23: environments.production.monitor_interval: monitor_interval (2s) is longer than the monitor window (1s)`;

  const text = await cli(['validate', '-c', config]);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /^✔ .* is valid\n/);
  assert.equal(text.err.split('\n').length, 2, text.err);
  assert.ok(text.err.startsWith(`warning: ${warning}: that window is watched`), text.err);

  const json = await cli(['validate', '-c', config, '--json']);
  assert.equal(json.code, 0);
  assert.equal(json.err, '');
  const line = JSON.parse(json.out) as { ok: boolean; warnings: Array<{ line: number; path: string }> };
  assert.equal(line.ok, true);
  assert.deepEqual(
    line.warnings.map((w) => [w.line, w.path]),
    [[9, 'environments.production.monitor_interval']],
  );

  const run = await cli(['run', '-e', 'production', '-v', 'v1', '-c', config, '--json']);
  assert.equal(run.code, 0, run.out + run.err);
  const said = run.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; level?: string; message?: string })
    .filter((e) => e.type === 'log' && e.message?.startsWith('config: '));
  assert.equal(said.length, 1, run.out);
  assert.equal(said[0]!.level, 'warn');
  assert.ok(said[0]!.message!.startsWith(`config: ${warning}`), said[0]!.message);
});

test('a count read from a per-second rate() query: a warning at the query, for every way a metric is counted', () => {
  const text = `${TARGET}analysis:
  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
  metrics:
    requests: { provider: prom, query: 'sum(rate(http_requests_total{version="{{version}}"}[1m]))' }
    errors: { provider: prom, query: 'sum(increase(http_requests_total{code=~"5.."}[1m])) or vector(0)' }
    error_rate: { provider: prom, query: 'sum(rate(http_errors_total[1m])) / sum(rate(http_requests_total[1m]))' }
    served: { provider: prom, query: 'sum(irate(http_requests_total[1m]))', stable_query: 'sum(rate(http_requests_total[1m])) * 60' }
    failed: { provider: prom, query: 'sum(rate(http_failures_total[1m])) or vector(0)' }
  checks:
    - { compare: errors, errors: failed, requests: served }
environments:
  production: {}
`;
  const warnings = warningsOf(text);
  const at = (w: string) => w.split(': ')[1];
  // requests (the preset's), served and failed (the comparison's): rate() queries. Not errors (increase()),
  // not error_rate (a rate is what it is), not served's stable_query (scaled to a count).
  assert.deepEqual(warnings.map(at).sort(), [
    'analysis.metrics.failed.query',
    'analysis.metrics.requests.query',
    'analysis.metrics.served.query',
  ]);
  assert.match(
    warnings.find((w) => w.includes('metrics.requests.query'))!,
    /metric "requests" is read as a count per interval, but its query answers a per-second rate \(rate\(\)\).*sum\(increase\(http_requests_total\[30s\]\)\)/,
  );
  // preset: none and no check counting it: requests is only a metric, said nothing about.
  assert.deepEqual(
    warningsOf(
      `${TARGET}analysis:\n  preset: none\n  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }\n  metrics:\n    requests: { provider: prom, query: "sum(rate(x[1m]))" }\n  checks: [{ check: "requests > 1" }]\nenvironments:\n  production: {}\n`,
    ),
    [],
  );
});

test('a rate() query with a label regex (".*") is still a per-second rate: a * inside quotes scales nothing', () => {
  const text = `${TARGET}analysis:
  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
  metrics:
    requests: { provider: prom, query: 'sum(rate(http_requests_total{path=~"/api/.*", version="{{version}}"}[1m]))' }
    errors: { provider: prom, query: 'sum(rate(http_requests_total{code=~"5.*"}[1m])) * 60 or vector(0)' }
environments:
  production: {}
`;
  assert.deepEqual(
    queryWarningsOf(text).map((w) => w.split(': ')[1]),
    ['analysis.metrics.requests.query'],
  );
});

test('an errors count whose Prometheus query has no fallback for no series: a warning at the query, since a version without errors answers none', () => {
  // The error series of a counter do not exist before the first error: a healthy version answers no series,
  // which is no data, and max_no_data rolled back every deployment that had no errors.
  const text = `${TARGET}analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090" }
    script: { type: command, run: ["./metrics.sh"] }
  metrics:
    requests: { provider: prom, query: 'sum(increase(http_requests_total{version="{{version}}"}[30s]))' }
    errors: { provider: prom, query: 'sum(increase(http_requests_total{version="{{version}}",code=~"5.."}[30s]))' }
    failed: { provider: prom, query: 'sum(increase(failures_total{status="500"}[30s])) OR on() vector(0)', stable_query: 'sum(increase(failures_total{x="or",status="500"}[30s]))' }
    crashes: { provider: script }
    served: { provider: prom, query: 'sum(increase(served_total[30s]))' }
    panics: { provider: prom, query: 'sum(increase(panics_total[30s]))' }
  checks:
    - { compare: errors, errors: failed, requests: served }
    - { compare: errors, errors: crashes, requests: served }
    - { compare: errors, errors: panics, requests: served }
environments:
  production: {}
`;
  const warnings = queryWarningsOf(text);
  // errors (the preset's) and failed's stable_query (an "or" inside a string is no fallback); not failed's
  // query, nor requests or served (no requests is no data indeed), nor a command's count, nor panics (a
  // counter without a status label exists at 0 from the start).
  assert.deepEqual(warnings.map((w) => w.split(': ')[1]).sort(), [
    'analysis.metrics.errors.query',
    'analysis.metrics.failed.stable_query',
  ]);
  assert.match(
    warnings.find((w) => w.includes('metrics.errors.query'))!,
    /metric "errors" counts errors, and its query has no fallback for matching no series: .*rolls it back; end the query with `or vector\(0\)`/,
  );
  // preset: none without an errors check reading it: errors is only a metric.
  assert.deepEqual(
    queryWarningsOf(
      `${TARGET}analysis:\n  preset: none\n  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }\n  metrics:\n    errors: { provider: prom, query: "sum(x)" }\n    requests: { provider: prom, query: "sum(y)" }\n  checks: [{ check: "errors < 5" }]\nenvironments:\n  production: {}\n`,
    ),
    [],
  );
});

test("a count read from a counter with no range (its total since the process started): a warning at the query, histograms' buckets too", () => {
  // Each look counted the same requests again: a healthy canary with 3 errors among its first 50 requests
  // was rolled back within 3 minutes in every simulated trial.
  const text = `${TARGET}analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090" }
  metrics:
    requests: { provider: prom, query: 'sum(http_requests_total{version="{{version}}"})' }
    errors: { provider: prom, query: 'sum(http_requests_total{version="{{version}}",code=~"5.."}) or vector(0)' }
    latency: { provider: prom, histogram: true, query: 'sum by (le) (http_request_duration_seconds_bucket{version="{{version}}"})' }
    native: { provider: prom, histogram: true, query: 'sum(increase(http_request_duration_seconds{version="{{version}}"}[30s]))' }
    served: { provider: prom, query: 'sum(job:http_requests_total:increase30s{version="{{version}}"})', stable_query: 'sum(increase(http_requests_total[30s]))' }
    failed: { provider: prom, query: 'sum(x{name="a_total"}) or vector(0)' }
    handmade: { provider: prom, query: 'sum(served_total) - sum(served_total offset 30s)' }
  checks:
    - { compare: errors, errors: failed, requests: served }
    - { compare: errors, errors: failed, requests: handmade }
environments:
  production: {}
`;
  const warnings = queryWarningsOf(text);
  // Not native (a range), not served (a recording rule's name, and a range), not failed (the name is a string),
  // not handmade (a count by offset).
  assert.deepEqual(warnings.map((w) => w.split(': ')[1]).sort(), [
    'analysis.metrics.errors.query',
    'analysis.metrics.latency.query',
    'analysis.metrics.requests.query',
  ]);
  assert.match(
    warnings.find((w) => w.includes('metrics.requests.query'))!,
    /metric "requests" is read as the interval's count, but its query reads the counter http_requests_total with no range \(\[1m\]\).*sum\(increase\(http_requests_total\[30s\]\)\)$/,
  );
  assert.match(
    warnings.find((w) => w.includes('metrics.latency.query'))!,
    /interval's bucket counts, .*sum by \(le\) \(increase\(http_request_duration_seconds_bucket\[30s\]\)\)$/,
  );
});

test('an error rate divided from errors selected by status code, with no fallback: a warning at the query, since a version without errors has no ratio either', () => {
  const text = `${TARGET}analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090" }
  metrics:
    error_rate: { provider: prom, query: 'sum(rate(x_total{code=~"5.."}[1m])) / sum(rate(x_total[1m]))', stable_query: '(sum(rate(x_total{code=~"5.."}[1m])) or vector(0)) / sum(rate(x_total[1m]))' }
    failing: { provider: prom, field: error_rate, query: '1 - sum(rate(x_total{code=~"2.."}[1m])) / sum(rate(x_total[1m]))' }
environments:
  production: {}
`;
  const warnings = queryWarningsOf(text);
  // Not the stable_query (its errors have a fallback), not failing (1 - the 2xx share has data with requests).
  assert.deepEqual(
    warnings.map((w) => w.split(': ')[1]),
    ['analysis.metrics.error_rate.query'],
  );
  assert.match(
    warnings[0]!,
    /metric "error_rate" is an error rate whose errors are selected by status code, .*put `or vector\(0\)` on its errors, e\.g\. \(sum\(rate\(http_requests_total\{code=~"5\.\."\}\[1m\]\)\) or vector\(0\)\) \/ sum/,
  );
});

test('a metric no check reads: a warning at its definition naming the environments whose analysis it is in; read ones, by any kind of check or the seeds preset, are not', () => {
  const shared = `${TARGET}analysis:
  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
  metrics:
    p90: { provider: prom, query: "sum(p90)" }
    p95: { provider: prom, query: "sum(p95)" }
    errors: { provider: prom, query: "sum(errors)" }
    requests: { provider: prom, query: "sum(requests)" }
    served: { provider: prom, query: "sum(served)" }
    failed: { provider: prom, query: "sum(failed)" }
  checks:
    - { check: "p95 < 2x baseline" }
    - { check: "failed <= 10%", requests: served }
environments:
  staging: {}
  canary-env: {}
  production:
    analysis:
      preset: none
      providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
      metrics:
        lat: { provider: prom, query: "sum(lat)" }
        cpu: { provider: prom, query: "sum(cpu)" }
      checks: [{ compare: values, metric: lat }]
`;
  const unread = warningsOf(shared).filter((w) => w.includes('no check reads'));
  // errors and requests: the seeds preset's errors check; p95, failed and served: the section's own checks;
  // lat: a comparison. The shared section names the environments that use it, not production (its own).
  assert.deepEqual(unread, [
    'deploy.yml:8:10: analysis.metrics.p90: metric "p90" is defined in the analysis of environments "staging" and "canary-env" but no check reads it (neither its own nor the seeds preset\'s), so it is never read and judges nothing; name it in a check (e.g. check: "p90 < 2x baseline") or remove it',
    'deploy.yml:26:14: environments.production.analysis.metrics.cpu: metric "cpu" is defined in the analysis of environment "production" but no check reads it, so it is never read and judges nothing; name it in a check (e.g. check: "cpu < 2x baseline") or remove it',
  ]);
  // A shared analysis no environment uses is read by no run: nothing to say of its metrics here.
  const unused = shared.replace('  staging: {}\n  canary-env: {}\n', '');
  assert.deepEqual(
    warningsOf(unused).filter((w) => w.includes('no check reads')),
    [unread[1]!.replace('26:14', '24:14')],
  );
});

test('a metric no check reads, in an analysis shared by many environments: its warning names ten of them and says how many more', () => {
  // Each unread metric's warning named every environment using the section: 50 metrics and 300 environments
  // made 50 warnings of 300 names each, the text growing as metrics times environments.
  const metrics = Array.from(
    { length: 50 },
    (_, i) => `    m${i}: { provider: prom, query: "sum(m${i})" }\n`,
  );
  const environments = Array.from({ length: 300 }, (_, i) => `  env-${i}: {}\n`);
  const text = `${TARGET}analysis:
  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
  metrics:
${metrics.join('')}  checks: [{ check: "m0 < 2x baseline" }]
environments:
${environments.join('')}`;
  const unread = warningsOf(text).filter((w) => w.includes('no check reads'));
  assert.equal(unread.length, 49);
  const names = Array.from({ length: 10 }, (_, i) => `"env-${i}"`).join(', ');
  assert.equal(
    unread[0],
    `deploy.yml:9:9: analysis.metrics.m1: metric "m1" is defined in the analysis of environments ${names} and 290 more but no check reads it (neither its own nor the seeds preset's), so it is never read and judges nothing; name it in a check (e.g. check: "m1 < 2x baseline") or remove it`,
  );
  assert.ok(unread.every((w) => !w.includes('"env-10"')));
});

test('a validation_window on an environment no other names as its staging is never watched: a warning at it', () => {
  // The usual slip: staging written with its 15-minute window, and production without "staging: staging", so
  // production deploys without staging first and the window is read by nothing.
  assert.deepEqual(
    warningsOf(
      `${TARGET}environments:\n  staging:\n    validation_window: 30m\n  production:\n    monitor: 1h\n`,
    ),
    [
      'deploy.yml:7:24: environments.staging.validation_window: no environment names "staging" as its staging, so this window is never watched: it is read only when another environment deploys this one first ("staging: staging" in that environment)',
    ],
  );
  assert.deepEqual(
    warningsOf(
      `${TARGET}environments:\n  staging:\n    validation_window: 30m\n  production:\n    staging: staging\n`,
    ),
    [],
  );
});

test('an environment name too long for the file names of state_dir: a warning at the name, the config valid', () => {
  // GitHub takes 255 characters, but the CLI keeps the record in state_dir/records/<name>.json, and its drafts
  // and locks add up to 52 characters more: past about 225 every run from the command line was refused, a 255-character
  // name with "cannot be read (ENAMETOOLONG) ... move the file away", naming a file that never existed.
  const long = `prod.${'a'.repeat(199)}`; // 204 characters
  const [warning, ...more] = warningsOf(`${TARGET}environments:\n  ${long}: {}\n`);
  assert.deepEqual(more, []);
  assert.match(warning!, /^deploy\.yml:6:\d+: environments\["prod\.a+\.\.\."\]: /);
  assert.ok(
    warning!.endsWith(
      ": the CLI (and the Action without state-key) keeps this environment's record in state_dir under its name, 204 characters as a file name: past 203 some of its files' names (the drafts of its record's lock and of reconcile's) pass the file system's 255 bytes, so a run kept there may be refused before it deploys (every run, past about 225); use a shorter name",
    ),
    warning,
  );
  assert.deepEqual(warningsOf(`${TARGET}environments:\n  prod.${'a'.repeat(198)}: {}\n`), []);
});

test("the long-name bound covers the reconcile lock: its takeover guard's draft is state_dir's longest file name", async () => {
  // locks/reconcile-<name>.lock.takeover.<pid>.<n>.tmp is 52 characters more than the name (the record's lock
  // drafts 47): a name of 204 to 208 characters got no warning, and a reconcile (or a promote going on with a
  // handed-off rollout) that had to take over a stale lock was refused with ENAMETOOLONG.
  const { STATE_FILE_NAME_MAX } = await import('../../../src/config/limits.ts');
  const { reconcileLockPath } = await import('../../../src/cli/reconcile-lock.ts');
  const { takeoverGuard } = await import('../../../src/util/lock-takeover.ts');
  const { basename } = await import('node:path');
  const name = 'a'.repeat(STATE_FILE_NAME_MAX);
  const lock = reconcileLockPath({ name, stateDir: '/state' } as Parameters<typeof reconcileLockPath>[0]);
  // The longest pid Linux gives (pid_max 4194304) and the longest draft number (randomInt(2 ** 47)).
  const draft = `${basename(takeoverGuard(lock))}.4194303.${2 ** 47 - 1}.tmp`;
  assert.ok(draft.length <= 255, `${draft.length} bytes`);
  const warned = `prod.${'a'.repeat(199)}`; // 204 characters
  assert.match(
    warningsOf(`${TARGET}environments:\n  ${warned}: {}\n`).join('\n'),
    /204 characters as a file name/,
  );
});

test('a rolling approval or pause with every instance in one batch is never used: a warning at what was written', () => {
  // approval: 2 read as "two people promote before the fleet moves"; with one batch nobody was ever asked.
  const one = warningsOf(
    `${TARGET}environments:\n  production:\n    strategy: { type: rolling, instances: [web-1, web-2], max_surge: 2, approval: 2, pause: 10m }\n`,
  ).filter((w) => w.includes('one batch'));
  assert.deepEqual(one, [
    'deploy.yml:7:83: environments.production.strategy.approval: approval is taken between batches, and environment "production" deploys all 2 instances in one batch (max_surge + max_unavailable >= 2), so no /promote is ever asked for: lower max_surge / max_unavailable to deploy in several batches, or ask for approval before the deployment (the environment\'s approvals)',
    'deploy.yml:7:93: environments.production.strategy.pause: pause is taken between batches, and environment "production" deploys all 2 instances in one batch (max_surge + max_unavailable >= 2), so it is never waited (the monitor window still watches the release): lower max_surge / max_unavailable to deploy in several batches',
  ]);
  // The shared section, for an environment with a single instance: said there.
  const shared = warningsOf(
    `${TARGET}strategies:\n  rolling: { approval: 1 }\nenvironments:\n  production:\n    strategy: { type: rolling, instances: 1 }\n`,
  ).filter((w) => w.includes('one batch'));
  assert.equal(shared.length, 1);
  assert.match(
    shared[0]!,
    /^deploy\.yml:\d+:\d+: strategies\.rolling\.approval: approval is taken between batches, and environment "production" has a single instance, always one batch, so no \/promote is ever asked for: move approval from strategies\.rolling to the strategy of each environment with several batches, or ask for approval before the deployment \(the environment's approvals\)$/,
  );
  // Several batches: both are used, nothing said; nor where neither is written.
  assert.deepEqual(
    warningsOf(
      `${TARGET}environments:\n  production:\n    strategy: { type: rolling, instances: [a, b, c], approval: 2, pause: 10m }\n  staging:\n    strategy: { type: rolling, instances: 1 }\n`,
    ).filter((w) => w.includes('one batch')),
    [],
  );
});

test('a non-production environment whose staging is a production one: a warning at its staging, naming whose rules apply', () => {
  const text = `${TARGET}environments:\n  production:\n    monitor: 1m\n  preview:\n    production: false\n    staging: production\n`;
  assert.deepEqual(warningsOf(text), [
    'deploy.yml:10:14: environments.preview.staging: deploying "preview" deploys the production environment "production" first, in the same run, so "production"\'s approvals, deployers, windows, freezes, checks and locks apply to every deployment of "preview" too (a hotfix skips staging and is held to "preview"\'s alone); name a non-production environment as its staging, or mark "preview" production',
  ]);
  // Production to production (one region before another) and a non-production staging say nothing.
  const regions = `${TARGET}environments:\n  prod-us:\n    production: true\n    staging: prod-eu\n  prod-eu:\n    production: true\n    monitor: 1m\n  qa:\n    staging: dev\n  dev:\n    monitor: 1m\n`;
  assert.deepEqual(
    warningsOf(regions).filter((w) => w.includes('deploys the production environment')),
    [],
  );
});

test('an analysis deciding by side-by-side comparisons alone, for a strategy with no stable side beside the new version: a warning', () => {
  const analysis = (checks: string) => `analysis:
  preset: none
  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
  metrics:
    errors: { provider: prom, query: 'sum(increase(e{version="{{version}}"}[1m]))' }
    requests: { provider: prom, query: 'sum(increase(r{version="{{version}}"}[1m]))' }
    error_rate: { provider: prom, query: 'e{version="{{version}}"}' }
  checks: ${checks}
`;
  const comparisonOnly = analysis('[{ compare: errors, errors: errors, requests: requests }]');
  const env = (strategy: string) =>
    `${strategy === 'rolling' ? 'strategies:\n  rolling: { instances: 2 }\n' : ''}environments:\n  production:\n    strategy: ${strategy}\n`;
  const sideBySide = (text: string) => warningsOf(text).filter((w) => w.includes('side by side'));
  for (const strategy of ['blue-green', 'rolling', 'direct']) {
    const [warning, ...rest] = sideBySide(`${TARGET}${comparisonOnly}${env(strategy)}`);
    assert.equal(rest.length, 0, strategy);
    assert.match(
      warning ?? '',
      new RegExp(`environments\\.production\\.strategy: environment "production" deploys ${strategy}`),
    );
    assert.match(warning!, /roll back every deployment \(no-data\); add a check that needs no stable side/);
  }
  // A canary compares beside stable in its steps below 100 %; a threshold that decides judges any window; a
  // warning-only one decides nothing.
  const canaryTarget = TARGET.replace(
    '    switch: ["true"]\n',
    '    switch: ["true"]\n    set_weight: ["true"]\n',
  );
  assert.deepEqual(sideBySide(`${canaryTarget}${comparisonOnly}${env('canary')}`), []);
  const withThreshold = analysis(
    '[{ compare: errors, errors: errors, requests: requests }, { check: "error_rate < 1%", requests: requests }]',
  );
  assert.deepEqual(sideBySide(`${TARGET}${withThreshold}${env('blue-green')}`), []);
  const warnOnly = analysis(
    '[{ compare: errors, errors: errors, requests: requests }, { check: "error_rate < 1%", requests: requests, on_breach: warn }]',
  );
  assert.equal(sideBySide(`${TARGET}${warnOnly}${env('blue-green')}`).length, 1);
});
