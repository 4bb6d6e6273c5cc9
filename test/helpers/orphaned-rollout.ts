// A CLI rollout whose owning process died: the pid of a process that has exited, and the record's rollout of
// a canary at 50 % owned by a process on this host (reconcile's tests of orphans and of two reconciles).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rollout } from '../../src/state/record.ts';
import { recordedTarget, type RecordedTarget } from './recorded-target.ts';

/** The pid of a process that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn('true');
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

/**
 * A fresh directory (named after `prefix`) holding a recorded target, a state directory path and a deploy.yml
 * whose production is a canary on slots blue/green, v1 live on blue: where an orphaned rollout is reconciled.
 */
export function canaryReconcileDir(prefix: string): {
  dir: string;
  target: RecordedTarget;
  stateDir: string;
  configPath: string;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const target = recordedTarget(dir);
  const stateDir = join(dir, 'state');
  const configPath = join(dir, 'deploy.yml');
  writeFileSync(
    configPath,
    `state_dir: ${JSON.stringify(stateDir)}\n${target.targetYaml}  env:\n    CURRENT: '{"slot":"blue","version":"v1"}'\nenvironments:\n  production:\n    strategy: { type: canary, slots: [blue, green] }\n`,
  );
  return { dir, target, stateDir, configPath };
}
