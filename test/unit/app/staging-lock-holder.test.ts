// A deployment of X whose run changes its staging environment Y first holds Y's lock too (app/deploy/start.ts):
// the locks are taken in one order whatever X and Y are, and Y's lock (a ref to the commit, as any deployment's)
// names the App's running deployment of X that holds it, from the App's own payload only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lockOrder } from '../../../app/deploy/start.ts';
import { deploymentLockOwner, holdsLockOf } from '../../../app/deploy/lock.ts';
import { lockHolder } from '../../../app/deploy/replies.ts';
import type { LockInfo } from '../../../app/locks.ts';

const SHA = 'c'.repeat(40);
const BOT = 'deploy-action[bot]';
const WORKFLOW = { login: 'github-actions[bot]', type: 'Bot' };
const production: LockInfo = {
  target: { scope: 'environment', environment: 'production' },
  holder: 'deployment',
  createdAt: '',
  sha: SHA,
  deployment: true,
};

interface Listed {
  id: number;
  environment: string;
  creator: { login: string; type: string };
  performed_via_github_app?: null;
  created_at: string;
  payload: unknown;
}

/** listDeployments filtering by environment when asked (as GitHub does); `ended`: ids with a final status. */
const api = (data: Listed[], ended: number[] = []) =>
  ({
    listDeployments: ({ environment }: { environment?: string }) =>
      Promise.resolve({
        data: data.filter((d) => environment === undefined || d.environment === environment),
      }),
    listDeploymentStatuses: ({ deployment_id }: { deployment_id: number }) =>
      Promise.resolve({
        data: ended.includes(deployment_id) ? [{ state: 'success', creator: WORKFLOW }] : [],
      }),
  }) as unknown as Parameters<typeof deploymentLockOwner>[0];

const previewDeployment = (creator: string, payload: unknown): Listed => ({
  id: 41,
  environment: 'preview',
  creator: { login: creator, type: 'Bot' },
  created_at: '2025-03-04T10:00:00Z',
  payload,
});

const where = { owner: 'acme', repo: 'web' };

describe('lockOrder', () => {
  it('takes both locks by name, whichever is the staging environment, so two starts never each hold one', () => {
    assert.deepEqual(lockOrder('preview', 'production'), ['preview', 'production']);
    assert.deepEqual(lockOrder('us-east', 'canary'), ['canary', 'us-east']);
    assert.deepEqual(lockOrder('eu-west', 'Canary'), ['Canary', 'eu-west']);
  });
  it('one lock without a staging environment, or with itself as one', () => {
    assert.deepEqual(lockOrder('production', undefined), ['production']);
    assert.deepEqual(lockOrder('production', 'Production'), ['production']);
  });
});

describe("a staging environment's lock held by a deployment of another environment", () => {
  it("names the App's running deployment of preview whose payload says it deploys production first", async () => {
    const owner = await deploymentLockOwner(
      api([previewDeployment(BOT, { staging: 'production', requested_by: 'alice', pr: 7 })]),
      where,
      production,
      { attempts: 1, botLogin: BOT },
    );
    assert.equal(owner.holder, 'alice');
    assert.equal(owner.heldByDeployment, 41);
    assert.equal(owner.heldFor, 'preview');
    assert.equal(owner.pullRequest, 7);
    assert.equal(owner.holderUnverified, undefined);
    assert.match(
      lockHolder(owner),
      /^the running deployment \*\*\\#\u200D41\*\* to `preview` of `c{12}` for `alice`$/,
    );
  });

  it('a payload naming production in a deployment the App did not make holds nothing', async () => {
    const owner = await deploymentLockOwner(
      api([previewDeployment('mallory', { staging: 'production', requested_by: 'ceo', pr: 9 })]),
      where,
      production,
      { attempts: 1, botLogin: BOT },
    );
    assert.equal(owner.heldByDeployment, undefined);
    assert.equal(owner.noDeploymentSeen, true);
  });

  it('an ended deployment of preview holds nothing', async () => {
    const owner = await deploymentLockOwner(
      api([previewDeployment(BOT, { staging: 'production', requested_by: 'alice' })], [41]),
      where,
      production,
      { attempts: 1, botLogin: BOT },
    );
    assert.equal(owner.heldByDeployment, undefined);
  });

  it('holdsLockOf: its own environment, or the staging one its payload names (case aside)', () => {
    const d = { environment: 'preview', payload: { staging: 'Production' } };
    assert.equal(holdsLockOf(d, 'PREVIEW'), true);
    assert.equal(holdsLockOf(d, 'production'), true);
    assert.equal(holdsLockOf(d, 'canary'), false);
    assert.equal(holdsLockOf({ environment: 'preview', payload: 'not json' }, 'production'), false);
  });
});
