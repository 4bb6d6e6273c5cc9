// The review gate's changelog rule (seeds 02 and 05, "CHANGELOG updated"): the decision alone, then the
// gate on real git repositories (the changed files from git diff, the kept changelog from git ls-tree) with
// a pull request's labels from a fake, and through real Octokit from the fake GitHub.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { changedFilesProvider } from '../../../src/gates/changes.ts';
import {
  changelogEntries,
  changelogFindings,
  changelogMatcher,
  decideChangelog,
  DEFAULT_CHANGELOG_PATHS,
  DEFAULT_SKIP_LABELS,
  type ChangelogFacts,
} from '../../../src/gates/review-changelog.ts';
import { reviewGate } from '../../../src/gates/review.ts';
import type { ReviewConfig } from '../../../src/gates/schema/review.ts';
import type { ChangedFile, GateContext } from '../../../src/gates/types.ts';
import { pullRequestContext } from '../../../src/github/pull-request.ts';
import { createFakeGitHub, fakeSha } from '../../fake-github/index.ts';
import { git } from '../../helpers/git.ts';

const byDefault = changelogMatcher(DEFAULT_CHANGELOG_PATHS);
const edited = (path: string, status: ChangedFile['status'] = 'modified'): ChangedFile => ({
  path,
  status,
  addedLines: status === 'deleted' ? [] : [1],
});

describe('changelog rule: what counts as an entry', () => {
  it('a changelog file at the root or in a package, a changeset, a towncrier or scriv fragment', () => {
    const counted = [
      'CHANGELOG.md',
      'CHANGELOG',
      'ChangeLog',
      'changelog.md',
      'CHANGES.md',
      'CHANGES.rst',
      'HISTORY.md',
      'NEWS',
      'packages/api/CHANGELOG.md',
      '.changeset/brave-dogs-sing.md',
      'changelog.d/20240101_fix_login.md',
      'src/pkg/newsfragments/123.bugfix',
    ];
    assert.deepEqual(
      changelogEntries(
        counted.map((p) => edited(p)),
        byDefault,
      ),
      counted,
    );
  });

  it('not code, not a migration tool changelog, not the changesets README or config', () => {
    const others = [
      'src/changelog.ts',
      'db/changelog.xml',
      'db/changelog/001.sql',
      '.changeset/README.md',
      '.changeset/readme.md',
      '.changeset/config.json',
      'docs/CHANGELOG-policy.md',
      'changes/123.feature',
    ];
    assert.deepEqual(
      changelogEntries(
        others.map((p) => edited(p)),
        byDefault,
      ),
      [],
    );
  });

  it('a deleted changelog, or one only cut down or renamed unchanged, is no entry; a new empty fragment is', () => {
    assert.deepEqual(
      changelogEntries(
        [
          edited('CHANGELOG.md', 'deleted'),
          { path: 'packages/a/CHANGELOG.md', status: 'modified', addedLines: [] },
          { path: 'HISTORY.md', status: 'renamed', addedLines: [] },
          { path: 'newsfragments/7.misc', status: 'added', addedLines: [] },
        ],
        byDefault,
      ),
      ['newsfragments/7.misc'],
    );
  });

  it('written changelog_paths replace the defaults', () => {
    const matches = changelogMatcher(['docs/release-notes/**', 'changes/*.md']);
    assert.deepEqual(
      changelogEntries(
        ['CHANGELOG.md', 'docs/release-notes/2.0.md', 'changes/12.md'].map((p) => edited(p)),
        matches,
      ),
      ['docs/release-notes/2.0.md', 'changes/12.md'],
    );
  });
});

describe('changelog rule: the decision', () => {
  const facts = (over: Partial<ChangelogFacts>): ChangelogFacts => ({
    written: undefined,
    kept: true,
    hasBase: true,
    entries: [],
    labels: { kind: 'none' },
    skipLabels: DEFAULT_SKIP_LABELS,
    ...over,
  });

  it('an entry passes; none is missing, at any level', () => {
    assert.deepEqual(decideChangelog(facts({ entries: ['CHANGELOG.md'] })), {
      ok: true,
      reason: 'entry',
      paths: ['CHANGELOG.md'],
    });
    assert.deepEqual(decideChangelog(facts({})), { ok: false, reason: 'missing' });
    assert.deepEqual(decideChangelog(facts({ written: 'block' })), { ok: false, reason: 'missing' });
  });

  it('not written, a repository that keeps no changelog is not asked for one; written, it is told it has none', () => {
    assert.deepEqual(decideChangelog(facts({ kept: false })), {
      ok: true,
      reason: 'not-applied',
      why: 'not-kept',
    });
    assert.deepEqual(decideChangelog(facts({ kept: false, written: 'block' })), {
      ok: false,
      reason: 'none',
    });
    assert.deepEqual(decideChangelog(facts({ kept: false, written: 'warn' })), { ok: false, reason: 'none' });
  });

  it('a skip label passes, compared without case; another label does not', () => {
    assert.deepEqual(decideChangelog(facts({ labels: { kind: 'read', names: ['bug', 'Skip-Changelog'] } })), {
      ok: true,
      reason: 'skipped',
      label: 'Skip-Changelog',
    });
    assert.deepEqual(decideChangelog(facts({ labels: { kind: 'read', names: ['no-changelog'] } })), {
      ok: false,
      reason: 'missing',
    });
    assert.deepEqual(
      decideChangelog(
        facts({ labels: { kind: 'read', names: ['No-Changelog'] }, skipLabels: ['docs', 'no-changelog'] }),
      ),
      { ok: true, reason: 'skipped', label: 'No-Changelog' },
    );
  });

  it('labels that cannot be read never pass; with no skip label configured they do not matter', () => {
    const failed = { kind: 'failed' as const, message: 'HTTP 403' };
    assert.deepEqual(decideChangelog(facts({ labels: failed })), {
      ok: false,
      reason: 'labels-unknown',
      message: 'HTTP 403',
    });
    assert.deepEqual(decideChangelog(facts({ labels: failed, skipLabels: [] })), {
      ok: false,
      reason: 'missing',
    });
  });

  it('without a base it is not checked; not written, a repository git cannot list is not either', () => {
    assert.deepEqual(decideChangelog(facts({ hasBase: false, written: 'block' })), {
      ok: true,
      reason: 'unchecked',
      why: 'no-base',
    });
    assert.deepEqual(decideChangelog(facts({ kept: { unknown: 'not a git repository' } })), {
      ok: true,
      reason: 'not-applied',
      why: 'not-listed',
    });
    // Written, a repository git cannot list is still judged on its changed files.
    assert.deepEqual(decideChangelog(facts({ kept: { unknown: 'x' }, written: 'block' })), {
      ok: false,
      reason: 'missing',
    });
  });

  it('findings say which paths count and which label skips, at the level', () => {
    const wording = { level: 'block' as const, paths: ['CHANGELOG.md'], skipLabels: ['skip-changelog'] };
    const [missing] = changelogFindings({ ok: false, reason: 'missing' }, { ...wording, pullRequest: 4 });
    assert.deepEqual(missing, {
      rule: 'review.changelog-missing',
      severity: 'error',
      message:
        'no changelog entry among the changed files: add or edit a file matching gates.review.changelog_paths ' +
        '("CHANGELOG.md"), or label pull request #4 "skip-changelog" when it needs no entry',
    });
    const [push] = changelogFindings(
      { ok: false, reason: 'missing' },
      { ...wording, level: 'warn', pullRequest: undefined },
    );
    assert.equal(push!.severity, 'warning');
    assert.match(push!.message, /or, on a pull request, label it "skip-changelog"/);
    const [noLabels] = changelogFindings(
      { ok: false, reason: 'missing' },
      { ...wording, skipLabels: [], pullRequest: 4 },
    );
    assert.doesNotMatch(noLabels!.message, /label/);
    const [none] = changelogFindings({ ok: false, reason: 'none' }, { ...wording, pullRequest: 4 });
    assert.equal(none!.rule, 'review.changelog-none');
    assert.match(
      none!.message,
      /create the changelog \(CHANGELOG\.md\), set changelog_paths .*or set changelog: off/,
    );
    const [skipped] = changelogFindings(
      { ok: true, reason: 'skipped', label: 'Skip-Changelog' },
      { ...wording, pullRequest: 4 },
    );
    assert.deepEqual(skipped, {
      rule: 'review.changelog-skipped',
      severity: 'notice',
      message: 'pull request #4 is labelled "Skip-Changelog": the changelog check was skipped',
    });
    const [unknown] = changelogFindings(
      { ok: false, reason: 'labels-unknown', message: 'HTTP 403\nForbidden' },
      { ...wording, level: 'warn', pullRequest: 4 },
    );
    assert.equal(unknown!.rule, 'review.changelog-labels-unknown');
    assert.equal(unknown!.severity, 'warning');
    assert.match(unknown!.message, /labels of pull request #4 cannot be read .*: HTTP 403 Forbidden$/);
  });
});

/** A repository with `files` committed on main, then a branch committing `change`; the gate's context on it. */
async function repository(
  t: { after(fn: () => Promise<void>): void },
  files: Record<string, string>,
  change: (dir: string) => Promise<void>,
) {
  const dir = await mkdtemp(join(tmpdir(), 'review-changelog-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries({ 'src/app.ts': 'export const a = 1;\n', ...files })) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'base');
  await git(dir, 'checkout', '-q', '-b', 'feature');
  await change(dir);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', 'change');
  return dir;
}

const codeOnly = (dir: string) => writeFile(join(dir, 'src/app.ts'), 'export const a = 2;\n');

function gateContext(dir: string, extra: Partial<GateContext> = {}): GateContext {
  const baseRef = 'baseRef' in extra ? extra.baseRef : 'main';
  return {
    cwd: dir,
    changedFiles: changedFilesProvider(dir, baseRef),
    signal: new AbortController().signal,
    log: () => {},
    env: {},
    ...extra,
    ...(baseRef ? { baseRef } : {}),
  };
}

/** The changelog findings of the gate (the other rules off) as [rule, severity]. */
async function changelogRun(config: ReviewConfig, ctx: GateContext) {
  const verdict = await reviewGate.run(
    reviewGate.schema.parse({
      approval: 'off',
      unresolved_threads: 'off',
      debug_logging: 'off',
      todo: 'off',
      commented_out_code: 'off',
      ...config,
    }),
    ctx,
  );
  return { verdict, rules: verdict.findings.map((f) => [f.rule, f.severity]) };
}

function labelled(labels: () => Promise<string[]>): NonNullable<GateContext['pullRequest']> {
  return {
    number: 12,
    reviews: async () => [],
    reviewThreads: async () => ({ unresolved: [], read: 0, pages: 1, truncated: false }),
    labels,
  };
}

describe('changelog rule: the gate on a git repository', () => {
  it('by default warns when the repository keeps a changelog and the change has no entry', async (t) => {
    const dir = await repository(t, { 'CHANGELOG.md': '# Changelog\n' }, codeOnly);
    const { verdict, rules } = await changelogRun({}, gateContext(dir));
    assert.deepEqual(rules, [['review.changelog-missing', 'warning']]);
    assert.equal(verdict.status, 'warn');
    assert.match(verdict.summary, /no changelog entry among the changed files/);
  });

  it('passes when the change edits the changelog, or adds a changeset', async (t) => {
    const changelog = await repository(t, { 'CHANGELOG.md': '# Changelog\n' }, async (dir) => {
      await codeOnly(dir);
      await writeFile(join(dir, 'CHANGELOG.md'), '# Changelog\n\n- a is 2\n');
    });
    assert.deepEqual((await changelogRun({ changelog: 'block' }, gateContext(changelog))).rules, []);
    const changeset = await repository(
      t,
      {
        '.changeset/README.md': 'changesets\n',
        '.changeset/config.json': '{}\n',
        'packages/a/CHANGELOG.md': '',
      },
      async (dir) => {
        await codeOnly(dir);
        await writeFile(join(dir, '.changeset/brave-dogs-sing.md'), '---\n"a": patch\n---\n\nA is 2.\n');
      },
    );
    assert.deepEqual((await changelogRun({ changelog: 'block' }, gateContext(changeset))).rules, []);
  });

  it('blocks, as written, when the change only deletes the changelog or edits the changesets README', async (t) => {
    const deleted = await repository(
      t,
      { 'CHANGELOG.md': '# Changelog\n', 'packages/a/CHANGELOG.md': '# a\n' },
      async (dir) => {
        await codeOnly(dir);
        await unlink(join(dir, 'packages/a/CHANGELOG.md'));
      },
    );
    const gone = await changelogRun({ changelog: 'block' }, gateContext(deleted));
    assert.deepEqual(gone.rules, [['review.changelog-missing', 'error']]);
    assert.equal(gone.verdict.status, 'block');
    const readme = await repository(
      t,
      { 'CHANGELOG.md': '# Changelog\n', '.changeset/README.md': 'changesets\n' },
      (dir) => writeFile(join(dir, '.changeset/README.md'), 'changesets, edited\n'),
    );
    assert.deepEqual((await changelogRun({ changelog: 'block' }, gateContext(readme))).rules, [
      ['review.changelog-missing', 'error'],
    ]);
  });

  it('a repository that keeps no changelog: silent by default, told so when the rule is written', async (t) => {
    const dir = await repository(t, { 'README.md': '# app\n' }, codeOnly);
    const silent = await changelogRun({}, gateContext(dir));
    assert.deepEqual(silent.rules, []);
    assert.equal(silent.verdict.status, 'pass');
    const written = await changelogRun({ changelog: 'block' }, gateContext(dir));
    assert.deepEqual(written.rules, [['review.changelog-none', 'error']]);
    // Its own paths name where the project keeps one.
    const elsewhere = await repository(t, { 'docs/release-notes.md': '# Notes\n' }, codeOnly);
    assert.deepEqual(
      (
        await changelogRun(
          { changelog: 'block', changelog_paths: ['docs/release-notes.md'] },
          gateContext(elsewhere),
        )
      ).rules,
      [['review.changelog-missing', 'error']],
    );
  });

  it('without a base commit the check is skipped with a notice', async (t) => {
    const dir = await repository(t, { 'CHANGELOG.md': '# Changelog\n' }, codeOnly);
    const { verdict, rules } = await changelogRun(
      { changelog: 'block' },
      gateContext(dir, { baseRef: undefined }),
    );
    assert.deepEqual(rules, [['review.changelog-unchecked', 'notice']]);
    assert.equal(verdict.status, 'pass');
    assert.match(verdict.findings[0]!.message, /no base commit in this run/);
  });

  it('by default, a directory git cannot list is silent; written, it is judged on its changed files', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'review-changelog-nogit-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'CHANGELOG.md'), '# Changelog\n');
    const ctx = { ...gateContext(dir, { baseRef: 'main' }), changedFiles: async () => [edited('notes.txt')] };
    assert.deepEqual((await changelogRun({}, ctx)).rules, []);
    assert.deepEqual((await changelogRun({ changelog: 'warn' }, ctx)).rules, [
      ['review.changelog-missing', 'warning'],
    ]);
  });

  it("a pull request's skip label, in any case, passes with a notice naming it; labels are read only when needed", async (t) => {
    const dir = await repository(t, { 'CHANGELOG.md': '# Changelog\n' }, codeOnly);
    const skipped = await changelogRun(
      { changelog: 'block' },
      gateContext(dir, { pullRequest: labelled(async () => ['dependencies', 'SKIP-CHANGELOG']) }),
    );
    assert.deepEqual(skipped.rules, [['review.changelog-skipped', 'notice']]);
    assert.equal(skipped.verdict.status, 'pass');
    assert.match(skipped.verdict.findings[0]!.message, /pull request #12 is labelled "SKIP-CHANGELOG"/);
    const other = await changelogRun(
      { changelog: 'block', changelog_skip_labels: ['no changelog'] },
      gateContext(dir, { pullRequest: labelled(async () => ['skip-changelog']) }),
    );
    assert.deepEqual(other.rules, [['review.changelog-missing', 'error']]);
    assert.match(other.verdict.findings[0]!.message, /or label pull request #12 "no changelog"/);

    const entry = await repository(t, { 'CHANGELOG.md': '# Changelog\n' }, (d) =>
      writeFile(join(d, 'CHANGELOG.md'), '# Changelog\n\n- more\n'),
    );
    let asked = 0;
    const count = async () => (asked++, []);
    await changelogRun({ changelog: 'block' }, gateContext(entry, { pullRequest: labelled(count) }));
    await changelogRun({ changelog: 'off' }, gateContext(dir, { pullRequest: labelled(count) }));
    await changelogRun(
      { changelog: 'block', changelog_skip_labels: [] },
      gateContext(dir, { pullRequest: labelled(count) }),
    );
    assert.equal(asked, 0, 'not with an entry, not when off, not without a skip label');
  });

  it('labels that cannot be read are a finding at the rule level, never a pass', async (t) => {
    const dir = await repository(t, { 'CHANGELOG.md': '# Changelog\n' }, codeOnly);
    const failing = labelled(async () => Promise.reject(new Error('Resource not accessible by integration')));
    const blocked = await changelogRun({ changelog: 'block' }, gateContext(dir, { pullRequest: failing }));
    assert.deepEqual(blocked.rules, [['review.changelog-labels-unknown', 'error']]);
    assert.match(
      blocked.verdict.summary,
      /labels of pull request #12 cannot be read .*Resource not accessible/,
    );
    const warned = await changelogRun({}, gateContext(dir, { pullRequest: failing }));
    assert.deepEqual(warned.rules, [['review.changelog-labels-unknown', 'warning']]);
  });

  it("reads the pull request's labels from GitHub, every page", async (t) => {
    const dir = await repository(t, { 'CHANGELOG.md': '# Changelog\n' }, codeOnly);
    const gh = await createFakeGitHub();
    t.after(() => gh.stop());
    const head = fakeSha('head');
    // 120 labels: the skip label is on the second page of 100.
    const labels = Array.from({ length: 120 }, (_, i) => `area-${i}`);
    labels[110] = 'Skip-Changelog';
    gh.seedRepo({
      owner: 'acme',
      repo: 'web',
      pulls: [
        { number: 3, head, user: 'carol', labels },
        { number: 4, head: fakeSha('other'), user: 'carol', labels: ['bug'] },
      ],
    });
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token', request: { retries: 0 } });
    const pr = (number: number) =>
      pullRequestContext(octokit.rest, (q, v) => octokit.graphql(q, v), {
        owner: 'acme',
        repo: 'web',
        number,
      });
    const skipped = await changelogRun({ changelog: 'block' }, gateContext(dir, { pullRequest: pr(3) }));
    assert.deepEqual(skipped.rules, [['review.changelog-skipped', 'notice']]);
    assert.equal(gh.requestsFor('issues/list-labels-on-issue').length, 2);
    const missing = await changelogRun({ changelog: 'block' }, gateContext(dir, { pullRequest: pr(4) }));
    assert.deepEqual(missing.rules, [['review.changelog-missing', 'error']]);
    gh.assertNoViolations();
    const unknown = await changelogRun({ changelog: 'block' }, gateContext(dir, { pullRequest: pr(99) }));
    assert.deepEqual(unknown.rules, [['review.changelog-labels-unknown', 'error']]);
  });
});
