// The delivery metrics as the job summary and /status --history show them: hostile environment names stay
// inert text in the table (no tag, no broken row) and in the charts (no closed quote or fence, no mermaid
// directive); the numbers read as the four keys with their bands; an empty window says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeMetrics } from '../../../src/metrics/compute.ts';
import type { DeploymentFact, MetricsReport } from '../../../src/metrics/types.ts';
import {
  formatMetricsText,
  CHART_MAX_ENVIRONMENTS,
  humanDuration,
  metricsJobSummary,
  metricTexts,
  renderMetricsSummary,
} from '../../../src/report/metrics.ts';
import { SUMMARY_MAX_BYTES } from '../../../src/report/summary-limit.ts';
import { assertTablesIntact, readable } from './table-check.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-10-01T00:00:00Z');
export const HOSTILE = [
  'prod|<img src=x onerror=alert(1)>',
  'a"]\n```\n%%{init: {"theme":"dark"}}%%\n# heading',
  '*bold* [link](https://evil.example) @admin `tick`',
];

function report(environments: string[]): MetricsReport {
  const facts: DeploymentFact[] = environments.flatMap((environment, e) =>
    Array.from({ length: 4 }, (_, i) => ({
      id: `${e}-${i}`,
      environment,
      createdAt: T0 + i * DAY + e * HOUR,
      changeAt: T0 + i * DAY - (e + 1) * HOUR,
      statuses: [
        i === 2
          ? {
              state: 'failure' as const,
              at: T0 + i * DAY + e * HOUR + HOUR,
              description: 'rolled back: v1 serves again',
            }
          : { state: 'success' as const, at: T0 + i * DAY + e * HOUR + HOUR },
      ],
    })),
  );
  const window = { since: T0, until: T0 + 28 * DAY };
  return { ...window, environments: computeMetrics(facts, window), source: 'github', requests: 1, notes: [] };
}

test('hostile environment names stay inert in the table and the charts', () => {
  const md = renderMetricsSummary(report([...HOSTILE, 'production']));
  assertTablesIntact(md);
  const rows = md.split('\n').filter((l) => l.startsWith('|'));
  assert.equal(rows.length, 2 + 4, 'header, rule, one row per environment');
  assert.doesNotMatch(md, /<img/);
  assert.match(readable(md), /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.doesNotMatch(md, /(?<!\\)\]\(/, 'no Markdown link');
  assert.doesNotMatch(md, /^# heading/m);
  // Fences: each chart opens and closes once; nothing in between starts a line with ```.
  const fences = md.split('\n').filter((l) => l.startsWith('```'));
  assert.deepEqual(fences, ['```mermaid', '```', '```mermaid', '```']);
  for (const block of md.split('```mermaid').slice(1)) {
    const body = block.slice(0, block.indexOf('```'));
    for (const line of body.trim().split('\n'))
      assert.match(line, /^ {4}(title|x-axis|y-axis|bar) |^xychart-beta$/, `chart line: ${line}`);
    // Every label quoted, no quote inside a label.
    const axis = body.split('\n').find((l) => l.includes('x-axis'))!;
    assert.equal(axis.match(/"/g)!.length, 2 * 4);
    assert.doesNotMatch(axis, /%%|[{}<>`]/, 'no mermaid directive, markup or fence can form in a label');
  }
});

test('the table reads as the four keys with their bands and the source', () => {
  const md = renderMetricsSummary(report(['production']));
  const row = md.split('\n').find((l) => l.startsWith('| production'))!;
  // 3 releases and 1 rollback over 28 days; lead 2 h (1 h before creation + 1 h to success); restore 1 day.
  assert.match(row, /4: 3 ok, 1 failed/);
  assert.match(row, /0\.1071\/day, 0\.75\/week \(medium\)/);
  assert.match(row, /median 2h, p90 2h \(elite\)/);
  assert.match(row, /25 % \(1 of 4\) \(low\)/);
  // Exactly a day is no longer "less than one day".
  assert.match(row, /median 24h over 1 \(medium\)/);
  assert.match(md, /1 GraphQL request\)/);
  assert.match(md, /Accelerate State of DevOps Report 2023/);
});

test('nothing in the window, and the terminal text keeps names on one line', () => {
  const empty: MetricsReport = {
    since: T0,
    until: T0 + DAY,
    environments: [],
    source: 'github',
    requests: 1,
    notes: [],
  };
  assert.match(renderMetricsSummary(empty), /No deployments in the window\./);
  const text = formatMetricsText(report([HOSTILE[1]!]));
  assert.match(text, /^a"\]\\u000a```\\u000a%%/m);
  assert.equal(text.split('\n').filter((l) => l.includes('%%')).length, 1);
  assert.deepEqual(
    [humanDuration(null), humanDuration(90 * 60_000), humanDuration(3 * DAY)],
    ['—', '1h30m', '3d'],
  );
});

test('the metrics text: an environment name cannot start a workflow command or hold the old ##[ form', () => {
  const text = formatMetricsText(
    report(['::add-mask::x', ' ::stop-commands::t', 'a ##[add-mask]y', 'production']),
  );
  for (const line of text.split(/\r\n|\r|\n/)) assert.doesNotMatch(line, /^\s*::|##\[/, line);
  assert.match(text, /^\\u003a:add-mask::x:$/m);
  assert.match(text, /^production:$/m);
});

test('a rollback deployment is shown apart from the changes it is not', () => {
  const deployment = (id: string, at: number, type?: string): DeploymentFact => ({
    id,
    environment: 'production',
    createdAt: at,
    ...(type ? { type } : {}),
    statuses: [{ state: 'success', at: at + HOUR }],
  });
  const facts = [
    deployment('a', T0),
    deployment('b', T0 + DAY),
    deployment('c', T0 + DAY + 2 * HOUR, 'rollback'),
  ];
  const [m] = computeMetrics(facts, { since: T0, until: T0 + 28 * DAY });
  const texts = metricTexts(m!);
  assert.equal(texts.deployments, '3: 1 ok, 1 failed, 1 rollback (recoveries, not changes)');
});

test('every environment has a bar of its own: names alike once shortened or cleaned are told apart on the axis', () => {
  // A chart's x axis is a band scale: mermaid draws labels that are equal at one place, so the bars of two
  // environments would lie on each other (and one name would stand for both), while the table lists both.
  const names = [
    'customer-production-europe-east',
    'customer-production-europe-west',
    'prod(eu)',
    'prod[eu]',
    'production',
  ];
  const md = renderMetricsSummary(report(names));
  const charts = md.split('```mermaid').slice(1);
  assert.equal(charts.length, 2);
  for (const block of charts) {
    const axis = block.split('\n').find((l) => l.includes('x-axis'))!;
    // As a reader sees them: invisible characters (zero-width spaces) do not tell two labels apart.
    const labels = [...axis.matchAll(/"([^"]*)"/g)].map((m) => m[1]!.replace(/\p{Cf}/gu, ''));
    assert.equal(labels.length, names.length, axis);
    assert.equal(new Set(labels).size, names.length, `labels told apart: ${labels.join(' | ')}`);
    for (const label of labels) assert.ok(label.length <= 24, `short: ${label}`);
  }
  // What tells the two long names apart is their end, which a shortened label keeps.
  assert.match(charts[0]!, /"[^"]*west"/);
  assert.match(charts[0]!, /"[^"]*east"/);
});

/** A report of `count` environments named like a preview environment per pull request, one deployment each. */
function previews(count: number, branch = 'a-feature-branch-with-a-long-name'): MetricsReport {
  const facts: DeploymentFact[] = Array.from({ length: count }, (_, e) => ({
    id: `${e}`,
    environment: `preview-pr-${e}-${branch}`,
    createdAt: T0 + e * 1000,
    changeAt: T0 + e * 1000 - HOUR,
    statuses: [{ state: 'success' as const, at: T0 + e * 1000 + HOUR }],
  }));
  const window = { since: T0, until: T0 + 28 * DAY };
  return {
    ...window,
    environments: computeMetrics(facts, window),
    source: 'github',
    requests: 50,
    notes: [],
  };
}

test('a preview environment per pull request: charts only up to 50 environments, and the summary within 1 MiB', () => {
  const charts = (md: string) => md.split('\n').filter((l) => l === '```mermaid').length;
  assert.equal(charts(renderMetricsSummary(previews(CHART_MAX_ENVIRONMENTS))), 2);
  // Past it the bars were a pixel wide; past some 1,500 a chart was longer than mermaid draws (an error box).
  const many = renderMetricsSummary(previews(CHART_MAX_ENVIRONMENTS + 1));
  assert.equal(charts(many), 0);
  assert.match(
    many,
    /^No charts: 51 environments are more than a chart shows \(50\); the table lists each\.$/m,
  );
  assertTablesIntact(many);
  // 5,000 (the most one reading takes) of long branch names pass 1 MiB, which GitHub drops whole: the job
  // summary is cut, saying so.
  const summary = metricsJobSummary(previews(5000, 'x'.repeat(150)));
  assert.ok(Buffer.byteLength(summary) <= SUMMARY_MAX_BYTES, `${Buffer.byteLength(summary)} bytes`);
  assert.match(summary, /^## Delivery metrics$/m);
  assert.match(summary, /The rest of this summary was left out/);
  assert.equal(metricsJobSummary(previews(3)), renderMetricsSummary(previews(3)), 'a short one is whole');
});
