// GitHub failing while the delivery metrics are read (its 502 "Unicorn!" page, HTML, on every request): the
// Action's `mode: metrics` and `deploy-action metrics` say that the metrics could not be read and GitHub's HTTP
// status, with the `github_unreadable` code (the Action's outputs, the job summary, the CLI's JSON line), and
// never GitHub's page as the error: its HTML was the whole error message, on one line of the job log.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, startCli } from '../../helpers/cli.ts';
import { runBuiltAction, runnerGitHubEnv } from '../../helpers/action.ts';

const UNICORN = `<!DOCTYPE html>
<html>
  <head><title>Unicorn! &middot; GitHub</title><style>body { background-color: #f1f1f1; }</style></head>
  <body><p><strong>We had issues producing the response to your request.</strong></p>
  <p>Sorry about that. Please try refreshing and contact us if the problem persists.</p></body>
</html>
`;

async function unicornGitHub(t: {
  after(fn: () => unknown): void;
}): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    request.resume();
    response.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
    response.end(UNICORN);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

test('mode: metrics with GitHub failing: github_unreadable, its HTTP status, a summary line, no HTML', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-fails-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const github = await unicornGitHub(t);
  const run = await runBuiltAction({
    dir,
    entry: join(repoRoot, 'src/action/index.ts'),
    inputs: { mode: 'metrics', 'github-token': 'test-token', since: '30d' },
    env: runnerGitHubEnv(github.url, 'acme', 'web'),
  });
  const log = run.stdout + run.stderr;
  assert.equal(run.status, 1, log);
  assert.equal(run.outputs.status, 'failed');
  assert.equal(run.outputs.code, 'github_unreadable');
  assert.equal(run.outputs['github-requests'], String(github.requests()));
  assert.match(
    log,
    /^::error::delivery metrics: GitHub could not be read \(HTTP 502 on page 1 of the deployments\); nothing was computed$/m,
  );
  assert.match(run.summary, /^## Delivery metrics$/m);
  // Markdown-escaped, as every value in a summary is: it renders as the error line reads.
  assert.match(
    run.summary,
    /GitHub could not be read \\\(HTTP 502 on page 1 of the deployments\\\): nothing was computed\./,
  );
  assert.doesNotMatch(log + run.summary, /Unicorn|<html|DOCTYPE/i);
});

test('deploy-action metrics with GitHub failing: github_unreadable and the HTTP status, no HTML', async (t) => {
  const github = await unicornGitHub(t);
  for (const json of [true, false]) {
    const run = startCli(['metrics', ...(json ? ['--json'] : []), '--repository', 'acme/web'], {
      env: { GITHUB_TOKEN: 'test-token', GH_TOKEN: '', GITHUB_API_URL: github.url },
    });
    const { code, stdout: out, stderr: err } = await run.done;
    assert.equal(code, 1, out + err);
    if (json)
      assert.deepEqual(JSON.parse(out), {
        type: 'metrics',
        ok: false,
        code: 'github_unreadable',
        message: 'GitHub could not be read (HTTP 502 on page 1 of the deployments)',
      });
    else assert.match(out + err, /GitHub could not be read \(HTTP 502 on page 1 of the deployments\)/);
    assert.doesNotMatch(out + err, /Unicorn|<html|DOCTYPE/i);
  }
});

test("mode: metrics: GitHub's GraphQL error quoted in the job's error is inert (no ::warning::, no ##[error])", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-fails-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A GraphQL answer whose error message holds workflow commands (GitHub quotes what it was given).
  const server: Server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ data: null, errors: [{ message: 'bad\n::warning::x and ##[error]forged' }] }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const run = await runBuiltAction({
    dir,
    entry: join(repoRoot, 'src/action/index.ts'),
    inputs: { mode: 'metrics', 'github-token': 'test-token', since: '30d' },
    env: runnerGitHubEnv(url, 'acme', 'web'),
  });
  const log = run.stdout + run.stderr;
  assert.equal(run.status, 1, log);
  assert.equal(run.outputs.code, 'github_unreadable');
  assert.match(
    log,
    /^::error::delivery metrics: GitHub could not be read \(GitHub answered: bad ::warning::x and ##\u200B\[error\]forged on page 1 of the deployments\); nothing was computed$/m,
  );
  assert.doesNotMatch(log, /##\[error\]/, 'no old-form command the runner finds anywhere in a line');
  assert.doesNotMatch(log, /^::warning::x/m, 'no workflow command at the start of a line');
});
