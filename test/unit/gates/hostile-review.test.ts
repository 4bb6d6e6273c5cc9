// The review gate quotes what it finds on changed lines. A commented-out line can hold a key; a changed
// file can be a symlink to a file outside the checkout. Neither reaches a finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewGate } from '../../../src/gates/review.ts';
import type { ChangedFile, GateContext } from '../../../src/gates/types.ts';

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
