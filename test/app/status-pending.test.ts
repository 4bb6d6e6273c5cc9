// /status: its "Pending approvals" (a request the App has made its deployment for is no longer pending, though
// its marker stays on the pull request; one whose deployment only someone else claims to have made still is),
// and an environment the config does not define.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAD, deployYml, rest, sayOnPull, withSeededApp } from './helpers.ts';

const config = deployYml(`
  staging:
    approvals:
      approvers: [dave]
      required: 1
  production:
    approvals:
      approvers: [dave]
      required: 1
`);
const collaborators = { alice: 'write', dave: 'write', erin: 'write' } as const;

const pendingSection = (reply: string): string => reply.slice(reply.indexOf('**Pending approvals**'));

test('/status no longer lists a request as pending once the approval that completed it started its deployment', async () => {
  await withSeededApp({ config, collaborators }, async (fake, probot) => {
    const asked = await sayOnPull(fake, probot, '/deploy production', 'alice');
    assert.match(asked, /Waiting for 1 approval/);
    const source = /"source":(\d+)/.exec(asked)![1];
    assert.match(await sayOnPull(fake, probot, '/deploy staging', 'alice'), /Waiting for 1 approval/);
    const waiting = pendingSection(await sayOnPull(fake, probot, '/status', 'erin'));
    assert.match(waiting, /`production` ← /);
    assert.match(waiting, /`staging` ← /);

    // Someone with deployments: write makes a deployment carrying staging's request key: not the App's word.
    const stagingSource = Number(
      /"source":(\d+)/.exec(
        [...fake.repo().comments.values()]
          .map((c) => String(c.body))
          .find((b) => b.includes('deploy-action:pending') && b.includes('"env":"staging"'))!,
      )![1],
    );
    await rest(fake, 'POST', '/deployments', {
      ref: HEAD,
      environment: 'staging',
      payload: { dedupe_key: `comment:${stagingSource}` },
      required_contexts: [],
      auto_merge: false,
    });

    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy production', 'dave'),
      /Deployment \*\*\\#\u200D\d+\*\* created: `production`/,
    );
    const deployment = [...fake.repo().deployments.values()].find((d) => d.environment === 'production')!;
    assert.equal((deployment.payload as { dedupe_key?: string }).dedupe_key, `comment:${source}`);

    const after = pendingSection(await sayOnPull(fake, probot, '/status', 'erin'));
    assert.doesNotMatch(after, /`production`/, 'deployed: no longer pending');
    assert.match(after, /`staging` ← /, 'a deployment someone else made does not end the App request');
  });
});

test('/status of an environment the config does not define is refused like every other command, with a suggestion', async () => {
  await withSeededApp({ config, collaborators }, async (fake, probot) => {
    assert.match(
      await sayOnPull(fake, probot, '/status prodution', 'erin'),
      /^\*\*Not accepted\*\* \(`unknown_environment`\): unknown environment "prodution".*did you mean "production"\?/,
    );
    const unknown = await sayOnPull(fake, probot, '/status qa', 'erin');
    assert.match(unknown, /^\*\*Not accepted\*\* \(`unknown_environment`\)/);
    assert.doesNotMatch(unknown, /no deployment recorded yet/);
    // A defined one is still shown.
    assert.match(
      await sayOnPull(fake, probot, '/status staging', 'erin'),
      /#### `staging`\n- no deployment recorded yet/,
    );
  });
});
