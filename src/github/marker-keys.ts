// The keys that authenticate the app's hidden markers (hidden-marker.ts). Only the app holds them: a key is
// derived (HKDF-SHA256, fixed label) from a configured secret or from the app's private key, so nobody who
// can only write comments, or edit the app's own, can compute a valid MAC. During a rotation the previous
// key still verifies what was written under it; new markers are always written under the current key.
import { createPrivateKey, hkdfSync } from 'node:crypto';

export interface MarkerKeys {
  /** Writes new markers. */
  readonly current: Buffer;
  /** Verifies markers: the current key first, then the previous one during a rotation. */
  readonly accepted: readonly Buffer[];
}

/** A shorter secret is refused: the MAC is only as strong as the key behind it. */
const MIN_SECRET_LENGTH = 32;

const SALT = 'deploy-action';
const INFO = 'deploy-action marker mac v1';

export class MarkerKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkerKeyError';
  }
}

/**
 * The key material behind one configured value: a PEM private key counts by its DER form (so the same key
 * pasted with other line breaks or as PKCS#1 gives the same marker key); any other value is a secret of at
 * least MIN_SECRET_LENGTH characters. `name` says in an error which setting was wrong; the value never appears.
 */
function keyMaterial(value: string, name: string): Buffer {
  if (value.includes('-----BEGIN')) {
    try {
      return createPrivateKey(value).export({ type: 'pkcs8', format: 'der' });
    } catch {
      throw new MarkerKeyError(`${name} looks like a PEM key but is not a readable private key`);
    }
  }
  if (value.trim().length < MIN_SECRET_LENGTH)
    throw new MarkerKeyError(
      `${name} must be at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
    );
  return Buffer.from(value, 'utf8');
}

function derive(material: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, SALT, INFO, 32));
}

export interface MarkerKeySources {
  /** A dedicated secret (DEPLOY_ACTION_MARKER_KEY); when absent the key comes from `privateKey`. */
  secret?: string;
  /** The app's private key (PEM). */
  privateKey?: string;
  /** The key being rotated out (DEPLOY_ACTION_MARKER_KEY_PREVIOUS): a secret or a PEM. */
  previous?: string;
}

export function markerKeys(sources: MarkerKeySources): MarkerKeys {
  const base = sources.secret
    ? keyMaterial(sources.secret, 'DEPLOY_ACTION_MARKER_KEY')
    : sources.privateKey
      ? keyMaterial(sources.privateKey, 'the private key')
      : undefined;
  if (!base)
    throw new MarkerKeyError(
      'no key to authenticate markers: set DEPLOY_ACTION_MARKER_KEY or the app private key (PRIVATE_KEY or PRIVATE_KEY_PATH)',
    );
  const current = derive(base);
  const accepted = [current];
  if (sources.previous)
    accepted.push(derive(keyMaterial(sources.previous, 'DEPLOY_ACTION_MARKER_KEY_PREVIOUS')));
  return { current, accepted };
}
