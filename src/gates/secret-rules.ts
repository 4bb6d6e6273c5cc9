// Secret detection rules and the pure scanner. Speed: one case-insensitive keyword regex runs over the whole
// text; only the lines it hits are lowercased and given to the rules whose keywords they contain.
// Raw secrets stay in memory: callers print `redact(secret)` and `fingerprint(...)`, never the value.
import { createHash } from 'node:crypto';

export interface SecretRule {
  id: string;
  description: string;
  /** Lowercase substrings; a line is tried only when it contains one of them. */
  keywords: string[];
  /** Global regex; the capture group named `secret` (or the whole match) is the secret. */
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
}

export interface ScanOptions {
  /** Shannon entropy (bits per character) a value assigned to a secret-like name needs. Default 3.5. */
  entropyThreshold: number;
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

const PLACEHOLDER =
  /example|sample|changeme|change_me|placeholder|dummy|your[_-]|xxxx|\*\*\*\*|<[^>]*>|\$\{|\{\{/i;
/** Lowercase words joined by separators with hardly any digits ("whitespace-tokenizer-v2") name things. */
const SLUG = /^[a-z]+(?:[-_.][a-z0-9]+)+$/;
const looksLikeSlug = (value: string) => SLUG.test(value) && (value.match(/\d/g)?.length ?? 0) <= 2;
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
// A key block has a body: the header alone (a string constant in a PEM parser, say) is not a key.
const KEY_BODY = /[A-Za-z0-9+/=]{40}/;

export const SECRET_RULES: SecretRule[] = [
  {
    id: 'gcp-service-account-key',
    description: 'GCP service account private key',
    keywords: ['private_key'],
    pattern: /"private_key"\s*:\s*"(?<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----\\n[A-Za-z0-9+/=\\]{40,})/dg,
  },
  {
    id: 'private-key',
    description: 'private key block',
    keywords: ['private key'],
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/dg,
    multiline: true,
    accept: (block) => KEY_BODY.test(block.replace(/\\[nr]/g, '\n')),
  },
  {
    id: 'aws-access-key-id',
    description: 'AWS access key id',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: /\b(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/dg,
    accept: (secret) => !secret.endsWith('EXAMPLE'),
  },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    keywords: ['aws'],
    pattern:
      /aws[\w.-]{0,25}?(?:secret|key)[\w.-]{0,25}?["']?\s*(?:[:=]|=>)\s*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi,
    accept: (secret) => !PLACEHOLDER.test(secret) && shannonEntropy(secret) >= 3.5,
  },
  {
    id: 'azure-storage-key',
    description: 'Azure storage account key',
    keywords: ['accountkey'],
    pattern: /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)/dg,
  },
  {
    id: 'github-token',
    description: 'GitHub token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /\b(?<secret>gh[pousr]_[A-Za-z0-9]{36,255})\b/dg,
  },
  {
    id: 'github-fine-grained-token',
    description: 'GitHub fine-grained personal access token',
    keywords: ['github_pat_'],
    pattern: /\b(?<secret>github_pat_[A-Za-z0-9_]{50,255})\b/dg,
  },
  {
    id: 'slack-webhook',
    description: 'Slack incoming webhook URL',
    keywords: ['hooks.slack.com'],
    pattern:
      /(?<secret>https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,512})/dg,
  },
  {
    id: 'slack-token',
    description: 'Slack token',
    keywords: ['xox'],
    pattern: /\b(?<secret>xox[abposr]-[A-Za-z0-9-]{10,250})\b/dg,
  },
  {
    id: 'stripe-key',
    description: 'Stripe secret or restricted key',
    keywords: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    pattern: /\b(?<secret>[sr]k_(?:live|test)_[A-Za-z0-9]{20,247})\b/dg,
  },
  {
    id: 'jwt',
    description: 'JSON Web Token',
    keywords: ['eyj'],
    // A token starts where a base64url run starts, and its parts are bounded: from every "eyJ" inside a
    // run ("eyJ-eyJ-...") the rest of the run was scanned again (quadratic time on a long line).
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{8,1024}\.eyJ[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{10,1024})/dg,
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
      /(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth|credential)[\w.-]{0,64}?["'`]?\s*(?::=|=>|[:=])\s*(?<open>["'`])?(?<secret>[A-Za-z0-9+/=_\-!@#$%^&*.~]{12,200})/dgi,
    accept: (secret, options, context) =>
      !PLACEHOLDER.test(secret) &&
      !CODE_REFERENCE.test(secret) &&
      !looksLikeCode(secret, context) &&
      !looksLikeSlug(secret) &&
      // Short values cannot reach high entropy: scale the bar with the length (log2 of it is the maximum).
      shannonEntropy(secret) >= Math.min(options.entropyThreshold, 0.9 * Math.log2(secret.length)),
  },
];

const KEYWORD_RULES = new Map<string, SecretRule[]>();
for (const rule of SECRET_RULES) {
  for (const keyword of rule.keywords)
    KEYWORD_RULES.set(keyword, [...(KEYWORD_RULES.get(keyword) ?? []), rule]);
}
const KEYWORDS = [...KEYWORD_RULES.keys()];
const PREFILTER = new RegExp(KEYWORDS.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');

/** Finds secrets in a text. Pure; the hits carry the raw value, which callers must never print. */
export function scanText(text: string, options: ScanOptions = DEFAULT_SCAN_OPTIONS): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const found of scanLines(text, options)) for (const hit of found) hits.push(hit);
  return hits;
}

/**
 * scanText one line at a time: yields the hits of each line a keyword is on (often none), so a caller can
 * stop between lines (the gate's timeout) instead of holding the main thread for a whole large file.
 */
export function* scanLines(
  text: string,
  options: ScanOptions = DEFAULT_SCAN_OPTIONS,
): Generator<SecretHit[]> {
  // A regex of its own: a shared global one would be moved by another scan interleaved at a yield.
  const prefilter = new RegExp(PREFILTER);
  let lineNumber = 1;
  let counted = 0;
  let lastLineStart = -1;
  for (let match = prefilter.exec(text); match; match = prefilter.exec(text)) {
    const lineStart = text.lastIndexOf('\n', match.index) + 1;
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    let lineEnd = text.indexOf('\n', match.index);
    if (lineEnd < 0) lineEnd = text.length;
    for (let i = text.indexOf('\n', counted); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1))
      lineNumber++;
    counted = lineStart;
    prefilter.lastIndex = lineEnd;
    yield scanLine(text, lineStart, lineEnd, lineNumber, options);
  }
}

function scanLine(
  text: string,
  start: number,
  end: number,
  lineNumber: number,
  options: ScanOptions,
): SecretHit[] {
  const line = text.slice(start, end);
  const lower = line.toLowerCase();
  const rules = new Set<SecretRule>();
  for (const keyword of KEYWORDS)
    if (lower.includes(keyword)) for (const rule of KEYWORD_RULES.get(keyword)!) rules.add(rule);
  // Spans taken by earlier rules: disjoint and sorted, so each check is a binary search (a line with
  // thousands of matches made the linear check quadratic).
  let taken: Array<[number, number]> = [];
  const found: SecretHit[] = [];
  // Rule order decides between overlapping matches: specific rules come before the generic one.
  for (const rule of SECRET_RULES) {
    if (!rules.has(rule)) continue;
    const spans: Array<[number, number]> = [];
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(line); m; m = rule.pattern.exec(line)) {
      const value = m.groups?.secret ?? m[0];
      const column = m.indices?.groups?.secret?.[0] ?? m.index;
      const span: [number, number] = [column, column + value.length];
      if (overlaps(taken, span)) continue;
      const secret = rule.multiline ? text.slice(start + m.index, start + m.index + 400) : value;
      const context = {
        quoted: m.groups?.open !== undefined,
        next: /\S/.exec(line.slice(span[1], span[1] + 200))?.[0] ?? '',
      };
      if (rule.accept && !rule.accept(secret, options, context)) continue;
      spans.push(span);
      found.push({
        rule: rule.id,
        description: rule.description,
        line: lineNumber,
        column: column + 1,
        secret,
      });
    }
    // One rule's matches never overlap each other (the regex moves past each one).
    if (spans.length > 0) taken = [...taken, ...spans].sort((a, b) => a[0] - b[0]);
  }
  return found.sort((a, b) => a.column - b.column);
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

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
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
  const hits = scanText(text, options);
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
