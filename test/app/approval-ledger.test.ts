// The approvals ledger (app/facts/approval-ledger.ts): anyone with write access can delete any comment on a
// pull request, the App's too. A veto recorded only in the App's comment was undone by deleting that comment,
// and the deployment it held went ahead. Every approval and veto is now also a check run of the App on its
// commit, which nobody can delete and only the App can change, read back with the same MAC check. An
// approval whose comment is deleted still counts too: deleting the App's comment changes no decision either
// way (an approver withdraws with /reject-deploy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { approvePress, protectionRulePayload, receive, reviewOf } from './delivery-helpers.ts';
import {
  approvalRecord,
  BOT_LOGIN,
  commentOnPull,
  completeWorkflowRun,
  HEAD,
  owner,
  PR,
  repliesTo,
  repo,
  rest,
  restWith,
  sayOnPull,
  signedApproval,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import { appendMarkers, writeMarker } from '../../src/github/hidden-marker.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { LEDGER_CHECK_NAME, LEDGER_MAX_ENTRIES } from '../../app/facts/approval-ledger.ts';

type Json = Record<string, unknown>;
type Receive = Parameters<Probot['receive']>[0];
const NOW = new Date('2025-03-04T10:30:00Z');
/** The App's clock: a second later at every look, so a person's later record is later than their earlier one. */
const ticking = () => {
  let t = NOW.getTime();
  return () => new Date((t += 1000));
};
const OTHER_APP = { id: 31337, slug: 'other-app' };

const config = (required: number) => `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: ${required}
`;

async function run(
  required: number,
  body: (fake: FakeGitHub, probot: Probot) => Promise<void>,
): Promise<void> {
  const fake = await createFakeGitHub({
    tokens: { 'mallory-token': 'mallory' },
    otherApps: { 'other-app-token': OTHER_APP },
  });
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': config(required) },
    // mallory may write to the repository (so she may delete any comment on it), and wants this deployed.
    collaborators: { alice: 'write', carol: 'write', dave: 'write', mallory: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  const probot = testProbot(fake);
  await probot.load(testApp({ now: ticking() }));
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const say = sayOnPull;
const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];
const ledgerRuns = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].filter((r) => r.name === LEDGER_CHECK_NAME);

/** A REST call made with `token` (mallory's, another app's, a workflow's); returns the HTTP status. */
async function call(fake: FakeGitHub, token: string, method: string, path: string, body?: unknown) {
  const res = await restWith(fake, token, method, path, body);
  await res.arrayBuffer();
  return res.status;
}

/** mallory deletes every comment of the App that records an approval or veto. */
async function deleteRecordComments(fake: FakeGitHub): Promise<number> {
  const ids = [...fake.repo().comments.values()]
    .filter(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        String(c.body).includes('<!-- deploy-action:approval '),
    )
    .map((c) => c.id as number);
  for (const id of ids)
    assert.equal(await call(fake, 'mallory-token', 'DELETE', `/issues/comments/${id}`), 204);
  return ids.length;
}

/** An approval marker as the App signs it (a genuine one: the test holds the App's key). */
const approvalBy = (login: string, pullRequest = PR) =>
  signedApproval(approvalRecord(login, { at: new Date(NOW.getTime() - 60_000) }), pullRequest);

test('a veto whose App comment was deleted still holds the deployment', async () => {
  await run(1, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const reason = 'not **yet** @dave <!-- x --> [see](https://evil.example)';
    assert.match(
      await say(fake, probot, `/reject-deploy production "${reason}"`, 'carol'),
      /\*\*Veto\*\* by/,
    );
    assert.equal(await deleteRecordComments(fake), 1);

    assert.match(await say(fake, probot, '/approve-deploy production', 'dave'), /`rejected`/);
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /`rejected`.*carol/s);
    assert.equal(deployments(fake).length, 0, "carol's veto stands without its comment");

    // The ledger: one check run per record, the App's, completed as neutral (it never blocks a merge).
    const runs = ledgerRuns(fake);
    assert.equal(runs.length, 2, 'the veto and the approval');
    for (const r of runs) {
      assert.equal((r.app as Json).id, fake.state.appId);
      assert.equal(r.head_sha, HEAD);
      assert.equal(r.status, 'completed');
      assert.equal(r.conclusion, 'neutral');
    }
    const veto = runs[0]!.output as { title: string; summary: string; text: string };
    assert.equal(veto.title, 'Veto by carol for production');
    assert.match(veto.summary, /^\*\*Veto\*\* by `carol` for `production`/);
    // The reason is shown, escaped: no emphasis, mention, HTML comment or link of the commenter's making.
    assert.match(veto.summary, /not \\\*\\\*yet\\\*\\\*/);
    assert.doesNotMatch(veto.summary, /<!--|\]\(|@dave/);
    assert.match(veto.text, /^<!-- deploy-action:approval \{.*\} mac=[0-9a-f]{64} -->$/m);
    const approval = runs[1]!.output as { summary: string };
    assert.match(approval.summary, /^Approval by `dave`/);
    assert.match(
      approval.summary,
      /- \*\*Veto\*\* by `carol`[^\n]*\n- Approval by `dave`/,
      'the record so far',
    );
  });
});

test('an approval whose App comment was deleted still counts', async () => {
  await run(2, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 2 approval/);
    assert.match(await say(fake, probot, '/approve-deploy production', 'carol'), /Still waiting for 1/);
    assert.equal(await deleteRecordComments(fake), 1);
    assert.match(
      await say(fake, probot, '/approve-deploy production', 'dave'),
      /Deployment \*\*\\#\u200D\d+\*\* created/,
    );
    const [d] = deployments(fake);
    assert.deepEqual(parseDeploymentPayload(d!.payload).approved_by, ['carol', 'dave'], 'each counted once');
  });
});

test('a self-approver lifts a veto of theirs whose comment was deleted', async () => {
  await run(1, async (fake, probot) => {
    // alice opened the pull request: her veto counts, her approval does not, but it lifts her veto.
    assert.match(await say(fake, probot, '/reject-deploy production wait', 'alice'), /\*\*Veto\*\* by/);
    await deleteRecordComments(fake);
    assert.match(await say(fake, probot, '/approve-deploy production', 'alice'), /Veto by @alice lifted/);
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
  });
});

test('ledger check runs of another app, and edits of the App’s by anyone else, are not believed', async () => {
  await run(1, async (fake, probot) => {
    // Another app (any app with checks:write may use the name) posts a genuine approval marker by carol,
    // copied from a comment of the App: not the App's check run, so not read.
    const text = appendMarkers('copied', [approvalBy('carol')]);
    const other = { name: LEDGER_CHECK_NAME, head_sha: HEAD, external_id: `approval:${PR}:copied` };
    assert.equal(
      await call(fake, 'other-app-token', 'POST', '/check-runs', {
        ...other,
        status: 'completed',
        conclusion: 'neutral',
        output: { title: 'Approval', summary: 'carol approved', text },
      }),
      201,
    );
    // A check run the fake shows as the App's (it does so for a plain token's), whose marker is made up or
    // signed for another pull request: its MAC does not verify for this one.
    const forged = approvalBy('dave').replace(/mac=[0-9a-f]{64}/, `mac=${'0'.repeat(64)}`);
    for (const marker of [forged, approvalBy('dave', PR + 1)])
      await rest(fake, 'POST', '/check-runs', {
        ...other,
        external_id: `approval:${PR}:${marker.length}${marker.slice(-10, -4)}`,
        status: 'completed',
        conclusion: 'neutral',
        output: { title: 'Approval', summary: 'dave approved', text: appendMarkers('forged', [marker]) },
      });
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    assert.equal(deployments(fake).length, 0);

    // carol vetoes; nobody but the App may change the App's record of it: not another app, not a workflow.
    await say(fake, probot, '/reject-deploy production', 'carol');
    const veto = ledgerRuns(fake).find(
      (r) => (r.app as Json).id === fake.state.appId && /Veto/.test(String((r.output as Json).title)),
    )!;
    const edit = {
      output: { title: 'Approval', summary: 'ok', text: appendMarkers('edited', [approvalBy('carol')]) },
    };
    assert.equal(await call(fake, 'other-app-token', 'PATCH', `/check-runs/${veto.id}`, edit), 403);
    assert.equal(await call(fake, 'workflow-token', 'PATCH', `/check-runs/${veto.id}`, edit), 403);
    await deleteRecordComments(fake);
    assert.match(await say(fake, probot, '/approve-deploy production', 'dave'), /`rejected`/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('a ledger that cannot be read is an error the App reports, and nothing is deployed', async () => {
  await run(1, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    await say(fake, probot, '/reject-deploy production', 'carol');
    await deleteRecordComments(fake);
    fake.failNext({ status: 502, operationId: 'checks/list-suites-for-ref', times: 5 });
    const approve = await say(fake, probot, '/approve-deploy production', 'dave');
    assert.match(approve, /\*\*Not accepted\*\* \(`approvals_ledger_unreadable`\)/);
    assert.match(approve, /cannot be read from its "deploy-action approvals" check runs .*HTTP 502/);
    fake.failNext({ status: 502, operationId: 'checks/list-for-suite', times: 5 });
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /`approvals_ledger_unreadable`/);
    assert.equal(deployments(fake).length, 0);
    assert.equal(ledgerRuns(fake).length, 1, 'only the veto: the refused approval was not recorded');
  });
});

test('a full ledger refuses new records rather than drop one, and more than it reads decides nothing', async () => {
  await run(1, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    // Filled to the limit (the fake shows a plain token's check runs as the App's; these verify for nothing).
    const fill = (external: string) =>
      rest(fake, 'POST', '/check-runs', {
        name: LEDGER_CHECK_NAME,
        head_sha: HEAD,
        external_id: external,
        status: 'completed',
        conclusion: 'neutral',
        output: { title: 'filler', summary: 'filler', text: 'filler' },
      });
    for (let i = 0; i < LEDGER_MAX_ENTRIES; i++) await fill(`approval:${PR + 1}:${i}`);
    const refused = await say(fake, probot, '/reject-deploy production', 'carol');
    assert.match(refused, /\*\*Not accepted\*\* \(`approvals_ledger_full`\)/);
    assert.match(refused, /no more are recorded .*push a new commit/);
    assert.doesNotMatch(refused, /deploy-action:approval/, 'no record in the reply either');
    // At the limit the ledger is still read whole: a decision stands on it.
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    // One more (two replicas writing at once): nothing is decided on a ledger not read whole.
    await fill(`approval:${PR + 1}:last`);
    assert.match(await say(fake, probot, '/approve-deploy production', 'dave'), /`approvals_ledger_full`/);
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /`approvals_ledger_full`/);
    assert.equal(deployments(fake).length, 0);
  });
});

/** A workflow job of this pull request's head asks for production: the App is its protection rule. */
async function protectionRule(fake: FakeGitHub, probot: Probot): Promise<string | undefined> {
  const held = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
  await receive(
    probot,
    'deployment_protection_rule',
    protectionRulePayload(fake, { run: held.id, pullRequests: [PR] }),
  );
  const review = reviewOf(fake, held.id);
  return review && `${review.state}: ${review.comment ?? ''}`;
}

test('protection rule: a veto whose comment was deleted rejects the run; so does a ledger that cannot be read', async () => {
  await run(1, async (fake, probot) => {
    await say(fake, probot, '/reject-deploy production', 'carol');
    await say(fake, probot, '/approve-deploy production', 'dave');
    await deleteRecordComments(fake);
    assert.match((await protectionRule(fake, probot)) ?? '', /^rejected: .*carol/);
    fake.failNext({ status: 502, operationId: 'checks/list-suites-for-ref', times: 5 });
    assert.match(
      (await protectionRule(fake, probot)) ?? '',
      /^rejected: The approvals cannot be read: .*HTTP 502/,
    );
  });
});

test('Approve button: the approval is recorded in the ledger too, and counts without its comment', async () => {
  await run(1, async (fake, probot) => {
    assert.equal(await protectionRule(fake, probot), undefined, 'waiting for an approval');
    const gate = [...fake.repo().checkRuns.values()].find((r) => r.name === 'approval / production')!;
    const click = (login: string) => approvePress(fake, gate, login);
    // mallory is no approver: refused, and nothing is written to the ledger.
    await probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click('mallory'),
    } as Receive);
    assert.equal(ledgerRuns(fake).length, 0);
    await probot.receive({ id: crypto.randomUUID(), name: 'check_run', payload: click('dave') } as Receive);
    const [entry] = ledgerRuns(fake);
    assert.equal((entry?.output as Json | undefined)?.title, 'Approval by dave for production');
    assert.match(String((entry!.output as Json).text), /"by":"dave".*"src":"check_run"/);
    await deleteRecordComments(fake);
    // Allowed at once: the status comment is the answer, and the deployment names dave's approval.
    const { payload } = commentOnPull(fake, '/deploy production', { user: 'alice' });
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    assert.equal(deployments(fake).length, 1);
    assert.deepEqual(parseDeploymentPayload(deployments(fake)[0]!.payload).approved_by, ['dave']);
  });
});

test('a scheduled deployment on a commit whose ledger is full is refused and told; the others still start', async () => {
  const fake = await createFakeGitHub();
  const OTHER = PR + 1;
  fake.seedRepo({
    owner,
    repo,
    files: {
      '.github/deploy.yml':
        'target:\n  commands:\n    deploy: ./deploy.sh\nenvironments:\n  staging: {}\n  qa: {}\n',
    },
    collaborators: { alice: 'write' },
    pulls: [
      { number: PR, head: HEAD, user: 'alice' },
      { number: OTHER, head: fakeSha('pr-8-head'), user: 'alice' },
    ],
  });
  const clock = { now: new Date('2026-12-01T08:00:00Z') };
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => clock.now }));
  try {
    const ask = (pr: number, body: string) => repliesTo(fake, probot, body, 'alice', pr);
    await ask(PR, '/deploy qa at 2026-12-01 09:30 UTC');
    await ask(OTHER, '/deploy staging at 2026-12-01 09:35 UTC');
    const scheduled = () => [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-schedule/'));
    assert.equal(scheduled().length, 2);
    for (let i = 0; i <= LEDGER_MAX_ENTRIES; i++)
      await rest(fake, 'POST', '/check-runs', {
        name: LEDGER_CHECK_NAME,
        head_sha: HEAD,
        external_id: `approval:${OTHER}:${i}`,
        status: 'completed',
        conclusion: 'neutral',
        output: { title: 'filler', summary: 'filler', text: 'filler' },
      });

    clock.now = new Date('2026-12-01T09:40:00Z');
    await completeWorkflowRun(fake, probot, 9000, fakeSha('pr-8-head'));

    assert.deepEqual(
      deployments(fake).map((d) => d.environment),
      ['staging'],
      "the other PR's schedule started",
    );
    assert.deepEqual(scheduled(), [], 'neither is left waiting');
    const told = [...fake.repo().comments.values()]
      .map((c) => String(c.body))
      .filter((b) => b.includes('`schedule_approvals_ledger_full`'));
    assert.equal(told.length, 1, 'the PR is told why');
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});

/** carol's veto as a newer replica of the App records it in the ledger: signed with the App's key, as `data`. */
async function recordNewerVeto(fake: FakeGitHub, data: Json): Promise<void> {
  const marker = writeMarker('approval', data, testMarkerKeys(), {
    repository: `${owner}/${repo}`,
    pullRequest: PR,
  });
  await rest(fake, 'POST', '/check-runs', {
    name: LEDGER_CHECK_NAME,
    head_sha: HEAD,
    external_id: `approval:${PR}:newer-veto`,
    status: 'completed',
    conclusion: 'neutral',
    output: { title: 'Veto', summary: 'carol vetoed', text: appendMarkers('Veto.', [marker]) },
  });
}

const newerVeto = {
  v: 2,
  kind: 'reject',
  env: 'production',
  sha: HEAD,
  by: 'carol',
  perm: 'write',
  teams: [],
  at: new Date(NOW.getTime() - 60_000).toISOString(),
  scope: 'all-environments',
};

test('a genuine ledger record this version cannot read (a newer App replica wrote it) decides nothing', async () => {
  await run(1, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    // A newer replica of the App (a rolling upgrade) records carol's veto in a later format: the App's own
    // record, but not one this version reads. Skipped (as every App marker this version cannot parse was),
    // dave's approval started the deployment carol vetoed.
    await recordNewerVeto(fake, newerVeto);
    const approve = await say(fake, probot, '/approve-deploy production', 'dave');
    assert.match(approve, /\*\*Not accepted\*\* \(`approvals_ledger_unreadable`\)/);
    assert.match(
      approve,
      /cannot read \\?\(format v2; this version reads v1\\?\), written by a newer version/,
    );
    assert.match(approve, /run that version or a later one on every replica/);
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /`approvals_ledger_unreadable`/);
    assert.equal(deployments(fake).length, 0, "carol's veto in the newer format is not stepped over");
  });
  // A field added within format v1 is refused alike, and named.
  await run(1, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    await recordNewerVeto(fake, { ...newerVeto, v: 1 });
    const approve = await say(fake, probot, '/approve-deploy production', 'dave');
    assert.match(
      approve,
      /`approvals_ledger_unreadable`.*cannot read \\?\(format v1, .*Unrecognized key.*scope/,
    );
    assert.equal(deployments(fake).length, 0);
  });
});
