// Secret detection rules and the pure scanner. Speed: a byte-level keyword prefilter runs over the whole
// text (scanBytes); only the lines it hits are decoded and given to the rules whose keywords they contain.
// Raw secrets stay in memory: callers print `redact(secret)` and `fingerprint(...)`, never the value.
import { createHash } from 'node:crypto';
import { shannonEntropy } from './secret-entropy.ts';
import {
  isCountingUp,
  isElided,
  isPlaceholderToken,
  isPlaceholderValue,
  PLACEHOLDER,
} from './secret-placeholders.ts';
import { isPatternSyntax } from './secret-patterns.ts';

export { shannonEntropy };

export interface SecretRule {
  id: string;
  description: string;
  /** Lowercase substrings; a line is tried only when it contains one of them. */
  keywords: string[];
  /**
   * Global regex; the capture group named `secret` (or the whole match) is the secret. The group ends the
   * pattern (only `\b` or a negative lookahead may follow it), so its column is the match's end minus its
   * length: the `d` flag's indices cost more than the rest of a match (checked when the module loads).
   */
  pattern: RegExp;
  /**
   * Extra check on the secret, e.g. entropy or placeholders. `context` says how it stands in its line; for a
   * multi-line rule `secret` is the text from the match on (the block), so the check can look at its body.
   */
  accept?(secret: string, options: ScanOptions, context: MatchContext): boolean;
  /** For multi-line secrets (key blocks): the value to fingerprint, from the text after the match. */
  multiline?: boolean;
}

export interface MatchContext {
  /** The value had an opening quote before it (the rule's `open` group). */
  quoted: boolean;
  /** The first character after the value in its line that is not white space ('' at the end of the line). */
  next: string;
  /** The rest of the value's line after it (at most 200 characters). */
  rest: string;
}

export interface ScanOptions {
  /** Shannon entropy (bits per character) a value assigned to a secret-like name needs. Default 3.5. */
  entropyThreshold: number;
  /**
   * The text is source in a language with regex literals (hasRegexLiterals): an unquoted `/…/flags` value is
   * a pattern there. Elsewhere (YAML, .env, ini, unknown text) it is data: a base64 value may start and end
   * with a slash. Default false.
   */
  regexLiterals?: boolean;
  /**
   * The scan takes secrets out of free text (redactSecrets) rather than reporting them: a value that only
   * reads as a placeholder or a pattern is taken out too. A false hit costs nothing there, a missed secret
   * reaches a log. Default false.
   */
  redacting?: boolean;
}

/**
 * Source files whose language writes regex literals as `/…/flags`: JavaScript and TypeScript (and the
 * component and HTML files whose scripts hold them), CoffeeScript, Ruby, Perl. Not Groovy, whose `/…/` is
 * a string.
 */
const REGEX_LITERAL_FILE = /\.(?:[cm]?[jt]sx?|vue|svelte|astro|html?|coffee|rb|pl|pm)$/i;

export function hasRegexLiterals(path: string): boolean {
  return REGEX_LITERAL_FILE.test(path);
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = { entropyThreshold: 3.5 };

export interface SecretHit {
  rule: string;
  description: string;
  line: number;
  column: number;
  /** Raw value: for fingerprints and redaction only. */
  secret: string;
}

/** Lowercase words joined by separators with hardly any digits ("whitespace-tokenizer-v2") name things. */
const SLUG = /^[a-z]+(?:[-_.][a-z0-9]+)+$/;
/** An environment variable's name (`secret_env: AUDIT_WEBHOOK_SECRET`) names a secret; it is not one. */
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const looksLikeSlug = (value: string) =>
  (SLUG.test(value) || ENV_NAME.test(value)) && (value.match(/\d/g)?.length ?? 0) <= 2;
const CODE_REFERENCE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^process\.env|^os\.environ|^env\./;
// An unquoted value that is source code rather than data: an identifier or member path used by what follows
// (`token=header[i]`, `credentials:kEnumerable,`, `auth=getAuth(`, `authMessage=first+","`), or an expression that goes on with an
// operator (`TOKEN=exports.STRICT_TOKEN=…`, `creds=request.credentials===…`). A secret in a .env or YAML
// file stands alone on its line; in code it is quoted.
const IDENTIFIER_PATH = /^[A-Za-z_$#][\w$#]*(?:\.[A-Za-z_$#][\w$#]*)*$/;
const CODE_OPERATOR = /[\w$\])][!=]=?|=>/;
const looksLikeCode = (value: string, context: MatchContext) =>
  !context.quoted &&
  (CODE_OPERATOR.test(value) ||
    (IDENTIFIER_PATH.test(value.replace(/[-+*/%&|]+$/, '')) && /^[[(;,)}"'`+*/%&|?<>-]$/.test(context.next)));
/**
 * The random part of a token of a known format (what follows `prefix`) is no documentation placeholder
 * (`AKIAXXXXXXXXXXXXXXXX`, `ghp_xxxx…`, `xoxb-your-bot-token-here`), as AKIAIOSFODNN7EXAMPLE never was.
 */
const notPlaceholder =
  (prefix: RegExp) =>
  (secret: string, options: ScanOptions): boolean =>
    options.redacting === true || !isPlaceholderToken(secret.replace(prefix, ''));
/** A value that only reads as a placeholder or a pattern: not reported, but redacted all the same. */
const looksUnreal = (secret: string, options: ScanOptions, context: MatchContext): boolean =>
  options.redacting !== true &&
  (isPlaceholderValue(secret) || isElided(secret, context.rest) || isPatternSyntax(secret, options, context));
// A key block has a body: the header alone (a string constant in a PEM parser, say) is not a key, and a body of
// placeholders (`XXXX…` lines in documentation) is not one either.
const KEY_BODY = /[A-Za-z0-9+/=]{40,}/g;
const hasKeyBody = (block: string, options: ScanOptions): boolean =>
  [...block.replace(/\\[nr]/g, '\n').matchAll(KEY_BODY)].some(
    ([run]) => options.redacting === true || !isPlaceholderToken(run),
  );

export const SECRET_RULES: SecretRule[] = [
  {
    id: 'gcp-service-account-key',
    description: 'GCP service account private key',
    keywords: ['private_key'],
    pattern: /"private_key"\s*:\s*"(?<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----\\n[A-Za-z0-9+/=\\]{40,})/g,
    accept: (secret, options) => hasKeyBody(secret, options),
  },
  {
    id: 'private-key',
    description: 'private key block',
    keywords: ['private key'],
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
    multiline: true,
    accept: (block, options) => hasKeyBody(block, options),
  },
  {
    id: 'aws-access-key-id',
    description: 'AWS access key id',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: /\b(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g,
    accept: notPlaceholder(/^A[KSBC][IC]A/),
  },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    keywords: ['aws'],
    pattern:
      /aws[\w.-]{0,25}?(?:secret|key)[\w.-]{0,25}?["']?\s*(?:[:=]|=>)\s*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    accept: (secret, options) =>
      !PLACEHOLDER.test(secret) &&
      (options.redacting === true || !isCountingUp(secret)) &&
      shannonEntropy(secret) >= 3.5,
  },
  {
    id: 'azure-storage-key',
    description: 'Azure storage account key',
    keywords: ['accountkey'],
    pattern: /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)/g,
    accept: notPlaceholder(/==$/),
  },
  {
    id: 'github-token',
    description: 'GitHub token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /\b(?<secret>gh[pousr]_[A-Za-z0-9]{36,255})\b/g,
    accept: notPlaceholder(/^gh[pousr]_/),
  },
  {
    id: 'github-fine-grained-token',
    description: 'GitHub fine-grained personal access token',
    keywords: ['github_pat_'],
    pattern: /\b(?<secret>github_pat_[A-Za-z0-9_]{50,255})\b/g,
    accept: notPlaceholder(/^github_pat_/),
  },
  {
    id: 'gitlab-token',
    description: 'GitLab personal, project or group access token',
    keywords: ['glpat-'],
    pattern: /\b(?<secret>glpat-[A-Za-z0-9_-]{20,255})(?![A-Za-z0-9_-])/g,
    accept: notPlaceholder(/^glpat-/),
  },
  {
    id: 'gcp-api-key',
    description: 'Google Cloud API key',
    keywords: ['aiza'],
    pattern: /\b(?<secret>AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])/g,
    // Every key goes on with "Sy": the placeholder is what follows.
    accept: notPlaceholder(/^AIza(?:Sy)?/),
  },
  {
    id: 'openai-api-key',
    description: 'OpenAI API key',
    // Every OpenAI key carries "T3BlbkFJ" (base64 of "OpenAI") in its middle: what sets it apart from any sk- word.
    keywords: ['t3blbkfj'],
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>sk-(?:[a-z]{2,12}-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200})(?![A-Za-z0-9_-])/g,
    accept: notPlaceholder(/^sk-(?:[a-z]{2,12}-)?|T3BlbkFJ/g),
  },
  {
    id: 'url-credentials',
    description: 'password in a URL',
    // scheme://user:password@host (a DATABASE_URL, a registry or git remote): the password up to the @. The
    // user may be empty (redis://:password@host); a password may hold ":" (and "#" or "?", which it should encode), not "/" or "@".
    keywords: ['://'],
    pattern:
      /\b[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/[^\s:@/?#'"`<>]{0,128}:(?<secret>[^\s@/'"`<>]{6,256})(?!$)(?![^@])/g,
    // A password of a dev database (postgres:postgres) or a variable ($DB_PASSWORD, ${…}) is no secret leak.
    accept: (secret, options, context) =>
      !PLACEHOLDER.test(secret) &&
      !/^\$\w+$|^%[(\w]/.test(secret) &&
      !looksUnreal(secret, options, context) &&
      shannonEntropy(secret) >= options.entropyThreshold,
  },
  {
    id: 'slack-webhook',
    description: 'Slack incoming webhook URL',
    keywords: ['hooks.slack.com'],
    pattern:
      /(?<secret>https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,512})/g,
    // `TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX`: its ids' first letters are fixed too.
    accept: notPlaceholder(/^https:\/\/hooks\.slack\.com\/\w+\/|(?<=^|\/)[TB]/g),
  },
  {
    id: 'slack-token',
    description: 'Slack token',
    keywords: ['xox'],
    pattern: /\b(?<secret>xox[abposr]-[A-Za-z0-9-]{10,250})\b/g,
    accept: notPlaceholder(/^xox[abposr]-/),
  },
  {
    id: 'stripe-key',
    description: 'Stripe secret or restricted key',
    keywords: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    pattern: /\b(?<secret>[sr]k_(?:live|test)_[A-Za-z0-9]{20,247})\b/g,
    accept: notPlaceholder(/^[sr]k_(?:live|test)_/),
  },
  {
    id: 'jwt',
    description: 'JSON Web Token',
    keywords: ['eyj'],
    // A token starts where a base64url run starts, and its parts are bounded: from every "eyJ" inside a
    // run ("eyJ-eyJ-...") the rest of the run was scanned again (quadratic time on a long line).
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{8,1024}\.eyJ[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{10,1024})/g,
    // A token whose signature is a placeholder (`….XXXXXXXX`) signs nothing: an example of the format.
    accept: notPlaceholder(/^.*\./),
  },
  {
    id: 'generic-secret',
    description: 'high-entropy value assigned to a secret-like name',
    keywords: [
      'password',
      'passwd',
      'pwd',
      'secret',
      'token',
      'api_key',
      'apikey',
      'api-key',
      'access_key',
      'auth',
      'credential',
    ],
    // No name prefix and at most 64 name characters after the keyword: `[\w.-]*` on both sides re-scanned a
    // long word from every position (quadratic: a 1 MB line took minutes). The secret's position is its own.
    pattern:
      /(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth|credential)[\w.-]{0,64}?["'`]?\s*(?::=|=>|[:=])\s*(?<open>["'`])?(?<secret>[A-Za-z0-9+/=_\-!@#$%^&*.~]{12,200})/gi,
    accept: (secret, options, context) =>
      !PLACEHOLDER.test(secret) &&
      !looksUnreal(secret, options, context) &&
      !CODE_REFERENCE.test(secret) &&
      !looksLikeCode(secret, context) &&
      !looksLikeSlug(secret) &&
      // Short values cannot reach high entropy: scale the bar with the length (log2 of it is the maximum).
      shannonEntropy(secret) >= Math.min(options.entropyThreshold, 0.9 * Math.log2(secret.length)),
  },
];

for (const rule of SECRET_RULES) {
  if (!rule.pattern.global || rule.pattern.hasIndices)
    throw new Error(`secret rule ${rule.id}: the pattern must have the g flag and not the d flag`);
  if (!secretEndsPattern(rule.pattern.source))
    throw new Error(
      `secret rule ${rule.id}: the (?<secret>...) group must end the pattern (only \\b or a negative lookahead after it)`,
    );
}

/**
 * Whether a pattern has no `secret` group, or one that only zero-width assertions (`\b`, a negative
 * lookahead without groups) follow: then the secret ends where the match ends.
 */
export function secretEndsPattern(source: string): boolean {
  const start = source.indexOf('(?<secret>');
  if (start < 0) return true;
  let depth = 0;
  let inClass = false;
  for (let i = start; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') i++;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return /^(?:\\b|\(\?![^()]*\))*$/.test(source.slice(i + 1));
  }
  return false;
}

// The keyword prefilter works on bytes: every keyword is ASCII, and a UTF-8 text holds an ASCII character
// only as that byte, so a case-insensitive byte match finds exactly what a case-insensitive (non-Unicode)
// regex finds in the decoded text. Only lines with a keyword are decoded and given to the rules: the bulk of
// a file is never turned into a string. The bytes are read two at a time as 16-bit words: one lookup per
// word (WORD_FLAGS) counts its line breaks and rules out a keyword at both of its bytes for almost every
// word; at the rest the keywords' third byte after the word (WORD_THIRD) or first byte before it
// (WORD_BEFORE) sorts out most positions, and what is left is compared in full (keywordsAt). The tables are
// flat typed arrays: this is the loop every byte goes through.
/** Byte → its ASCII lowercase. */
const LOWER = new Uint8Array(256).map((_, byte) => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte));
/** Both cases of an ASCII letter, else the byte. */
const cases = (byte: number) => (byte >= 0x61 && byte <= 0x7a ? [byte, byte - 0x20] : [byte]);
/** The distinct keywords, as lowercase bytes, with the rules (bit per index in SECRET_RULES) they stand for. */
const KEYWORDS: Array<{ bytes: Buffer; mask: number }> = [];
for (const [index, rule] of SECRET_RULES.entries()) {
  for (const keyword of rule.keywords) {
    // At least three bytes: the byte search looks at every second byte pair (WORD_FLAGS).
    if (!/^[\x20-\x7e]{3,}$/.test(keyword) || keyword !== keyword.toLowerCase())
      throw new Error(
        `secret rule ${rule.id}: keyword ${JSON.stringify(keyword)} is not lowercase ASCII of 3 characters or more`,
      );
    const known = KEYWORDS.find((entry) => entry.bytes.toString('latin1') === keyword);
    if (known) known.mask |= 1 << index;
    else KEYWORDS.push({ bytes: Buffer.from(keyword, 'latin1'), mask: 1 << index });
  }
}
/** Per raw byte pair (first << 8 | second, either case): its keywords as a run of PAIR_KEYWORDS. */
const PAIR_FIRST = new Int32Array(65536);
const PAIR_COUNT = new Uint8Array(65536);
const PAIR_KEYWORDS: number[] = [];
/**
 * Per raw byte pair: 0 when no keyword starts with it, else the set of the keywords' third bytes (bit
 * `byte & 31`, the same for both cases of a letter).
 */
const THIRD = new Uint32Array(65536);
{
  const byPair = new Map<number, number[]>();
  for (const [id, { bytes }] of KEYWORDS.entries()) {
    for (const first of cases(bytes[0]!))
      for (const second of cases(bytes[1]!)) {
        const pair = (first << 8) | second;
        byPair.set(pair, [...(byPair.get(pair) ?? []), id]);
        THIRD[pair]! |= 1 << (bytes[2]! & 31);
      }
  }
  for (const [pair, ids] of byPair) {
    PAIR_FIRST[pair] = PAIR_KEYWORDS.length;
    PAIR_COUNT[pair] = ids.length;
    PAIR_KEYWORDS.push(...ids);
  }
}
/**
 * Per 16-bit word of two bytes as a Uint16Array reads it from memory (either byte order): FIRST_BREAK /
 * SECOND_BREAK when a byte is a line break, STARTS when the pair is a keyword's first two bytes, CONTINUES
 * when it is a keyword's second and third (either case). A keyword of 3 bytes or more starting at `s` has
 * one of them in the word at `s` or at `s + 1`, whichever of the two starts a word: so the byte search reads
 * one word per two bytes, and a word without a flag (almost all of them) rules out a keyword at both of its
 * bytes. Keywords hold no line break: a word has keyword flags or break flags, never both.
 */
const WORD_FLAGS = new Uint8Array(65536);
const FIRST_BREAK = 1;
const SECOND_BREAK = 2;
const STARTS = 4;
const CONTINUES = 8;
/** Per STARTS word: the keywords' third bytes (bit `byte & 31`), as THIRD but indexed by the word. */
const WORD_THIRD = new Uint32Array(65536);
/** Per CONTINUES word: the keywords' first bytes (bit `byte & 31`), for the byte before the word. */
const WORD_BEFORE = new Uint32Array(65536);
{
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const word = (first: number, second: number) =>
    littleEndian ? first | (second << 8) : (first << 8) | second;
  for (let first = 0; first < 256; first++)
    for (let second = 0; second < 256; second++)
      WORD_FLAGS[word(first, second)] =
        (first === 0x0a ? FIRST_BREAK : 0) | (second === 0x0a ? SECOND_BREAK : 0);
  for (const { bytes } of KEYWORDS) {
    const [b0, b1, b2] = [bytes[0]!, bytes[1]!, bytes[2]!];
    for (const first of cases(b0))
      for (const second of cases(b1)) {
        WORD_FLAGS[word(first, second)]! |= STARTS;
        WORD_THIRD[word(first, second)]! |= 1 << (b2 & 31);
      }
    for (const second of cases(b1))
      for (const third of cases(b2)) {
        WORD_FLAGS[word(second, third)]! |= CONTINUES;
        WORD_BEFORE[word(second, third)]! |= 1 << (b0 & 31);
      }
  }
}
const KEYWORD_OFFSET = new Int32Array(KEYWORDS.length);
const KEYWORD_LENGTH = new Int32Array(KEYWORDS.length);
const KEYWORD_MASK = new Int32Array(KEYWORDS.map((keyword) => keyword.mask));
const KEYWORD_BYTES = Buffer.concat(
  KEYWORDS.map(({ bytes }, id) => {
    KEYWORD_OFFSET[id] = KEYWORDS.slice(0, id).reduce((sum, keyword) => sum + keyword.bytes.length, 0);
    KEYWORD_LENGTH[id] = bytes.length;
    return bytes;
  }),
);

/** The rules of the keywords that start at `at` (0: none); keywords end before `end`. */
function keywordsAt(bytes: Uint8Array, at: number, end: number): number {
  const pair = (bytes[at]! << 8) | bytes[at + 1]!;
  let mask = 0;
  for (let n = PAIR_FIRST[pair]!, last = n + PAIR_COUNT[pair]!; n < last; n++) {
    const id = PAIR_KEYWORDS[n]!;
    const length = KEYWORD_LENGTH[id]!;
    if (at + length > end) continue;
    const offset = KEYWORD_OFFSET[id]!;
    let i = 2;
    while (i < length && LOWER[bytes[at + i]!] === KEYWORD_BYTES[offset + i]) i++;
    if (i === length) mask |= KEYWORD_MASK[id]!;
  }
  return mask;
}

/** What nextCandidate passed on its way: line breaks, and where the last of them is (-1: none). */
let breaksPassed = 0;
let lastBreak = -1;

/** Whether the byte pair and third byte at `at` may start a keyword (keywordsAt says whether one does). */
function mayStart(bytes: Uint8Array, at: number): boolean {
  const thirds = THIRD[(bytes[at]! << 8) | bytes[at + 1]!]!;
  // Past the buffer's end a byte reads as undefined, `& 31` as 0: keywordsAt then sees it does not fit.
  return thirds !== 0 && ((thirds >>> (bytes[at + 2]! & 31)) & 1) === 1;
}

/**
 * The first position in [from, end) that may start a keyword ending before `end` (-1: none), counting the
 * line breaks before it into breaksPassed / lastBreak. The loop every byte goes through: it reads the bytes
 * two at a time from `words` (the same memory as 16-bit words, the first starting at byte `phase`) and
 * looks each word up in WORD_FLAGS. Kept apart from keywordsAt, whose loop, inlined here, made it slower.
 */
function nextCandidate(
  bytes: Uint8Array,
  words: Uint16Array,
  phase: number,
  from: number,
  end: number,
): number {
  let breaks = 0;
  let last = -1;
  let at = from;
  // A first byte that does not start a word is looked at alone.
  if (((at - phase) & 1) === 1 && at < end) {
    if (bytes[at] === 0x0a) {
      breaks++;
      last = at;
    } else if (mayStart(bytes, at)) {
      breaksPassed = breaks;
      lastBreak = last;
      return at;
    }
    at++;
  }
  for (let k = (at - phase) >> 1; at + 1 < end; at += 2, k++) {
    const word = words[k]!;
    const flags = WORD_FLAGS[word]!;
    if (flags === 0) continue;
    if (flags >= STARTS) {
      // A keyword starting at the byte before this word (its second and third bytes are here), or here.
      const candidate =
        (flags & CONTINUES) !== 0 && at > from && ((WORD_BEFORE[word]! >>> (bytes[at - 1]! & 31)) & 1) === 1
          ? at - 1
          : (flags & STARTS) !== 0 && ((WORD_THIRD[word]! >>> (bytes[at + 2]! & 31)) & 1) === 1
            ? at
            : -1;
      if (candidate >= 0) {
        breaksPassed = breaks;
        lastBreak = last;
        return candidate;
      }
      continue;
    }
    if ((flags & FIRST_BREAK) !== 0) {
      breaks++;
      last = at;
    }
    if ((flags & SECOND_BREAK) !== 0) {
      breaks++;
      last = at + 1;
    }
  }
  // The last byte, when a word does not cover it: no keyword of 3 bytes starts there or just before it.
  if (at < end && bytes[at] === 0x0a) {
    breaks++;
    last = at;
  }
  breaksPassed = breaks;
  lastBreak = last;
  return -1;
}

/** The rules (bit per index in SECRET_RULES) whose value is a block of lines. */
const MULTILINE_RULES = SECRET_RULES.reduce(
  (mask, rule, index) => (rule.multiline ? mask | (1 << index) : mask),
  0,
);
const noBlock = (): string => {
  throw new Error('a key block was asked for on a line without a multi-line rule');
};

/** The bytes a multi-line rule may need after its line: 400 UTF-16 units are at most 1200 UTF-8 bytes. */
export const BLOCK_LOOKAHEAD_BYTES = 1600;
const BLOCK_CHARS = 400;

/**
 * Scans the lines of `bytes[from, end)` (UTF-8; `end` is a line start or the end of the data) and calls
 * `onHit` for each secret, in line and column order. `firstLine` is the number of the line at `from`;
 * bytes up to `available` may follow `end` (a key block's body on the next lines). Returns the number of
 * the line at `end`. Time is linear in `end - from`: every byte is looked at a bounded number of times
 * outside the rules, and the rules' regexes are bounded (see the tests with hostile lines).
 */
export function scanBytes(
  bytes: Buffer,
  from: number,
  end: number,
  available: number,
  firstLine: number,
  options: ScanOptions,
  onHit: (hit: SecretHit) => void,
): number {
  let lineNumber = firstLine;
  let lineStart = from;
  // The bytes as 16-bit words, from the first byte at an even address (a typed array's rule).
  const phase = bytes.byteOffset & 1;
  const words = new Uint16Array(
    bytes.buffer,
    bytes.byteOffset + phase,
    Math.max(0, bytes.length - phase) >> 1,
  );
  for (let at = from; ;) {
    at = nextCandidate(bytes, words, phase, at, end);
    lineNumber += breaksPassed;
    if (lastBreak >= 0) lineStart = lastBreak + 1;
    if (at < 0) break;
    // A keyword's line is scanned; its line break is counted by the next search.
    if (keywordsAt(bytes, at, end) !== 0)
      at = scanLine(bytes, words, phase, lineStart, at, end, available, lineNumber, options, onHit);
    else at++;
  }
  return lineNumber;
}

/**
 * The line of `bytes` holding the keyword at `at`, which starts at `lineStart`: decoded and given to the rules
 * of the keywords it holds. Returns where it ends (its line break, or `end`). Apart from scanBytes so that its
 * closure does not put scanBytes' variables in a context: the per-byte loop keeps them in registers.
 */
function scanLine(
  bytes: Buffer,
  words: Uint16Array,
  phase: number,
  lineStart: number,
  at: number,
  end: number,
  available: number,
  lineNumber: number,
  options: ScanOptions,
  onHit: (hit: SecretHit) => void,
): number {
  const rules = keywordRules(bytes, words, phase, at, end);
  const lineEnd = ruleLineEnd;
  const line = bytes.toString('utf8', lineStart, lineEnd);
  // A key block's value is the text from its header on: decoded from the line start (a character
  // boundary), as the whole text would be; once per line, however many headers it holds.
  // Only lines with a multi-line rule's keyword need it (a closure per line is garbage to collect).
  let window: string | undefined;
  const block =
    (rules & MULTILINE_RULES) === 0
      ? noBlock
      : (index: number) =>
          (window ??= bytes.toString(
            'utf8',
            lineStart,
            Math.min(available, lineEnd + BLOCK_LOOKAHEAD_BYTES),
          )).slice(index, index + BLOCK_CHARS);
  const hits = matchLine(line, rules, lineNumber, block, options);
  if (hits) for (const hit of hits) onHit(hit);
  return lineEnd;
}

/** Where the line keywordRules went through ends: its line break, or the `end` it was given. */
let ruleLineEnd = 0;

/**
 * The rules of every keyword in the line from `from` (a keyword's start) on, read two bytes at a time as
 * nextCandidate reads them, up to the line's break (into ruleLineEnd: no second search for it). A keyword
 * holds no line break, so one compared against bytes past the break does not match.
 */
function keywordRules(
  bytes: Uint8Array,
  words: Uint16Array,
  phase: number,
  from: number,
  end: number,
): number {
  let rules = 0;
  let at = from;
  // `from` is a keyword's first byte, not a line break.
  if (((at - phase) & 1) === 1 && at < end) {
    if (mayStart(bytes, at)) rules |= keywordsAt(bytes, at, end);
    at++;
  }
  for (let k = (at - phase) >> 1; at + 1 < end; at += 2, k++) {
    const word = words[k]!;
    const flags = WORD_FLAGS[word]!;
    if (flags === 0) continue;
    if (flags < STARTS) {
      ruleLineEnd = (flags & FIRST_BREAK) !== 0 ? at : at + 1;
      return rules;
    }
    if ((flags & CONTINUES) !== 0 && at > from && ((WORD_BEFORE[word]! >>> (bytes[at - 1]! & 31)) & 1) === 1)
      rules |= keywordsAt(bytes, at - 1, end);
    if ((flags & STARTS) !== 0 && ((WORD_THIRD[word]! >>> (bytes[at + 2]! & 31)) & 1) === 1)
      rules |= keywordsAt(bytes, at, end);
  }
  ruleLineEnd = at < end && bytes[at] === 0x0a ? at : end;
  return rules;
}

/** Finds secrets in a text. Pure; the hits carry the raw value, which callers must never print. */
export function scanText(text: string, options: ScanOptions = DEFAULT_SCAN_OPTIONS): SecretHit[] {
  const hits: SecretHit[] = [];
  const bytes = Buffer.from(text, 'utf8');
  scanBytes(bytes, 0, bytes.length, bytes.length, 1, options, (hit) => hits.push(hit));
  return hits;
}

/** No spans: what a line starts with, shared (most keyword lines have no match, so allocate nothing). */
const NO_SPANS: ReadonlyArray<[number, number]> = [];

function matchLine(
  line: string,
  rules: number,
  lineNumber: number,
  block: (index: number) => string,
  options: ScanOptions,
): SecretHit[] | undefined {
  // Spans taken by earlier rules: disjoint and sorted, so each check is a binary search (a line with
  // thousands of matches made the linear check quadratic).
  let taken = NO_SPANS;
  let found: SecretHit[] | undefined;
  // Rule order decides between overlapping matches: specific rules come before the generic one.
  for (let index = 0; index < SECRET_RULES.length; index++) {
    if ((rules & (1 << index)) === 0) continue;
    const rule = SECRET_RULES[index]!;
    let spans: Array<[number, number]> | undefined;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(line); m; m = rule.pattern.exec(line)) {
      const value = m.groups?.secret ?? m[0];
      const column = m.index + m[0].length - value.length;
      const span: [number, number] = [column, column + value.length];
      if (overlaps(taken, span)) continue;
      const secret = rule.multiline ? block(m.index) : value;
      const context = new LineContext(line, span[1], m.groups?.open !== undefined);
      if (rule.accept && !rule.accept(secret, options, context)) continue;
      (spans ??= []).push(span);
      (found ??= []).push({
        rule: rule.id,
        description: rule.description,
        line: lineNumber,
        column: column + 1,
        secret,
      });
    }
    // One rule's matches never overlap each other (the regex moves past each one).
    if (spans) taken = [...taken, ...spans].sort((a, b) => a[0] - b[0]);
  }
  return found?.sort((a, b) => a.column - b.column);
}

/** How a value stands in its line; `next` is looked up only when a check asks for it (most never do). */
class LineContext implements MatchContext {
  readonly quoted: boolean;
  private readonly line: string;
  private readonly after: number;
  constructor(line: string, after: number, quoted: boolean) {
    this.line = line;
    this.after = after;
    this.quoted = quoted;
  }
  get next(): string {
    return /\S/.exec(this.rest)?.[0] ?? '';
  }
  get rest(): string {
    return this.line.slice(this.after, this.after + 200);
  }
}

/** Whether `span` overlaps one of the disjoint spans sorted by start. */
function overlaps(sorted: ReadonlyArray<[number, number]>, [start, end]: [number, number]): boolean {
  // The first span ending after `start`; earlier ones end before the span begins.
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]![1] <= start) low = middle + 1;
    else high = middle;
  }
  return low < sorted.length && sorted[low]![0] < end;
}

/** At most the first 4 and last 4 characters, and only for long values; key blocks show their header. */
export function redact(secret: string): string {
  const header = /^-----BEGIN ([A-Z ]+)-----/.exec(secret);
  if (header) return `${header[1]} block`;
  if (secret.length >= 20) return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
  if (secret.length >= 12) return `${secret.slice(0, 2)}…`;
  return '…';
}

/** sha256 of rule, path and secret: stable across line moves, what an allowlist entry names. */
export function fingerprint(rule: string, path: string, secret: string): string {
  return createHash('sha256').update(`${rule}\0${path}\0${secret}`).digest('hex');
}

/** Replaces every detected secret in free text (command output, tool messages) by its redacted form. */
export function redactSecrets(text: string, options: ScanOptions = DEFAULT_SCAN_OPTIONS): string {
  const hits = scanText(text, { ...options, redacting: true });
  if (hits.length === 0) return text;
  const lines = text.split('\n');
  for (const hit of hits.sort((a, b) => b.column - a.column)) {
    const line = lines[hit.line - 1]!;
    const value = hit.secret.startsWith('-----BEGIN') ? hit.secret.split('\n')[0]! : hit.secret;
    lines[hit.line - 1] =
      line.slice(0, hit.column - 1) + redact(hit.secret) + line.slice(hit.column - 1 + value.length);
  }
  // Key bodies follow their header on the next lines: drop everything after a redacted key header.
  // A block without its END line (truncated output) loses everything after the header.
  return lines
    .join('\n')
    .replace(/(PRIVATE KEY(?: BLOCK)? block)(?:[\s\S]*?-----END [A-Z ]+-----|[\s\S]*$)/g, '$1');
}

/**
 * A tool's message with the secret it reported taken out: tools (and edited reports) may quote the secret
 * or the line holding it, which the built-in rules need not recognise, so `redactSecrets` alone would let
 * it through. Values too short to be a secret are left alone (replacing "a" would garble the message).
 */
export function redactReported(message: string, secrets: Array<string | undefined>): string {
  let text = message;
  for (const secret of secrets) {
    if (secret === undefined || secret.trim().length < 4) continue;
    text = text.split(secret).join(redact(secret));
    // A multi-line value (a key block) quoted one line at a time.
    for (const line of secret.split('\n')) {
      if (line.trim().length >= 8) text = text.split(line).join(redact(line));
    }
  }
  return redactSecrets(text);
}
