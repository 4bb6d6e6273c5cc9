// Where scheduled and queued requests live on GitHub (record.ts says what is in them): one ref per request,
// listed with one request for the whole repository, so checking for due requests on every trigger costs one
// request when there are none. Claims are refs too: creating a ref is atomic on GitHub, so of two replicas
// (or a redelivery, or a /cancel-deploy racing the start) exactly one starts or cancels a request.
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import {
  claimRefName,
  readScheduleMessage,
  refParts,
  SCHEDULE_REF_PREFIX,
  scheduleMessage,
  scheduleRefName,
} from './record.ts';
import type { ScheduledRequest } from './record.ts';

/** The Octokit calls the store uses (pass `octokit.rest`), so tests can hand in a tiny fake. */
export interface ScheduleApi {
  git: {
    createTag(params: {
      owner: string;
      repo: string;
      tag: string;
      message: string;
      object: string;
      type: 'commit';
    }): Promise<{ data: { sha: string } }>;
    getTag(params: {
      owner: string;
      repo: string;
      tag_sha: string;
    }): Promise<{ data: { message: string; object: { sha: string; type: string } } }>;
    createRef(params: { owner: string; repo: string; ref: string; sha: string }): Promise<unknown>;
    getRef(params: { owner: string; repo: string; ref: string }): Promise<unknown>;
    deleteRef(params: { owner: string; repo: string; ref: string }): Promise<unknown>;
    listMatchingRefs(params: {
      owner: string;
      repo: string;
      ref: string;
    }): Promise<{ data: Array<{ ref: string; object: { sha: string; type: string } }> }>;
  };
}

interface Where {
  owner: string;
  repo: string;
}

const status = (error: unknown): number | undefined => (error as { status?: number }).status;
const message = (error: unknown): string => (error as { message?: string }).message ?? '';
const alreadyExists = (error: unknown): boolean =>
  status(error) === 422 && /already exists/i.test(message(error));
const gone = (error: unknown): boolean =>
  status(error) === 404 || (status(error) === 422 && /does not exist/i.test(message(error)));

export interface RefusedRecord {
  ref: string;
  code: 'schedule_forged' | 'schedule_corrupt';
  reason: string;
}

export interface ScheduleList {
  requests: ScheduledRequest[];
  /** Refs under refs/deploy-schedule/ that are not a request the App wrote: never acted on, reported. */
  refused: RefusedRecord[];
}

/** Every request of the repository: one listing, and one read per request. */
export async function listRequests(api: ScheduleApi, where: Where, keys: MarkerKeys): Promise<ScheduleList> {
  // matching-refs is not paginated: GitHub returns every matching ref at once.
  const { data: refs } = await api.git.listMatchingRefs({ ...where, ref: SCHEDULE_REF_PREFIX });
  const out: ScheduleList = { requests: [], refused: [] };
  const repository = `${where.owner}/${where.repo}`;
  await Promise.all(
    refs.map(async ({ ref, object }) => {
      const parts = refParts(ref);
      if (!parts || object.type !== 'tag') {
        out.refused.push({ ref, code: 'schedule_forged', reason: 'not a request the App wrote' });
        return;
      }
      let tag;
      try {
        ({ data: tag } = await api.git.getTag({ ...where, tag_sha: object.sha }));
      } catch (error) {
        if (gone(error)) return;
        throw error;
      }
      const read = readScheduleMessage(tag.message, keys, {
        repository,
        ...parts,
        taggedSha: tag.object.type === 'commit' ? tag.object.sha : '',
      });
      if (read.ok) out.requests.push(read.request);
      else out.refused.push({ ref, code: read.code, reason: read.reason });
    }),
  );
  return out;
}

export type RecordResult = 'recorded' | 'already_recorded' | 'invalid_environment';

/** Writes a request: its signed tag on the commit, then its ref (a request id is written once). */
export async function recordRequest(
  api: ScheduleApi,
  where: Where,
  keys: MarkerKeys,
  request: ScheduledRequest,
): Promise<RecordResult> {
  const ref = scheduleRefName(request.environment, request.id);
  if (!ref) return 'invalid_environment';
  const tag = await api.git.createTag({
    ...where,
    tag: ref.replace(/\//g, '-'),
    message: scheduleMessage(request, keys, `${where.owner}/${where.repo}`),
    object: request.sha,
    type: 'commit',
  });
  try {
    await api.git.createRef({ ...where, ref: `refs/${ref}`, sha: tag.data.sha });
    return 'recorded';
  } catch (error) {
    if (alreadyExists(error)) return 'already_recorded';
    throw error;
  }
}

/**
 * Claims a request so this caller alone starts or cancels it: true when this call created the claim. The
 * claim is then checked against the request's ref: a claim made after another caller finished (it removes
 * the request, then its claim) finds the request gone, gives the claim back and returns false.
 */
export async function claimRequest(
  api: ScheduleApi,
  where: Where,
  request: ScheduledRequest,
): Promise<boolean> {
  const claim = claimRefName(request.id);
  try {
    await api.git.createRef({ ...where, ref: `refs/${claim}`, sha: request.sha });
  } catch (error) {
    if (alreadyExists(error)) return false;
    throw error;
  }
  const ref = scheduleRefName(request.environment, request.id)!;
  try {
    await api.git.getRef({ ...where, ref });
    return true;
  } catch (error) {
    if (!gone(error)) throw error;
  }
  await releaseClaim(api, where, request);
  return false;
}

/** Gives a claim back (the start failed part-way and should be tried again by the next trigger). */
export async function releaseClaim(api: ScheduleApi, where: Where, request: ScheduledRequest): Promise<void> {
  await api.git.deleteRef({ ...where, ref: claimRefName(request.id) }).catch((error: unknown) => {
    if (!gone(error)) throw error;
  });
}

/**
 * Removes a claimed request: its ref first, then the claim. If removing the ref fails the claim stays, so
 * nobody starts the request again; the next caller to list it cannot claim it either.
 */
export async function removeRequest(
  api: ScheduleApi,
  where: Where,
  request: ScheduledRequest,
): Promise<void> {
  const ref = scheduleRefName(request.environment, request.id)!;
  try {
    await api.git.deleteRef({ ...where, ref });
  } catch (error) {
    if (!gone(error)) throw error;
  }
  await releaseClaim(api, where, request);
}
