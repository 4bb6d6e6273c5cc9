// A value that is pattern syntax, not data: a regex that matches secrets (`/^x-amz-security-token$/i`,
// `"^sk_live_.+$"`, `/^-----BEGIN.*PRIVATE.KEY-----$/m`) in a README's code block, a scanner's config, a
// test. A pattern's literal text reads as words (`sk_live_`, `x-amz-security-token`); a secret's is random
// (`q7Zt9wLk…`), so a random value stays a secret whatever syntax surrounds it.
import type { MatchContext, ScanOptions } from './secret-rules.ts';

/** A regex literal up to its flags and not followed by a word; `body` is what the slashes hold. */
const REGEX_LITERAL = /^\/(?![*/])(?<body>(?:[^/\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+)\/[dgimsuvy]*(?![\w$])/;

/**
 * Regex syntax that neither a key nor a password holds: both anchors, a quantified wildcard (`.*`, `.+`,
 * `.{40}`), an escape class (`\s`, `\w`), a class that opens with a range (`[A-Za-z0-9]`), a counted quantifier, a
 * group with `?` (non-capturing, lookaround, named) or inline flags (`(?i)`).
 */
const REGEX_SIGNAL =
  /^\^.*\$$|\.[*+?{]|\\[dDwWsSbB]|\[\^?\w-\w|[\w\])]\{\d+(?:,\d*)?\}|\(\?(?:[:=!]|<[=!]|<\w+>|[imsx]+\))/;

/** Regex syntax between a pattern's literal runs (`.` included: as a wildcard or escaped, it parts words). */
const REGEX_SYNTAX =
  /\\[A-Za-z]|\[(?:\\.|[^\]\\])*\]|\(\?(?:[:=!]|<[=!]|<\w+>|[imsx]+\))?|\{\d+(?:,\d*)?\}|[()|^$*+?.\\]/g;

/**
 * Literal text that reads as words: words in one case (or capitalised) with at most two digits, or short
 * numbers, between separators (`x-amz-security-token`, `sk_live_`, `-----BEGIN`, `secret_key_v1_`). No two
 * words without a separator between them: `q7Zt9wLk` is not words.
 */
const WORD = String.raw`(?:(?:[A-Z]?[a-z]+|[A-Z]+)\d{0,2}|\d{1,4})`;
const SEPARATOR = String.raw`[-_=&:/~@ ,;]`;
const WORDS = new RegExp(`^${SEPARATOR}*(?:${WORD}${SEPARATOR}+)*(?:${WORD})?${SEPARATOR}*$`);

/** Whether every literal run of a pattern, between its regex syntax, reads as words. */
function literalIsWords(pattern: string): boolean {
  return pattern.split(REGEX_SYNTAX).every((run) => WORDS.test(run));
}

/**
 * The value's text with what follows it up to its end: the closing quote of a quoted value, white space
 * for a bare one. The rule's value stops at the first character a secret does not hold (`[`, `(`, `{`,
 * `\`), which in a pattern is syntax.
 */
function wholeValue(value: string, context: MatchContext): string {
  const end = context.quoted ? /["'`]/.exec(context.rest) : /\s/.exec(context.rest);
  return value + (end ? context.rest.slice(0, end.index) : context.rest);
}

/**
 * Whether a matched value is pattern syntax. An unquoted regex literal (`/…/flags`) is a pattern in a file
 * whose language has regex literals whatever it holds (`options.regexLiterals`); elsewhere slashes may be
 * data (a base64 key starts and ends with one), so it is a pattern when its body reads as words. Any other
 * value, quoted or not, in any file, is a pattern when it holds regex syntax and its literal text reads as
 * words (`"^sk_live_.+$"`, `^Bearer-.+-token$`).
 */
export function isPatternSyntax(value: string, options: ScanOptions, context: MatchContext): boolean {
  if (!context.quoted && value.startsWith('/')) {
    const literal = REGEX_LITERAL.exec(value + context.rest);
    if (literal) return options.regexLiterals === true || literalIsWords(literal.groups!.body!);
  }
  const text = wholeValue(value, context);
  return REGEX_SIGNAL.test(text) && literalIsWords(text);
}
