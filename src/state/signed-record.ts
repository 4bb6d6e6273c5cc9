// The environment record as it is kept on GitHub: a hidden marker (github/hidden-marker.ts) in the text of the
// `deploy / <environment>` check run, MAC'd under the environment's state key (state-key.ts) and bound to the
// repository, the environment and the deployment it is stored under. Anyone who can update a check run (any
// workflow's token in the repository) can change that text, but without the key cannot make a record that
// verifies, nor move a genuine one to another deployment unnoticed. Pure: no I/O.
import {
  appendMarkers,
  trailingMarkers,
  verifyMarker,
  writeMarker,
  type MarkerScope,
  type RawMarker,
} from '../github/hidden-marker.ts';
import { parseRecord, type EnvironmentRecord, type RefusalCode } from './record.ts';

/** GitHub's limit for a check run's output.text. */
export const MAX_TEXT = 65_535;
const KIND = 'state';
const PREFACE =
  'The deployment state of this environment, signed by deploy-action. Edits break its signature and are refused.';

/** Where a record is stored: the repository (owner/name), the environment and the GitHub deployment. */
export interface RecordPlace {
  repository: string;
  environment: string;
  deploymentId: string;
}

export type VerifiedRecord =
  { ok: true; record: EnvironmentRecord } | { ok: false; code: RefusalCode; message: string };

function scopeOf(place: RecordPlace): MarkerScope {
  // JSON keeps the two parts apart whatever characters an environment name holds.
  return { repository: place.repository, subject: JSON.stringify([place.environment, place.deploymentId]) };
}

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
      writeMarker(KIND, { deployment: place.deploymentId, record: kept }, keys, scopeOf(place)),
    ]);
    if (text.length <= MAX_TEXT) return text;
    if (kept.history.length === 0)
      throw new Error(`the state record is ${text.length} characters; a check run holds ${MAX_TEXT}`);
    kept = { ...kept, history: kept.history.slice(Math.ceil(kept.history.length / 2)) };
  }
}

/**
 * The record in a check run's text, if it verifies for `place` under one of `keys` (the current key first,
 * then a previous one during a rotation). Every other outcome is a refusal with its reason code; a refusal
 * is never "no record": text without one is refused too (the caller reads only check runs that must hold
 * one). Never throws.
 */
export function verifyRecord(text: unknown, keys: readonly Buffer[], place: RecordPlace): VerifiedRecord {
  const where = `the state of ${place.environment} on deployment ${place.deploymentId}`;
  const damaged: string[] = [];
  const markers = trailingMarkers(text, [KIND], (t) => damaged.push(t.reason));
  if (markers.length === 0)
    return {
      ok: false,
      code: 'state_forged',
      message: damaged.length
        ? `${where} is not signed (${damaged.join(', ')})`
        : `${where} is missing from its deploy check run (removed, or never written)`,
    };
  if (markers.length > 1 || damaged.length)
    return { ok: false, code: 'state_forged', message: `${where}: more than one record in the check run` };
  if (keys.length === 0)
    return { ok: false, code: 'state_unverifiable', message: `${where} cannot be checked: no state key` };
  const marker = markers[0]!;
  if (!verifyMarker(marker, keys, scopeOf(place))) return unverified(marker, keys, place, where);
  let data: unknown;
  try {
    data = JSON.parse(marker.json);
  } catch {
    return { ok: false, code: 'state_corrupt', message: `${where} is not JSON` };
  }
  const parsed = parseRecord((data as { record?: unknown } | null)?.record);
  if (!parsed.ok) return { ok: false, code: 'state_corrupt', message: `${where}: ${parsed.message}` };
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
  return { ok: true, record };
}

/** A MAC that does not verify here: made for another place (a genuine record copied) or by someone else. */
function unverified(
  marker: RawMarker,
  keys: readonly Buffer[],
  place: RecordPlace,
  where: string,
): VerifiedRecord {
  let claimed: RecordPlace | undefined;
  try {
    const data = JSON.parse(marker.json) as {
      deployment?: unknown;
      record?: { repository?: unknown; environment?: unknown };
    };
    const { deployment } = data;
    const { repository, environment } = data.record ?? {};
    if (typeof deployment === 'string' && typeof repository === 'string' && typeof environment === 'string')
      claimed = { repository, environment, deploymentId: deployment };
  } catch {
    claimed = undefined;
  }
  if (claimed && verifyMarker(marker, keys, scopeOf(claimed)))
    return {
      ok: false,
      code: 'state_misplaced',
      message:
        `${where} is a genuine record of ${claimed.repository} ${claimed.environment} ` +
        `deployment ${claimed.deploymentId}, copied here`,
    };
  return {
    ok: false,
    code: 'state_forged',
    message: `${where} does not verify under the environment's state key (written by someone else, or edited)`,
  };
}
