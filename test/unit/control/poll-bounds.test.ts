// Past the poll's bounds (1000 control check runs): the poll reads part of the list (the first page and the
// last pages: the newest whichever order GitHub lists them in) and says so at every poll; an unchanged list is
// then 304s, which cost nothing, so the reads at a poll every 2 to 10 s do not spend the rate limit the
// deployment's writes need. Each such read once cost 11 requests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GitHubControlSource, MAX_PAGES, type RequestFn } from '../../../src/control/github-channel.ts';

const where = { owner: 'acme', repo: 'web' };
const place = { repository: 'acme/web', environment: 'production', deploymentId: '42' };

/** GitHub with one check suite of the App holding `runs` control check runs (none carrying a request). */
function github(runs: number): { request: RequestFn; calls: Array<{ route: string; status: number }> } {
  const calls: Array<{ route: string; status: number }> = [];
  const request: RequestFn = async (route, params) => {
    const headers = params.headers as Record<string, string> | undefined;
    const etag = route.endsWith('/check-suites') ? '"suites"' : `"runs-${runs}-${Number(params.page ?? 1)}"`;
    if (headers?.['if-none-match'] === etag) {
      calls.push({ route, status: 304 });
      throw Object.assign(new Error('Not Modified'), { status: 304 });
    }
    calls.push({ route, status: 200 });
    if (route.endsWith('/check-suites'))
      return {
        status: 200,
        data: { total_count: 1, check_suites: [{ id: 7, app: { id: 5 } }] },
        headers: { etag },
      };
    const page = Number(params.page ?? 1);
    const from = (page - 1) * 100;
    const check_runs = Array.from({ length: Math.max(0, Math.min(100, runs - from)) }, (_, i) => ({
      id: from + i + 1,
      name: 'rollout / production',
      app: { id: 5 },
      output: { text: 'This rollout is waiting.' },
    }));
    return { status: 200, data: { total_count: runs, check_runs }, headers: { etag } };
  };
  return { request, calls };
}

test('over 1000 control check runs: part is read and said at every poll; an unchanged list is 304s', async () => {
  const { request, calls } = github(MAX_PAGES * 100 + 1);
  const source = new GitHubControlSource(request, where, place, 'a'.repeat(40), [Buffer.alloc(32, 1)], 5);
  const first = await source.poll('42');
  assert.equal(first.partial, true);
  assert.match(first.error ?? '', /more than 1000/);
  assert.match(first.error ?? '', /a \/promote or \/resume is not/);
  assert.match(first.error ?? '', /cancel its workflow run \(it rolls back\)/);
  const read = calls.length;
  assert.ok(read <= MAX_PAGES + 1, `${read} requests: the suites and at most ${MAX_PAGES} pages`);
  for (let poll = 0; poll < 5; poll++) {
    const again = await source.poll('42');
    assert.equal(again.error, first.error);
    assert.equal(again.partial, true, 'a 304 keeps the read partial');
    assert.deepEqual(again.requests, []);
  }
  assert.deepEqual(
    calls.slice(read).map((c) => c.status),
    Array(10).fill(304),
    'each later poll is two 304s: the suites and the first page',
  );
  // Another deployment of the commit starts over.
  await source.poll('43');
  assert.ok(calls.slice(read + 10).some((c) => c.status === 200));
});

test('within the bounds, a poll reads (conditionally) every time', async () => {
  const { request, calls } = github(150);
  const source = new GitHubControlSource(request, where, place, 'a'.repeat(40), [Buffer.alloc(32, 1)], 5);
  assert.equal((await source.poll('42')).error, undefined);
  const read = calls.length;
  await source.poll('42');
  assert.ok(calls.length > read);
});

test('over the bounds in reconcile (a handed-off rollout): the advice is not to cancel a run, which stops nothing', async () => {
  const { controlFactory } = await import('../../../src/action/reconcile.ts');
  const { request } = github(MAX_PAGES * 100 + 1);
  const inputs = { stateKey: 'k'.repeat(64) } as Parameters<typeof controlFactory>[0];
  const context = { owner: 'acme', repo: 'web' } as Parameters<typeof controlFactory>[1];
  const octokit = { request } as unknown as Parameters<typeof controlFactory>[2];
  const controlFor = controlFactory(inputs, context, octokit)!;
  const source = controlFor(
    { name: 'production' } as never,
    { sha: 'a'.repeat(40), deploymentId: '42' } as never,
  )!;
  const polled = await source.poll('42');
  assert.equal(polled.partial, true);
  assert.match(polled.error ?? '', /more than 1000/);
  assert.match(polled.error ?? '', /cancelling a reconcile run does not stop this rollout/);
  assert.doesNotMatch(polled.error ?? '', /cancel its workflow run \(it rolls back\)/);
});
