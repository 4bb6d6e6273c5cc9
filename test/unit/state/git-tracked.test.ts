// trackedByGit asks the repository around the file, whatever the environment says of another: GIT_DIR or
// GIT_INDEX_FILE set for the process (a CLI run from a git hook, which sets GIT_DIR; a job's env:) pointed git
// elsewhere, and a record the checkout brought read as one a run wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackedByGit } from '../../../src/state/git-tracked.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'git-tracked-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const [variable, value] of [
  // The relative `.git` a hook is given: from the record's directory, no repository at all.
  ['GIT_DIR', '.git'],
  ['GIT_WORK_TREE', '/'],
  ['GIT_INDEX_FILE', 'elsewhere.index'],
] as const)
  test(`a file git tracks is tracked with ${variable} set in the environment`, (t) => {
    const repo = tempDir(t);
    const records = join(repo, '.deploy-action', 'records');
    mkdirSync(records, { recursive: true });
    const path = join(records, 'production.json');
    writeFileSync(path, '{}\n');
    execFileSync('git', ['init', '-q'], { cwd: repo, stdio: 'ignore' });
    execFileSync('git', ['add', '--', path], { cwd: repo, stdio: 'ignore' });
    assert.equal(trackedByGit(path), true);

    // Set and put back within this synchronous stretch: the test files of a shared group run in one process,
    // and no other code of it should ever see GIT_DIR set.
    const before = process.env[variable];
    process.env[variable] = value;
    try {
      assert.equal(trackedByGit(path), true, `${variable}=${value} pointed git elsewhere`);
    } finally {
      if (before === undefined) delete process.env[variable];
      else process.env[variable] = before;
    }
  });

test('a file git does not track, or outside any repository, is not tracked', (t) => {
  const repo = tempDir(t);
  execFileSync('git', ['init', '-q'], { cwd: repo, stdio: 'ignore' });
  const written = join(repo, 'production.json');
  writeFileSync(written, '{}\n');
  assert.equal(trackedByGit(written), false);
  const outside = join(tempDir(t), 'with space', 'production.json');
  mkdirSync(join(outside, '..'));
  writeFileSync(outside, '{}\n');
  assert.equal(trackedByGit(outside), false);
});

test('git is asked without the action’s inputs or the runtime’s token: a repository’s config may run a command', (t) => {
  // core.fsmonitor in .git/config (which any earlier step of the job, or a gate's command, may write) is a
  // program git runs for ls-files, with the environment it was given: the state-key would have been in it.
  const repo = tempDir(t);
  const path = join(repo, 'production.json');
  writeFileSync(path, '{}\n');
  execFileSync('git', ['init', '-q'], { cwd: repo, stdio: 'ignore' });
  execFileSync('git', ['add', '--', path], { cwd: repo, stdio: 'ignore' });
  const seen = join(repo, 'seen.json');
  const hook = join(repo, 'fsmonitor-hook');
  writeFileSync(
    hook,
    `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(Object.keys(process.env)));\n`,
    { mode: 0o755 },
  );
  execFileSync('git', ['config', 'core.fsmonitor', hook], { cwd: repo, stdio: 'ignore' });
  const given = { 'INPUT_STATE-KEY': 'not-a-real-key', ACTIONS_RUNTIME_TOKEN: 'not-a-real-token' };
  for (const [name, value] of Object.entries(given)) {
    const before = process.env[name];
    t.after(() => {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    });
    process.env[name] = value;
  }
  assert.equal(trackedByGit(path), true);
  const names = JSON.parse(readFileSync(seen, 'utf8')) as string[];
  assert.ok(names.includes('PATH'), 'the hook ran, with the environment');
  for (const name of Object.keys(given)) assert.ok(!names.includes(name), `${name} reached git`);
});
