// The delivery metrics (src/metrics) for people: a Markdown table and mermaid charts for the job summary and
// the App's /status --history, and plain lines for the terminal. Every environment name is escaped (table:
// cell(); chart: letters, digits and a few marks only, then quoted). Pure.
import { formatDuration } from '../config/duration.ts';
import { BAND_SOURCE } from '../metrics/bands.ts';
import type { Band, EnvironmentMetrics, MetricsReport } from '../metrics/types.ts';
import { chartNumber, quote, yRange } from './chart.ts';
import { cell, formatNumber, table } from './markdown.ts';
import { fitSummary } from './summary-limit.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A duration for people: minutes and hours as `formatDuration`, days from two days up. */
export function humanDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms >= 2 * DAY) return `${formatNumber(Number((ms / DAY).toFixed(1)))}d`;
  return formatDuration(ms);
}

const percent = (rate: number | null) =>
  rate === null ? '—' : `${formatNumber(Number((rate * 100).toFixed(1)))} %`;
const band = (b: Band | null) => (b ? ` (${b})` : '');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The four keys of one environment as short texts, shared by every surface. */
export function metricTexts(m: EnvironmentMetrics) {
  const d = m.deployments;
  const counts = [
    `${d.succeeded} ok`,
    `${d.failed} failed`,
    ...(d.inProgress ? [`${d.inProgress} in progress`] : []),
    ...(d.noChange ? [`${d.noChange} changed nothing`] : []),
    ...(d.superseded ? [`${d.superseded} superseded`] : []),
    ...(d.rollbacks
      ? [`${d.rollbacks} ${d.rollbacks === 1 ? 'rollback' : 'rollbacks'} (recoveries, not changes)`]
      : []),
  ].join(', ');
  const lead = m.leadTime;
  const leadNotes = [
    ...(lead.unknown ? [`${lead.unknown} without a commit date`] : []),
    ...(lead.skewed ? [`${lead.skewed} left out: commit dated after the deployment`] : []),
  ];
  const restore = m.timeToRestore;
  return {
    deployments: `${d.total}: ${counts}`,
    frequency: `${formatNumber(m.frequency.perDay)}/day, ${formatNumber(m.frequency.perWeek)}/week${band(m.frequency.band)}`,
    leadTime:
      lead.count === 0
        ? `—${leadNotes.length ? ` (${leadNotes.join('; ')})` : ''}`
        : `median ${humanDuration(lead.medianMs)}, p90 ${humanDuration(lead.p90Ms)}${band(lead.band)}` +
          (leadNotes.length ? `; ${leadNotes.join('; ')}` : ''),
    changeFailureRate:
      m.changeFailureRate.rate === null
        ? '— (nothing finished)'
        : `${percent(m.changeFailureRate.rate)} (${m.changeFailureRate.failed} of ${m.changeFailureRate.finished})${band(m.changeFailureRate.band)}`,
    timeToRestore:
      (restore.count
        ? `median ${humanDuration(restore.medianMs)} over ${restore.count}${band(restore.band)}`
        : restore.openSince === null
          ? '— (no failure)'
          : '—') + (restore.openSince !== null ? `; open since ${when(restore.openSince)}` : ''),
  };
}

/** Where the numbers came from and what they cannot say. */
function footer(report: MetricsReport): string[] {
  return [
    `<sub>Window ${day(report.since)} to ${day(report.until)}, by deployment creation time. ` +
      `Source: ${report.source === 'github' ? `GitHub deployments and statuses (${report.requests} GraphQL request${report.requests === 1 ? '' : 's'})` : 'the state records’ history'}. ` +
      `Bands: ${BAND_SOURCE}. Definitions: docs/metrics.md.</sub>`,
    ...report.notes.map((n) => `<sub>${cell(n)}</sub>`),
  ];
}

/** The most characters of a name on a chart's axis. */
const CHART_NAME_MAX = 24;

/** `text` within `max` characters, its start and its end kept around `…`; never a surrogate pair cut. */
function shortened(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const tail = Math.floor((max - 1) / 2);
  return `${chars.slice(0, max - 1 - tail).join('')}…${chars.slice(-tail).join('')}`;
}

/**
 * The names on a chart's axis: letters, digits and `. _ - : /` only (no mermaid directive or markup can form),
 * short, and told apart. The axis is a band scale, and mermaid draws equal labels at one place: two environments
 * whose names were alike once cleaned (`prod(eu)`, `prod[eu]`) or cut short (`customer-production-eur…` for
 * both `-europe-east` and `-europe-west`) had their bars drawn on each other under one name. A long name keeps
 * its end, where names alike differ; a label still taken gets a number (`#` is in no cleaned name).
 */
function chartNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const clean = name.replace(/[^\p{L}\p{N}._:/ -]/gu, '·');
    let label = shortened(clean, CHART_NAME_MAX);
    for (let n = 2; used.has(label); n++)
      label = `${shortened(clean, CHART_NAME_MAX - ` #${n}`.length)} #${n}`;
    used.add(label);
    return label;
  });
}

function barChart(title: string, yTitle: string, names: string[], values: number[]): string {
  const [, hi] = yRange([0, ...values]);
  return [
    '```mermaid',
    'xychart-beta',
    `    title ${quote(title)}`,
    `    x-axis [${chartNames(names).map(quote).join(', ')}]`,
    `    y-axis ${quote(yTitle)} 0 --> ${chartNumber(hi || 1)}`,
    `    bar [${values.map(chartNumber).join(', ')}]`,
    '```',
  ].join('\n');
}

/**
 * The most environments the charts show. A repository with a preview environment per pull request has
 * thousands in a window: each bar was a pixel wide and its name unreadable, and past some 1,500 a chart was
 * longer than mermaid draws (50,000 characters) and showed only an error.
 */
export const CHART_MAX_ENVIRONMENTS = 50;

/**
 * The metrics' charts: deployments per week and median lead time (hours) per environment; a line saying why
 * there are none when there are more environments than a chart shows (the table lists each).
 */
export function metricsCharts(environments: readonly EnvironmentMetrics[]): string[] {
  if (environments.length === 0) return [];
  if (environments.length > CHART_MAX_ENVIRONMENTS)
    return [
      `No charts: ${environments.length} environments are more than a chart shows (${CHART_MAX_ENVIRONMENTS}); the table lists each.`,
    ];
  const names = environments.map((m) => m.environment);
  const charts = [
    barChart(
      'Deployments per week',
      'per week',
      names,
      environments.map((m) => m.frequency.perWeek),
    ),
  ];
  const withLead = environments.filter((m) => m.leadTime.medianMs !== null);
  if (withLead.length)
    charts.push(
      barChart(
        'Median lead time for changes',
        'hours',
        withLead.map((m) => m.environment),
        withLead.map((m) => m.leadTime.medianMs! / HOUR),
      ),
    );
  return charts;
}

/** `name` escapes an environment name for its cell: cell() in a job summary, the App's userText in a reply. */
export function metricsTable(
  environments: readonly EnvironmentMetrics[],
  name: (environment: string) => string = cell,
): string {
  return table(
    ['Environment', 'Deployments', 'Frequency', 'Lead time', 'Change failure rate', 'Time to restore'],
    environments.map((m) => {
      const t = metricTexts(m);
      return [
        name(m.environment),
        // The product's own words and numbers: nothing to escape.
        t.deployments,
        t.frequency,
        t.leadTime,
        t.changeFailureRate,
        t.timeToRestore,
      ];
    }),
  );
}

/**
 * The Action's job summary of `mode: metrics`: the section, within GitHub's limit for a step. Every environment
 * is a row, and a preview environment per pull request makes thousands: GitHub drops a whole summary over
 * 1 MiB, so a longer one is cut, saying so (the `metrics` output holds each).
 */
export function metricsJobSummary(report: MetricsReport): string {
  return fitSummary(renderMetricsSummary(report));
}

/** The job summary's (and the App's) section: heading, table, charts, sources. */
export function renderMetricsSummary(
  report: MetricsReport,
  options: { heading?: string; name?: (environment: string) => string } = {},
): string {
  const heading = options.heading ?? '## Delivery metrics';
  const body =
    report.environments.length === 0
      ? ['No deployments in the window.']
      : [metricsTable(report.environments, options.name), '', ...metricsCharts(report.environments)];
  return [heading, '', ...body, '', ...footer(report), ''].join('\n');
}

/**
 * Terminal lines; every name on one line with controls made visible, and nothing a runner reads as a
 * workflow command: a name (any deployment's environment on GitHub) that starts a line with `::`, or holds
 * the old form `##[` anywhere, has that `:` or `[` shown as its \u escape too.
 */
export function formatMetricsText(report: MetricsReport): string {
  const safe = (text: string) =>
    text
      .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
      .replace(/^(\s*):(?=:)/u, '$1\\u003a')
      .replace(/##\[/g, '##\\u005b');
  const lines = [`Delivery metrics, ${day(report.since)} to ${day(report.until)}:`];
  if (report.environments.length === 0) lines.push('  no deployments in the window');
  for (const m of report.environments) {
    const t = metricTexts(m);
    lines.push(
      `${safe(m.environment)}:`,
      `  deployments:          ${t.deployments}`,
      `  frequency:            ${t.frequency}`,
      `  lead time:            ${t.leadTime}`,
      `  change failure rate:  ${t.changeFailureRate}`,
      `  time to restore:      ${t.timeToRestore}`,
    );
  }
  lines.push(
    `source: ${report.source === 'github' ? `GitHub (${report.requests} GraphQL requests)` : 'state records (no lead time)'}; bands: ${BAND_SOURCE}`,
    ...report.notes.map((n) => `note: ${safe(n)}`),
  );
  return `${lines.join('\n')}\n`;
}
