// A state directory with a production-only config and one run in the file schedule, already due: what the
// schedule's reconcile tests (a stale claim, a locked file of a removed environment) start from.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { RawConfig } from '../../src/config/schema.ts';
import { parseConfig } from '../../src/config/load.ts';
import { FileSchedule, type ScheduledRun } from '../../src/schedule/file-schedule.ts';

export interface DueSchedule {
  dir: string;
  config: RawConfig;
  schedule: FileSchedule;
  now: Date;
}

/**
 * A temporary directory (removed after the test) with a config whose state_dir is in it, and `run` added
 * to its schedule; `run` is given the test's `now` to place its times.
 */
export async function dueSchedule(
  t: TestContext,
  prefix: string,
  run: (now: Date) => ScheduledRun,
): Promise<DueSchedule> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configText = `state_dir: ${dir}/state\ntarget:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    strategy: { type: direct }\n`;
  const loaded = parseConfig(configText, join(dir, 'deploy.yml'));
  assert.ok(loaded.ok, JSON.stringify(loaded));
  const schedule = new FileSchedule(join(dir, 'state'));
  const now = new Date();
  await schedule.add(run(now));
  return { dir, config: loaded.config, schedule, now };
}
