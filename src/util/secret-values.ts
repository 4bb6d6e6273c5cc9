// The forms a secret value the run knows (the token, the state key) can take in text: the runner masks a
// log line only where the value appears exactly as registered, so a multi-line secret printed over several
// lines, one URL-encoded into an address (`?key=a%2Bb`), or one with a quote or backslash written in JSON went
// through unmasked. Text made an inert line (plain-text.ts: `##[` broken by a zero-width space, invisible
// characters dropped) holds a secret as plain made it, so that form is one too. One import, plain-text.ts
// (node:util only): the Action's input reading (src/action/inputs.ts) uses this before anything else loads.
import { plain as inertLine } from './plain-text.ts';

/** Shorter values are not masked: they would mask ordinary words. */
export const MIN_SECRET_LENGTH = 8;

/**
 * `secret` and the forms it may be written in: each of its lines (a PEM key, a pasted heredoc), and each of
 * those URL-encoded, as a query parameter or a URL's user information would carry it, or escaped as a JSON
 * string, or made an inert line (plain). Only forms of at least MIN_SECRET_LENGTH characters.
 */
export function secretForms(secret: string): string[] {
  const lines = secret.split(/\r\n|\r|\n/).map((line) => line.trim());
  const plain = [secret, secret.trim(), ...lines];
  const encoded = plain.flatMap((value) => [encodeURIComponent(value), encodeURI(value)]);
  // As a JSON string carries it (a `--json` event, a record, a webhook body): quotes, backslashes and line
  // breaks escaped, so a secret holding one of them is another text there.
  const escaped = plain.map((value) => JSON.stringify(value).slice(1, -1));
  // As a job-log or terminal line shows it when the text was made plain before it was masked (the CLI masks
  // what it writes, after its report made each text an inert line).
  const inert = plain.map(inertLine);
  return [...new Set([...plain, ...encoded, ...escaped, ...inert])].filter(
    (form) => form.length >= MIN_SECRET_LENGTH,
  );
}

/** Every form of each of `secrets`, longest first (a form that contains another is replaced whole). */
export function secretFormsOf(secrets: readonly (string | undefined)[]): string[] {
  const forms = secrets.flatMap((secret) => (secret ? secretForms(secret) : []));
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** The shortest start of a secret that a text cut off in the middle of it is masked for. */
const CUT_SECRET_MIN = 6;

/** What a text cut short ends with (truncate in report/markdown.ts, a command's last line cut at 200). */
const CUT_MARK = '…';

/**
 * Each of `secrets`, in any of its forms, replaced by `***` wherever it appears, and nothing else; a text
 * ending in the start of one (a field cut to its length), or holding the start of one followed by `…` (a
 * table's column or a command's line cut in the middle of it, with more text after), has that start masked
 * too.
 */
export function secretValueRedactor(secrets: readonly (string | undefined)[] = []): (text: string) => string {
  const list = secretFormsOf(secrets);
  return (text) =>
    maskCutSecret(
      maskCutBeforeMark(
        list.reduce((t, secret) => maskEvery(t, secret), text),
        list,
      ),
      list,
    );
}

const MASK = '***';

/**
 * `text` with each `secret` in it replaced by the mask, each widened over any JSON escape it cuts in two: a
 * form can match from the middle of an escape (a secret beginning `t` after a tab written `\t`, one beginning
 * `00` inside `\u0009`) or end on its backslash (`\"`), and the `\***` or `***"` left behind made a `--json`
 * line, a record or a notification body invalid JSON. In plain text it hides at most one backslash more.
 */
function maskEvery(text: string, secret: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, from)) {
    const start = escapeStart(text, at);
    // From inside the escape the previous mask ended over: that mask is made to cover this one too.
    if (start >= from) out += text.slice(from, start) + MASK;
    from = escapeEnd(text, start, at + secret.length);
  }
  return out + text.slice(from);
}

/** Where a mask over `text` from `at` must start so it does not leave an escape's backslash before it. */
function escapeStart(text: string, at: number): number {
  const escape = /\\(?:u[0-9A-Fa-f]{0,3})?$/.exec(text.slice(Math.max(0, at - 5), at));
  if (!escape) return at;
  const backslash = at - escape[0].length;
  // An escaped backslash (`\\`) before it is no escape's start: an even run of backslashes before it is.
  return backslashesBefore(text, backslash) % 2 === 0 ? backslash : at;
}

/** Where a mask over `text` from `start` to `end` must end so it does not end on an escape's backslash. */
function escapeEnd(text: string, start: number, end: number): number {
  let run = 0;
  while (end - run - 1 >= start && text[end - run - 1] === '\\') run++;
  if (run % 2 === 0 || end >= text.length) return end;
  const unicode = /^u[0-9A-Fa-f]{0,4}/.exec(text.slice(end, end + 5));
  return end + (unicode ? unicode[0].length : 1);
}

function backslashesBefore(text: string, index: number): number {
  let count = 0;
  while (index - count - 1 >= 0 && text[index - count - 1] === '\\') count++;
  return count;
}

/**
 * `text` with the start of any of `secrets` masked where it was cut short and marked so (`…` after it): a
 * table's column, a command's last line cut at 200 characters, a message's value cut to its length.
 */
export function maskCutBeforeMark(text: string, secrets: readonly string[]): string {
  const parts = text.split(CUT_MARK);
  return parts.map((part, i) => (i < parts.length - 1 ? maskCutSecret(part, secrets) : part)).join(CUT_MARK);
}

/**
 * `text` with its end masked when it is the start of one of `secrets`: a field cut to its length (a record's
 * detail, 1,000 characters) can end in the middle of a secret, which the whole-value replacement misses.
 */
function maskCutSecret(text: string, secrets: readonly string[]): string {
  for (const secret of secrets)
    for (let k = secret.length - 1; k >= CUT_SECRET_MIN; k--)
      if (text.endsWith(secret.slice(0, k)))
        return `${text.slice(0, escapeStart(text, text.length - k))}${MASK}`;
  return text;
}

/**
 * A URL path's part that is words, not a token: lowercase letters joined by `/`, `-`, `_` or `.`, shorter than a
 * token (`notifications`, `integrations`, `/triggers/manual/run`). Masked, it would hide that word in every
 * output, a JSON key such as "environments" included. A query parameter's value is always a secret
 * (`?token=...`, `&sig=...`), whatever its letters.
 */
const WORDS = /^[a-z/._-]{1,23}$/;

/**
 * The parts of a webhook URL a command's output may quote without the rest (its host and path, its path, a
 * token segment, a signature parameter), each a secret too. Parts shorter than 12 characters (`services`,
 * `invoke`, `1.0`), and parts that are words (WORDS), are not: masking them would hide ordinary text.
 */
export function urlSecrets(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const path = `${url.pathname}${url.search}`;
  // The words rule is the path's: a path with no query (`/notifications`) is words too, never a secret.
  const pathParts = [`${url.host}${path}`, path, url.pathname, ...url.pathname.split('/')].filter(
    (part) => !WORDS.test(part),
  );
  const queryParts = [
    ...url.search
      .slice(1)
      .split('&')
      .flatMap((pair) => pair.split('=').slice(1)),
    ...[...url.searchParams.values()],
  ];
  return [...new Set([...pathParts, ...queryParts].filter((part) => part.length >= 12))];
}
