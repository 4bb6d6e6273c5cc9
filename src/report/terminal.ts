// Live progress for people: elapsed time, phase, step, weight; command output indented under its step; a
// summary table at the end. Colour only when writing to a terminal (not with NO_COLOR or TERM=dumb).
import { rollbackShortfall } from '../pipeline/rollback-shortfall.ts';
import { levelOutcome, TERMINAL_LEVEL_MARKS } from '../pipeline/rollback-levels.ts';
import { styleText } from 'node:util';
import type { PhaseRecord, PipelineEvent, PipelineResult, Reporter } from '../pipeline/events.ts';
import { formatDuration } from '../config/duration.ts';
import { plain } from '../util/plain-text.ts';
import { formatGatesReport } from '../gates/format.ts';
import { analysisRows } from './analysis-steps.ts';
import { truncate } from './markdown.ts';
import { displayWidth, padColumns } from './display-width.ts';
import { warningText } from '../pipeline/analysis-warnings.ts';
import {
  continueCommands,
  currentWait,
  endedBy,
  formatUtc,
  trafficSplit,
  WAIT_END_TEXT,
  waitedText,
  waitingFor,
  waitWhere,
  type WaitEnd,
} from './waits.ts';

type Style = Parameters<typeof styleText>[0];

/**
 * The mark of a wait's end: green ▶ only where the rollout goes on. An /abort or an internal error stopped it
 * (red ■, a failure), a cancelled job stopped it (yellow ■, as a cancelled run's outcome is yellow), and a
 * hand-off (the in-job wait ran out) leaves it paused (yellow ⏸, as the wait began).
 */
export const WAIT_END_MARKS: Record<WaitEnd, { style: Style; mark: string }> = {
  promoted: { style: 'green', mark: '▶' },
  approved: { style: 'green', mark: '▶' },
  due: { style: 'green', mark: '▶' },
  resumed: { style: 'green', mark: '▶' },
  aborted: { style: ['bold', 'red'], mark: '■' },
  stopped: { style: ['bold', 'red'], mark: '■' },
  cancelled: { style: ['bold', 'yellow'], mark: '■' },
  handed_off: { style: ['bold', 'yellow'], mark: '⏸' },
};

export interface TerminalReporterOptions {
  write?: (text: string) => void;
  color?: boolean;
  /** Show command output lines (default true). */
  showOutput?: boolean;
  /** Whose commands continue a wait: the App's comments (default), or the command line's. */
  controls?: 'app' | 'cli';
}

/**
 * Colour on a terminal only, and not when NO_COLOR is set (not empty, as no-color.org says) or the terminal
 * says it has none (TERM=dumb: an editor's shell, an old serial console, which printed the escapes as text).
 */
export function colorWanted(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

export function terminalReporter(options: TerminalReporterOptions = {}): Reporter {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const color = options.color ?? colorWanted(process.stdout.isTTY === true, process.env);
  const paint = (style: Style, text: string) =>
    color ? styleText(style, text, { validateStream: false }) : text;
  const started = performance.now();
  const clock = () => paint('dim', `[${formatElapsed(performance.now() - started)}]`);
  const line = (text: string) => write(`${clock()} ${text}\n`);

  return {
    event(raw: PipelineEvent) {
      // Every text in the event made inert once, here: names, reasons, details, command output, findings.
      const e = inert(raw);
      switch (e.type) {
        case 'start':
          line(
            paint('bold', `Deploying ${e.version} to ${e.environment}`) +
              ` with ${e.strategy}` +
              (e.previousVersion
                ? ` (live: ${e.previousVersion}${e.liveSlot ? ` on ${e.liveSlot}` : ''})`
                : e.liveSlot
                  ? ` (live slot: ${e.liveSlot})`
                  : ' (nothing recorded as live)') +
              (e.staging ? `, staging first on ${e.staging}` : ''),
          );
          break;
        case 'phase-start':
          line(paint('cyan', `▶ ${e.phase}`) + (e.detail ? paint('dim', ` (${e.detail})`) : ''));
          break;
        case 'phase-end':
          line(
            `${statusMark(e.record.status, paint)} ${e.record.phase} ${e.record.status}` +
              paint('dim', ` in ${formatDuration(e.record.durationMs)}`) +
              (e.record.detail && e.record.status !== 'succeeded' ? `: ${e.record.detail}` : ''),
          );
          break;
        case 'decision': {
          const d = e.record.decision;
          if (d.type === 'run')
            line(`  ${paint('bold', '→')} ${paint('dim', `[${e.record.state}]`)} ${d.reason}`);
          else if (d.type === 'done') line(`  ${paint('green', '✔')} ${e.record.strategy}: ${d.reason}`);
          else
            line(
              `  ${paint('red', '✖')} ${e.record.strategy} ${d.pause ? 'paused' : 'failed'} [${d.code}]: ${d.reason}`,
            );
          break;
        }
        case 'step-start':
          line(`    ${e.phase === 'rollback' ? paint('yellow', '↺') : '·'} ${e.description}`);
          break;
        case 'step-end': {
          const r = e.record.result;
          const took = paint('dim', ` (${formatDuration(e.record.durationMs)})`);
          if (r.ok)
            line(
              `    ${paint('green', '✓')} ${e.record.description}${r.detail ? paint('dim', `: ${r.detail}`) : ''}${took}`,
            );
          else line(`    ${paint('red', '✗')} ${e.record.description}: ${r.reason}${took}`);
          break;
        }
        case 'output':
          if (options.showOutput !== false)
            write(`${clock()}     ${paint('dim', `│ ${e.source}:`)} ${e.line}\n`);
          break;
        case 'log':
          line(
            `${e.level === 'error' ? paint('red', 'error') : e.level === 'warn' ? paint('yellow', 'warning') : paint('dim', 'info')}: ${e.message}`,
          );
          break;
        case 'analysis-warning':
          line(`${paint('yellow', '⚠')} ${warningText(e.record)}`);
          break;
        case 'rollback-start':
          line(paint(['bold', 'yellow'], `↺ ROLLBACK of ${e.environment}: ${e.reason}`));
          break;
        case 'wait-start': {
          const w = e.record;
          const split = trafficSplit(w.weight, w.baselineWeight);
          const handedOff = w.ended?.how === 'handed_off';
          line(
            paint(
              ['bold', 'yellow'],
              `⏸ ${w.environment}: waiting at ${plain(waitWhere(w))} ${waitingFor(w, w.environment, undefined, options.controls)}`,
            ) +
              (split ? ` (${split})` : '') +
              paint('dim', ` since ${formatUtc(w.since)}`),
          );
          if (handedOff) line(`    the job ends here; the rollout stays as it is and goes on in a later run`);
          line(
            `    to continue: ${continueCommands(w, w.environment, options.controls)
              .map((c) => c.command)
              .join(' · ')}`,
          );
          break;
        }
        case 'wait-end': {
          const w = e.record;
          if (!w.ended) break;
          const by = plain(endedBy(w));
          line(
            `${paint(WAIT_END_MARKS[w.ended.how].style, WAIT_END_MARKS[w.ended.how].mark)} ${w.environment}: ${WAIT_END_TEXT[w.ended.how]}` +
              (by ? ` by ${by}` : '') +
              ` at ${plain(waitWhere(w))} after ${waitedText(w)}`,
          );
          break;
        }
        case 'rollback-end':
          line(
            (e.record.ok
              ? paint('yellow', '↺ rollback complete')
              : rollbackShortfall(e.record).kind === 'cleanup'
                ? paint(['bold', 'yellow'], '↺ rolled back, CLEANUP INCOMPLETE')
                : paint(['bold', 'red'], '↺ ROLLBACK INCOMPLETE')) +
              (e.record.trafficRestoredMs !== undefined
                ? `: traffic back on stable in ${formatDuration(e.record.trafficRestoredMs)}`
                : '') +
              paint('dim', ` (total ${formatDuration(e.record.durationMs)})`),
          );
          for (const level of e.record.levels) {
            const { mark, text } = levelOutcome(level);
            line(`    ${TERMINAL_LEVEL_MARKS[mark]} rollback level ${level.name}: ${text}`);
          }
          break;
        case 'gate-start':
          line(`    · gate ${e.name}`);
          break;
        case 'gate-end': {
          const mark =
            e.result.status === 'pass'
              ? paint('green', '✓')
              : e.result.status === 'warn'
                ? paint('yellow', '!')
                : paint('red', '✗');
          line(
            `    ${mark} gate ${e.result.name} ${e.result.status}: ${e.result.summary}` +
              paint('dim', ` (${formatDuration(e.result.durationMs)})`),
          );
          break;
        }
        case 'gates':
          write(`${indent(formatGatesReport(e.report, { color }), '    ')}\n`);
          break;
        case 'result':
          write(summary(e.result, paint, options.controls));
          break;
      }
    },
  };
}

function statusMark(status: PhaseRecord['status'], paint: (s: Style, t: string) => string): string {
  switch (status) {
    case 'succeeded':
      return paint('green', '✔');
    case 'skipped':
      return paint('dim', '–');
    case 'cancelled':
      return paint('yellow', '■');
    case 'failed':
      return paint('red', '✖');
    default:
      // waiting: the job ended in this phase with the rollout handed off (issue 14).
      return paint('yellow', '⏸');
  }
}

export { plain };

/** A copy of an event (or a result) with every string made plain; numbers and the rest as they are. */
function inert<T>(value: T): T {
  if (typeof value === 'string') return plain(value) as T;
  if (Array.isArray(value)) return value.map(inert) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inert(v)])) as T;
  return value;
}

export function formatElapsed(ms: number): string {
  const total = ms / 1000;
  const minutes = Math.floor(total / 60);
  const seconds = total - minutes * 60;
  return `${String(minutes).padStart(2, '0')}:${seconds.toFixed(1).padStart(4, '0')}`;
}

export function summary(
  result: PipelineResult,
  paint: (s: Style, t: string) => string = (_, t) => t,
  /** Whose commands go on from a wait: TerminalReporterOptions.controls. */
  controls: 'app' | 'cli' = 'app',
): string {
  result = inert(result);
  const rows = result.phases.map((p) => [
    p.phase,
    p.status,
    p.status === 'skipped' ? '' : formatDuration(p.durationMs),
    p.detail ?? '',
  ]);
  const header = ['phase', 'status', 'duration', 'detail'];
  const [phase, status, took] = [0, 1, 2].map((i) => column([header[i]!, ...rows.map((r) => r[i]!)]));
  const fmt = (r: string[]) =>
    `  ${phase!.left(r[0]!)}  ${status!.left(r[1]!)}  ${took!.right(r[2]!)}  ${truncate(r[3]!, 70)}`.trimEnd();
  const lines = ['', paint('bold', 'Summary'), fmt(header), ...rows.map(fmt)];
  // Every analysis the strategy consulted, with its verdict and the numbers behind it.
  const analyses = analysisRows(result);
  if (analyses.length > 0) {
    lines.push('', paint('bold', 'Analysis by step'));
    const cells = analyses.map((a) => ({
      where: `${a.environment} ${a.label}`,
      verdict: a.verdict,
      took: formatDuration(a.durationMs),
    }));
    const where = column(
      cells.map((c) => c.where),
      NAME_COLUMN_MAX,
    );
    const verdict = column(cells.map((c) => c.verdict));
    const took = column(cells.map((c) => c.took));
    analyses.forEach((a, i) => {
      const c = cells[i]!;
      lines.push(
        `  ${where.left(c.where)} ${verdict.left(c.verdict)} ${took.right(c.took)}  ${truncate(a.detail, 90)}`,
      );
    });
  }
  for (const rb of result.rollbacks) {
    lines.push(
      `  rollback of ${rb.environment}: ${rb.ok ? 'complete' : rollbackShortfall(rb).kind === 'cleanup' ? 'traffic on stable, cleanup INCOMPLETE' : 'INCOMPLETE'}` +
        (rb.trafficRestoredMs !== undefined
          ? `, traffic restored in ${formatDuration(rb.trafficRestoredMs)}`
          : '') +
        ` (${rb.reason})`,
    );
  }
  const waits = result.waits ?? [];
  if (waits.length > 0) {
    lines.push('', paint('bold', 'Waits'));
    const cells = waits.map((w) => ({
      where: `${w.environment} ${plain(waitWhere(w))}`,
      kind: w.kind,
      waited: waitedText(w),
    }));
    const where = column(
      cells.map((c) => c.where),
      NAME_COLUMN_MAX,
    );
    const kind = column(cells.map((c) => c.kind));
    const waited = column(cells.map((c) => c.waited));
    waits.forEach((w, i) => {
      const c = cells[i]!;
      const ended = w.ended
        ? `${WAIT_END_TEXT[w.ended.how]}${endedBy(w) ? ` by ${plain(endedBy(w))}` : ''} ${formatUtc(w.ended.at)}`
        : 'still waiting';
      lines.push(
        `  ${where.left(c.where)} ${kind.left(c.kind)} ${waited.right(c.waited)}  since ${formatUtc(w.since)}, ${ended}`,
      );
    });
  }
  const wait = result.status === 'waiting' ? currentWait(result) : undefined;
  const headline =
    result.status === 'succeeded'
      ? paint(['bold', 'green'], `✔ ${result.message}`)
      : result.status === 'waiting'
        ? paint(
            ['bold', 'yellow'],
            wait
              ? `⏸ waiting at ${plain(waitWhere(wait))} ${waitingFor(wait, result.environment, undefined, controls)} [${result.code}]: ${continueCommands(wait, result.environment, controls)[0]!.command} to go on`
              : `⏸ waiting [${result.code}]: ${result.message}`,
          )
        : paint(
            ['bold', result.status === 'rolled_back' || result.status === 'cancelled' ? 'yellow' : 'red'],
            `✖ ${result.status} [${result.code}]: ${result.message}`,
          );
  lines.push('', `${headline} (${formatDuration(result.durationMs)})`, '');
  return lines.join('\n');
}

/** The widest a name column ("environment step") gets: a longer name is cut with … rather than widening every line. */
const NAME_COLUMN_MAX = 48;

/**
 * A column as wide as its widest cell (at most `max`), so the columns after it line up whatever the names,
 * verdicts or durations; a cell past `max` is cut with …. `left` pads text, `right` pads numbers.
 */
function column(cells: string[], max = Infinity): { left(t: string): string; right(t: string): string } {
  // In terminal columns (displayWidth), not UTF-16 units: a CJK or emoji name takes two per character.
  const width = Math.min(max, Math.max(0, ...cells.map(displayWidth)));
  return {
    left: (t) => padColumns(t, width, 'left'),
    right: (t) => padColumns(t, width, 'right'),
  };
}

// A blank line stays blank (with the prefix it was a line of trailing spaces).
function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? l : prefix + l))
    .join('\n');
}
