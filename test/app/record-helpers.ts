// Setup for the app tests of `requires: staging`, which staging's signed state record meets: a repository
// whose production requires staging, and staging's record kept on the fake GitHub as the Action keeps it.
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub, FakeGitHubOptions, Permission } from '../fake-github/index.ts';
import { HEAD, deployYml, loadedProbot, owner, repo, rest, seededFake, testMarkerKeys } from './helpers.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';

/** A release of the repository before the pull request's head. */
export const BEFORE = fakeSha('release-before');

/** staging, and production which requires it; alice deploys production without approvals. */
export const REQUIRES_CONFIG = deployYml(`
  staging: {}
  production:
    approvals:
      requires: [staging]
      deployers: [alice]
      required: 0
`);

export interface RecordWorld {
  fake: FakeGitHub;
  probot: Probot;
  /** The App's clock (from 2026-12-01 08:00 UTC), unless the world runs on real time. */
  clock: { now: Date };
}

/**
 * Runs `body` against the App and a fake GitHub holding acme/web with REQUIRES_CONFIG, carol's pull request
 * (HEAD), the commit BEFORE and `commits`, and alice (plus `collaborators`) with write access; `tokens` are
 * extra REST tokens of the fake. Checks the fake saw no violations, and stops it.
 */
export async function inRequiresRepo(
  body: (w: RecordWorld) => Promise<void>,
  o: {
    tokens?: FakeGitHubOptions['tokens'];
    collaborators?: Record<string, Permission>;
    commits?: string[];
    realTime?: boolean;
  } = {},
): Promise<void> {
  const fake = await seededFake({
    ...(o.tokens ? { fake: { tokens: o.tokens } } : {}),
    config: REQUIRES_CONFIG,
    collaborators: { alice: 'write', ...o.collaborators },
  });
  fake.addCommit({ sha: BEFORE, message: 'before' });
  for (const sha of o.commits ?? []) fake.addCommit({ sha, message: sha });
  const clock = { now: new Date('2026-12-01T08:00:00Z') };
  const probot = await loadedProbot(fake, o.realTime ? {} : { now: () => clock.now });
  try {
    await body({ fake, probot, clock });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

/** Staging's state key, derived from the App's marker key as the App derives it. */
export const stagingKey = () => stateKey(testMarkerKeys().current, `${owner}/${repo}`, 'staging');

/** The body of a REST call creating a standard deployment of `sha` to staging, as a workflow makes it. */
export const stagingDeployment = (sha: string) => ({
  ref: sha,
  environment: 'staging',
  task: 'deploy',
  payload: { type: 'standard' },
  required_contexts: [],
  auto_merge: false,
});

let nextRun = 700;
/**
 * Staging's record `record` on GitHub as the Action keeps it (src/state/github-store.ts): a deployment of `sha`
 * (what is live) made with a workflow token, and its `deploy / staging` check run carrying the record signed
 * under `key` (staging's state key). Returns the deployment's id.
 */
export async function keepStagingRecord(
  fake: FakeGitHub,
  record: EnvironmentRecord,
  sha = record.live?.sha ?? HEAD,
  key = stagingKey(),
): Promise<number> {
  const { id } = await rest(fake, 'POST', '/deployments', stagingDeployment(sha));
  const place = { repository: `${owner}/${repo}`, environment: 'staging', deploymentId: String(id) };
  await rest(fake, 'POST', '/check-runs', {
    name: 'deploy / staging',
    head_sha: sha,
    status: 'in_progress',
    external_id: `deploy-action:${nextRun++}:deploy / staging:deployment-${id}`,
    output: { title: 'deploy', summary: 'deploying', text: signRecord(record, key, place) },
  });
  return id;
}

/** The deployments to production on the fake, oldest first. */
export const productionDeployments = (fake: FakeGitHub) =>
  [...fake.repo().deployments.values()].filter((d) => d.environment === 'production');
