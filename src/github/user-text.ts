// The one way a value that someone other than the app chose (a reason, a parameter, an environment or ref
// name, a version, a login, a title, an error that quotes input) enters a comment, check run or review the
// app writes. Whatever the value holds, the result is one line of inert text: no HTML comment or tag, no
// Markdown link, image, code span or fence, no emphasis, no table cell break, no @-mention or #-reference,
// no autolink. So no value can forge a hidden marker, hide text, or notify anyone.
import { textOf } from '../util/text-of.ts';

export interface UserTextOptions {
  /**
   * text (default): escaped inline text. code: an inline code span when the value is a plain name
   * (letters, digits and `. _ / = : + -`), else escaped text. mention: `@login` (or `@org/team`) when the
   * value is one (the person is meant to be notified), else escaped text. command: one code span when the value
   * is a command to write (`/approve-deploy production`: a slash command, then plain names one space apart),
   * else escaped text.
   */
  as?: 'text' | 'code' | 'command' | 'mention';
  /** Longest value shown, in characters; longer ones are cut with `…`. */
  max?: number;
}

const PLAIN_NAME = /^[A-Za-z0-9._/=:+-]+$/;
const COMMAND = /^\/[a-z][a-z-]*(?: [A-Za-z0-9._/=:+-]+)*$/;
// A GitHub login: letters, digits and single inner hyphens, at most 39 characters.
const LOGIN = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}';
/** A GitHub login, and nothing else (no org/team). */
export const GITHUB_LOGIN = new RegExp(`^${LOGIN}$`);
// A GitHub login, or a team as org/team-slug (the policy names both; both are meant to be notified).
const MENTIONABLE = new RegExp(`^${LOGIN}(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?$`);
// Line breaks, tabs and other controls end a line or a table row: they become spaces.
const CONTROLS = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;
// Invisible format characters: bidirectional overrides and isolates reorder what is shown, zero-width
// characters and tag characters hide text or split a word, so text could read differently from what it is.
const INVISIBLE = /\p{Cf}/gu;
// Every ASCII punctuation mark Markdown (or GitHub's extensions: tables, strikethrough, math) gives a meaning
// within a line; CommonMark shows a backslash-escaped one as the plain character.
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#!|~$]/g;
// What starts a block only at the start of a line, where a value sometimes is (`> ${description}`, `- ${message}`):
// a list item (`-`, `+`, `1.`), a rule (`---`) or a heading's underline (`===`).
const LINE_START = /^(\s*)(?:([-+=])(?=\s|$|\2)|(\d{1,9})\.(?=\s|$))/;
// A run of 7 to 40 lowercase hex digits at the start of the text, after a space, `(`, `[`, `{` or `..`, is a
// commit reference GitHub links when the repository has such a commit (`1a2b3c4`, `v1...1a2b3c4`; with `@`
// before it, the `@` already breaks it): a zero-width joiner after every sixth digit leaves no run long enough.
const HEX_RUN = /(?<=^|[\s([{]|\.\.)[0-9a-f]{7,}(?![\w])/g;
/**
 * Zero-width joiner, invisible: after `@` (before the name it would start: a lone `@`, as in "canary @ 25%",
 * is left alone) it breaks mentions and e-mail autolinks, after `#` issue
 * references, before `:` URL autolinks (`https://`, `mailto:`), between `www` and `.` the `www.` autolinks,
 * inside a run of hex digits commit autolinks.
 * GitHub finds these in the rendered text, where a backslash escape no longer exists. Before `-` it breaks
 * the `GH-123` form of an issue reference.
 */
const ZWJ = '\u200D';

/** The text cut to `max` characters (whole code points), with `…` when something was cut off. */
function cut(text: string, max: number): { kept: string; more: string } {
  const chars = [...text];
  return chars.length > max
    ? { kept: chars.slice(0, Math.max(0, max - 1)).join(''), more: '…' }
    : { kept: text, more: '' };
}

export function userText(value: unknown, options: UserTextOptions = {}): string {
  // textOf: a value read from JSON may be a mapping whose toString is a key, which String() cannot show.
  const raw = value === undefined || value === null ? '' : textOf(value);
  const { kept, more } = cut(oneLine(raw).trim(), options.max ?? 500);
  if (options.as === 'code' && PLAIN_NAME.test(kept)) return `\`${kept}${more}\``;
  if (options.as === 'command' && !more && COMMAND.test(kept)) return `\`${kept}\``;
  // Only a value that is a login as given is one: removing invisible characters must not make one.
  if (options.as === 'mention' && !more && MENTIONABLE.test(kept) && kept === raw) return `@${kept}`;
  return inertMarkdown(`${kept}${more}`);
}

/** Line breaks and controls as spaces, invisible format characters removed: what is shown is what it is. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, ' ').replace(INVISIBLE, '');
}

/**
 * Text as inert Markdown inline text, whole (nothing cut or trimmed): the escaping of userText, for any
 * Markdown GitHub renders (comments, check runs, the job summary, the record, a table cell).
 */
export function inertMarkdown(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
    .replace(/[@#](?=[\p{L}\p{N}_])/gu, (c) => `${c}${ZWJ}`)
    .replace(/:/g, `${ZWJ}:`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${ZWJ}-`)
    .replace(/(www)\./gi, `$1${ZWJ}.`)
    .replace(HEX_RUN, (run) => run.replace(/(.{6})(?=.)/g, `$1${ZWJ}`))
    .replace(LINE_START, (_, space: string, mark?: string, digits?: string) =>
      mark ? `${space}\\${mark}` : `${space}${digits}\\.`,
    );
}
