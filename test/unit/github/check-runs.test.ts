// Check-run writes whose answer is lost after they landed: a create is found again by its external_id and
// an annotations update by the check run's annotation count, so neither is made twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addAnnotationsOnce, createCheckRunOnce } from '../../../src/github/check-runs.ts';
import type { CheckRunsApi } from '../../../src/github/check-runs.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { withFakeRepo } from '../../helpers/github.ts';
import { openCheckSuites } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';

type Client = ReturnType<typeof createGitHubClient>['octokit'];

/** GitHub Actions: the app a workflow's token writes check runs as, each workflow run a suite of its own. */
const ACTIONS = { id: 15368, slug: 'github-actions' };

/**
 * Runs `run` on acme/web with one commit `sha` (withFakeRepo) with two clients: `octokit`, the Action's, and
 * `workflow`, another workflow's (its check runs are GitHub Actions').
 */
const withWorkflowClient = (
  run: (w: { gh: FakeGitHub; sha: string; octokit: Client; workflow: Client }) => Promise<void>,
): Promise<void> =>
  withFakeRepo(
    (gh, sha) => {
      const client = (token: string) =>
        createGitHubClient({ token, baseUrl: gh.url, retryBaseMs: 10, writeIntervalMs: 0 }).octokit;
      return run({ gh, sha, octokit: client('t'), workflow: client('actions-token') });
    },
    {},
    { otherApps: { 'actions-token': ACTIONS } },
  );

/** `octokit`'s check-run calls, but the first create lands, then `meanwhile` happens, then its answer is lost (500). */
function lostFirstCreate(octokit: Client, meanwhile: () => Promise<void>): CheckRunsApi {
  let lost = 0;
  return {
    checks: {
      ...octokit.rest.checks,
      async create(params) {
        const made = await octokit.rest.checks.create(params);
        if (lost++ > 0) return made;
        await meanwhile();
        throw Object.assign(new Error('Server Error'), { status: 500 });
      },
    },
  };
}

const annotation = (line: number) => ({
  path: 'src/a.ts',
  start_line: line,
  end_line: line,
  annotation_level: 'warning' as const,
  message: `finding ${line}`,
});

test('a check run created once through lost answers (500, hang) after it landed', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit } = createGitHubClient({
      token: 't',
      baseUrl: gh.url,
      retryBaseMs: 10,
      writeIntervalMs: 0,
      budget: { attemptTimeoutMs: 500, minAttemptMs: 100 },
    });
    const create = (name: string, externalId: string) =>
      createCheckRunOnce(octokit.rest, {
        owner: 'acme',
        repo: 'web',
        name,
        head_sha: sha,
        external_id: externalId,
        status: 'in_progress',
      });
    // Another run's check run of the same name is not taken for ours.
    await create('deploy / production', 'other-run');
    gh.failNext({ status: 500, afterWrite: true, operationId: 'checks/create' });
    const first = await create('deploy / production', 'run-1');
    gh.failNext({ status: 500, afterWrite: true, hang: true, operationId: 'checks/create' });
    const second = await create('gates / lint', 'run-1');
    const runs = [...gh.repo().checkRuns.values()] as Array<{
      id: number;
      name: string;
      external_id: string;
    }>;
    assert.deepEqual(
      runs.map((r) => [r.name, r.external_id]),
      [
        ['deploy / production', 'other-run'],
        ['deploy / production', 'run-1'],
        ['gates / lint', 'run-1'],
      ],
    );
    assert.equal(first.id, runs[1]!.id);
    assert.equal(second.id, runs[2]!.id);
    assert.equal(gh.requestsFor('checks/create').length, 3, 'no create was repeated');
    // Not landed (500 before the write): created after the lookup finds nothing.
    gh.failNext({ status: 500, operationId: 'checks/create' });
    await create('gates / audit', 'run-1');
    assert.equal(gh.repo().checkRuns.size, 4);
  });
});

test('an annotations batch whose answer was lost is not added twice', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit } = createGitHubClient({
      token: 't',
      baseUrl: gh.url,
      retryBaseMs: 10,
      writeIntervalMs: 0,
    });
    const { id } = await createCheckRunOnce(octokit.rest, {
      owner: 'acme',
      repo: 'web',
      name: 'gates / lint',
      head_sha: sha,
      external_id: 'run-1',
      status: 'completed',
      conclusion: 'neutral',
      output: { title: 't', summary: 's', annotations: [1, 2, 3].map(annotation) },
    });
    const add = (lines: number[], before: number) =>
      addAnnotationsOnce(
        octokit.rest,
        {
          owner: 'acme',
          repo: 'web',
          check_run_id: id,
          output: { title: 't', summary: 's', annotations: lines.map(annotation) },
        },
        before,
      );
    gh.failNext({ status: 502, afterWrite: true, operationId: 'checks/update' });
    await add([4, 5], 3);
    gh.failNext({ status: 500, operationId: 'checks/update' });
    await add([6], 5);
    const run = gh.repo().checkRuns.get(id) as {
      output: { annotations_count: number };
      _annotations: unknown[];
    };
    assert.equal(run.output.annotations_count, 6);
    assert.deepEqual(
      (run._annotations as Array<{ start_line: number }>).map((a) => a.start_line),
      [1, 2, 3, 4, 5, 6],
    );
  });
});

test('a check run whose create landed unanswered is found behind newer check suites and check runs, not made twice', async () => {
  await withWorkflowClient(async ({ gh, sha, octokit, workflow }) => {
    const name = 'deploy / production';
    // The create lands; before its (lost) answer, other workflows fill the commit's list of check runs: 100
    // newer check runs of the same name, and 1001 newer check suites (workflow runs) with none.
    const flooded = lostFirstCreate(octokit, async () => {
      for (let i = 0; i < 100; i++)
        await workflow.rest.checks.create({
          owner: 'acme',
          repo: 'web',
          name,
          head_sha: sha,
          external_id: `other-${i}`,
        });
      openCheckSuites(gh.state, gh.repo(), sha, 1001, ACTIONS);
    });
    const { id } = await createCheckRunOnce(flooded, {
      owner: 'acme',
      repo: 'web',
      name,
      head_sha: sha,
      external_id: 'run-1',
      status: 'in_progress',
    });
    const ours = [...gh.repo().checkRuns.values()].filter((r) => r.external_id === 'run-1');
    assert.equal(ours.length, 1, 'created once');
    assert.equal(id, ours[0]!.id);
  });
});

test('a lost create whose check run is past 20 newer suites holding its name fails, and is not made twice', async () => {
  await withWorkflowClient(async ({ gh, sha, octokit, workflow }) => {
    const name = 'deploy / production';
    // This workflow run's suite (its token's check runs are GitHub Actions'), older than those opened below.
    openCheckSuites(gh.state, gh.repo(), sha, 1, ACTIONS);
    const flooded = lostFirstCreate(octokit, async () => {
      // 21 workflow runs, each with a check run of the name in its own suite.
      for (let i = 0; i < 21; i++) {
        openCheckSuites(gh.state, gh.repo(), sha, 1, ACTIONS);
        await workflow.rest.checks.create({ owner: 'acme', repo: 'web', name, head_sha: sha });
      }
    });
    await assert.rejects(
      createCheckRunOnce(flooded, { owner: 'acme', repo: 'web', name, head_sha: sha, external_id: 'run-1' }),
      { name: 'TooManyCheckRuns' },
    );
    const ours = [...gh.repo().checkRuns.values()].filter((r) => r.external_id === 'run-1');
    assert.equal(ours.length, 1, 'not created again');
    assert.equal(gh.requestsFor('checks/list-for-suite').length, 20, 'at most 20 suites read');
  });
});
