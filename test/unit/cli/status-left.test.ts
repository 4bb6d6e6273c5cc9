// `deploy-action status` on a rollout kept after a rollback that did not complete: what is left of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatus } from '../../../src/cli/status.ts';
import type { EnvironmentRecord, Rollout } from '../../../src/state/record.ts';

function kept(over: Partial<Rollout>): EnvironmentRecord {
  return {
    schema: 1,
    repository: 'local',
    environment: 'production',
    seq: 3,
    updatedAt: '2025-03-04T10:00:00.000Z',
    retired: [],
    history: [],
    rollout: {
      deploymentId: '42',
      version: 'v2',
      strategy: 'blue-green',
      phase: 'rollback',
      step: 1,
      steps: 3,
      startedAt: '2025-03-04T10:00:00.000Z',
      owner: { kind: 'workflow', runId: '7' },
      recovery: [
        { kind: 'switch', slot: 'blue', from: 'green' },
        { kind: 'teardown', slot: 'green\nlive: forged' },
      ],
      levelsUndone: ['level code'],
      ...over,
    },
  };
}

test('status shows the steps a rollback that did not complete left, on one line, before the levels', () => {
  // It showed only the levels left undone: nothing said its switch back had failed (traffic may not be back)
  // nor which steps a reconcile still runs.
  const shown = formatStatus('production', kept({}));
  assert.match(
    shown,
    /\n {2}left: {5}switch traffic green → blue, teardown on green\\nlive: forged of its rollback: a reconcile runs them once the deployment's run has ended .*`deploy-action reconcile -e production`.*until then a deployment of production is refused \(rollout_unfinished\)\n {2}undone: {3}level code of its rollback/,
  );
  assert.doesNotMatch(shown, /\nlive: forged/, 'a slot name cannot start a line of its own');
});

test('status shows no steps left for a rollout still rolling out, nor for a rollback with none left', () => {
  // A rollout's recovery is written ahead: until a rollback begins, it is not something left undone.
  assert.doesNotMatch(formatStatus('production', kept({ phase: 'production' })), /\n {2}left:/);
  const levelsOnly = formatStatus('production', kept({ recovery: [] }));
  assert.doesNotMatch(levelsOnly, /\n {2}left:/);
  assert.match(levelsOnly, /\n {2}undone: {3}level code/);
});

test('status says whether a process that owns the rollout still runs: a rollback under way, or one that stopped and waits for a reconcile', async () => {
  const { statusCli } = await import('../../../src/cli/status.ts');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { FileStateStore } = await import('../../../src/state/file-store.ts');
  const dir = mkdtempSync(join(tmpdir(), 'status-owner-'));
  try {
    const store = new FileStateStore(dir);
    const record = kept({ owner: { kind: 'process', pid: 4242, host: 'ci-box' } });
    await store.write(record);
    const shown = async (state: 'running' | 'ended' | 'unknown', phase?: Rollout['phase']) => {
      if (phase) {
        await store.write({ ...record, seq: record.seq + 1, rollout: { ...record.rollout!, phase } });
      }
      let out = '';
      const code = await statusCli(
        { environment: 'production', config: 'deploy.yml', stateDir: dir },
        {
          out: (text) => (out += text),
          err: (text) => assert.fail(text),
          loadConfig: async () =>
            ({ target: { commands: { deploy: 'true' } }, environments: { production: {} } }) as never,
          ownerStatus: () =>
            state === 'unknown' ? { state, reason: 'on another host (ci-box)' } : { state },
        },
      );
      assert.equal(code, 0);
      return out;
    };
    assert.match(
      await shown('running'),
      /owned by process 4242 on ci-box \(running: it is rolling back now\)/,
    );
    assert.match(
      await shown('ended'),
      /owned by process 4242 on ci-box \(ended: its rollback stopped there, and a reconcile finishes it\)/,
    );
    assert.match(
      await shown('unknown'),
      /owned by process 4242 on ci-box \(whether it runs is not known here: on another host \(ci-box\)\)/,
    );
    assert.match(
      await shown('ended', 'production'),
      /\(ended without finishing it: a reconcile takes it over, as on_orphan says\)/,
    );
    assert.match(await shown('running'), /on ci-box \(running\)\n/);
    // --json carries it as data.
    let json = '';
    await statusCli(
      { environment: 'production', config: 'deploy.yml', stateDir: dir, json: true },
      {
        out: (text) => (json += text),
        err: (text) => assert.fail(text),
        loadConfig: async () =>
          ({ target: { commands: { deploy: 'true' } }, environments: { production: {} } }) as never,
        ownerStatus: () => ({ state: 'ended' }),
      },
    );
    assert.deepEqual(JSON.parse(json).owner, { state: 'ended' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('status of a handed-off rollout whose rollback began: its owner is asked, and it is not shown waiting', async () => {
  // A reconcile (`deploy-action abort`, or a bake's trigger) rolling back a handed-off rollout writes phase
  // rollback and keeps the wait; reconcile finishes it as that process's orphan once it ended. Status asked no
  // owner for it (the wait said "handed off") and showed it "waiting … (handed off: no process waits), baking
  // until …; `deploy-action reconcile` goes on once it is due": a bake, when its rollback was left half done.
  const { statusCli } = await import('../../../src/cli/status.ts');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { FileStateStore } = await import('../../../src/state/file-store.ts');
  const dir = mkdtempSync(join(tmpdir(), 'status-handed-off-rollback-'));
  try {
    const wait = {
      kind: 'bake' as const,
      step: 1,
      since: '2025-03-04T10:00:00.000Z',
      until: '2025-03-05T10:00:00.000Z',
      handedOff: true,
      looks: 2,
    };
    const record = kept({ owner: { kind: 'process', pid: 4242, host: 'ci-box' }, wait, levelsUndone: [] });
    await new FileStateStore(dir).write(record);
    const asked: number[] = [];
    let out = '';
    const code = await statusCli(
      { environment: 'production', config: 'deploy.yml', stateDir: dir },
      {
        out: (text) => (out += text),
        err: (text) => assert.fail(text),
        loadConfig: async () =>
          ({ target: { commands: { deploy: 'true' } }, environments: { production: {} } }) as never,
        ownerStatus: (owner) => {
          asked.push(owner.pid);
          return { state: 'ended' };
        },
      },
    );
    assert.equal(code, 0);
    assert.deepEqual(asked, [4242], 'the process rolling it back is asked');
    assert.match(
      out,
      /owned by process 4242 on ci-box \(ended: its rollback stopped there, and a reconcile finishes it\)/,
    );
    assert.doesNotMatch(out, /\n {2}waiting:/, 'a rollout being rolled back waits for nothing');
    assert.doesNotMatch(out, /baking until/);
    assert.match(out, /\n {2}left: {5}switch traffic green → blue/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('status of a handed-off rollout still waiting: no owner asked, its wait shown', () => {
  const shown = formatStatus(
    'production',
    kept({
      phase: 'production',
      levelsUndone: [],
      wait: {
        kind: 'bake',
        step: 1,
        since: '2025-03-04T10:00:00.000Z',
        until: '2025-03-05T10:00:00.000Z',
        handedOff: true,
      },
    }),
  );
  assert.match(
    shown,
    /\n {2}waiting: {2}since 2025-03-04T10:00:00.000Z \(handed off: no process waits\), baking until/,
  );
});
