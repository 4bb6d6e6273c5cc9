// The conditional-reads hook (app/conditional-reads.ts) with a tiny fake `request`: a GitHub that gives each
// answer an ETag and answers a matching If-None-Match with Octokit's 304 error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '@octokit/request-error';
import {
  RememberedReads,
  conditionalReadsHook,
  readKey,
  rememberReads,
} from '../../../app/conditional-reads.ts';
import type { Answer, ParseRequest, RequestOptions } from '../../../app/conditional-reads.ts';
import { parseJsonAnswer } from '../../../app/json-answers.ts';

/** Options already as sent: the parse is the identity. */
const parse: ParseRequest = (options) =>
  options as unknown as { method: string; url: string; headers: Record<string, unknown> };

interface Sent {
  method: string;
  url: string;
  ifNoneMatch: unknown;
}

/**
 * A fake GitHub: `bodies` by URL, each with its ETag (none with `etags: false`), 304 for a matching
 * If-None-Match, `status` per URL; every answer, 304s included, with the rate limit left after it, its date
 * and request id (none with `rateHeaders: false`); `network` is its fetch, `answer` Octokit's fetch wrapper
 * in short.
 */
function fakeGitHub(
  options: { etags?: boolean; status?: Record<string, number>; rateHeaders?: boolean } = {},
) {
  /** The JSON text of each URL's answer. */
  const bodies = new Map<string, string>();
  const version = new Map<string, number>();
  const sent: Sent[] = [];
  const network = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    sent.push({ method, url, ifNoneMatch: headers.get('if-none-match') ?? undefined });
    const n = sent.length;
    const rate =
      options.rateHeaders === false
        ? {}
        : {
            'x-ratelimit-limit': '5000',
            'x-ratelimit-remaining': String(5000 - n),
            'x-ratelimit-used': String(n),
            date: new Date(Date.UTC(2026, 11, 7, 9, 0, n)).toUTCString(),
            'x-github-request-id': `REQ-${n}`,
          };
    const etag = `"${url}:${headers.get('accept')}:${version.get(url) ?? 0}"`;
    const status = options.status?.[url] ?? (method === 'POST' ? 201 : 200);
    const json = { 'content-type': 'application/json; charset=utf-8' };
    if (status >= 400)
      return new Response('{"message":"Not Found"}', { status, headers: { ...json, ...rate } });
    if (method === 'GET' && headers.get('if-none-match') === etag)
      return new Response(null, { status: 304, headers: { etag, ...rate } });
    const tags = options.etags === false ? {} : { etag, link: `<${url}&page=2>; rel="next"` };
    return new Response(bodies.get(url) ?? JSON.stringify({ created: true }), {
      status,
      headers: { ...json, ...tags, ...rate },
    });
  };
  const answer = async (o: RequestOptions): Promise<Answer> => {
    const url = String(o.url);
    const method = String(o.method);
    const fetch = o.request?.fetch ?? network;
    const response = await fetch(url, { method, headers: o.headers as Record<string, string> });
    const headers = Object.fromEntries(response.headers);
    const request = { method: method as 'GET', url, headers: {} };
    if (response.status === 304)
      throw new RequestError('Not modified', 304, {
        request,
        response: { url, status: 304, headers, data: '' },
      });
    // As the App's Octokit parses an answer (json-answers.ts): an integer past 2^53 a BigInt.
    const data: unknown = parseJsonAnswer(await response.text());
    if (response.status >= 400)
      throw new RequestError('Not Found', response.status, {
        request,
        response: { url, status: 404, headers, data },
      });
    return { status: response.status, url, headers, data };
  };
  const setText = (url: string, text: string) => {
    bodies.set(url, text);
    version.set(url, (version.get(url) ?? 0) + 1);
  };
  return {
    sent,
    network,
    /**
     * A wrap hook's `send`, as Octokit's hooks (before-after-hook) make it: bound to the options the hook was
     * called with, whatever it is passed.
     */
    send: (options: RequestOptions) => () => answer(options),
    set: (url: string, body: unknown) => setText(url, JSON.stringify(body)),
    /** The answer as JSON text (an integer past 2^53 has none as a JavaScript value). */
    setText,
  };
}

type Hook = ReturnType<typeof conditionalReadsHook>;
/** `hook` called as Octokit calls it: with the request's options, and the rest of the chain bound to them. */
const ask = (hook: Hook, github: ReturnType<typeof fakeGitHub>, options: RequestOptions): Promise<Answer> => {
  // The Octokit's fetch (http-fetch.ts in the App) is the fake's network.
  options.request = { ...options.request, fetch: github.network };
  return hook(github.send(options), options);
};

const get = (url: string, accept = 'application/vnd.github+json'): RequestOptions => ({
  method: 'GET',
  url,
  headers: { accept },
});

const COMMENTS = 'https://api.github.com/repos/acme/web/issues/7/comments?per_page=100&page=1';

test('a GET keeps its ETag, asks with If-None-Match next time, and a 304 is answered from memory as a 200', async () => {
  const github = fakeGitHub();
  github.set(COMMENTS, [{ id: 1, body: 'one' }]);
  const hook = conditionalReadsHook(new RememberedReads().of(1), parse);
  const first = await ask(hook, github, get(COMMENTS));
  const second = await ask(hook, github, get(COMMENTS));
  assert.deepEqual(
    github.sent.map((s) => s.ifNoneMatch),
    [undefined, `"${COMMENTS}:application/vnd.github+json:1"`],
  );
  assert.equal(second.status, 200);
  assert.deepEqual(second.data, [{ id: 1, body: 'one' }]);
  assert.equal(second.url, COMMENTS);
  // The remembered content headers: a paginating caller follows the same Link.
  const content = (headers: Record<string, unknown>) => [headers.etag, headers.link, headers['content-type']];
  assert.deepEqual(content(second.headers), content(first.headers));
  assert.ok(first.headers.link);
  // A change on GitHub: a new ETag, a 200, and the new answer is the one remembered.
  github.set(COMMENTS, [{ id: 1, body: 'edited' }]);
  assert.deepEqual((await ask(hook, github, get(COMMENTS))).data, [{ id: 1, body: 'edited' }]);
  assert.deepEqual((await ask(hook, github, get(COMMENTS))).data, [{ id: 1, body: 'edited' }]);
  assert.equal(github.sent.at(-1)!.ifNoneMatch, `"${COMMENTS}:application/vnd.github+json:2"`);
});

test('never kept: a POST, an answer without an ETag, an error; another URL or Accept is asked plainly', async () => {
  const github = fakeGitHub();
  const cache = new RememberedReads().of(1);
  const hook = conditionalReadsHook(cache, parse);
  const post = { method: 'POST', url: COMMENTS.replace(/\?.*/, ''), headers: {} };
  await ask(hook, github, post);
  await ask(hook, github, post);
  assert.deepEqual(
    github.sent.map((s) => s.ifNoneMatch),
    [undefined, undefined],
  );
  assert.equal(cache.keys().length, 0);

  const noEtag = fakeGitHub({ etags: false });
  noEtag.set(COMMENTS, []);
  await ask(hook, noEtag, get(COMMENTS));
  await ask(hook, noEtag, get(COMMENTS));
  assert.deepEqual(
    noEtag.sent.map((s) => s.ifNoneMatch),
    [undefined, undefined],
  );

  github.set(COMMENTS, [{ id: 1 }]);
  await ask(hook, github, get(COMMENTS));
  await ask(hook, github, get(COMMENTS.replace('page=1', 'page=2')));
  await ask(hook, github, get(COMMENTS, 'application/vnd.github.full+json'));
  assert.deepEqual(
    github.sent.slice(2).map((s) => s.ifNoneMatch),
    [undefined, undefined, undefined],
  );

  // An error answer is not kept, and forgets what was kept for the request: the next GET is asked plainly.
  const failing = fakeGitHub({ status: { [COMMENTS]: 404 } });
  await assert.rejects(ask(hook, failing, get(COMMENTS)), { status: 404 });
  await ask(hook, github, get(COMMENTS));
  assert.equal(github.sent.at(-1)!.ifNoneMatch, undefined);

  // A caller's own conditional request is its own: sent as it is, its 304 reaches it.
  github.set(COMMENTS, [{ id: 2 }]);
  await ask(hook, github, get(COMMENTS));
  const own = { ...get(COMMENTS), headers: { accept: 'x', 'if-none-match': '"theirs"' } };
  assert.equal(readKey(own, parse), undefined);
  // An answer asked for unparsed (a stream) is never kept.
  assert.equal(readKey({ ...get(COMMENTS), request: { parseSuccessResponseBody: false } }, parse), undefined);
});

// A text with a run of 16 digits may hold an integer past 2^53, which JSON.parse would not read exactly: such
// an answer was not kept at all. A page of the App's comments holds one whenever a marker's 64-hex MAC has 16
// digits in a row (about once in a hundred MACs), and that page was then read in full on every command.
test('an answer with a run of 16 digits is kept too: a string in it comes back the same, an integer past 2^53 as the same BigInt', async () => {
  const github = fakeGitHub();
  const mac = '4e641eb9fc6f213095015868928842d2bbff46d909514d81d7ac68ba3dc23bf7';
  github.setText(COMMENTS, `[{"id":12345678901234567891,"body":"mac=${mac}"},{"id":2,"n":1.5e300}]`);
  const hook = conditionalReadsHook(new RememberedReads().of(1), parse);
  const first = await ask(hook, github, get(COMMENTS));
  const second = await ask(hook, github, get(COMMENTS));
  const third = await ask(hook, github, get(COMMENTS));
  assert.deepEqual(
    github.sent.map((s) => s.ifNoneMatch),
    [undefined, ...Array<string>(2).fill(`"${COMMENTS}:application/vnd.github+json:1"`)],
  );
  const expected = [
    { id: 12345678901234567891n, body: `mac=${mac}` },
    { id: 2, n: 1.5e300 },
  ];
  assert.deepEqual(first.data, expected);
  assert.deepEqual(second.data, expected);
  assert.deepEqual(third.data, expected);
});

test('the memory is bounded by size, least recently read first; an answer over the limit is not kept', async () => {
  const github = fakeGitHub();
  const page = (n: number) => `https://api.github.com/repos/acme/web/issues/${n}/comments`;
  for (let n = 1; n <= 4; n++) github.set(page(n), 'x'.repeat(1000));
  const store = new RememberedReads({ maxBytes: 4000, maxAnswerBytes: 1500 });
  const cache = store.of(1);
  const hook = conditionalReadsHook(cache, parse);
  for (const n of [1, 2, 3]) await ask(hook, github, get(page(n)));
  assert.deepEqual(
    cache.keys().map((k) => k.split('\n')[0]),
    [page(1), page(2), page(3)],
  );
  await ask(hook, github, get(page(1)));
  await ask(hook, github, get(page(4)));
  // Page 2, least recently read, made room for page 4.
  assert.deepEqual(
    cache.keys().map((k) => k.split('\n')[0]),
    [page(3), page(1), page(4)],
  );
  assert.ok(store.bytes <= 4000, String(store.bytes));
  github.set(page(5), 'x'.repeat(2000));
  await ask(hook, github, get(page(5)));
  assert.ok(!cache.keys().some((k) => k.startsWith(page(5))), 'an answer over 1500 bytes is not kept');
  assert.throws(() => new RememberedReads({ maxBytes: -1 }), /maxBytes must be a non-negative integer/);
});

test("what a caller gets is its own: mutating it changes neither the memory nor another caller's answer", async () => {
  const github = fakeGitHub();
  github.set(COMMENTS, { total_count: 1, check_runs: [{ id: 1, name: 'gate' }] });
  const hook = conditionalReadsHook(new RememberedReads().of(1), parse);
  const first = (await ask(hook, github, get(COMMENTS))).data as { check_runs: Array<{ name: string }> };
  // As Octokit's paginate does with a namespaced list, and as any caller might.
  first.check_runs[0]!.name = 'changed by the first caller';
  delete (first as { total_count?: number }).total_count;
  const second = await ask(hook, github, get(COMMENTS));
  (second.data as { check_runs: unknown[] }).check_runs.push('added');
  second.headers.etag = 'changed';
  const third = await ask(hook, github, get(COMMENTS));
  assert.deepEqual(third.data, { total_count: 1, check_runs: [{ id: 1, name: 'gate' }] });
  assert.equal(github.sent.at(-1)!.ifNoneMatch, `"${COMMENTS}:application/vnd.github+json:1"`);
  assert.notEqual(third.headers.etag, 'changed');
});

test('rememberReads wraps an Octokit: its hook parses requests with the Octokit endpoint', async () => {
  let wrapped:
    ((send: (o: RequestOptions) => Promise<Answer>, o: RequestOptions) => Promise<Answer>) | undefined;
  const octokit = {
    hook: { wrap: (_name: string, hook: typeof wrapped) => (wrapped = hook) },
    request: {
      endpoint: {
        parse: (o: RequestOptions) => ({
          method: String(o.method),
          url: `https://api.github.com${String(o.url)}`,
          headers: { accept: 'application/vnd.github+json' },
        }),
      },
    },
  };
  const cache = new RememberedReads().of(7);
  rememberReads(octokit as never, cache);
  const github = fakeGitHub();
  const options = { method: 'GET', url: '/repos/acme/web', headers: {}, request: { fetch: github.network } };
  await wrapped!(github.send(options), options);
  assert.deepEqual(cache.keys(), ['https://api.github.com/repos/acme/web\napplication/vnd.github+json']);
});

test("a 304 is answered with the remembered content headers and the 304's own rate-limit figures, date and request id", async () => {
  const github = fakeGitHub();
  github.set(COMMENTS, [{ id: 1 }]);
  const hook = conditionalReadsHook(new RememberedReads().of(1), parse);
  const first = await ask(hook, github, get(COMMENTS));
  assert.equal(first.headers['x-ratelimit-remaining'], '4999');
  await ask(hook, github, get(COMMENTS));
  const third = await ask(hook, github, get(COMMENTS));
  assert.equal(github.sent.at(-1)!.ifNoneMatch, first.headers.etag, 'answered 304');
  // What GitHub said with the third answer (a 304), not what it said with the first (the 200 remembered).
  assert.deepEqual(
    {
      remaining: third.headers['x-ratelimit-remaining'],
      used: third.headers['x-ratelimit-used'],
      date: third.headers.date,
      request: third.headers['x-github-request-id'],
    },
    { remaining: '4997', used: '3', date: 'Mon, 07 Dec 2026 09:00:03 GMT', request: 'REQ-3' },
  );
  // The content headers are the remembered 200's.
  for (const name of ['etag', 'link', 'content-type']) assert.equal(third.headers[name], first.headers[name]);
  // A 304 without figures: the remembered (stale) ones are not passed off as current.
  const quiet = fakeGitHub({ rateHeaders: false });
  quiet.set(COMMENTS, [{ id: 1 }]);
  const fourth = await ask(hook, quiet, get(COMMENTS));
  assert.equal(quiet.sent.at(-1)!.ifNoneMatch, first.headers.etag, 'answered 304');
  assert.deepEqual(fourth.data, [{ id: 1 }]);
  assert.equal(fourth.headers['x-ratelimit-remaining'], undefined);
  assert.equal(fourth.headers.date, undefined);
  assert.equal(fourth.headers.etag, first.headers.etag);
});

const PAGE = (n: number) => `https://api.github.com/repos/acme/web/issues/${n}/comments`;
/** The part of `store`'s keys that is `installation`'s, as URLs. */
const urlsOf = (store: RememberedReads, installation: number) =>
  store
    .keys()
    .filter((k) => k.startsWith(`${installation}\n`))
    .map((k) => k.split('\n')[1]);

test('one byte budget for every installation: the least recently read answer of any installation goes first', async () => {
  const github = fakeGitHub();
  for (let n = 1; n <= 6; n++) github.set(PAGE(n), 'x'.repeat(1000));
  // Room for three answers in all (each about 1.2 KB with its URL and headers), not three per installation.
  const store = new RememberedReads({ maxBytes: 4000 });
  const hooks = [1, 2, 3].map((installation) => conditionalReadsHook(store.of(installation), parse));
  const [one, two, three] = hooks as [Hook, Hook, Hook];
  await ask(one, github, get(PAGE(1)));
  await ask(two, github, get(PAGE(2)));
  await ask(one, github, get(PAGE(3)));
  assert.deepEqual([urlsOf(store, 1), urlsOf(store, 2)], [[PAGE(1), PAGE(3)], [PAGE(2)]]);
  // Installation 2 reads its page again (a 304): installation 1's page 1 is now the least recently read.
  await ask(two, github, get(PAGE(2)));
  assert.ok(github.sent.at(-1)!.ifNoneMatch);
  // Installation 3's first answer makes room by dropping installation 1's page 1, not its own nor page 2.
  await ask(three, github, get(PAGE(4)));
  assert.deepEqual([urlsOf(store, 1), urlsOf(store, 2), urlsOf(store, 3)], [[PAGE(3)], [PAGE(2)], [PAGE(4)]]);
  assert.ok(store.bytes <= 4000, String(store.bytes));
  // Every installation reading more: the budget holds for all of them together.
  for (const [hook, n] of [
    [one, 5],
    [two, 6],
    [three, 1],
    [one, 2],
  ] as const) {
    await ask(hook, github, get(PAGE(n)));
    assert.ok(store.bytes <= 4000, String(store.bytes));
    assert.ok(store.keys().length <= 3, String(store.keys().length));
  }
  // Page 1, dropped for installation 1, is asked of GitHub plainly again.
  await ask(one, github, get(PAGE(1)));
  assert.equal(github.sent.at(-1)!.ifNoneMatch, undefined);
});

test("one installation's remembered answer is never another's, even for the same URL and ETag", async () => {
  // Two installations' tokens see different repositories under the same URL; GitHub's ETags here coincide.
  const seenByOne = fakeGitHub();
  const seenByTwo = fakeGitHub();
  seenByOne.set(COMMENTS, [{ id: 1, body: 'installation one' }]);
  seenByTwo.set(COMMENTS, [{ id: 9, body: 'installation two' }]);
  const store = new RememberedReads();
  const one = conditionalReadsHook(store.of(1), parse);
  const two = conditionalReadsHook(store.of(2), parse);
  await ask(one, seenByOne, get(COMMENTS));
  // Installation 2 has remembered nothing: asked plainly, given its own answer.
  assert.deepEqual((await ask(two, seenByTwo, get(COMMENTS))).data, [{ id: 9, body: 'installation two' }]);
  assert.equal(seenByTwo.sent.at(-1)!.ifNoneMatch, undefined);
  // Each 304 is answered from the installation's own memory.
  assert.deepEqual((await ask(one, seenByOne, get(COMMENTS))).data, [{ id: 1, body: 'installation one' }]);
  assert.deepEqual((await ask(two, seenByTwo, get(COMMENTS))).data, [{ id: 9, body: 'installation two' }]);
  assert.ok(seenByOne.sent.at(-1)!.ifNoneMatch && seenByTwo.sent.at(-1)!.ifNoneMatch, 'both answered 304');
});

test("a dropped installation's answers are gone; its Octokit's requests still in flight keep nothing", async () => {
  const github = fakeGitHub();
  for (let n = 1; n <= 3; n++) github.set(PAGE(n), [{ id: n }]);
  const store = new RememberedReads();
  const dropped = store.of(1);
  const one = conditionalReadsHook(dropped, parse);
  const two = conditionalReadsHook(store.of(2), parse);
  await ask(one, github, get(PAGE(1)));
  await ask(one, github, get(PAGE(2)));
  await ask(two, github, get(PAGE(1)));
  const twoBytes = store.bytes / 3;
  store.drop(1);
  assert.deepEqual(urlsOf(store, 1), []);
  assert.deepEqual(urlsOf(store, 2), [PAGE(1)]);
  assert.ok(Math.abs(store.bytes - twoBytes) < 50, `${store.bytes} bytes left`);
  // The dropped Octokit (a delivery still running with it) asks plainly and keeps nothing.
  await ask(one, github, get(PAGE(3)));
  await ask(one, github, get(PAGE(3)));
  assert.deepEqual(
    github.sent.slice(-2).map((s) => s.ifNoneMatch),
    [undefined, undefined],
  );
  assert.deepEqual([dropped.keys(), urlsOf(store, 1)], [[], []]);
  // The installation's next Octokit starts afresh; the old one cannot touch its part.
  const again = store.of(1);
  const fresh = conditionalReadsHook(again, parse);
  await ask(fresh, github, get(PAGE(1)));
  assert.equal(github.sent.at(-1)!.ifNoneMatch, undefined);
  dropped.forget(`${PAGE(1)}\napplication/vnd.github+json`);
  assert.deepEqual(urlsOf(store, 1), [PAGE(1)]);
});
