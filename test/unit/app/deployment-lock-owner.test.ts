// A deployment's lock names who asked for it and its pull request from the deployment's payload, which
// anyone who can create a deployment writes: believed only in a deployment the App created. Any other is
// named by its creator's login, never @-mentioned, and names no pull request.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentLockOwner } from '../../../app/deploy/lock.ts';
import { lockOwner } from '../../../app/deploy/replies.ts';
import { UNKNOWN_HOLDER, type LockInfo } from '../../../app/locks.ts';

const SHA = 'c'.repeat(40);
const BOT = 'deploy-action[bot]';
const lock: LockInfo = {
  target: { scope: 'environment', environment: 'production' },
  holder: 'deployment',
  createdAt: '2025-03-04T10:00:00Z',
  sha: SHA,
  deployment: true,
};

const deployment = (id: number, creator: string, payload: unknown) => ({
  id,
  creator: { login: creator },
  created_at: `2025-03-04T10:0${id}:00Z`,
  payload,
});

const WORKFLOW = { login: 'github-actions[bot]', type: 'Bot' };

/**
 * listDeployments answering `data` (newest first, as GitHub lists them); `states`: each one's latest status,
 * posted by the workflow's token unless `by` names another creator.
 */
const api = (
  data: Array<ReturnType<typeof deployment>>,
  states: Record<number, string> = {},
  by: { login: string; type: string } = WORKFLOW,
) =>
  ({
    listDeployments: () => Promise.resolve({ data }),
    listDeploymentStatuses: ({ deployment_id }: { deployment_id: number }) =>
      Promise.resolve({
        data: states[deployment_id] ? [{ state: states[deployment_id], creator: by }] : [],
      }),
  }) as unknown as Parameters<typeof deploymentLockOwner>[0];

const FORGED = { requested_by: 'ceo', pr: 999, type: 'standard' };

describe('deploymentLockOwner', () => {
  it('a deployment the App did not create: its creator, unmentioned, and no pull request from its payload', async () => {
    const owner = await deploymentLockOwner(
      api([deployment(2, 'mallory', FORGED)]),
      { owner: 'acme', repo: 'web' },
      lock,
      {
        attempts: 1,
        botLogin: BOT,
      },
    );
    assert.equal(owner.holder, 'mallory');
    assert.equal(owner.holderUnverified, true);
    assert.equal(owner.pullRequest, undefined);
    const text = lockOwner(owner);
    assert.match(text, /created by `mallory`/);
    assert.doesNotMatch(text, /@|ceo|999/);
  });

  it('the App’s own deployment is believed, also when a newer foreign one names someone else', async () => {
    const own = deployment(1, BOT, { requested_by: 'alice', pr: 7, type: 'standard' });
    const owner = await deploymentLockOwner(
      api([deployment(2, 'mallory', FORGED), own]),
      { owner: 'acme', repo: 'web' },
      lock,
      { attempts: 1, botLogin: BOT },
    );
    assert.equal(owner.holder, 'alice');
    assert.equal(owner.holderUnverified, undefined);
    assert.equal(owner.pullRequest, 7);
    assert.match(lockOwner(owner), /for @alice \(PR #7\)/);
  });

  it('without the App’s login nothing in a payload is believed', async () => {
    const owner = await deploymentLockOwner(
      api([deployment(1, BOT, FORGED)]),
      { owner: 'acme', repo: 'web' },
      lock,
      { attempts: 1 },
    );
    assert.equal(owner.holderUnverified, true);
    assert.doesNotMatch(lockOwner(owner), /@ceo|999/);
  });

  it('a deployment that names no creator is said to be running, not "created by someone unknown"', async () => {
    const nameless = { ...deployment(2, 'x', FORGED), creator: null };
    const owner = await deploymentLockOwner(
      api([nameless as unknown as ReturnType<typeof deployment>]),
      { owner: 'acme', repo: 'web' },
      lock,
      { attempts: 1, botLogin: BOT },
    );
    assert.equal(owner.holder, UNKNOWN_HOLDER);
    const text = lockOwner(owner);
    assert.match(text, /^`production` is locked by a running deployment of `cccccccccccc` since /);
    assert.doesNotMatch(text, /created by|someone unknown|@/);
  });

  it('the known deployment the listings do not show yet, answered 404 by its id at first (GitHub lagging), is read again and holds the lock', async () => {
    const own = {
      ...deployment(3, BOT, { requested_by: 'alice', pr: 7, type: 'standard' }),
      sha: SHA,
      environment: 'production',
    };
    let reads = 0;
    const lagging = {
      // The listings lag the deployment just made: none shows it.
      listDeployments: () => Promise.resolve({ data: [] }),
      listDeploymentStatuses: () => Promise.resolve({ data: [] }),
      getDeployment: () =>
        ++reads <= 2
          ? Promise.reject(Object.assign(new Error('Not Found'), { status: 404 }))
          : Promise.resolve({ data: own }),
    } as unknown as Parameters<typeof deploymentLockOwner>[0];
    const owner = await deploymentLockOwner(lagging, { owner: 'acme', repo: 'web' }, lock, {
      attempts: 1,
      botLogin: BOT,
      known: 3,
      knownRetry: { attempts: 4, delayMs: 1 },
    });
    assert.equal(reads, 3, 'read again until GitHub had it');
    assert.equal(owner.heldByDeployment, 3);
    assert.equal(owner.holder, 'alice');

    // Answered 404 every time: nobody is named (it was deleted), after the reads allowed.
    reads = -100;
    const gone = await deploymentLockOwner(lagging, { owner: 'acme', repo: 'web' }, lock, {
      attempts: 1,
      botLogin: BOT,
      known: 3,
      knownRetry: { attempts: 4, delayMs: 1 },
    });
    assert.equal(reads, -96);
    assert.equal(gone.heldByDeployment, undefined);
    assert.equal(gone.noDeploymentSeen, true);
  });
});

describe('lockOwner', () => {
  it('a /lock held by a user whose login is `unknown` names them like any holder (the unknown holder has a space)', () => {
    const held: LockInfo = {
      target: { scope: 'environment', environment: 'production' },
      holder: 'unknown',
      createdAt: '2025-03-04T10:00:00Z',
      sha: SHA,
    };
    assert.match(lockOwner(held), /^`production` is locked by @unknown since /);
    assert.doesNotMatch(lockOwner({ ...held, holder: UNKNOWN_HOLDER }), /@/);
  });

  it('the App’s deployment that has ended names nobody: a ref at its commit is left behind or pushed back by hand', async () => {
    const own = deployment(1, BOT, { requested_by: 'alice', pr: 7, type: 'standard' });
    for (const state of ['success', 'failure', 'error', 'inactive']) {
      const owner = await deploymentLockOwner(
        api([own], { 1: state }),
        { owner: 'acme', repo: 'web' },
        lock,
        {
          attempts: 1,
          botLogin: BOT,
        },
      );
      assert.equal(owner.holder, UNKNOWN_HOLDER, state);
      assert.equal(owner.holderUnverified, true, state);
      assert.equal(owner.pullRequest, undefined, state);
      const text = lockOwner(owner);
      assert.doesNotMatch(text, /@|alice|#7/, state);
      assert.match(
        text,
        /locked at `cccccccccccc` by no running deployment: deployment 1 of that commit has ended/,
        state,
      );
      assert.match(text, /`\/unlock production --force` releases it/, state);
    }
    // Still running (no status yet, or queued / in progress): its requester holds it.
    for (const state of [undefined, 'queued', 'in_progress', 'pending']) {
      const owner = await deploymentLockOwner(
        api([own], state ? { 1: state } : {}),
        { owner: 'acme', repo: 'web' },
        lock,
        { attempts: 1, botLogin: BOT },
      );
      assert.equal(owner.holder, 'alice', String(state));
      assert.equal(owner.holderUnverified, undefined, String(state));
    }
    // A final status someone else posted (anyone with deployments: write) does not end it.
    const forged = await deploymentLockOwner(
      api([own], { 1: 'failure' }, { login: 'mallory', type: 'User' }),
      { owner: 'acme', repo: 'web' },
      lock,
      { attempts: 1, botLogin: BOT },
    );
    assert.equal(forged.holder, 'alice');
    assert.doesNotMatch(lockOwner(forged), /--force/);
  });

  it('an older deployment of the commit still running holds it when a later one of the same commit ended first', async () => {
    const older = deployment(1, BOT, { requested_by: 'alice', pr: 7, type: 'standard' });
    const newer = deployment(2, BOT, { requested_by: 'alice', pr: 7, type: 'standard' });
    const owner = await deploymentLockOwner(
      api([newer, older], { 2: 'failure', 1: 'in_progress' }),
      { owner: 'acme', repo: 'web' },
      lock,
      { attempts: 1, botLogin: BOT },
    );
    assert.equal(owner.holder, 'alice');
    assert.equal(owner.endedDeployment, undefined);
    assert.match(owner.reason ?? '', /^deployment #1 of /);
  });
});
