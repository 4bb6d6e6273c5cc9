// Whose check runs carry control requests (docs/control.md): only the deploy App's. A deploy job holds the
// environment's state key, so it can sign an approver's /promote and write it with any token it can get: its
// workflow's (GitHub Actions) or another App's installation token. The Action learns the App's id from the
// deployment the App made (performed_via_github_app), or from the `control-app-id` input; without either only
// an /abort or /pause is acted on. A flood by another writer makes no read partial. On the fake GitHub
// (checked against GitHub's OpenAPI description).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, openCheckSuites } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';
import {
  GitHubControlSource,
  MAX_PAGES,
  controlCheckName,
  writeControlRequest,
  type ControlApp,
  type ControlPlace,
  type ControlWriteApi,
  type RequestFn,
} from '../../../src/control/github-channel.ts';
import { signControlRequest } from '../../../src/control/signed.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import { decideControl, requestsFor } from '../../../src/control/decide.ts';
import { githubRequests } from '../../../app/deploy/control.ts';

const where = { owner: 'acme', repo: 'web' };
const key = randomBytes(32);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const APP_ID = 777;
const ACTIONS = { id: 15368, slug: 'github-actions' };
const OTHER = { id: 4242, slug: 'release-bot' };
const display = { title: 'Promoted by alice', summary: 'step 1', buttons: [] };

interface World {
  gh: FakeGitHub;
  sha: string;
  app: Octokit;
  workflow: Octokit;
  other: Octokit;
}

async function withGitHub(run: (w: World) => Promise<void>): Promise<void> {
  // The App's token (test-token) acts as the app under test (id 777); a workflow's as GitHub Actions; a
  // token another App's installation gave a deploy job (actions/create-github-app-token) as that app.
  const gh = await createFakeGitHub({
    appId: APP_ID,
    otherApps: { 'actions-token': ACTIONS, 'other-token': OTHER },
    defaultActor: 'deploy-action[bot]',
  });
  try {
    gh.seedRepo({ ...where });
    const sha = gh.addCommit({ message: 'x' });
    const token = (auth: string) => new Octokit({ baseUrl: gh.url, auth, log: quiet });
    await run({
      gh,
      sha,
      app: token('test-token'),
      workflow: token('actions-token'),
      other: token('other-token'),
    });
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

/** A deployment made with `octokit` (the App's: performed_via_github_app names it). */
async function deployment(octokit: Octokit, sha: string): Promise<ControlPlace> {
  const { data } = await octokit.rest.repos.createDeployment({
    ...where,
    ref: sha,
    environment: 'production',
    required_contexts: [],
    auto_merge: false,
  });
  return {
    repository: 'acme/web',
    environment: 'production',
    deploymentId: String((data as { id: number }).id),
  };
}

const promote = (place: ControlPlace, n: number): ControlRequest => ({
  id: `comment:${n}`,
  verb: 'promote',
  by: 'alice',
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  deploymentId: place.deploymentId,
  step: 1,
  approver: true,
  source: 'comment',
});

/** A signed request written with any token: what a deploy job holding the state key can do. */
async function forge(octokit: Octokit, sha: string, place: ControlPlace, request: ControlRequest) {
  const { data } = await octokit.rest.checks.create({
    ...where,
    name: controlCheckName('production'),
    head_sha: sha,
    status: 'completed',
    conclusion: 'neutral',
    output: { title: 'Promoted by alice', summary: 'step 1', text: signControlRequest(request, key, place) },
  });
  return data.id;
}

const byApp = (app: Octokit, sha: string, place: ControlPlace, request: ControlRequest) =>
  writeControlRequest(app.rest as unknown as ControlWriteApi, where, { sha, place, request, key, display });

/** As the Action makes it: the input's id, else learned from the deployment. */
const actionSource = (w: World, place: ControlPlace, app: ControlApp = 'deployment') =>
  new GitHubControlSource(w.app.request as unknown as RequestFn, where, place, w.sha, [key], app);

test("another App's installation token signs an approver's /promote: the Action acts only on the deploy App's", async () => {
  await withGitHub(async (w) => {
    const place = await deployment(w.app, w.sha);
    await forge(w.other, w.sha, place, promote(place, 1));
    const poll = await actionSource(w, place).poll(place.deploymentId);
    assert.deepEqual(poll.requests, [], "another app's signed /promote is not acted on");
    assert.equal(poll.error, undefined);
    // The deploy App's own request is: its id was learned from the deployment it made.
    await byApp(w.app, w.sha, place, promote(place, 2));
    const next = await actionSource(w, place).poll(place.deploymentId);
    assert.deepEqual(next.requests, [promote(place, 2)]);
  });
});

test("a workflow's check run listed without its app is judged by its suite's app (GitHub Actions): not acted on", async () => {
  await withGitHub(async (w) => {
    const place = await deployment(w.app, w.sha);
    openCheckSuites(w.gh.state, w.gh.repo(), w.sha, 1, ACTIONS);
    const id = await forge(w.workflow, w.sha, place, promote(place, 1));
    w.gh.repo().checkRuns.get(id)!.app = null;
    // Whichever way the App's id is known, or none: a workflow's suite is never what carries a request.
    for (const app of ['deployment', APP_ID, undefined] as const) {
      const poll = await actionSource(w, place, app).poll(place.deploymentId);
      assert.deepEqual(poll.requests, [], `app ${String(app)}`);
    }
  });
});

test('a deployment the Action made itself names no App: /promote is refused naming the input, /abort is acted on', async () => {
  await withGitHub(async (w) => {
    // GitHub names GitHub Actions as the maker of a deployment a workflow's token made.
    const place = await deployment(w.workflow, w.sha);
    const deployments = w.gh.repo().deployments;
    const rendered = deployments.get(Number((await deployment(w.app, w.sha)).deploymentId))!;
    deployments.get(Number(place.deploymentId))!.performed_via_github_app = {
      ...(rendered.performed_via_github_app as object),
      ...ACTIONS,
      name: 'GitHub Actions',
    };
    await byApp(w.app, w.sha, place, promote(place, 1));
    const source = actionSource(w, place);
    const poll = await source.poll(place.deploymentId);
    assert.deepEqual(poll.requests, []);
    assert.deepEqual(
      poll.refused?.map((r) => r.code),
      ['control_app_unknown'],
    );
    assert.match(poll.refused![0]!.message, /input "control-app-id"/);
    const abort: ControlRequest = { ...promote(place, 2), id: 'comment:2', verb: 'abort', reason: 'errors' };
    delete abort.approver;
    await byApp(w.app, w.sha, place, abort);
    assert.deepEqual((await source.poll(place.deploymentId)).requests, [abort]);
    // With the input set, the App's /promote is acted on.
    const pinned = await actionSource(w, place, APP_ID).poll(place.deploymentId);
    assert.deepEqual(
      pinned.requests.map((r) => r.verb),
      ['promote', 'abort'],
    );
  });
});

/** `count` check runs like the one `create` makes, copies put in the fake's store (HTTP creates are slow). */
async function flood(w: World, octokit: Octokit, count: number) {
  const { data } = await octokit.rest.checks.create({
    ...where,
    name: controlCheckName('production'),
    head_sha: w.sha,
  });
  const runs = w.gh.repo().checkRuns;
  const made = runs.get(data.id)!;
  for (let i = 1; i < count; i++) {
    const id = w.gh.state.nextId++;
    runs.set(id, { ...made, id, external_id: `flood:${i}` });
  }
}

test("a flood of 1001 check runs by a workflow or another app makes no read partial: the App's /promote is acted on", async () => {
  await withGitHub(async (w) => {
    const place = await deployment(w.app, w.sha);
    await byApp(w.app, w.sha, place, promote(place, 1));
    openCheckSuites(w.gh.state, w.gh.repo(), w.sha, 1, ACTIONS);
    await flood(w, w.workflow, MAX_PAGES * 100 + 1);
    await flood(w, w.other, MAX_PAGES * 100 + 1);
    for (const app of ['deployment', APP_ID] as const) {
      const before = w.gh.requests.length;
      const poll = await actionSource(w, place, app).poll(place.deploymentId);
      assert.equal(poll.partial, undefined, `app ${app}`);
      assert.equal(poll.error, undefined);
      assert.deepEqual(poll.requests, [promote(place, 1)]);
      // The deployment (once), the App's suites, its one suite's check runs: nothing of the floods.
      assert.ok(w.gh.requests.length - before <= 3, `${w.gh.requests.length - before} requests`);
    }
  });
});

test("the App's reader sees its own requests whole past floods: approvals count only its own, a repeat is known", async () => {
  await withGitHub(async (w) => {
    const place = await deployment(w.app, w.sha);
    const alice = promote(place, 1);
    await byApp(w.app, w.sha, place, alice);
    // Another app signs bob's approving /promote; a workflow floods the name past what a poll reads.
    await forge(w.other, w.sha, place, { ...promote(place, 2), by: 'bob' });
    openCheckSuites(w.gh.state, w.gh.repo(), w.sha, 1, ACTIONS);
    await flood(w, w.workflow, MAX_PAGES * 100 + 1);

    const read = await githubRequests(w.app.request as unknown as RequestFn, APP_ID)(where, place, w.sha, [
      key,
    ]);
    assert.equal(read.partial, undefined);
    assert.deepEqual(read.requests, [alice]);
    // What controlRollout does with them: two approvals needed, alice's counted, bob's forged one not.
    const decided = decideControl({
      deploymentId: place.deploymentId,
      step: 1,
      gate: { kind: 'approval', approvals: 2 },
      requests: read.requests,
      now: Date.now(),
    });
    assert.deepEqual(decided, { action: 'wait', kind: 'approval', approvers: ['alice'], need: 2 });
    // alice's /promote again (a redelivered comment): already there, so not written twice.
    assert.ok(requestsFor(place.deploymentId, read.requests).some((r) => r.id === alice.id));
  });
});

test('a rate-limited read of the deployment (403) is not taken for a token that may not read it: the next poll learns the App', async () => {
  await withGitHub(async (w) => {
    const place = await deployment(w.app, w.sha);
    await byApp(w.app, w.sha, place, promote(place, 1));
    // GitHub's primary rate limit answers 403 with x-ratelimit-remaining 0 (the throttling plugin lets it
    // through once its wait no longer fits): once, on the deployment's read.
    let limited = 0;
    const request = (async (route: string, params: object) => {
      if (route.startsWith('GET /repos/{owner}/{repo}/deployments/{deployment_id}') && limited++ === 0)
        throw Object.assign(new Error('API rate limit exceeded for installation'), {
          status: 403,
          response: { headers: { 'x-ratelimit-remaining': '0' } },
        });
      return (w.app.request as unknown as RequestFn)(route as never, params as never);
    }) as unknown as RequestFn;
    const source = new GitHubControlSource(request, where, place, w.sha, [key], 'deployment');
    const first = await source.poll(place.deploymentId).catch((error: Error) => ({ failed: error.message }));
    assert.ok(
      !('requests' in first) || !first.refused?.some((r) => r.code === 'control_app_unknown'),
      `a rate limit is not "no App": ${JSON.stringify(first)}`,
    );
    const next = await source.poll(place.deploymentId);
    assert.deepEqual(next.requests, [promote(place, 1)], JSON.stringify(next));
    assert.equal(limited, 2, 'the deployment was read again after the rate limit');
  });
});
