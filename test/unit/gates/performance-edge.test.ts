// The performance gate at its limits. k6 writes statistics at full precision (a p(95) of 500.0043 ms), and
// the gate showed them rounded to the limit they miss ("p95 of http_req_duration is 500 ms, over the target
// of at most 500 ms"); a baseline's limit is computed (13 × 0.9 is 11.700000000000001), and a run exactly at
// it blocked ("is 11.7 requests/s … under the least allowed, 11.7 requests/s").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineFindings, targetFindings } from '../../../src/gates/performance-judge.ts';
import type { K6Results } from '../../../src/gates/k6-results.ts';
import { parseFraction } from '../../../src/gates/schema/performance.ts';

const results = (p95: number, rps: number, errorRate: number): K6Results => ({
  shape: 'summary-export',
  p95: { ok: true, value: p95 },
  p99: { ok: false, why: 'not asked for' },
  rps: { ok: true, value: rps },
  errorRate: { ok: true, value: errorRate },
  thresholds: [],
});

test('a statistic just past its target is shown with the digits that tell it from the target', () => {
  const judged = targetFindings(
    results(500.0043, 99.996, 0.0100042),
    { p95: 500, min_rps: 100, error_rate: 0.01 },
    'k6.json',
  );
  assert.deepEqual(
    judged.findings.map((f) => f.message),
    [
      'p95 of http_req_duration is 500.004 ms, over the target of at most 500 ms',
      'error rate (http_req_failed) is 1.0004 %, over the target of at most 1 %',
      'throughput (http_reqs) is 99.996 requests/s, under the target of at least 100 requests/s',
    ],
  );
  // Far from it, as before: two decimals (three of a percentage).
  assert.deepEqual(
    targetFindings(
      results(612.3456, 80.1234, 0.0234567),
      { p95: 500, min_rps: 100, error_rate: 0.01 },
      'k6.json',
    ).findings.map((f) => f.message),
    [
      'p95 of http_req_duration is 612.35 ms, over the target of at most 500 ms',
      'error rate (http_req_failed) is 2.346 %, over the target of at most 1 %',
      'throughput (http_reqs) is 80.12 requests/s, under the target of at least 100 requests/s',
    ],
  );
});

test('a run exactly at the limit its baseline and tolerance give passes; just past it, the numbers say so', () => {
  // 13 × (1 − 0.1) is 11.700000000000001 and 70 × (1 − 0.3) is 49.00000000000001 in binary fractions.
  for (const [before, tolerance, now] of [
    [13, 0.1, 11.7],
    [70, 0.3, 49],
  ] as const) {
    const judged = baselineFindings(
      results(100, now, 0),
      results(100, before, 0),
      'base.json',
      'k6.json',
      tolerance,
    );
    assert.deepEqual(judged.findings, [], `${now} requests/s against ${before} with tolerance ${tolerance}`);
  }
  const short = baselineFindings(results(100, 11.6999, 0), results(100, 13, 0), 'base.json', 'k6.json', 0.1);
  assert.deepEqual(
    short.findings.map((f) => f.message),
    [
      'throughput (http_reqs) is 11.6999 requests/s against 13 requests/s in the baseline base.json: under the least allowed, 11.7 requests/s (tolerance 10 %)',
    ],
  );
  const slower = baselineFindings(results(110.0012, 13, 0), results(100, 13, 0), 'base.json', 'k6.json', 0.1);
  assert.deepEqual(
    slower.findings.map((f) => f.message),
    [
      'p95 of http_req_duration is 110.001 ms against 100 ms in the baseline base.json: over the most allowed, 110 ms (tolerance 10 %)',
    ],
  );
});

test('an error rate exactly at a target written as a percentage passes ("0.7%" is 0.007, as k6 writes 7 of 1,000)', () => {
  for (const [written, failed, total] of [
    ['0.7%', 7, 1000],
    ['1.1%', 11, 1000],
    ['0.07%', 7, 10_000],
    ['2.9%', 29, 1000],
  ] as const) {
    const target = parseFraction(written)!;
    assert.equal(target, failed / total, `${written} read as ${target}`);
    const judged = targetFindings(results(100, 100, failed / total), { error_rate: target }, 'k6.json');
    assert.deepEqual(judged.findings, [], `${failed}/${total} failed against ${written}`);
  }
  // Just over it still blocks.
  const over = targetFindings(results(100, 100, 0.00701), { error_rate: parseFraction('0.7%')! }, 'k6.json');
  assert.deepEqual(
    over.findings.map((f) => f.message),
    ['error rate (http_req_failed) is 0.701 %, over the target of at most 0.7 %'],
  );
});
