// The Action's reconcile with a state directory and a token: a record lock left by a run attempt of this
// repository that GitHub says has finished (a self-hosted runner that died with it) is taken over at once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { storeFactory } from '../../../src/action/reconcile.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import type { GitHubClient } from '../../../src/github/client.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record: EnvironmentRecord = {
  schema: 1,
  repository: 'local',
  environment: 'production',
  seq: 1,
  updatedAt: new Date(0).toISOString(),
  live: { version: 'v1', since: new Date(0).toISOString() },
  retired: [],
  history: [],
};

test('with a token, the record store asks this repository’s Actions API about a lock’s run attempt', async () => {
  const asked: unknown[] = [];
  const octokit = {
    rest: {
      actions: {
        async getWorkflowRun(p: { owner: string; repo: string; run_id: number }) {
          asked.push(p);
          return { data: { status: 'in_progress', conclusion: null, run_attempt: 2 } };
        },
      },
    },
  } as unknown as GitHubClient;
  const lock = `${new FileStateStore(dir).pathFor('production')}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  // Attempt 1's runner died holding it; attempt 2 runs.
  writeFileSync(
    lock,
    `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '42', attempt: '1', repository: 'acme/web' } })}\n`,
  );
  // Not touched since it died, half a minute ago (a live holder touches its lock while it holds it).
  const then = new Date(Date.now() - 30_000);
  utimesSync(lock, then, then);
  const storeFor = storeFactory({ stateDir: dir }, { owner: 'acme', repo: 'web' }, octokit);
  const store = storeFor({ name: 'production' } as ResolvedEnvironment);
  // Without the run status, a lock of another host younger than a minute is waited for (5 s) and the write fails.
  await store.write(record);
  assert.deepEqual(asked[0], { owner: 'acme', repo: 'web', run_id: 42 });
  const read = await store.read('production');
  assert.ok(read.ok, JSON.stringify(read));
  assert.equal(read.record?.seq, 1);
});
