// release_tags end to end (seed 02: production deploys only from tagged releases), through the App's real
// handlers against the fake GitHub, whose tags are refs and tag objects it serves as GitHub's API does:
// /deploy of an untagged commit is refused, of a tagged one (lightweight, annotated, a tag of a tag) goes
// ahead; the approval that completes a request decides again on the tags as they are then; the deployment
// protection rule refuses an untagged commit; tags that cannot be read refuse with their own code; a rollback
// is not checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import { appReplies, deployYml, HEAD, PR, repliesTo, sayOnPull, withSeededApp } from './helpers.ts';
import type { Seed } from './helpers.ts';
import type { AppOptions } from '../../app/index.ts';
import { askProtectionRule } from './delivery-helpers.ts';
import {
  comment,
  deployments as scheduledDeployments,
  HEAD as SCHEDULED_HEAD,
  inWorld,
  runCompletes,
} from './schedule-world.ts';

const NOW = new Date('2025-03-04T10:30:00Z');

// production: alice deploys, no approval; gated: dave approves, one approval needed. Both tagged only.
const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice]
      required: 0
      release_tags: ["v*", "release/**"]
  gated:
    production: true
    approvals:
      deployers: [alice]
      approvers: [dave]
      required: 1
      release_tags: ["v*"]
  staging: {}
`);

const seed: Seed & { app: AppOptions } = {
  config: CONFIG,
  collaborators: { alice: 'write', dave: 'write' },
  app: { now: () => NOW },
};

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

async function inRepo(body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  await withSeededApp(seed, body);
}

test('/deploy of a commit no matching tag points at is refused with release_tag_missing; nothing is deployed', async () => {
  await inRepo(async (fake, probot) => {
    // A matching tag elsewhere, and a tag on the commit that matches no pattern.
    const older = fake.addCommit({ message: 'v0.9' });
    fake.addTag('v0.9.0', older);
    fake.addTag('nightly', HEAD);
    const reply = await sayOnPull(fake, probot, '/deploy production', 'alice');
    assert.match(reply, /\*\*Not deployed\*\* \(`release_tag_missing`\)/);
    assert.match(reply, /no tag matching "v\\\*", "release\/\\\*\\\*" points at it/);
    assert.match(reply, /matching tags are on other commits: `v0\.9\.0`/);
    assert.equal(deployments(fake).length, 0);
    // Listed once, under the patterns' common prefix (none here: all tags).
    const listings = fake.requestsFor('git/list-matching-refs').filter((r) => r.path.includes('/tags'));
    assert.equal(listings.length, 1);
    // An environment without release_tags reads no tags.
    const before = fake.requestsFor('git/list-matching-refs').length;
    await repliesTo(fake, probot, '/deploy staging', 'alice');
    assert.deepEqual(
      deployments(fake).map((d) => d.environment),
      ['staging'],
    );
    assert.equal(fake.requestsFor('git/list-matching-refs').length, before);
  });
});

test('/deploy of a tagged commit goes ahead: a lightweight tag, an annotated tag, a tag of a tag, a tag with "/"', async () => {
  for (const [name, annotated] of [
    ['v1.0.0', 0],
    ['v1.0.1', 1],
    ['v1.0.2', 2],
    ['release/2025/03', 1],
  ] as const) {
    await inRepo(async (fake, probot) => {
      fake.addTag(name, HEAD, { annotated });
      const reply = await repliesTo(fake, probot, '/deploy production', 'alice');
      assert.doesNotMatch(reply, /Not deployed/, `${name}: ${reply}`);
      assert.deepEqual(
        deployments(fake).map((d) => d.sha),
        [HEAD],
        name,
      );
      // An annotated tag is read to its commit, one tag object per level.
      assert.equal(fake.requestsFor('git/get-tag').length >= annotated, true, name);
    });
  }
});

test('the tags listed are only those under the patterns’ literal prefix', async () => {
  await withSeededApp(
    {
      ...seed,
      config: CONFIG.replace('release_tags: ["v*", "release/**"]', 'release_tags: ["v2.*", "v3.*"]'),
    },
    async (fake, probot) => {
      fake.addTag('v2.1', HEAD);
      await repliesTo(fake, probot, '/deploy production', 'alice');
      assert.equal(deployments(fake).length, 1);
      const listing = fake.requestsFor('git/list-matching-refs').find((r) => r.path.includes('/tags'));
      assert.ok(listing, 'the tags were listed');
      assert.match(decodeURIComponent(listing.path), /\/git\/matching-refs\/tags\/v$/);
    },
  );
});

test('tags that cannot be read refuse with release_tag_unreadable: fail closed, never deployed', async () => {
  await inRepo(async (fake, probot) => {
    fake.addTag('v1.0.0', HEAD, { annotated: 1 });
    fake.failNext({ operationId: 'git/list-matching-refs', status: 502 });
    const listing = await sayOnPull(fake, probot, '/deploy production', 'alice');
    assert.match(listing, /\*\*Not deployed\*\* \(`release_tag_unreadable`\)/);
    assert.match(listing, /listing the tags failed \\\(HTTP 502\\\)/);
    fake.failNext({ operationId: 'git/get-tag', status: 500 });
    const dereferencing = await sayOnPull(fake, probot, '/deploy production', 'alice');
    assert.match(dereferencing, /\(`release_tag_unreadable`\)/);
    assert.match(dereferencing, /reading the annotated tag "v1\.0\.0" failed/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('an approval that completes a request decides again on the tags as they are then', async () => {
  await inRepo(async (fake, probot) => {
    fake.addTag('v1.0.0', HEAD);
    assert.match(await sayOnPull(fake, probot, '/deploy gated', 'alice'), /Waiting for 1 approval/);
    // The tag is deleted before the approval comes: the approval completes the request, the policy refuses.
    fake.repo().refs.delete('tags/v1.0.0');
    const refused = await sayOnPull(fake, probot, '/approve-deploy gated', 'dave');
    assert.match(refused, /`release_tag_missing`/);
    assert.equal(deployments(fake).length, 0);
    // Tagged again: the next approval completes it.
    fake.addTag('v1.0.0', HEAD);
    const replies = await repliesTo(fake, probot, '/approve-deploy gated', 'dave');
    assert.match(replies, /Deployment \*\*\\#\u200D\d+\*\* created/);
    assert.equal(deployments(fake).length, 1);
  });
});

test('the deployment protection rule refuses an untagged commit and approves a tagged one', async () => {
  await inRepo(async (fake, probot) => {
    const untagged = await askProtectionRule(fake, probot, { run: 7001, pullRequests: [PR] });
    assert.equal(untagged.state, 'rejected');
    assert.match(untagged.comment, /release_tag_missing: .*is not a tagged release/);
    fake.addTag('v1.0.0', HEAD, { annotated: 1 });
    const tagged = await askProtectionRule(fake, probot, { run: 7002, pullRequests: [PR] });
    assert.equal(tagged.state, 'approved', tagged.comment);
    // A run that is no pull request's, of another commit (a push to main): its commit is what must be tagged.
    const main = fake.addCommit({ message: 'on main' });
    const push = await askProtectionRule(fake, probot, { run: 7003, sha: main });
    assert.equal(push.state, 'rejected');
    assert.match(push.comment, /release_tag_missing/);
    fake.addTag('v1.1.0', main);
    assert.equal((await askProtectionRule(fake, probot, { run: 7004, sha: main })).state, 'approved');
  });
});

test('a deployment made outside the App that says it is a rollback is still checked at the protection rule', async () => {
  await inRepo(async (fake, probot) => {
    // Anyone with deployments: write writes any payload: `type: rollback` is the App's word only in its own.
    const gate = await askProtectionRule(fake, probot, {
      run: 7101,
      pullRequests: [PR],
      payload: { type: 'rollback' },
    });
    assert.equal(gate.state, 'rejected');
    assert.match(gate.comment, /release_tag_missing/);
  });
});

test('a scheduled deployment is checked again at its time: a tag deleted since starts nothing', async () => {
  const config = deployYml(`
  production:
    approvals:
      deployers: [alice]
      required: 0
      release_tags: ["v*"]
`);
  for (const deleted of [false, true])
    await inWorld(
      async (w) => {
        w.fake.addTag('v1.0.0', SCHEDULED_HEAD, { annotated: 1 });
        const { reply } = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
        assert.match(reply, /`schedule_recorded`/);
        if (deleted) w.fake.repo().refs.delete('tags/v1.0.0');
        w.clock.now = new Date('2026-12-01T10:31:00Z');
        await runCompletes(w);
        const told = appReplies(w.fake).filter((r) => r.startsWith('**Not started**'));
        if (deleted) {
          assert.equal(scheduledDeployments(w.fake).length, 0);
          assert.equal(told.length, 1);
          assert.match(told[0]!, /\(`schedule_release_tag_missing`\)/);
        } else {
          assert.deepEqual(told, []);
          assert.deepEqual(
            scheduledDeployments(w.fake).map((d) => d.sha),
            [SCHEDULED_HEAD],
          );
        }
      },
      { config, collaborators: ['alice'], start: new Date('2026-12-01T08:00:00Z') },
    );
});
