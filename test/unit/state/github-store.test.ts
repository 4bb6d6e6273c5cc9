// The environment record on GitHub, against the fake GitHub (every request checked against GitHub's OpenAPI
// description): written by the Action's store through the reporter's deploy check run, read back by the
// newest deployment that ran, and refused with its reason code when someone without the environment's key
// wrote it, copied it, replayed an older one or damaged it. A read never throws and its requests are counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { createGitHubClient } from '../../../src/github/client.ts';
import { githubReporter } from '../../../src/report/github/reporter.ts';
import { emptyRecord, withTransition, type EnvironmentRecord } from '../../../src/state/record.ts';
import {
  bindExternalId,
  GitHubStateStore,
  MAX_READ_REQUESTS,
  MAX_RECORD_SUITES,
  readEnvironmentRecord,
  type GitHubStateStoreOptions,
} from '../../../src/state/github-store.ts';
import { signRecord } from '../../../src/state/signed-record.ts';
import { stateKey } from '../../../src/state/state-key.ts';
import type { StateRead } from '../../../src/state/store.ts';
import { createFakeGitHub, openCheckSuites, type FakeGitHub } from '../../fake-github/index.ts';
import { succeeded } from '../report/fixtures.ts';

const APP = 'ghs_app';
const WORKFLOW = 'ghs_workflow';
const ATTACKER_WORKFLOW = 'ghs_other_workflow';
const MALLORY = 'ghp_mallory';
const where = { owner: 'acme', repo: 'web' };
const master = Buffer.alloc(32, 7);
const KEY = stateKey(master, 'acme/web', 'production');
const NOW = new Date('2025-03-01T12:00:00Z');

interface Fake {
  gh: FakeGitHub;
  as(token: string): Octokit['rest'];
  /** A new commit and a deployment of it, created by `token` (the App by default); never run. */
  deployment(token?: string): Promise<{ id: number; sha: string }>;
}

async function withFake(run: (f: Fake) => Promise<void>): Promise<void> {
  const gh = await createFakeGitHub({
    tokens: {
      [APP]: 'deploy-action[bot]',
      [WORKFLOW]: 'github-actions[bot]',
      [ATTACKER_WORKFLOW]: 'github-actions[bot]',
      [MALLORY]: 'mallory',
    },
  });
  try {
    gh.seedRepo({ ...where });
    const as = (token: string) => new Octokit({ auth: token, baseUrl: gh.url }).rest;
    const deployment = async (token = APP) => {
      const sha = gh.addCommit({ message: 'change' });
      const { data } = await as(token).repos.createDeployment({
        ...where,
        ref: sha,
        environment: 'production',
        required_contexts: [],
        auto_merge: false,
      });
      return { id: (data as { id: number }).id, sha };
    };
    await run({ gh, as, deployment });
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

function record(seq: number, version: string): EnvironmentRecord {
  let r = emptyRecord('acme/web', 'production', NOW);
  for (let i = 0; i < seq; i++)
    r = withTransition(
      r,
      { live: { version, since: NOW.toISOString() } },
      { by: 'workflow:1', event: 'phase', code: 'x' },
      NOW,
    );
  return r;
}

/** A run's reporter and store on deployment `d`, as the Action makes them (store options as given). */
function runOn(
  f: Fake,
  d: { id: number; sha: string },
  options: Pick<GitHubStateStoreOptions, 'firstAttempt' | 'others'> & {
    log?: GitHubStateStoreOptions['log'];
  } = {},
) {
  const { octokit } = createGitHubClient({ token: WORKFLOW, baseUrl: f.gh.url, writeIntervalMs: 0 });
  const log = options.log ?? (() => {});
  const reporter = githubReporter({
    octokit,
    ...where,
    sha: d.sha,
    environment: 'production',
    version: 'v',
    strategy: 'canary',
    deployment: { id: d.id },
    log,
  });
  const store = new GitHubStateStore({
    api: octokit.rest,
    ...where,
    environment: 'production',
    key: KEY,
    carrier: reporter,
    ...options,
    log,
  });
  return { reporter, store };
}

/** One run of the Action on deployment `d`: its reporter and store, writing `records` in order (durable). */
async function actionRun(f: Fake, d: { id: number; sha: string }, records: EnvironmentRecord[]) {
  const logs: string[] = [];
  const { reporter, store } = runOn(f, d, { log: (_level, message) => logs.push(message) });
  reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
  for (const r of records) await store.write(r, { durable: true });
  reporter.event({ type: 'result', result: succeeded() });
  await reporter.close?.();
  return { store, logs };
}

function deployCheckRuns(f: Fake, deploymentId?: number) {
  return [...f.gh.repo().checkRuns.values()].filter(
    (r) =>
      r.name === 'deploy / production' &&
      (deploymentId === undefined || String(r.external_id).endsWith(`:deployment-${deploymentId}`)),
  ) as Array<{ id: number; external_id: string; output: { text: string | null } }>;
}

async function read(f: Fake, keys = [KEY], options = {}): Promise<{ read: StateRead; requests: number }> {
  const before = f.gh.requests.length;
  const result = await readEnvironmentRecord(f.as(APP), where, 'production', keys, options);
  return { read: result, requests: f.gh.requests.length - before };
}

function refused(r: StateRead): string {
  assert.equal(r.ok, false, JSON.stringify(r));
  return r.ok ? '' : r.code;
}

/** Two deployments that ran: the first wrote record 1 (v1), the second records 2 and 3 (v2). */
async function twoRuns(f: Fake) {
  const first = await f.deployment();
  await actionRun(f, first, [record(1, 'v1')]);
  const second = await f.deployment();
  await actionRun(f, second, [record(2, 'v2'), record(3, 'v2')]);
  return { first, second };
}

test('reads the newest record, skipping deployments that never ran, in four requests', async () => {
  await withFake(async (f) => {
    const { second } = await twoRuns(f);
    // The App created the next deployment; its run has not started.
    await f.deployment();
    const { read: r, requests } = await read(f);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.record?.seq, 3);
    assert.equal(r.record?.live?.version, 'v2');
    assert.match(r.source, new RegExp(`deployment ${second.id}`));
    // The deployments, then the check suites holding deploy check runs of the never-run one's commit (none)
    // and of the one that holds the record, and that suite's deploy check runs.
    assert.equal(requests, 4);
    assert.deepEqual(
      f.gh.requests.slice(-4).map((x) => x.operationId),
      [
        'repos/list-deployments',
        'checks/list-suites-for-ref',
        'checks/list-suites-for-ref',
        'checks/list-for-suite',
      ],
    );
  });
});

test('an environment without a record: nothing to read, and the deploy check runs of runs without state are not records', async () => {
  await withFake(async (f) => {
    const { read: none, requests } = await read(f);
    assert.deepEqual(
      { ok: none.ok, record: none.ok ? none.record : 'x', requests },
      {
        ok: true,
        record: undefined,
        requests: 1,
      },
    );
    // A run without a state key still makes its deploy check run, unbound: skipped, not refused.
    await actionRun(f, await f.deployment(), []);
    const r = (await read(f)).read;
    assert.ok(r.ok && r.record === undefined, JSON.stringify(r));
  });
});

test('a durable write is on GitHub when it resolves, in the deploy check run, bound to the deployment', async () => {
  await withFake(async (f) => {
    const d = await f.deployment();
    const { reporter, store } = runOn(f, d);
    reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    await store.write(record(1, 'v1'), { durable: true });
    const [run] = deployCheckRuns(f, d.id);
    assert.ok(run, 'the deploy check run carries the record, bound to its deployment');
    assert.match(run.external_id, /^deploy-action:[0-9a-f-]+:deploy \/ production:deployment-\d+$/);
    const r = (await read(f)).read;
    assert.ok(r.ok && r.record?.seq === 1, JSON.stringify(r));
    // A coalesced write does not wait; it rides the next update (here the conclusion).
    await store.write(record(2, 'v1'));
    reporter.event({ type: 'result', result: succeeded() });
    await reporter.close?.();
    const after = (await read(f)).read;
    assert.ok(after.ok && after.record?.seq === 2);
    assert.equal(deployCheckRuns(f).length, 1, 'one check run, created once');
  });
});

test('a record forged by a workflow token or a user without the key is refused as forged', async () => {
  await withFake(async (f) => {
    const genuine = await f.deployment();
    await actionRun(f, genuine, [record(5, 'v2')]);
    // Another workflow's token (github-actions too) makes a newer deployment and a deploy check run that
    // claims to hold its record, signed with a key it made up.
    const forgedIn = await f.deployment(ATTACKER_WORKFLOW);
    const place = { repository: 'acme/web', environment: 'production', deploymentId: String(forgedIn.id) };
    await f.as(ATTACKER_WORKFLOW).checks.create({
      ...where,
      name: 'deploy / production',
      head_sha: forgedIn.sha,
      external_id: bindExternalId('deploy-action:x:deploy / production', forgedIn.id),
      output: {
        title: 'production',
        summary: 'ok',
        text: signRecord(record(9, 'evil'), Buffer.alloc(32, 1), place),
      },
    });
    assert.equal(refused((await read(f)).read), 'state_forged');
  });
  await withFake(async (f) => {
    const genuine = await f.deployment();
    await actionRun(f, genuine, [record(5, 'v2')]);
    // Someone rewrites the genuine check run's record (only workflow tokens can on GitHub; the fake lets a
    // user's token stand for any writer without the key): the version changed, the MAC kept.
    const [run] = deployCheckRuns(f, genuine.id);
    const text = run!.output.text!.replace('"version":"v2"', '"version":"evil"');
    await f
      .as(MALLORY)
      .checks.update({ ...where, check_run_id: run!.id, output: { title: 't', summary: 's', text } });
    const r = (await read(f)).read;
    assert.equal(refused(r), 'state_forged');
    assert.match(r.ok ? '' : r.message, /does not verify/);
  });
});

test("a user's own deployment is not where a record can come from: skipped, the genuine one is read", async () => {
  await withFake(async (f) => {
    const genuine = await f.deployment();
    await actionRun(f, genuine, [record(4, 'v2')]);
    const mine = await f.deployment(MALLORY);
    await f.as(WORKFLOW).checks.create({
      ...where,
      name: 'deploy / production',
      head_sha: mine.sha,
      external_id: bindExternalId('deploy-action:x:deploy / production', mine.id),
      output: { title: 't', summary: 's', text: 'garbage' },
    });
    const r = (await read(f)).read;
    assert.ok(r.ok && r.record?.seq === 4, JSON.stringify(r));
  });
});

test('a genuine record copied to a newer deployment is misplaced; a removed one is refused, not skipped', async () => {
  await withFake(async (f) => {
    const genuine = await f.deployment();
    await actionRun(f, genuine, [record(1, 'v1')]);
    const newer = await f.deployment();
    await actionRun(f, newer, [record(2, 'v2')]);
    // Copy the older (v1) record into a newer deployment's check run, to put v1 back as live.
    const copyTo = await f.deployment(ATTACKER_WORKFLOW);
    await f.as(ATTACKER_WORKFLOW).checks.create({
      ...where,
      name: 'deploy / production',
      head_sha: copyTo.sha,
      external_id: bindExternalId('deploy-action:y:deploy / production', copyTo.id),
      output: { title: 't', summary: 's', text: deployCheckRuns(f, genuine.id)[0]!.output.text! },
    });
    const r = (await read(f)).read;
    assert.equal(refused(r), 'state_misplaced');
    assert.match(r.ok ? '' : r.message, new RegExp(`deployment ${genuine.id}, copied here`));
  });
  await withFake(async (f) => {
    await actionRun(f, await f.deployment(), [record(1, 'v1')]);
    const newer = await f.deployment();
    await actionRun(f, newer, [record(2, 'v2')]);
    // Blank the newest record, hoping the read falls back to the older one (v1).
    const [run] = deployCheckRuns(f, newer.id);
    await f.as(ATTACKER_WORKFLOW).checks.update({
      ...where,
      check_run_id: run!.id,
      output: { title: 't', summary: 's', text: 'nothing here' },
    });
    const r = (await read(f)).read;
    assert.equal(refused(r), 'state_forged');
    assert.match(r.ok ? '' : r.message, /missing/);
  });
});

test('an older genuine record replayed is stale; of two attempts of one deployment the newest wins', async () => {
  await withFake(async (f) => {
    const d = await f.deployment();
    await actionRun(f, d, [record(1, 'v1')]);
    const older = deployCheckRuns(f, d.id)[0]!.output.text!;
    // A re-run (attempt 2) of the same deployment continues the record in a check run of its own.
    const { store } = await actionRun(f, d, [record(2, 'v2')]);
    assert.equal(deployCheckRuns(f, d.id).length, 2);
    const r = (await read(f)).read;
    assert.ok(r.ok && r.record?.seq === 2, JSON.stringify(r));
    // The attempt-2 check run gets attempt 1's record back: genuine, bound to this deployment, but older
    // than what this run already wrote.
    const newest = deployCheckRuns(f, d.id).find((x) => !x.output.text!.includes(older.slice(-70)))!;
    await f.as(ATTACKER_WORKFLOW).checks.update({
      ...where,
      check_run_id: newest.id,
      output: { title: 't', summary: 's', text: older },
    });
    assert.equal(refused(await store.read('production')), 'state_stale');
    assert.equal(refused((await read(f, [KEY], { seenSeq: 2 })).read), 'state_stale');
  });
});

test('a newer deployment of the same commit deleted under the read: its genuine record, left in the check runs, makes the older one stale', async () => {
  await withFake(async (f) => {
    const first = await f.deployment();
    await actionRun(f, first, [record(1, 'v1')]);
    // A second deployment of the same commit (a redeploy), which moved the state on.
    const { data } = await f.as(APP).repos.createDeployment({
      ...where,
      ref: first.sha,
      environment: 'production',
      required_contexts: [],
      auto_merge: false,
    });
    const second = { id: (data as { id: number }).id, sha: first.sha };
    await actionRun(f, second, [record(2, 'v2'), record(3, 'v2')]);
    const before = (await read(f)).read;
    assert.ok(before.ok && before.record?.seq === 3, JSON.stringify(before));
    // A write user marks it inactive and deletes it: the deployment goes, its check runs stay.
    f.gh.repo().deployments.delete(second.id);
    const { read: after, requests } = await read(f);
    assert.equal(refused(after), 'state_stale');
    assert.match(after.ok ? '' : after.message, new RegExp(`number 3 of deployment ${second.id}`));
    assert.equal(requests, 3, 'no request more than before (deployments, suites, the suite’s runs)');
  });
});

test('a record signed with the key but not a record is corrupt; no key is unverifiable', async () => {
  await withFake(async (f) => {
    const d = await f.deployment();
    await actionRun(f, d, [record(1, 'v1')]);
    const [run] = deployCheckRuns(f, d.id);
    const place = { repository: 'acme/web', environment: 'production', deploymentId: String(d.id) };
    const bad = { ...record(1, 'v1'), updatedAt: 'yesterday' };
    await f.as(WORKFLOW).checks.update({
      ...where,
      check_run_id: run!.id,
      output: { title: 't', summary: 's', text: signRecord(bad, KEY, place) },
    });
    const r = (await read(f)).read;
    assert.equal(refused(r), 'state_corrupt');
    assert.match(r.ok ? '' : r.message, /updatedAt/);
    assert.equal(refused((await read(f, [])).read), 'state_unverifiable');
  });
});

test('GitHub failing: the read is state_unavailable, never a throw and never "no record"', async () => {
  await withFake(async (f) => {
    await actionRun(f, await f.deployment(), [record(1, 'v1')]);
    f.gh.setDown(true);
    const r = (await read(f)).read;
    assert.equal(refused(r), 'state_unavailable');
    f.gh.setDown(false);
    f.gh.failNext({ status: 500, times: 1, operationId: 'checks/list-for-suite' });
    const octokit = new Octokit({ auth: APP, baseUrl: f.gh.url, request: { retries: 0 } });
    const once = await readEnvironmentRecord(octokit.rest, where, 'production', [KEY]);
    assert.equal(refused(once), 'state_unavailable');
    assert.match(once.ok ? '' : once.message, /HTTP 500/);
  });
});

test('the store: a read carries the record into this run at once; another environment is not written', async () => {
  await withFake(async (f) => {
    await actionRun(f, await f.deployment(), [record(3, 'v3')]);
    const d = await f.deployment();
    const logs: string[] = [];
    const { reporter, store } = runOn(f, d, { log: (_l, m) => logs.push(m) });
    const r = await store.read('production');
    assert.ok(r.ok && r.record?.seq === 3);
    reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    await store.write(withTransition(emptyRecord('acme/web', 'staging', NOW), {}, undefined, NOW), {
      durable: true,
    });
    assert.match(logs.join('\n'), /record of staging is not kept on GitHub/);
    const staging = await store.read('staging');
    assert.ok(staging.ok && staging.record === undefined, 'not read from GitHub under the wrong key');
    await reporter.close?.();
    // The run wrote nothing itself, yet its deployment now holds the record it started from.
    const now = (await read(f)).read;
    assert.ok(
      now.ok && now.record?.seq === 3 && now.source.includes(`deployment ${d.id}`),
      JSON.stringify(now),
    );
  });
});

test('the store hands other environments to the store it was given', async () => {
  await withFake(async (f) => {
    const d = await f.deployment();
    const kept = new Map<string, EnvironmentRecord>();
    const { reporter, store } = runOn(f, d, {
      others: {
        read: async (env) => ({ ok: true, record: kept.get(env), source: 'memory' }),
        write: async (r) => void kept.set(r.environment, r),
      },
    });
    const staging = withTransition(emptyRecord('acme/web', 'staging', NOW), {}, undefined, NOW);
    const before = f.gh.requests.length;
    await store.write(staging, { durable: true });
    const back = await store.read('staging');
    assert.ok(back.ok && back.record === staging && back.source === 'memory');
    assert.equal(f.gh.requests.length, before, 'nothing sent to GitHub for staging');
    await reporter.close?.();
  });
});

const requestsOf = (f: Fake, from: number) => f.gh.requests.slice(from).map((r) => r.operationId);

test("first attempt: the run's own deployment is not read (no record can be there yet); a re-run reads it", async () => {
  await withFake(async (f) => {
    const before = await f.deployment();
    await actionRun(f, before, [record(4, 'v1')]);
    const d = await f.deployment();
    const first = runOn(f, d, { firstAttempt: true });
    let from = f.gh.requests.length;
    const r = await first.store.read('production');
    assert.ok(r.ok && r.record?.seq === 4, JSON.stringify(r));
    // The deployments, then the check runs of the one before: the own deployment's are not listed.
    assert.deepEqual(requestsOf(f, from), [
      'repos/list-deployments',
      'checks/list-suites-for-ref',
      'checks/list-for-suite',
    ]);
    assert.ok(!f.gh.requests.slice(from).some((x) => x.path.includes(d.sha)));
    first.reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    await first.store.write(record(5, 'v2'), { durable: true });
    first.reporter.event({ type: 'result', result: succeeded() });
    await first.reporter.close?.();

    // A re-run of the same deployment (the App's deployment stays): the earlier attempt's record is the newest.
    const rerun = runOn(f, d, { firstAttempt: false });
    from = f.gh.requests.length;
    const again = await rerun.store.read('production');
    assert.ok(again.ok && again.record?.seq === 5, JSON.stringify(again));
    assert.deepEqual(requestsOf(f, from), [
      'repos/list-deployments',
      'checks/list-suites-for-ref',
      'checks/list-for-suite',
    ]);
    // Passing over it there would have read the older record: why only a first attempt may skip.
    const wrong = await readEnvironmentRecord(f.as(APP), where, 'production', [KEY], { newDeployment: d.id });
    assert.ok(wrong.ok && wrong.record?.seq === 4);
    await rerun.reporter.close?.();
  });
});

test('a forgery bound to the deployment of a first attempt is passed over by that run and refused by every later read', async () => {
  await withFake(async (f) => {
    const before = await f.deployment();
    await actionRun(f, before, [record(4, 'v1')]);
    const d = await f.deployment();
    await f.as(ATTACKER_WORKFLOW).checks.create({
      ...where,
      name: 'deploy / production',
      head_sha: d.sha,
      external_id: bindExternalId('deploy-action:x:deploy / production', d.id),
      output: { title: 't', summary: 's', text: 'garbage' },
    });
    const run = runOn(f, d, { firstAttempt: true });
    const r = await run.store.read('production');
    assert.ok(r.ok && r.record?.seq === 4, 'the run starts from the genuine record');
    run.reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    await run.store.write(record(5, 'v2'), { durable: true });
    run.reporter.event({ type: 'result', result: succeeded() });
    await run.reporter.close?.();
    // The next read (the App, the next run) reads the deployment's check runs: one refused is the answer.
    assert.equal(refused((await read(f)).read), 'state_forged');
  });
});

test("a run on a deployment a person's token made keeps no record there (no read would believe it): refused, on every attempt", async () => {
  await withFake(async (f) => {
    const before = await f.deployment();
    await actionRun(f, before, [record(4, 'v1')]);
    // A deployment made with a user's own token (the deploy workflow runs on its deployment event, or the
    // Action was given a personal token): every read passes it over, so a record there would be lost and the
    // next run, the App and reconcile would go on from record 4 (what it retired, what went live: unknown).
    const d = await f.deployment(MALLORY);
    for (const firstAttempt of [true, false]) {
      const logs: string[] = [];
      const run = runOn(f, d, { firstAttempt, log: (_level, message) => logs.push(message) });
      const r = await run.store.read('production');
      assert.equal(refused(r), 'state_untrusted');
      assert.match(
        r.ok ? '' : r.message,
        new RegExp(`deployment ${d.id}, which this run's record would be kept under, was made by mallory`),
      );
      // Nothing is written there either, durable or not: a durable write fails naming why.
      run.reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
      await assert.rejects(run.store.write(record(5, 'v2'), { durable: true }), /made by mallory/);
      await run.store.write(record(6, 'v2'));
      run.reporter.event({ type: 'result', result: succeeded() });
      await run.reporter.close?.();
      assert.equal(deployCheckRuns(f, d.id).length, 0, 'no record bound to the deployment');
    }
    const after = (await read(f)).read;
    assert.ok(after.ok && after.record?.seq === 4, JSON.stringify(after));
  });
});

test("a run on a person's deployment made before the newest record (its workflow queued behind that run's) is refused all the same", async () => {
  await withFake(async (f) => {
    // Mallory's deployment event waits in the concurrency group while the App's deployment, made after it,
    // runs and writes record 4: this run's deployment is then older than the record a read stops at.
    const d = await f.deployment(MALLORY);
    const newer = await f.deployment();
    await actionRun(f, newer, [record(4, 'v1')]);
    const run = runOn(f, d, { firstAttempt: true });
    const r = await run.store.read('production');
    assert.equal(refused(r), 'state_untrusted');
    await assert.rejects(run.store.write(record(5, 'v2'), { durable: true }), /made by mallory/);
  });
});

test("the reporter takes the previous commit from the record's live release: no lookup of the last successful deployment", async () => {
  await withFake(async (f) => {
    const before = await f.deployment();
    const live = withTransition(
      record(3, 'v1'),
      { live: { version: 'v1', sha: before.sha, since: NOW.toISOString(), deploymentId: String(before.id) } },
      undefined,
      NOW,
    );
    await actionRun(f, before, [live]);
    const d = await f.deployment();
    const run = runOn(f, d, { firstAttempt: true });
    const from = f.gh.requests.length;
    assert.ok((await run.store.read('production')).ok);
    run.reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    const changes = await run.reporter.changes();
    assert.equal(changes?.previousSha, before.sha);
    assert.equal(changes?.total, 1);
    await run.reporter.close?.();
    const sent = requestsOf(f, from);
    assert.ok(sent.includes('repos/compare-commits'));
    assert.equal(sent.filter((x) => x === 'repos/list-deployments').length, 1, 'only the read lists them');
    assert.ok(!sent.includes('repos/list-deployment-statuses'), sent.join(', '));
  });
});

test('a record without a live commit: the reporter looks up the last successful deployment as before', async () => {
  await withFake(async (f) => {
    const before = await f.deployment();
    await actionRun(f, before, [record(3, 'v1')]);
    await f.as(APP).repos.createDeploymentStatus({ ...where, deployment_id: before.id, state: 'success' });
    const d = await f.deployment();
    const run = runOn(f, d, { firstAttempt: true });
    const from = f.gh.requests.length;
    assert.ok((await run.store.read('production')).ok);
    run.reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    assert.equal((await run.reporter.changes())?.previousSha, before.sha);
    await run.reporter.close?.();
    assert.ok(requestsOf(f, from).includes('repos/list-deployment-statuses'));
  });
});

test("a durable write made in the same step as a phase's start rides that phase's check run update", async () => {
  await withFake(async (f) => {
    const d = await f.deployment();
    const run = runOn(f, d, { firstAttempt: true });
    run.reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    await run.store.write(record(1, 'v1'), { durable: true });
    // The reporter's queue is idle, so the phase's update starts at once (the case that used to cost two).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const from = f.gh.requests.length;
    // As the executor does for finalize: the phase's start is reported, then its durable record is written.
    run.reporter.event({ type: 'phase-start', phase: 'finalize', environment: 'production' });
    await run.store.write(record(2, 'v2'), { durable: true });
    const updates = f.gh.requests.slice(from).filter((x) => x.operationId === 'checks/update');
    assert.equal(updates.length, 1, 'one update for the phase and the record');
    const body = updates[0]!.body as { output: { title: string } };
    assert.equal(body.output.title, 'production: finalize');
    const r = (await read(f)).read;
    assert.ok(r.ok && r.record?.seq === 2, JSON.stringify(r));
    await run.reporter.close?.();
  });
});

test('people\'s deployments cannot push the record out of the read: passed over uncounted, and too many is a refusal, never "no record"', async () => {
  await withFake(async (f) => {
    const genuine = await f.deployment();
    await actionRun(f, genuine, [record(4, 'v2')]);
    // More than the ten deployments a read looks into, made with a user's token (cost: nothing but the API).
    for (let i = 0; i < 12; i++) await f.deployment(MALLORY);
    const { read: r, requests } = await read(f, [KEY], { pageSize: 5 });
    assert.ok(r.ok && r.record?.seq === 4, JSON.stringify(r));
    // Three pages of five listed; only the genuine deployment's check runs read (its suites, then their runs).
    assert.equal(requests, 5);
    // Past what a read lists (3 pages): refused, so no run starts over as a first deployment.
    for (let i = 0; i < 3; i++) await f.deployment(MALLORY);
    const past = (await read(f, [KEY], { pageSize: 5 })).read;
    assert.equal(refused(past), 'state_buried');
    assert.match(
      past.ok ? '' : past.message,
      /none of the 15 newest deployments of production holds a record/,
    );
    // With no record anywhere and the listing ended, it is a first deployment, as before.
    const fresh = await read(f, [KEY], { pageSize: 100 });
    assert.ok(fresh.read.ok && fresh.read.record?.seq === 4, JSON.stringify(fresh.read));
  });
});

test('an environment whose deployments were all listed has no record yet; ten that ran without one still end the read', async () => {
  await withFake(async (f) => {
    for (let i = 0; i < 3; i++) await f.deployment(MALLORY);
    const none = (await read(f, [KEY], { pageSize: 5 })).read;
    assert.ok(none.ok && none.record === undefined, JSON.stringify(none));
    // The App's deployments whose runs never wrote one (a migration from runs without a state key).
    for (let i = 0; i < 11; i++) await f.deployment();
    const { read: r, requests } = await read(f, [KEY], { pageSize: 5 });
    assert.ok(r.ok && r.record === undefined, JSON.stringify(r));
    // Three pages of five (the eleventh of ours is on the third) and the check runs of ten.
    assert.equal(requests, 3 + 10);
  });
});

test('a record whose check suite over 1000 newer suites push off the commit’s check-run list is still read, not an older one', async () => {
  await withFake(async (f) => {
    const { second } = await twoRuns(f);
    // A writer runs workflows on the second commit: a check suite each, all newer than the record's.
    openCheckSuites(f.gh.state, f.gh.repo(), second.sha, 1001, { id: 15368, slug: 'github-actions' });
    const { read: r, requests } = await read(f);
    assert.ok(r.ok && r.record?.seq === 3, JSON.stringify(r));
    assert.match(r.source, new RegExp(`deployment ${second.id}`));
    assert.equal(requests, 3, 'the deployments, the suites holding the record, their runs');
  });
});

test('more newer check suites holding deploy check runs on a commit than are read: refused as buried, never an older record', async () => {
  await withFake(async (f) => {
    const first = await f.deployment();
    openCheckSuites(f.gh.state, f.gh.repo(), first.sha, 1);
    await actionRun(f, first, [record(1, 'v1')]);
    const second = await f.deployment();
    openCheckSuites(f.gh.state, f.gh.repo(), second.sha, 1);
    await actionRun(f, second, [record(2, 'v2')]);
    // A workflow (the writer's own app) names 20 more jobs' check runs like the record's, one per workflow run.
    for (let i = 0; i < MAX_RECORD_SUITES; i++) {
      openCheckSuites(f.gh.state, f.gh.repo(), second.sha, 1);
      await f
        .as(ATTACKER_WORKFLOW)
        .checks.create({ ...where, name: 'deploy / production', head_sha: second.sha });
    }
    const r = (await read(f)).read;
    assert.equal(refused(r), 'state_buried');
    assert.match(
      r.ok ? '' : r.message,
      /the 20 newest check suites of commit \w+ holding check runs named "deploy \/ production" do not hold what was looked for/,
    );
  });
});

test('deployments of a workflow token, each commit with many suites of deploy check runs, cannot make one read cost hundreds of requests: past its budget it is buried', async () => {
  await withFake(async (f) => {
    const genuine = await f.deployment();
    await actionRun(f, genuine, [record(4, 'v1')]);
    // A write user's workflow: nine deployments (fewer than the ten a read looks into), each of a commit
    // holding 20 suites with a run named like the record's, none bound: every suite of each is read.
    for (let i = 0; i < 9; i++) {
      const d = await f.deployment(ATTACKER_WORKFLOW);
      for (let j = 0; j < MAX_RECORD_SUITES; j++) {
        openCheckSuites(f.gh.state, f.gh.repo(), d.sha, 1);
        await f
          .as(ATTACKER_WORKFLOW)
          .checks.create({ ...where, name: 'deploy / production', head_sha: d.sha });
      }
    }
    const { read: r, requests } = await read(f);
    // A workflow token has 1000 requests an hour: one read must not take a fifth of them.
    assert.ok(requests <= MAX_READ_REQUESTS + 1, `${requests} requests`);
    assert.equal(refused(r), 'state_buried');
    assert.match(r.ok ? '' : r.message, /check suites read for the state of production/);
    // What to remove is those deployments (a workflow's), not people's, which cost the read nothing.
    assert.match(r.ok ? '' : r.message, /Mark those deployments inactive and delete them \(a workflow's/);
  });
});

test('a commit deployed again and again (a workflow run, so a check suite, each time): its newest record is read in the same few requests', async () => {
  await withFake(async (f) => {
    const first = await f.deployment();
    openCheckSuites(f.gh.state, f.gh.repo(), first.sha, 1);
    await actionRun(f, first, [record(1, 'v1')]);
    let last = first;
    for (let i = 2; i <= MAX_RECORD_SUITES + 5; i++) {
      const { data } = await f.as(APP).repos.createDeployment({
        ...where,
        ref: first.sha,
        environment: 'production',
        required_contexts: [],
        auto_merge: false,
      });
      last = { id: (data as { id: number }).id, sha: first.sha };
      openCheckSuites(f.gh.state, f.gh.repo(), first.sha, 1);
      await actionRun(f, last, [record(i, 'v1')]);
    }
    const { read: r, requests } = await read(f);
    assert.ok(r.ok && r.record?.seq === MAX_RECORD_SUITES + 5, JSON.stringify(r));
    assert.match(r.source, new RegExp(`deployment ${last.id}`));
    assert.equal(requests, 3, 'the deployments, the suites holding records, the newest suite’s runs');
  });
});

test('a durable write GitHub does not take fails (the run stops before the step after it); a coalesced one is only logged', async () => {
  await withFake(async (f) => {
    const d = await f.deployment();
    const logs: string[] = [];
    const { reporter, store } = runOn(f, d, { log: (_level, message) => logs.push(message) });
    reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    // The token may not write check runs: the deploy check run that would carry the record is refused.
    f.gh.failNext({
      status: 403,
      operationId: 'checks/create',
      message: 'Resource not accessible by integration',
    });
    await assert.rejects(store.write(record(1, 'v1'), { durable: true }), (error: Error) => {
      assert.match(error.message, /^not stored on GitHub: HTTP 403: Resource not accessible by integration/);
      return true;
    });
    assert.equal(deployCheckRuns(f, d.id).length, 0, 'nothing holds the record');
    // Once GitHub takes it, a durable write resolves.
    await store.write(record(2, 'v1'), { durable: true });
    const r = (await read(f)).read;
    assert.ok(r.ok && r.record?.seq === 2, JSON.stringify(r));
    // A write nothing waits for does not throw.
    await store.write(record(3, 'v1'));
    reporter.event({ type: 'result', result: succeeded() });
    await reporter.close?.();
  });
});

test('a durable write with no deployment to store it under, or that GitHub refused, fails naming why', async () => {
  const base = {
    api: {} as never,
    owner: 'acme',
    repo: 'web',
    environment: 'production',
    key: KEY,
    log: () => {},
  };
  const none = new GitHubStateStore({
    ...base,
    carrier: { deploymentId: async () => undefined, writeState: async () => undefined },
  });
  await assert.rejects(
    none.write(record(1, 'v1'), { durable: true }),
    /not stored on GitHub: there is no deployment to store it under/,
  );
  await none.write(record(1, 'v1'));
  const givenUp = new GitHubStateStore({
    ...base,
    carrier: { deploymentId: async () => 7, writeState: async () => 'the run gave up on GitHub' },
  });
  await assert.rejects(
    givenUp.write(record(1, 'v1'), { durable: true }),
    /^Error: not stored on GitHub: the run gave up on GitHub$/,
  );
  // Still queued behind the run's other writes when the wait ends: not a failure, it is sent later.
  const logs: string[] = [];
  const queued = new GitHubStateStore({
    ...base,
    durableWaitMs: 50,
    log: (_level, message) => logs.push(message),
    carrier: { deploymentId: async () => 7, writeState: () => new Promise(() => {}) },
  });
  await queued.write(record(1, 'v1'), { durable: true });
  assert.match(logs.join('\n'), /GitHub has not taken the record after 0\.05 s; the run goes on/);
  // Late, then refused: the next durable write fails naming the earlier record, so the run stops before the
  // step after it; late, then taken: the next one goes through.
  for (const [outcome, fails] of [
    ['the run gave up on GitHub', true],
    [undefined, false],
  ] as const) {
    let land: (why: string | undefined) => void = () => {};
    let calls = 0;
    const late = new GitHubStateStore({
      ...base,
      durableWaitMs: 50,
      carrier: {
        deploymentId: async () => 7,
        writeState: () =>
          ++calls === 1 ? new Promise<string | undefined>((r) => (land = r)) : Promise.resolve(undefined),
      },
    });
    await late.write(record(1, 'v1'), { durable: true });
    land(outcome);
    const next = late.write(record(2, 'v1'), { durable: true });
    if (fails)
      await assert.rejects(
        next,
        /^Error: not stored on GitHub: an earlier record \(the write-ahead of a step that has run\): the run gave up on GitHub$/,
      );
    else await next;
    // Checked once: the write after that is judged on its own.
    await late.write(record(3, 'v1'), { durable: true });
  }
});

test('a settling durable write (finalize) waits for GitHub past its wait, and fails if GitHub never took it', async () => {
  for (const [outcome, fails] of [
    ['the run gave up on GitHub', true],
    [undefined, false],
  ] as const) {
    let land: (why: string | undefined) => void = () => {};
    const logs: string[] = [];
    const store = new GitHubStateStore({
      api: {} as never,
      owner: 'acme',
      repo: 'web',
      environment: 'production',
      key: KEY,
      durableWaitMs: 20,
      log: (_level, message) => logs.push(message),
      carrier: {
        deploymentId: async () => 7,
        writeState: () => new Promise<string | undefined>((r) => (land = r)),
      },
    });
    let settled = false;
    const write = store
      .write(record(1, 'v1'), { durable: true, settle: true })
      .finally(() => (settled = true));
    // Well past the durable wait, still unanswered: a settling write has not resolved as stored.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(settled, false, 'resolved before GitHub answered');
    assert.doesNotMatch(logs.join('\n'), /the run goes on/);
    land(outcome);
    if (fails) await assert.rejects(write, /^Error: not stored on GitHub: the run gave up on GitHub$/);
    else await write;
  }
});

test('key rotation: with the previous state key, the Action reads the record the last run signed under it, and writes under the new one', async () => {
  await withFake(async (f) => {
    // The last run signed under the key rotated out (KEY); the environment's secret now holds the new one.
    const first = await f.deployment();
    await actionRun(f, first, [record(1, 'v1')]);
    const NEW = stateKey(Buffer.alloc(32, 9), 'acme/web', 'production');
    const d = await f.deployment();
    const { octokit } = createGitHubClient({ token: WORKFLOW, baseUrl: f.gh.url, writeIntervalMs: 0 });
    const reporter = githubReporter({
      octokit,
      ...where,
      sha: d.sha,
      environment: 'production',
      version: 'v',
      strategy: 'canary',
      deployment: { id: d.id },
      log: () => {},
    });
    const store = (previousKeys?: Buffer[]) =>
      new GitHubStateStore({
        api: octokit.rest,
        ...where,
        environment: 'production',
        key: NEW,
        ...(previousKeys ? { previousKeys } : {}),
        carrier: reporter,
        log: () => {},
      });
    // Without it the record is refused as forged: nothing deploys, reconcile skips, until it is given.
    assert.equal(refused(await store().read('production')), 'state_forged');
    const rotating = store([KEY]);
    const r = await rotating.read('production');
    assert.ok(r.ok && r.record?.seq === 1, JSON.stringify(r));
    reporter.event({ type: 'start', environment: 'production', version: 'v', strategy: 'canary' });
    await rotating.write(record(2, 'v2'), { durable: true });
    reporter.event({ type: 'result', result: succeeded() });
    await reporter.close?.();
    // What this run wrote is under the new key alone: the previous one can be dropped once it has run.
    const after = (await read(f, [NEW])).read;
    assert.ok(after.ok && after.record?.seq === 2, JSON.stringify(after));
    assert.equal(refused((await read(f, [KEY])).read), 'state_forged');
  });
});

test("a repository renamed since its last run: its record, signed for the former name, is read as its own; another repository's stays misplaced", async () => {
  await withFake(async (f) => {
    const signedFor = async (repository: string) => {
      const d = await f.deployment();
      const r = { ...record(4, 'v4'), repository };
      await f.as(WORKFLOW).checks.create({
        ...where,
        name: 'deploy / production',
        head_sha: d.sha,
        external_id: bindExternalId('deploy-action:1:deploy / production', d.id),
        status: 'completed',
        conclusion: 'success',
        output: {
          title: 'deploy',
          summary: 'deployed',
          text: signRecord(r, KEY, { repository, environment: 'production', deploymentId: String(d.id) }),
        },
      });
    };
    // GitHub answers a renamed repository's former name with the repository itself (a redirect).
    const app = f.as(APP);
    const renamed = {
      ...app,
      repos: {
        ...app.repos,
        get: async (p: { owner: string; repo: string }) =>
          p.repo === 'old-web'
            ? app.repos.get({ ...where })
            : // Another repository of the owner, which GitHub answers as itself.
              { data: { full_name: `${p.owner}/${p.repo}` } },
      },
    } as typeof app;
    await signedFor('acme/old-web');
    const before = await readEnvironmentRecord(f.as(APP), where, 'production', [KEY]);
    // Without that answer (the fake knows no acme/old-web), a name is not believed: misplaced, as a copy is.
    assert.equal(refused(before), 'state_misplaced');
    const r = await readEnvironmentRecord(renamed, where, 'production', [KEY]);
    assert.ok(r.ok && r.record, JSON.stringify(r));
    assert.equal(r.record.seq, 4);
    // Named as the repository is now, so the next write signs it for this name.
    assert.equal(r.record.repository, 'acme/web');
    // A genuine record of another repository (one key shared by both) is still a copy: misplaced.
    await signedFor('acme/other');
    assert.equal(
      refused(await readEnvironmentRecord(renamed, where, 'production', [KEY])),
      'state_misplaced',
    );
  });
});
