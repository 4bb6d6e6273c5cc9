// `npm run demo` itself (examples/demo/run-demo.ts, on the BUILT CLI): its three deployments end as the README
// says, and the third, a canary answering 3 % errors with a green health check, is rolled back by the
// sequential error test on the HTTP prober's counts, with the evidence printed (counts, statistic, boundary).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../helpers/cli.ts';
import { NODE } from '../helpers/processes.ts';

test('the demo: blue-green, a health-check rollback, and a rollback by the sequential error test with its evidence', async () => {
  const run = await execa(NODE, [join(repoRoot, 'examples/demo/run-demo.ts')], {
    cwd: repoRoot,
    reject: false,
    timeout: 150_000,
    // A timeout sends SIGTERM; give the demo time to roll back and stop its router and services.
    forceKillAfterDelay: 60_000,
    all: true,
  });
  const out = stripVTControlCharacters(run.all ?? '');
  assert.equal(run.exitCode, 0, out);
  // Not a terminal (a pipe, as in CI's log): no colour or bold escapes, which a log shows as text.
  assert.doesNotMatch(run.all ?? '', /\x1b\[/, 'escape sequences in output that is not a terminal');

  assert.match(out, /blue-green v1 → v2: +deployed/);
  assert.match(out, /canary v2 → v3-unhealthy: +rolled back automatically \(health check\)/);
  assert.match(out, /✗ analysis \(canary-step at \d+%\): health check failed/);

  // The third deployment: the statistical rule's reason code, and the evidence it rests on, as the CLI printed it.
  assert.match(out, /canary v2 → v4-flaky: +rolled back automatically \(sequential error test\)/);
  const evidence =
    /✗ analysis \(canary-step at \d+%\): \[sequential-errors-worse\] canary error rate ([\d.]+)% \((\d+) errors in (\d+) requests\) is significantly above 1x stable ([\d.]+)% \((\d+) in (\d+)\) over (\d+) intervals: (?:CUSUM ([\d.]+) >= boundary ([\d.]+) \(a canary no worse crosses it by this interval with probability <= [\d.]+ %; alpha 0\.004 of the check's 0\.01\)|e-value ([\d.]+) >= threshold (1000) \(alpha 0\.001 of the check's 0\.01, anytime-valid\))/.exec(
      out,
    );
  assert.ok(evidence, `no sequential-errors-worse rollback with its evidence in:\n${out}`);
  const [canaryErrors, canaryRequests, stableErrors, stableRequests] = [2, 3, 5, 6].map((i) =>
    Number(evidence[i]),
  ) as [number, number, number, number];
  assert.ok(canaryErrors > 0 && canaryRequests >= 100 && stableRequests >= 100, evidence[0]);
  assert.ok(canaryErrors > stableErrors, evidence[0]);
  // The statistic that fired (the calibrated CUSUM, or the e-value test for a gross failure) is at or
  // past its boundary.
  const [statistic, boundary] = (evidence[8] ? [8, 9] : [10, 11]).map((i) => Number(evidence[i]));
  assert.ok(statistic! >= boundary!, `${statistic} below its boundary ${boundary} in ${evidence[0]}`);
  assert.match(out, /ROLLBACK of production: analysis \(canary-step at \d+%\): \[sequential-errors-worse\]/);
  // The summary repeats the evidence, without the CLI's timestamp.
  assert.match(
    out,
    /\n +evidence: \[sequential-errors-worse\] canary error rate .* (?:CUSUM [\d.]+ >= boundary|e-value [\d.]+ >= threshold)/,
  );

  // Failed requests: none from the stable versions or the health-check rollback; the flaky canary's own 500s
  // are counted and named, not hidden.
  assert.match(
    out,
    /failed requests: +0 from v1, v2 and v3-unhealthy; \d+ answered 500 by v4-flaky during its canary/,
  );
  assert.match(out, /live now: +v2 on /);
  assert.match(out, /✔ demo complete/);
});
