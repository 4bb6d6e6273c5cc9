// Why a page of the metrics' reading failed, as the CLI, the Action and the App say it: short, one line, never
// an HTTP error's body (Octokit makes GitHub's HTML page the error's message).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createGitHubClient } from '../../../src/github/client.ts';
import { MetricsReadError, readDeploymentFacts, readFailure } from '../../../src/metrics/github-read.ts';

test('an HTTP error is its status; GraphQL errors are their messages; no answer is the reason, one line', () => {
  assert.equal(
    readFailure({ status: 502, response: { data: '<html>Unicorn!</html>' }, message: '<html>' }),
    'HTTP 502',
  );
  assert.equal(
    readFailure({
      errors: [{ message: 'Something went wrong\nwhile executing your query.' }, { type: 'X' }],
    }),
    'GitHub answered: Something went wrong while executing your query.',
  );
  assert.equal(
    readFailure(new Error('connect ECONNREFUSED 127.0.0.1:9')),
    'no answer: connect ECONNREFUSED 127.0.0.1:9',
  );
  assert.equal(readFailure(new Error(`x\u202E${'y'.repeat(500)}`)).length, 'no answer: '.length + 200);
  assert.equal(readFailure(undefined), 'no answer, and no reason given');
});

test('a GitHub nobody answers on: the reading fails naming the page, with the network reason', async () => {
  // A loopback port nothing listens on any more.
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const { octokit } = createGitHubClient({ token: 't', baseUrl: `http://127.0.0.1:${port}`, retries: 0 });
  await assert.rejects(
    readDeploymentFacts((q, v) => octokit.graphql(q, v), { owner: 'acme', repo: 'web', since: 0 }),
    (error: Error) =>
      error instanceof MetricsReadError &&
      /^GitHub could not be read \(no answer: .*ECONNREFUSED.* on page 1 of the deployments\)$/.test(
        error.message,
      ),
  );
});

/** An HTTP error as Octokit throws it (a RequestError): its status, the answer's headers, GitHub's message. */
function httpError(status: number, message: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), {
    name: 'HttpError',
    status,
    response: { status, url: 'https://api.github.com/graphql', headers, data: { message } },
  });
}

test('401, 403 and 404 say what they mean and what the read needs; a rate limit says until when', () => {
  assert.equal(
    readFailure(httpError(401, 'Bad credentials')),
    'HTTP 401: GitHub refused the token (expired or revoked)',
  );
  assert.equal(
    readFailure(
      httpError(403, 'API rate limit exceeded', {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1790000000',
      }),
    ),
    'HTTP 403: rate limited by GitHub, until 2026-09-21T14:13:20.000Z',
  );
  assert.equal(
    readFailure(httpError(403, 'You have exceeded a secondary rate limit.', { 'retry-after': '60' })),
    'HTTP 403: rate limited by GitHub, for 60 s',
  );
  assert.equal(readFailure(httpError(429, 'Too many requests')), 'HTTP 429: rate limited by GitHub');
  assert.equal(
    readFailure(
      httpError(403, 'Resource not accessible by integration', { 'x-ratelimit-remaining': '4999' }),
    ),
    'HTTP 403: the token lacks the permission to read deployments (it needs deployments: read and metadata: read)',
  );
  assert.equal(
    readFailure(httpError(404, 'Not Found')),
    'HTTP 404: the repository or its deployments cannot be seen with this token',
  );
});

test("the caller's cancellation is said as one, with the code cancelled, never as GitHub unreadable", async () => {
  const abort = new DOMException('This operation was aborted', 'AbortError');
  assert.equal(readFailure(abort), 'cancelled: the run was cancelled before GitHub answered');
  // Octokit wraps a fetch's abort in its own error, the abort kept as the cause.
  const wrapped = Object.assign(new Error('request failed'), { name: 'HttpError', cause: abort });
  for (const error of [abort, wrapped])
    await assert.rejects(
      readDeploymentFacts(() => Promise.reject(error), { owner: 'acme', repo: 'web', since: 0 }),
      (e: Error) =>
        e instanceof MetricsReadError &&
        e.code === 'cancelled' &&
        e.message === 'the run was cancelled while reading page 1 of the deployments',
    );
  await assert.rejects(
    readDeploymentFacts(() => Promise.reject(httpError(502, '<html>')), {
      owner: 'acme',
      repo: 'web',
      since: 0,
    }),
    (e: Error) => e instanceof MetricsReadError && e.code === 'github_unreadable',
  );
});
