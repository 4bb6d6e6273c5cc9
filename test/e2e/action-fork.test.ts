// A fork's pull request, run as the runner runs the action (from the sources) against the fake GitHub. On
// pull_request GitHub gives such a run a read-only token and no secrets: the action says so once and sends
// no write at all, instead of having each one refused; the gates still run and report to the log and the
// job summary. A fork's code is never deployed: a deploy mode stops before any command, with why.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGitHub, fakeSha, webhookPayload, type FakeGitHub } from '../fake-github/index.ts';
import { runBuiltAction, runnerGitHubEnv } from '../helpers/action.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { repoRoot } from '../helpers/cli.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');
const OWNER = 'acme';
const REPO = 'shop';
const PR = 7;
const TOKEN = 'ghs_read_only_fork_token';

async function setUp(t: { after(fn: () => unknown): void }, seed: { headOwner?: string } = {}) {
  const fake = await createFakeGitHub({ tokens: { [TOKEN]: 'github-actions[bot]' } });
  const dir = mkdtempSync(join(tmpdir(), 'action-fork-'));
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const head = fakeSha('fork-head');
  fake.seedRepo({ owner: OWNER, repo: REPO, pulls: [{ number: PR, head, user: 'mallory', ...seed }] });
  const target = recordedTarget(dir);
  writeFileSync(
    join(dir, 'lint.sarif'),
    JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'lint' } }, results: [] }] }),
  );
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
gates:
  sarif: { files: lint.sarif, required: true }
${target.targetYaml}environments:
  preview:
    strategy: { type: canary, steps: [50, 100], pause: 0 }
`,
  );
  const event = (name: string, fork = true) => {
    const payload = webhookPayload(
      'pull_request',
      'synchronize',
      { number: PR, pull_request: { number: PR, head: { sha: head } } },
      { owner: OWNER, repo: REPO },
    );
    const pull = payload.pull_request as {
      head: { repo: Record<string, unknown> };
      base: { repo: { id: number } };
    };
    if (fork) pull.head.repo = { ...pull.head.repo, id: pull.base.repo.id + 1, full_name: 'mallory/shop' };
    return { name, payload };
  };
  const run = (
    name: string,
    inputs: Record<string, string>,
    fork = true,
    given?: { name: string; payload: Record<string, unknown> },
  ) =>
    runBuiltAction({
      entry: ENTRY,
      dir,
      inputs: { 'github-token': TOKEN, config: 'deploy.yml', environment: 'preview', ...inputs },
      event: given ?? event(name, fork),
      env: {
        ...runnerGitHubEnv(fake.url, OWNER, REPO),
        GITHUB_SHA: fakeSha('merge-commit'),
        DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
      },
    });
  return { fake, run, calls: target.calls, dir, head };
}

const writes = (fake: FakeGitHub) =>
  fake.requests.filter((r) => r.method !== 'GET' && !(r.method === 'POST' && r.path.endsWith('/graphql')));

// Each test has its own workspace and fake GitHub (setUp), and mostly waits on the action's runs: three at a
// time (seven runs of the action from its sources at once would only queue for the CPU).
describe("a fork's pull request", { concurrency: 3 }, () => {
  test("a fork's pull request on pull_request: the gates run, nothing is written to GitHub, and the log says why once", async (t) => {
    const { fake, run } = await setUp(t);
    const gates = await run('pull_request', { mode: 'gates' });
    assert.equal(gates.status, 0, gates.stdout + gates.stderr);
    fake.assertNoViolations();
    assert.deepEqual(
      writes(fake).map((r) => `${r.method} ${r.path}`),
      [],
      'a read-only token: no write is attempted',
    );
    const notices = gates.stdout.split('\n').filter((l) => l.startsWith('::notice'));
    assert.equal(notices.length, 1, gates.stdout);
    assert.match(
      notices[0]!,
      /pull request #7 comes from the fork mallory\/shop: GitHub gives this pull_request run a read-only token, so nothing is written to GitHub/,
    );
    assert.equal(gates.outputs.status, 'succeeded');
    assert.match(gates.summary, /Quality gates: ✅ PASS/);
    assert.doesNotMatch(gates.stdout, /::warning::GitHub: not reported/);
  });

  test("a fork's pull request is never deployed: a deploy mode stops before any command, naming the fork", async (t) => {
    const { fake, run, calls } = await setUp(t);
    for (const event of ['pull_request', 'pull_request_target']) {
      const deploy = await run(event, {});
      assert.equal(deploy.status, 1, deploy.stdout);
      assert.match(
        deploy.stdout,
        /::error::pull request #7 comes from the fork "mallory\/shop": a fork's code is never deployed \(mode "full"\)/,
      );
    }
    assert.deepEqual(calls(), [], 'no command ran');
    assert.deepEqual(writes(fake), [], 'no deployment, no check run, no comment');
    fake.assertNoViolations();
  });

  test("a fork's pull request on pull_request_target: its gates would run the fork's code with the base's secrets, refused unless allow-fork-code", async (t) => {
    const { fake, run, calls } = await setUp(t);
    const gates = await run('pull_request_target', { mode: 'gates' });
    assert.equal(gates.status, 1, gates.stdout);
    assert.match(
      gates.stdout,
      /::error::pull request #7 comes from the fork "mallory\/shop", and this pull_request_target run has this repository's token and secrets: its gates would run the fork's code with them/,
    );
    assert.equal(gates.outputs.gates, undefined, 'no gate ran');
    assert.deepEqual(writes(fake), [], 'no check run');
    // Asked for by name: they run (the workspace here is no git checkout, so it is not compared).
    const allowed = await run('pull_request_target', { mode: 'gates', 'allow-fork-code': 'true' });
    assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
    assert.equal(allowed.outputs.status, 'succeeded');
    assert.match(allowed.stdout, /is not a git checkout: which commit it holds is not compared with /);
    assert.deepEqual(calls(), [], 'gates only: no deployment command');
    fake.assertNoViolations();
  });

  test("mode reconcile on a fork's pull_request run (read-only token) is refused before anything is read or written", async (t) => {
    const { fake, run, calls } = await setUp(t);
    const reconcile = await run('pull_request', { mode: 'reconcile' });
    assert.equal(reconcile.status, 1, reconcile.stdout);
    assert.match(
      reconcile.stdout,
      /::error::pull request #7 comes from the fork "mallory\/shop": GitHub gives this pull_request run a read-only token and no secrets, and mode "reconcile" writes records and deployment statuses/,
    );
    assert.equal(reconcile.outputs.reconcile, undefined);
    assert.deepEqual(calls(), []);
    assert.deepEqual(fake.requests, [], 'not one request');
  });

  test("issue_comment on a fork's pull request: the action reads the pull request, and rollback and reconcile refuse a checkout that is not the base's", async (t) => {
    // issue_comment names no head repository: only GitHub's pull request tells that it is a fork's.
    const { fake, run, calls } = await setUp(t, { headOwner: 'mallory' });
    const comment = {
      name: 'issue_comment',
      payload: webhookPayload(
        'issue_comment',
        'created',
        {
          issue: {
            number: PR,
            pull_request: { url: `${fake.url}/repos/${OWNER}/${REPO}/pulls/${PR}` },
          },
        },
        { owner: OWNER, repo: REPO },
      ),
    };
    for (const inputs of [{ mode: 'rollback', version: 'v1' }, { mode: 'reconcile' }] as Array<
      Record<string, string>
    >) {
      const result = await run('issue_comment', inputs, true, comment);
      assert.equal(result.status, 1, result.stdout);
      assert.match(
        result.stdout,
        /::error::the comment's pull request #7 comes from the fork "mallory\/shop", and this issue_comment run has this repository's token and secrets: /,
      );
    }
    assert.deepEqual(calls(), [], 'no command of the checkout ran');
    assert.deepEqual(writes(fake), []);
    assert.equal(fake.requestsFor('pulls/get').length, 2, 'one read of the pull request per run');
    fake.assertNoViolations();
  });

  test('pull_request_target with the default checkout (the base branch): refused, naming both commits, before any gate or command', async (t) => {
    const { fake, run, calls, dir, head } = await setUp(t);
    // The workspace as actions/checkout leaves it on pull_request_target: the base branch's commit.
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    const base = git('rev-parse', 'HEAD');
    for (const mode of ['gates', 'full']) {
      const refused = await run('pull_request_target', { mode }, false);
      assert.equal(refused.status, 1, refused.stdout);
      assert.ok(
        refused.stdout.includes(
          `::error::the workspace holds commit ${base}, but this pull_request_target run is about commit ${head} (github.event.pull_request.head.sha)`,
        ),
        refused.stdout,
      );
      assert.ok(
        refused.stdout.includes('actions/checkout with "ref: ${{ github.event.pull_request.head.sha }}"'),
      );
    }
    assert.deepEqual(calls(), [], 'no command ran');
    assert.deepEqual(writes(fake), [], 'no deployment, no check run');
    fake.assertNoViolations();
  });
});
