// The control channel on GitHub against the fake GitHub (checked against GitHub's OpenAPI description): the
// App writes each request as its own signed `rollout / <environment>` check run; the Action polls them
// through the check suites that hold them, with conditional requests, so an unchanged list is 304s that cost
// nothing; and 1000 newer check suites, which leave the App's out of the commit's check-run list, hide none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { withFakeRepo } from '../../helpers/github.ts';
import { createFakeGitHub, openCheckSuites } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';
import {
  GitHubControlSource,
  MAX_EXTERNAL_ID,
  MAX_SUITES,
  controlCheckName,
  controlExternalId,
  rolloutOfExternalId,
  waitExternalId,
  writeControlRequest,
  writeWaitNotice,
  type ControlDisplay,
  type ControlWriteApi,
  type RequestFn,
} from '../../../src/control/github-channel.ts';
import { signControlRequest } from '../../../src/control/signed.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import type { ControlRequest } from '../../../src/control/request.ts';

const where = { owner: 'acme', repo: 'web' };
const place = { repository: 'acme/web', environment: 'production', deploymentId: '42' };
const key = randomBytes(32);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const display: ControlDisplay = {
  title: 'Promoted by alice',
  summary: 'step 2',
  buttons: ['promote', 'abort'],
};
const LIST = 'checks/list-for-suite';
const SUITES = 'checks/list-suites-for-ref';

function client(gh: FakeGitHub): Octokit {
  return new Octokit({ baseUrl: gh.url, auth: 'test-token', log: quiet });
}

let seq = 0;
function request(over: Partial<ControlRequest> = {}): ControlRequest {
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

function write(
  octokit: Octokit,
  sha: string,
  r: ControlRequest,
  options: { key?: Buffer; deploymentId?: string } = {},
) {
  return writeControlRequest(octokit.rest as unknown as ControlWriteApi, where, {
    sha,
    place: { ...place, deploymentId: options.deploymentId ?? place.deploymentId },
    request: r,
    key: options.key ?? key,
    display,
  });
}

function source(octokit: Octokit, sha: string, fetch: RequestFn = octokit.request as unknown as RequestFn) {
  return new GitHubControlSource(fetch, where, place, sha, [key]);
}

/** The fields of a check run the fake stores that these tests read. */
interface StoredRun {
  name: string;
  head_sha: string;
  status: string;
  conclusion: string;
  external_id: string;
  output: { title: string; text: string };
}

const lastListStatus = (gh: FakeGitHub) => gh.requestsFor(LIST).at(-1)?.status;

test('the first poll returns the requests oldest first; an unchanged list is a 304 and changed:false', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const first = request({ verb: 'pause' });
    const second = request({ verb: 'resume' });
    const { checkRunId: firstRun } = await write(octokit, sha, first);
    await writeWaitNotice(octokit.rest as unknown as ControlWriteApi, where, {
      sha,
      place,
      step: 1,
      display,
    });
    const { checkRunId: secondRun } = await write(octokit, sha, second);
    const control = source(octokit, sha);

    const poll = await control.poll('42');
    assert.equal(poll.changed, true);
    assert.deepEqual(poll.requests, [first, second]);
    // Which check run holds each: what tells a button pressed before a request from one pressed after it.
    assert.deepEqual(
      [...(poll.recordedIn ?? [])],
      [
        [first.id, firstRun],
        [second.id, secondRun],
      ],
    );
    assert.ok(firstRun < secondRun);
    assert.equal(poll.refused, undefined, 'the wait notice carries no request and is not refused');
    assert.equal(poll.error, undefined);
    const listed = gh.requestsFor(LIST).at(-1)!;
    assert.equal(listed.status, 200);
    assert.deepEqual(
      { check_name: listed.query.check_name, filter: listed.query.filter, per_page: listed.query.per_page },
      { check_name: 'rollout / production', filter: 'all', per_page: '100' },
    );

    const again = await control.poll('42');
    assert.equal(lastListStatus(gh), 304, 'the second poll is answered 304');
    assert.equal(gh.requestsFor(SUITES).at(-1)?.status, 304, 'its suites too');
    assert.deepEqual(
      { changed: again.changed, requests: again.requests },
      { changed: false, requests: [first, second] },
    );
    assert.equal(
      gh.requestsFor('checks/get').length,
      0,
      'the list carries the text: no check run read alone',
    );

    const third = request({ verb: 'abort', reason: 'errors' });
    await write(octokit, sha, third);
    const next = await control.poll('42');
    assert.equal(lastListStatus(gh), 200);
    assert.equal(next.changed, true);
    assert.deepEqual(next.requests, [first, second, third]);
  });
});

test('a rollout check run by someone without the key is refused once and never returned', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const genuine = request();
    await write(octokit, sha, genuine);
    // Anyone who can create a check run can use the name; a made-up key cannot sign for this environment.
    const forged = request({ verb: 'abort', id: 'comment:666' });
    const { checkRunId: forgedId } = await write(octokit, sha, forged, { key: randomBytes(32) });
    // Nor can a genuine request's text be edited: a promote turned into an abort.
    const text = signControlRequest(request({ verb: 'promote' }), key, place).replace('"promote"', '"abort"');
    const { data: edited } = await octokit.rest.checks.create({
      ...where,
      name: controlCheckName('production'),
      head_sha: sha,
      status: 'completed',
      conclusion: 'neutral',
      output: { title: 'x', summary: 'x', text },
    });
    const control = source(octokit, sha);

    const poll = await control.poll('42');
    assert.deepEqual(poll.requests, [genuine]);
    assert.deepEqual(
      poll.refused?.map((r) => [r.where, r.code]),
      [
        [`check run ${forgedId}`, 'control_forged'],
        [`check run ${edited.id}`, 'control_forged'],
      ],
    );
    assert.match(poll.refused![0]!.message, /does not verify under the environment's state key/);

    // Reported once: a later change to the list does not report them again.
    const later = request();
    await write(octokit, sha, later);
    const next = await control.poll('42');
    assert.deepEqual(next.requests, [genuine, later]);
    assert.equal(next.refused, undefined);
  });
});

test('requests for another deployment (an earlier rollout of the commit) are ignored, not refused', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    await write(octokit, sha, request({ deploymentId: '41', verb: 'abort' }), { deploymentId: '41' });
    const ours = request();
    await write(octokit, sha, ours);
    const poll = await source(octokit, sha).poll('42');
    assert.deepEqual(poll.requests, [ours]);
    assert.equal(poll.refused, undefined);

    // Another environment's genuine request under this environment's name is refused: it was moved here.
    const text = signControlRequest(request(), key, { ...place, environment: 'staging' });
    await octokit.rest.checks.create({
      ...where,
      name: controlCheckName('production'),
      head_sha: sha,
      status: 'completed',
      conclusion: 'neutral',
      output: { title: 'x', summary: 'x', text },
    });
    const moved = await source(octokit, sha).poll('42');
    assert.deepEqual(moved.requests, [ours]);
    assert.deepEqual(
      moved.refused?.map((r) => r.code),
      ['control_misplaced'],
    );
  });
});

test('one request written twice (a redelivery) counts once', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const once = request();
    await write(octokit, sha, once);
    await write(octokit, sha, once);
    const poll = await source(octokit, sha).poll('42');
    assert.deepEqual(poll.requests, [once]);
  });
});

test('a failing GitHub gives an error and the requests last seen, never a throw; the next poll recovers', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const seen = request();
    await write(octokit, sha, seen);
    const control = source(octokit, sha);
    const first = await control.poll('42');
    assert.deepEqual(first.requests, [seen]);
    assert.equal(first.recordedIn?.size, 1);

    gh.setDown(true);
    const down = await control.poll('42');
    assert.equal(down.changed, false);
    assert.deepEqual(down.requests, [seen]);
    // Where each was read from too: the stale-press rule (pauseSupersedingPress) still applies on a failed poll.
    assert.deepEqual(down.recordedIn, first.recordedIn);
    assert.match(down.error ?? '', /control requests of production.*HTTP 503/);
    gh.setDown(false);

    gh.failNext({ status: 404, operationId: LIST });
    const missing = await control.poll('42');
    assert.match(missing.error ?? '', /HTTP 404/);
    assert.deepEqual(missing.requests, [seen]);

    const more = request();
    await write(octokit, sha, more);
    const back = await control.poll('42');
    assert.equal(back.error, undefined);
    assert.equal(back.changed, true);
    assert.deepEqual(back.requests, [seen, more]);

    // A connection that fails outright is an error too.
    const broken = new GitHubControlSource(
      () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')),
      where,
      place,
      sha,
      [key],
    );
    const refused = await broken.poll('42');
    assert.deepEqual(refused.requests, []);
    assert.match(refused.error ?? '', /ECONNREFUSED/);
  });
});

test('when the list leaves output.text out, each check run is read once by id and remembered', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const first = request();
    await write(octokit, sha, first);
    await writeWaitNotice(octokit.rest as unknown as ControlWriteApi, where, {
      sha,
      place,
      step: 1,
      display,
    });
    const fetch = octokit.request as unknown as RequestFn;
    const withoutText: RequestFn = async (route, params) => {
      const answer = await fetch(route, params);
      if (!route.includes('/check-suites/{check_suite_id}/check-runs')) return answer;
      const data = answer.data as { check_runs: Array<{ output: Record<string, unknown> }> };
      for (const run of data.check_runs) delete run.output.text;
      return answer;
    };
    const control = source(octokit, sha, withoutText);
    assert.deepEqual((await control.poll('42')).requests, [first]);
    assert.equal(gh.requestsFor('checks/get').length, 2);

    const second = request();
    await write(octokit, sha, second);
    assert.deepEqual((await control.poll('42')).requests, [first, second]);
    assert.equal(gh.requestsFor('checks/get').length, 3, 'only the new check run is read');
  });
});

test('more check runs than one page: every page is read, and the unchanged list is still one 304', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const oldest = request({ verb: 'pause' });
    await write(octokit, sha, oldest);
    for (let step = 0; step < 100; step++)
      await writeWaitNotice(octokit.rest as unknown as ControlWriteApi, where, { sha, place, step, display });
    const newest = request({ verb: 'resume' });
    await write(octokit, sha, newest);
    const control = source(octokit, sha);
    const before = gh.requestsFor(LIST).length;
    assert.deepEqual((await control.poll('42')).requests, [oldest, newest]);
    assert.equal(gh.requestsFor(LIST).length - before, 2, 'two pages');
    assert.equal((await control.poll('42')).changed, false);
    assert.equal(gh.requestsFor(LIST).length - before, 3, 'one conditional request');
    assert.equal(lastListStatus(gh), 304);
  });
});

test('the request check run: name, commit, external_id, conclusion, buttons within GitHub limits, signed text', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const r = request({ id: `button:1:${'x'.repeat(250)}:2` });
    const { checkRunId } = await write(octokit, sha, r);
    const run = gh.repo().checkRuns.get(checkRunId) as unknown as StoredRun;
    assert.equal(run.name, 'rollout / production');
    assert.equal(run.head_sha, sha);
    assert.equal(run.status, 'completed');
    assert.equal(run.conclusion, 'action_required');
    assert.ok(run.external_id.length <= MAX_EXTERNAL_ID);
    assert.ok(run.external_id.startsWith(`control:42:${r.step}:button:1:`));
    assert.notEqual(controlExternalId('42', `${r.id}y`, r.step), run.external_id, 'cut ids stay distinct');
    assert.equal(controlExternalId('42', 'comment:5', 3), 'control:42:3:comment:5');
    assert.equal(run.output.title, display.title);
    assert.match(run.output.text, /<!-- deploy-action:control /);
    const created = gh.requestsFor('checks/create').at(-1)!.body as {
      actions: Array<Record<string, string>>;
    };
    assert.deepEqual(
      created.actions.map((a) => a.identifier),
      ['promote', 'abort'],
    );
    for (const a of created.actions) {
      assert.ok(a.label!.length <= 20 && a.identifier!.length <= 20 && a.description!.length <= 40);
    }

    // No buttons once the rollout goes on: neutral, and no actions sent.
    const { checkRunId: quietId } = await writeControlRequest(
      octokit.rest as unknown as ControlWriteApi,
      where,
      {
        sha,
        place,
        request: request(),
        key,
        display: { ...display, buttons: [] },
      },
    );
    assert.equal((gh.repo().checkRuns.get(quietId) as Record<string, unknown>).conclusion, 'neutral');
    assert.equal((gh.requestsFor('checks/create').at(-1)!.body as { actions?: unknown }).actions, undefined);

    const { checkRunId: noticeId } = await writeWaitNotice(
      octokit.rest as unknown as ControlWriteApi,
      where,
      {
        sha,
        place,
        step: 3,
        display: { ...display, buttons: ['promote', 'resume', 'abort'] },
      },
    );
    const notice = gh.repo().checkRuns.get(noticeId) as unknown as StoredRun;
    assert.equal(notice.external_id, 'wait:42:3');
    assert.equal(notice.conclusion, 'action_required');
    assert.doesNotMatch(notice.output.text, /deploy-action:/);
  });
});

test("through the Action's client: an unchanged poll is a 304 that is neither a failure nor a log line", async () => {
  await withFakeRepo(async (gh, sha) => {
    const r = request();
    await write(client(gh), sha, r);
    const log: string[] = [];
    const { octokit, counter } = createGitHubClient({
      token: 'ghs_channel_test',
      baseUrl: gh.url,
      retryBaseMs: 10,
      writeIntervalMs: 0,
      log: (m) => log.push(m),
    });
    const control = new GitHubControlSource(octokit.request as unknown as RequestFn, where, place, sha, [
      key,
    ]);
    assert.deepEqual((await control.poll('42')).requests, [r]);
    for (let i = 0; i < 3; i++) {
      const { changed, requests, ...rest } = await control.poll('42');
      assert.deepEqual(
        { changed, requests, rest: Object.keys(rest) },
        { changed: false, requests: [r], rest: ['recordedIn'] },
      );
    }
    for (const operation of [SUITES, LIST])
      assert.deepEqual(
        gh.requestsFor(operation).map((q) => q.status),
        [200, 304, 304, 304],
        `each poll is one request of ${operation}: a 304 is not retried`,
      );
    assert.equal(counter.failed, 0);
    assert.deepEqual(log, []);
  });
});

// Another app than GitHub Actions (whose suites are never read): a CI App with a suite per run, as a workflow's.
const ACTIONS = { id: 4242, slug: 'ci-runner' };

/** A repository where another app (a CI App: a check suite per run) writes check runs too. */
async function withActions(run: (gh: FakeGitHub, sha: string) => Promise<void>): Promise<void> {
  // The App's token (test-token) acts as the app under test; actions-token as the CI App.
  const gh = await createFakeGitHub({
    otherApps: { 'actions-token': ACTIONS },
    defaultActor: 'deploy-action[bot]',
  });
  try {
    gh.seedRepo({ ...where });
    await run(gh, gh.addCommit({ message: 'x' }));
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

test('an /abort stays seen when over 1000 newer check suites push the App’s out of the commit’s check-run list', async () => {
  await withActions(async (gh, sha) => {
    const octokit = client(gh);
    const pause = request({ verb: 'pause' });
    await write(octokit, sha, pause);
    const control = source(octokit, sha);
    assert.deepEqual((await control.poll('42')).requests, [pause]);
    // A writer runs workflows on the commit: a check suite each, newer than the App's.
    openCheckSuites(gh.state, gh.repo(), sha, 1001, ACTIONS);
    const abort = request({ verb: 'abort', reason: 'errors' });
    await write(octokit, sha, abort);
    const poll = await control.poll('42');
    assert.equal(poll.error, undefined);
    assert.deepEqual(poll.requests, [pause, abort]);
    // Knowing the App's id, only its suites are listed.
    const own = new GitHubControlSource(
      octokit.request as unknown as RequestFn,
      where,
      place,
      sha,
      [key],
      gh.state.appId,
    );
    const before = gh.requests.length;
    assert.deepEqual((await own.poll('42')).requests, [pause, abort]);
    assert.deepEqual(
      gh.requests.slice(before).map((r) => [r.operationId, r.query.app_id]),
      [
        [SUITES, String(gh.state.appId)],
        [LIST, undefined],
      ],
    );
  });
});

test('an app with more suites holding control check runs than the App has is passed over and reported once', async () => {
  await withActions(async (gh, sha) => {
    const octokit = client(gh);
    const genuine = request();
    await write(octokit, sha, genuine);
    // A writer's workflows each post a check run named like the control ones, one workflow run (suite) each.
    const actions = new Octokit({ baseUrl: gh.url, auth: 'actions-token', log: quiet });
    const flood = async (n: number) => {
      for (let i = 0; i < n; i++) {
        openCheckSuites(gh.state, gh.repo(), sha, 1, ACTIONS);
        await actions.rest.checks.create({ ...where, name: controlCheckName('production'), head_sha: sha });
      }
    };
    await flood(3);
    const control = source(octokit, sha);
    const few = await control.poll('42');
    assert.deepEqual(few.requests, [genuine]);
    assert.equal(few.refused, undefined, 'three suites are read: their runs carry no request');
    await flood(1);
    const before = gh.requestsFor(LIST).length;
    const many = await control.poll('42');
    assert.equal(many.error, undefined);
    assert.deepEqual(many.requests, [genuine]);
    assert.deepEqual(
      many.refused?.map((r) => [r.where, r.code]),
      [['the check suites of app ci-runner', 'control_suites_flooded']],
    );
    assert.equal(gh.requestsFor(LIST).length - before, 1, "only the App's suite is read");
    const later = request();
    await write(octokit, sha, later);
    const again = await control.poll('42');
    assert.deepEqual(again.requests, [genuine, later]);
    assert.equal(again.refused, undefined, 'reported once');
  });
});

test('a flood of another app’s suites past MAX_SUITES is passed over, and an /abort after it is still seen', async () => {
  await withActions(async (gh, sha) => {
    const octokit = client(gh);
    const genuine = request();
    await write(octokit, sha, genuine);
    // A writer pushes the commit to more branches than MAX_SUITES: a workflow run (suite) each, each with a
    // check run named like the control ones. The Action does not know the App's id, so it lists them all.
    const actions = new Octokit({ baseUrl: gh.url, auth: 'actions-token', log: quiet });
    for (let i = 0; i <= MAX_SUITES; i++) {
      openCheckSuites(gh.state, gh.repo(), sha, 1, ACTIONS);
      await actions.rest.checks.create({ ...where, name: controlCheckName('production'), head_sha: sha });
    }
    const abort = request({ verb: 'abort', reason: 'errors' });
    await write(octokit, sha, abort);
    const poll = await source(octokit, sha).poll('42');
    assert.equal(poll.error, undefined, 'the poll does not fail: an /abort would be ignored');
    assert.deepEqual(poll.requests, [genuine, abort]);
    assert.deepEqual(
      poll.refused?.map((r) => [r.where, r.code]),
      [['the check suites of app ci-runner', 'control_suites_flooded']],
    );
  });
});

test('a request once read stays: a later list that lacks it (a short or stale 200) does not lift a /pause', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const pause = request({ verb: 'pause' });
    await write(octokit, sha, pause);
    let short = false;
    const fetch: RequestFn = async (route, params) => {
      if (short && route.includes('/check-suites/{check_suite_id}/check-runs'))
        return { status: 200, data: { total_count: 0, check_runs: [] }, headers: {} };
      return (octokit.request as unknown as RequestFn)(route, params);
    };
    const control = source(octokit, sha, fetch);
    assert.deepEqual((await control.poll('42')).requests, [pause]);
    short = true;
    const again = await control.poll('42');
    assert.equal(again.error, undefined);
    assert.deepEqual(again.requests, [pause], 'the /pause read before is still there');
    assert.equal(again.changed, false);
    // Another deployment starts over.
    assert.deepEqual((await control.poll('43')).requests, []);
  });
});

test('external ids name the rollout a notice or request was written for; the form before it names none', () => {
  const start = Date.parse('2025-03-04T10:10:00.000Z');
  assert.equal(waitExternalId('42', 2, { rolloutStart: start }), `wait:42:2:rollout-${start}`);
  assert.equal(
    waitExternalId('42', 2, { rolloutStart: start, failedAt: start + 5 }),
    `wait:42:2:rollout-${start}:failed:${start + 5}`,
  );
  assert.equal(waitExternalId('42', 2), 'wait:42:2');
  assert.equal(controlExternalId('42', 'comment:5', 3, start), `control:42:3:rollout-${start}:comment:5`);
  // Cut to its bound, a long request id keeps the rollout (the start of the id).
  const cut = controlExternalId('42', `button:1:${'x'.repeat(250)}:2`, 3, start);
  assert.equal(rolloutOfExternalId(cut), start);
  assert.equal(rolloutOfExternalId(`wait:42:2:rollout-${start}:failed:9`), start);
  assert.equal(rolloutOfExternalId(`control:42:3:rollout-${start}:comment:5`), start);
  for (const legacy of [
    'wait:42:2',
    'wait:42:2:failed:9',
    'control:42:3:comment:5',
    'control:42:comment:5',
    null,
  ])
    assert.equal(rolloutOfExternalId(legacy), undefined, String(legacy));
});
