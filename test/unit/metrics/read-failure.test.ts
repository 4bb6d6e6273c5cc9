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
  assert.equal(readFailure(undefined), 'no answer: undefined');
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
