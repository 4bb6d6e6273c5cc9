// `staging: production` on a non-production environment: /deploy preview deploys production first, in the same
// run, so the App holds it to production's rules too (src/policy/changed-environments.ts): production's
// approvers are asked and may approve it, and a lock on production stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import { acquireLock } from '../../app/locks.ts';
import type { Octokit } from '../../app/facts/github.ts';
import {
  HEAD as PUSHED,
  PR,
  previewThroughProduction,
  owner,
  repliesTo,
  repo,
  sayOnPull,
  testMarkerKeys,
  withSeededApp,
} from './helpers.ts';
import { askProtectionRule } from './delivery-helpers.ts';

const HEAD = fakeSha('staging-chain-head');
const seed: Parameters<typeof withSeededApp>[0] = {
  config: previewThroughProduction('approvers: [sre]', 'required: 1'),
  collaborators: { alice: 'write', carol: 'write', sre: 'write' },
  pulls: [{ number: PR, head: HEAD, user: 'bob' }],
  app: { now: () => new Date('2025-03-04T10:30:00Z') },
};

const deployments = (fake: Parameters<Parameters<typeof withSeededApp>[1]>[0]) => [
  ...fake.repo().deployments.values(),
];

test("/deploy preview waits for production's approver, who may approve it; then the deployment is created", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const asked = await sayOnPull(fake, probot, '/deploy preview', 'alice');
    assert.match(
      asked,
      /Waiting for 1 approval\(s\)\*\* from @sre \(not `bob`, `alice`: their own approval does not count\) for the staging environment `production`, which this deployment changes first, to deploy `[0-9a-f]+` to `preview`/,
    );
    assert.equal(deployments(fake).length, 0, 'nothing deployed before production’s approval');
    // carol may approve preview (anyone with write), not production: hers does not start it.
    const carol = await sayOnPull(fake, probot, '/approve-deploy preview', 'carol');
    assert.match(carol, /Still waiting for 1 approval\(s\) for the staging environment `production`/);
    assert.equal(deployments(fake).length, 0);
    await repliesTo(fake, probot, '/approve-deploy preview', 'sre');
    const [made] = deployments(fake);
    assert.equal(made?.environment, 'preview');
    assert.deepEqual((made?.payload as { approved_by?: string[] }).approved_by?.includes('sre'), true);
  });
});

test('/deploy preview by someone production does not let deploy: refused, naming production', async () => {
  await withSeededApp(
    {
      ...seed,
      config: previewThroughProduction('deployers: [alice]'),
    },
    async (fake, probot) => {
      const refused = await sayOnPull(fake, probot, '/deploy preview', 'carol');
      assert.match(
        refused,
        /\*\*Not deployed\*\* \(`not_a_deployer`\): staging environment `production`, which this deployment changes first: @\u200D?carol may not deploy here/,
      );
      assert.equal(deployments(fake).length, 0);
    },
  );
});

test('a lock on production stops /deploy preview, naming production; its holder still deploys', async () => {
  await withSeededApp(
    {
      ...seed,
      config: previewThroughProduction('required: 0'),
    },
    async (fake, probot) => {
      assert.match(
        await sayOnPull(fake, probot, '/lock production --reason "db migration"', 'sre'),
        /Locked `production`/,
      );
      const refused = await sayOnPull(fake, probot, '/deploy preview', 'alice');
      assert.match(refused, /`locked`/);
      assert.match(
        refused,
        /staging environment `production`, which this deployment changes first: `production` is locked by @\u200D?sre/,
      );
      assert.equal(deployments(fake).length, 0);
      await repliesTo(fake, probot, '/deploy preview', 'sre');
      assert.equal(deployments(fake).length, 1, 'the holder of the lock deploys through it');
    },
  );
});

test("protection rule: a workflow deploying preview is held to production's rules and lock, naming production", async () => {
  const config = previewThroughProduction('required: 0', 'required_checks: [e2e]');
  await withSeededApp({ config, collaborators: { alice: 'write', sre: 'write' } }, async (fake, probot) => {
    const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
    let run = 900;
    const gate = async () => {
      const id = run++;
      fake.addWorkflowRun({ id, headSha: PUSHED, actor: 'alice', event: 'push' });
      return askProtectionRule(fake, probot, {
        run: id,
        event: 'push',
        environment: 'preview',
        creator: { login: 'github-actions[bot]', type: 'Bot' },
      });
    };
    const unchecked = await gate();
    assert.equal(unchecked.state, 'rejected');
    assert.match(
      unchecked.comment,
      /staging environment `production`, which this deployment changes first: required checks are not green: e2e \(not run\)/,
    );
    await acquireLock(octokit.rest, { owner, repo }, testMarkerKeys(), {
      target: { scope: 'environment', environment: 'production' },
      holder: 'sre',
      sha: PUSHED,
      reason: 'db migration',
    });
    const locked = await gate();
    assert.equal(locked.state, 'rejected');
    assert.match(
      locked.comment,
      /Rejected \(`locked`\): staging environment `production`, which this deployment changes first: `production` is locked by @sre/,
    );
  });
});
