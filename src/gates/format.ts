// The gates report as a terminal table: one row per gate, then its findings, then the overall status.
import { styleText } from 'node:util';
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

export function formatGatesReport(report: GatesReport, opts: FormatOptions = {}): string {
  const maxFindings = opts.maxFindings ?? 10;
  const paint = (style: Parameters<typeof styleText>[0], text: string) =>
    opts.color ? styleText(style, text, { validateStream: false }) : text;

  const rows = report.gates.map((gate) => [
    gate.name,
    gate.status.toUpperCase(),
    gate.required ? 'required' : 'advisory',
    formatDuration(gate.durationMs),
    gate.summary,
  ]);
  const header = ['GATE', 'STATUS', 'MODE', 'TIME', 'SUMMARY'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const pad = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ');

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
  return lines.join('\n');
}

export function formatFinding(finding: Finding): string {
  const where = finding.path ? `${finding.path}${finding.line ? `:${finding.line}` : ''} ` : '';
  return `${where}[${finding.rule}] ${finding.message}`;
}
