// The job summary's analysis section: which steps were judged and how they ended, one narrow table of the
// deciding window's evidence per check (the canary or new version, stable or what it was compared with, the
// rule or test, its threshold, the verdict), the
// reason in full under it, and the charts (chart.ts). Without recorded evidence (health-only analysis, an
// older result) a narrow table of steps and reasons. Pure Markdown.
import type { CheckEvidence, WindowEvidence } from '../analysis/evidence.ts';
import { formatDuration } from '../config/duration.ts';
import type { AnalysisRow } from './analysis-steps.ts';
import { evidenceCharts, testedName } from './chart.ts';
import { holds, zeroAgainstZero } from '../analysis/judge.ts';
import { cell, formatNumber, NARROW_UNBROKEN, table, truncate, wrappable } from './markdown.ts';

const VERDICT_ICON: Record<AnalysisRow['verdict'], string> = {
  promote: '✅',
  ok: '✅',
  hold: '⏸️',
  rollback: '❌',
  cancelled: '⏹️',
  aborted: '⏹️',
  stopped: '⏹️',
};

const lastValue = (values: Array<number | null> | undefined) =>
  values ? ([...values].reverse().find((v) => v !== null) ?? null) : null;

const seriesOf = (check: CheckEvidence, role: 'canary' | 'reference' | 'limit') =>
  check.observed.find((s) => s.role === role)?.values;

/**
 * The last interval a rule compared the canary with its limit in (both had data), or undefined. A row's
 * numbers all come from it: the last canary value beside an older interval's stable value and limit made a
 * comparison the judge never made (a canary of 500 "over the limit" of an interval without a stable side).
 */
function comparedAt(check: CheckEvidence): number | undefined {
  const canary = seriesOf(check, 'canary');
  const limit = seriesOf(check, 'limit');
  if (!canary || !limit) return undefined;
  const i = canary.findLastIndex((v, k) => v !== null && limit[k] !== null);
  return i < 0 ? undefined : i;
}

/** A series' value at the compared interval, else its last. */
const shownValue = (check: CheckEvidence, values: Array<number | null> | undefined) => {
  const at = comparedAt(check);
  return at === undefined ? lastValue(values) : (values?.[at] ?? null);
};

function sideValues(check: CheckEvidence): [string, string] {
  if (check.counts) {
    const c = check.counts;
    const rate = (e: number, n: number) => (n > 0 ? `${formatNumber((e / n) * 100)}% (${e}/${n})` : '—');
    return [rate(c.canaryErrors, c.canaryRequests), rate(c.referenceErrors, c.referenceRequests)];
  }
  // A relative rule that compared with the reading taken before the deploy (no stable side beside the
  // canary, or `baseline: pre-deploy`): that baseline, said as such, not the stable side's value or "—". A
  // rule pinned to it shows no stable value even without that reading: it never compared with one.
  const preDeploy = check.preDeploy ? shownValue(check, check.preDeploy) : null;
  return [
    formatNumber(shownValue(check, seriesOf(check, 'canary'))),
    preDeploy !== null
      ? `${formatNumber(preDeploy)} (pre-deploy)`
      : check.baseline === 'pre-deploy'
        ? '—'
        : formatNumber(shownValue(check, seriesOf(check, 'reference'))),
  ];
}

function threshold(check: CheckEvidence): string {
  if (check.test?.statistic === 'cusum') {
    const now = lastValue(check.test.logEvidence);
    return `CUSUM ${formatNumber(check.test.boundary)}${now === null ? '' : ` (now ${formatNumber(now)})`}`;
  }
  if (check.test) {
    const now = lastValue(check.test.logEvidence);
    return `e-value ${formatNumber(1 / check.test.alpha)}${now === null ? '' : ` (now ${formatNumber(Math.exp(now))})`}`;
  }
  const limit = shownValue(check, seriesOf(check, 'limit'));
  return limit === null ? '—' : `${check.op ?? ''} ${formatNumber(limit)}`.trim();
}

const FIRED: Record<string, string> = {
  'threshold-breached': 'breached',
  'relative-breached': 'breached',
  'window-evidence-worse': 'median breached',
  'sequential-errors-worse': 'significantly worse',
  'sequential-latency-worse': 'significantly slower',
  'sequential-values-worse': 'significantly worse',
};

/** Whether a relative rule had a baseline in an interval with a canary value (the sides it compares). */
function hadBaseline(check: CheckEvidence): boolean {
  const canary = seriesOf(check, 'canary') ?? [];
  const reference = seriesOf(check, 'reference') ?? [];
  return canary.some(
    (v, i) =>
      v !== null &&
      ((check.preDeploy?.[i] ?? null) !== null ||
        (check.baseline !== 'pre-deploy' && (reference[i] ?? null) !== null)),
  );
}

/**
 * Whether a sequential test had the two sides in one interval: requests on both (its counts), else a canary
 * and a reference value together. A histogram test recorded without its p95s (older results) is taken as
 * compared: nothing says it was not.
 */
function compared(check: CheckEvidence): boolean {
  if (check.counts) return check.counts.canaryRequests > 0 && check.counts.referenceRequests > 0;
  const canary = seriesOf(check, 'canary');
  const reference = seriesOf(check, 'reference');
  if (!canary || !reference) return true;
  return canary.some((v, i) => v !== null && (reference[i] ?? null) !== null);
}

function verdict(check: CheckEvidence, window: WindowEvidence): string {
  // A warning check decided nothing: when it breached, it warned.
  if (check.warn && window.warnings?.some((w) => w.rule === check.name)) return '⚠️ warning (not a rollback)';
  if (window.decision.rule === check.name && window.decision.kind === 'rollback')
    return `❌ ${FIRED[window.decision.code] ?? 'fired'}`;
  const last = window.decisions.at(-1);
  if (last?.rule === check.name && last.code === 'breach-pending') return '⏳ breached, not yet sustained';
  // A sequential test past its pending mark: it held the window open (and had it extended), not yet significant.
  if (last?.rule === check.name && last.code === 'evidence-pending')
    return '⏳ evidence pending, not yet significant';
  const series = check.test ? check.test.logEvidence : (check.observed[0]?.values ?? []);
  const hasData = series.some((v) => v !== null);
  if (!hasData) return '— no data';
  // The window ended on missing data (max_no_data) and this check's last intervals had none: its last value
  // held, but the row is what failed closed, not a check that "holds". Counted on what it read (a test's
  // canary side): the errors test's statistic is recorded every interval, data or not.
  const read = seriesOf(check, 'canary');
  const readings = read?.some((v) => v !== null) ? read : series;
  const silent = readings.length - 1 - readings.findLastIndex((v) => v !== null);
  if (window.decision.code === 'no-data' && silent > 0 && window.decision.kind !== 'promote')
    return `${VERDICT_ICON[window.decision.kind]} no data for its last ${silent} interval${silent === 1 ? '' : 's'}`;
  // A comparison that never had both sides in one interval (no stable side on a rolling or blue-green watch)
  // judged nothing: its e-value of 1 is no "not significant", and the reason under the table says so.
  if (check.test) return compared(check) ? '✅ not significant' : '— not compared';
  // A relative rule whose baseline never had data compared nothing: it did not hold, it was not judged. One
  // whose baseline had a value beside the canary's had no finite limit (2x a baseline near the largest double
  // is Infinity, which the evidence keeps no number of): it had a baseline, shown in its row.
  const at = comparedAt(check);
  if (at === undefined && check.kind === 'relative')
    return hadBaseline(check) ? '— limit out of range' : '— no baseline';
  // The last interval it compared, over the limit while something else decided: not (yet) sustained.
  const value = at === undefined ? null : seriesOf(check, 'canary')![at]!;
  const limit = at === undefined ? null : seriesOf(check, 'limit')![at]!;
  if (
    check.op &&
    value !== null &&
    limit !== null &&
    !holds(value, check.op, limit) &&
    !zeroAgainstZero(check.kind, check.op, value, limit)
  )
    return '⚠️ over the limit, not sustained';
  return '✅ holds';
}

/**
 * What the window's canary (or new version) was compared with, for the table's column and heading: `stable` (or the fresh
 * baseline) as the analyzer named it, unless no stable side served at all and the rules compared with the
 * reading taken before the deploy (a blue-green or rolling watch): then that, not a column of dashes headed
 * "stable".
 */
export function comparedWith(window: WindowEvidence): string {
  const served = window.checks.some(
    (check) =>
      (check.counts !== undefined && check.counts.referenceRequests > 0) ||
      (seriesOf(check, 'reference') ?? []).some((v) => v !== null),
  );
  const preDeploy = window.checks.some((check) => (check.preDeploy ?? []).some((v) => v !== null));
  return !served && preDeploy ? 'before the deploy' : window.reference;
}

/**
 * One row per check of the window: the numbers the judge decided on. Names and rules people wrote may wrap
 * (wrappable): one without spaces would otherwise make the table scroll sideways. `tested` heads the version
 * under test's column (chart.ts testedName): the canary in a canary step, the new version on a watch without
 * one.
 */
export function evidenceTable(window: WindowEvidence, tested = 'canary'): string {
  const rows = window.checks.map((check) => {
    const [canary, reference] = sideValues(check);
    return [
      wrappable(cell(truncate(check.name, 200)), NARROW_UNBROKEN),
      canary,
      reference,
      wrappable(cell(truncate(check.rule, 300)), NARROW_UNBROKEN),
      cell(threshold(check)),
      verdict(check, window),
    ];
  });
  return table(
    [
      'check',
      tested,
      wrappable(cell(truncate(comparedWith(window), 100))),
      'rule or test',
      'threshold',
      'verdict',
    ],
    rows,
  );
}

/** At most this many warnings are listed; the rest are counted. */
const MAX_WARNINGS = 20;

/** Every step's warnings (warning checks that breached: none rolled back), or nothing. */
function warningLines(rows: AnalysisRow[], where: (r: AnalysisRow) => string): string[] {
  const all = rows.flatMap((r) => (r.evidence?.warnings ?? []).map((w) => ({ r, w })));
  if (all.length === 0) return [];
  const shown = all
    .slice(0, MAX_WARNINGS)
    .map(
      ({ r, w }) =>
        `- ⚠️ ${where(r)}: ${wrappable(cell(truncate(w.rule, 200)))}: ${wrappable(cell(truncate(w.reason, 400)))}`,
    );
  const more = all.length - shown.length;
  return [
    '**Warnings** (warning checks, `on_breach: warn`: none of them rolls back):',
    '',
    ...shown,
    ...(more > 0 ? [`- and ${more} more`] : []),
    '',
  ];
}

/** The analysis section of the job summary, or nothing when no step was analysed. */
export function renderAnalysisSection(rows: AnalysisRow[]): string[] {
  if (rows.length === 0) return [];
  const out = ['### Analysis', ''];
  const judged = rows.filter((r) => r.evidence);
  if (judged.length === 0) {
    // Health checks alone: no metric evidence to draw, the reasons say it.
    out.push(
      table(
        ['step', 'verdict', 'duration', 'why'],
        rows.map((r) => [
          wrappable(cell(truncate(r.label, 300))),
          `${VERDICT_ICON[r.verdict]} ${r.verdict}`,
          formatDuration(r.durationMs),
          wrappable(cell(truncate(r.detail, 300))),
        ]),
      ),
      '',
    );
    return out;
  }
  const oneEnvironment = new Set(rows.map((r) => r.environment)).size === 1;
  const where = (r: AnalysisRow) =>
    cell(truncate(oneEnvironment ? r.label : `${r.environment} ${r.label}`, 300));
  out.push(
    `Steps: ${rows.map((r) => `${where(r)} ${VERDICT_ICON[r.verdict]} ${r.verdict} (${formatDuration(r.durationMs)})`).join(' → ')}`,
    '',
  );
  const deciding = judged.at(-1)!;
  out.push(
    `**Evidence at ${where(deciding)}** (${deciding.evidence!.at.length} interval${deciding.evidence!.at.length === 1 ? '' : 's'}, compared with ${cell(truncate(comparedWith(deciding.evidence!), 100))}):`,
    '',
    evidenceTable(deciding.evidence!, testedName([deciding])),
    '',
    `Why: ${cell(truncate(deciding.detail, 400))}`,
    '',
    ...warningLines(judged, where),
  );
  const environments = [...new Set(judged.map((r) => r.environment))];
  for (const environment of environments) {
    const charts = evidenceCharts(rows, environment);
    if (charts.length === 0) continue;
    if (environments.length > 1) out.push(`#### ${cell(truncate(environment, 200))}`, '');
    for (const chart of charts) out.push(chart, '');
  }
  return out;
}
