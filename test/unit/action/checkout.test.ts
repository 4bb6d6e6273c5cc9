// The commit the workspace holds against the commit the run is about (src/action/checkout.ts), with real git
// repositories and the run context read from real webhook payloads (the fake GitHub's examples). On
// pull_request_target, issue_comment and workflow_run, actions/checkout's default (GITHUB_SHA) is not the
// event's commit: such a run is refused, naming both commits and what to check out.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  commentPull,
  readRunContext,
  withCommentPull,
  type PullReader,
  type RunContext,
} from '../../../src/action/context.ts';
import {
  CheckoutError,
  checkoutDir,
  readCheckout,
  verifyCheckout,
  type CheckoutRead,
} from '../../../src/action/checkout.ts';
import type { Mode } from '../../../src/action/inputs.ts';
import { webhookPayload } from '../../fake-github/index.ts';
import { git } from '../../helpers/git.ts';

/**
 * A repository as a pull request leaves it: `base` (main's tip), `head` (the pull request's branch, off an
 * earlier main) and `merge`, GitHub's refs/pull/N/merge: parents base, then head. Built once per file and
 * copied whole for each test (its own directory, which it may check out and branch as it likes): building
 * it took a dozen git processes per test, most of this file's CPU.
 */
async function repository(t: { after(fn: () => unknown): void }) {
  const built = await (template ??= buildRepository());
  const dir = await mkdtemp(join(tmpdir(), 'checkout-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(built.dir, dir, { recursive: true, preserveTimestamps: true });
  const at = (sha: string) => git(dir, 'checkout', '-q', sha);
  return { ...built, dir, at };
}

let template: ReturnType<typeof buildRepository> | undefined;
after(async () => {
  if (template) await rm((await template).dir, { recursive: true, force: true });
});

async function buildRepository() {
  const dir = await mkdtemp(join(tmpdir(), 'checkout-template-'));
  await git(dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, 'app.txt'), 'one\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'one');
  await git(dir, 'checkout', '-q', '-b', 'feature');
  await writeFile(join(dir, 'feature.txt'), 'the pull request\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'feature');
  const head = await git(dir, 'rev-parse', 'HEAD');
  await git(dir, 'checkout', '-q', 'main');
  await writeFile(join(dir, 'app.txt'), 'two\n');
  await git(dir, 'commit', '-q', '-am', 'two');
  const base = await git(dir, 'rev-parse', 'HEAD');
  await git(dir, 'merge', '-q', '--no-ff', '-m', 'Merge head into base', head);
  const merge = await git(dir, 'rev-parse', 'HEAD');
  await git(dir, 'checkout', '-q', base);
  return { dir, head, base, merge };
}

function env(eventName: string, sha: string): NodeJS.ProcessEnv {
  return { GITHUB_REPOSITORY: 'acme/web', GITHUB_EVENT_NAME: eventName, GITHUB_SHA: sha };
}

/** A pull request event (pull_request and pull_request_target share the payload) whose head is `head`. */
function pullEvent(head: string, fork = false) {
  const event = webhookPayload('pull_request', 'synchronize', {
    number: 8,
    pull_request: { number: 8, head: { sha: head } },
  });
  if (fork) {
    const pull = event.pull_request as { head: { repo: object }; base: { repo: { id: number } } };
    pull.head.repo = { ...pull.head.repo, id: pull.base.repo.id + 1, full_name: 'mallory/web' };
  }
  return event;
}

async function refusal(
  context: RunContext,
  dir: string,
  mode: Mode,
  read?: (dir: string) => Promise<CheckoutRead>,
): Promise<string> {
  try {
    await verifyCheckout(context, { mode, dryRun: false }, dir, () => {}, read);
  } catch (error) {
    assert.ok(error instanceof CheckoutError, String(error));
    return error.message;
  }
  assert.fail('expected a CheckoutError');
}

const passes = (context: RunContext, dir: string, mode: Mode, dryRun = false) =>
  verifyCheckout(context, { mode, dryRun }, dir, () => assert.fail('nothing to log'));

test('readCheckout: the commit and its parents, also in a shallow clone of a merge commit; no work tree is said so', async (t) => {
  const { dir, head, base, merge, at } = await repository(t);
  await at(merge);
  assert.deepEqual(await readCheckout(dir), { ok: true, checkout: { head: merge, parents: [base, head] } });
  // actions/checkout fetches refs/pull/N/merge at depth 1: the parents are not in the clone.
  const shallow = await mkdtemp(join(tmpdir(), 'checkout-shallow-'));
  t.after(() => rm(shallow, { recursive: true, force: true }));
  await git(dir, 'branch', 'pull-merge', merge);
  await git(shallow, 'clone', '-q', '--depth', '1', '--branch', 'pull-merge', `file://${dir}`, 'work');
  assert.deepEqual(await readCheckout(join(shallow, 'work')), {
    ok: true,
    checkout: { head: merge, parents: [base, head] },
  });
  const none = await readCheckout(shallow);
  assert.equal(none.ok, false);
  assert.equal(!none.ok && none.notCheckout, true, JSON.stringify(none));
});

test('pull_request_target checked out by default (the base branch) is refused: it is not the pull request head', async (t) => {
  const { dir, head, base } = await repository(t);
  const context = readRunContext(env('pull_request_target', base), pullEvent(head));
  assert.equal(context.sha, head);
  for (const mode of ['full', 'deploy', 'gates'] as const) {
    const message = await refusal(context, dir, mode);
    assert.ok(
      message.startsWith(
        `the workspace holds commit ${base}, but this pull_request_target run is about commit ${head} (github.event.pull_request.head.sha): `,
      ),
      message,
    );
    assert.match(
      message,
      /The workspace is GITHUB_SHA, what actions\/checkout takes without a ref; on pull_request_target that is not the event's commit/,
    );
    assert.ok(
      message.includes(
        `Check out ${head} before this step: actions/checkout with "ref: \${{ github.event.pull_request.head.sha }}" (or refs/pull/8/merge, its merge commit).`,
      ),
      message,
    );
    assert.match(
      message,
      mode === 'gates'
        ? /the gates would run the code of/
        : /record [0-9a-f]{40} as deployed, and an approval of/,
    );
  }
  // A dry run runs nothing of the workspace.
  await passes(context, dir, 'full', true);
});

test("the pull request's head or GitHub's merge commit of it passes; a merge whose head is the first parent does not", async (t) => {
  const { dir, head, base, merge, at } = await repository(t);
  for (const event of ['pull_request', 'pull_request_target']) {
    const context = readRunContext(env(event, merge), pullEvent(head));
    await at(head);
    await passes(context, dir, 'full');
    await at(merge);
    await passes(context, dir, 'gates');
  }
  // The merge commit is allowed for a pull request's head only: it is not the base's commit.
  const onBase = readRunContext(env('pull_request', merge), pullEvent(base));
  assert.match(
    await refusal(onBase, dir, 'gates'),
    /holds commit [0-9a-f]{40}, but this pull_request run is about commit/,
  );
});

test('issue_comment: the run is about GITHUB_SHA; a pull request checked out instead is refused, saying a comment names no commit', async (t) => {
  const { dir, head, base, at } = await repository(t);
  const event = webhookPayload('issue_comment', 'created');
  const context = readRunContext(env('issue_comment', base), event);
  await at(head);
  const message = await refusal(context, dir, 'deploy');
  assert.ok(
    message.startsWith(
      `the workspace holds commit ${head}, but this issue_comment run is about commit ${base} (github.sha)`,
    ),
    message,
  );
  assert.match(message, /A comment names no commit: .*actions\/checkout without "ref".*the App's \/deploy/);
  await at(base);
  await passes(context, dir, 'deploy');
});

test("workflow_run: the run is about the other workflow's commit (workflow_run.head_sha), not the default branch's latest", async (t) => {
  const { dir, head, base, at } = await repository(t);
  const event = webhookPayload('workflow_run', 'completed', {
    workflow_run: { head_sha: head, conclusion: 'success' },
  });
  const context = readRunContext(env('workflow_run', base), event);
  assert.equal(context.sha, head);
  const message = await refusal(context, dir, 'full');
  assert.ok(
    message.includes(
      `holds commit ${base}, but this workflow_run run is about commit ${head} (github.event.workflow_run.head_sha)`,
    ),
    message,
  );
  assert.ok(
    message.includes('actions/checkout with "ref: ${{ github.event.workflow_run.head_sha }}"'),
    message,
  );
  await at(head);
  await passes(context, dir, 'full');
});

test('a deployment event: the deployment names its commit; another one checked out is refused', async (t) => {
  const { dir, head, base } = await repository(t);
  const event = webhookPayload('deployment', 'created', {
    deployment: { id: 5, sha: head, environment: 'production' },
  });
  const context = readRunContext(env('deployment', base), event);
  assert.match(
    await refusal(context, dir, 'full'),
    /\(github\.event\.deployment\.sha\).*"ref: \$\{\{ github\.event\.deployment\.sha \}\}"/,
  );
});

test('a workspace that is no git checkout is not compared, and said so; a rollback and metrics are not about the workspace commit', async (t) => {
  const { dir, head, base } = await repository(t);
  const plain = await mkdtemp(join(tmpdir(), 'checkout-plain-'));
  t.after(() => rm(plain, { recursive: true, force: true }));
  const context = readRunContext(env('pull_request_target', base), pullEvent(head));
  const logged: string[] = [];
  await verifyCheckout(context, { mode: 'full', dryRun: false }, plain, (level, message) =>
    logged.push(`${level}: ${message}`),
  );
  assert.deepEqual(logged, [
    `info: the workspace (${plain}) is not a git checkout: which commit it holds is not compared with ${head}`,
  ]);
  await passes(context, dir, 'rollback');
  await passes(context, dir, 'metrics');
});

test("a fork's pull request: reconcile on its read-only token is refused; with the base's token, rollback and reconcile only on the base's checkout", async (t) => {
  const { dir, head, base, merge, at } = await repository(t);
  const onPr = readRunContext(env('pull_request', merge), pullEvent(head, true));
  assert.equal(onPr.fork?.readOnlyToken, true);
  assert.equal(
    await refusal(onPr, dir, 'reconcile', async () => assert.fail('git is not asked')),
    'pull request #8 comes from the fork "mallory/web": GitHub gives this pull_request run a read-only token and no secrets, ' +
      'and mode "reconcile" writes records and deployment statuses and may roll back, with commands from the ' +
      "fork's checkout; run reconcile on schedule, workflow_dispatch or push",
  );

  const onTarget = readRunContext(env('pull_request_target', base), pullEvent(head, true));
  await at(base);
  await passes(onTarget, dir, 'reconcile');
  await passes(onTarget, dir, 'rollback');
  for (const sha of [head, merge]) {
    await at(sha);
    assert.equal(
      await refusal(onTarget, dir, 'reconcile'),
      'pull request #8 comes from the fork "mallory/web", and this pull_request_target run has this ' +
        'repository\'s token and secrets: mode "reconcile" runs the commands of the base\'s config, and the ' +
        `workspace holds commit ${sha}, not the base's ${base}. Check out the base (actions/checkout without "ref") for mode "reconcile".`,
    );
    assert.match(
      await refusal(onTarget, dir, 'rollback'),
      /: a rollback runs the commands of the base's config/,
    );
  }
  // Without a git checkout the workspace may be anything: refused too.
  assert.match(
    await refusal(onTarget, dir, 'reconcile', async () => ({
      ok: false,
      why: 'not a git repository',
      notCheckout: true,
    })),
    /which commit the workspace holds cannot be told \(not a git repository\), not the base's/,
  );
  // Merged, the fork's code is the base branch's.
  const merged = readRunContext(
    env('pull_request_target', base),
    (() => {
      const e = pullEvent(head, true);
      Object.assign(e.pull_request as object, { merged: true, merge_commit_sha: merge });
      return e;
    })(),
  );
  await at(merge);
  await passes(merged, dir, 'reconcile');
});

test("a workflow_run of a fork's pull request is a fork's code with this repository's token", () => {
  const event = webhookPayload('workflow_run', 'completed', {
    workflow_run: {
      event: 'pull_request',
      conclusion: 'success',
      head_repository: { id: 1, full_name: 'mallory/web' },
    },
  });
  const context = readRunContext(env('workflow_run', 'f'.repeat(40)), event);
  assert.deepEqual(context.fork, { repository: 'mallory/web', merged: false, readOnlyToken: false });
  assert.equal(context.pullNumber, undefined);
  // The example's own run: head and base one repository.
  assert.equal(
    readRunContext(
      env('workflow_run', 'f'.repeat(40)),
      webhookPayload('workflow_run', 'completed', { workflow_run: { conclusion: 'success' } }),
    ).fork,
    undefined,
  );
});

test('checkoutDir: the commit is read where the config is (a repository checked out below the workspace), else in the workspace', () => {
  const dirs = new Set(['/w', '/w/app', '/w/app/.github', '/w/.github']);
  const isDirectory = (d: string) => dirs.has(d);
  const where = { cwd: '/w', workspace: '/w' };
  assert.equal(checkoutDir('app/.github/deploy.yml', where, isDirectory), '/w/app/.github');
  assert.equal(checkoutDir('.github/deploy.yml', where, isDirectory), '/w/.github');
  assert.equal(checkoutDir('/w/app/.github/deploy.yml', where, isDirectory), '/w/app/.github');
  // A config path whose directory is not there (the load fails later, saying so): the workspace.
  assert.equal(checkoutDir('missing/deploy.yml', where, isDirectory), '/w');
});

test('verifyCheckout from the config directory of a repository checked out below the workspace compares its commit', async (t) => {
  const { dir, head, base, at } = await repository(t);
  await at(head);
  await mkdir(join(dir, '.github'), { recursive: true });
  const message = await refusal(readRunContext(env('push', base), {}), join(dir, '.github'), 'full');
  assert.match(message, new RegExp(head));
  await passes(readRunContext(env('push', head), {}), join(dir, '.github'), 'full');
});

/**
 * The one call an issue_comment run makes to learn about the comment's pull request (GET pulls/{n}), as GitHub
 * answers it: the head repository a fork's (another id and name), the base's, or the request failing.
 */
function pullsApi(answer: 'fork' | 'same' | 'deleted_fork' | 'fails', asked: unknown[] = []): PullReader {
  const base = { id: 1, full_name: 'acme/web' };
  return {
    pulls: {
      async get(params) {
        asked.push(params);
        if (answer === 'fails') throw Object.assign(new Error('Not Found'), { status: 404 });
        const head =
          answer === 'fork' ? { id: 2, full_name: 'mallory/web' } : answer === 'deleted_fork' ? null : base;
        return { data: { head: { repo: head }, base: { repo: base }, merged: false } };
      },
    },
  };
}

test("issue_comment on a fork's pull request: the pull request is read, and rollback and reconcile run on the base's checkout only", async (t) => {
  const { dir, head, base, at } = await repository(t);
  const event = webhookPayload('issue_comment', 'created', {
    issue: { number: 8, pull_request: { url: 'https://api.github.com/repos/acme/web/pulls/8' } },
  });
  const plain = readRunContext(env('issue_comment', base), event);
  assert.equal(plain.fork, undefined, 'the event alone cannot tell');
  const asked: unknown[] = [];
  const found = await commentPull(plain, event, pullsApi('fork', asked));
  assert.deepEqual(asked, [{ owner: 'acme', repo: 'web', pull_number: 8 }]);
  assert.deepEqual(found, { status: 'fork', pullNumber: 8, repository: 'mallory/web', merged: false });
  const context = withCommentPull(plain, found);
  assert.equal(context.sha, base, 'the run is still about GITHUB_SHA');
  assert.equal(context.pullNumber, undefined);
  // The fork's head checked out (actions/checkout ref: refs/pull/8/head): its commands would run with the
  // base's token and secrets.
  await at(head);
  for (const mode of ['rollback', 'reconcile'] as const) {
    const message = await refusal(context, dir, mode);
    assert.ok(
      message.startsWith(
        `the comment's pull request #8 comes from the fork "mallory/web", and this issue_comment run has this repository's token and secrets`,
      ),
      message,
    );
    assert.match(message, new RegExp(`the workspace holds commit ${head}, not the base's ${base}`));
  }
  await at(base);
  await passes(context, dir, 'rollback');
  await passes(context, dir, 'reconcile');

  // A deleted fork is a fork; a pull request that cannot be read is taken as one (no token, an error).
  await at(head);
  for (const [answer, api, why] of [
    ['deleted_fork', pullsApi('deleted_fork'), /comes from a deleted fork/],
    [
      'fails',
      pullsApi('fails'),
      /#8 \(GET pulls\/8 failed with HTTP 404\) comes from a head repository that could not be read/,
    ],
    ['no token', undefined, /#8 \(no github-token\) comes from a head repository that could not be read/],
  ] as const) {
    const taken = withCommentPull(plain, await commentPull(plain, event, api));
    assert.match(await refusal(taken, dir, 'rollback'), why, answer);
  }
  // The base's own branch: whatever is checked out is code someone with push access wrote.
  const same = await commentPull(plain, event, pullsApi('same'));
  assert.deepEqual(same, { status: 'same_repository', pullNumber: 8 });
  await passes(withCommentPull(plain, same), dir, 'rollback');
  // A comment on an issue asks nothing.
  const onIssue = webhookPayload('issue_comment', 'created', {
    issue: { number: 9, pull_request: undefined },
  });
  const never = pullsApi('fails');
  assert.deepEqual(await commentPull(plain, onIssue, never), { status: 'not_pull_request' });
});
