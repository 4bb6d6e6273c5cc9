// More deployments in the window than the page limit reads: the figures are those of the newest deployments
// read, so the window they cover starts at the oldest of them, not at the window asked for. Dividing the
// releases read by the whole window's days showed a team deploying 24 times a day a tenth of that.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GraphqlFn } from '../../../src/metrics/github-read.ts';
import { DAY_MS } from '../../../src/metrics/compute.ts';
import { githubMetricsReport, metricsJson } from '../../../src/metrics/report.ts';
import { formatMetricsText, renderMetricsSummary } from '../../../src/report/metrics.ts';

const HOUR = 3_600_000;
const UNTIL = Date.parse('2026-09-01T00:00:00Z');

/** GitHub's answer: one deployment an hour going back from UNTIL, newest first, pages of 100, always more. */
const hourly: GraphqlFn = async (_query, variables) => {
  const page = variables.after === null ? 0 : Number(variables.after);
  const nodes = Array.from({ length: 100 }, (_, i) => {
    const n = page * 100 + i + 1;
    const created = UNTIL - n * HOUR;
    return {
      databaseId: n,
      createdAt: new Date(created).toISOString(),
      environment: 'production',
      commitOid: 'a'.repeat(40),
      payload: '{}',
      latestStatus: { state: 'SUCCESS', createdAt: new Date(created + 60_000).toISOString() },
      statuses: { nodes: [] },
      commit: { committedDate: new Date(created - HOUR).toISOString() },
    };
  });
  return {
    repository: { deployments: { nodes, pageInfo: { hasNextPage: true, endCursor: String(page + 1) } } },
  };
};

test('stopped at the page limit: the figures cover the deployments read, from the oldest of them, and say so', async () => {
  const asked = UNTIL - 90 * DAY_MS;
  const report = await githubMetricsReport(hourly, {
    owner: 'acme',
    repo: 'web',
    since: asked,
    until: UNTIL,
    maxPages: 2,
  });
  const [production] = report.environments;
  assert.equal(production!.deployments.succeeded, 200);
  // 200 deployments over the 200 hours they span: 24 a day (not 200 over 90 days, 2.2 a day).
  const oldest = UNTIL - 200 * HOUR;
  assert.equal(report.since, oldest);
  assert.ok(Math.abs(production!.frequency.perDay - 24) < 1e-9, String(production!.frequency.perDay));
  assert.equal(production!.frequency.band, 'elite');
  assert.equal(report.notes.length, 1);
  assert.match(
    report.notes[0]!,
    /^read the newest 200 deployments only \(2 pages\): the figures cover 2026-08-23T16:00:00\.000Z to 2026-09-01T00:00:00\.000Z, not the window asked for from 2026-06-03T00:00:00\.000Z$/,
  );
  // Every view shows the window the figures cover, and the note.
  assert.equal(metricsJson(report).since, '2026-08-23T16:00:00.000Z');
  assert.match(renderMetricsSummary(report), /Window 2026-08-23 to 2026-09-01/);
  assert.match(formatMetricsText(report), /the window asked for from 2026-06-03/);
});

test('within the page limit the window is the one asked for', async () => {
  const asked = UNTIL - 5 * DAY_MS;
  const report = await githubMetricsReport(hourly, {
    owner: 'acme',
    repo: 'web',
    since: asked,
    until: UNTIL,
  });
  assert.equal(report.since, asked);
  assert.deepEqual(report.notes, []);
  assert.equal(report.environments[0]!.deployments.succeeded, 5 * 24);
});
