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

// Markdown (and Adaptive Card markdown) punctuation that formats, links or quotes within a line.
const MARKDOWN = /[\\`*_{}[\]()#+!|~<>-]/g;

/** Teams TextBlock / FactSet markdown: every formatting character backslash-escaped; lines kept whole. */
export function teamsEscape(value: string): string {
  return oneLine(value).replace(MARKDOWN, (c) => `\\${c}`);
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
