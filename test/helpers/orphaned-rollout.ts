// A CLI rollout whose owning process died: the pid of a process that has exited, and the record's rollout of
// a canary at 50 % owned by a process on this host (reconcile's tests of orphans and of two reconciles).
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import type { Rollout } from '../../src/state/record.ts';

/** The pid of a process that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('close', r));
  return child.pid!;
}

/** A canary rollout at step 5 of 12 (50 %), owned by process `pid` on this host, with its recovery steps. */
export function processRollout(pid: number): Rollout {
  return {
    deploymentId: 'cli-1',
    version: 'v2',
    strategy: 'canary',
    phase: 'production',
    step: 5,
    steps: 12,
    weight: 50,
    startedAt: new Date().toISOString(),
    owner: { kind: 'process', pid, host: hostname() },
    stableSlot: 'blue',
    newSlot: 'green',
    recovery: [
      { kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 },
      { kind: 'teardown', slot: 'green' },
    ],
  };
}
