// GitHub Deployments: the last successful deployment of an environment (for "commits since" and for
// /rollback), and creating a deployment safely when a create may have landed before an error.
import { abortableSleep } from '../util/sleep.ts';
import { parseDeploymentPayload, type DeploymentPayload } from './deployment-payload.ts';

interface DeploymentData {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  created_at: string;
}

export interface DeploymentsApi {
  repos: {
    listDeployments(p: {
      owner: string;
      repo: string;
      environment?: string;
      sha?: string;
      per_page: number;
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

/**
 * Creates a deployment without ever making two: the create is not retried blindly (a 5xx may hide a
 * deployment that was made); instead the run's key is looked for among the SHA's deployments first.
 */
export async function createDeploymentOnce(
  api: CreateDeploymentApi,
  params: {
    owner: string;
    repo: string;
    sha: string;
    environment: string;
    description: string;
    payload: DeploymentPayload & { run_key: string };
    production: boolean;
    transient: boolean;
  },
  attempts = 3,
): Promise<{ id: number; url?: string }> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      // Without knowing whether the first create landed, creating again could make a duplicate: wait for
      // the lookup to work instead.
      let existing: { id: number } | undefined;
      try {
        existing = await findByRunKey(api, params);
      } catch (error) {
        lastError = error;
        await abortableSleep(250 * attempt);
        continue;
      }
      if (existing) return existing;
    }
    try {
      const { status, data } = await api.repos.createDeployment({
        owner: params.owner,
        repo: params.repo,
        ref: params.sha,
        environment: params.environment,
        task: 'deploy',
        description: params.description,
        payload: params.payload,
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
    } catch (error) {
      lastError = error;
      const status = (error as { status?: number }).status;
      // Client errors will not change by retrying.
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) throw error;
      await abortableSleep(250 * attempt);
    }
  }
  throw lastError;
}

async function findByRunKey(
  api: DeploymentsApi,
  p: { owner: string; repo: string; sha: string; environment: string; payload: { run_key: string } },
): Promise<{ id: number } | undefined> {
  const { data } = await api.repos.listDeployments({
    owner: p.owner,
    repo: p.repo,
    sha: p.sha,
    environment: p.environment,
    per_page: 30,
  });
  for (const d of data) {
    const payload = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
    if ((payload as { run_key?: string } | null)?.run_key === p.payload.run_key) return { id: d.id };
  }
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
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
