// The gates report as a terminal table: one row per gate, then its findings, then the overall status.
import { styleText } from 'node:util';
import { notWorkflowCommand, plain } from '../util/plain-text.ts';
import { formatDuration } from '../config/duration.ts';
import { truncate } from '../report/markdown.ts';
import type { GatesReport } from './runner.ts';
import type { Finding, GateStatus } from './types.ts';

export interface FormatOptions {
  color?: boolean;
  /** Findings shown per gate before "… and N more". */
  maxFindings?: number;
}

const STATUS_STYLE: Record<GateStatus, 'green' | 'yellow' | 'red'> = {
  pass: 'green',
  warn: 'yellow',
  block: 'red',
};

/**
 * Text from a report (a summary, a file name, a test's message) as one inert line (plain-text.ts): no line
 * break, escape sequence or invisible character, and `##[`, which the runner reads as a command anywhere in
 * a line, broken.
 */
const inert = plain;

export function formatGatesReport(report: GatesReport, opts: FormatOptions = {}): string {
  const maxFindings = opts.maxFindings ?? 10;
  const paint = (style: Parameters<typeof styleText>[0], text: string) =>
    opts.color ? styleText(style, text, { validateStream: false }) : text;

  const rows = report.gates.map((gate) => [
    gate.name,
    gate.status.toUpperCase(),
    gate.required ? 'required' : 'advisory',
    formatDuration(gate.durationMs),
    inert(gate.summary),
  ]);
  const header = ['GATE', 'STATUS', 'MODE', 'TIME', 'SUMMARY'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  // No line ends in spaces: a gate whose summary is empty ends at its TIME.
  const pad = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();

  const lines = [paint('bold', pad(header))];
  report.gates.forEach((gate, index) => {
    const cells = rows[index]!;
    const line = pad(cells);
    const statusStart = widths[0]! + 2;
    const statusText = cells[1]!.padEnd(widths[1]!);
    lines.push(
      line.slice(0, statusStart) +
        paint(STATUS_STYLE[gate.status], statusText) +
        line.slice(statusStart + statusText.length),
    );
    for (const finding of gate.findings.slice(0, maxFindings)) lines.push(`    ${formatFinding(finding)}`);
    if (gate.findings.length > maxFindings)
      lines.push(`    … and ${gate.findings.length - maxFindings} more`);
  });
  const overallStyle = report.status === 'PASS' ? 'green' : report.status === 'WARN' ? 'yellow' : 'red';
  lines.push('');
  lines.push(
    `${paint('bold', 'overall_status=')}${paint(overallStyle, report.status)}` +
      `  (${report.gates.length} gates, ${formatDuration(report.wallMs)} wall, ${formatDuration(report.sumMs)} summed)`,
  );
  return lines.map(notWorkflowCommand).join('\n');
}

// What one finding may take of the table: its rule id, file name and each line of its message are cut
// with "…" past these (the job summary's and check run's own bounds), its lines past MAX_LINES counted. A
// report's text is of any length: a test named with a million characters made a line of a megabyte.
const MAX_RULE = 200;
const MAX_PATH = 300;
const MAX_LINE = 1000;
/** A command's output tail is 10 lines; a message of a thousand lines is not read in a table. */
const MAX_LINES = 20;

/** One finding; a message of several lines (a command's output) continues on lines marked "│". */
export function formatFinding(finding: Finding): string {
  const where = finding.path
    ? `${truncate(inert(finding.path), MAX_PATH)}${finding.line ? `:${finding.line}` : ''} `
    : '';
  const lines = finding.message.split(/\r\n|\r|\n/);
  const shown = lines.slice(0, MAX_LINES).map((line) => truncate(inert(line), MAX_LINE));
  if (lines.length > MAX_LINES) shown.push(`… and ${lines.length - MAX_LINES} more lines`);
  return `${where}[${truncate(inert(finding.rule), MAX_RULE)}] ${shown.join('\n      │ ')}`;
}
