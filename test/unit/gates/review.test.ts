import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { reviewGate } from '../../../src/gates/review.ts';
import type { ReviewConfig } from '../../../src/gates/schema/review.ts';
import type { ChangedFile, GateContext } from '../../../src/gates/types.ts';
import type { ReviewThreadsRead } from '../../../src/github/review-threads.ts';

const fixture = fileURLToPath(new URL('../../fixtures/gates/review/', import.meta.url));

function context(files: ChangedFile[], extra: Partial<GateContext> = {}): GateContext {
  return {
    cwd: fixture,
    changedFiles: async () => files,
    signal: new AbortController().signal,
    log: () => {},
    env: {},
    ...extra,
  };
}

const allPaymentLines: ChangedFile = {
  path: 'src/payment.ts',
  status: 'added',
  addedLines: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};

function rulesAt(findings: Array<{ rule: string; line?: number }>): string[] {
  return findings.map((f) => `${f.line}:${f.rule}`);
}

async function run(config: ReviewConfig, files: ChangedFile[], extra: Partial<GateContext> = {}) {
  return reviewGate.run(reviewGate.schema.parse(config), context(files, extra));
}

describe('review gate: changed lines', () => {
  it('flags TODO markers, debug logging and commented-out code on the exact lines', async () => {
    const verdict = await run({ approval: 'off', unresolved_threads: 'off' }, [allPaymentLines]);
    assert.equal(verdict.status, 'block');
    assert.deepEqual(rulesAt(verdict.findings), [
      '3:review.todo',
      '4:review.debug-logging',
      '6:review.commented-out-code',
      '9:review.debug-logging',
      '10:review.todo',
    ]);
    assert.equal(verdict.findings.find((f) => f.line === 6)!.severity, 'warning');
  });

  it('looks only at the added lines', async () => {
    const verdict = await run({ approval: 'off', unresolved_threads: 'off' }, [
      { ...allPaymentLines, addedLines: [1, 2, 5, 7, 8, 11] },
    ]);
    assert.equal(verdict.status, 'pass');
    assert.deepEqual(verdict.findings, []);
  });

  it('applies TODO only in critical paths and honours each rule level', async () => {
    const config: ReviewConfig = {
      approval: 'off',
      unresolved_threads: 'off',
      critical_paths: ['src/billing/**'],
      debug_logging: 'warn',
      commented_out_code: 'off',
    };
    const verdict = await run(config, [allPaymentLines]);
    assert.equal(verdict.status, 'warn');
    assert.deepEqual(rulesAt(verdict.findings), ['4:review.debug-logging', '9:review.debug-logging']);
  });

  it('chooses debug patterns by language (Python)', async () => {
    const verdict = await run({ approval: 'off', unresolved_threads: 'off' }, [
      { path: 'scripts/tool.py', status: 'modified', addedLines: [1, 2, 3, 4, 5, 6] },
    ]);
    assert.deepEqual(rulesAt(verdict.findings), [
      '3:review.commented-out-code',
      '4:review.debug-logging',
      '6:review.debug-logging',
    ]);
  });

  it('skips ignored and deleted files', async () => {
    const verdict = await run({ approval: 'off', unresolved_threads: 'off', ignore: ['scripts/**'] }, [
      { path: 'scripts/tool.py', status: 'modified', addedLines: [4] },
      { path: 'src/gone.ts', status: 'deleted', addedLines: [] },
    ]);
    assert.equal(verdict.status, 'pass');
  });

  it('blocks when a changed file cannot be read, naming it', async () => {
    const verdict = await run({ approval: 'off', unresolved_threads: 'off' }, [
      { path: 'src/missing.ts', status: 'added', addedLines: [1] },
    ]);
    assert.equal(verdict.status, 'block');
    assert.match(verdict.findings[0]!.message, /cannot read changed file src\/missing\.ts/);
  });
});

describe('review gate: pull request approval', () => {
  const pr = (reviews: Array<{ user: string; state: string; commitId?: string }>) => ({
    number: 7,
    reviews: async () => reviews,
    reviewThreads: async () => ({ unresolved: [], read: 0, pages: 1, truncated: false }),
    labels: async () => [],
  });

  it('without a pull request the check is skipped with a notice, not a block', async () => {
    const verdict = await run({}, []);
    assert.equal(verdict.status, 'pass');
    assert.equal(verdict.findings[0]!.rule, 'review.approval-skipped');
    assert.equal(verdict.findings[0]!.severity, 'notice');
  });

  it('passes with an approval on the head commit', async () => {
    const verdict = await run({}, [], {
      headSha: 'abc',
      pullRequest: pr([{ user: 'ana', state: 'APPROVED', commitId: 'abc' }]),
    });
    assert.equal(verdict.status, 'pass');
  });

  it('blocks on an outstanding change request, naming who asked', async () => {
    const verdict = await run({}, [], {
      headSha: 'abc',
      pullRequest: pr([
        { user: 'ana', state: 'APPROVED', commitId: 'abc' },
        { user: 'bo', state: 'CHANGES_REQUESTED', commitId: 'abc' },
      ]),
    });
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /pull request #7: changes requested by bo/);
  });

  it("a merged pull request's approval on its head counts, though the run is about the merge commit", async () => {
    const merged = { ...pr([{ user: 'ana', state: 'APPROVED', commitId: 'head' }]), headSha: 'head' };
    const verdict = await run({}, [], { headSha: 'merge', pullRequest: merged });
    assert.equal(verdict.status, 'pass', verdict.summary);
    // A push after the approval still needs a new one.
    const pushed = { ...pr([{ user: 'ana', state: 'APPROVED', commitId: 'old' }]), headSha: 'head' };
    const stale = await run({}, [], { headSha: 'merge', pullRequest: pushed });
    assert.equal(stale.status, 'block');
    assert.match(stale.summary, /approved by ana on an earlier commit, not on head$/);
    // Of two needed, one on the head and one on an earlier commit: the stale one is named, not both.
    const half = {
      ...pr([
        { user: 'ana', state: 'APPROVED', commitId: 'head' },
        { user: 'bo', state: 'APPROVED', commitId: 'old' },
      ]),
      headSha: 'head',
    };
    const one = await run({ min_approvals: 2 }, [], { headSha: 'merge', pullRequest: half });
    assert.equal(one.status, 'block');
    assert.match(
      one.summary,
      /pull request #7: approved by bo on an earlier commit, not on head \(1 approval\(s\) on it, by ana; 2 needed\)$/,
    );
  });

  it('blocks when there is no approval, and when the reviews cannot be read', async () => {
    assert.equal((await run({}, [], { headSha: 'abc', pullRequest: pr([]) })).status, 'block');
    const failing = { ...pr([]), reviews: async () => Promise.reject(new Error('HTTP 502')) };
    const verdict = await run({}, [], { pullRequest: failing });
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /cannot read the reviews of pull request #7: HTTP 502/);
  });
});

describe('review gate: unresolved review threads', () => {
  const approved = [{ user: 'ana', state: 'APPROVED', commitId: 'abc' }];
  const withThreads = (threads: () => Promise<ReviewThreadsRead>) => ({
    number: 7,
    reviews: async () => approved,
    reviewThreads: threads,
    labels: async () => [],
  });
  const open: ReviewThreadsRead = {
    unresolved: [
      {
        path: 'src/a.ts',
        line: 4,
        outdated: false,
        author: 'bo',
        url: 'https://github.com/o/r/pull/7#discussion_r9',
      },
    ],
    read: 3,
    pages: 1,
    truncated: false,
  };

  it('blocks by default on an unresolved thread, even on an approved pull request', async () => {
    const verdict = await run({}, [], { headSha: 'abc', pullRequest: withThreads(async () => open) });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(rulesAt(verdict.findings), ['4:review.unresolved-thread']);
    assert.match(verdict.summary, /pull request #7: unresolved review thread on src\/a\.ts:4 started by bo/);
  });

  it('passes when every thread is resolved; warns or ignores as configured', async () => {
    const none = { ...open, unresolved: [] };
    const pass = await run({}, [], { headSha: 'abc', pullRequest: withThreads(async () => none) });
    assert.equal(pass.status, 'pass', pass.summary);
    assert.deepEqual(pass.findings, []);
    const warn = await run({ unresolved_threads: 'warn' }, [], {
      headSha: 'abc',
      pullRequest: withThreads(async () => open),
    });
    assert.equal(warn.status, 'warn');
    assert.equal(warn.findings[0]!.severity, 'warning');
    assert.match(
      warn.summary,
      /^1 warning\(s\), first: pull request #7: unresolved review thread on src\/a\.ts:4/,
    );
    let asked = false;
    const off = await run({ unresolved_threads: 'off' }, [], {
      headSha: 'abc',
      pullRequest: withThreads(async () => ((asked = true), open)),
    });
    assert.equal(off.status, 'pass');
    assert.equal(asked, false, 'off does not read the threads');
  });

  it('without a pull request the check is skipped with a notice', async () => {
    const verdict = await run({ approval: 'off' }, []);
    assert.equal(verdict.status, 'pass');
    assert.deepEqual(
      verdict.findings.map((f) => [f.rule, f.severity]),
      [['review.threads-skipped', 'notice']],
    );
  });

  it('threads that cannot be read block (or warn), saying what failed', async () => {
    const failing = withThreads(async () =>
      Promise.reject(
        new Error(
          'Request failed due to following response errors:\n - Resource not accessible by integration',
        ),
      ),
    );
    const verdict = await run({}, [], { headSha: 'abc', pullRequest: failing });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(rulesAt(verdict.findings), ['undefined:review.threads-unknown']);
    assert.equal(
      verdict.findings[0]!.message,
      "cannot read the review threads of pull request #7 through GitHub's GraphQL API (the token needs " +
        'pull-requests: read): Request failed due to following response errors:  - Resource not accessible by integration',
    );
    const warn = await run({ unresolved_threads: 'warn' }, [], { headSha: 'abc', pullRequest: failing });
    assert.equal(warn.status, 'warn');
  });
});

describe('review gate: config', () => {
  it('rejects unknown keys and bad levels', () => {
    assert.equal(reviewGate.schema.safeParse({ todos: 'block' }).success, false);
    assert.equal(reviewGate.schema.safeParse({ todo: 'error' }).success, false);
    assert.equal(reviewGate.schema.safeParse({ todo: 'warn', required: false, timeout: '1m' }).success, true);
    assert.equal(reviewGate.schema.safeParse({ unresolved_threads: 'warn' }).success, true);
    assert.equal(reviewGate.schema.safeParse({ unresolved_threads: 'required' }).success, false);
  });

  it('checks the changelog keys, saying what is wrong and where', () => {
    const issues = (config: unknown) => {
      const parsed = reviewGate.schema.safeParse(config);
      assert.equal(parsed.success, false, JSON.stringify(config));
      return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.equal(
      reviewGate.schema.safeParse({
        changelog: 'block',
        changelog_paths: ['docs/CHANGES.md', 'changes/*.md'],
        changelog_skip_labels: [],
      }).success,
      true,
    );
    assert.equal(reviewGate.schema.safeParse({ changelog: 'required' }).success, false);
    assert.equal(reviewGate.schema.safeParse({ changelog_path: ['CHANGELOG.md'] }).success, false);
    assert.deepEqual(issues({ changelog_paths: [] }), [
      'changelog_paths: at least one glob (to turn the rule off, set changelog: off)',
    ]);
    assert.deepEqual(issues({ changelog_paths: ['/CHANGELOG.md'] }), [
      'changelog_paths.0: a glob relative to the repository root, without a leading "/"',
    ]);
    // "!docs/**" matches every file outside docs/: any change would carry an "entry" and pass the rule.
    assert.deepEqual(issues({ changelog_paths: ['CHANGELOG.md', '!docs/**'] }), [
      'changelog_paths.1: a negated glob ("!...") would count every other changed file as a changelog entry: list the files that are entries',
    ]);
    // A pattern group is no negation: the defaults' own ".changeset/!(README).md" starts with one too.
    assert.equal(reviewGate.schema.safeParse({ changelog_paths: ['!(README).md'] }).success, true);
    assert.equal(reviewGate.schema.safeParse({ changelog_paths: 'CHANGELOG.md' }).success, false);
    assert.deepEqual(issues({ changelog_skip_labels: ['ok', 'x'.repeat(51)] }), [
      'changelog_skip_labels.1: a GitHub label name has at most 50 characters',
    ]);
    assert.equal(reviewGate.schema.safeParse({ changelog_skip_labels: ['  '] }).success, false);
    // Labels are compared trimmed: " skip-changelog " is the label GitHub shows as "skip-changelog".
    assert.deepEqual(
      reviewGate.schema.parse({ changelog_skip_labels: [' skip-changelog '] }).changelog_skip_labels,
      ['skip-changelog'],
    );
  });
});
