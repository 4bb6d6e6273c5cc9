// The review gate quotes what it finds on changed lines. A commented-out line can hold a key; a changed
// file can be a symlink to a file outside the checkout. Neither reaches a finding. The changelog rule quotes a
// pull request's label and the configured paths: whatever they hold, they render inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedFilesProvider } from '../../../src/gates/changes.ts';
import { formatGatesReport } from '../../../src/gates/format.ts';
import { reviewGate } from '../../../src/gates/review.ts';
import { runGates, type GatesReport } from '../../../src/gates/runner.ts';
import type { ReviewConfig } from '../../../src/gates/schema/review.ts';
import type { ChangedFile, GateContext } from '../../../src/gates/types.ts';
import { gateCheckOutput } from '../../../src/report/github/gate-checks.ts';
import { renderGatesSection } from '../../../src/report/job-summary.ts';
import { git } from '../../helpers/git.ts';
import { assertInert, ATTACKS, BENIGN } from '../report/markdown-check.ts';

const TOKEN = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;

test('commented-out code holding a secret is quoted redacted, also when the secret starts past the quoted length', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-review-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'src'));
  await writeFile(
    join(dir, 'src/a.js'),
    `// const token = "${TOKEN}";\n// const someLongName = callSomething(first, second, third, "${TOKEN}");\n`,
  );
  const files: ChangedFile[] = [{ path: 'src/a.js', status: 'added', addedLines: [1, 2] }];
  const ctx: GateContext = {
    cwd: dir,
    changedFiles: async () => files,
    signal: new AbortController().signal,
    log: () => {},
    env: {},
  };
  const verdict = await reviewGate.run(reviewGate.schema.parse({}), ctx);
  const quoted = verdict.findings.filter((f) => f.rule === 'review.commented-out-code');
  assert.equal(quoted.length, 2, JSON.stringify(verdict.findings));
  const all = JSON.stringify(verdict);
  // Not the token, nor a piece of it long enough to matter.
  assert.ok(!all.includes(TOKEN.slice(0, 12)), all);
  assert.ok(!all.includes(TOKEN.slice(8, 24)), all);
});

test('a changed file that is a symlink (to a file out of the checkout) is not read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-review-'));
  const outside = await mkdtemp(join(tmpdir(), 'outside-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  t.after(() => rm(outside, { recursive: true, force: true }));
  await writeFile(
    join(outside, 'notes.js'),
    '// const TOPSECRET = readCredentials(path);\nconsole.log(x);\n',
  );
  await symlink(join(outside, 'notes.js'), join(dir, 'link.js'));
  const ctx: GateContext = {
    cwd: dir,
    changedFiles: async () => [{ path: 'link.js', status: 'added', addedLines: [1, 2] }],
    signal: new AbortController().signal,
    log: () => {},
    env: {},
  };
  const verdict = await reviewGate.run(reviewGate.schema.parse({}), ctx);
  assert.deepEqual(
    verdict.findings.filter((f) => f.path === 'link.js'),
    [],
  );
  assert.ok(!JSON.stringify(verdict).includes('TOPSECRET'));
});

/**
 * The changelog rule on a repository keeping a changelog, on a change without an entry, `value` as the pull
 * request's label and among the configured paths and skip labels (given as GitHub and a config could: the
 * schema's bounds are not what keeps them inert): one gate skipped by the label, one missing its entry.
 */
async function changelogReport(dir: string, value: string): Promise<GatesReport> {
  const rule = (skipLabels: string[]): ReviewConfig => ({
    approval: 'off',
    unresolved_threads: 'off',
    changelog: 'block',
    changelog_paths: ['CHANGELOG.md', value],
    changelog_skip_labels: skipLabels,
  });
  return runGates(
    [
      { name: 'skipped', gate: reviewGate, config: rule([value]), required: true, timeoutMs: 0 },
      { name: 'missing', gate: reviewGate, config: rule([`${value} x`]), required: true, timeoutMs: 0 },
    ],
    {
      cwd: dir,
      baseRef: 'main',
      changedFiles: changedFilesProvider(dir, 'main'),
      log: () => {},
      env: {},
      pullRequest: {
        number: 5,
        reviews: async () => [],
        reviewThreads: async () => ({ unresolved: [], read: 0, pages: 1, truncated: false }),
        labels: async () => [value],
      },
    },
    { concurrency: 1 },
  );
}

test('a label or changelog path that attacks Markdown renders inert in the job summary, the check runs and the terminal', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-changelog-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, 'CHANGELOG.md'), '# Changelog\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'base');
  await git(dir, 'checkout', '-q', '-b', 'feature');
  await writeFile(join(dir, 'app.txt'), 'change\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'change');
  const benign = await changelogReport(dir, BENIGN);
  assert.deepEqual(
    benign.gates.map((g) => [g.name, g.status, g.findings.map((f) => f.rule)]),
    [
      ['skipped', 'pass', ['review.changelog-skipped']],
      ['missing', 'block', ['review.changelog-missing']],
    ],
  );
  for (const gate of benign.gates)
    assert.ok(gate.findings[0]!.message.includes(BENIGN), gate.findings[0]!.message);
  for (const [attack, value] of Object.entries(ATTACKS)) {
    const hostile = await changelogReport(dir, value);
    assert.deepEqual(
      hostile.gates.map((g) => [g.name, g.status]),
      benign.gates.map((g) => [g.name, g.status]),
      `${attack}: the verdicts changed`,
    );
    assertInert(renderGatesSection(hostile), renderGatesSection(benign), `${attack}: job summary`);
    for (const [i, gate] of hostile.gates.entries()) {
      const out = gateCheckOutput(gate);
      const plain = gateCheckOutput(benign.gates[i]!);
      assertInert(out.summary, plain.summary, `${attack}: ${gate.name} check summary`);
      assertInert(out.text ?? '', plain.text ?? '', `${attack}: ${gate.name} check text`);
    }
    const table = formatGatesReport(hostile, { maxFindings: 50 });
    assert.doesNotMatch(
      table,
      /^\s*(?:::|##\[)|[^\P{Cc}\n]|[\p{Cf}\p{Zl}\p{Zp}]/mu,
      `${attack}: terminal table`,
    );
  }
});
