// GitHub Deployments: the last successful deployment of an environment (for "commits since" and for
// /rollback), and creating a deployment safely when a create may have landed before an error.
import { randomBytes } from 'node:crypto';
import { parseDeploymentPayload, type DeploymentPayload } from './deployment-payload.ts';
import type { DeploymentState } from './status-comment.ts';
import { writeOnce } from './write-once.ts';
import { jsonOrUndefined } from '../util/json-or-undefined.ts';

interface DeploymentData {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  created_at: string;
  creator?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
}

/** Who made a deployment, as GitHub lists it: a dedupe key is only the caller's word on one it made itself. */
export type MadeByCaller = (
  deployment: Pick<DeploymentData, 'creator' | 'performed_via_github_app'>,
) => boolean;

export interface DeploymentsApi {
  repos: {
    listDeployments(p: {
      owner: string;
      repo: string;
      environment?: string;
      sha?: string;
      task?: string;
      per_page: number;
      page?: number;
    }): Promise<{ data: DeploymentData[] }>;
    listDeploymentStatuses(p: {
      owner: string;
      repo: string;
      deployment_id: number;
      per_page: number;
    }): Promise<{ data: Array<{ state: string }> }>;
  };
}

export interface CreateDeploymentApi extends DeploymentsApi {
  repos: DeploymentsApi['repos'] & {
    createDeployment(p: {
      owner: string;
      repo: string;
      ref: string;
      environment: string;
      task: string;
      description: string;
      payload: Record<string, unknown>;
      required_contexts: string[];
      auto_merge: boolean;
      production_environment: boolean;
      transient_environment: boolean;
      request?: { retries: number };
    }): Promise<{ status: number; data: unknown }>;
  };
}

export interface KnownDeployment {
  id: number;
  sha: string;
  version?: string;
  payload?: DeploymentPayload;
}

/**
 * The newest deployment of `environment` whose latest status is success: the one live now (GitHub marks
 * earlier successes inactive, and those are not what is live). Looks at most `maxLookups` deployments, one
 * request each, newest first.
 */
export async function lastSuccessfulDeployment(
  api: DeploymentsApi,
  where: { owner: string; repo: string; environment: string; excludeId?: number },
  maxLookups = 10,
): Promise<KnownDeployment | undefined> {
  const { data } = await api.repos.listDeployments({
    owner: where.owner,
    repo: where.repo,
    environment: where.environment,
    per_page: Math.min(100, maxLookups + 1),
  });
  let looked = 0;
  for (const d of data) {
    if (d.id === where.excludeId) continue;
    if (++looked > maxLookups) break;
    const { data: statuses } = await api.repos.listDeploymentStatuses({
      owner: where.owner,
      repo: where.repo,
      deployment_id: d.id,
      per_page: 1,
    });
    if (statuses[0]?.state === 'success') {
      let payload: DeploymentPayload | undefined;
      try {
        payload = parseDeploymentPayload(d.payload);
      } catch {
        payload = undefined;
      }
      return { id: d.id, sha: d.sha, version: payload?.version, payload };
    }
  }
  return undefined;
}

/** The de-duplication key of a deployment the App makes for a PR comment. */
export const commentDedupeKey = (commentId: number): string => `comment:${commentId}`;

/** The de-duplication key of a deployment the Action makes for its own run (a push, a dispatch). */
export const runDedupeKey = (runId: string, attempt: string, environment: string): string =>
  `run:${runId}-${attempt}-${environment}`;

/** The key a deployment was created under, if it was created by this product. */
export function dedupeKeyOf(payload: unknown): string | undefined {
  return payloadField(payload, 'dedupe_key');
}

/** A string field of a deployment's payload (an object, or JSON text for some clients). */
function payloadField(payload: unknown, field: string): string | undefined {
  const value = typeof payload === 'string' ? jsonOrUndefined(payload) : payload;
  const found = (value as Record<string, unknown> | null | undefined)?.[field];
  return typeof found === 'string' ? found : undefined;
}

/**
 * The one path that creates GitHub deployments (the App's /deploy and the Action's own runs), without ever
 * making two: the create is not retried blindly (a 5xx may hide a deployment that was made); instead its
 * `dedupe_key` is looked for among the SHA's deployments first.
 *
 * Without `madeByCaller` (the Action) the creator's login does not tell this run's deployment from another's:
 * every workflow's GITHUB_TOKEN creates as github-actions[bot], and the key is known to anyone once the run
 * starts. So the create also carries `create_nonce`, random and made here, which no one could have put in a
 * deployment before this call sent it; a deployment is taken after a lost answer only with it, the oldest (a
 * copy made after seeing ours comes later).
 */
export async function createDeploymentOnce(
  api: CreateDeploymentApi,
  params: {
    owner: string;
    repo: string;
    sha: string;
    environment: string;
    description: string;
    payload: DeploymentPayload & { dedupe_key: string };
    production: boolean;
    transient: boolean;
    /**
     * Which deployments the caller made (the App: its bot login). Anyone with `deployments: write` can create
     * one at the SHA whose payload carries the key; without this, such a deployment is taken as the one asked.
     */
    madeByCaller?: MadeByCaller;
    /**
     * Without madeByCaller: the login of the caller's token (the Action's), asked only when a lost answer is
     * looked for; undefined when it cannot be told, and then the key alone decides.
     */
    callerLogin?: () => Promise<string | undefined>;
  },
  attempts = 3,
): Promise<{ id: number; url?: string }> {
  const nonce = params.madeByCaller ? undefined : randomBytes(16).toString('hex');
  const payload = nonce ? { ...params.payload, create_nonce: nonce } : params.payload;
  return writeOnce({
    attempts,
    landed: async () =>
      findByDedupeKey(api, {
        ...params,
        payload,
        madeByCaller: params.madeByCaller ?? madeBy(await params.callerLogin?.()),
      }),
    async write() {
      const { status, data } = await api.repos.createDeployment({
        owner: params.owner,
        repo: params.repo,
        ref: params.sha,
        environment: params.environment,
        task: DEPLOY_TASK,
        description: params.description,
        payload,
        // The gates run in this job; GitHub's commit-status check would only duplicate them.
        required_contexts: [],
        auto_merge: false,
        production_environment: params.production,
        transient_environment: params.transient,
        request: { retries: 0 },
      });
      // 202 is GitHub's "merged the default branch first" answer, which auto_merge: false rules out.
      if (status !== 201) throw new Error(`GitHub did not create the deployment (HTTP ${status})`);
      const d = data as { id: number; url?: string };
      return { id: d.id, url: d.url };
    },
  });
}

export interface DeploymentStatusApi {
  repos: {
    createDeploymentStatus(p: {
      owner: string;
      repo: string;
      deployment_id: number;
      state: DeploymentState;
      description: string;
      log_url?: string;
      environment_url?: string;
      auto_inactive?: boolean;
      request?: { retries: number };
    }): Promise<{ data: { id: number } }>;
    listDeploymentStatuses(p: {
      owner: string;
      repo: string;
      deployment_id: number;
      per_page: number;
    }): Promise<{
      data: Array<{
        id: number;
        state: string;
        description?: string | null;
        log_url?: string;
        environment_url?: string;
      }>;
    }>;
  };
}

/**
 * Sets a deployment status without ever writing it twice: when the answer to a write is lost, the
 * deployment's newest status is read first, and if it is the very status being written, that one landed.
 * (The newest, not any: a rerun may rightly repeat an older status after a later one.)
 */
export async function createDeploymentStatusOnce(
  api: DeploymentStatusApi,
  params: {
    owner: string;
    repo: string;
    deploymentId: number;
    state: DeploymentState;
    description: string;
    logUrl?: string;
    environmentUrl?: string;
    /** false: a `success` does not mark the environment's other deployments inactive (GitHub's default: it does). */
    autoInactive?: boolean;
  },
  attempts = 3,
): Promise<{ id: number }> {
  const where = { owner: params.owner, repo: params.repo, deployment_id: params.deploymentId };
  return writeOnce({
    attempts,
    async landed() {
      const { data } = await api.repos.listDeploymentStatuses({ ...where, per_page: 1 });
      const newest = data[0];
      const same =
        newest !== undefined &&
        newest.state === params.state &&
        (newest.description ?? '') === params.description &&
        (params.logUrl === undefined || newest.log_url === params.logUrl) &&
        (params.environmentUrl === undefined || newest.environment_url === params.environmentUrl);
      return same ? { id: newest.id } : undefined;
    },
    async write() {
      const { data } = await api.repos.createDeploymentStatus({
        ...where,
        state: params.state,
        description: params.description,
        ...(params.logUrl ? { log_url: params.logUrl } : {}),
        ...(params.environmentUrl ? { environment_url: params.environmentUrl } : {}),
        ...(params.autoInactive !== undefined ? { auto_inactive: params.autoInactive } : {}),
        request: { retries: 0 },
      });
      return { id: data.id };
    },
  });
}

/**
 * Deployments whose creator is `login` (case-insensitive), as the status comment's author is matched; undefined
 * when the login is unknown.
 */
export function madeBy(login: string | undefined): MadeByCaller | undefined {
  if (!login) return undefined;
  const ours = login.toLowerCase();
  return (d) => d.creator?.login.toLowerCase() === ours;
}

/** The task of every deployment createDeploymentOnce makes (GitHub's default, written out). */
const DEPLOY_TASK = 'deploy';

/**
 * The most deployments of one SHA, environment and task findByDedupeKey reads (in pages of 100, newest first).
 * Ours is among the newest when a lost answer is looked up; more than this many of the same commit and
 * environment is a flood (anyone with `deployments: write` can make them), and the lookup then fails rather
 * than conclude ours is missing and create it a second time.
 */
export const MAX_DEDUPE_LOOKUP = 300;
const DEDUPE_PAGE = 100;

/** A lookup by key that could not read every deployment it had to (MAX_DEDUPE_LOOKUP). */
export class DedupeLookupTooLong extends Error {
  constructor(p: { sha: string; environment: string }) {
    super(
      `${MAX_DEDUPE_LOOKUP} or more deployments of commit ${p.sha.slice(0, 12)} to environment "${p.environment}" (task "${DEPLOY_TASK}"), more than are read: whether the deployment whose answer was lost was created cannot be told, so it is not created again; delete the extra deployments and run again`,
    );
    this.name = 'DedupeLookupTooLong';
  }
}

/**
 * The SHA's deployment made under the same key, if one exists (the create landed, or was made before). Reads
 * every deployment of the SHA, environment and task (GitHub filters them), up to MAX_DEDUPE_LOOKUP: with that many
 * or more it throws DedupeLookupTooLong, never "not found".
 */
export async function findByDedupeKey(
  api: DeploymentsApi,
  p: {
    owner: string;
    repo: string;
    sha: string;
    environment: string;
    /** With `create_nonce`: only a deployment carrying it too (see createDeploymentOnce). */
    payload: { dedupe_key: string; create_nonce?: string };
    madeByCaller?: MadeByCaller;
  },
): Promise<{ id: number } | undefined> {
  const data: DeploymentData[] = [];
  for (let page = 1; ; page++) {
    if (page > MAX_DEDUPE_LOOKUP / DEDUPE_PAGE) throw new DedupeLookupTooLong(p);
    const { data: listed } = await api.repos.listDeployments({
      owner: p.owner,
      repo: p.repo,
      sha: p.sha,
      environment: p.environment,
      task: DEPLOY_TASK,
      per_page: DEDUPE_PAGE,
      page,
    });
    data.push(...listed);
    if (listed.length < DEDUPE_PAGE) break;
  }
  const nonce = p.payload.create_nonce;
  // The oldest: a deployment copying ours (its key, its nonce once seen) can only come after it.
  const found = data
    .filter(
      (d) =>
        dedupeKeyOf(d.payload) === p.payload.dedupe_key &&
        (nonce === undefined || payloadField(d.payload, 'create_nonce') === nonce) &&
        (p.madeByCaller?.(d) ?? true),
    )
    .sort((a, b) => a.id - b.id)[0];
  return found ? { id: found.id } : undefined;
}

export interface CompareApi {
  repos: {
    compareCommitsWithBasehead(p: {
      owner: string;
      repo: string;
      basehead: string;
      per_page: number;
    }): Promise<{
      data: {
        total_commits: number;
        commits: Array<{
          sha: string;
          commit: { message: string; author: { name?: string } | null };
          author: { login?: string } | null;
        }>;
      };
    }>;
  };
}

/** The commits in `head` that `base` lacks, newest last (GitHub's compare; at most 250 listed). */
export async function commitsSince(
  api: CompareApi,
  where: { owner: string; repo: string; base: string; head: string },
): Promise<{ total: number; commits: Array<{ sha: string; message: string; author?: string }> }> {
  const { data } = await api.repos.compareCommitsWithBasehead({
    owner: where.owner,
    repo: where.repo,
    basehead: `${where.base}...${where.head}`,
    per_page: 100,
  });
  return {
    total: data.total_commits,
    commits: data.commits.map((c) => ({
      sha: c.sha,
      message: c.commit.message,
      author: c.author?.login ?? c.commit.author?.name ?? undefined,
    })),
  };
}
