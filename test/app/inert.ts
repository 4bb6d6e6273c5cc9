// What the App writes after hostile input, checked for anything that escaped plain text: the Markdown GitHub
// renders (comments, check-run output), and the records it keeps in git (tag messages) and other fields
// GitHub shows (deployment descriptions, check-run names, external ids). Shared by the hostile-input tests.
import assert from 'node:assert/strict';
import { marked } from 'marked';
import type { RecordedRequest } from '../fake-github/index.ts';
import { helpText } from '../../app/commands/help.ts';
import { COMMAND_NAMES, usage } from '../../app/commands/parse.ts';
import { statusCommentEnvironment, statusMarker } from '../../src/github/status-comment.ts';

// The app's own marker lines (the tests that read them back check their MACs; the answer to a misplaced command
// is tagged with what it answers), its tags and code spans.
export const OWN_MARKER_LINE =
  /^<!-- deploy-action(?::(?:status environment="[A-Za-z0-9._-]+"|data [A-Za-z0-9+/=]+|[a-z]+ \{[^\r\n]*\} mac=[0-9a-f]{64})|-misplaced-command (?:review|diff):\d+) -->$/;
// The app's own code spans: the usage of every command, and values userText shows as plain names.
const OWN_CODE = [...COMMAND_NAMES.map((name) => `\`${usage(name)}\``), '`to <sha>`'];
const PLAIN_CODE_SPAN = /`[A-Za-z0-9._/=:+-]+…?`/g;
const OWN_TAGS = ['<details><summary>How to write commands</summary>', '</details>', '<sub>', '</sub>'];
export const INVISIBLE =
  /[\u061C\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

/** The logins and teams a body notifies, in order. */
export const mentionsIn = (body: string): string[] =>
  [...body.matchAll(/(?<![\w`\\])@([A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9._-]+)?)/g)].map((m) => m[1]!);

/** Asserts that `body`, written by the app after a hostile comment, holds nothing hostile raw. */
export function assertInert(mayMention: ReadonlySet<string>, body: string, where: string): void {
  const at = `${where}\n--- body ---\n${body.slice(0, 3000)}`;
  assert.ok(body.length < 65_536, `a body GitHub would refuse: ${at}`);
  assert.doesNotMatch(body, /A(@\u200Dx&lt;){200}/, `a 100 KB value echoed whole: ${at}`);
  // Only where the app puts its markers: the trailing block, and a status comment's first line.
  const lines = body.split('\n');
  while (lines.length && OWN_MARKER_LINE.test(lines.at(-1)!)) lines.pop();
  // A status comment's first line names any deployment's environment (a free string on GitHub), `<` and `>`
  // escaped: the line is the App's own when it is exactly what statusMarker writes for the name it holds.
  const environment = statusCommentEnvironment(lines[0] ?? '');
  if (environment !== undefined && lines[0] === statusMarker(environment)) lines.shift();
  let text = lines.join('\n');
  for (const own of [helpText(), ...OWN_TAGS, ...OWN_CODE]) text = text.split(own).join('');
  text = text.replace(PLAIN_CODE_SPAN, '`code`');
  assert.doesNotMatch(text, /<!--|-->/, `an HTML comment: ${at}`);
  assert.doesNotMatch(text, /<[A-Za-z/!?]/, `an HTML tag: ${at}`);
  assert.doesNotMatch(
    text,
    /(?<!\\)\]\(|!\[(?!\\)|(?<!\\)\[(click|pixel)/,
    `a Markdown link or image: ${at}`,
  );
  for (const name of mentionsIn(text)) assert.ok(mayMention.has(name), `a mention of @${name}: ${at}`);
  assert.doesNotMatch(text, /(?<!PR )#\d|\bGH-\d|\w#\d/i, `an issue reference: ${at}`);
  assert.doesNotMatch(text, /https?:\/\/evil|www\.evil|x@evil/, `an autolink: ${at}`);
  assert.doesNotMatch(text, /javascript:/i, `a javascript: URL: ${at}`);
  // An emoji shortcode from the input (times such as 10:30:00 are digits, never a shortcode).
  assert.doesNotMatch(text, /:(?:rocket|\+1|shipit):/, `an emoji shortcode: ${at}`);
  // An HTML entity GitHub would decode: only the app's own escapes (&amp; &lt; &gt;) are written.
  assert.doesNotMatch(text, /&(?!(?:amp|lt|gt);)#?[A-Za-z0-9]+;/, `an HTML entity from the input: ${at}`);
  // A block the input starts where a value begins a line (a status comment quotes a description: `> …`).
  assert.doesNotMatch(
    text,
    /^ {0,3}(?:> ?)*(?:#{1,6}\s+(?:Heading|h3)|[-+*]\s+item|\d{1,9}[.)]\s+item|=+\s+x|>\s*quoted)/m,
    `a heading, list item, rule or quote from the input: ${at}`,
  );
  assert.doesNotMatch(text, INVISIBLE, `an invisible or bidirectional character: ${at}`);
  // The app's own zero-width joiners follow @ and #, precede `:` and `-`, and split `www.`.
  for (const m of text.matchAll(/\u200D/g)) {
    const before = text.slice(Math.max(0, m.index - 3), m.index);
    const after = text.charAt(m.index + 1);
    // Or inside a run of hex digits, after every sixth: a commit reference broken.
    const hex = /^[0-9a-f]{6}$/.test(text.slice(Math.max(0, m.index - 6), m.index));
    assert.ok(/[@#]$|www$/i.test(before) || after === ':' || after === '-' || hex, `a stray U+200D: ${at}`);
  }
  assert.doesNotMatch(text, /[\p{Cc}\u2028\u2029](?<!\n)/u, `a control character or line separator: ${at}`);
  assert.doesNotMatch(text, /(?<!\\)\*\*bold|(?<!\\)~~gone|(?<!\\)_em(?<!\\)_|(?<!\\)\$x/, `emphasis: ${at}`);
  assert.doesNotMatch(text, /^\|/m, `a table row from the input: ${at}`);
  assert.doesNotMatch(text, /\$\(id\)|(?<!\\)`id`/, `shell text unescaped: ${at}`);
  // A fence opened by a value would swallow the rest of the body, the marker block included.
  assert.doesNotMatch(text, /^ {0,3}(?:`{3,}|~{3,})/m, `a code fence from the input: ${at}`);
  assertRendersInert(body, at);
}

/**
 * Elements GFM makes that no reply of the App's own holds (its headings are h3 and h4, its lists unordered, its
 * emphasis bold): from a reply, only a value could have made one.
 */
const FOREIGN_ELEMENTS = /<(?:img|del|em|s|h[1256]|hr|ol|input|iframe|script|style)\b/;
/** The App links only to GitHub: its runs and comments (the fake GitHub's address in these tests). */
const OWN_LINK = /^(?:https:\/\/github\.com\/|http:\/\/(?:127\.0\.0\.1|localhost)[:/])/;

/**
 * A second opinion on `body`: rendered by a GFM renderer (marked), as GitHub would, it holds no element a
 * value could have made and links nowhere but GitHub. The checks above read the Markdown; this reads what
 * it becomes, so an escape that Markdown undoes in some context (a value after `**`, in a quote) is caught.
 */
function assertRendersInert(body: string, at: string): void {
  const text = body
    .split('\n')
    .filter((line) => !OWN_MARKER_LINE.test(line))
    .join('\n');
  const html = marked.parse(text, { gfm: true, async: false }) as string;
  assert.doesNotMatch(
    html,
    FOREIGN_ELEMENTS,
    `rendered, an element from the input: ${at}\n--- html ---\n${html}`,
  );
  for (const [, href] of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g))
    assert.match(href!, OWN_LINK, `rendered, a link from the input: ${at}`);
}

/** Everything the app wrote that GitHub renders as Markdown: comment bodies and check-run output. */
export function renderedWrites(requests: readonly RecordedRequest[]): string[] {
  const out: string[] = [];
  for (const r of requests) {
    if (r.method === 'GET' || r.operationId === 'graphql' || r.status >= 300) continue;
    const body = (r.body ?? {}) as Record<string, unknown>;
    if (typeof body.body === 'string') out.push(body.body);
    const output = body.output as Record<string, unknown> | undefined;
    if (output)
      for (const k of ['title', 'summary', 'text']) if (typeof output[k] === 'string') out.push(output[k]);
    if (typeof body.title === 'string') out.push(body.title);
    if (typeof body.comment === 'string') out.push(body.comment);
  }
  return out;
}

/**
 * Every other string the App wrote (a tag message, a deployment's description, a check run's name or
 * external_id, a ref), with where it was: `[operation.field, text]`. Not the rendered ones (renderedWrites),
 * not a deployment's payload: data for the deploy workflow, which shows each field escaped (src/report).
 */
export function otherWrites(requests: readonly RecordedRequest[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const rendered = new Set(['body', 'output', 'title', 'comment', 'payload']);
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') out.push([path, value]);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  for (const r of requests) {
    if (r.method === 'GET' || r.operationId === 'graphql' || r.status >= 300) continue;
    for (const [k, v] of Object.entries((r.body ?? {}) as Record<string, unknown>))
      if (!rendered.has(k)) walk(v, `${r.operationId ?? r.path}.${k}`);
  }
  return out;
}

/**
 * Asserts that `text`, a field GitHub shows as plain text or a git object the App reads back, holds nothing
 * of a hostile value raw: below its trailing marker lines (MAC'd, their JSON escaped), no `<` or `>` (an HTML
 * comment a reader might take for a marker), no invisible or control character but its own line breaks.
 */
export function assertRecordInert(text: string, where: string): void {
  const at = `${where}\n--- text ---\n${text.slice(0, 3000)}`;
  const lines = text.trimEnd().split('\n');
  while (lines.length && OWN_MARKER_LINE.test(lines.at(-1)!)) lines.pop();
  const rest = lines.join('\n');
  assert.doesNotMatch(rest, /[<>]/, `markup or a marker outside the marker block: ${at}`);
  assert.doesNotMatch(rest, INVISIBLE, `an invisible or bidirectional character: ${at}`);
  assert.doesNotMatch(rest, /[\p{Cc}\u2028\u2029](?<!\n)/u, `a control character or line separator: ${at}`);
}
