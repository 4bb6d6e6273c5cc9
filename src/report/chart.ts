// What the judge saw, as mermaid line charts for the job summary (GitHub renders mermaid there): for each
// check that decided, the version under test (the canary, or the new version on a watch without one:
// testedName) against stable, a fresh baseline or the reading before the deploy, interval by interval over
// every analysis step of the environment, with the limit it is held to; for a sequential test, its log e-value
// against the boundary ln(1/alpha). The x axis is time since the analysis began, each step's first interval
// labelled with its traffic share, labels thinned so they never overlap; the title names the decision.
// Intervals without data are left out, never drawn as zero. Pure.
import type { CheckEvidence, SeriesRole } from '../analysis/evidence.ts';
import { ANALYSIS_PHASES } from '../strategies/types.ts';
import type { AnalysisRow } from './analysis-steps.ts';
import { cell, formatNumber, truncate } from './markdown.ts';
import { formatDuration } from '../config/duration.ts';

/** Chart size and label font; the plot is what is left of the width after the y axis and a legend. */
const WIDTH = 900;
const HEIGHT = 340;
const LABEL_PX = 12;
const PLOT_PX = 680;
/** A chart's lines: the evidence's series, and a relative rule's pre-deploy reading (one value, drawn flat). */
type LineRole = SeriesRole | 'pre-deploy';
const COLOR: Record<LineRole, string[]> = {
  canary: ['#cf222e'],
  // A second reference (stable beside a fresh baseline) gets its own colour.
  reference: ['#0969da', '#8250df'],
  limit: ['#6e7781'],
  // Its own colour, whether or not stable is drawn beside it (blue-green has no stable side); not a red's
  // neighbour, since a healthy canary runs along it.
  'pre-deploy': ['#1b7c83'],
};
const COLOR_NAME: Record<string, string> = {
  '#cf222e': 'red',
  '#0969da': 'blue',
  '#8250df': 'purple',
  '#6e7781': 'grey',
  '#1b7c83': 'teal',
};
/** The pre-deploy reading's line, in the legend and the title. */
const PRE_DEPLOY = 'before the deploy';
/**
 * The phases of a watch without a canary: blue-green's pre-switch and post-switch, a rolling batch, and the
 * verify, staging and monitor watches of what is live after a strategy. What they judge is the new version
 * (the release being deployed) at full traffic or on its own slot, not a canary beside stable.
 */
const NO_CANARY: ReadonlySet<string> = new Set(ANALYSIS_PHASES.filter((phase) => phase !== 'canary-step'));

/**
 * What the summary calls the version under test in these steps: `canary` where any is a canary step (a chart
 * across a canary's steps and the watch after them draws one version, first a canary), `new version` where
 * every step is a watch without one. A phase it does not know (a result written by another version) keeps
 * the name it had: `canary`.
 */
export function testedName(rows: ReadonlyArray<Pick<AnalysisRow, 'phase'>>): string {
  return rows.length > 0 && rows.every((r) => NO_CANARY.has(r.phase)) ? 'new version' : 'canary';
}

/** Mermaid labels never repeat (a band axis merges equal ones): hidden labels differ by zero-width spaces. */
const ZW = '\u200b';

interface Point {
  at: number;
  /** The row (step) the interval belongs to, and its index in that window. */
  row: number;
  index: number;
}

/** The analysis windows of one environment, end to end. */
export interface Timeline {
  environment: string;
  rows: AnalysisRow[];
  points: Point[];
  /** When the first window began (its first interval's end minus one interval). */
  t0: number;
  unitMs: number;
  /**
   * How elapsed time is written: whole minutes when every interval is a minute or more; seconds for a short
   * analysis of shorter intervals; minutes and seconds (`9:40`) for a longer one, where seconds ran to
   * "rolled back at 580 s" and an axis of 305, 335, 365 (the default interval is 30 s).
   */
  unit: 'minutes' | 'seconds' | 'minutes:seconds';
}

/** Seconds of elapsed time from which a chart of sub-minute intervals writes minutes and seconds. */
const CLOCK_FROM_S = 120;

export function timeline(rows: AnalysisRow[], environment: string): Timeline | undefined {
  const windows = rows.filter((r) => r.environment === environment && r.evidence && r.evidence.at.length);
  if (windows.length === 0) return undefined;
  const points = windows.flatMap((r, row) => r.evidence!.at.map((at, index) => ({ at, row, index })));
  const first = windows[0]!.evidence!;
  const minutes = windows.every((r) => r.evidence!.intervalMs >= 60_000);
  const t0 = first.at[0]! - first.intervalMs;
  const clock = !minutes && points.at(-1)!.at - t0 >= CLOCK_FROM_S * 1000;
  return {
    environment,
    rows: windows,
    points,
    t0,
    unitMs: minutes ? 60_000 : 1000,
    unit: minutes ? 'minutes' : clock ? 'minutes:seconds' : 'seconds',
  };
}

const since = (t: Timeline, p: Point) => Math.round((p.at - t.t0) / t.unitMs);
/** Elapsed time in the chart's unit, as its axis writes it. */
const elapsed = (t: Timeline, value: number) =>
  t.unit === 'minutes:seconds'
    ? `${Math.floor(value / 60)}:${String(value % 60).padStart(2, '0')}`
    : String(value);
/** What comes before a list of elapsed times ("min 7, 8", "s 30", "at 5:05, 5:35"). */
const unitShort = (t: Timeline) => (t.unit === 'minutes' ? 'min' : t.unit === 'seconds' ? 's' : 'at');

/** A step's short name on the axis: its traffic share, else its phase (a rolling batch with its number). */
function stepName(row: AnalysisRow): string {
  if (row.weight !== undefined) return `${row.weight}%`;
  return row.batch !== undefined ? `${row.phase} ${row.batch}` : row.phase;
}

/**
 * x-axis labels: every step's first interval named after the step, and elapsed time on a regular stride
 * where it does not collide with them; the rest hidden. Widths are estimated at the label font size.
 */
export function axisLabels(t: Timeline, keep: number[]): string[] {
  const n = keep.length;
  const spacing = n > 1 ? PLOT_PX / (n - 1) : PLOT_PX;
  const width = (text: string) => text.length * LABEL_PX * 0.62 + (text.includes('%') ? 4 : 0);
  const placed: Array<{ i: number; text: string }> = [];
  const fits = (i: number, text: string) =>
    placed.every((p) => Math.abs(p.i - i) * spacing >= (width(p.text) + width(text)) / 2 + 8);
  keep.forEach((k, i) => {
    const p = t.points[k]!;
    const startsStep = i === 0 || t.points[keep[i - 1]!]!.row !== p.row;
    const text = stepName(t.rows[p.row]!);
    if (startsStep && fits(i, text)) placed.push({ i, text });
  });
  const sample = elapsed(t, since(t, t.points[keep[n - 1]!]!));
  if (t.unit === 'minutes:seconds') {
    // Intervals rarely fall on a round minute (a step starts seconds after the last ended): the first interval
    // past each stride's boundary is labelled, with its own time.
    const first = since(t, t.points[keep[0]!]!);
    const perPoint = n > 1 ? Math.max(1, (since(t, t.points[keep[n - 1]!]!) - first) / (n - 1)) : 1;
    const stride =
      [15, 30, 60, 120, 300, 600, 900, 1800, 3600].find(
        (s) => (s / perPoint) * spacing >= width(sample) + 8,
      ) ?? 7200;
    keep.forEach((k, i) => {
      const value = since(t, t.points[k]!);
      const previous = i > 0 ? since(t, t.points[keep[i - 1]!]!) : -1;
      const text = elapsed(t, value);
      if (
        Math.floor(value / stride) !== Math.floor(previous / stride) &&
        !placed.some((p) => p.i === i) &&
        fits(i, text)
      )
        placed.push({ i, text });
    });
  } else {
    const stride = [1, 2, 5, 10, 15, 20, 30, 60, 120].find((s) => s * spacing >= width(sample) + 8) ?? 240;
    keep.forEach((k, i) => {
      const minute = since(t, t.points[k]!);
      const text = String(minute);
      if (minute % stride === 0 && !placed.some((p) => p.i === i) && fits(i, text)) placed.push({ i, text });
    });
  }
  const labels = keep.map((_, i) => placed.find((p) => p.i === i)?.text ?? ZW.repeat(i + 1));
  // Two steps with one name (a re-run at the same weight) still need distinct labels.
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const count = seen.get(l) ?? 0;
    seen.set(l, count + 1);
    return count ? l + ZW.repeat(n + count) : l;
  });
}

interface Line {
  role: LineRole;
  label: string;
  values: Array<number | null>;
}

/** Within the doubles: padding and rounding up a value near the largest one must not make it Infinity. */
const finite = (v: number) => Math.min(Math.max(v, -Number.MAX_VALUE), Number.MAX_VALUE);

/** A y range from the data: padded, zero included when the data is near it, rounded to two digits. */
export function yRange(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  // Data that is never negative (counts, rates, latencies, a CUSUM) is never drawn below zero: a flat line at 0
  // got the axis -1..1.
  const nonNegative = lo >= 0;
  const floor = (v: number) => (nonNegative ? Math.max(v, 0) : v);
  if (lo === hi) {
    // A tenth of the smallest doubles is 0: they are padded by themselves.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1 || Math.abs(lo);
    return [floor(finite(niceDown(finite(lo - pad)))), finite(niceUp(finite(hi + pad)))];
  }
  // Halved before subtracting: hi - lo of two huge values of opposite sign is past the largest double.
  const span = (hi / 2 - lo / 2) * 2;
  // A range that starts near zero reads better from zero (rates, latencies).
  if (lo >= 0 && lo < span) lo = 0;
  else lo = finite(lo - span * 0.1);
  hi = finite(hi + span * 0.1);
  return [floor(finite(niceDown(lo))), finite(niceUp(hi))];
}

const round2 = (v: number, dir: (x: number) => number) => {
  if (v === 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(v))) - 1);
  // A subnormal value's step underflows to 0 (and v / 0 is no number): it stays as it is.
  if (step === 0) return v;
  return Number((dir(v / step) * step).toPrecision(3));
};
const niceUp = (v: number) => round2(v, Math.ceil);
const niceDown = (v: number) => round2(v, Math.floor);

// Quoted for mermaid: a quote inside would end the label, and a line break of any kind or a backtick could
// end the statement or the block. Mermaid shows < > & as entities ("&gt;") or drops what looks like a tag, so
// they become look-alikes. It reads `%%{...}%%` anywhere in the text as a directive (theme, CSS) and `#name;`
// or `#60;` as an entity: braces become parentheses, `%%` one `%`, and a `#` before a name and `;` gets a
// zero-width space. Invisible characters go, except the zero-width spaces that keep labels distinct.
export const quote = (text: string) =>
  `"${text
    .replace(/[\p{Cc}\p{Zl}\p{Zp}`]+/gu, ' ')
    .replace(/[^\P{Cf}\u200B]/gu, '')
    .replace(/"/g, "'")
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/&/g, '+')
    .replace(/\{/g, '(')
    .replace(/\}/g, ')')
    .replace(/%{2,}/g, '%')
    .replace(/#(?=\w+;)/g, `#${ZW}`)}"`;
/** A name in a title: short enough that the title fits the chart. */
const titleName = (name: string) => truncate(name.replace(/\s+/g, ' '), 32);

/**
 * The points to draw: intervals where the first line (canary, or the test statistic) has data; an interval
 * where another line lacks data is dropped too, unless that line simply ends there (stable is not read at
 * 100 %), in which case the line is drawn shorter. A line without any data is left out.
 */
function drawable(lines: Line[], points: number): { keep: number[]; lines: Line[]; missing: number[] } {
  let keep = Array.from({ length: points }, (_, i) => i).filter((i) => lines[0]!.values[i] !== null);
  const others = lines.slice(1).filter((l) => keep.some((i) => l.values[i] !== null));
  const gaps = new Set<number>();
  for (const l of others) {
    const last = keep.findLastIndex((i) => l.values[i] !== null);
    keep.slice(0, last).forEach((i) => l.values[i] === null && gaps.add(i));
  }
  keep = keep.filter((i) => !gaps.has(i));
  const kept = new Set(keep);
  const missing = Array.from({ length: points }, (_, i) => i).filter((i) => !kept.has(i));
  return { keep, lines: [lines[0]!, ...others], missing };
}

/**
 * The most points a chart draws. Each hidden x label is one zero-width space longer than the one before (the
 * only invisible character a label keeps), so a chart of n points carries n²/2 of them: 960 intervals made a
 * chart of 600,000 characters, past mermaid's limit (50,000) and the summary's (1 MiB). 120 is an hour at the
 * default 30 s interval, drawn in full.
 */
export const MAX_CHART_POINTS = 120;

/**
 * A long analysis thinned to about MAX_CHART_POINTS: the kept intervals in runs of `per` (never across a step),
 * each drawn at its worst interval (the first line's highest value, or lowest where lower is worse), so a
 * spike stays on the chart; labelled at the run's first interval.
 */
function thinned(
  t: Timeline,
  keep: number[],
  first: Array<number | null>,
  worse: 'max' | 'min',
): { points: number[]; labels: number[]; per: number } {
  if (keep.length <= MAX_CHART_POINTS) return { points: keep, labels: keep, per: 1 };
  const per = Math.ceil(keep.length / MAX_CHART_POINTS);
  const points: number[] = [];
  const labels: number[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const worst = run.reduce((best, i) =>
      (worse === 'max' ? first[i]! > first[best]! : first[i]! < first[best]!) ? i : best,
    );
    points.push(worst);
    labels.push(run[0]!);
    run = [];
  };
  for (const i of keep) {
    if (run.length === per || (run.length > 0 && t.points[i]!.row !== t.points[run[0]!]!.row)) flush();
    run.push(i);
  }
  flush();
  return { points, labels, per };
}

function mermaidChart(
  t: Timeline,
  /** The title, or made from the lines that are drawn (those with data). */
  title: string | ((lines: Line[]) => string),
  yTitle: string,
  input: Line[],
  worse: 'max' | 'min' = 'max',
):
  | {
      block: string;
      colors: Array<{ line: Line; color: string }>;
      missing: number[];
      per: number;
      single: boolean;
      covered: Line[];
    }
  | undefined {
  const { keep: all, lines, missing } = drawable(input, t.points.length);
  if (all.length === 0) return undefined;
  const { points: keep, labels, per } = thinned(t, all, lines[0]!.values, worse);
  // One point is a path without a segment: mermaid draws nothing, an empty box under a legend of lines. One
  // interval is drawn across it instead, its value from where it began (its step, labelled) to its end.
  const single = keep.length === 1;
  // The intervals after the last one drawn (a window that went on without data to a no-data rollback or a
  // hold) stay on the axis, every line ending before them: the axis ends where the decision fell, as the title
  // says, not at the last reading. Thinned as the rest, its last always kept.
  const after = missing.filter((i) => i > all.at(-1)!);
  const tail = single ? [] : after.filter((_, n) => (n + 1) % per === 0 || n === after.length - 1);
  const used: Record<LineRole, number> = { canary: 0, reference: 0, limit: 0, 'pre-deploy': 0 };
  const colors = lines.map((line) => {
    const palette = COLOR[line.role];
    return { line, color: palette[Math.min(used[line.role]++, palette.length - 1)]! };
  });
  const drawn = lines.map((l) => {
    const values = keep.map((i) => l.values[i]!);
    const end = values.findLastIndex((v) => v !== null);
    const kept = values.slice(0, end + 1) as number[];
    return single ? [...kept, ...kept] : kept;
  });
  const [lo, hi] = yRange(drawn.flat());
  // Mermaid draws the lines in order, each over the one before: the first line (the version under test, or the
  // test's statistic) last, on top, so where it runs along stable or its limit (both at 0 errors) it is the
  // line seen, not hidden under the one the legend lists after it.
  const order = [...lines.keys()].slice(1).concat(0);
  const init = {
    xyChart: {
      width: WIDTH,
      height: HEIGHT,
      xAxis: { labelFontSize: LABEL_PX },
      yAxis: { labelFontSize: LABEL_PX },
    },
    themeVariables: { xyChart: { plotColorPalette: order.map((i) => colors[i]!.color).join(', ') } },
  };
  const block = [
    '```mermaid',
    `%%{init: ${JSON.stringify(init)}}%%`,
    'xychart-beta',
    `    title ${quote(typeof title === 'string' ? title : title(lines))}`,
    `    x-axis ${quote(`${t.unit} since the analysis began`)} [${(single ? acrossLabels(t, keep[0]!) : axisLabels(t, [...labels, ...tail])).map(quote).join(', ')}]`,
    `    y-axis ${quote(yTitle)} ${chartNumber(lo)} --> ${chartNumber(hi)}`,
    ...order.map(
      (i) => `    line ${quote(truncate(lines[i]!.label, 60))} [${drawn[i]!.map(chartNumber).join(', ')}]`,
    ),
    '```',
  ].join('\n');
  // A line the first one covers all along (stable at 0 errors under a canary at 0) is named under the chart.
  const covered = lines.filter(
    (l, i) => i > 0 && drawn[i]!.length > 0 && drawn[i]!.every((v, k) => v === drawn[0]![k]),
  );
  return { block, colors, missing, per, single, covered };
}

/** The two ends of one interval drawn across it: its start, named after its step, and its end. */
function acrossLabels(t: Timeline, k: number): [string, string] {
  const p = t.points[k]!;
  return [stepName(t.rows[p.row]!), elapsed(t, since(t, p))];
}

/** Four significant digits, written out in full: mermaid's xychart reads no exponent ("3e-7" breaks it). */
const PLAIN = new Intl.NumberFormat('en-US', { useGrouping: false, maximumSignificantDigits: 4 });
/** The same, rounded toward zero: near the largest double, rounding up would write a number past it. */
const PLAIN_DOWN = new Intl.NumberFormat('en-US', {
  useGrouping: false,
  maximumSignificantDigits: 4,
  roundingMode: 'trunc',
});

/**
 * A number as a chart states it: full precision where it matters (small rates), and plain decimals at every
 * magnitude (a tiny error rate, a huge value), since JavaScript writes below 1e-6 and from 1e21 with an
 * exponent, which mermaid does not read.
 */
export function chartNumber(v: number): string {
  if (v === 0) return '0';
  const text = PLAIN.format(v);
  return Number.isFinite(Number(text)) ? text : PLAIN_DOWN.format(v);
}

/** The check's series over the whole timeline (nulls where a window lacks the check). */
function across(
  t: Timeline,
  name: string,
  pick: (c: CheckEvidence) => Array<Array<number | null>>,
): Line[] | undefined {
  const per = t.rows.map((r) => r.evidence!.checks.find((c) => c.name === name));
  const sample = per.find(Boolean);
  if (!sample) return undefined;
  const shape = pick(sample);
  return shape.map((_, s) => ({
    role: 'canary',
    label: '',
    values: t.points.map((p) => {
      const c = per[p.row];
      return c ? (pick(c)[s]?.[p.index] ?? null) : null;
    }),
  }));
}

export interface ChartOptions {
  /** How the last window ended and when, for the titles ("rolled back at 14 min"). */
  decision: string;
}

function missingText(
  t: Timeline,
  { missing, per, single }: { missing: number[]; per: number; single: boolean },
): string {
  const thin =
    per > 1
      ? ` A long analysis: each point is the worst of up to ${per} intervals, labelled at the first.`
      : single
        ? ' One interval: its value is drawn across it, from its start to its end.'
        : '';
  if (missing.length === 0) return thin;
  const at = missing.map((i) => elapsed(t, since(t, t.points[i]!)));
  const shown = at.length > 8 ? `${at.slice(0, 8).join(', ')}… (${at.length} in all)` : at.join(', ');
  return `${thin} Not drawn, no data: ${unitShort(t)} ${shown}.`;
}

function legend(colors: Array<{ line: Line; color: string }>): string {
  return colors
    .map((c) => `${COLOR_NAME[c.color] ?? c.color}: ${cell(truncate(c.line.label, 100))}`)
    .join(' · ');
}

/**
 * A relative rule's pre-deploy reading over the timeline, where it compared with it anywhere: one reading
 * taken once, so one flat line across the chart, each point at its interval's value, else the nearest one's
 * (an interval that compared with stable records none). `partly`: some intervals compared with stable.
 */
function preDeployLine(t: Timeline, name: string): { line: Line; partly: boolean } | undefined {
  const per = t.rows.map((r) => r.evidence!.checks.find((c) => c.name === name));
  const recorded = t.points.map((p) => per[p.row]?.preDeploy?.[p.index] ?? null);
  if (recorded.every((v) => v === null)) return undefined;
  let last: number | null = recorded.find((v) => v !== null)!;
  const values = recorded.map((v) => (last = v ?? last));
  // Where the check was read but compared with stable (a canary step beside it, then 100 % without it).
  const partly = t.points.some((p, i) => recorded[i] === null && per[p.row] !== undefined);
  return { line: { role: 'pre-deploy', label: PRE_DEPLOY, values }, partly };
}

/** What names a step on the axis (stepName): a blue-green or rolling watch has no traffic share. */
function stepLabels(t: Timeline): string {
  const shares = t.rows.filter((r) => r.weight !== undefined).length;
  if (shares === t.rows.length) return 'traffic share';
  return shares === 0 ? 'phase' : 'traffic share, else its phase';
}

/** The observed values of a check (canary, reference, limit) as one chart with its caption. */
export function observedChart(t: Timeline, check: CheckEvidence, options: ChartOptions): string | undefined {
  if (check.observed.length === 0) return undefined;
  const series = across(t, check.name, (c) => c.observed.map((s) => s.values));
  if (!series) return undefined;
  // The version under test is named by the steps drawn (testedName), not by the evidence, which says canary.
  const tested = testedName(t.rows);
  const observed: Line[] = check.observed.map((s, i) => ({
    ...series[i]!,
    role: s.role,
    label: s.role === 'canary' ? tested : s.label,
  }));
  // The baseline a relative rule took from before the deploy is drawn beside the references, before the limit
  // it sets (factor x that reading).
  const before = preDeployLine(t, check.name);
  const lines = before
    ? [
        ...observed.filter((l) => l.role !== 'limit'),
        before.line,
        ...observed.filter((l) => l.role === 'limit'),
      ]
    : observed;
  // Where the check wants the value high (success_rate >= 99%), its worst is its lowest.
  const worse = check.op === '>' || check.op === '>=' ? 'min' : 'max';
  const title = (drawn: Line[]) => {
    // The title names what the version under test is compared with on the chart: a reference without any data
    // (stable, on a blue-green or rolling watch) is not drawn and not named; with none drawn, none is named.
    const named = drawn.filter((l) => l.role === 'reference' || l.role === 'pre-deploy').map((l) => l.label);
    const versus = named.length ? ` vs ${named.join(' and ')}` : '';
    return `${titleName(check.quantity)}: ${tested}${versus}, ${options.decision}`;
  };
  const chart = mermaidChart(t, title, titleName(check.quantity), lines, worse);
  if (!chart) return undefined;
  const under = chart.covered.length
    ? ` The ${tested} is drawn over ${chart.covered.map((l) => cell(truncate(l.label, 100))).join(' and ')}, which ${chart.covered.length === 1 ? 'has' : 'have'} the same values.`
    : '';
  const compared = before
    ? ` The baseline is the reading taken ${PRE_DEPLOY}${before.partly ? ` where no stable side served beside the ${tested}` : ''}: one reading, a flat line.`
    : '';
  return [
    chart.block,
    `<sub>${legend(chart.colors)} (${cell(truncate(check.rule, 300))}).${under}${compared} x: ${t.unit} since the analysis began; a step's first interval is labelled with its ${stepLabels(t)}.${missingText(t, chart)}</sub>`,
  ].join('\n');
}

/** A sequential test's log e-value against its boundary, with its caption. */
export function testChart(t: Timeline, check: CheckEvidence, options: ChartOptions): string | undefined {
  if (!check.test) return undefined;
  // One statistic per chart, the deciding window's: a step before it that recorded the errors check's CUSUM
  // (in nats, against its own boundaries) is no point of an e-value's line, nor its boundary of ln(1/alpha).
  const statistic = check.test.statistic ?? 'e-value';
  const same = (c: CheckEvidence) => (c.test?.statistic ?? 'e-value') === statistic;
  const series = across(t, check.name, (c) =>
    c.test && same(c)
      ? [c.test.logEvidence, c.test.boundaries ?? c.test.logEvidence.map(() => c.test!.boundary)]
      : [[], []],
  );
  if (!series) return undefined;
  const others = t.rows.filter((r) => {
    const c = r.evidence!.checks.find((x) => x.name === check.name);
    return c?.test !== undefined && !same(c);
  });
  const cusum = statistic === 'cusum';
  const label = cusum ? 'CUSUM (nats)' : 'ln(e-value)';
  const boundary = cusum
    ? `boundary (now ${formatNumber(check.test.boundary)})`
    : `ln(1/alpha) = ${formatNumber(check.test.boundary)}`;
  const lines: Line[] = [
    { ...series[0]!, role: 'canary', label },
    { ...series[1]!, role: 'limit', label: boundary },
  ];
  const drawn = mermaidChart(t, `${titleName(check.name)}: evidence, ${options.decision}`, label, lines);
  if (!drawn) return undefined;
  // Those steps are not drawn for want of data: they are said apart.
  const left = new Set(t.points.flatMap((p, i) => (others.includes(t.rows[p.row]!) ? [i] : [])));
  const chart = { ...drawn, missing: drawn.missing.filter((i) => !left.has(i)) };
  const otherName = cusum ? 'e-value' : 'CUSUM';
  const apart = others.length
    ? ` Not drawn: the ${others.map((r) => stepName(r)).join(', ')} step${others.length === 1 ? '' : 's'}, which recorded its ${otherName}, not this ${cusum ? 'CUSUM' : 'e-value'}.`
    : '';
  const how = cusum
    ? `rolls back when its CUSUM reaches the boundary, set at each look so that a ${testedName(t.rows)} no worse crosses it with probability at most ${formatNumber(check.test.alpha)} however often it looks`
    : 'rolls back when its e-value reaches 1/alpha, however often it looks';
  return [
    chart.block,
    `<sub>${legend(chart.colors)}: the test (${cell(truncate(check.rule, 300))}) ${how}; each step starts a new test.${apart} x: ${t.unit} since the analysis began.${missingText(t, chart)}</sub>`,
  ].join('\n');
}

/** How close a check came to firing over the timeline (1 = at its limit); -1 when its line is flat. */
function closeness(t: Timeline, check: CheckEvidence): number {
  const per = t.rows.map((r) => r.evidence!.checks.find((c) => c.name === check.name));
  let best = -Infinity;
  const seen = new Set<number>();
  for (const c of per) {
    if (!c) continue;
    if (c.test)
      c.test.logEvidence.forEach((v, i) => {
        const boundary = c.test!.boundaries?.[i] ?? c.test!.boundary;
        if (v === null || !(boundary > 0)) return;
        best = Math.max(best, v / boundary);
        seen.add(Math.round(v * 1000));
      });
    const canary = c.observed.find((s) => s.role === 'canary');
    const limit = c.observed.find((s) => s.role === 'limit');
    if (!canary || c.test) continue;
    canary.values.forEach((v, i) => {
      const l = limit?.values[i];
      if (v === null || l === null || l === undefined) return;
      seen.add(v);
      const higherIsBad = c.op === '<' || c.op === '<=';
      if (higherIsBad && l > 0) best = Math.max(best, v / l);
      if (!higherIsBad && v > 0) best = Math.max(best, l / v);
    });
  }
  if (best === -Infinity) return -2;
  return seen.size > 1 ? best : -1;
}

/**
 * The checks to draw: the one that fired, else the two (on different metrics) that came closest to firing,
 * warning checks aside.
 */
export function decidingChecks(t: Timeline): CheckEvidence[] {
  const last = t.rows.at(-1)!.evidence!;
  const fired =
    last.decision.kind === 'rollback' ? last.checks.find((c) => c.name === last.decision.rule) : undefined;
  if (fired) return [fired];
  // A warning check cannot fire (its breach is a warning): its lower limit beside a rollback rule on the same
  // metric (seeds.memory-warning at 0.85, seeds.memory at 0.95) would otherwise stand for both.
  const ranked = last.checks
    .filter((c) => !c.warn)
    .map((c) => ({ c, score: closeness(t, c) }))
    .filter((x) => x.score > -2)
    .sort((a, b) => b.score - a.score)
    .map((x) => x.c);
  // Two rules on one metric would draw the same lines twice: the closer one stands for both.
  const picked: CheckEvidence[] = [];
  for (const c of ranked)
    if (picked.length < 2 && !picked.some((p) => p.quantity === c.quantity && !p.test && !c.test))
      picked.push(c);
  return picked;
}

/**
 * Whether an errors test's rates (%) are a rule's values (a fraction), the canary's and the reference's, in
 * every interval both have, at least one of the canary's: then they are one chart's lines, drawn once. The
 * canary alone is not enough: at 0 errors it agrees with any rule whose canary read 0 (a restarts count), and
 * the test's stable rates would then be drawn nowhere.
 */
function sameRates(t: Timeline, rule: CheckEvidence, errors: CheckEvidence): boolean {
  if (!errors.counts || rule.test || (rule.kind !== 'threshold' && rule.kind !== 'relative')) return false;
  let pairs = 0;
  for (const row of t.rows) {
    const checks = row.evidence!.checks;
    for (const role of ['canary', 'reference'] as const) {
      const a = checks.find((c) => c.name === rule.name)?.observed.find((s) => s.role === role)?.values;
      const b = checks.find((c) => c.name === errors.name)?.observed.find((s) => s.role === role)?.values;
      if (!a || !b) continue;
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const x = a[i];
        const y = b[i];
        if (x === null || x === undefined || y === null || y === undefined) continue;
        if (Math.abs(x * 100 - y) > 1e-9 * Math.max(1, Math.abs(y))) return false;
        if (role === 'canary') pairs++;
      }
    }
  }
  return pairs > 0;
}

const DECIDED: Record<string, string> = {
  promote: 'promoted',
  hold: 'held',
  rollback: 'rolled back',
};

/** Every chart of the environment's analysis: what decided, and the evidence behind it. */
export function evidenceCharts(rows: AnalysisRow[], environment: string): string[] {
  const t = timeline(rows, environment);
  if (!t) return [];
  const lastRow = t.rows.at(-1)!;
  const last = lastRow.evidence!;
  const end = since(t, t.points.at(-1)!);
  const when = t.unit === 'minutes:seconds' ? formatDuration(end * 1000) : `${end} ${unitShort(t)}`;
  const decision = `${DECIDED[last.decision.kind] ?? last.decision.kind} at ${when} (${stepName(lastRow)})`;
  const charts: string[] = [];
  const picked = decidingChecks(t);
  for (const check of picked) {
    // The errors test's rates, where a rule drawn beside it reads the same rates (the seeds preset derives its
    // errors from error_rate): one chart of them, the rule's with its limit, not the same lines twice.
    const same = picked.some((other) => other !== check && sameRates(t, other, check));
    const observed = same ? undefined : observedChart(t, check, { decision });
    const test = testChart(t, check, { decision });
    if (observed) charts.push(observed);
    if (test) charts.push(test);
  }
  return charts;
}
