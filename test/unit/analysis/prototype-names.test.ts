// A metric or check named like an Object.prototype property ("constructor", "toString", "valueOf") is judged
// as any other name: the judge's maps by metric name do not find Object.prototype's functions behind it.
// `max_no_data` never fired for a silent metric named "constructor" (its last data was Object's function, and
// the time since it NaN), and a recording's histogram named so was refused for a total it never wrote.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAnalyzer } from '../../../src/analysis/analyzer.ts';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { decideAtDeadline } from '../../../src/analysis/deadline.ts';
import { createJudgeState, judge } from '../../../src/analysis/judge.ts';
import { canonicalBuckets } from '../../../src/analysis/recorded-buckets.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import { parseMetricsJson } from '../../../src/analysis/providers/command.ts';
import { pickFields, type MetricProvider } from '../../../src/analysis/providers/provider.ts';
import type { Sample } from '../../../src/analysis/types.ts';

const MINUTE = 60_000;
// Every Object.prototype name a metric may be called (`__proto__` is refused as a key: hostile-config.test.ts).
const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'].filter((n) => n !== '__proto__');
const CONTROL = 'plain_name';

type Scenario = (name: string) => { config: object; samples: Sample[]; baseline?: Record<string, number> };
const one = (name: string, value: number | null) => ({ [name]: value });
const provider = { m: { type: 'command', run: ['metrics'] } };
const times = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) * MINUTE);
/** One metric named `n` and a threshold on it. */
const thresholdOn = (n: string) => ({
  preset: 'none',
  providers: provider,
  metrics: { [n]: { provider: 'm' } },
  checks: [{ check: `${n} < 5%`, for: '2m' }],
});

const SCENARIOS: Record<string, Scenario> = {
  'a silent metric (max_no_data)': (n) => ({
    config: { ...thresholdOn(n), max_no_data: '3m' },
    samples: times(6).map((at) => ({ at, canary: {}, errors: [] })),
  }),
  'a metric reading null (max_no_data)': (n) => ({
    config: { ...thresholdOn(n), max_no_data: '3m' },
    samples: times(6).map((at) => ({ at, canary: one(n, null), errors: [] })),
  }),
  'a threshold breached': (n) => ({
    config: thresholdOn(n),
    samples: times(5).map((at) => ({ at, canary: one(n, 0.2), errors: [] })),
  }),
  'a threshold held': (n) => ({
    config: thresholdOn(n),
    samples: times(5).map((at) => ({ at, canary: one(n, 0.01), errors: [] })),
  }),
  'a values comparison': (n) => ({
    config: {
      preset: 'none',
      providers: provider,
      metrics: { [n]: { provider: 'm' } },
      checks: [{ compare: 'values', metric: n }],
    },
    samples: times(20).map((at) => ({ at, canary: one(n, 300), stable: one(n, 100), errors: [] })),
  }),
  'an errors comparison': (n) => ({
    config: {
      preset: 'none',
      providers: provider,
      metrics: { [n]: { provider: 'm' }, requests: { provider: 'm' } },
      checks: [{ compare: 'errors', errors: n, requests: 'requests' }],
    },
    samples: times(20).map((at) => ({
      at,
      canary: { ...one(n, 50), requests: 100 },
      stable: { ...one(n, 1), requests: 100 },
      errors: [],
    })),
  }),
  'a pre-deploy baseline': (n) => ({
    config: {
      preset: 'none',
      providers: provider,
      metrics: { [n]: { provider: 'm' } },
      checks: [{ check: `${n} < 2x baseline`, baseline: 'pre-deploy', for: '2m' }],
    },
    samples: times(5).map((at) => ({ at, canary: one(n, 500), errors: [] })),
    baseline: one(n, 100) as Record<string, number>,
  }),
  'a check so named': (n) => ({
    config: {
      preset: 'none',
      providers: provider,
      metrics: { error_rate: { provider: 'm' } },
      checks: [{ name: n, check: 'error_rate < 5%', for: '2m' }],
    },
    samples: times(5).map((at) => ({ at, canary: { error_rate: 0.2 }, errors: [] })),
  }),
};

/** Every decision of the window and its conclusion, with the name written as the control name. */
function decisions(make: Scenario, name: string): string {
  const { config, samples, baseline } = make(name);
  const resolved = resolveAnalysisConfig(config as never);
  let state = createJudgeState(resolved, {
    intervalMs: MINUTE,
    startedAt: 0,
    baseline,
    plannedIntervals: samples.length,
  });
  const out = [];
  for (const sample of samples) {
    const judged = judge(state, sample);
    state = judged.state;
    out.push(judged.decision);
    if (judged.decision.kind === 'rollback') break;
  }
  out.push(decideAtDeadline(state, out.at(-1)!));
  return JSON.stringify(out).split(name).join(CONTROL);
}

test('the judge decides for a metric or check named like an Object.prototype property as for any name', () => {
  for (const [what, make] of Object.entries(SCENARIOS)) {
    const expected = decisions(make, CONTROL);
    for (const name of NAMES) assert.equal(decisions(make, name), expected, `${what}: ${name}`);
  }
  // What the first scenario expects: the silent metric fails closed.
  assert.match(decisions(SCENARIOS['a silent metric (max_no_data)']!, 'constructor'), /"rule":"max_no_data"/);
});

test('a live window whose metric named constructor gives no data rolls back at max_no_data', async () => {
  let now = 1_700_000_000_000;
  const silent: MetricProvider = {
    name: 'm',
    read: async (request) => ({
      values: Object.fromEntries(request.metrics.map((m) => [m.name, null])),
      errors: [],
    }),
  };
  const analyzer = createAnalyzer(
    {
      preset: 'none',
      max_no_data: '3m',
      providers: provider,
      metrics: { constructor: { provider: 'm' } },
      checks: [{ check: 'constructor < 5%' }],
    } as never,
    { now: () => now, sleep: async (ms: number) => void (now += ms), providers: { m: silent } },
  );
  const outcome = await analyzer.evaluate({
    phase: 'canary-step',
    environment: 'production',
    version: 'v2',
    stableVersion: 'v1',
    slot: 'green',
    stableSlot: 'blue',
    weight: 10,
    windowMs: 30 * MINUTE,
    intervalMs: MINUTE,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.decision.kind, 'rollback');
  assert.equal(outcome.decision.rule, 'max_no_data');
  assert.equal(outcome.intervals.length, 4, 'no data for 4 minutes is past max_no_data 3m');
});

test("a recording's histogram named like an Object.prototype property takes its total from its +Inf bucket", () => {
  for (const name of NAMES) {
    const read = canonicalBuckets({ [`${name}{le="1"}`]: 2, [`${name}{le="+Inf"}`]: 3 }, [
      'sample',
      'canary',
    ]);
    assert.deepEqual(read.problems, [], name);
    assert.equal(read.values[name], 3, name);
  }
});

test('a configured provider named constructor is made, not taken from the replacements given for others', async () => {
  const replaced: MetricProvider = {
    name: 'm',
    read: async (request) => ({
      values: Object.fromEntries(request.metrics.map((m) => [m.name, 0.001])),
      errors: [],
    }),
  };
  let now = 1_700_000_000_000;
  const analyzer = createAnalyzer(
    {
      preset: 'none',
      providers: {
        m: { type: 'command', run: ['unused'] },
        constructor: {
          type: 'command',
          run: [process.execPath, '-e', 'console.log(JSON.stringify({p95: 100}))'],
        },
      },
      metrics: { error_rate: { provider: 'm' }, p95: { provider: 'constructor' } },
      checks: [{ check: 'error_rate < 5%' }, { check: 'p95 < 500' }],
      min_samples: 1,
    } as never,
    { now: () => now, sleep: async (ms: number) => void (now += ms), providers: { m: replaced } },
  );
  const outcome = await analyzer.evaluate({
    phase: 'verify',
    environment: 'production',
    version: 'v2',
    windowMs: MINUTE,
    intervalMs: MINUTE,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
  assert.equal(outcome.decision.values.p95, 100);
});

test("a metrics command's key named like an Object.prototype property is read by the metric whose field it is", () => {
  // __proto__ too: a field may be named so (only keys of deploy.yml may not), and JSON gives it as a key.
  for (const name of [...NAMES, '__proto__']) {
    const output = parseMetricsJson(
      'script',
      `{${JSON.stringify(name)}: 0.5, "other": 1}`,
      new Set([name, 'other']),
    );
    assert.ok(output.ok, name);
    assert.ok(Object.hasOwn(output.value, name), name);
    const metric = { provider: 'script', field: name };
    assert.deepEqual(
      pickFields([{ name: 'read', config: metric as never }], output.value),
      { read: 0.5 },
      name,
    );
    // And a metric reading a key the output does not have finds no value behind the name.
    const without = parseMetricsJson('script', '{"other": 1}');
    assert.ok(without.ok);
    assert.deepEqual(
      pickFields([{ name: 'read', config: metric as never }], without.value),
      { read: null },
      name,
    );
  }
});

test("a recorded window's context keys named like Object.prototype properties are left out, as any key not known", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prototype-names-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = readFileSync(
    new URL('../../fixtures/analysis/canary-sustained-errors.ndjson', import.meta.url),
    'utf8',
  ).split('\n');
  const window = JSON.parse(lines[1]!) as { context: Record<string, unknown> };
  const known = Object.keys(window.context).sort();
  for (const name of NAMES) window.context[name] = 'x';
  window.context.not_a_context_key = 'x';
  lines[1] = JSON.stringify(window);
  const file = join(dir, 'recording.ndjson');
  writeFileSync(file, lines.join('\n'));
  const [replayed] = analyzeRecording(file).windows;
  assert.deepEqual(Object.keys(replayed!.context).sort(), known);
});
