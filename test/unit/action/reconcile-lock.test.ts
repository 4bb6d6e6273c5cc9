// The Action's reconcile with a state directory takes the environment's reconcile lock there, as the CLI's
// reconcile and promote do, so two never act on one rollout. With a token, a lock left by a run attempt of
// this repository that GitHub reports completed (a self-hosted runner that died with it) is taken over; a
// lock of another host is otherwise left to it, and reconcile_busy says which file to remove, and when.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { exclusiveFactory } from '../../../src/action/reconcile.ts';
import { reconcileLockPath } from '../../../src/cli/reconcile-lock.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import type { GitHubClient } from '../../../src/github/client.ts';

let dir: string;
let env: ResolvedEnvironment;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'action-reconcile-lock-'));
  env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
  lock = reconcileLockPath(env);
  mkdirSync(dirname(lock), { recursive: true });
  // Attempt 1 of run 42 held it on a runner that died.
  writeFileSync(
    lock,
    `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '42', attempt: '1', repository: 'acme/web' } })}\n`,
  );
  // Not touched since it died, half a minute ago.
  const then = new Date(Date.now() - 30_000);
  utimesSync(lock, then, then);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const where = { owner: 'acme', repo: 'web' };

function github(status: string, asked: unknown[]): GitHubClient {
  return {
    rest: {
      actions: {
        async getWorkflowRun(p: unknown) {
          asked.push(p);
          return { data: { status, conclusion: status === 'completed' ? 'failure' : null, run_attempt: 1 } };
        },
      },
    },
  } as unknown as GitHubClient;
}

test('with a token, a reconcile lock whose run attempt GitHub reports completed is taken over', async () => {
  const asked: unknown[] = [];
  const { exclusive } = exclusiveFactory({ stateDir: dir }, where, github('completed', asked));
  const hold = await exclusive!(env);
  assert.ok(hold.ok, JSON.stringify(hold));
  assert.deepEqual(asked[0], { owner: 'acme', repo: 'web', run_id: 42 });
  const holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; host: string };
  assert.deepEqual([holder.pid, holder.host], [process.pid, hostname()]);
  await hold.release();
});

test('a run attempt still running, or no token: left to its holder, saying which file to remove and when', async () => {
  for (const octokit of [github('in_progress', []), undefined]) {
    const { exclusive } = exclusiveFactory({ stateDir: dir }, where, octokit);
    const hold = await exclusive!(env);
    assert.equal(hold.ok, false);
    if (hold.ok || hold.holder === undefined) assert.fail('busy, not taken nor refused');
    assert.match(hold.holder, /process 4242 on runner-7 \(workflow run 42\)/);
    assert.ok(
      hold.holder.includes(
        `once no reconcile or promote runs there any more (its machine or runner is gone), remove ${lock} and run again`,
      ),
      hold.holder,
    );
    assert.match(readFileSync(lock, 'utf8'), /"pid":4242/);
  }
});

test('without a state directory the records are on GitHub: no lock file is taken', () => {
  assert.deepEqual(exclusiveFactory({}, where, github('completed', [])), {});
});
