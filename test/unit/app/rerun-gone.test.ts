// readRerunStanding's reads by id: a deployment GitHub answers 404 for (deleted) is `gone`, never `running` (its
// re-run would deploy holding no lock), but only after it is read again: GitHub's reads lag a deployment just
// made. Any other failure is thrown at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readRerunStanding } from '../../../app/deploy/rerun.ts';

const SHA = 'd'.repeat(40);
const BOT = 'deploy-action[bot]';
const where = { owner: 'acme', repo: 'web' };
const RETRY = { attempts: 3, delayMs: 1 };

const deployment = {
  id: 41,
  environment: 'production',
  sha: SHA,
  creator: { login: BOT, type: 'Bot' },
  created_at: '2025-03-04T10:00:00Z',
  payload: {},
};
const ended = [{ state: 'success', creator: { login: 'github-actions[bot]', type: 'Bot' } }];

/** An error as Octokit throws it, with GitHub's status. */
const failure = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

/**
 * The App's reads of deployment 41: each answer given in turn (an Error is thrown), the last one repeated; the
 * reads counted.
 */
function api(answers: { statuses: unknown[]; deployment: unknown[] }) {
  const reads = { statuses: 0, deployment: 0 };
  const next = (list: unknown[], n: number) => {
    const answer = list[Math.min(n, list.length - 1)];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ data: answer });
  };
  return {
    reads,
    api: {
      listDeploymentStatuses: () => next(answers.statuses, reads.statuses++),
      getDeployment: () => next(answers.deployment, reads.deployment++),
      listDeployments: () => Promise.resolve({ data: [deployment] }),
    } as unknown as Parameters<typeof readRerunStanding>[0],
  };
}

describe('readRerunStanding: a deployment GitHub has no more', () => {
  it('is gone when its statuses answer 404 on every read, read `attempts` times; another failure is thrown at once', async () => {
    const gone = api({ statuses: [failure(404)], deployment: [deployment] });
    assert.deepEqual(await readRerunStanding(gone.api, where, { id: 41, botLogin: BOT, retry: RETRY }), {
      kind: 'gone',
      id: 41,
    });
    assert.equal(gone.reads.statuses, 3);
    const down = api({ statuses: [failure(502)], deployment: [deployment] });
    await assert.rejects(
      readRerunStanding(down.api, where, { id: 41, botLogin: BOT, retry: RETRY }),
      /HTTP 502/,
    );
    assert.equal(down.reads.statuses, 1, 'a server error is not taken for a deployment being made');
  });

  it('is gone when, ended, the deployment itself answers 404 on every read (a gate answered later reads it)', async () => {
    const gone = api({ statuses: [ended], deployment: [failure(404)] });
    assert.deepEqual(await readRerunStanding(gone.api, where, { id: 41, botLogin: BOT, retry: RETRY }), {
      kind: 'gone',
      id: 41,
    });
    assert.equal(gone.reads.deployment, 3);
  });

  it('is read again while GitHub lags: found on a later read, it is judged as it stands', async () => {
    const lagging = api({
      statuses: [failure(404), failure(404), ended],
      deployment: [failure(404), deployment],
    });
    const standing = await readRerunStanding(lagging.api, where, { id: 41, botLogin: BOT, retry: RETRY });
    assert.equal(standing.kind, 'rerun');
    assert.deepEqual(lagging.reads, { statuses: 3, deployment: 2 });
    const running = api({ statuses: [failure(404), []], deployment: [deployment] });
    assert.deepEqual(await readRerunStanding(running.api, where, { id: 41, botLogin: BOT, retry: RETRY }), {
      kind: 'running',
    });
  });
});
