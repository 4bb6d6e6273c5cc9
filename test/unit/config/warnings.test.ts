// A valid config may still say something a run will not do as written: a window watched every
// monitor_interval that is shorter than the interval (watched as one interval of its own length), or, with a
// metrics analysis, not a whole number of intervals (it lasts to the end of its last one). Such a config stays
// valid (exit 0); the loader returns the warnings beside it, located as errors are, `validate` prints them on
// standard error (in its JSON line with --json), and a run logs them once before it starts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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
