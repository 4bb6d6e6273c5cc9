// Control requests read back are authenticated (issue 14): the Action acts only on a request the App wrote,
// signed under the environment's state key, and no field of a check run it reads reaches a log line or a
// warning raw. On the fake GitHub (checked against GitHub's OpenAPI description).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, openCheckSuites } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';
import {
  GitHubControlSource,
  controlCheckName,
  writeControlRequest,
  type ControlWriteApi,
  type RequestFn,
} from '../../../src/control/github-channel.ts';
import { signControlRequest } from '../../../src/control/signed.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import { actionLogReporter } from '../../../src/action/log-reporter.ts';

const where = { owner: 'acme', repo: 'web' };
const place = { repository: 'acme/web', environment: 'production', deploymentId: '42' };
const key = randomBytes(32);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const ACTIONS = { id: 15368, slug: 'github-actions' };

const promote: ControlRequest = {
  id: 'comment:1',
  verb: 'promote',
  by: 'alice',
  at: '2025-01-01T00:00:01.000Z',
  deploymentId: '42',
  step: 1,
  approver: true,
  source: 'comment',
};

async function withGitHub(
  run: (gh: FakeGitHub, sha: string, app: Octokit, workflow: Octokit) => Promise<void>,
): Promise<void> {
  // The App's token (test-token) acts as the app under test; a workflow's as GitHub Actions.
  const gh = await createFakeGitHub({
    otherApps: { 'actions-token': ACTIONS },
    defaultActor: 'deploy-action[bot]',
  });
  try {
    gh.seedRepo({ ...where });
    const sha = gh.addCommit({ message: 'x' });
    openCheckSuites(gh.state, gh.repo(), sha, 1, ACTIONS);
    await run(
      gh,
      sha,
      new Octokit({ baseUrl: gh.url, auth: 'test-token', log: quiet }),
      new Octokit({ baseUrl: gh.url, auth: 'actions-token', log: quiet }),
    );
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

const source = (octokit: Octokit, sha: string) =>
  new GitHubControlSource(octokit.request as unknown as RequestFn, where, place, sha, [key]);

test("a request a workflow's token wrote is refused, even signed under the environment's key", async () => {
  await withGitHub(async (_gh, sha, app, workflow) => {
    // A deploy job holds the environment's state key (it reads the record): it can sign a request, an
    // approver's /promote in someone's name.
    await workflow.rest.checks.create({
      ...where,
      name: controlCheckName('production'),
      head_sha: sha,
      status: 'completed',
      conclusion: 'neutral',
      output: {
        title: 'Promoted by alice',
        summary: 'step 1',
        text: signControlRequest(promote, key, place),
      },
    });
    const poll = await source(app, sha).poll('42');
    assert.deepEqual(poll.requests, []);
    // GitHub Actions' suites are not read at all: nothing to refuse, and a flood of them costs nothing.
    assert.equal(poll.refused, undefined);
    // The same request written by the App is acted on.
    await writeControlRequest(app.rest as unknown as ControlWriteApi, where, {
      sha,
      place,
      request: { ...promote, id: 'comment:2' },
      key,
      display: { title: 'Promoted by alice', summary: 'step 1', buttons: [] },
    });
    assert.deepEqual((await source(app, sha).poll('42')).requests, [{ ...promote, id: 'comment:2' }]);
  });
});

// Every refusal names the check run by its id and says why in words of its own: nothing of the check run's text
// (a workflow command, a line break, markup, a mention) is quoted into the warning.
test('a refused check run puts none of its text into the warning, which reaches the log inert', async () => {
  await withGitHub(async (_gh, sha, app) => {
    const hostile = '\n::add-mask::x\n::error::pwned @alice <img src=x> [x](https://evil) ##[group]';
    const texts = [
      `<!-- deploy-action:control ${hostile} -->`,
      `<!-- deploy-action:control {"repository":"acme/web${hostile}","environment":"production","deployment":"42"} sig=00 -->`,
      `${hostile}\n<!-- deploy-action:control:v1 ${Buffer.from(hostile).toString('base64')} -->`,
    ];
    for (const text of texts) {
      // Written by the App's installation: the signature, not the author, refuses these.
      await app.rest.checks.create({
        ...where,
        name: controlCheckName('production'),
        head_sha: sha,
        status: 'completed',
        conclusion: 'neutral',
        output: { title: `t${hostile}`, summary: `s${hostile}`, text },
      });
    }
    const poll = await source(app, sha).poll('42');
    assert.deepEqual(poll.requests, []);
    assert.equal(poll.refused?.length, texts.length);
    for (const r of poll.refused ?? []) {
      assert.match(r.where, /^check run \d+$/);
      for (const part of ['::', '@alice', '<img', 'evil', '##[', '\n'])
        assert.ok(!r.message.includes(part), `${r.code} quotes ${JSON.stringify(part)}: ${r.message}`);
    }
    // As the Action says it: a warning annotation and log lines, with no workflow command in them.
    const written: string[] = [];
    const annotated: string[] = [];
    const log = actionLogReporter({
      redact: (t) => t,
      write: (t) => written.push(t),
      annotate: (m) => annotated.push(m),
    });
    for (const r of poll.refused ?? [])
      log.event({
        type: 'log',
        level: 'warn',
        message: `a control request was not trusted [${r.code}] (${r.where}): ${r.message}`,
      });
    assert.equal(annotated.length, texts.length);
    for (const line of [...written, ...annotated]) assert.ok(!/^::|\n::/.test(line), line);
  });
});
