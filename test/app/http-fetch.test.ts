// The App's fetch for Octokit (app/http-fetch.ts), against loopback servers: what Octokit reads of an answer
// (status, url, headers, JSON, text, bytes, errors), bodies sent as given, encoded answers, and what it does
// not do itself handed to the global fetch (redirects, proxies, streamed bodies); network failures, timeouts
// and aborts fail the way fetch's do, so Octokit reports them the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { ProbotOctokit } from 'probot';
import { createHttpFetch, fallbackReason } from '../../app/http-fetch.ts';
import { TestOctokit } from './helpers.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function serve(
  answer: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The fallback: records that it was asked, then does what the global fetch does. */
function recordingFallback(): { fetch: typeof fetch; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetch: (input, init) => {
      asked.push(String(input instanceof Request ? input.url : input));
      return globalThis.fetch(input, init);
    },
  };
}

const octokitWith = (fetch: typeof globalThis.fetch, baseUrl: string) =>
  new TestOctokit({ auth: { token: 'ghs_test' }, baseUrl, request: { fetch } } as never) as InstanceType<
    typeof ProbotOctokit
  >;

test('through Octokit: JSON answer, status, headers and url; the request as Octokit built it', async () => {
  const github = await serve((_req, res) => {
    res.writeHead(200, [
      ['content-type', 'application/json; charset=utf-8'],
      ['x-ratelimit-remaining', '4999'],
      ['link', '<a>; rel="next"'],
      ['link', '<b>; rel="last"'],
    ]);
    res.end(JSON.stringify({ id: 5, body: 'é ✓ done' }));
  });
  const fallback = recordingFallback();
  const fetch = createHttpFetch({ fallback: fallback.fetch, env: {} });
  try {
    const octokit = octokitWith(fetch, github.url);
    const res = await octokit.rest.issues.updateComment({
      owner: 'acme',
      repo: 'web',
      comment_id: 5,
      body: 'é ✓ done',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, { id: 5, body: 'é ✓ done' });
    assert.equal(res.url, `${github.url}/repos/acme/web/issues/comments/5`);
    assert.equal(res.headers['x-ratelimit-remaining'], '4999');
    assert.equal(res.headers.link, '<a>; rel="next", <b>; rel="last"');
    const [sent] = github.received;
    assert.equal(sent!.method, 'PATCH');
    assert.equal(sent!.headers.authorization, 'token ghs_test');
    assert.match(String(sent!.headers['user-agent']), /probot/);
    assert.deepEqual(JSON.parse(sent!.body), { body: 'é ✓ done' });
    assert.equal(Number(sent!.headers['content-length']), Buffer.byteLength(sent!.body));
    assert.deepEqual(fallback.asked, []);
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test("through Octokit: an error answer is a RequestError with GitHub's status and message; 204 has no data", async () => {
  const github = await serve((req, res) => {
    if (req.method === 'DELETE') {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/x' }));
  });
  const fetch = createHttpFetch({ env: {} });
  try {
    const octokit = octokitWith(fetch, github.url);
    await assert.rejects(octokit.rest.issues.getComment({ owner: 'a', repo: 'b', comment_id: 1 }), {
      name: 'HttpError',
      status: 404,
      message: /^Not Found - https:\/\/docs.github.com\/x/,
    });
    const deleted = await octokit.rest.issues.deleteComment({ owner: 'a', repo: 'b', comment_id: 1 });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.data, ''); // what Octokit gives for no body, with the global fetch too
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test('a Response as fetch gives it: text, json, arrayBuffer, body stream; a body is read once', async () => {
  const github = await serve((req, res) => {
    res.writeHead(200, { 'content-type': req.url === '/bin' ? 'application/octet-stream' : 'text/plain' });
    res.end(req.url === '/bin' ? Buffer.from([0, 1, 2, 255]) : req.url === '/empty' ? '' : '{"a":1}');
  });
  const fetch = createHttpFetch({ env: {} });
  try {
    const text = await fetch(`${github.url}/t`);
    assert.equal(text.ok, true);
    assert.equal(text.status, 200);
    assert.equal(text.headers.get('Content-Type'), 'text/plain');
    assert.deepEqual(await text.clone().json(), { a: 1 });
    assert.equal(await text.text(), '{"a":1}');
    assert.equal(text.bodyUsed, true);
    await assert.rejects(text.text(), TypeError);
    const bytes = await fetch(`${github.url}/bin`);
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [0, 1, 2, 255]);
    const streamed = await fetch(`${github.url}/bin`);
    assert.deepEqual([...new Uint8Array(await new Response(streamed.body).arrayBuffer())], [0, 1, 2, 255]);
    assert.equal(streamed.bodyUsed, true);
    // A byte stream, as a Response's body is: a BYOB reader can read it.
    const byob = (await fetch(`${github.url}/bin`)).body!.getReader({ mode: 'byob' });
    const read = await byob.read(new Uint8Array(16));
    assert.deepEqual([...read.value!], [0, 1, 2, 255]);
    assert.equal((await byob.read(new Uint8Array(16))).done, true);
    // Reading a small body as a stream leaves the other answers' bytes alone (a small Buffer shares Node's
    // pool, which a byte stream would detach if it were handed the Buffer itself).
    const first = await fetch(`${github.url}/t`);
    const second = await fetch(`${github.url}/t`);
    await new Response(first.body).arrayBuffer();
    assert.equal(await second.text(), '{"a":1}');
    // No body at all: an empty stream.
    const empty = await fetch(`${github.url}/empty`);
    assert.equal((await new Response(empty.body).arrayBuffer()).byteLength, 0);
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test('a gzip or brotli answer is decoded, as fetch decodes it', async () => {
  const github = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ compressed: true })));
  });
  const fetch = createHttpFetch({ env: {} });
  try {
    const { data } = await octokitWith(fetch, github.url).request('GET /x');
    assert.deepEqual(data, { compressed: true });
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test('an answer whose content-encoding is named like an Object.prototype property is given as sent', async () => {
  // "__proto__" found Object.prototype among the decoders and called it (a TypeError); "constructor" Object.
  const encodings = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'].map((n) =>
    n.toLowerCase(),
  );
  const github = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': req.url!.slice(1) });
    res.end(JSON.stringify({ plain: true }));
  });
  const fetch = createHttpFetch({ env: {} });
  try {
    for (const encoding of encodings) {
      const answer = await fetch(`${github.url}/${encoding}`);
      assert.deepEqual(await answer.json(), { plain: true }, encoding);
    }
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test("a redirect is followed by the global fetch, with fetch's rules (a 303 turns a PATCH into a GET)", async () => {
  const github = await serve((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(307, { location: '/new' }).end();
      return;
    }
    if (req.url === '/see-other') {
      res.writeHead(303, { location: '/new' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method }));
  });
  const fallback = recordingFallback();
  const fetch = createHttpFetch({ fallback: fallback.fetch, env: {} });
  try {
    const octokit = octokitWith(fetch, github.url);
    const moved = await octokit.request('PATCH /moved', { data: 'x' });
    assert.deepEqual(moved.data, { method: 'PATCH' });
    assert.equal(moved.url, `${github.url}/new`);
    const other = await octokit.request('PATCH /see-other', { data: 'x' });
    assert.deepEqual(other.data, { method: 'GET' });
    assert.deepEqual(fallback.asked, [`${github.url}/moved`, `${github.url}/see-other`]);
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test('fallbackReason: other protocols, streamed bodies, manual redirects and a proxy in the environment', () => {
  const url = new URL('https://api.github.com/x');
  assert.equal(fallbackReason(url, { body: '{}' }, {}), undefined);
  assert.equal(fallbackReason(url, { body: new Uint8Array(1) }, {}), undefined);
  assert.equal(fallbackReason(new URL('file:///etc/passwd'), undefined, {}), 'protocol');
  assert.equal(fallbackReason(url, { body: new ReadableStream() }, {}), 'body');
  assert.equal(fallbackReason(url, { body: new FormData() }, {}), 'body');
  assert.equal(fallbackReason(url, { redirect: 'manual' }, {}), 'redirect_mode');
  assert.equal(fallbackReason(url, undefined, { HTTPS_PROXY: 'http://proxy:3128' }), 'proxy');
  assert.equal(fallbackReason(url, undefined, { http_proxy: 'http://proxy:3128' }), 'proxy');
});

test('with a proxy in the environment every request goes to the global fetch', async () => {
  const github = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  const fallback = recordingFallback();
  // The fallback here goes straight to the server (the variable only has to be seen).
  const fetch = createHttpFetch({ fallback: fallback.fetch, env: { HTTPS_PROXY: 'http://proxy.invalid:1' } });
  try {
    assert.equal(await (await fetch(`${github.url}/p`)).text(), 'ok');
    assert.deepEqual(fallback.asked, [`${github.url}/p`]);
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test('a refused connection is a TypeError with its cause; Octokit reports it as a 500 naming the cause', async () => {
  const github = await serve(() => {});
  const { url } = github;
  await github.close();
  const fetch = createHttpFetch({ env: {} });
  try {
    await assert.rejects(fetch(`${url}/x`), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });
    await assert.rejects(octokitWith(fetch, url).request('GET /x'), {
      name: 'HttpError',
      status: 500,
      message: /ECONNREFUSED/,
    });
  } finally {
    fetch.destroy();
  }
});

// The test's own timeout is only the backstop: without the idle timeout, /silent would never end.
test(
  'nothing received for the idle timeout, or an answer cut short, fails the request',
  { timeout: 60_000 },
  async () => {
    let silentClosed: Promise<void> | undefined;
    const github = await serve((req, res) => {
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
        res.write('partial');
        setTimeout(() => res.destroy(), 20);
      }
      // /silent: never answered; the client gives up on it by closing the connection.
      else silentClosed = new Promise((resolve) => res.once('close', resolve));
    });
    const fetch = createHttpFetch({ env: {}, idleTimeoutMs: 150 });
    try {
      await assert.rejects(fetch(`${github.url}/silent`), (error: Error) => {
        assert.ok(error instanceof TypeError);
        // The idle timeout is what ended it (the error names it), not anything else.
        assert.match((error.cause as Error).message, /nothing received for 150 ms/);
        return true;
      });
      assert.ok(silentClosed, 'the request reached the server');
      await silentClosed;
      await assert.rejects(fetch(`${github.url}/cut`), TypeError);
    } finally {
      fetch.destroy();
      await github.close();
    }
  },
);

test('an aborted signal rejects with its reason, before or during the request', async () => {
  const github = await serve(() => {
    // never answered
  });
  const fetch = createHttpFetch({ env: {} });
  try {
    await assert.rejects(fetch(`${github.url}/x`, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    await assert.rejects(fetch(`${github.url}/x`, { signal: AbortSignal.timeout(50) }), {
      name: 'TimeoutError',
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      octokitWith(fetch, github.url).request('GET /x', { request: { signal: controller.signal } }),
      { name: 'AbortError', status: 500 },
    );
  } finally {
    fetch.destroy();
    await github.close();
  }
});

test('connections are kept alive and reused across requests', async () => {
  const sockets = new Set<unknown>();
  const github = await serve((req, res) => {
    sockets.add(req.socket);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  const fetch = createHttpFetch({ env: {} });
  try {
    for (let i = 0; i < 5; i++) await (await fetch(`${github.url}/k`)).text();
    assert.equal(sockets.size, 1);
  } finally {
    fetch.destroy();
    await github.close();
  }
});

// The Lambda ends an invocation with closeIdle (app/lambda.ts): a kept-alive connection would outlive the
// container's freeze, unseen. It must end only the idle ones: a request under way goes on.
test('closeIdle ends the connections kept alive between requests, not one in use; the next request opens its own', async () => {
  const sockets = new Set<unknown>();
  let closed = 0;
  let answerSlow!: () => void;
  const github = await serve((req, res) => {
    if (!sockets.has(req.socket)) req.socket.on('close', () => closed++);
    sockets.add(req.socket);
    const send = () => res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url);
    if (req.url === '/slow') answerSlow = send;
    else send();
  });
  const fetch = createHttpFetch({ env: {} });
  try {
    assert.equal(await (await fetch(`${github.url}/a`)).text(), '/a');
    const slow = fetch(`${github.url}/slow`);
    while (!answerSlow) await new Promise((resolve) => setTimeout(resolve, 5));
    // One connection in use (/slow, the kept one reused), none idle.
    fetch.closeIdle();
    answerSlow();
    assert.equal(await (await slow).text(), '/slow', 'the request under way is answered');
    assert.equal(sockets.size, 1);
    assert.equal(closed, 0);
    // Now idle: ended.
    fetch.closeIdle();
    for (let i = 0; i < 200 && closed === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(closed, 1, 'the idle connection is closed');
    assert.equal(await (await fetch(`${github.url}/b`)).text(), '/b');
    assert.equal(sockets.size, 2, 'the next request on a new connection');
  } finally {
    fetch.destroy();
    await github.close();
  }
});
