// The environment record as it is kept on GitHub: a hidden marker (github/hidden-marker.ts) in the text of the
// `deploy / <environment>` check run, MAC'd under the environment's state key (state-key.ts) and bound to the
// repository, the environment and the deployment it is stored under. Anyone who can update a check run (any
// workflow's token in the repository) can change that text, but without the key cannot make a record that
// verifies, nor move a genuine one to another deployment unnoticed. Pure: no I/O.
import { appendMarkers, writeMarker } from '../github/hidden-marker.ts';
import { placeScope, readSignedMarker, stringField, type SignedPlace } from '../github/signed-place.ts';
import { parseRecord, type EnvironmentRecord, type RefusalCode } from './record.ts';

/**
 * GitHub's limit for a check run's output.text, in bytes of UTF-8 (its documentation says characters; its
 * answer says "exceeds a maximum bytesize"): a record whose details quote output in another script is up to
 * three times as long in bytes as in characters.
 */
export const MAX_TEXT = 65_535;
const KIND = 'state';
const PREFACE =
  'The deployment state of this environment, signed by deploy-action. Edits break its signature and are refused.';

/** Where a record is stored: the repository (owner/name), the environment and the GitHub deployment. */
export type RecordPlace = SignedPlace;

export type VerifiedRecord =
  /** `keyIndex`: which of the keys it verified under (the writer's: a reader in a rotation signs for it so). */
  | { ok: true; record: EnvironmentRecord; keyIndex: number }
  /**
   * `newer`: a genuine record of a later schema (store.ts StateRead). `signedFor`: where a `state_misplaced`
   * one was genuinely signed for (the repository's former name, after a rename: github-store.ts).
   */
  | { ok: false; code: RefusalCode; message: string; newer?: true; signedFor?: RecordPlace };

/**
 * The check run text that carries `record` for `place`, signed with `key`. When the record is too long for
 * the text, the oldest history entries are left out (the Deployments tab keeps them); throws only when even
 * a record without history does not fit, or when the record is for another repository or environment.
 */
export function signRecord(record: EnvironmentRecord, key: Buffer, place: RecordPlace): string {
  if (
    record.repository.toLowerCase() !== place.repository.toLowerCase() ||
    record.environment !== place.environment
  )
    throw new Error(
      `the record of ${record.repository} ${record.environment} cannot be stored for ${place.repository} ${place.environment}`,
    );
  const keys = { current: key, accepted: [key] };
  let kept = record;
  for (;;) {
    const text = appendMarkers(PREFACE, [
      writeMarker(KIND, { deployment: place.deploymentId, record: kept }, keys, placeScope(place)),
    ]);
    const bytes = Buffer.byteLength(text);
    if (bytes <= MAX_TEXT) return text;
    if (kept.history.length === 0)
      throw new Error(`the state record is ${bytes} bytes; a check run holds ${MAX_TEXT}`);
    kept = { ...kept, history: kept.history.slice(Math.ceil(kept.history.length / 2)) };
  }
}

/**
 * The record in a check run's text, if it verifies for `place` under one of `keys` (the current key first,
 * then a previous one during a rotation). Every other outcome is a refusal with its reason code; a refusal
 * is never "no record": text without one is refused too (the caller reads only check runs that must hold
 * one). Never throws. `former`: a name the caller knows this repository had (github-store.ts formerName): a
 * record signed for it, for the same environment and deployment, is read as this repository's, named so.
 */
export function verifyRecord(
  text: unknown,
  keys: readonly Buffer[],
  place: RecordPlace,
  former?: string,
): VerifiedRecord {
  const read = verifyAt(text, keys, place);
  if (read.ok || read.code !== 'state_misplaced' || former === undefined) return read;
  if (read.signedFor?.repository.toLowerCase() !== former.toLowerCase()) return read;
  const renamed = verifyAt(text, keys, { ...place, repository: former });
  return renamed.ok ? { ...renamed, record: { ...renamed.record, repository: place.repository } } : renamed;
}

function verifyAt(text: unknown, keys: readonly Buffer[], place: RecordPlace): VerifiedRecord {
  const where = `the state of ${place.environment} on deployment ${place.deploymentId}`;
  const read = readSignedMarker(text, KIND, keys, place, claimedPlace);
  if (!read.ok) {
    const forged = (message: string): VerifiedRecord => ({ ok: false, code: 'state_forged', message });
    switch (read.problem) {
      case 'missing':
        return forged(
          read.damaged?.length
            ? `${where} is not signed (${read.damaged.join(', ')})`
            : `${where} is missing from its deploy check run (removed, or never written)`,
        );
      case 'several':
        return forged(`${where}: more than one record in the check run`);
      case 'no_key':
        return { ok: false, code: 'state_unverifiable', message: `${where} cannot be checked: no state key` };
      case 'misplaced': {
        const claimed = read.signedFor!;
        return {
          ok: false,
          code: 'state_misplaced',
          message:
            `${where} is a genuine record of ${claimed.repository} ${claimed.environment} ` +
            `deployment ${claimed.deploymentId}, copied here`,
          signedFor: claimed,
        };
      }
      case 'forged':
        return forged(
          `${where} does not verify under the environment's state key (written by someone else, or edited)`,
        );
      case 'not_json':
        return { ok: false, code: 'state_corrupt', message: `${where} is not JSON` };
    }
  }
  const parsed = parseRecord((read.data as { record?: unknown } | null)?.record);
  if (!parsed.ok)
    return {
      ok: false,
      code: 'state_corrupt',
      // `was written by a newer deploy-action ...` reads on from where; a malformed field after a colon.
      message: `${where}${/^was /.test(parsed.message) ? ' ' : ': '}${parsed.message}`,
      ...(parsed.newer ? { newer: true as const } : {}),
    };
  const { record } = parsed;
  // Signed for this place, but about another: only a writer with the key could do that, and ours does not.
  if (
    record.repository.toLowerCase() !== place.repository.toLowerCase() ||
    record.environment !== place.environment
  )
    return {
      ok: false,
      code: 'state_misplaced',
      message: `${where} is the record of ${record.repository} ${record.environment}`,
    };
  return { ok: true, record, keyIndex: read.keyIndex };
}

/** Where a marker's JSON says it was signed for (checked by the MAC, never believed on its own). */
function claimedPlace(data: unknown): SignedPlace | undefined {
  const deploymentId = stringField(data, 'deployment');
  const record =
    typeof data === 'object' && data !== null ? (data as { record?: unknown }).record : undefined;
  const repository = stringField(record, 'repository');
  const environment = stringField(record, 'environment');
  return repository !== undefined && environment !== undefined && deploymentId !== undefined
    ? { repository, environment, deploymentId }
    : undefined;
}
