// What the line saying the run gave up on GitHub names as the last failure: a proxy refusing the tunnel (407:
// its credentials), a network error with the address it names, GitHub's own status, no answer in time; never
// a URL or a header. The errors are shaped as Node 24's fetch and Octokit's request throw them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '@octokit/request-error';
import { failureCause } from '../../../src/github/failure-cause.ts';

/** Octokit's request wraps a fetch that threw: a 500 without a response, the fetch's error as its cause. */
function octokitWrapped(fetchError: Error): RequestError {
  const error = new RequestError(
    String((fetchError.cause as Error | undefined)?.message ?? fetchError.message),
    500,
    {
      request: { method: 'GET', url: 'http://user:pw-in-url@github.proxied.test/repos/a/b', headers: {} },
    },
  );
  error.cause = fetchError;
  return error;
}

function withCode(message: string, code: string | number, name = 'Error'): Error {
  return Object.assign(new Error(message), { code, name });
}

test('a proxy refusing the tunnel is named as the proxy, with what a 407 means', () => {
  // fetch through a proxy that answers CONNECT with 407.
  const tunnel = withCode(
    'Proxy response (407) !== 200 when HTTP Tunneling',
    'UND_ERR_ABORTED',
    'AbortError',
  );
  const cancelled = Object.assign(withCode('Request was cancelled.', 0), { cause: tunnel });
  const error = octokitWrapped(new TypeError('fetch failed', { cause: cancelled }));
  assert.equal(failureCause(error), 'the proxy answered 407 (its credentials were refused)');
  const forbidden = withCode(
    'Proxy response (403) !== 200 when HTTP Tunneling',
    'UND_ERR_ABORTED',
    'AbortError',
  );
  assert.equal(failureCause(new TypeError('fetch failed', { cause: forbidden })), 'the proxy answered 403');
});

test('a network error says its code and the address Node names, not the request', () => {
  const refused = withCode('connect ECONNREFUSED 127.0.0.1:3128', 'ECONNREFUSED');
  const said = failureCause(octokitWrapped(new TypeError('fetch failed', { cause: refused })));
  assert.equal(said, 'connect ECONNREFUSED 127.0.0.1:3128');
  const unresolved = withCode('getaddrinfo ENOTFOUND proxy.corp.example', 'ENOTFOUND');
  assert.equal(
    failureCause(new TypeError('fetch failed', { cause: unresolved })),
    'getaddrinfo ENOTFOUND proxy.corp.example',
  );
  // A message in any other form is not repeated (it might quote a URL): the code alone.
  const odd = withCode('socket hang up at http://user:secret@proxy/', 'ECONNRESET');
  assert.equal(failureCause(new TypeError('fetch failed', { cause: odd })), 'ECONNRESET');
  assert.ok(
    !String(failureCause(octokitWrapped(new TypeError('fetch failed', { cause: odd })))).includes('secret'),
  );
});

test("GitHub's own answer is its status; Octokit's 500 for no answer is not one", () => {
  const answered = new RequestError('Server Error', 502, {
    request: { method: 'GET', url: 'https://api.github.com/x', headers: {} },
    response: { status: 502, url: 'https://api.github.com/x', headers: {}, data: {} },
  });
  assert.equal(failureCause(answered), 'HTTP 502');
  const timedOut = withCode('The operation was aborted due to timeout', 23, 'TimeoutError');
  assert.equal(
    failureCause(octokitWrapped(new TypeError('fetch failed', { cause: timedOut }))),
    'no answer in time',
  );
  assert.equal(failureCause(octokitWrapped(new TypeError('fetch failed'))), undefined);
});

test('a cause that loops back on itself ends the walk', () => {
  const a = new Error('a') as Error & { cause?: unknown };
  const b = new Error('b', { cause: a });
  a.cause = b;
  assert.equal(failureCause(a), undefined);
});
