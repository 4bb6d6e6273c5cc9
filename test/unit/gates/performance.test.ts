// The performance gate: k6 results in both shapes k6 writes (--summary-export and handleSummary() data),
// k6's own thresholds, the targets, a baseline, odd files, and the gate end to end with a command standing in
// for k6.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { gatesConfigSchema } from '../../../src/gates/schema/section.ts';
import { GATES, GATE_NAMES } from '../../../src/gates/registry.ts';
import { readK6Results, type K6Results } from '../../../src/gates/k6-results.ts';
import { baselineFindings, targetFindings, thresholdFindings } from '../../../src/gates/performance-judge.ts';
import { performanceGate } from '../../../src/gates/performance.ts';
import { performanceConfigSchema, type PerformanceConfig } from '../../../src/gates/schema/performance.ts';
import type { GateContext } from '../../../src/gates/types.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/gates/k6/${name}`, import.meta.url));
const EXPORT_TEXT = readFileSync(fixture('summary-export.json'), 'utf8');
const HANDLE_TEXT = readFileSync(fixture('handle-summary.json'), 'utf8');
const standIn = fixture('k6-stand-in.mjs');

/** A fresh copy of a fixture's JSON, to change. */
const exported = () => JSON.parse(EXPORT_TEXT) as { metrics: Record<string, Record<string, unknown>> };
const handled = () =>
  JSON.parse(HANDLE_TEXT) as {
    metrics: Record<string, { values: Record<string, unknown>; thresholds?: unknown }>;
  };

function read(value: unknown): K6Results {
  const result = readK6Results(value, 'k6.json');
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.results;
}

describe('reading k6 results', () => {
  it('reads --summary-export and handleSummary() data alike, in ms, thresholds by their meaning', () => {
    for (const [text, shape] of [
      [EXPORT_TEXT, 'summary-export'],
      [HANDLE_TEXT, 'handle-summary'],
    ] as const) {
      const results = read(JSON.parse(text));
      assert.equal(results.shape, shape);
      assert.deepEqual(results.p95, { ok: true, value: 212.81 });
      assert.deepEqual(results.p99, { ok: true, value: 341.09 });
      assert.deepEqual(results.rps, { ok: true, value: 150.41 });
      assert.deepEqual(results.errorRate, { ok: true, value: 0.0006644518272425249 });
      assert.deepEqual(
        results.thresholds.map((t) => `${t.metric} ${t.expression} ${t.ok}`),
        [
          'checks rate>0.99 true',
          'http_req_duration p(95)<500 true',
          'http_req_duration p(99)<1000 true',
          'http_req_failed rate<0.01 true',
        ],
      );
    }
  });

  it('--summary-export writes true for a FAILED threshold; handleSummary() data writes ok: false', () => {
    const legacy = exported();
    (legacy.metrics.http_req_duration!.thresholds as Record<string, boolean>)['p(95)<500'] = true;
    const data = handled();
    (data.metrics.http_req_duration!.thresholds as Record<string, { ok: boolean }>)['p(95)<500'] = {
      ok: false,
    };
    for (const value of [legacy, data]) {
      const failed = read(value).thresholds.filter((t) => !t.ok);
      assert.deepEqual(failed, [
        {
          metric: 'http_req_duration',
          expression: 'p(95)<500',
          ok: false,
          observed: { stat: 'p(95)', value: 212.81 },
        },
      ]);
    }
  });

  it('says p95 or p99 is absent because summaryTrendStats left it out', () => {
    const data = handled();
    delete data.metrics.http_req_duration!.values['p(99)'];
    const results = read(data);
    assert.equal(results.p99.ok, false);
    assert.match(
      results.p99.ok ? '' : results.p99.why,
      /http_req_duration has no p\(99\).*summaryTrendStats.*add "p\(99\)"/,
    );
  });

  it('refuses what is no k6 summary, saying what it is', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /is an array, not k6 results/],
      [{ root_group: {} }, /an object without "metrics"/],
      [null, /null/],
      [{ metrics: [] }, /"metrics" is an array/],
      [{ metrics: { http_reqs: 5 } }, /metric "http_reqs" is number, not an object/],
      [{ metrics: { a: { values: {} }, b: { count: 1 } } }, /mixes two shapes/],
      [
        { metrics: { http_req_duration: { 'p(95)': 1, thresholds: { 'p(95)<5': 'no' } } } },
        /writes a boolean \(true: the threshold failed\)/,
      ],
      [{ metrics: { x: { type: 'trend', values: {}, thresholds: { 'p(95)<5': true } } } }, /no boolean "ok"/],
      // An array or an object where something else belongs is named so, never "object, not an object".
      [{ metrics: { http_reqs: [] } }, /metric "http_reqs" is an array, not an object/],
      [{ metrics: { http_reqs: { count: 1, thresholds: ['rate>1'] } } }, /are an array, not an object/],
      [
        { metrics: { http_reqs: { count: 1, thresholds: { 'count>1': { ok: false } } } } },
        /"count>1" is an object; --summary-export writes a boolean/,
      ],
    ];
    for (const [value, expected] of cases) {
      const result = readK6Results(value, 'k6.json');
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.message, expected);
    }
  });

  it('a statistic k6 wrote as null (NaN), a string or negative is no number; missing metrics say why', () => {
    const data = exported();
    data.metrics.http_req_duration!['p(95)'] = null;
    data.metrics.http_reqs!.rate = 'NaN';
    data.metrics.http_req_failed!.value = -1;
    const results = read(data);
    assert.match(results.p95.ok ? '' : results.p95.why, /p\(95\) is null \(k6 writes a NaN/);
    assert.match(results.rps.ok ? '' : results.rps.why, /rate is the string "NaN", not a number/);
    // -1 is a number: said as what it is not (k6 writes no statistic below 0).
    assert.match(
      results.errorRate.ok ? '' : results.errorRate.why,
      /value is -1, below 0: no statistic k6 writes is negative/,
    );
    const empty = read({ metrics: {} });
    assert.match(empty.p95.ok ? '' : empty.p95.why, /no http_req_duration metric/);
    assert.match(empty.errorRate.ok ? '' : empty.errorRate.why, /no http_req_failed metric/);
  });
});

describe('judging', () => {
  const results = read(JSON.parse(EXPORT_TEXT));

  it('each target missed is a finding with the number and what was expected; met ones are listed', () => {
    const judged = targetFindings(
      results,
      { p95: 200, p99: 400, error_rate: 0.0001, min_rps: 200 },
      'k6.json',
    );
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.message]),
      [
        [
          'performance.p95-over-target',
          'p95 of http_req_duration is 212.81 ms, over the target of at most 200 ms',
        ],
        [
          'performance.error-rate-over-target',
          'error rate (http_req_failed) is 0.066 %, over the target of at most 0.01 %',
        ],
        [
          'performance.rps-under-target',
          'throughput (http_reqs) is 150.41 requests/s, under the target of at least 200 requests/s',
        ],
      ],
    );
    assert.deepEqual(judged.checked, ['p99 of http_req_duration 341.09 ms ≤ 400 ms']);
  });

  it('a target on a statistic the file lacks blocks, saying why it is absent', () => {
    const data = exported();
    delete data.metrics.http_req_duration!['p(99)'];
    const judged = targetFindings(read(data), { p99: 400 }, 'k6.json');
    assert.equal(judged.findings[0]!.rule, 'performance.metric-missing');
    assert.match(
      judged.findings[0]!.message,
      /target for p99 .* cannot be checked: http_req_duration has no p\(99\)/,
    );
  });

  it('a failed k6 threshold is a finding naming its metric and expression', () => {
    const data = exported();
    (data.metrics.checks!.thresholds as Record<string, boolean>)['rate>0.99'] = true;
    const judged = thresholdFindings(read(data), 'k6.json');
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.message]),
      [
        [
          'performance.threshold-failed',
          'k6 threshold "rate>0.99" on metric "checks" failed: rate was 0.9993',
        ],
      ],
    );
  });

  it('baseline: 10 % slower, 10 % fewer requests per second pass at the edge; beyond, each is a finding', () => {
    const before = read(JSON.parse(EXPORT_TEXT));
    const at = (p95: number, rps: number, errorRate: number): K6Results => ({
      ...before,
      p95: { ok: true, value: p95 },
      rps: { ok: true, value: rps },
      errorRate: { ok: true, value: errorRate },
    });
    // 212.81 × 1.1 = 234.091; 150.41 × 0.9 = 135.369; error rate: baseline + 0.1 point beats × 1.1.
    assert.deepEqual(
      baselineFindings(at(234.09, 135.37, 0.00166), before, 'base.json', 'k6.json').findings,
      [],
    );
    const worse = baselineFindings(at(234.2, 135.3, 0.0017), before, 'base.json', 'k6.json');
    assert.deepEqual(
      worse.findings.map((f) => f.rule),
      [
        'performance.slower-than-baseline',
        'performance.rps-below-baseline',
        'performance.error-rate-above-baseline',
      ],
    );
    assert.match(
      worse.findings[0]!.message,
      /p95 of http_req_duration is 234\.2 ms against 212\.81 ms in the baseline base\.json: over the most allowed, 234\.09 ms \(tolerance 10 %\)/,
    );
    // A tolerance of 50 %: the slower, lower throughput is within it; the error rate may be 0.0664 % × 1.5 or
    // + 0.1 point, the more: 0.1664 %.
    const wider = baselineFindings(at(234.2, 135.3, 0.0017), before, 'base.json', 'k6.json', 0.5);
    assert.deepEqual(
      wider.findings.map((f) => f.rule),
      ['performance.error-rate-above-baseline'],
    );
    assert.deepEqual(
      baselineFindings(at(234.2, 135.3, 0.0016), before, 'base.json', 'k6.json', 0.5).findings,
      [],
    );
  });

  it('a baseline with nothing in common blocks', () => {
    const judged = baselineFindings(results, read({ metrics: {} }), 'base.json', 'k6.json');
    assert.deepEqual(
      judged.findings.map((f) => f.rule),
      ['performance.baseline-incomparable'],
    );
  });
});

describe('the schema', () => {
  const parse = (config: unknown) => performanceConfigSchema.safeParse(config);
  it('reads durations, fractions and percentages', () => {
    const parsed = parse({
      report: 'k6.json',
      targets: { p95: '500ms', p99: '1.5s', error_rate: '1%', min_rps: 50 },
      baseline: 'b.json',
      tolerance: 0.2,
    });
    assert.ok(parsed.success);
    assert.deepEqual(parsed.data.targets, { p95: 500, p99: 1500, error_rate: 0.01, min_rps: 50 });
    assert.equal(parsed.data.tolerance, 0.2);
  });
  it('refuses a missing report, bad targets, and a tolerance without a baseline, saying where', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /report/],
      [{ report: 'k6.json', targets: { p95: 500 } }, /p95/],
      [{ report: 'k6.json', targets: { error_rate: '150%' } }, /invalid error rate "150%"/],
      [{ report: 'k6.json', targets: { error_rate: 2 } }, /fraction from 0 to 1/],
      [{ report: 'k6.json', targets: { min_rps: 0 } }, /min_rps/],
      [{ report: 'k6.json', targets: { p90: '1s' } }, /p90/],
      [{ report: 'k6.json', tolerance: '5%' }, /tolerance needs a baseline/],
    ];
    for (const [config, expected] of cases) {
      const parsed = parse(config);
      assert.equal(parsed.success, false, JSON.stringify(config));
      const text = parsed
        .error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('\n');
      assert.match(text, expected);
    }
  });
  it('a latency target written without its unit is offered in milliseconds, never past the hour allowed', () => {
    const result = parseConfig(
      'target:\n  commands:\n    deploy: ./deploy.sh\ngates:\n  performance:\n    report: k6.json\n    targets: { p95: 500 }\nenvironments:\n  production: {}\n',
      'deploy.yml',
    );
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.errors.map(formatConfigError), [
      'deploy.yml:7:21: gates.performance.targets.p95: expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), got the number 500: a duration needs its unit, such as "500ms" or "500s" (highest 95th percentile of http_req_duration, e.g. "500ms")',
    ]);
  });

  it('is a gate of the section and the registry', () => {
    assert.ok(GATE_NAMES.includes('performance'));
    assert.equal(GATES.performance.name, 'performance');
    assert.ok(gatesConfigSchema.safeParse({ performance: { report: 'k6.json' } }).success);
  });
});

describe('the gate', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'performance-gate-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });
  const context = (env: Record<string, string> = {}): GateContext => ({
    cwd,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const run = (config: Record<string, unknown>, env?: Record<string, string>) =>
    performanceGate.run(performanceConfigSchema.parse(config) as PerformanceConfig, context(env));
  /** The stand-in for k6: copies `from` to k6.json, exits with K6_EXIT. */
  const command = (from: string) => [process.execPath, standIn, 'k6.json', from];

  it('runs the command, reads the results it wrote, and passes within the targets', async () => {
    const verdict = await run({
      command: command(fixture('summary-export.json')),
      report: 'k6.json',
      targets: { p95: '500ms', min_rps: 100 },
    });
    assert.equal(verdict.status, 'pass', verdict.summary);
    assert.match(
      verdict.summary,
      /^4 k6 threshold\(s\) passed; p95 of http_req_duration 212\.81 ms ≤ 500 ms; throughput \(http_reqs\) 150\.41 requests\/s ≥ 100 requests\/s$/,
    );
  });

  it('k6 exit 99 with failed thresholds: the thresholds are the findings, not the exit code', async () => {
    const data = handled();
    (data.metrics.http_req_duration!.thresholds as Record<string, { ok: boolean }>)['p(95)<500'] = {
      ok: false,
    };
    await writeFile(join(cwd, 'failing.json'), JSON.stringify(data));
    const verdict = await run({ command: command('failing.json'), report: 'k6.json' }, { K6_EXIT: '99' });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['performance.threshold-failed'],
    );
    assert.match(verdict.summary, /k6 threshold "p\(95\)<500" on metric "http_req_duration" failed/);
  });

  it('another non-zero exit blocks with the output tail, even when the report passes', async () => {
    const verdict = await run(
      { command: command(fixture('handle-summary.json')), report: 'k6.json' },
      { K6_EXIT: '107' },
    );
    assert.equal(verdict.status, 'block');
    assert.equal(verdict.findings[0]!.rule, 'performance.command-failed');
    assert.match(
      verdict.findings[0]!.message,
      /exited with code 107; last output lines:\nrunning \(0m30\.0s\)/,
    );
  });

  it('the command output in a finding is redacted', async () => {
    const token = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
    const verdict = await run(
      { command: command(fixture('handle-summary.json')), report: 'k6.json' },
      { K6_EXIT: '1', K6_PRINT: `login with ${token}` },
    );
    assert.equal(verdict.findings[0]!.rule, 'performance.command-failed');
    assert.match(verdict.findings[0]!.message, /login with /);
    assert.ok(!verdict.findings[0]!.message.includes(token.slice(0, 12)), verdict.findings[0]!.message);
  });

  it('cancelled while the load test runs: the command is stopped and the gate blocks saying so', async () => {
    const controller = new AbortController();
    const config = performanceConfigSchema.parse({
      command: command(fixture('handle-summary.json')),
      report: 'k6.json',
    });
    const running = performanceGate.run(config, {
      ...context({ K6_SLEEP_MS: '60000' }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 200);
    const verdict = await running;
    assert.equal(verdict.status, 'block');
    assert.equal(verdict.findings[0]!.rule, 'performance.command-failed');
    assert.match(verdict.summary, /was stopped: the gate was cancelled/);
  });

  it('a report the command did not write (left from before) is stale', async () => {
    await copyFile(fixture('summary-export.json'), join(cwd, 'k6.json'));
    const old = new Date(Date.now() - 60_000);
    await utimes(join(cwd, 'k6.json'), old, old);
    const verdict = await run({ command: command('none'), report: 'k6.json' }, { K6_SKIP_WRITE: '1' });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['performance.report-stale'],
    );
  });

  it('odd report files block as unreadable, saying what is wrong', async () => {
    const cases: Array<[string | Buffer | undefined, RegExp]> = [
      [undefined, /k6 results k6\.json not found/],
      ['', /is empty/],
      ['{"metrics": {', /cannot be read: it is not JSON/],
      [
        '{"type":"Metric","data":{"name":"http_reqs"},"metric":"http_reqs"}\n{"type":"Point","data":{},"metric":"http_reqs"}\n',
        /data points of `k6 run --out json`/,
      ],
      ['[1,2]', /is an array, not k6 results/],
    ];
    for (const [content, expected] of cases) {
      await rm(join(cwd, 'k6.json'), { force: true });
      if (content !== undefined) await writeFile(join(cwd, 'k6.json'), content);
      const verdict = await run({ report: 'k6.json', targets: { p95: '1s' } });
      assert.equal(verdict.status, 'block');
      assert.deepEqual(
        verdict.findings.map((f) => f.rule),
        ['performance.report-unreadable'],
      );
      assert.match(verdict.findings[0]!.message, expected);
    }
  });

  it('a report over the size limit is refused before it is read', async () => {
    const { MAX_REPORT_BYTES } = await import('../../../src/gates/report-file.ts');
    await writeFile(join(cwd, 'k6.json'), '');
    await truncate(join(cwd, 'k6.json'), MAX_REPORT_BYTES + 1);
    const verdict = await run({ report: 'k6.json', targets: { p95: '1s' } });
    assert.equal(verdict.status, 'block');
    assert.match(verdict.findings[0]!.message, /over the 128\.0 MB a report may be/);
  });

  it('compares with a baseline; a missing baseline warns, a broken one blocks', async () => {
    await copyFile(fixture('handle-summary.json'), join(cwd, 'k6.json'));
    const slow = exported();
    slow.metrics.http_req_duration!['p(95)'] = 150;
    await writeFile(join(cwd, 'base.json'), JSON.stringify(slow));
    const slower = await run({ report: 'k6.json', baseline: 'base.json' });
    assert.equal(slower.status, 'block');
    assert.deepEqual(
      slower.findings.map((f) => f.rule),
      ['performance.slower-than-baseline'],
    );

    const missing = await run({ report: 'k6.json', baseline: 'nowhere.json', targets: { p95: '1s' } });
    assert.equal(missing.status, 'warn', missing.summary);
    assert.deepEqual(
      missing.findings.map((f) => [f.rule, f.severity]),
      [['performance.baseline-missing', 'warning']],
    );

    await writeFile(join(cwd, 'base.json'), 'not json');
    const broken = await run({ report: 'k6.json', baseline: 'base.json' });
    assert.equal(broken.status, 'block');
    assert.deepEqual(
      broken.findings.map((f) => f.rule),
      ['performance.baseline-unreadable'],
    );
  });

  it('nothing to check (no thresholds in the file, no targets, no baseline) blocks', async () => {
    await writeFile(join(cwd, 'k6.json'), JSON.stringify({ metrics: { http_reqs: { count: 1, rate: 1 } } }));
    const verdict = await run({ report: 'k6.json' });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['performance.nothing-checked'],
    );
  });

  it('a user-defined metric name from the file stays data: quoted and cut', async () => {
    const data = handled();
    const name = `evil\`name\n::error::x ${'y'.repeat(300)}`;
    data.metrics[name] = { values: { rate: 0 }, thresholds: { 'rate<0.1': { ok: false } } };
    await writeFile(join(cwd, 'k6.json'), JSON.stringify(data));
    const verdict = await run({ report: 'k6.json' });
    const message = verdict.findings[0]!.message;
    assert.ok(!message.includes('\n'), message);
    assert.ok(message.length < 300, message);
    assert.match(message, /on metric "evil`name\\n::error::x y+…" failed/);
  });
});
