// Past 1000 control check runs on a commit, against the fake GitHub (checked against GitHub's OpenAPI
// description). A writer's workflow flooding the name is not read at all (GitHub Actions never writes a
// request). Past 1000 of the App's own (its suite is full) the poll reads part of the list, the newest, and
// acts only on what makes the rollout safer. An /abort read there ends the rollout; a
// /promote read there does not end a wait, as a /pause or /abort among the check runs not read may be newer.
// The poll says so, with what to do.
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
  writeWaitNotice,
  type ControlWriteApi,
  type RequestFn,
} from '../../../src/control/github-channel.ts';
import { decideControl } from '../../../src/control/decide.ts';
import type { ControlRequest } from '../../../src/control/request.ts';

const where = { owner: 'acme', repo: 'web' };
const place = { repository: 'acme/web', environment: 'production', deploymentId: '42' };
const key = randomBytes(32);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const display = { title: 'request', summary: 'step 1', buttons: [] };
const ACTIONS = { id: 15368, slug: 'github-actions' };
/** One more check run than a poll reads whole. */
const FLOOD = MAX_PAGES * 100 + 1;

let seq = 0;
function request(over: Partial<ControlRequest>): ControlRequest {
  seq += 1;
  return {
    id: `comment:${seq}`,
    verb: 'promote',
    by: 'alice',
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    deploymentId: place.deploymentId,
    step: 1,
    source: 'comment',
    ...over,
  };
}

async function withGitHub(run: (gh: FakeGitHub, sha: string, app: Octokit) => Promise<void>): Promise<void> {
  // The App's token (test-token) acts as the app under test; the workflows' as GitHub Actions.
  const gh = await createFakeGitHub({
    otherApps: { 'actions-token': ACTIONS },
    defaultActor: 'deploy-action[bot]',
  });
  try {
    gh.seedRepo({ ...where });
    await run(
      gh,
      gh.addCommit({ message: 'x' }),
      new Octokit({ baseUrl: gh.url, auth: 'test-token', log: quiet }),
    );
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

const write = (app: Octokit, sha: string, r: ControlRequest) =>
  writeControlRequest(app.rest as unknown as ControlWriteApi, where, {
    sha,
    place,
    request: r,
    key,
    display,
  });

/**
 * `count` check runs like the one `create` makes: that one through the API, the rest copies of it with ids of
 * their own put in the fake's store (a thousand creates through HTTP take most of a minute).
 */
async function checkRuns(gh: FakeGitHub, count: number, create: () => Promise<{ data: { id: number } }>) {
  const { data } = await create();
  const runs = gh.repo().checkRuns;
  const made = runs.get(data.id)!;
  for (let i = 1; i < count; i++) {
    const id = gh.state.nextId++;
    runs.set(id, { ...made, id, external_id: `${String(made.external_id)}:${i}` });
  }
}

const source = (app: Octokit, sha: string) =>
  new GitHubControlSource(app.request as unknown as RequestFn, where, place, sha, [key]);

test("a workflow floods the control check name past 1000: its suite is not read, and the App's /promote and /abort are", async () => {
  await withGitHub(async (gh, sha, app) => {
    const promote = request({ verb: 'promote' });
    await write(app, sha, promote);
    // One workflow run (one suite) posting more check runs named like the control ones than a poll reads.
    const actions = new Octokit({ baseUrl: gh.url, auth: 'actions-token', log: quiet });
    openCheckSuites(gh.state, gh.repo(), sha, 1, ACTIONS);
    await checkRuns(gh, FLOOD, () =>
      actions.rest.checks.create({ ...where, name: controlCheckName('production'), head_sha: sha }),
    );
    const control = source(app, sha);
    const before = gh.requests.length;
    const poll = await control.poll('42');
    // GitHub Actions' suites are neither read nor counted: the App's own suite was read whole.
    assert.ok(gh.requests.length - before <= 2, `${gh.requests.length - before} requests`);
    assert.equal(poll.partial, undefined);
    assert.equal(poll.error, undefined);
    assert.deepEqual(poll.requests, [promote], 'a flood by another writer does not block a /promote');
    const promoted = decideControl({
      deploymentId: '42',
      step: 1,
      gate: { kind: 'manual' },
      requests: poll.requests,
      now: Date.now(),
    });
    assert.equal(promoted.action, 'go');
    const abort = request({ verb: 'abort', reason: 'errors' });
    await write(app, sha, abort);
    assert.deepEqual((await control.poll('42')).requests, [promote, abort]);
  });
});

test("the App's own check runs past 1000: a newer /promote is not acted on and the poll says why; a newer /abort is", async () => {
  await withGitHub(async (gh, sha, app) => {
    await checkRuns(gh, FLOOD, async () => {
      const { checkRunId } = await writeWaitNotice(app.rest as unknown as ControlWriteApi, where, {
        sha,
        place,
        step: 1,
        display,
      });
      return { data: { id: checkRunId } };
    });
    const control = source(app, sha);
    assert.deepEqual((await control.poll('42')).requests, []);

    const promote = request({ verb: 'promote' });
    await write(app, sha, promote);
    const promoted = await control.poll('42');
    assert.equal(promoted.partial, true);
    assert.deepEqual(promoted.requests, [], 'a /promote read in part of the list does not end the wait');
    const waits = decideControl({
      deploymentId: '42',
      step: 1,
      gate: { kind: 'manual' },
      requests: promoted.requests,
      now: Date.now(),
    });
    assert.equal(waits.action, 'wait');
    assert.match(promoted.error ?? '', /a \/promote or \/resume is not/);

    const abort = request({ verb: 'abort' });
    await write(app, sha, abort);
    const aborted = await control.poll('42');
    assert.deepEqual(aborted.requests, [abort]);
    assert.equal(aborted.changed, true);
  });
});
