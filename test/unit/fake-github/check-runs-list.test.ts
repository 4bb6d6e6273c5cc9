// The fake's check-run listing and conditional GETs, as GitHub answers them: check_name, filter (latest by
// default, or all), app_id and per_page; an ETag on every 200 and a 304 without a body (and without a cost
// against the rate limit) when If-None-Match matches it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { withFakeRepo } from '../../helpers/github.ts';
import { openCheckSuites } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';

const where = { owner: 'acme', repo: 'web' };
const LIST = 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs';

function client(gh: FakeGitHub): Octokit {
  return new Octokit({ baseUrl: gh.url, auth: 'test-token' });
}

async function create(octokit: Octokit, sha: string, name: string, title = name): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    ...where,
    name,
    head_sha: sha,
    status: 'completed',
    conclusion: 'neutral',
    output: { title, summary: title },
  });
  return data.id;
}

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    const answer = (await p) as { status: number };
    return answer.status;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

test('filter=latest (the default) keeps the newest check run of each name; all keeps every one', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const first = await create(octokit, sha, 'rollout / production');
    const second = await create(octokit, sha, 'rollout / production');
    const other = await create(octokit, sha, 'deploy / production');
    const ids = (runs: Array<{ id: number }>) => runs.map((r) => r.id).sort((a, b) => a - b);

    const { data: latest } = await octokit.rest.checks.listForRef({ ...where, ref: sha });
    assert.deepEqual(ids(latest.check_runs), [second, other]);
    assert.equal(latest.total_count, 2);

    const { data: all } = await octokit.rest.checks.listForRef({ ...where, ref: sha, filter: 'all' });
    assert.deepEqual(ids(all.check_runs), [first, second, other]);

    const { data: named } = await octokit.rest.checks.listForRef({
      ...where,
      ref: sha,
      check_name: 'rollout / production',
      filter: 'all',
    });
    assert.deepEqual(ids(named.check_runs), [first, second]);

    const { data: namedLatest } = await octokit.rest.checks.listForRef({
      ...where,
      ref: sha,
      check_name: 'rollout / production',
      filter: 'latest',
    });
    assert.deepEqual(ids(namedLatest.check_runs), [second]);
  });
});

test('app_id keeps only the check runs of that app; per_page pages the list with a Link header', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    for (let i = 0; i < 5; i++) await create(octokit, sha, 'rollout / production', `r${i}`);
    const { appId } = gh.state;
    const ours = await octokit.rest.checks.listForRef({ ...where, ref: sha, filter: 'all', app_id: appId });
    assert.equal(ours.data.total_count, 5);
    const theirs = await octokit.rest.checks.listForRef({
      ...where,
      ref: sha,
      filter: 'all',
      app_id: appId + 1,
    });
    assert.equal(theirs.data.total_count, 0);

    const paged = await octokit.rest.checks.listForRef({ ...where, ref: sha, filter: 'all', per_page: 2 });
    assert.equal(paged.data.check_runs.length, 2);
    assert.equal(paged.data.total_count, 5);
    assert.match(String(paged.headers.link), /rel="next"/);
    const all = await octokit.paginate(octokit.rest.checks.listForRef, {
      ...where,
      ref: sha,
      filter: 'all',
      per_page: 2,
    });
    assert.equal(all.length, 5);
  });
});

test('the list answers 304 without a body to its own ETag, and 200 with a new ETag once a check run is added', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    await create(octokit, sha, 'rollout / production');
    const params = {
      ...where,
      ref: sha,
      check_name: 'rollout / production',
      filter: 'all' as const,
      per_page: 100,
    };
    const first = await octokit.request(LIST, params);
    const etag = first.headers.etag;
    assert.ok(etag, 'a list answer carries an ETag');
    const remaining = Number(first.headers['x-ratelimit-remaining']);

    const again = octokit.request(LIST, { ...params, headers: { 'if-none-match': etag } });
    assert.equal(await statusOf(again), 304, 'octokit throws a RequestError with status 304');
    const recorded = gh.requestsFor('checks/list-for-ref').at(-1)!;
    assert.equal(recorded.status, 304);
    assert.equal(recorded.responseBody, undefined, 'a 304 has no body');

    // A 304 costs nothing: the next counted request sees one fewer than before, not two.
    const unconditional = await octokit.request(LIST, params);
    assert.equal(Number(unconditional.headers['x-ratelimit-remaining']), remaining - 1);
    assert.equal(unconditional.headers.etag, etag, 'the same list has the same ETag');

    // Another name's list and another query are other resources with other ETags.
    const otherQuery = await octokit.request(LIST, { ...params, check_name: 'deploy / production' });
    assert.notEqual(otherQuery.headers.etag, etag);

    await create(octokit, sha, 'rollout / production');
    const changed = await octokit.request(LIST, { ...params, headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.equal(changed.data.total_count, 2);
    assert.notEqual(changed.headers.etag, etag);

    // A stale or unrelated ETag, or a list of several, is compared tag by tag (weak comparison).
    const listed = `"nope", ${String(changed.headers.etag).replace(/^W\//, '')}`;
    assert.equal(
      await statusOf(octokit.request(LIST, { ...params, headers: { 'if-none-match': listed } })),
      304,
    );
    assert.equal(
      await statusOf(octokit.request(LIST, { ...params, headers: { 'if-none-match': '"nope"' } })),
      200,
    );
  });
});

test('a check run by id has an ETag and answers 304 until it is updated', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const id = await create(octokit, sha, 'rollout / production');
    const GET = 'GET /repos/{owner}/{repo}/check-runs/{check_run_id}';
    const first = await octokit.request(GET, { ...where, check_run_id: id });
    const etag = first.headers.etag!;
    assert.ok(etag);
    assert.equal(
      await statusOf(
        octokit.request(GET, { ...where, check_run_id: id, headers: { 'if-none-match': etag } }),
      ),
      304,
    );
    await octokit.rest.checks.update({ ...where, check_run_id: id, output: { title: 'x', summary: 'y' } });
    const updated = await octokit.request(GET, {
      ...where,
      check_run_id: id,
      headers: { 'if-none-match': etag },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.data.output.title, 'x');
  });
});

test('an injected failure is never turned into a 304', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const params = { ...where, ref: sha, filter: 'all' as const, per_page: 100 };
    const { headers } = await octokit.request(LIST, params);
    gh.failNext({ status: 503, operationId: 'checks/list-for-ref' });
    const failed = octokit.request(LIST, { ...params, headers: { 'if-none-match': headers.etag } });
    assert.equal(await statusOf(failed), 503);
  });
});

test('the commit’s check-run list covers its 1000 newest check suites only; its suites, and each suite’s runs, are all listed', async () => {
  await withFakeRepo(async (gh, sha) => {
    const octokit = client(gh);
    const mark = await create(octokit, sha, 'deploy schedule: c1');
    const named = async () =>
      (
        await octokit.rest.checks.listForRef({
          ...where,
          ref: sha,
          check_name: 'deploy schedule: c1',
          filter: 'all',
        })
      ).data.check_runs.map((r) => r.id);
    const actions = { id: 15368, slug: 'github-actions' };
    openCheckSuites(gh.state, gh.repo(), sha, 999, actions);
    assert.deepEqual(await named(), [mark], '1000 suites: still listed');
    openCheckSuites(gh.state, gh.repo(), sha, 1, actions);
    assert.deepEqual(await named(), [], 'one more newer suite: left out');

    const { data: suites } = await octokit.rest.checks.listSuitesForRef({
      ...where,
      ref: sha,
      per_page: 100,
    });
    assert.equal(suites.total_count, 1001);
    const { data: own } = await octokit.rest.checks.listSuitesForRef({
      ...where,
      ref: sha,
      app_id: gh.state.appId,
      check_name: 'deploy schedule: c1',
    });
    assert.equal(own.total_count, 1);
    const { data: runs } = await octokit.rest.checks.listForSuite({
      ...where,
      check_suite_id: own.check_suites[0]!.id,
      filter: 'all',
    });
    assert.deepEqual(
      runs.check_runs.map((r) => r.id),
      [mark],
    );
    // A new check run of an app goes into its newest suite on the commit.
    const later = (
      await new Octokit({ baseUrl: gh.url, auth: 'test-token' }).rest.checks.create({
        ...where,
        name: 'x',
        head_sha: sha,
      })
    ).data;
    assert.equal(later.check_suite?.id, own.check_suites[0]!.id, 'the app under test has one suite here');
  });
});
