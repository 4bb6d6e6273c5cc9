// How a value from a config or an input is shown in a message: on one line, escaped, cut short and with
// anything shaped like a credential masked. No imports, so suggest.ts and errors.ts can both use it.

/**
 * One line, whatever the config contained: control characters (a key with a newline, an escape sequence)
 * are written as escapes, so a message can neither break the output into lines nor drive the terminal;
 * so are format characters (bidi overrides, zero-width spaces and joiners, a byte order mark), which make
 * text read other than it is.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/gu, (c) => {
    if (c.length > 1) return `\\u{${c.codePointAt(0)!.toString(16)}}`;
    // JSON escapes C0 controls only: DEL, C1 (U+009B starts a terminal sequence) and the line separators
    // come out of JSON.stringify as they went in.
    const json = JSON.stringify(c).slice(1, -1);
    return json !== c ? json : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * Values shaped like credentials, in what an error echoes from the config (a token pasted into the wrong
 * field, a URL with a password): each becomes its first characters and "…[masked]", so an error message
 * or a log never carries one. Loading a config does not load the gates' scanner (src/gates/secret-rules.ts,
 * 28 KB of rules compiled when loaded): these are the common formats it knows.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}/g,
  /\bAIza[\w-]{35}/g,
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[^"]*/g,
  /(?<=hooks\.slack\.com\/services\/)[\w/]+/g,
];
/**
 * Whether `value` is, as a whole, a credential of a known shape (SECRET_PATTERNS) or a long hex key (an HMAC
 * secret, an API key): for a field that must hold a variable's NAME, where such a value is the secret itself.
 * Not the entropy rule: a long mixed-case name (MySlackToken2024ForTheOpsChannel) is a name.
 */
export function isCredentialShaped(value: string): boolean {
  if (/^[0-9a-f]{32,}$/i.test(value) && /\d/.test(value) && /[a-f]/i.test(value)) return true;
  return SECRET_PATTERNS.some((pattern) => {
    pattern.lastIndex = 0;
    const match = pattern.exec(value);
    return match !== null && match.index === 0;
  });
}

/** The password of a URL's user information (`https://user:password@host`). */
const URL_PASSWORD = /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*:)[^\s/@"]+(?=@)/gi;
/**
 * A long token with the spread of characters a random key has: upper and lower case letters and digits
 * (so long names such as "payments-api-production-eu-west-1" stay as written).
 */
const HIGH_ENTROPY = /[A-Za-z0-9+/_=-]{32,}/g;
const looksRandom = (token: string) =>
  /[0-9]/.test(token) && /[a-z]/.test(token) && /[A-Z]/.test(token) && entropy(token) >= 4 && !isPath(token);
/**
 * A file path the class above also matches (`tmp.Nzut9LwLA2/test/helpers/record-target`, a mktemp directory
 * in a command's argv): two or more of its segments are plain words. A base64 key has a '/' about every 64
 * characters, so two word segments between them practically never happen in one.
 */
const isPath = (token: string) =>
  token.split('/').filter((segment) => /^[a-z]{3,}(?:[-_.][a-z0-9]+)*$/.test(segment)).length >= 2;

function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / value.length) * Math.log2(count / value.length);
  return bits;
}

const masked = (secret: string) => `${secret.slice(0, 4)}…[masked]`;

export function maskSecrets(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) result = result.replace(pattern, masked);
  result = result.replace(URL_PASSWORD, '…[masked]');
  return result.replace(HIGH_ENTROPY, (token) => (looksRandom(token) ? masked(token) : token));
}

/** Longest value a config error quotes whole. */
const SHOWN_MAX = 80;

/**
 * Quoted values in a finished message cut to 80 characters: messages written outside this module (the
 * gates', the policy's) quote what the config says in full, and a value of 3,000 characters made a line
 * of 3,000. Applied to every config error (load.ts), after masking.
 */
export function shortenQuoted(text: string): string {
  // Each quoted string matched whole, left to right, so the text between two of them is never taken for one.
  return text.replace(/"((?:[^"\\]|\\.)*)"/g, (whole, inner: string) =>
    inner.length > SHOWN_MAX ? `"${inner.slice(0, SHOWN_MAX - 3).replace(/\\[^"]{0,5}$/, '')}..."` : whole,
  );
}

/**
 * Longest key a config error's path shows whole: GitHub's longest environment name, so a name a config may
 * hold is never cut; a longer key is quoted and cut as a value is.
 */
export const PATH_KEY_MAX = 255;

/** Longest run without a space a config error's message keeps: a path of several keys, a URL. */
const RUN_MAX = 200;

/**
 * What is still long in a finished message once its quoted values are cut (shortenQuoted): a run of more
 * than RUN_MAX characters without a space, such as a {{name}} of 3,000 characters or a key the YAML
 * library's own message echoes, cut to its start and "...".
 */
export function shortenRuns(text: string): string {
  return text.replace(
    new RegExp(`\\S{${RUN_MAX + 1},}`, 'gu'),
    (run) => `${[...run].slice(0, RUN_MAX - 3).join('')}...`,
  );
}

/**
 * A value as an error shows it: masked, JSON-quoted (escaped), and cut short past 40 characters (masked
 * first: a credential cut short may no longer look like one).
 */
export function quoted(value: string): string {
  const shown = maskSecrets(value);
  return oneLine(JSON.stringify(shown.length > 40 ? `${shown.slice(0, 37)}...` : shown));
}
