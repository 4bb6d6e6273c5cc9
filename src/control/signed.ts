// A control request as it is kept on GitHub (issue 14): a hidden marker (github/hidden-marker.ts) of kind
// `control` in the text of a `rollout / <environment>` check run, MAC'd under the environment's state key
// (src/state/state-key.ts) like the environment record (src/state/signed-record.ts), and bound to the
// repository, the environment and the deployment it is for. Anyone who can create a check run can give it
// that name, but without the key cannot make a request that verifies, nor move a genuine one to another
// environment or deployment unnoticed. Pure: no I/O.
import { appendMarkers, writeMarker } from '../github/hidden-marker.ts';
import { placeScope, readSignedMarker, stringField, type SignedPlace } from '../github/signed-place.ts';
import type { ControlPlace } from './github-channel.ts';
import { readControlRequest, type ControlRequest } from './request.ts';

export const CONTROL_KIND = 'control';
/** GitHub's limit for a check run's output.text. */
export const MAX_CONTROL_TEXT = 65_535;
const PREFACE =
  'A request to a rollout in progress, signed by deploy-action. Edits break its signature and are refused.';

export type ControlRefusalCode = 'control_forged' | 'control_misplaced' | 'control_corrupt';

export type VerifiedControl =
  | { ok: true; request: ControlRequest }
  | {
      ok: false;
      code: ControlRefusalCode;
      message: string;
      /** For `control_misplaced`: the place the request was genuinely signed for. */
      signedFor?: ControlPlace;
    };

/** What the marker's JSON holds: the place (so a copy can be told from a forgery) and the request. */
interface ControlData {
  repository: string;
  environment: string;
  deployment: string;
  request: ControlRequest;
}

/**
 * The check run text that carries `request` for `place`, signed with `key`. Throws when the request is for
 * another deployment than `place` (a caller bug: it would never verify there).
 */
export function signControlRequest(request: ControlRequest, key: Buffer, place: ControlPlace): string {
  if (request.deploymentId !== place.deploymentId)
    throw new Error(
      `a request for deployment ${request.deploymentId} cannot be stored for deployment ${place.deploymentId}`,
    );
  const data: ControlData = {
    repository: place.repository,
    environment: place.environment,
    deployment: place.deploymentId,
    request,
  };
  const keys = { current: key, accepted: [key] };
  const text = appendMarkers(PREFACE, [writeMarker(CONTROL_KIND, data, keys, placeScope(place))]);
  // The schema bounds every field, so this only fails on a caller bypassing it.
  if (text.length > MAX_CONTROL_TEXT)
    throw new Error(
      `the control request is ${text.length} characters; a check run holds ${MAX_CONTROL_TEXT}`,
    );
  return text;
}

/**
 * Does `text` claim to carry a control request at all (a marker line of our kind anywhere, damaged or not)?
 * A check run of that name without one (the App's wait notice, or anyone's plain text) holds no request and
 * is neither read nor refused.
 */
export function carriesControlRequest(text: unknown): boolean {
  return typeof text === 'string' && text.includes(`<!-- deploy-action:${CONTROL_KIND}`);
}

/**
 * The request in a check run's text, if it verifies for `place` under one of `keys` (the current key first,
 * then a previous one during a rotation). Text without a request is refused too (`control_forged`): callers
 * use carriesControlRequest first to skip check runs that claim none. Never throws.
 */
export function verifyControlText(
  text: unknown,
  keys: readonly Buffer[],
  place: ControlPlace,
): VerifiedControl {
  const where = `the control request for ${place.environment} deployment ${place.deploymentId}`;
  const read = readSignedMarker(text, CONTROL_KIND, keys, place, claimedPlace);
  if (!read.ok) {
    const forged = (message: string): VerifiedControl => ({ ok: false, code: 'control_forged', message });
    switch (read.problem) {
      case 'missing':
        return forged(
          read.damaged?.length
            ? `${where} is not signed (${read.damaged.join(', ')})`
            : `${where} is missing`,
        );
      case 'several':
        return forged(`${where}: more than one request in the check run`);
      case 'no_key':
        return forged(`${where} cannot be checked: no state key`);
      case 'misplaced': {
        const claimed = read.signedFor!;
        return {
          ok: false,
          code: 'control_misplaced',
          message:
            `${where} is a genuine request for ${claimed.repository} ${claimed.environment} ` +
            `deployment ${claimed.deploymentId}`,
          signedFor: claimed,
        };
      }
      case 'forged':
        return forged(
          `${where} does not verify under the environment's state key (written by someone else, or edited)`,
        );
      case 'not_json':
        return { ok: false, code: 'control_corrupt', message: `${where} is not JSON` };
    }
  }
  const parsed = readControlRequest((read.data as { request?: unknown } | null)?.request);
  if (!parsed.ok) return { ok: false, code: 'control_corrupt', message: `${where}: ${parsed.message}` };
  // Signed for this place, but naming another deployment: only a writer with the key could do that.
  if (parsed.request.deploymentId !== place.deploymentId)
    return {
      ok: false,
      code: 'control_misplaced',
      message: `${where} is a request for deployment ${parsed.request.deploymentId}`,
    };
  return { ok: true, request: parsed.request };
}

/** Where a marker's JSON says it was signed for (checked by the MAC, never believed on its own). */
function claimedPlace(data: unknown): SignedPlace | undefined {
  const repository = stringField(data, 'repository');
  const environment = stringField(data, 'environment');
  const deploymentId = stringField(data, 'deployment');
  return repository !== undefined && environment !== undefined && deploymentId !== undefined
    ? { repository, environment, deploymentId }
    : undefined;
}
