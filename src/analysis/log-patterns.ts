// Log analysis, the pure part (seed 01 phase 4, "no new error patterns"): which lines are errors, the
// signature that makes lines differing only in variable parts (times, numbers, ids, addresses, quoted values)
// one pattern, and the window's bookkeeping of which canary patterns the reference side (stable, the
// pre-deploy baseline) never showed. No I/O: providers/logs.ts runs the command and feeds the lines here.

import {
  compileLogRegex,
  DEFAULT_MATCH,
  MAX_LINE,
  MAX_MATCH_LINE,
  MAX_PATTERNS,
  MAX_REFERENCE_CHARS,
  MAX_REFERENCE_PATTERNS,
  MAX_SIGNATURE,
  type LogRegex,
} from './log-config.ts';

// Terminal colour and cursor sequences (CSI, OSC): a coloured "\x1b[31mERROR\x1b[0m" is "ERROR" with no word
// boundary before it, so the default match missed it, and the codes made patterns of their own.
const ANSI = /\x1b(?:\[[0-?]{0,64}[ -/]{0,16}[@-~]|\][^\x07\x1b]{0,1024}(?:\x07|\x1b\\)|[@-_])/g;

/**
 * The lines of a command's output, terminal sequences taken out; blank lines dropped. Whole: a regex sees
 * a line cut to MAX_MATCH_LINE characters (matchLine), the signature reads a JSON line whole (a logged stack
 * makes it long, and cut it no longer parses) and cuts the message it finds.
 */
export function logLines(text: string): string[] {
  const out: string[] = [];
  for (let raw of text.split(/\r?\n/)) {
    if (raw.includes('\x1b')) raw = raw.replace(ANSI, '');
    if (raw.trim() === '') continue;
    out.push(raw);
  }
  return out;
}

/** What a regex sees of a line: its first MAX_MATCH_LINE characters, a bound on a pathological line's work. */
export function matchLine(line: string): string {
  return line.length > MAX_MATCH_LINE ? line.slice(0, MAX_MATCH_LINE) : line;
}

export interface LineFilter {
  match: LogRegex;
  ignore: readonly LogRegex[];
}

/** The user's `match` and `ignore` compiled (log-config.ts compileLogRegex: linear-time, case-insensitive). */
export function lineFilter(match: string | undefined, ignore: readonly string[] | undefined): LineFilter {
  return {
    match: compileLogRegex(match ?? DEFAULT_MATCH),
    ignore: (ignore ?? []).map(compileLogRegex),
  };
}

/** Whether `match` finds the line (cut at MAX_MATCH_LINE) and no `ignore` pattern does (documented warnings). */
export function isErrorLine(whole: string, filter: LineFilter): boolean {
  const line = matchLine(whole);
  return filter.match.test(line) && !filter.ignore.some((re) => re.test(line));
}

/** The error lines of `lines`. */
export function errorLines(lines: readonly string[], filter: LineFilter): string[] {
  return lines.filter((line) => isErrorLine(line, filter));
}

/**
 * The message of a JSON log line (its msg/message, with its error; without them its keys and values), or
 * undefined for any other line.
 */
function jsonMessage(line: string): string | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const text_ = (key: string): string | undefined => {
    const v = Object.hasOwn(record, key) ? record[key] : undefined;
    if (typeof v === 'string') return v;
    // An error logged as an object (pino's err: {type, message, stack}): its type and message.
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const e = v as Record<string, unknown>;
      const parts = [e.type, e.name, e.message].filter((p): p is string => typeof p === 'string');
      return parts.length ? parts.join(': ') : undefined;
    }
    return undefined;
  };
  const message = text_('msg') ?? text_('message');
  const error = text_('error') ?? text_('err') ?? text_('exception');
  const parts = [message, error].filter((p): p is string => p !== undefined && p !== '');
  if (parts.length) return parts.join(': ');
  // No message key (Docker's {"log": …}, a logger of its own): its keys with their values, unquoted. Read as
  // text, every value is a quoted one (<str>), and every such line of the same keys was one pattern.
  const fields = Object.entries(record)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => `${k}=${String(v)}`);
  return fields.length ? fields.join(' ') : undefined;
}

/** A quoted (Go's %q, logfmt) or bare value as text: its escapes read as JSON's where they are JSON's. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}

const KV_VALUE = '("(?:[^"\\\\]|\\\\.){0,2000}"|[^\\s"]{1,2000})';
const LOGFMT_MESSAGE = new RegExp(`(?:^|\\s)(?:msg|message)=${KV_VALUE}`);
const LOGFMT_ERROR = new RegExp(`(?:^|\\s)(?:error|err)=${KV_VALUE}`);
// klog's structured lines (Kubernetes components, controllers): `E1206 02:04:05.123456 1 file.go:12] "msg" k="v"`.
const KLOG_MESSAGE = /^[IWEF]\d{4} [\d:.]{8,20}\s{1,20}\d{1,10} [^\s\]]{1,300}\] ("(?:[^"\\]|\\.){0,2000}")/;

/**
 * The message of a logfmt line (`level=error msg="…" err="…"`) or a structured klog line (its quoted message
 * and err), or undefined. Its quoted message is the message: read as a quoted value it would be `<str>`, and
 * every error a logger wrote this way would be one pattern.
 */
function keyValueMessage(line: string): string | undefined {
  const message = KLOG_MESSAGE.exec(line)?.[1] ?? LOGFMT_MESSAGE.exec(line)?.[1];
  if (message === undefined) return undefined;
  const error = LOGFMT_ERROR.exec(line)?.[1];
  const parts = [unquote(message), error === undefined ? '' : unquote(error)].filter((p) => p !== '');
  return parts.length ? parts.join(': ') : undefined;
}

/**
 * `text` with each "…" (backslash escapes inside) as <str>, in one pass. As a regex (`"(?:[^"\\]|\\.){0,400}"`)
 * a failed match is tried again at every later quote: 1.3 ms for one crafted 2 KB line of \" (20 s of the
 * main thread for a read's 32 MiB of them). Here a quote left open ends the scan: every quote after it was
 * escaped in its reading, and a reading begun at one of them runs in step with it, so it finds no close either.
 */
function doubleQuoted(text: string): string {
  if (!text.includes('"')) return text;
  let out = '';
  let from = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', from)) {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) break;
    out += `${text.slice(from, i)}<str>`;
    from = j + 1;
  }
  return out + text.slice(from);
}

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
// Each replaced by a word in <>: the same in every line, whatever the value was.
const VARIABLE_PARTS: ReadonlyArray<[RegExp | ((text: string) => string), string]> = [
  // kubectl logs --prefix: "[pod/web-7d9f8b6c5-x2k4p/app] ": which pod said it is no part of what it said.
  [/^\[pod\/[^\]\s]{1,300}\]\s*/, ''],
  // ISO 8601 / RFC 3339 and "2026-12-06 02:16:42,123" (Python's logging).
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  // Syslog's "Dec  6 02:16:42", common log format's "06/Dec/2026:02:16:42 +0000".
  [new RegExp(`\\b${MONTH} {1,2}\\d{1,2} \\d{2}:\\d{2}:\\d{2}\\b`, 'g'), '<time>'],
  [new RegExp(`\\b\\d{2}/${MONTH}/\\d{4}:\\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?`, 'g'), '<time>'],
  [/\b\d{4}-\d{2}-\d{2}\b/g, '<date>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // From the start of a run only (the lookbehind): tried at every dot of "a.a.a.…" it is 64 steps each.
  [/(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b/g, '<email>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '<ip>'],
  // IPv6 ("fe80::1ff:fe23:4567:890a", "2001:db8::2:1"): hex groups with "::" or at least three colons (a
  // time went above; "user:42" is neither).
  [/(?<![\w:])(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){3})(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{1,4}(?![\w:])/gi, '<ip>'],
  [/\b\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)\b/g, '<dur>'],
  // Quoted values: "..." and '...' (not an apostrophe in a word: "can't ... won't").
  [doubleQuoted, '<str>'],
  [/(?<![A-Za-z0-9])'[^'\n]{0,400}'(?![A-Za-z0-9])/g, '<str>'],
  // Ids: a word of 5 or more letters and digits mixed (0x7f3a9c, a1b2c3d4, a pod's x2k4p, req 8f3ab).
  [/(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{5,}(?![A-Za-z0-9])/g, '<id>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
];

/**
 * The pattern of an error line: its message (a JSON line's msg/message and error, a logfmt or klog line's
 * quoted message and err) with every variable part
 * replaced by a word in <>, spaces collapsed, cut to MAX_SIGNATURE characters. Lines that differ only in
 * when they were written, the ids, numbers, addresses and quoted values they carry are one signature.
 */
export function signature(line: string): string {
  // A logfmt or klog line's message is read from its head: its regexes are JavaScript's, bounded per try, and
  // tried at each "msg=" of the line.
  let text =
    jsonMessage(line) ?? keyValueMessage(line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line) ?? line;
  if (text.length > MAX_LINE) text = text.slice(0, MAX_LINE);
  for (const [pattern, word] of VARIABLE_PARTS)
    text = typeof pattern === 'function' ? pattern(text) : text.replace(pattern, word);
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_SIGNATURE ? text.slice(0, MAX_SIGNATURE) : text;
}

/** A canary pattern the reference never showed, with how often the window saw it. */
export interface NewPattern {
  signature: string;
  count: number;
}

/**
 * One window's bookkeeping. `reference`: every signature the reference side showed (stable in this window,
 * the pre-deploy baseline), up to MAX_REFERENCE_PATTERNS of them and MAX_REFERENCE_CHARS characters;
 * `referenceFull`: one was not kept for that; `canary`: each canary signature's count in the window so far;
 * `canaryFull`: a canary signature was not kept for MAX_PATTERNS; `held`: the canary's signatures seen in an
 * interval whose reference was not read (holdCanary).
 */
export interface PatternBook {
  minCount: number;
  reference: Set<string>;
  referenceChars: number;
  referenceFull: boolean;
  canary: Map<string, number>;
  canaryFull: boolean;
  held: Set<string>;
}

export function createPatternBook(minCount: number, reference: Iterable<string> = []): PatternBook {
  const book: PatternBook = {
    minCount,
    reference: new Set(),
    referenceChars: 0,
    referenceFull: false,
    canary: new Map(),
    canaryFull: false,
    held: new Set(),
  };
  addReference(book, reference);
  return book;
}

/** Adds the reference side's signatures; past the bounds a new one is not kept, and the book is full. */
export function addReference(book: PatternBook, signatures: Iterable<string>): void {
  for (const s of signatures) {
    if (book.reference.has(s)) continue;
    if (
      book.reference.size >= MAX_REFERENCE_PATTERNS ||
      book.referenceChars + s.length > MAX_REFERENCE_CHARS
    ) {
      book.referenceFull = true;
      continue;
    }
    book.reference.add(s);
    book.referenceChars += s.length;
  }
}

/**
 * Counts the canary's error lines' signatures (past MAX_PATTERNS distinct ones, a new one is not kept). One
 * the reference already showed is never new in this window (the reference only grows): not kept, so the
 * errors both versions log (an unknown user's name, a host) do not take the places of the ones only the
 * canary logs.
 */
export function addCanary(book: PatternBook, signatures: Iterable<string>): void {
  for (const s of signatures) {
    if (book.reference.has(s)) continue;
    const count = book.canary.get(s);
    if (count !== undefined) book.canary.set(s, count + 1);
    else if (book.canary.size < MAX_PATTERNS) book.canary.set(s, 1);
    else book.canaryFull = true;
  }
}

/**
 * Holds the canary's signatures of an interval whose stable lines could not be read: stable may have logged
 * them in it, and the window's reference will never know. Not judged new in this window, whatever stable
 * shows later (a pattern stable logged only in that interval read as new, and rolled back); the next window
 * judges them anew. Only those the book counts (addCanary first): the others are never judged anyway.
 */
export function holdCanary(book: PatternBook, signatures: Iterable<string>): void {
  for (const s of signatures) if (book.canary.has(s)) book.held.add(s);
}

/**
 * The canary's patterns seen at least minCount times in the window that the reference never showed (and not
 * held: holdCanary), most seen first. None once the reference is full: any of them may be one it showed and
 * could not keep, and a false "new pattern" rolls a healthy deploy back (the provider says so in a warning).
 */
export function newPatterns(book: PatternBook): NewPattern[] {
  return unseen(book, false);
}

/**
 * The canary's patterns that would be new but for holdCanary: seen at least minCount times, never shown by
 * the reference, first logged while stable could not be read. Said in a warning, so a pattern the hold
 * keeps from the count is not kept from the people watching (providers/logs.ts).
 */
export function heldPatterns(book: PatternBook): NewPattern[] {
  return unseen(book, true);
}

function unseen(book: PatternBook, held: boolean): NewPattern[] {
  if (book.referenceFull) return [];
  const out: NewPattern[] = [];
  for (const [s, count] of book.canary)
    if (count >= book.minCount && !book.reference.has(s) && book.held.has(s) === held)
      out.push({ signature: s, count });
  return out.sort((a, b) => b.count - a.count || (a.signature < b.signature ? -1 : 1));
}

/** Characters of a pattern shown to people. */
export const SHOWN_PATTERN = 160;
/** Patterns named in a reason. */
export const SHOWN_PATTERNS = 3;

/**
 * A pattern as text for a reason, a log and (escaped again by the report: report/markdown.ts) Markdown:
 * quoted, control and bidirectional characters written as escapes (a terminal sequence, a line break or a
 * reordering of the text around it is the app's output, never ours), cut to SHOWN_PATTERN characters.
 */
export function shownPattern(text: string): string {
  const chars = [...text];
  const cut = chars.length > SHOWN_PATTERN ? `${chars.slice(0, SHOWN_PATTERN - 1).join('')}…` : text;
  // C1 controls, line separators and every format character (bidirectional marks, zero-width spaces and
  // joiners, a byte order mark: \p{Cf}), which would otherwise hide in, or reorder, what a person reads.
  return JSON.stringify(cut).replace(
    /[\u007f-\u009f\u2028\u2029\p{Cf}]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

/** "2 new error patterns: "…" (x5), "…" (x3)": what a reason says of them (the first SHOWN_PATTERNS). */
export function describePatterns(patterns: readonly NewPattern[], what = 'new error pattern'): string {
  const shown = patterns
    .slice(0, SHOWN_PATTERNS)
    .map((p) => `${shownPattern(p.signature)} (x${p.count})`)
    .join(', ');
  const more = patterns.length > SHOWN_PATTERNS ? `, ${patterns.length - SHOWN_PATTERNS} more` : '';
  return `${patterns.length} ${what}${patterns.length === 1 ? '' : 's'}: ${shown}${more}`;
}
