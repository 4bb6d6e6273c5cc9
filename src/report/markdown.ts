// Small helpers for the Markdown GitHub renders (job summary, PR comment, check run output, record).
// Text from commands, configs and commit messages is escaped so it cannot break a table or inject markup.
import { inertMarkdown, oneLine } from '../github/user-text.ts';

/**
 * A value someone other than the product chose (a name, a version, a reason, a finding, an error, a commit
 * message) as inert Markdown text on one line, fit for a table cell: the escaping of userText (no HTML, link,
 * image, emphasis, pipe, line break, mention, reference or autolink), whole.
 */
export function cell(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return '';
  // Trimmed: a value that starts or ends with a space would stop **bold** around it from closing.
  return inertMarkdown(String(text)).trim();
}

/** Longest run of visible characters without a place to wrap that `wrappable` leaves. */
export const LONGEST_UNBROKEN = 30;
/**
 * The same in a table of many columns, its names and rules side by side (the evidence table): six columns share
 * GitHub's 1012 px, and two runs of 30 beside numbers such as 0.00007177 made it scroll sideways.
 */
export const NARROW_UNBROKEN = 20;
// What cell() writes that must stay whole: an entity (`&amp;`), a backslash escape (`\*`), a space, and else
// one grapheme at a time (a letter with its accents, an emoji sequence).
const ESCAPED_UNIT =
  /&(?:[A-Za-z][A-Za-z0-9]{0,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});|\\[^]|\s|[^&\\\s]+|[&\\]/gu;
const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * A cell's escaped text (cell()) with a zero-width space, a place to wrap, in every run of more than
 * LONGEST_UNBROKEN visible characters: a long name without spaces (a check named by a 200-character slug)
 * otherwise widens its column past GitHub's, and the table scrolls sideways. For names shown, not for values
 * a reader copies (a SHA, a digest): those keep their characters.
 */
export function wrappable(escaped: string, longest = LONGEST_UNBROKEN): string {
  let out = '';
  let run = 0;
  let previous = '';
  for (const [unit] of escaped.matchAll(ESCAPED_UNIT)) {
    if (/^\s$/u.test(unit)) {
      run = 0;
      out += unit;
      previous = unit;
      continue;
    }
    const pieces =
      unit.length > 1 && !/^[&\\]/.test(unit) ? [...GRAPHEMES.segment(unit)].map((g) => g.segment) : [unit];
    for (const piece of pieces) {
      // Zero-width characters cell() keeps (a joiner that breaks a mention) take no room.
      // A browser wraps after a hyphen that a letter follows (not a digit): the run starts again there, and
      // seeds.error-rate-critical keeps its words.
      if (previous === '-' && /^\p{L}/u.test(piece)) run = 0;
      if (!/^[\u200B-\u200D]$/.test(piece) && run++ === longest) {
        out += '\u200B';
        run = 1;
      }
      out += piece;
      previous = piece;
    }
  }
  return out;
}

/**
 * A link target: http(s) only, with nothing that could end the Markdown link early; undefined for anything
 * else (javascript:, a relative path, text that is no URL).
 */
export function linkTarget(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    // The URL as given (not re-serialised), with what could end the link or the line percent-encoded.
    return url.replace(/[()\s<>\\`\p{Cc}\p{Cf}]/gu, (c) =>
      c === '(' ? '%28' : c === ')' ? '%29' : encodeURIComponent(c),
    );
  } catch {
    return undefined;
  }
}

/**
 * A value as inert Markdown, cut to `max` characters first (500 unless said): a huge reason or name is cut,
 * never what comes after it.
 */
export function say(text: string | undefined | null, max = 500): string {
  return cell(truncate(text ?? '', max));
}

/**
 * A GFM table. A cell is Markdown already escaped (cell(), code()); a pipe left in one (a code span's, which
 * no backslash can escape from inside) still ends the cell in GFM, so it is written `\|`, which GFM reads as
 * a pipe in the cell, code spans included.
 */
export function table(header: string[], rows: Array<Array<string | number | undefined>>): string {
  const pipes = (c: string | number | undefined) => String(c ?? '').replace(/(?<!\\)((?:\\\\)*)\|/g, '$1\\|');
  const line = (cells: Array<string | number | undefined>) => `| ${cells.map(pipes).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Inline code that survives backticks in the text, on one line: controls become spaces and invisible
 * characters (bidi overrides, zero-width) go, as they would reorder or hide what the span shows.
 */
export function code(text: string): string {
  const clean = oneLine(text);
  // The fence must be longer than any backtick run inside, or that run would close the span early.
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = longestRun > 0 ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Never cut an emoji (a surrogate pair) in half: a lone surrogate is invalid text to GitHub.
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--;
  return `${text.slice(0, end)}…`;
}

/** `text` within `maxBytes` of UTF-8 (where GitHub counts bytes), cut on a whole character with `…`. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // A character cut in half decodes as U+FFFD at the end: it goes.
  const kept = Buffer.from(text)
    .subarray(0, Math.max(0, maxBytes - 3))
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${kept}…`;
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
  waiting: '⏳',
  skipped: '➖',
};
