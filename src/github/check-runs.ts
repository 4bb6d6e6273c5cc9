// Check-run writes that are not safe to repeat blindly: a create (a second one would be a second check run)
// and an update that adds annotations (GitHub appends them, so a repeat would list each twice). When the
// answer to either is lost, what landed is looked up first (write-once.ts).
import { checkRunsThroughSuites } from './app-check-runs.ts';
import type { CheckSuitesApi, ListedCheckRun } from './app-check-runs.ts';
import { writeOnce } from './write-once.ts';

export interface CheckRunsApi {
  checks: {
    create(p: {
      owner: string;
      repo: string;
      name: string;
      head_sha: string;
      external_id: string;
      request?: { retries: number };
      [field: string]: unknown;
    }): Promise<{ data: { id: number } }>;
    update(p: {
      owner: string;
      repo: string;
      check_run_id: number;
      request?: { retries: number };
      [field: string]: unknown;
    }): Promise<unknown>;
    get(p: {
      owner: string;
      repo: string;
      check_run_id: number;
    }): Promise<{ data: { output: { annotations_count: number } } }>;
  } & CheckSuitesApi<ListedCheckRun & { external_id: string | null }>['checks'];
}

/**
 * Creates a check run once. `externalId` must be unique to this write (the reporter uses one per run and
 * check name): it is how a check run that landed without an answer is found again.
 */
export async function createCheckRunOnce(
  api: CheckRunsApi,
  params: { owner: string; repo: string; name: string; head_sha: string; external_id: string } & Record<
    string,
    unknown
  >,
  attempts = 3,
): Promise<{ id: number }> {
  return writeOnce({
    attempts,
    landed: () => findCheckRun(api, params),
    async write() {
      const { data } = await api.checks.create({ ...params, request: { retries: 0 } });
      return { id: data.id };
    },
  });
}

/**
 * The check run this run made under `external_id`, if there is one. Read through the commit's check suites
 * that hold runs of the name (app-check-runs.ts), newest first, stopping at the one that holds it: GitHub's
 * list of the commit's check runs holds only its 1000 newest suites, and anyone who can run workflows adds
 * suites (and check runs of any name), so a miss there would create the check run a second time. Past the
 * reader's bounds it throws (TooManyCheckRuns), which writeOnce does not take for "not landed".
 */
export async function findCheckRun(
  api: CheckRunsApi,
  where: { owner: string; repo: string; name: string; head_sha: string; external_id: string },
): Promise<{ id: number } | undefined> {
  const mine = (r: { external_id?: string | null }) => r.external_id === where.external_id;
  const { runs } = await checkRunsThroughSuites(
    api,
    { owner: where.owner, repo: where.repo },
    {
      sha: where.head_sha,
      name: where.name,
      // The token's app is not known here (a workflow's token is GitHub Actions', whose every workflow run
      // opens a suite; an App's token its own): every app's suites holding the name, newest first.
      until: (read) => read.some(mine),
      // It was made moments ago, so it is in one of the newest suites holding the name; reading further would
      // spend a workflow token's hourly budget (1000 requests) on suites someone added. Past 20: an error.
      maxSuites: 20,
    },
  );
  const found = runs.find(mine);
  return found ? { id: found.id } : undefined;
}

/**
 * Adds a batch of annotations once: `before` is how many the check run had when this batch was sent, so a
 * count that already includes the batch means the update landed.
 */
export async function addAnnotationsOnce(
  api: CheckRunsApi,
  params: {
    owner: string;
    repo: string;
    check_run_id: number;
    output: { annotations: unknown[]; [field: string]: unknown };
  } & Record<string, unknown>,
  before: number,
  attempts = 3,
): Promise<void> {
  await writeOnce({
    attempts,
    async landed() {
      const { data } = await api.checks.get({
        owner: params.owner,
        repo: params.repo,
        check_run_id: params.check_run_id,
      });
      return data.output.annotations_count >= before + params.output.annotations.length ? true : undefined;
    },
    async write() {
      await api.checks.update({ ...params, request: { retries: 0 } });
      return true;
    },
  });
}
