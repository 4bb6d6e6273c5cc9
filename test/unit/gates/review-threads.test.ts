// The review gate's unresolved-threads rule as a pure decision: threads in, findings out (one a thread up to a
// bound, the rest counted, an unfinished reading said), with paths and logins one inert line wherever shown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_THREAD_FINDINGS, threadFindings } from '../../../src/gates/review-threads.ts';
import type { ReviewThread, ReviewThreadsRead } from '../../../src/github/review-threads.ts';
import { gateCheckOutput, annotationBatches } from '../../../src/report/github/gate-checks.ts';
import { plain } from '../../../src/util/plain-text.ts';

const read = (unresolved: ReviewThread[], more: Partial<ReviewThreadsRead> = {}): ReviewThreadsRead => ({
  unresolved,
  read: unresolved.length,
  pages: 1,
  truncated: false,
  ...more,
});

const thread = (more: Partial<ReviewThread> = {}): ReviewThread => ({
  path: 'src/pay.ts',
  line: 12,
  outdated: false,
  author: 'alice',
  url: 'https://github.com/acme/web/pull/7#discussion_r1',
  ...more,
});

describe('unresolved review threads as findings', () => {
  it('none unresolved: no finding', () => {
    assert.deepEqual(threadFindings(read([], { read: 40 }), 'block', 7), []);
  });

  it('one finding a thread, on its file and line, naming who started it and where it is', () => {
    const [finding, ...rest] = threadFindings(read([thread()]), 'block', 7);
    assert.deepEqual(rest, []);
    assert.deepEqual(finding, {
      path: 'src/pay.ts',
      line: 12,
      rule: 'review.unresolved-thread',
      severity: 'error',
      message:
        'pull request #7: unresolved review thread on src/pay.ts:12 started by alice: ' +
        'https://github.com/acme/web/pull/7#discussion_r1',
    });
  });

  it('warn makes them warnings', () => {
    assert.equal(threadFindings(read([thread()]), 'warn', 7)[0]!.severity, 'warning');
  });

  it('an outdated thread still counts, says it is outdated and is not placed on a line of the head', () => {
    const [finding] = threadFindings(read([thread({ outdated: true, line: undefined })]), 'block', 7);
    assert.equal(finding!.severity, 'error');
    assert.match(finding!.message, /unresolved outdated review thread on src\/pay\.ts started by alice/);
    assert.match(finding!.message, /outdated: the lines it is on changed since/);
    assert.equal(finding!.path, undefined);
    assert.equal(finding!.line, undefined);
  });

  it('a thread on a whole file is placed on the file; a deleted account is named as such', () => {
    const [finding] = threadFindings(read([thread({ line: undefined, author: undefined })]), 'block', 7);
    assert.equal(finding!.path, 'src/pay.ts');
    assert.equal(finding!.line, undefined);
    assert.match(finding!.message, /on src\/pay\.ts started by a deleted account/);
  });

  it(`lists at most ${MAX_THREAD_FINDINGS} and counts the rest, outdated ones too`, () => {
    const threads = Array.from({ length: MAX_THREAD_FINDINGS + 15 }, (_, i) =>
      thread({ line: i + 1, outdated: i % 5 === 0 }),
    );
    const findings = threadFindings(read(threads), 'block', 7);
    assert.equal(findings.length, MAX_THREAD_FINDINGS + 1);
    assert.ok(findings.every((f) => f.severity === 'error'));
    assert.equal(
      findings.at(-1)!.message,
      `pull request #7: 15 more unresolved review thread(s) not listed; ${MAX_THREAD_FINDINGS + 15} in all, 7 of them outdated`,
    );
  });

  it('a reading stopped at its page bound says how many were read, at the rule level: never a silent pass', () => {
    const findings = threadFindings(read([], { read: 1000, pages: 10, truncated: true }), 'block', 7);
    assert.deepEqual(findings, [
      {
        rule: 'review.threads-truncated',
        severity: 'error',
        message:
          'pull request #7: read 1000 review thread(s) in 10 page(s) and stopped; more exist, and whether ' +
          'they are resolved is not known',
      },
    ]);
    assert.equal(
      threadFindings(read([], { read: 1000, pages: 10, truncated: true }), 'warn', 7)[0]!.severity,
      'warning',
    );
  });

  it('a path or login of any text is one inert line in the check run, its annotation and the terminal', () => {
    const hostile = thread({
      path: 'docs/a\n<!-- marker -->\u202e[x](https://evil.example)`@admin #1.md',
      author: 'eve\r\n## Approved',
      url: 'javascript:alert(1)',
    });
    const findings = threadFindings(read([hostile]), 'block', 7);
    const message = findings[0]!.message;
    assert.doesNotMatch(message, /[\r\n\u202e]/);
    assert.doesNotMatch(message, /javascript/);
    // A path with a line break or an invisible character is not used as an annotation's file.
    assert.equal(findings[0]!.path, undefined);
    const output = gateCheckOutput({
      name: 'review',
      required: true,
      durationMs: 1,
      status: 'block',
      summary: message,
      findings,
    });
    const shown = `${output.summary}\n${output.text}`;
    // No HTML comment, no link, no code span, no heading: each mark escaped.
    assert.doesNotMatch(shown, /<!--|(?<!\\)\]\(|(?<!\\)`|\n## /);
    assert.match(shown, /@\u200Dadmin/);
    assert.equal(plain(message), message);
    // A placeable hostile path becomes the annotation's file as is, its message one line.
    const placed = threadFindings(read([thread({ path: 'src/[x](y).ts', author: 'a\nb' })]), 'block', 7);
    const [annotation] = annotationBatches(placed)[0]!;
    assert.equal(annotation!.path, 'src/[x](y).ts');
    assert.doesNotMatch(annotation!.message, /\n/);
  });

  it('a path or login of any length is cut', () => {
    const [finding] = threadFindings(
      read([thread({ path: 'a/'.repeat(500), author: 'x'.repeat(500) })]),
      'warn',
      7,
    );
    assert.ok(finding!.message.length < 400, finding!.message);
  });
});
