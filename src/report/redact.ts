// A command line or URL as logs, plans and summaries show it. Credentials written into a config's command
// (curl -H "Authorization: Bearer ...", https://user:password@host) are redacted by both the secrets gate's
// rules (tokens by shape and by entropy) and the config's own masking (URL passwords, well-known key
// shapes): each catches some the other does not.
import { maskSecrets } from '../config/shown.ts';
import { redactSecrets } from '../gates/secret-rules.ts';

export function redactCredentials(text: string): string {
  return maskSecrets(redactSecrets(text));
}

/**
 * redactCredentials, and each of `secrets` (values the run knows are secret: the token, the state key)
 * replaced by `***` wherever it appears, as the runner masks them in the log. For what leaves the runner
 * unmasked: GitHub's API (deployment statuses, check runs, comments), the job summary and the record.
 */
export function credentialRedactor(secrets: readonly (string | undefined)[] = []): (text: string) => string {
  const values = secretValueRedactor(secrets);
  return (text) => redactCredentials(values(text));
}

/** Each of `secrets` replaced by `***` wherever it appears, and nothing else (credentialRedactor's first half). */
export function secretValueRedactor(secrets: readonly (string | undefined)[] = []): (text: string) => string {
  // Longest first, so a secret that contains another is replaced whole; short values would mask words.
  const list = [...new Set(secrets.filter((s): s is string => !!s && s.length >= 8))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) =>
    maskCutSecret(
      list.reduce((t, secret) => t.split(secret).join('***'), text),
      list,
    );
}

/** The shortest start of a secret that a text cut off in the middle of it is masked for. */
const CUT_SECRET_MIN = 6;

/**
 * `text` with its end masked when it is the start of one of `secrets`: a field cut to its length (a record's
 * detail, 1,000 characters) can end in the middle of a secret, which the whole-value replacement misses.
 */
function maskCutSecret(text: string, secrets: readonly string[]): string {
  for (const secret of secrets)
    for (let k = secret.length - 1; k >= CUT_SECRET_MIN; k--)
      if (text.endsWith(secret.slice(0, k))) return `${text.slice(0, text.length - k)}***`;
  return text;
}

/** `value` with every string in it (in plain objects and arrays, deeply) passed through `redact`. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, redactDeep(v, redact)])) as T;
}
