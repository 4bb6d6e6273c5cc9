// The gates report as a terminal table: one row per gate, then its findings, then the overall status.
import { styleText } from 'node:util';
import { plain } from '../util/plain-text.ts';
import { formatDuration } from '../config/duration.ts';
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

/** A line that would read as a workflow command (`::name::` or the old `##[name]`) gets a backslash first. */
function notCommand(line: string): string {
  return line.replace(/^(\s*)(::|##\[)/, '$1\\$2');
}

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
  return lines.map(notCommand).join('\n');
}

/** One finding; a message of several lines (a command's output) continues on lines marked "│". */
export function formatFinding(finding: Finding): string {
  const where = finding.path ? `${inert(finding.path)}${finding.line ? `:${finding.line}` : ''} ` : '';
  const message = finding.message
    .split(/\r\n|\r|\n/)
    .map(inert)
    .join('\n      │ ');
  return `${where}[${inert(finding.rule)}] ${message}`;
}
