// The Action's `metrics` output within GitHub's 1 MB for an output: whole when it fits, else the environments
// with the most deployments that fit, with how many were left out (a preview environment per pull request makes
// thousands of environments in a window).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeMetrics } from '../../../src/metrics/compute.ts';
import { metricsJson } from '../../../src/metrics/report.ts';
import type { DeploymentFact, MetricsReport } from '../../../src/metrics/types.ts';
import { METRICS_OUTPUT_MAX_BYTES, metricsOutput } from '../../../src/report/metrics-output.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-10-01T00:00:00Z');

/** `count` preview environments; every third has three deployments, the others one. */
function previews(count: number): MetricsReport {
  const facts: DeploymentFact[] = Array.from({ length: count }, (_, e) =>
    Array.from({ length: e % 3 === 0 ? 3 : 1 }, (_, i) => ({
      id: `${e}-${i}`,
      environment: `preview-pr-${e}`,
      createdAt: T0 + e * 1000 + i * HOUR,
      changeAt: T0 + e * 1000 - HOUR,
      statuses: [{ state: 'success' as const, at: T0 + e * 1000 + i * HOUR + 60_000 }],
    })),
  ).flat();
  const window = { since: T0, until: T0 + 28 * DAY };
  return {
    ...window,
    environments: computeMetrics(facts, window),
    source: 'github',
    requests: 50,
    notes: [],
  };
}

test('a report that fits is the output whole', () => {
  const report = previews(10);
  assert.equal(metricsOutput(report), JSON.stringify(metricsJson(report)));
});

test('thousands of environments: the busiest that fit in 1 MB, in the report order, and how many were left out', () => {
  const report = previews(5000);
  // Before: the whole report, 2.6 MB, which fails whatever reads the output.
  assert.ok(Buffer.byteLength(JSON.stringify(metricsJson(report))) > METRICS_OUTPUT_MAX_BYTES);
  const output = metricsOutput(report);
  assert.ok(Buffer.byteLength(output) <= METRICS_OUTPUT_MAX_BYTES, `${Buffer.byteLength(output)} bytes`);
  const read = JSON.parse(output) as {
    environments: Array<{ environment: string; deployments: { total: number } }>;
    environmentsOmitted: number;
    notes: string[];
  };
  assert.ok(read.environmentsOmitted > 0);
  assert.equal(read.environments.length + read.environmentsOmitted, 5000);
  // Each kept one has at least as many deployments as any left out: the three-deployment ones come first.
  const kept = new Set(read.environments.map((e) => e.environment));
  const fewest = Math.min(...read.environments.map((e) => e.deployments.total));
  const omitted = report.environments.filter((e) => !kept.has(e.environment));
  assert.ok(omitted.every((e) => e.deployments.total <= fewest));
  assert.ok(read.environments.filter((e) => e.deployments.total === 3).length >= 1667 - 1);
  // In the report's order (by name), each as the whole output would show it.
  const names = report.environments.map((e) => e.environment).filter((n) => kept.has(n));
  assert.deepEqual(
    read.environments.map((e) => e.environment),
    names,
  );
  assert.match(
    read.notes.at(-1)!,
    new RegExp(
      `^${read.environmentsOmitted} of 5000 environments, those with the fewest deployments, are left out`,
    ),
  );
  // Nearly full: not cut far short of what fits.
  assert.ok(Buffer.byteLength(output) > METRICS_OUTPUT_MAX_BYTES - 2000);
});
