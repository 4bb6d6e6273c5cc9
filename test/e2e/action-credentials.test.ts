// A credential printed by a failing command, run as the runner runs the action (from the sources) against
// the fake GitHub: the pipeline quotes the command's last line in its result, and that result is reported
// to GitHub (deployment status, check run, PR comment), the job summary, the deployment record and the
// outputs. None of them may carry the credential: the runner masks only the log, and only known secrets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSha, type FakeGitHub } from '../fake-github/index.ts';
import {
  actionOnPullRequest,
  pullRequestSynchronize,
  runBuiltAction,
  runnerGitHubEnv,
} from '../helpers/action.ts';
import { repoRoot } from '../helpers/cli.ts';
import { FileStateStore } from '../../src/state/file-store.ts';
import { emptyRecord } from '../../src/state/record.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');

/** The log as the runner shows it: each value masked from its ::add-mask:: line on, never before. */
function runnerLog(stdout: string): string {
  const masks: string[] = [];
  return stdout
    .split('\n')
    .map((line) => {
      const mask = /^::add-mask::(.*)$/.exec(line)?.[1];
      // As the runner reads a command's data: %25, %0D and %0A are its escapes.
      if (mask !== undefined)
        return void masks.push(mask.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'));
      return [...masks].sort((a, b) => b.length - a.length).reduce((l, m) => l.split(m).join('***'), line);
    })
    .join('\n');
}
const TOKEN = 'ghs_workflowTokenValue0123456789abcdef';
const LEAKED = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';

/** A workspace and a fake GitHub (acme/shop, pull request 7 at `head`) the workflow's token may use. */
async function workspace(t: {
  after(fn: () => unknown): void;
}): Promise<{ fake: FakeGitHub; dir: string; head: string }> {
  const { fake, dir, head } = await actionOnPullRequest(t, 'action-credentials-', TOKEN);
  return { fake, dir, head };
}

// Each test has its own workspace and fake GitHub, and mostly waits on the action's run: side by side.
describe('credentials reach nothing GitHub or the log shows', { concurrency: true }, () => {
  test("a credential in a failing command's output reaches no deployment status, check run, comment, summary, record, output or log line", async (t) => {
    const { fake, dir, head } = await workspace(t);
    // What a failing `git push` prints last: the remote URL with the token in it, and the workflow's token.
    const script = `console.error('fatal: Authentication failed for https://x-access-token:${LEAKED}@github.com/acme/shop.git as ${TOKEN}'); process.exit(128)`;
    writeFileSync(
      join(dir, 'deploy.yml'),
      `preset: fast
target:
  commands:
    deploy: ${JSON.stringify([process.execPath, '-e', script])}
    health: ${JSON.stringify([process.execPath, '-e', ''])}
environments:
  preview:
    strategy: direct
`,
    );
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      inputs: { 'github-token': TOKEN, config: 'deploy.yml', environment: 'preview', mode: 'deploy' },
      event: pullRequestSynchronize(head),
      env: { ...runnerGitHubEnv(fake.url, 'acme', 'shop'), DEPLOY_ACTION_WRITE_INTERVAL_MS: '0' },
    });
    // The deploy failed, and with no previous version and no rollback command its rollback could not complete:
    // exit 3 (rollback_failed), not 1.
    assert.equal(run.status, 3, run.stdout + run.stderr);
    assert.equal(run.outputs.code, 'rollback_failed');
    fake.assertNoViolations();
    const sent = JSON.stringify(fake.requests.map((r) => r.body));
    assert.match(sent, /Authentication failed/, 'the failure is reported');
    assert.ok(fake.requestsFor('repos/create-deployment-status').length > 0);
    assert.ok(fake.requestsFor('issues/create-comment').length > 0);
    const record = readFileSync(run.outputs['record-path']!, 'utf8');
    assert.match(run.summary, /Authentication failed/);
    for (const [where, text] of [
      ['GitHub', sent],
      ['the job summary', run.summary],
      ['the record', record],
      ['the outputs', JSON.stringify(run.outputs)],
      // The runner masks the token it was told of (::add-mask::), not a credential the command printed.
      ['the log', run.stdout.replace(`::add-mask::${TOKEN}`, '').replaceAll(TOKEN, '***')],
    ] as const) {
      // As read: Markdown's backslash escapes and the invisible joiners that break autolinks left out.
      const read = text.replace(/[\\\u200D]/g, '');
      assert.ok(!read.includes(LEAKED), `${where} has the credential`);
      assert.ok(!read.includes(TOKEN), `${where} has the token`);
    }
  });

  test("the config's environment url with a password: GitHub, the summary and the outputs get it without, and a warning says so", async (t) => {
    const { fake, dir } = await workspace(t);
    const ok = JSON.stringify([process.execPath, '-e', '']);
    writeFileSync(
      join(dir, 'deploy.yml'),
      `preset: fast
target:
  commands:
    deploy: ${ok}
    health: ${ok}
environments:
  staging:
    url: https://qa:hunter2-basic-auth@staging.shop.example/
    strategy: direct
`,
    );
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      inputs: { 'github-token': TOKEN, config: 'deploy.yml', environment: 'staging', mode: 'deploy' },
      event: pullRequestSynchronize(fakeSha('pr-head')),
      env: { ...runnerGitHubEnv(fake.url, 'acme', 'shop'), DEPLOY_ACTION_WRITE_INTERVAL_MS: '0' },
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    fake.assertNoViolations();
    const success = fake
      .requestsFor('repos/create-deployment-status')
      .map((r) => r.body as { state: string; environment_url?: string })
      .find((b) => b.state === 'success');
    assert.equal(success?.environment_url, 'https://staging.shop.example/');
    assert.equal(run.outputs['environment-url'], 'https://staging.shop.example/');
    const sent = JSON.stringify(fake.requests.map((r) => r.body));
    for (const [where, text] of [
      ['GitHub', sent],
      ['the job summary', run.summary],
      ['the outputs', JSON.stringify(run.outputs)],
    ] as const)
      assert.ok(!text.includes('hunter2-basic-auth'), `${where} has the password`);
    assert.match(
      run.stdout,
      /::warning::the url of environment "staging" in the config has a user name or password/,
    );
  });
  test("a notification channel's secrets a failing command prints reach no deployment status, check run, comment, summary, record or output, and are masked in the log before they are printed", async (t) => {
    const { fake, dir, head } = await workspace(t);
    // Made now, shaped like no known token: only knowing them as the channel's secrets can mask them.
    const word = () => `planted${randomBytes(9).toString('hex')}`;
    // Port 9 (discard): fetch refuses it, so the channel fails at once and nothing leaves this machine.
    const hookUrl = `http://127.0.0.1:9/hooks/${word()}`;
    const hookSecret = word();
    const planted = [hookUrl, hookSecret, ...hookUrl.match(/planted[0-9a-f]+/g)!];
    const script =
      'console.error("deploy failed posting to", process.env.T_HOOK_URL, "signed with", process.env.T_HOOK_SECRET, ' +
      '"path", new URL(process.env.T_HOOK_URL).pathname); process.exit(1)';
    writeFileSync(
      join(dir, 'deploy.yml'),
      `preset: fast
notifications:
  channels:
    hook: { type: webhook, url_env: T_HOOK_URL, secret_env: T_HOOK_SECRET }
target:
  commands:
    deploy: ${JSON.stringify([process.execPath, '-e', script])}
    health: ${JSON.stringify([process.execPath, '-e', ''])}
environments:
  preview:
    strategy: direct
`,
    );
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      inputs: { 'github-token': TOKEN, config: 'deploy.yml', environment: 'preview', mode: 'deploy' },
      event: pullRequestSynchronize(head),
      env: {
        ...runnerGitHubEnv(fake.url, 'acme', 'shop'),
        DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
        T_HOOK_URL: hookUrl,
        T_HOOK_SECRET: hookSecret,
      },
    });
    assert.notEqual(run.status, 0, run.stdout + run.stderr);
    fake.assertNoViolations();
    const sent = JSON.stringify(fake.requests.map((r) => r.body));
    assert.match(sent, /deploy failed posting to/, 'the failure is reported');
    assert.ok(fake.requestsFor('repos/create-deployment-status').length > 0);
    assert.ok(fake.requestsFor('issues/create-comment').length > 0);
    assert.match(run.summary, /deploy failed posting to/);
    const record = readFileSync(run.outputs['record-path']!, 'utf8');
    const shownLog = runnerLog(run.stdout);
    assert.match(shownLog, /deploy failed posting to \*\*\*/);
    for (const [where, text] of [
      ['GitHub', sent],
      ['the job summary', run.summary],
      ['the record', record],
      ['the outputs', JSON.stringify(run.outputs)],
      ['the log', shownLog],
      ['standard error', run.stderr],
    ] as const) {
      const read = text.replace(/[\\\u200D]/g, '');
      for (const part of planted)
        assert.ok(!read.includes(part), `${where} has ${part}: ${read.slice(0, 3000)}`);
    }
  });
  test("reconcile: a due hook that prints a channel's secrets shows none of them in the summary, the outputs, the record or the log", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'action-credentials-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const word = () => `planted${randomBytes(9).toString('hex')}`;
    const hookUrl = `http://127.0.0.1:9/hooks/${word()}`;
    const hookSecret = word();
    const planted = [hookUrl, hookSecret, ...hookUrl.match(/planted[0-9a-f]+/g)!];
    const script =
      'console.error("cleanup failed posting to", process.env.T_HOOK_URL, "signed with", process.env.T_HOOK_SECRET, ' +
      '"path", new URL(process.env.T_HOOK_URL).pathname); process.exit(1)';
    const ok = JSON.stringify([process.execPath, '-e', '']);
    writeFileSync(
      join(dir, 'deploy.yml'),
      `preset: fast
notifications:
  channels:
    hook: { type: webhook, url_env: T_HOOK_URL, secret_env: T_HOOK_SECRET }
target:
  commands:
    deploy: ${ok}
    health: ${ok}
    current: ${JSON.stringify([process.execPath, '-e', 'console.log(JSON.stringify({ version: "v2" }))'])}
environments:
  production:
    strategy: direct
    hooks:
      after_success:
        after: 1h
        run: ${JSON.stringify([process.execPath, '-e', script])}
`,
    );
    // v2 live for a day, deployed with the hook configured: reconcile runs it now.
    const stateDir = join(dir, 'state');
    const since = new Date(Date.now() - 24 * 3_600_000);
    await new FileStateStore(stateDir).write({
      ...emptyRecord('acme/shop', 'production', since),
      live: { version: 'v2', sha: fakeSha('v2'), since: since.toISOString(), afterSuccessPlanned: true },
      history: [
        { at: since.toISOString(), by: 'workflow:1', event: 'succeeded', code: 'deployed', version: 'v2' },
      ],
    });
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      inputs: { config: 'deploy.yml', environment: 'production', mode: 'reconcile', 'state-dir': 'state' },
      event: { name: 'workflow_dispatch', payload: { inputs: {} } },
      env: {
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SHA: fakeSha('main'),
        GITHUB_REF: 'refs/heads/main',
        T_HOOK_URL: hookUrl,
        T_HOOK_SECRET: hookSecret,
      },
    });
    const shownLog = runnerLog(run.stdout);
    assert.match(run.summary + shownLog, /cleanup failed posting to/, run.stdout + run.stderr);
    const record = readFileSync(join(stateDir, 'records', 'production.json'), 'utf8');
    assert.match(record, /cleanup failed posting to/);
    for (const [where, text] of [
      ['the job summary', run.summary],
      ['the record', record],
      ['the outputs', JSON.stringify(run.outputs)],
      ['the log', shownLog],
      ['standard error', run.stderr],
    ] as const)
      for (const part of planted)
        assert.ok(!text.includes(part), `${where} has ${part}: ${text.slice(0, 3000)}`);
  });
});
