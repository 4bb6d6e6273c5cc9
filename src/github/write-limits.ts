// GitHub refuses a write over its limits (422): an issue comment longer than COMMENT_MAX_CHARS characters, a
// check run whose output.summary or output.text is longer than CHECK_TEXT_MAX_BYTES bytes of UTF-8 (GitHub's
// documentation says characters; its answer says "exceeds a maximum bytesize"). A refused write loses
// whatever it carries: the answer to a command, a signed record in its trailing markers, an approval's ledger
// check run. Values grow when shown (userText writes a typed `&` as `&amp;`; an emoji is four bytes), and
// some replies list what anyone who can push adds without bound (lock tags), so no sum of limits on the
// inputs keeps every write short enough: every comment and check run text the App writes is fitted here. The
// text is cut, never the markers.

/** GitHub refuses an issue comment longer than this (characters; a UTF-16 length never counts fewer). */
export const COMMENT_MAX_CHARS = 65_536;
/** GitHub refuses a check run's output.summary or output.text longer than this, in bytes of UTF-8. */
export const CHECK_TEXT_MAX_BYTES = 65_535;

/** What a cut text says where it stops. */
export const CUT_NOTE = '… (cut here: the whole text is longer than GitHub takes)';

const MARKER_LINE = '<!-- deploy-action:';

const chars = (text: string): number => text.length;
const bytes = (text: string): number => Buffer.byteLength(text);

/**
 * `text` within `max` UTF-16 units (never fewer than GitHub's characters), ending with `more` when cut, at a
 * safe end (safeEnd): for a short text GitHub takes whole, e.g. a protection rule review's comment.
 */
export function cutText(text: string, max: number, more = '…'): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeEnd(text, Math.max(0, max - more.length)))}${more}`;
}

/** An HTML entity as userText writes them (`&amp;`, `&lt;`) or as GitHub reads them (`&#38;`, `&#x26;`). */
const ENTITY = /^&(?:[A-Za-z][A-Za-z0-9]{0,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});/;

/**
 * The largest cut at or before `end` that is not inside a character (half a surrogate pair is invalid text
 * to GitHub) nor inside an escape (an entity `&amp;` cut to `&am` or a `\*` cut after its backslash shows
 * stray characters, and the backslash would escape whatever follows it).
 */
export function safeEnd(text: string, end: number): number {
  let cut = Math.min(Math.max(0, end), text.length);
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut--;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && cut - amp <= 40) {
    const entity = ENTITY.exec(text.slice(amp, amp + 41));
    if (entity && amp + entity[0].length > cut) cut = amp;
  }
  let backslashes = 0;
  while (backslashes < cut && text.charAt(cut - 1 - backslashes) === '\\') backslashes++;
  if (backslashes % 2 === 1) cut--;
  return cut;
}

// Both are made well-formed first: a lone surrogate (half an emoji, from a line some tool's output cut
// anywhere) is no character at all, and no UTF-8 text can hold it; it is written as U+FFFD instead.

/** A comment body within GitHub's limit (see fit). */
export function fitComment(body: string, max = COMMENT_MAX_CHARS): string {
  return fit(body.toWellFormed(), max, chars);
}

/** A check run's output.summary or output.text within GitHub's limit (see fit). */
export function fitCheckText(text: string, maxBytes = CHECK_TEXT_MAX_BYTES): string {
  return fit(text.toWellFormed(), maxBytes, bytes);
}

/**
 * `body` within `max` (as `size` counts): unchanged when it fits; else its text is cut (at a line's end when
 * one is near, never inside a character or an escape) and CUT_NOTE added as a paragraph of its own, then the trailing
 * marker lines (hidden-marker.ts) as they were. A prefix of inert text (userText) is inert: a cut code span
 * shows as plain characters; a code fence or <details> the cut left open is closed (closeBlocks), and
 * the blank line before the note ends any other block it was in.
 */
function fit(body: string, max: number, size: (text: string) => number): string {
  if (size(body) <= max) return body;
  const lines = body.trimEnd().split('\n');
  let start = lines.length;
  while (start > 0 && lines[start - 1]!.startsWith(MARKER_LINE)) start--;
  const markers = lines.slice(start).join('\n');
  const tail = `\n\n${CUT_NOTE}${markers ? `\n\n${markers}` : ''}`;
  const room = max - size(tail);
  // The markers alone do not fit: nothing can be cut without losing state, so GitHub says no to it whole.
  if (room <= 0) return body;
  const text = lines.slice(0, start).join('\n');
  // The longest prefix that fits (size grows with the prefix: a binary search).
  let low = 0;
  let high = Math.min(text.length, room);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(text.slice(0, mid)) <= room) low = mid;
    else high = mid - 1;
  }
  let end = low;
  // At a line's end when one is in the last quarter of what fits, so a line is rarely cut in two.
  const lineEnd = text.lastIndexOf('\n', end);
  if (lineEnd >= end * 0.75) end = lineEnd;
  // Never half a surrogate pair nor half an escape (safeEnd).
  end = safeEnd(text, end);
  // Closing what the cut left open takes a few more characters: cut further until they fit too.
  for (;;) {
    const kept = text.slice(0, end).trimEnd();
    const fitted = `${kept}${closeBlocks(kept)}${tail}`;
    if (size(fitted) <= max || end === 0) return fitted;
    end = safeEnd(text, end - (size(fitted) - max));
  }
}

/**
 * What closes the blocks a cut left open, so the note and the markers after it are not inside them: a code fence
 * (``` or ~~~ at a line's start) and <details>. Other Markdown blocks end at the blank line before the note.
 */
function closeBlocks(kept: string): string {
  let fence: string | undefined;
  for (const line of kept.split('\n')) {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (opener === undefined) continue;
    if (fence === undefined) fence = opener;
    else if (
      opener[0] === fence[0] &&
      opener.length >= fence.length &&
      !/\S/.test(line.trim().slice(opener.length))
    )
      fence = undefined;
  }
  const open = (kept.match(/<details[\s>]/gi) ?? []).length - (kept.match(/<\/details>/gi) ?? []).length;
  return `${fence === undefined ? '' : `\n${fence}`}${'\n</details>'.repeat(Math.max(0, open))}`;
}
