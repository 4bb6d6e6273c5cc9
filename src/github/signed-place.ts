// The one way a signed marker bound to a place (repository, environment, deployment) is read back: the
// environment record (state/signed-record.ts) and control requests (control/signed.ts) both ride in check
// run text that any workflow token can edit, so both need the same steps, in the same order: exactly one
// intact marker of the kind, a key to check it with, a MAC that verifies for THIS place (else: a genuine
// marker copied from another place, or a forgery), then JSON. What the JSON must hold is the caller's. Pure.
import {
  trailingMarkers,
  verifyingKey,
  verifyMarker,
  type MarkerScope,
  type RawMarker,
} from './hidden-marker.ts';

/** Where a signed marker is stored: the repository (owner/name), the environment and the GitHub deployment. */
export interface SignedPlace {
  repository: string;
  environment: string;
  deploymentId: string;
}

export function placeScope(place: SignedPlace): MarkerScope {
  // JSON keeps the two parts apart whatever characters an environment name holds.
  return { repository: place.repository, subject: JSON.stringify([place.environment, place.deploymentId]) };
}

export type SignedRead =
  /** `keyIndex`: which of the keys it verified under (0: the current one; 1: the previous, in a rotation). */
  | { ok: true; data: unknown; keyIndex: number }
  | {
      ok: false;
      /**
       * `missing`: no marker of the kind (`damaged` lists markers that did not parse); `several`: more than
       * one, or one beside a damaged one; `no_key`: nothing to check with; `misplaced`: genuine, but signed
       * for `signedFor`; `forged`: does not verify; `not_json`: verifies, but is not JSON.
       */
      problem: 'missing' | 'several' | 'no_key' | 'misplaced' | 'forged' | 'not_json';
      damaged?: string[];
      signedFor?: SignedPlace;
    };

/**
 * The data of the one `kind` marker in `text` if it verifies for `place` under one of `keys` (the current
 * key first, then a previous one during a rotation). `claimedPlace` says where a marker's JSON claims it was
 * signed for, so a genuine marker copied here can be told from a forgery. Never throws.
 */
export function readSignedMarker(
  text: unknown,
  kind: string,
  keys: readonly Buffer[],
  place: SignedPlace,
  claimedPlace: (data: unknown) => SignedPlace | undefined,
): SignedRead {
  const damaged: string[] = [];
  const markers = trailingMarkers(text, [kind], (t) => damaged.push(t.reason));
  if (markers.length === 0) return { ok: false, problem: 'missing', damaged };
  if (markers.length > 1 || damaged.length) return { ok: false, problem: 'several' };
  if (keys.length === 0) return { ok: false, problem: 'no_key' };
  const marker = markers[0]!;
  const keyIndex = verifyingKey(marker, keys, placeScope(place));
  if (keyIndex < 0) return unverified(marker, keys, claimedPlace);
  try {
    return { ok: true, data: JSON.parse(marker.json), keyIndex };
  } catch {
    return { ok: false, problem: 'not_json' };
  }
}

function unverified(
  marker: RawMarker,
  keys: readonly Buffer[],
  claimedPlace: (data: unknown) => SignedPlace | undefined,
): SignedRead {
  let claimed: SignedPlace | undefined;
  try {
    claimed = claimedPlace(JSON.parse(marker.json));
  } catch {
    // Not JSON: nobody with the key wrote it.
  }
  if (claimed && verifyMarker(marker, keys, placeScope(claimed)))
    return { ok: false, problem: 'misplaced', signedFor: claimed };
  return { ok: false, problem: 'forged' };
}

/** A string field of a parsed JSON object, if it is one. */
export function stringField(data: unknown, key: string): string | undefined {
  const value =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}
