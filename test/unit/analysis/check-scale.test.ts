// A limit on a fraction written as a percentage ("error_rate < 5" meant as 5 %) can never fire: an error rate
// is never above 1, so the check holds whatever the canary does. Refused where it is written, saying what was
// probably meant. And a recording made before such checks were refused is still judged as it ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import { RecordingError } from '../../../src/analysis/recording.ts';

const TARGET = ['target:', '  commands:', '    deploy: ./deploy.sh {{version}}'].join('\n');

const configWith = (check: string) => `${TARGET}
environments:
  production:
    analysis:
      providers:
        prom: { type: prometheus, url: "http://127.0.0.1:9090" }
        probe: { type: http, url: "http://{{environment}}.internal/health" }
      metrics:
        error_rate: { provider: prom, query: x }
        success_rate: { provider: prom, query: x }
        probe_errors: { provider: probe, field: error_rate }
        queue_depth: { provider: prom, query: x }
      checks:
        - check: "${check}"
          for: 5m
`;

const errorsOf = (text: string): string[] => {
  const result = parseConfig(text, 'deploy.yml');
  return result.ok ? [] : result.errors.map(formatConfigError);
};

test('a fraction limit written as a percentage is refused at its position with what was meant', () => {
  const at = 'deploy.yml:16:18: environments.production.analysis.checks[0].check';
  assert.deepEqual(errorsOf(configWith('error_rate < 5')), [
    `${at}: check "error_rate < 5" can never fire: error_rate is a fraction between 0 and 1 (1 % is 0.01), so it is always below 5 and the check would never roll back; did you mean "error_rate < 0.05" (5 %)?`,
  ]);
  assert.deepEqual(errorsOf(configWith('error_rate <= 1')), [
    `${at}: check "error_rate <= 1" can never fire: error_rate is a fraction between 0 and 1 (1 % is 0.01), so it is always at or below 1 and the check would never roll back; did you mean "error_rate <= 0.01" (1 %)?`,
  ]);
  // A metric that reads the prober's error_rate field is a fraction too, whatever its own name.
  assert.deepEqual(errorsOf(configWith('probe_errors < 2.5')), [
    `${at}: check "probe_errors < 2.5" can never fire: probe_errors is a fraction between 0 and 1 (1 % is 0.01), so it is always below 2.5 and the check would never roll back; did you mean "probe_errors < 0.025" (2.5 %)?`,
  ]);
  // The other way round it can never hold; the message says what was meant too.
  assert.deepEqual(errorsOf(configWith('success_rate > 99.9')), [
    `${at}: check "success_rate > 99.9" can never hold: success_rate is a fraction between 0 and 1, so it is never above 1, so every interval would violate it and every deployment would be rolled back; did you mean "success_rate > 0.999" (99.9 %)?`,
  ]);
  assert.match(
    errorsOf(configWith('probe_errors < 0'))[0] ?? '',
    /can never hold: probe_errors is a fraction/,
  );
  // No guess past 100 %.
  assert.match(errorsOf(configWith('error_rate < 500'))[0] ?? '', /never roll back$/);
});

test('limits a fraction can cross, percentages and metrics the name says nothing about are accepted', () => {
  for (const check of [
    'error_rate < 0.05',
    'error_rate < 5%',
    'error_rate <= 0.999',
    'success_rate >= 0.99',
    'success_rate > 99%',
    'probe_errors < 0.01',
    'queue_depth < 5',
  ])
    assert.deepEqual(errorsOf(configWith(check)), [], check);
});

const MINUTE = 60_000;

/** A recording of one 5-minute window with `error_rate` at 2 % on both sides, judged with `checks`. */
function recording(t: { after(fn: () => void): void }, checks: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'check-scale-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  const lines = [
    {
      format: 'deploy-action.recording',
      version: 1,
      config: {
        preset: 'none',
        providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
        metrics: { error_rate: { provider: 'prom', query: 'x' } },
        checks,
      },
    },
    {
      type: 'window',
      context: {
        phase: 'verify',
        environment: 'production',
        version: 'v2',
        windowMs: 5 * MINUTE,
        intervalMs: MINUTE,
      },
      baseline: {},
      startedAt: 0,
    },
    ...Array.from({ length: 5 }, (_, i) => ({
      type: 'sample',
      index: i,
      sample: { at: (i + 1) * MINUTE, canary: { error_rate: 0.02 }, errors: [] },
    })),
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

test('a recording whose check is refused since it was made is judged as it ran', (t) => {
  // Made when these were accepted: judged as the live analyzer judged them.
  const never = analyzeRecording(recording(t, [{ check: 'error_rate < 0' }]));
  assert.equal(never.windows[0]!.decision.kind, 'rollback');
  assert.equal(never.windows[0]!.decision.code, 'threshold-breached');
  const silent = analyzeRecording(recording(t, [{ check: 'error_rate < 5', for: '1m' }]));
  assert.equal(silent.windows[0]!.decision.kind, 'promote');
  // A config given to judge it with is checked as written.
  assert.throws(
    () =>
      analyzeRecording(recording(t, [{ check: 'error_rate < 1%' }]), {
        preset: 'none',
        providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
        metrics: { error_rate: { provider: 'prom', query: 'x' } },
        checks: [{ check: 'error_rate < 5' }],
      }),
    (error: Error) =>
      error instanceof RecordingError &&
      /^the analysis config given\.checks\[0\]\.check: check "error_rate < 5" can never fire: .*did you mean "error_rate < 0\.05" \(5 %\)\?$/.test(
        error.message,
      ),
  );
});

test('a recording with a malformed check is still refused, naming the field', (t) => {
  const file = recording(t, [{ check: 'error_rate <' }, { check: 'error_rate < 0', for: 'soon' }]);
  assert.throws(
    () => analyzeRecording(file),
    (error: Error) => {
      assert.ok(error instanceof RecordingError, String(error));
      const lines = error.message.split('\n');
      assert.ok(
        lines.some((l) => l.startsWith(`${file}:1: config.checks[0].check: invalid check "error_rate <"`)),
        error.message,
      );
      assert.ok(
        lines.some((l) => l.startsWith(`${file}:1: config.checks[1].for: `)),
        error.message,
      );
      assert.ok(!/can never hold/.test(error.message), error.message);
      return true;
    },
  );
});
