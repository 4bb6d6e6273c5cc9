import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import {
  ownerStatusFor,
  processStart,
  processStatus,
  thisProcessOwner,
  workflowRunStatus,
  type WorkflowRunsApi,
} from '../../../src/reconcile/owner.ts';
import { emptyRecord, parseRecord } from '../../../src/state/record.ts';

function api(answer: { status: string | null; conclusion: string | null } | { error: number | Error }) {
  const calls: unknown[] = [];
  const value: WorkflowRunsApi = {
    actions: {
      async getWorkflowRun(p) {
        calls.push(p);
        if ('error' in answer) {
          if (answer.error instanceof Error) throw answer.error;
          throw Object.assign(new Error(`HTTP ${answer.error}`), { status: answer.error });
        }
        return { data: answer };
      },
    },
  };
  return { value, calls };
}

const where = { owner: 'o', repo: 'r' };

describe('workflowRunStatus', () => {
  it('asks for the run by its numeric id', async () => {
    const a = api({ status: 'in_progress', conclusion: null });
    await workflowRunStatus(a.value, where, '4242');
    assert.deepEqual(a.calls, [{ owner: 'o', repo: 'r', run_id: 4242 }]);
  });

  for (const status of ['queued', 'in_progress', 'waiting', 'requested', 'pending']) {
    it(`${status} → running`, async () => {
      assert.deepEqual(await workflowRunStatus(api({ status, conclusion: null }).value, where, '1'), {
        state: 'running',
      });
    });
  }

  for (const conclusion of ['success', 'failure', 'cancelled']) {
    it(`completed (${conclusion}) → ended with that conclusion`, async () => {
      assert.deepEqual(await workflowRunStatus(api({ status: 'completed', conclusion }).value, where, '1'), {
        state: 'ended',
        conclusion,
      });
    });
  }

  it('404 → ended (not_found): a deleted run will never finish the rollout', async () => {
    assert.deepEqual(await workflowRunStatus(api({ error: 404 }).value, where, '1'), {
      state: 'ended',
      conclusion: 'not_found',
    });
  });

  it('any other failure → unknown, never ended', async () => {
    for (const error of [500, 403, new Error('socket hang up')]) {
      const s = await workflowRunStatus(api({ error }).value, where, '1');
      assert.equal(s.state, 'unknown', String(error));
    }
  });

  it('a status it does not know → unknown', async () => {
    const s = await workflowRunStatus(api({ status: 'something_new', conclusion: null }).value, where, '1');
    assert.equal(s.state, 'unknown');
  });

  it('a run id that is not a number → unknown without a request', async () => {
    const a = api({ status: 'completed', conclusion: 'failure' });
    assert.equal((await workflowRunStatus(a.value, where, 'abc')).state, 'unknown');
    assert.equal(a.calls.length, 0);
  });
});

describe('processStatus', () => {
  it('this process is running', () => {
    assert.deepEqual(processStatus({ pid: process.pid, host: hostname() }), { state: 'running' });
  });

  it('a process that has exited has ended', async () => {
    const child = spawn('true');
    const pid = child.pid!;
    await new Promise((r) => child.on('close', r));
    assert.deepEqual(processStatus({ pid, host: hostname() }), { state: 'ended' });
  });

  it('another host → unknown (its processes cannot be seen from here)', () => {
    const s = processStatus({ pid: process.pid, host: `not-${hostname()}` });
    assert.equal(s.state, 'unknown');
  });

  it('EPERM (exists, another user) → running', () => {
    const probe = {
      host: 'h',
      kill: () => {
        throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      },
    };
    assert.deepEqual(processStatus({ pid: 1, host: 'h' }, probe), { state: 'running' });
  });

  // Only where the kernel says when a process started (Linux /proc); elsewhere the pid alone decides.
  const linux = { skip: process.platform !== 'linux' && 'no /proc here' };
  it(
    'a pid the kernel gave to another process after the owner died → ended, not running for ever',
    linux,
    () => {
      const started = processStart(process.pid);
      assert.match(started ?? '', /^[\w-]+:\d+$/);
      const owner = thisProcessOwner();
      assert.equal(owner.started, started);
      assert.deepEqual(processStatus(owner), { state: 'running' });
      // The same pid, alive, but started at another tick than the owner recorded: a reused pid.
      const [boot, tick] = started!.split(':');
      assert.deepEqual(processStatus({ ...owner, started: `${boot}:${Number(tick) + 1}` }), {
        state: 'ended',
      });
      assert.deepEqual(processStatus({ ...owner, started: `another-boot:${tick}` }), { state: 'ended' });
      // A record written before owners had a start time: the pid alone, as before.
      assert.deepEqual(processStatus({ pid: owner.pid, host: owner.host }), { state: 'running' });
    },
  );

  it("a record keeps its process owner's start: it reads back as written", linux, () => {
    const owner = thisProcessOwner();
    const at = new Date('2026-12-01T00:00:00Z');
    const record = {
      ...emptyRecord('acme/web', 'production', at),
      rollout: {
        ...{ deploymentId: '42', version: 'v3', strategy: 'canary', phase: 'production', step: 1, steps: 3 },
        ...{ startedAt: at.toISOString(), owner, recovery: [] },
      },
    };
    const read = parseRecord(JSON.parse(JSON.stringify(record)));
    assert.ok(read.ok, JSON.stringify(read));
    assert.deepEqual(read.record.rollout?.owner, owner);
  });

  it("another user's process that was given the owner's pid (EPERM) is not the owner either", () => {
    const probe = {
      host: 'h',
      kill: () => {
        throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      },
      started: () => 'boot:200',
    };
    assert.deepEqual(processStatus({ pid: 7, host: 'h', started: 'boot:100' }, probe), { state: 'ended' });
    assert.deepEqual(processStatus({ pid: 7, host: 'h', started: 'boot:200' }, probe), { state: 'running' });
  });

  it('a probe that cannot tell when a process started decides by the pid alone', () => {
    const probe = { host: 'h', kill: () => {}, started: () => undefined };
    assert.deepEqual(processStatus({ pid: 7, host: 'h', started: 'b:1' }, probe), { state: 'running' });
  });
});

describe('ownerStatusFor', () => {
  it('a workflow owner without a GitHub API → unknown', async () => {
    const s = await ownerStatusFor({})({ kind: 'workflow', runId: '1' });
    assert.equal(s.state, 'unknown');
  });

  it('a workflow owner is asked of the API, a process owner of the probe', async () => {
    const a = api({ status: 'completed', conclusion: 'cancelled' });
    const lookup = ownerStatusFor({
      github: { api: a.value, ...where },
      probe: {
        host: 'h',
        kill: () => {
          throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
        },
      },
    });
    assert.deepEqual(await lookup({ kind: 'workflow', runId: '9' }), {
      state: 'ended',
      conclusion: 'cancelled',
    });
    assert.deepEqual(await lookup({ kind: 'process', pid: 5, host: 'h' }), { state: 'ended' });
    assert.equal(a.calls.length, 1);
  });
});
