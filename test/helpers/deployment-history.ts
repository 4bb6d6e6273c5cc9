// A deployment history on the fake GitHub, made through the REST API at chosen times (the fake's clock is
// moved for each write), for the delivery-metrics tests and bench.
import { createGitHubClient, type GitHubClient } from '../../src/github/client.ts';
import { createFakeGitHub, type FakeGitHub } from '../fake-github/index.ts';

export const OWNER = 'acme';
export const REPO = 'web';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface HistoryFake {
  fake: FakeGitHub;
  /** The fake's clock (epoch ms); writes are stamped with it. */
  clock: { now: number };
  octokit: GitHubClient;
  counter: ReturnType<typeof createGitHubClient>['counter'];
}

/** A fake holding acme/web with the clock at `start`, and the product's own client for it. */
export async function historyFake(start: number): Promise<HistoryFake> {
  const clock = { now: start };
  const fake = await createFakeGitHub({ now: () => new Date(clock.now) });
  fake.seedRepo({ owner: OWNER, repo: REPO, collaborators: { alice: 'write' } });
  const { octokit, counter } = createGitHubClient({
    token: 'test-token',
    baseUrl: fake.url,
    retries: 0,
    writeIntervalMs: 0,
  });
  return { fake, clock, octokit, counter };
}

export interface PlannedDeployment {
  environment: string;
  /** When the change's first commit was made (ms). */
  committedAt: number;
  createdAt: number;
  /** Statuses after creation: state and when. */
  statuses: Array<{
    state: 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';
    at: number;
    description?: string;
  }>;
  type?: 'standard' | 'hotfix' | 'rollback';
  /** Make the commit a pull request's (its first commit, number given). */
  pr?: number;
}

/** Makes each planned deployment through the REST API, in time order of its writes. */
export async function makeHistory(h: HistoryFake, plan: readonly PlannedDeployment[]): Promise<number[]> {
  const ids: number[] = [];
  // Plain fetch, not the client under test: seeding hundreds of deployments through Octokit's throttling
  // would take seconds. The fake checks these requests against the OpenAPI description all the same.
  const post = async (path: string, body: unknown): Promise<{ id: number }> => {
    const response = await fetch(`${h.fake.url}/repos/${OWNER}/${REPO}${path}`, {
      method: 'POST',
      headers: { authorization: 'token test-token', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201)
      throw new Error(`seeding ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: number };
  };
  const writes: Array<{ at: number; run: () => Promise<void> }> = [];
  plan.forEach((p, i) => {
    let id = 0;
    writes.push({
      at: p.committedAt,
      run: async () => {
        const sha = h.fake.addCommit({ message: `change ${i}` });
        if (p.pr !== undefined) {
          const repo = h.fake.repo();
          repo.pulls.set(p.pr, {
            number: p.pr,
            title: `PR ${p.pr}`,
            body: '',
            user: 'alice',
            headRef: `pr-${p.pr}`,
            headSha: sha,
            baseRef: 'main',
            state: 'open',
            draft: false,
            commits: [sha],
            reviews: [],
            reviewThreads: [],
            createdAt: new Date(h.clock.now).toISOString(),
          });
        }
        shas[i] = sha;
      },
    });
    writes.push({
      at: p.createdAt,
      run: async () => {
        ({ id } = await post('/deployments', {
          ref: shas[i]!,
          environment: p.environment,
          required_contexts: [],
          auto_merge: false,
          payload: { type: p.type ?? 'standard', version: `v${i}` },
        }));
        ids[i] = id;
      },
    });
    for (const s of p.statuses)
      writes.push({
        at: s.at,
        run: async () => {
          await post(`/deployments/${id}/statuses`, { state: s.state, description: s.description ?? '' });
        },
      });
  });
  const shas: string[] = [];
  // Stable by time: equal times keep the plan's order (commit, create, statuses).
  writes.sort((a, b) => a.at - b.at);
  for (const w of writes) {
    h.clock.now = w.at;
    await w.run();
  }
  return ids;
}
