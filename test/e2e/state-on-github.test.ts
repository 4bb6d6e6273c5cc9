// The environment record kept on GitHub (issue 13), end to end through the BUILT action, the fake GitHub
// (every request checked against GitHub's OpenAPI description), the demo's router and the App:
// - Two runs on fresh workspaces, no state-dir carried over and no `current` command: the second knows the
//   live slot and the previous version from GitHub alone, and the App's /status and /rollback agree.
// - Records forged the ways a user with write access can (a deployment of their own, a workflow token's
//   check run signed under a made-up key, a genuine record copied from elsewhere, garbage): the Action
//   refuses each with its reason code and deploys nothing on top of it; the App shows it as not trusted and
//   /rollback refuses it with the same code.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha, webhookPayload, type FakeGitHub } from '../fake-github/index.ts';
import { capturedLog, commentOnPull, PR, testApp, testMarkerKeys, testProbot } from '../app/helpers.ts';
import {
  deploymentEvent,
  runBuiltAction,
  type ActionEvent,
  type ActionRun,
  type DeploymentFields,
} from '../helpers/action.ts';
import { demoTargetYaml, servedVersions, setupDemo, type Demo } from '../helpers/demo.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { formatStateKey, stateKey } from '../../src/state/state-key.ts';

type Receive = Parameters<Probot['receive']>[0];

const OWNER = 'acme';
const REPO = 'web';
const ENV = 'production';
const CHECK = `deploy / ${ENV}`;
const CONFIG_PATH = '.github/deploy.yml';
/** The deploying workflow's token, and the token of a workflow the attacker pushed: both github-actions[bot]. */
const ACTION_TOKEN = 'ghs_deploy_workflow_token';
const ATTACKER_WORKFLOW_TOKEN = 'ghs_attacker_workflow_token';
/** A personal access token of mallory, who has write access and may not deploy. */
const MALLORY_PAT = 'ghp_mallory_personal_token';

/** The production state key as the operator stores it: derived from the App's marker key. */
const STATE_KEY = formatStateKey(stateKey(testMarkerKeys().current, `${OWNER}/${REPO}`, ENV));

/**
 * The repository's deploy.yml (the App reads it from the default branch, the Action from its checkout). The
 * demo's target WITHOUT its `current` command: GitHub is the only place that says what is live. Blue-green
 * keeps the old slot for an hour, so /status has a retired slot to show.
 */
function deployYml(): string {
  const target = demoTargetYaml()
    .split('\n')
    .filter((l) => !/^\s+current:/.test(l))
    .join('\n');
  assert.doesNotMatch(target, /current/, 'the target has no current command');
  return `preset: fast
${target}environments:
  ${ENV}:
    strategy: { type: blue-green, scale_down_delay: 1h, verify_after_switch: 0s }
    monitor: 0
    approvals:
      deployers: [alice]
      required: 0
`;
}

interface World {
  fake: FakeGitHub;
  probot: Probot;
  demo: Demo;
  /** What the App logged at warn and above: said when a command got no reply. */
  appLog: () => string;
}

async function world(t: { after(fn: () => unknown): void }): Promise<World> {
  // Nothing is deployed yet: the router has the two slots and no service behind either.
  const demo = await setupDemo(t, 'embedded', { blue: 100, green: 0 });
  const fake = await createFakeGitHub({
    tokens: {
      [ACTION_TOKEN]: 'github-actions[bot]',
      [ATTACKER_WORKFLOW_TOKEN]: 'github-actions[bot]',
      [MALLORY_PAT]: 'mallory',
    },
  });
  t.after(() => fake.stop());
  fake.seedRepo({
    owner: OWNER,
    repo: REPO,
    files: { [CONFIG_PATH]: deployYml() },
    collaborators: { alice: 'write', mallory: 'write' },
    pulls: [{ number: PR, head: fakeSha('pr-7-head'), user: 'alice' }],
  });
  const { log, text } = capturedLog('info');
  const probot = testProbot(fake, log);
  await probot.load(testApp({ now: () => new Date() }));
  return { fake, probot, demo, appLog: text };
}

/** A merge to main: a new commit, and the push event the deploying workflow runs on. */
function push(w: World, message: string): { sha: string; event: ActionEvent } {
  const sha = w.fake.addCommit({ message, author: 'alice' });
  return {
    sha,
    event: {
      name: 'push',
      payload: webhookPayload('push', '', { after: sha }, { owner: OWNER, repo: REPO }),
    },
  };
}

let nextRunId = 7000;

/**
 * The built action as a hosted runner runs it: a NEW workspace (nothing from an earlier run, no state-dir
 * input), a run id of its own, the state key from the environment secret. The workspace is removed after.
 */
async function deploy(
  w: World,
  t: { after(fn: () => unknown): void },
  opts: { sha: string; event: ActionEvent; version?: string },
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'state-gh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, CONFIG_PATH), deployYml());
  const runId = String(nextRunId++);
  const run = await runBuiltAction({
    dir,
    inputs: {
      'github-token': ACTION_TOKEN,
      config: CONFIG_PATH,
      'state-key': STATE_KEY,
      ...(opts.version ? { environment: ENV, version: opts.version } : {}),
    },
    event: opts.event,
    env: {
      ...w.demo.env,
      GITHUB_API_URL: w.fake.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_SHA: opts.sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_ACTOR: 'alice',
      GITHUB_RUN_ID: runId,
      RUNNER_ENVIRONMENT: 'github-hosted',
      DEPLOY_ACTION_RETRY_BASE_MS: '20',
      DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
    },
    timeoutMs: 60_000,
  });
  // The runner's workspace is gone with the job: nothing of this run can reach the next one locally.
  rmSync(dir, { recursive: true, force: true });
  return run;
}

const log = (run: ActionRun) => run.stdout + run.stderr;

/** What the demo's infrastructure is: the router's servers and the service processes. */
async function infrastructure(demo: Demo): Promise<unknown> {
  return JSON.parse(await demo.ctl('status'));
}

const botLogin = (fake: FakeGitHub): string => `${fake.state.appSlug}[bot]`;

function replies(fake: FakeGitHub): string[] {
  return [...fake.repo().comments.values()]
    .filter((c) => (c.user as { login: string }).login === botLogin(fake))
    .map((c) => String(c.body))
    .filter((b) => !b.startsWith('<!-- deploy-action:status'));
}

/** A PR comment by `user`, delivered to the App. */
async function send(w: World, body: string, user: string): Promise<number> {
  const { id, payload } = commentOnPull(w.fake, body, { user, owner: OWNER, repo: REPO });
  await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  return id;
}

/** A PR comment by `user` delivered to the App; its one reply. */
async function say(w: World, body: string, user: string): Promise<string> {
  const before = replies(w.fake).length;
  const id = await send(w, body, user);
  const after = replies(w.fake);
  // Seen twice under load with the App's 👀 and the wrong count (unexplained): what the App said and did, its
  // outcome line included (the log is kept from info up), to tell why next time.
  const reactions = JSON.stringify((w.fake.repo().reactions.get(id) ?? []).map((r) => r.content));
  const fresh = after.slice(before).map((reply) => reply.split('\n', 1)[0]);
  const logged = w.appLog().slice(-6000);
  assert.equal(
    after.length,
    before + 1,
    `exactly one reply to ${body} (comment ${id}), got ${JSON.stringify(fresh)}; reactions ${reactions}; ` +
      `App log:\n${logged}`,
  );
  return after.at(-1)!;
}

/** The environment's section of a /status reply. */
function section(reply: string): string {
  const start = reply.indexOf(`#### \`${ENV}\``);
  assert.ok(start >= 0, `a section for ${ENV} in:\n${reply}`);
  const end = reply.indexOf('\n\n', start);
  return reply.slice(start, end < 0 ? undefined : end);
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];
const rollbacks = (fake: FakeGitHub) =>
  deployments(fake).filter((d) => (d.payload as { type?: string }).type === 'rollback');

/** The first run: v1 from an empty environment into the first slot. */
async function firstRun(w: World, t: { after(fn: () => unknown): void }) {
  const one = push(w, 'Release v1');
  const run = await deploy(w, t, { ...one, version: 'v1' });
  assert.equal(run.status, 0, log(run));
  assert.equal(run.outputs.status, 'succeeded', log(run));
  assert.equal(run.outputs['state-source'], 'github');
  assert.equal(run.outputs['previous-version'], undefined, 'nothing was live before');
  assert.deepEqual(JSON.parse(await w.demo.ctl('current')), { slot: 'blue', version: 'v1' });
  return { sha: one.sha, deploymentId: Number(run.outputs['deployment-id']) };
}

async function twoRunsOnFreshWorkspaces(t: TestContext): Promise<void> {
  const w = await world(t);
  const v1 = await firstRun(w, t);

  const two = push(w, 'Release v2');
  const run = await deploy(w, t, { ...two, version: 'v2' });
  assert.equal(run.status, 0, log(run));
  assert.equal(run.outputs.status, 'succeeded', log(run));
  assert.equal(run.outputs['state-source'], 'github', 'the record was kept on GitHub');
  assert.doesNotMatch(log(run), /kept only in state-dir/);
  assert.equal(run.outputs['previous-version'], 'v1', 'the previous version, from the record alone');
  // Into the idle slot: the one run 1 did not leave live. Without the record it would have been blue again.
  assert.match(log(run), /green is idle: deploy there/);
  assert.deepEqual(JSON.parse(await w.demo.ctl('current')), { slot: 'green', version: 'v2' });
  assert.deepEqual(await servedVersions(w.demo.url), ['v2']);
  // Blue keeps v1 for the hour of scale_down_delay: not torn down.
  const status = (await infrastructure(w.demo)) as { processes: Record<string, { running: boolean }> };
  assert.equal(status.processes.blue?.running, true, JSON.stringify(status));

  // The App reads the same record: live v2 on green, previous v1 on blue, blue retired.
  const shown = section(await say(w, `/status ${ENV}`, 'mallory'));
  // Each release names the GitHub deployment that put it there (not the workflow run).
  const release = (label: string, version: string, sha: string, slot: string, deployment: unknown) =>
    new RegExp(
      `^- \\*\\*${label}\\*\\*: \\*\\*${version}\\*\\* \`${sha.slice(0, 12)}\` on slot \`${slot}\` ` +
        `since \`[^\`]+\` \\(deployment \`${String(deployment)}\`\\)$`,
      'm',
    );
  assert.match(shown, release('live', 'v2', two.sha, 'green', run.outputs['deployment-id']));
  assert.match(shown, release('previous', 'v1', v1.sha, 'blue', v1.deploymentId));
  assert.match(shown, /\*\*retired slot\*\* `blue` \(v1\): teardown at `[^`]+`$/m);
  assert.doesNotMatch(shown, /due now|not trusted/);

  // /rollback goes back to run 1's release: its version and its commit.
  const before = deployments(w.fake).length;
  await send(w, `/rollback ${ENV}`, 'alice');
  const created = deployments(w.fake).slice(before);
  assert.equal(created.length, 1, replies(w.fake).at(-1));
  const back = created[0]!;
  assert.equal(back.sha, v1.sha);
  assert.equal(back.ref, v1.sha, 'the commit, never a branch');
  const payload = parseDeploymentPayload(back.payload);
  assert.equal(payload.type, 'rollback');
  assert.equal(payload.version, 'v1');

  // The Action runs that deployment on yet another fresh workspace: v2 was live on green, so v1 goes to blue.
  const rollback = await deploy(w, t, {
    sha: v1.sha,
    event: deploymentEvent(back as unknown as DeploymentFields, {
      owner: OWNER,
      repo: REPO,
      baseUrl: w.fake.url,
    }),
  });
  assert.equal(rollback.status, 0, log(rollback));
  assert.equal(rollback.outputs['deployment-id'], String(back.id));
  assert.equal(rollback.outputs['previous-version'], 'v2');
  assert.deepEqual(JSON.parse(await w.demo.ctl('current')), { slot: 'blue', version: 'v1' });
  assert.deepEqual(await servedVersions(w.demo.url), ['v1']);
  w.fake.assertNoViolations();
}

// ---- forged records ------------------------------------------------------------------------------------

/** What someone with write access (not a deployer) holds: their own token, and any workflow's token. */
function attacker(w: World) {
  return {
    user: new Octokit({ auth: MALLORY_PAT, baseUrl: w.fake.url }),
    workflow: new Octokit({ auth: ATTACKER_WORKFLOW_TOKEN, baseUrl: w.fake.url }),
  };
}

/** The maintainer, who removes what the attacker made once the refusal pointed at it. */
const maintainer = (w: World) => new Octokit({ auth: ACTION_TOKEN, baseUrl: w.fake.url });

/** A record that, believed, would put v2 over the live slot (it says blue is idle) and roll back to `sha`. */
function forgedRecord(deploymentId: number, sha: string): EnvironmentRecord {
  const since = new Date().toISOString();
  return {
    schema: 1,
    repository: `${OWNER}/${REPO}`,
    environment: ENV,
    seq: 999,
    updatedAt: since,
    live: { version: 'v0-evil', sha, slot: 'green', since, deploymentId: String(deploymentId) },
    previous: { version: 'v0-evil', sha, slot: 'blue', since },
    retired: [],
    history: [],
  };
}

const place = (deploymentId: number, environment = ENV) => ({
  repository: `${OWNER}/${REPO}`,
  environment,
  deploymentId: String(deploymentId),
});

/** The deploy check run bound to `deploymentId` (as the attacker's workflow token can list it). */
async function deployCheckRun(w: World, sha: string, deploymentId: number) {
  const { data } = await attacker(w).workflow.rest.checks.listForRef({
    owner: OWNER,
    repo: REPO,
    ref: sha,
    check_name: CHECK,
    filter: 'all',
  });
  const bound = data.check_runs.filter((r) => r.external_id?.endsWith(`:deployment-${deploymentId}`));
  assert.equal(bound.length, 1, `one deploy check run bound to deployment ${deploymentId}`);
  return { id: bound[0]!.id, text: bound[0]!.output.text ?? '' };
}

/**
 * A deployment of a commit the attacker pushed, made with the workflow token (a `[bot]` creator, as the
 * Action's own), and a deploy check run bound to it as the Action binds its own, carrying `text(id)`.
 * Returns what removes them again.
 */
async function botDeploymentWith(
  w: World,
  text: (deploymentId: number, sha: string) => string,
): Promise<() => Promise<void>> {
  const { workflow } = attacker(w);
  const sha = w.fake.addCommit({ message: 'Tweak the footer', author: 'mallory' });
  const { data } = await workflow.rest.repos.createDeployment({
    owner: OWNER,
    repo: REPO,
    ref: sha,
    environment: ENV,
    required_contexts: [],
    auto_merge: false,
    payload: { version: 'v0-evil' },
  });
  const id = (data as { id: number }).id;
  await workflow.rest.checks.create({
    owner: OWNER,
    repo: REPO,
    name: CHECK,
    head_sha: sha,
    status: 'completed',
    conclusion: 'success',
    external_id: `deploy-action:666:${CHECK}:deployment-${id}`,
    output: { title: 'deployed', summary: 'deployed', text: text(id, sha) },
  });
  return async () => {
    const gh = maintainer(w);
    await gh.rest.repos.createDeploymentStatus({
      owner: OWNER,
      repo: REPO,
      deployment_id: id,
      state: 'inactive',
    });
    await gh.rest.repos.deleteDeployment({ owner: OWNER, repo: REPO, deployment_id: id });
  };
}

/** The attacker's workflow token rewrites the text of run 1's own deploy check run; returns the repair. */
async function editGenuine(
  w: World,
  first: { sha: string; deploymentId: number },
  text: (genuine: string) => string,
): Promise<() => Promise<void>> {
  const run = await deployCheckRun(w, first.sha, first.deploymentId);
  const update = (t: string) =>
    attacker(w).workflow.rest.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: run.id,
      output: { title: 'deployed', summary: 'deployed', text: t },
    });
  await update(text(run.text));
  return async () => void (await update(run.text));
}

interface Forgery {
  name: string;
  code: 'state_forged' | 'state_misplaced';
  /** Why the store gave that code, as its message says. */
  why: RegExp;
  forge(w: World, first: { sha: string; deploymentId: number }): Promise<() => Promise<void>>;
}

const EVIL = fakeSha('evil-release');

const FORGERIES: Forgery[] = [
  {
    name: 'the Action’s own check run rewritten by another workflow’s token, signed under a made-up key',
    code: 'state_forged',
    why: /does not verify under the environment's state key/,
    forge: (w, first) =>
      editGenuine(w, first, () =>
        signRecord(forgedRecord(first.deploymentId, EVIL), randomBytes(32), place(first.deploymentId)),
      ),
  },
  {
    name: 'the Action’s own check run blanked by another workflow’s token',
    code: 'state_forged',
    why: /missing from its deploy check run/,
    forge: (w, first) => editGenuine(w, first, () => 'nothing to see here'),
  },
  {
    name: 'a workflow token’s deployment and check run, signed under a made-up key',
    code: 'state_forged',
    why: /does not verify under the environment's state key/,
    forge: (w) =>
      botDeploymentWith(w, (id) => signRecord(forgedRecord(id, EVIL), randomBytes(32), place(id))),
  },
  {
    name: 'a genuine record copied onto a workflow token’s deployment',
    code: 'state_misplaced',
    why: /is a genuine record of acme\/web production deployment \d+, copied here/,
    forge: async (w, first) => {
      const genuine = (await deployCheckRun(w, first.sha, first.deploymentId)).text;
      return botDeploymentWith(w, () => genuine);
    },
  },
  {
    name: 'a record signed under another environment’s key (staging’s), on a workflow token’s deployment',
    code: 'state_forged',
    why: /does not verify under the environment's state key/,
    forge: (w) =>
      botDeploymentWith(w, (id) => {
        // What a staging run signs: its own key, which a staging job can read and a production one cannot.
        const staging = stateKey(testMarkerKeys().current, `${OWNER}/${REPO}`, 'staging');
        const record = { ...forgedRecord(id, EVIL), environment: 'staging' };
        const text = signRecord(record, staging, place(id, 'staging'));
        return text;
      }),
  },
  {
    name: 'garbage, with a marker line that has no MAC',
    code: 'state_forged',
    why: /is not signed \(no_mac\)/,
    forge: (w) =>
      botDeploymentWith(w, () => `trust me\n\n<!-- deploy-action:state {"record":{"seq":1000}} -->`),
  },
];

async function forgedRecordsRefused(t: TestContext): Promise<void> {
  const w = await world(t);
  const first = await firstRun(w, t);

  for (const forgery of FORGERIES) {
    await t.test(forgery.name, async (t) => {
      const repair = await forgery.forge(w, first);
      const before = await infrastructure(w.demo);
      const { sha, event } = push(w, `Release v2 (${forgery.code})`);

      // The Action: refused with the code, nothing deployed on top of it.
      const run = await deploy(w, t, { sha, event, version: 'v2' });
      assert.equal(run.status, 1, log(run));
      assert.equal(run.outputs.status, 'failed', log(run));
      assert.equal(run.outputs.code, 'state_refused');
      assert.equal(run.outputs['state-source'], 'github');
      const refusal = new RegExp(
        `::error::failed \\[state_refused\\]: the state record of production was refused \\[${forgery.code}\\]: `,
      );
      assert.match(run.stdout, refusal);
      assert.match(run.stdout, forgery.why);
      assert.match(run.stdout, /Nothing was deployed on top of it/);
      assert.deepEqual(await infrastructure(w.demo), before, 'the router and the services are untouched');
      assert.deepEqual(await servedVersions(w.demo.url), ['v1']);
      // The run's own deployment says so.
      const statuses = w.fake.repo().deploymentStatuses.get(Number(run.outputs['deployment-id']))!;
      assert.equal(statuses.at(-1)!.state, 'failure');

      // The App: /status shows it as not trusted, /rollback refuses it, both with the code.
      const shown = section(await say(w, `/status ${ENV}`, 'mallory'));
      assert.match(shown, new RegExp(`\\*\\*state not trusted\\*\\* \\(\`${forgery.code}\`\\)`));
      assert.doesNotMatch(shown, /\*\*live\*\*|\*\*previous\*\*|v0-evil/);
      const refused = await say(w, `/rollback ${ENV}`, 'alice');
      assert.match(refused, new RegExp(`\\*\\*Not accepted\\*\\* \\(\`${forgery.code}\`\\)`));
      assert.deepEqual(rollbacks(w.fake), [], 'no rollback deployment');
      assert.equal(w.fake.repo().refs.has(`deploy-locks/${ENV}`), false, 'no lock taken');

      // Once the forgery is removed, the genuine record is trusted again: the refused run left none of its own.
      await repair();
      const again = section(await say(w, `/status ${ENV}`, 'mallory'));
      assert.match(
        again,
        new RegExp(`^- \\*\\*live\\*\\*: \\*\\*v1\\*\\* \`${first.sha.slice(0, 12)}\``, 'm'),
      );
    });
  }

  await t.test('a deployment made with the user’s own token is skipped, not trusted', async (t) => {
    // mallory's personal token creates the deployment (a user cannot create check runs: those need an app),
    // and a workflow's token binds a forged record to it.
    const { user, workflow } = attacker(w);
    const sha = w.fake.addCommit({ message: 'Tweak the header', author: 'mallory' });
    const { data } = await user.rest.repos.createDeployment({
      owner: OWNER,
      repo: REPO,
      ref: sha,
      environment: ENV,
      required_contexts: [],
      auto_merge: false,
    });
    const id = (data as { id: number; creator: { login: string } }).id;
    assert.equal((data as { creator: { login: string } }).creator.login, 'mallory');
    await workflow.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: CHECK,
      head_sha: sha,
      status: 'completed',
      conclusion: 'success',
      external_id: `deploy-action:667:${CHECK}:deployment-${id}`,
      output: {
        title: 'deployed',
        summary: 'deployed',
        text: signRecord(forgedRecord(id, EVIL), randomBytes(32), place(id)),
      },
    });

    // Neither refused nor believed: the record under the newest deployment made by a bot is read.
    const shown = section(await say(w, `/status ${ENV}`, 'mallory'));
    assert.match(shown, new RegExp(`^- \\*\\*live\\*\\*: \\*\\*v1\\*\\* \`${first.sha.slice(0, 12)}\``, 'm'));
    assert.doesNotMatch(shown, /not trusted|v0-evil/);

    const two = push(w, 'Release v2');
    const run = await deploy(w, t, { ...two, version: 'v2' });
    assert.equal(run.status, 0, log(run));
    assert.equal(run.outputs['previous-version'], 'v1');
    assert.deepEqual(JSON.parse(await w.demo.ctl('current')), { slot: 'green', version: 'v2' });
    const after = section(await say(w, `/status ${ENV}`, 'mallory'));
    assert.match(after, /^- \*\*live\*\*: \*\*v2\*\* .* on slot `green`/m);
    assert.match(
      after,
      new RegExp(`^- \\*\\*previous\\*\\*: \\*\\*v1\\*\\* \`${first.sha.slice(0, 12)}\``, 'm'),
    );
    assert.doesNotMatch(after, /not trusted|v0-evil/);
  });
  w.fake.assertNoViolations();
}

// Each has its own fake GitHub, App, router and services, and mostly waits on the built action's runs.
describe('the state record kept on GitHub', { concurrency: true }, () => {
  test(
    'two runs on fresh workspaces: the second knows the live slot and previous version from GitHub alone; /status and /rollback agree',
    twoRunsOnFreshWorkspaces,
  );
  test(
    'records forged with the tokens of a user with write access are refused with their codes by the Action and the App',
    forgedRecordsRefused,
  );
});
