// The App reads the environment record (issue 13) end to end through probot.receive and the fake GitHub:
// /status shows it, /rollback takes its previous release, and a completed workflow run that still owns a
// rollout starts the reconcile workflow once. A record the store refuses (forged with a plain user token,
// stale) is shown as not trusted with its reason code and never acted on; hostile text in a record never
// reaches a comment raw.
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, commentOnPull, PR, rest, seededFake, testApp, testMarkerKeys, testProbot } from './helpers.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';

type Receive = Parameters<Probot['receive']>[0];

const NOW = new Date('2025-03-04T10:30:00Z');
const RECONCILE_FILE = 'reconcile-now.yml';
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
reconcile:
  workflow: ${RECONCILE_FILE}
environments:
  staging: {}
  production:
    approvals:
      deployers: [alice]
      required: 0
`;
const RECONCILE_WORKFLOW = `name: reconcile
on:
  schedule: [{ cron: "*/15 * * * *" }]
  workflow_dispatch:
    inputs:
      environment: { required: true, type: string }
jobs: {}
`;

const V1 = fakeSha('release-1');
const V2 = fakeSha('release-2');
const RUN_ID = 5_550_001;

/** A production record: v2 live on blue, v1 before it on green (retired), a canary of v3 at 25 %. */
function record(overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return {
    schema: 1,
    repository: 'acme/web',
    environment: 'production',
    seq: 7,
    updatedAt: '2025-03-04T10:00:00.000Z',
    live: {
      version: 'v2.0.0',
      sha: V2,
      slot: 'blue',
      since: '2025-03-03T09:00:00.000Z',
      deploymentId: '2002',
    },
    previous: {
      version: 'v1.0.0',
      sha: V1,
      slot: 'green',
      since: '2025-03-01T09:00:00.000Z',
      deploymentId: '1001',
    },
    retired: [
      { slot: 'green', version: 'v1.0.0', dueAt: '2025-03-04T09:00:00.000Z', deploymentId: '1001' },
      {
        slot: 'purple',
        dueAt: '2025-03-04T09:00:00.000Z',
        teardown: { startedAt: '2025-03-04T09:05:00.000Z', by: 'reconcile:77' },
      },
    ],
    rollout: {
      deploymentId: '3003',
      version: 'v3.0.0',
      sha: fakeSha('release-3'),
      strategy: 'canary',
      phase: 'production',
      step: 2,
      steps: 5,
      weight: 25,
      startedAt: '2025-03-04T10:10:00.000Z',
      owner: {
        kind: 'workflow',
        runId: String(RUN_ID),
        runAttempt: '1',
        runUrl: `https://github.example/acme/web/actions/runs/${RUN_ID}`,
      },
      recovery: [],
    },
    history: Array.from({ length: 7 }, (_, i) => ({
      at: `2025-03-0${i + 1}T08:00:00.000Z`,
      by: `workflow:${100 + i}`,
      event: i === 6 ? 'rollout_started' : 'succeeded',
      code: i === 6 ? 'started' : 'deployed',
      version: `v0.${i}`,
    })),
    ...overrides,
  };
}

let nextRun = 900;

/**
 * Records as the Action leaves them on GitHub (src/state/github-store.ts): a deployment made with a workflow
 * token, and its `deploy / <env>` check run carrying the record signed under the environment's state key,
 * which the App derives from its marker key. A forged one is written the same way (a plain token, as any
 * workflow of someone with write access can) but signed under a key its writer made up.
 */
class Records {
  private readonly fake: FakeGitHub;
  constructor(fake: FakeGitHub) {
    this.fake = fake;
  }

  private async write(environment: string, r: EnvironmentRecord, key: Buffer): Promise<number> {
    const sha = r.live?.sha ?? V2;
    const { id } = await rest(this.fake, 'POST', '/deployments', {
      ref: sha,
      environment,
      task: 'deploy',
      payload: { type: 'standard' },
      required_contexts: [],
      auto_merge: false,
    });
    const place = { repository: 'acme/web', environment, deploymentId: String(id) };
    await rest(this.fake, 'POST', '/check-runs', {
      name: `deploy / ${environment}`,
      head_sha: sha,
      status: 'in_progress',
      external_id: `deploy-action:${nextRun++}:deploy / ${environment}:deployment-${id}`,
      output: { title: 'deploy', summary: 'deploying', text: signRecord(r, key, place) },
    });
    return id;
  }

  valid(environment: string, r: EnvironmentRecord): Promise<number> {
    return this.write(
      environment,
      { ...r, environment },
      stateKey(testMarkerKeys().current, 'acme/web', environment),
    );
  }

  forged(environment: string, r: EnvironmentRecord = record()): Promise<number> {
    return this.write(environment, { ...r, environment }, randomBytes(32));
  }
}

interface World {
  fake: FakeGitHub;
  probot: Probot;
  records: Records;
}

async function run(body: (w: World) => Promise<void>): Promise<void> {
  const fake = await seededFake();
  const r = fake.repo();
  fake.setFile('.github/deploy.yml', CONFIG);
  fake.setFile(`.github/workflows/${RECONCILE_FILE}`, RECONCILE_WORKFLOW);
  for (const login of ['alice', 'erin']) r.collaborators.set(login, 'write');
  for (const sha of [V1, V2]) fake.addCommit({ sha, message: sha });
  const records = new Records(fake);
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => NOW }));
  try {
    await body({ fake, probot, records });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const botLogin = (fake: FakeGitHub): string => `${fake.state.appSlug}[bot]`;

function replies(fake: FakeGitHub): string[] {
  return [...fake.repo().comments.values()]
    .filter((c) => (c.user as { login: string }).login === botLogin(fake))
    .map((c) => String(c.body))
    .filter((b) => !b.startsWith('<!-- deploy-action:status'));
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];
/** The deployments the App created (the seeded records' deployments are the Action's). */
const rollbacks = (fake: FakeGitHub) =>
  deployments(fake).filter((d) => (d.payload as { type?: string }).type === 'rollback');

async function send(w: World, body: string, user: string): Promise<void> {
  const { payload } = commentOnPull(w.fake, body, { user });
  await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
}

async function say(w: World, body: string, user: string): Promise<string> {
  const before = replies(w.fake).length;
  await send(w, body, user);
  const after = replies(w.fake);
  assert.equal(after.length, before + 1, `exactly one reply to ${body}`);
  return after.at(-1)!;
}

/** The section of one environment in a /status reply. */
function section(reply: string, environment: string): string {
  const start = reply.indexOf(`#### \`${environment}\``);
  assert.ok(start >= 0, `a section for ${environment} in:\n${reply}`);
  const end = reply.indexOf('\n\n', start);
  return reply.slice(start, end < 0 ? undefined : end);
}

// ---- /status -----------------------------------------------------------------------------------------

test('/status shows each environment from its record: live, previous, rollout, retired slots, recent history', async () => {
  await run(async (w) => {
    await w.records.valid('production', record());
    const reply = await say(w, '/status', 'erin');
    const prod = section(reply, 'production');
    assert.match(
      prod,
      new RegExp(`\\*\\*live\\*\\*: \\*\\*v2\\.0\\.0\\*\\* \`${V2.slice(0, 12)}\` on slot \`blue\``),
    );
    assert.match(prod, /since `2025-03-03T09:00:00.000Z` \(deployment `2002`\)/);
    assert.match(prod, new RegExp(`\\*\\*previous\\*\\*: \\*\\*v1\\.0\\.0\\*\\* \`${V1.slice(0, 12)}\``));
    assert.match(
      prod,
      /\*\*rollout in progress\*\*: \*\*v3\.0\.0\*\* `[0-9a-f]{12}` by `canary`, phase `production`, step 3\/5, weight 25 %/,
    );
    assert.ok(
      prod.includes(
        `owned by [run \`${RUN_ID}\`](https://github.example/acme/web/actions/runs/${RUN_ID}) attempt \`1\``,
      ),
      prod,
    );
    assert.match(
      prod,
      /\*\*retired slot\*\* `green` \(v1\.0\.0\): teardown at `2025-03-04T09:00:00.000Z` \(due now\)/,
    );
    assert.match(
      prod,
      /\*\*retired slot\*\* `purple`: teardown at `2025-03-04T09:00:00.000Z` \(due now\); being torn down by `reconcile:77` since `2025-03-04T09:05:00.000Z`/,
    );
    // The record's number is no issue reference: GitHub would link #7 to issue 7 of the repository (and list
    // this pull request in that timeline), which has nothing to do with it.
    assert.match(prod, /\*\*recent history\*\* \(newest first, record \\#\u200D7\):/);
    assert.doesNotMatch(prod, /#\d/, 'no issue reference');
    // The five newest history entries, newest first; the two oldest are left out.
    const history = prod.split('\n').filter((l) => l.startsWith('  - '));
    assert.equal(history.length, 5);
    assert.match(history[0]!, /`rollout_started` \(`started`\) v0\.6 by `workflow:106`/);
    assert.match(history[4]!, /v0\.2 by `workflow:102`/);
    assert.doesNotMatch(prod, /v0\.[01]\b/);
    // staging has no record yet.
    assert.match(section(reply, 'staging'), /no deployment recorded yet/);
  });
});

test('/status shows a forged record as not trusted with its reason code, and nothing from it', async () => {
  await run(async (w) => {
    await w.records.forged('production');
    // staging: a genuine record number 7 is seen, then a newer deployment carries number 3 (a late write).
    await w.records.valid('staging', record());
    assert.match(section(await say(w, '/status staging', 'erin'), 'staging'), /record \\#\u200D7/);
    await w.records.valid('staging', record({ seq: 3 }));
    const reply = await say(w, '/status', 'erin');
    const prod = section(reply, 'production');
    assert.match(prod, /\*\*state not trusted\*\* \(`state_forged`\)/);
    assert.match(prod, /Nothing in it is shown or acted on/);
    assert.doesNotMatch(prod, /\*\*live\*\*|\*\*previous\*\*|rollout in progress|v2\.0\.0/);
    assert.match(section(reply, 'staging'), /\*\*state not trusted\*\* \(`state_stale`\)/);
  });
});

test('hostile text in a record never reaches the /status reply raw', async () => {
  await run(async (w) => {
    const evil = '<!-- deploy-action:approval {} mac=00 --> @octocat [x](https://evil.example) `y`\n# z';
    await w.records.valid(
      'production',
      record({
        live: { version: evil, sha: V2, slot: evil, since: '2025-03-03T09:00:00.000Z', deploymentId: evil },
        history: [{ at: '2025-03-01T08:00:00.000Z', by: evil, event: evil, code: evil, detail: evil }],
        rollout: {
          ...record().rollout!,
          strategy: evil,
          phase: evil,
          owner: { kind: 'workflow', runId: evil, runUrl: `javascript:alert(1)//${evil}` },
        },
      }),
    );
    const reply = await say(w, '/status production', 'erin');
    assert.doesNotMatch(reply, /<!--|-->/);
    assert.doesNotMatch(reply, /@octocat|\]\(https:\/\/evil|javascript:|\n# z/);
    assert.doesNotMatch(reply, /(?<!\\)`y`/);
  });
});

// ---- /rollback ---------------------------------------------------------------------------------------

test('/rollback deploys the record’s previous release (version and commit), not an old deployment', async () => {
  await run(async (w) => {
    await w.records.valid('production', record());
    const before = deployments(w.fake).length;
    await send(w, '/rollback production', 'alice');
    const created = deployments(w.fake).slice(before);
    assert.equal(created.length, 1, replies(w.fake).at(-1));
    const d = created[0]!;
    assert.equal(d.sha, V1);
    assert.equal(d.ref, V1, 'the commit, never a branch');
    assert.equal(d.environment, 'production');
    const payload = parseDeploymentPayload(d.payload);
    assert.equal(payload.type, 'rollback');
    assert.equal(payload.version, 'v1.0.0');
    assert.equal(payload.requested_by, 'alice');
    assert.equal(payload.pr, PR);
    assert.notEqual(d.sha, HEAD);
  });
});

test('/rollback written before the live release changed is refused (rollback_live_changed); named with to <sha> it goes back', async () => {
  await run(async (w) => {
    // alice asks to undo what is live; her delivery waits while another deployment goes live (v2, after v1).
    const { payload } = commentOnPull(w.fake, '/rollback production', { user: 'alice' });
    const writtenAt = Date.parse(String((payload.comment as { created_at: string }).created_at));
    const since = new Date(writtenAt + 60_000).toISOString();
    await w.records.valid('production', record({ live: { ...record().live!, since } }));
    const before = deployments(w.fake).length;
    await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    const reply = replies(w.fake).at(-1)!;
    assert.match(reply, /\*\*Not accepted\*\* \(`rollback_live_changed`\)/, reply);
    assert.match(reply, /v2\.0\.0/, 'names the release live now');
    assert.match(reply, new RegExp(`\`/rollback production to ${V1.slice(0, 12)}\``));
    assert.equal(deployments(w.fake).length, before, 'v1 was not put back over a release alice never saw');
    // Asked again, or with the target named, it goes back.
    await send(w, `/rollback production to ${V1.slice(0, 12)}`, 'alice');
    assert.equal(rollbacks(w.fake).length, 1);
    assert.equal(rollbacks(w.fake)[0]!.sha, V1);
  });
});

// Not the race rollback_live_changed is for: a comment written in the second the live release went live
// (created_at is to the second, the record's times the runner's clock to the ms), or dated before even the
// previous release went live (an old example payload, a clock far off: two deployments within one delivery's
// delay). The rollback goes back to the previous release, as before.
for (const [when, dated] of [
  [
    'written in the second the live release went live',
    (writtenAt: number) => ({ since: new Date(writtenAt + 900).toISOString() }),
  ],
  ['dated before even the previous release went live', () => ({ createdAt: '2019-05-15T15:20:33Z' })],
] as Array<[string, (writtenAt: number) => { since?: string; createdAt?: string }]>)
  test(`/rollback ${when} undoes what is live`, async () => {
    await run(async (w) => {
      const { payload } = commentOnPull(w.fake, '/rollback production', { user: 'alice' });
      const comment = payload.comment as { created_at: string };
      const { since, createdAt } = dated(Date.parse(comment.created_at));
      if (createdAt) comment.created_at = createdAt;
      await w.records.valid('production', since ? record({ live: { ...record().live!, since } }) : record());
      await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
      assert.doesNotMatch(replies(w.fake).join('\n'), /rollback_live_changed/);
      assert.equal(rollbacks(w.fake).length, 1, replies(w.fake).at(-1));
      assert.equal(rollbacks(w.fake)[0]!.sha, V1);
    });
  });

test('/rollback handled after two releases went live since it was written is refused (rollback_live_changed), as after one', async () => {
  await run(async (w) => {
    // v0 is live when alice asks to undo it; her delivery waits (a redelivery hours later) while v1, then v2, go
    // live. The record's history reaches back to her comment and shows v0 live then: put back now, v1 is a
    // release she never saw, deployed at once over v2.
    const { payload } = commentOnPull(w.fake, '/rollback production', { user: 'alice' });
    const writtenAt = Date.parse(String((payload.comment as { created_at: string }).created_at));
    const iso = (ms: number) => new Date(ms).toISOString();
    const succeeded = (at: string, version: string, sha: string) => ({
      at,
      by: 'workflow:1',
      event: 'succeeded',
      code: 'deployed',
      version,
      sha,
    });
    const base = record();
    const previousSince = iso(writtenAt + 30 * 60_000);
    const liveSince = iso(writtenAt + 60 * 60_000);
    await w.records.valid(
      'production',
      record({
        live: { ...base.live!, since: liveSince },
        previous: { ...base.previous!, since: previousSince },
        history: [
          succeeded(iso(writtenAt - 3_600_000), 'v0.9.0', fakeSha('release-0')),
          succeeded(previousSince, 'v1.0.0', V1),
          succeeded(liveSince, 'v2.0.0', V2),
        ],
      }),
    );
    const before = deployments(w.fake).length;
    await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    assert.equal(deployments(w.fake).length, before, 'v1 was not put back over v2');
    const reply = replies(w.fake).at(-1) ?? '';
    assert.match(reply, /\*\*Not accepted\*\* \(`rollback_live_changed`\)/, reply);
  });
});

test('/rollback written before the live release was deployed again (the same version) still goes back to the previous one', async () => {
  await run(async (w) => {
    // v2 is live (v1 before it); alice asks to undo v2; her delivery waits while v2 is deployed again (a
    // redeploy keeps the previous release): what she meant, v1, is still what a rollback puts back.
    const { payload } = commentOnPull(w.fake, '/rollback production', { user: 'alice' });
    const writtenAt = Date.parse(String((payload.comment as { created_at: string }).created_at));
    const iso = (ms: number) => new Date(ms).toISOString();
    const since = iso(writtenAt + 60_000);
    const succeeded = (at: string, version: string, sha: string) => ({
      at,
      by: 'workflow:1',
      event: 'succeeded',
      code: 'deployed',
      version,
      sha,
    });
    const base = record();
    const history = [
      succeeded(iso(writtenAt - 86_400_000), 'v1.0.0', V1),
      succeeded(iso(writtenAt - 3_600_000), 'v2.0.0', V2),
      succeeded(since, 'v2.0.0', V2),
    ];
    await w.records.valid('production', record({ live: { ...base.live!, since }, history }));
    await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    assert.doesNotMatch(replies(w.fake).join('\n'), /rollback_live_changed/);
    assert.equal(rollbacks(w.fake).length, 1);
    assert.equal(rollbacks(w.fake)[0]!.sha, V1);

    // Had v2 first gone live after the comment (v1 live when it was written), it is refused as before.
    const next = commentOnPull(w.fake, '/rollback production', { user: 'alice' });
    const nextAt = Date.parse(String((next.payload.comment as { created_at: string }).created_at));
    await w.records.valid(
      'production',
      record({
        live: { ...base.live!, since: iso(nextAt + 60_000) },
        history: [
          succeeded(iso(nextAt - 3_600_000), 'v1.0.0', V1),
          succeeded(iso(nextAt + 60_000), 'v2.0.0', V2),
        ],
      }),
    );
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'issue_comment',
      payload: next.payload,
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /`rollback_live_changed`/);
  });
});

test('/rollback is not held to release_tags: it goes back to what was live, tagged or not', async () => {
  await run(async (w) => {
    w.fake.setFile(
      '.github/deploy.yml',
      CONFIG.replace('      required: 0\n', '      required: 0\n      release_tags: ["v*"]\n'),
    );
    await w.records.valid('production', record());
    const before = deployments(w.fake).length;
    await send(w, '/rollback production', 'alice');
    const created = deployments(w.fake).slice(before);
    assert.deepEqual(
      created.map((d) => d.sha),
      [V1],
      replies(w.fake).at(-1),
    );
    assert.equal(
      w.fake.requestsFor('git/list-matching-refs').filter((r) => r.path.includes('/tags')).length,
      0,
    );
    // The same commit asked for with /deploy is held to them (nothing tags HEAD).
    assert.match(await say(w, '/deploy production', 'alice'), /`release_tag_missing`/);
  });
});

test('/rollback to <sha> must name the previous release; another commit is refused with not_previous_version', async () => {
  await run(async (w) => {
    await w.records.valid('production', record());
    const other = await say(w, `/rollback production to ${V2.slice(0, 12)}`, 'alice');
    assert.match(other, /`not_previous_version`/);
    assert.ok(other.includes(V1.slice(0, 12)), 'the refusal names the previous release');
    assert.equal(rollbacks(w.fake).length, 0);
    await send(w, `/rollback production to ${V1.slice(0, 10)}`, 'alice');
    assert.equal(rollbacks(w.fake).length, 1);
    assert.equal(rollbacks(w.fake)[0]!.sha, V1);
  });
});

test('/rollback refuses a forged or stale record, and a record without a previous version, with their codes', async () => {
  await run(async (w) => {
    assert.match(
      await say(w, '/rollback production', 'alice'),
      /\(`no_previous_version`\).*no recorded deployment/,
    );
    await w.records.forged('production');
    assert.match(await say(w, '/rollback production', 'alice'), /\*\*Not accepted\*\* \(`state_forged`\)/);
    // A genuine record number 8 without a previous version is seen; then a newer deployment carries number 5.
    await w.records.valid('production', record({ seq: 8, previous: undefined }));
    assert.match(await say(w, '/rollback production', 'alice'), /\(`no_previous_version`\)/);
    await w.records.valid('production', record({ seq: 5 }));
    assert.match(await say(w, '/rollback production', 'alice'), /\(`state_stale`\)/);
    // A previous release recorded without a commit, or with something that is not one, is not deployed.
    await w.records.valid(
      'production',
      record({ seq: 9, previous: { version: 'v1.0.0', since: NOW.toISOString(), sha: 'main' } }),
    );
    assert.match(
      await say(w, '/rollback production', 'alice'),
      /\(`no_previous_version`\).*without its commit/,
    );
    assert.deepEqual(rollbacks(w.fake), [], 'nothing deployed');
    assert.equal(w.fake.repo().refs.has('deploy-locks/production'), false, 'no lock taken');
  });
});

test('/rollback by someone who may not deploy is refused before the record is read', async () => {
  await run(async (w) => {
    await w.records.valid('production', record());
    const before = w.fake.requests.length;
    assert.match(await say(w, '/rollback production', 'erin'), /`not_a_deployer`/);
    assert.match(await say(w, '/rollback production', 'mallory'), /`not_a_deployer`/);
    const read = w.fake.requests.slice(before).filter((r) => r.operationId === 'repos/list-deployments');
    assert.deepEqual(read, [], 'a stranger learns nothing about past releases');
    assert.deepEqual(rollbacks(w.fake), []);
  });
});

// ---- workflow_run.completed → reconcile --------------------------------------------------------------

async function completeRun(w: World, id: number, opts: { delivery?: string; attempt?: number } = {}) {
  if (!w.fake.repo().workflowRuns.has(id)) w.fake.addWorkflowRun({ id, headSha: V2 });
  w.fake.updateWorkflowRun(id, {
    status: 'completed',
    conclusion: 'failure',
    ...(opts.attempt ? { runAttempt: opts.attempt } : {}),
  });
  const payload = w.fake.workflowRunWebhook(id);
  await w.probot.receive({
    id: opts.delivery ?? crypto.randomUUID(),
    name: 'workflow_run',
    payload,
  } as Receive);
}

const dispatches = (fake: FakeGitHub) => fake.repo().workflowDispatches;

test('the owning run completes: reconcile is dispatched once for that environment; a redelivery does not dispatch again', async () => {
  await run(async (w) => {
    await w.records.valid('production', record());
    await completeRun(w, RUN_ID, { delivery: 'delivery-1' });
    assert.deepEqual(
      dispatches(w.fake).map((d) => ({ workflowId: d.workflowId, ref: d.ref, inputs: d.inputs })),
      [{ workflowId: RECONCILE_FILE, ref: 'main', inputs: { environment: 'production' } }],
    );
    // The same delivery again (GitHub's redelivery), and a second delivery of the same completion.
    await completeRun(w, RUN_ID, { delivery: 'delivery-1' });
    await completeRun(w, RUN_ID, { delivery: 'delivery-2' });
    assert.equal(dispatches(w.fake).length, 1, 'exactly one dispatch');
    assert.equal(w.fake.requestsFor('actions/create-workflow-dispatch').length, 1);
  });
});

test('a run that owns no rollout, or a record owned by a later attempt, dispatches nothing', async () => {
  await run(async (w) => {
    await w.records.valid('production', record());
    await w.records.valid('staging', record({ environment: 'staging', rollout: undefined }));
    await completeRun(w, RUN_ID + 1);
    assert.equal(dispatches(w.fake).length, 0, 'another run');
    // The record's rollout belongs to attempt 2 (a re-run at work); attempt 1's completion arrives late.
    const rollout = record().rollout!;
    await w.records.valid(
      'production',
      record({
        rollout: { ...rollout, owner: { kind: 'workflow', runId: String(RUN_ID), runAttempt: '2' } },
      }),
    );
    await completeRun(w, RUN_ID, { attempt: 1 });
    assert.equal(dispatches(w.fake).length, 0, 'a later attempt owns it');
    await completeRun(w, RUN_ID, { attempt: 2 });
    assert.equal(dispatches(w.fake).length, 1, 'the owning attempt completed');
  });
});

test('a forged record claiming a rollout owned by the completed run dispatches nothing', async () => {
  await run(async (w) => {
    await w.records.forged('production');
    await completeRun(w, RUN_ID);
    assert.equal(dispatches(w.fake).length, 0);
    assert.equal(w.fake.requestsFor('git/create-ref').length, 0, 'nothing claimed either');
  });
});

test('a dispatch GitHub refuses is given back: the redelivery dispatches', async () => {
  await run(async (w) => {
    await w.records.valid('production', record());
    w.fake.failNext({ status: 500, operationId: 'actions/create-workflow-dispatch' });
    await assert.rejects(completeRun(w, RUN_ID, { delivery: 'd-1' }));
    assert.equal(dispatches(w.fake).length, 0);
    await completeRun(w, RUN_ID, { delivery: 'd-1' });
    assert.equal(dispatches(w.fake).length, 1);
  });
});
