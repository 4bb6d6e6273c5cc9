// The App's Octokit parses GitHub's answers natively (app/json-answers.ts): for every kind of answer, what
// the App's Octokit gives is what Probot's own Octokit (json-with-bigint) gives, through the global fetch and
// through the server's (app/http-fetch.ts): ordinary JSON equal, an integer past 2^53 exact (a BigInt) whether
// or not other long digit runs are around it, text, bytes, empty and malformed bodies, bodies asked for
// unparsed, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProbotOctokit } from 'probot';
import { AppOctokit } from '../../app/octokit.ts';
import { createHttpFetch } from '../../app/http-fetch.ts';
import { hasLongDigitRun, nativeJsonHook, parseJsonAnswer } from '../../app/json-answers.ts';

/** An answer the loopback server gives at /<name>. */
interface Canned {
  status?: number;
  contentType?: string;
  body: string;
}

const BIG_ID = '12345678901234567890';
const ANSWERS: Record<string, Canned> = {
  ordinary: {
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({
      id: 42,
      node_id: 'IC_kwDOA',
      body: 'Ünïcode ✓ "quoted" \\ back',
      nested: [{ a: null, b: true, c: -0.5, d: 1e21, e: 123456789012345 }],
      safe16: 1234567890123456,
      ['__proto__']: { polluted: true },
    }),
  },
  'big-id': { contentType: 'application/json', body: `{"id":${BIG_ID},"n":-${BIG_ID},"f":1.5}` },
  // A run of 16 digits that is no large integer (a string, a float's fraction, a safe integer).
  'long-runs': {
    contentType: 'application/json; charset=utf-8',
    body: '{"sha":"1234567890123456789012345678901234567890","f":0.12345678901234567,"n":9007199254740991}',
  },
  'big-among-long-runs': {
    contentType: 'application/json',
    body: `[{"sha":"12345678901234567890"},{"id":${BIG_ID}},{"id":9007199254740993},1e400]`,
  },
  scim: { contentType: 'application/scim+json', body: `{"totalResults":${BIG_ID}}` },
  'json-not-json': { contentType: 'application/json', body: '{"not": json' },
  'json-empty': { contentType: 'application/json', body: '' },
  text: { contentType: 'text/plain', body: 'plain text' },
  raw: { contentType: 'application/vnd.github.raw; charset=UTF-8', body: 'a: {{x}}\n' },
  diff: { contentType: 'application/vnd.github.diff', body: 'diff --git a/x b/x\n' },
  bytes: { contentType: 'application/octet-stream; charset=utf-8', body: 'bytes' },
  'no-type': { body: '{"id":1}' },
  'no-content': { status: 204, body: '' },
  'not-found': {
    status: 404,
    contentType: 'application/json',
    body: `{"message":"Not Found","id":${BIG_ID}}`,
  },
};

async function cannedServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const canned = ANSWERS[req.url!.slice(1)];
    if (!canned) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(canned.status ?? 200, canned.contentType ? { 'content-type': canned.contentType } : {});
    res.end(req.method === 'HEAD' ? undefined : canned.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Kit = InstanceType<typeof ProbotOctokit>;
const FETCHES: Array<[string, () => typeof globalThis.fetch]> = [
  ['the global fetch', () => globalThis.fetch],
  ["the server's fetch", () => createHttpFetch({ env: {} })],
];

/** What a request gives: the answer without its date, or the error's status and data. */
async function outcome(octokit: Kit, route: string, extra: Record<string, unknown> = {}): Promise<unknown> {
  try {
    const { headers, ...answer } = await octokit.request(route, extra);
    delete headers.date;
    return { ...answer, headers };
  } catch (error) {
    const { status, response } = error as { status: number; response: { data: unknown } };
    return { error: status, data: response.data };
  }
}

for (const [fetchName, makeFetch] of FETCHES) {
  test(`every kind of answer: the App's Octokit gives what Probot's gives (${fetchName})`, async () => {
    const server = await cannedServer();
    try {
      const options = { baseUrl: server.url, request: { fetch: makeFetch() } };
      const probots = new ProbotOctokit({
        ...options,
        throttle: { enabled: false },
        retry: { enabled: false },
      });
      const apps = new AppOctokit({ ...options, throttle: { enabled: false }, retry: { enabled: false } });
      for (const name of Object.keys(ANSWERS)) {
        for (const method of name === 'ordinary' ? ['GET', 'HEAD', 'POST'] : ['GET']) {
          const route = `${method} /${name}`;
          const expected = await outcome(probots as Kit, route);
          assert.deepStrictEqual(await outcome(apps as Kit, route), expected, route);
        }
      }
      // The exact values, not only the same as Octokit's.
      const big = (await apps.request('GET /big-among-long-runs')).data as unknown[];
      assert.deepStrictEqual(big, [
        { sha: '12345678901234567890' },
        { id: BigInt(BIG_ID) },
        { id: 9007199254740993n },
        Infinity,
      ]);
      const runs = (await apps.request('GET /long-runs')).data;
      assert.deepStrictEqual(runs, {
        sha: '1234567890123456789012345678901234567890',
        f: 0.12345678901234567,
        n: 9007199254740991,
      });
      const bytes = (await apps.request('GET /diff')).data;
      assert.ok(bytes instanceof ArrayBuffer);
      assert.equal(Buffer.from(bytes).toString(), 'diff --git a/x b/x\n');
    } finally {
      await server.close();
    }
  });
}

test("a body asked for unparsed is the caller's stream, as Octokit gives it", async () => {
  const server = await cannedServer();
  try {
    const apps = new AppOctokit({
      baseUrl: server.url,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    const unparsed = await apps.request('GET /big-id', { request: { parseSuccessResponseBody: false } });
    assert.ok(unparsed.data instanceof ReadableStream);
    assert.equal(await new Response(unparsed.data).text(), ANSWERS['big-id']!.body);
  } finally {
    await server.close();
  }
});

test("the hook asks Octokit for the body unread, then puts the request's options back as they were", async () => {
  // Octokit hands every hook the same options object: one outside this hook never sees the flag as its own.
  for (const request of [{ timeout: 5_000 }, undefined]) {
    const options = { method: 'GET', url: '/x', ...(request ? { request } : {}) };
    const seen: unknown[] = [];
    const answer = await nativeJsonHook(async (sent) => {
      seen.push(sent.request?.parseSuccessResponseBody);
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        data: new Response(`[${BIG_ID}]`).body,
      };
    }, options);
    assert.deepStrictEqual(seen, [false]);
    assert.deepStrictEqual(answer.data, [BigInt(BIG_ID)]);
    assert.deepStrictEqual(options, { method: 'GET', url: '/x', ...(request ? { request } : {}) });
    assert.equal(options.request, request);
  }
});

test('parseJsonAnswer: no long digit run, or a run that is no large integer: as JSON.parse; else exact', () => {
  for (const text of ['{"a":[1,-2.5,"x",null,true]}', ANSWERS['long-runs']!.body, '"1234567890123456789"'])
    assert.deepStrictEqual(parseJsonAnswer(text), JSON.parse(text));
  // JSON.parse alone loses the id's last digits: the long run is what sends a text through the exact reviver.
  assert.notEqual(String((JSON.parse(`{"id":${BIG_ID}}`) as { id: number }).id), BIG_ID);
  assert.deepStrictEqual(parseJsonAnswer(`{"id":${BIG_ID}}`), { id: BigInt(BIG_ID) });
  assert.deepStrictEqual(parseJsonAnswer(`[-${BIG_ID}, 1e20, 12345678901234567.5]`), [
    -BigInt(BIG_ID),
    1e20,
    12345678901234567.5,
  ]);
  for (const [text, long] of [
    ['a123456789012345b', false],
    ['a1234567890123456b', true],
    ['12345678901234567890', true],
    ['123456789012345.1234567890123456', true],
    ['12345678.901234567', false],
    ['', false],
  ] as const)
    assert.equal(hasLongDigitRun(text), long, text);
  assert.equal(parseJsonAnswer('{oops'), '{oops');
  assert.equal(parseJsonAnswer(''), '');
});
