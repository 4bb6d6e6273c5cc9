// Per-channel escaping of values, and cutting text to a channel's limit without breaking an escape. Pure.

// Bidirectional overrides reorder what is shown, so a value could read differently from what it is.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Slack mrkdwn: &, < and > are the only control characters (a `<!channel>` or `<url|text>` needs them). */
export function slackEscape(value: string): string {
  return value.replace(BIDI, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inside a Slack link `<url|label>`: the URL must not end the link or start the label. */
export function slackUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/[|<> ]/g, (c) => encodeURIComponent(c));
}

// Markdown (and Adaptive Card markdown) punctuation that formats, links or quotes within a line.
const MARKDOWN = /[\\`*_{}[\]()#+!|~<>-]/g;

/** Teams TextBlock / FactSet markdown: every formatting character backslash-escaped; lines kept whole. */
export function teamsEscape(value: string): string {
  return value
    .replace(BIDI, '')
    .replace(/\r\n?|\n/g, ' ')
    .replace(MARKDOWN, (c) => `\\${c}`);
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
