// Small helpers for the Markdown GitHub renders (job summary, PR comment, check run output, record).
// Text from commands, configs and commit messages is escaped so it cannot break a table or inject markup.

/** Escapes a value for one table cell: pipes, newlines, HTML and Markdown emphasis. */
export function cell(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return '';
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/[*_`[\]]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

export function table(header: string[], rows: Array<Array<string | number | undefined>>): string {
  const line = (cells: Array<string | number | undefined>) => `| ${cells.map((c) => c ?? '').join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${clean}${fence.length > 1 ? ' ' : ''}${fence}`;
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A number for people: up to 4 significant digits, no exponent for ordinary values. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(4)));
}

export const STATUS_ICON: Record<string, string> = {
  succeeded: '✅',
  pass: '✅',
  PASS: '✅',
  warn: '⚠️',
  WARN: '⚠️',
  block: '⛔',
  BLOCK: '⛔',
  failed: '❌',
  rolled_back: '↩️',
  cancelled: '⏹️',
  blocked: '⛔',
  paused: '⏸️',
  skipped: '➖',
};
