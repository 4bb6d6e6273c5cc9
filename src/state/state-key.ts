// The key that signs one environment's state record (signed-record.ts). It is derived from the App's marker
// key (github/marker-keys.ts) per repository and environment, so the operator can store it as an ENVIRONMENT
// secret: only jobs allowed to deploy to that environment can read it, and a staging key cannot sign a
// production record. The App derives the same key from its own marker key (current and previous during a
// rotation); the Action is given the derived key as its `state-key` input (`deploy-action state-key`).
import type { MarkerKeys } from '../github/marker-keys.ts';

/** A shorter `state-key` is refused: the MAC is only as strong as the key behind it. */
export const MIN_STATE_KEY_LENGTH = 32;

/** HMAC(master, "deploy-action state key v1\n" + repository (lowercase) + "\n" + environment). */
export function stateKey(master: Buffer, repository: string, environment: string): Buffer {
  // node:crypto on first use: the action parses its state-key input at start and derives nothing (issue 16).
  return process
    .getBuiltinModule('node:crypto')
    .createHmac('sha256', master)
    .update(`deploy-action state key v1\n${repository.toLowerCase()}\n${environment}`)
    .digest();
}

/** The keys a reader accepts for one environment: the current marker key's first, then the previous one's. */
export function stateKeysFor(keys: MarkerKeys, repository: string, environment: string): Buffer[] {
  return keys.accepted.map((master) => stateKey(master, repository, environment));
}

/** How a state key is printed for the operator to store as a secret. */
export function formatStateKey(key: Buffer): string {
  return key.toString('hex');
}

export class StateKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateKeyError';
  }
}

/**
 * The key behind a configured `state-key` value: the 64 hex digits `deploy-action state-key` prints decode
 * to the App's derived key; any other value of at least MIN_STATE_KEY_LENGTH characters is a key of its own
 * (an Action used without the App). `name` says in an error which setting was wrong; the value never appears.
 */
export function parseStateKey(value: string, name: string): Buffer {
  const trimmed = value.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (trimmed.length < MIN_STATE_KEY_LENGTH)
    throw new StateKeyError(
      `${name} must be at least ${MIN_STATE_KEY_LENGTH} characters (print it with ` +
        '`deploy-action state-key --repository owner/name --environment <env>`)',
    );
  return Buffer.from(trimmed, 'utf8');
}
