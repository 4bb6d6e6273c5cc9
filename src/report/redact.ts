// A command line or URL as logs, plans and summaries show it. Credentials written into a config's command
// (curl -H "Authorization: Bearer ...", https://user:password@host) are redacted by both the secrets gate's
// rules (tokens by shape and by entropy) and the config's own masking (URL passwords, well-known key
// shapes): each catches some the other does not.
import { maskSecrets } from '../config/shown.ts';
import { redactSecrets } from '../gates/secret-rules.ts';
import { secretValueRedactor } from '../util/secret-values.ts';
import type { Reporter } from '../pipeline/events.ts';

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

// Each secret's value in any of its forms (its lines, URL-encoded): src/util/secret-values.ts.
export { secretValueRedactor };

/** `value` with every string in it (in plain objects and arrays, deeply) passed through `redact`. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, redactDeep(v, redact)])) as T;
}

/**
 * `reporter` given each event with every text in it passed through `redact` (credentials by shape, by
 * default): before it is formatted or cut to a column's width, and as data, so a JSON line stays JSON.
 */
export function redactingReporter(
  reporter: Reporter,
  redact: (text: string) => string = redactCredentials,
): Reporter {
  return {
    ...reporter,
    event: (event) => reporter.event(redactDeep(event, redact)),
  };
}
