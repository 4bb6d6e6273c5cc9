// Per-channel escaping of values, and cutting text to a channel's limit without breaking an escape. Pure.
// A value stays on its line (a line of its own could pass for one of the message's, or start a quote) and
// shows what it is (bidi overrides reorder it, zero-width characters hide or split text): oneLine.
import { oneLine } from '../github/user-text.ts';

/**
 * Slack has no escape for its formatting characters: `*bold*`, `_italic_`, `~strike~` and `code` spans
 * format whatever a value holds. They become look-alikes (an underscore only where it could open or close
 * italics: inside a word, as in prod_eu, it formats nothing and stays).
 */
const SLACK_FORMAT: Record<string, string> = { '*': '\u2217', '~': '\u223C', '`': '\u02CB', _: '\uFF3F' };

/**
 * A value in Slack mrkdwn (and in a plain_text header, where Slack decodes the entities too): &, < and >
 * escaped (a `<!channel>` or `<url|text>` needs them), formatting characters as look-alikes, controls as
 * spaces (`lines`: line breaks kept, for text whose lines the product made), invisible characters removed.
 */
export function slackEscape(value: string, options: { lines?: boolean } = {}): string {
  return (
    options.lines
      ? value
          .split(/\r\n|\r|\n/)
          .map(oneLine)
          .join('\n')
      : oneLine(value)
  )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*~`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (c) => SLACK_FORMAT[c]!);
}

/** Inside a Slack link `<url|label>`: the URL must not end the link or start the label. */
export function slackUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/[|<> ]/g, (c) => encodeURIComponent(c));
}

// Markdown (and Adaptive Card markdown) punctuation that formats, links or quotes within a line, and `&`,
// which would start an entity (`&lt;` shown as `<`).
const MARKDOWN = /[\\`*_{}[\]()#+!|~<>&-]/g;
/**
 * Zero-width joiner, invisible: Teams makes links of bare URLs, `www.` names and e-mail addresses in a
 * TextBlock, and a backslash escape does not stop that. Before `:` (`https://`, `mailto:`), between `www` and
 * `.`, after `@`, as user-text's inertMarkdown does for GitHub.
 */
const ZWJ = '\u200D';

/**
 * Teams TextBlock / FactSet markdown: every formatting character backslash-escaped, no autolink, no list
 * (`1. ` at the start of a line); lines kept whole.
 */
export function teamsEscape(value: string): string {
  return oneLine(value)
    .replace(MARKDOWN, (c) => `\\${c}`)
    .replace(/(?<=\d)\.(?=\s|$)/g, '\\.')
    .replace(/:/g, `${ZWJ}:`)
    .replace(/(www)\./gi, `$1${ZWJ}.`)
    .replace(/@(?=[\p{L}\p{N}_])/gu, `@${ZWJ}`);
}

/**
 * A link's URL for Teams (an Action.OpenUrl, a link in a TextBlock): the http(s) URL as the WHATWG parser
 * reads it, so every client goes to the same place (a backslash is a `/`; `"`, `<`, `>` and invisible
 * characters are percent-encoded), and `(` `)` encoded, so it cannot end a Markdown link early. Undefined when it is not
 * an http(s) URL.
 */
export function teamsUrl(value: string | undefined): string | undefined {
  if (!isHttpUrl(value)) return undefined;
  let href: string;
  try {
    href = new URL(value).href;
  } catch {
    return undefined;
  }
  return href.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** A value inside a URL the template author wrote (`https://shop.example/{{version}}`): one encoded part. */
export function urlPart(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export const identity = (value: string): string => value;

/** Cuts to at most `max` UTF-16 units with `…`, never inside a code point or an escape made above. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  // A Slack entity cut short (&am), or a Teams backslash left escaping the ellipsis.
  kept = kept.replace(/&[a-z]{0,3}$/, '');
  const backslashes = /\\+$/.exec(kept)?.[0].length ?? 0;
  if (backslashes % 2 === 1) kept = kept.slice(0, -1);
  return `${kept}…`;
}

/** Links are shown only when they are http(s) URLs (never javascript:, data: or a relative path). */
export function isHttpUrl(value: string | undefined): value is string {
  return value !== undefined && /^https?:\/\/[^\s]+$/i.test(value);
}
