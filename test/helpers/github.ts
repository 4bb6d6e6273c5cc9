// The fake GitHub as unit tests of GitHub calls use it: the repository acme/web with one commit, checked
// for violations of GitHub's OpenAPI description once the test is done, and the deployment the action
// creates in it.
import {
  createFakeGitHub,
  type FakeGitHub,
  type FakeGitHubOptions,
  type SeedRepoOptions,
} from '../fake-github/index.ts';

/**
 * Runs `run` against a fake GitHub holding acme/web (with `seed`) and one commit `sha` on top of its default
 * branch; asserts that no request broke GitHub's OpenAPI description, and stops the fake whatever happens.
 * `options` are the fake's own (createFakeGitHub).
 */
export async function withFakeRepo(
  run: (gh: FakeGitHub, sha: string) => Promise<void>,
  seed: Omit<SeedRepoOptions, 'owner' | 'repo'> = {},
  options: FakeGitHubOptions = {},
): Promise<void> {
  const gh = await createFakeGitHub(options);
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', ...seed });
    const sha = gh.addCommit({ message: 'x' });
    await run(gh, sha);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

/** The createDeployment parameters of a production deployment of `sha` in acme/web, as the action sends them. */
export function productionDeployment(sha: string) {
  return {
    owner: 'acme',
    repo: 'web',
    ref: sha,
    environment: 'production',
    required_contexts: [] as string[],
    auto_merge: false,
  };
}
