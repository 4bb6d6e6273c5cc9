// The schedule file's lock appears naming its holder (never empty), so a change whose process was killed
// holding it is taken over at once, and a live holder's is never taken, however old it is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { repoRoot } from '../../helpers/cli.ts';
import { NODE, startProcess } from '../../helpers/processes.ts';
import { FileSchedule, ScheduleFileError, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { readOwnedFile } from '../../../src/util/lock-takeover.ts';

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'schedule-lock-owner-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

const run = (id: string): ScheduledRun => ({
  id,
  environment: 'production',
  version: 'v1',
  at: new Date(Date.now() + 3_600_000),
  requestedAt: new Date(),
});

/** A process whose change of the schedule stops inside the lock (its write never ends) and stays there. */
const HOLDER = `
import { FileSchedule } from ${JSON.stringify(join(repoRoot, 'src/schedule/file-schedule.ts'))};
class Holding extends FileSchedule {
  async write() {
    process.stdout.write('holding\\n');
    setInterval(() => {}, 60_000);
    await new Promise(() => {});
  }
}
const at = new Date(Date.now() + 3_600_000);
await new Holding(process.argv.at(-1)).add({ id: 'held', environment: 'production', version: 'v0', at, requestedAt: new Date() });
`;

const holder = (t: { after(fn: () => unknown): void }) =>
  startProcess(t, {
    command: NODE,
    args: ['--input-type=module', '-e', HOLDER, stateDir],
    ready: /holding/,
    name: 'schedule holder',
  });

test('while a change runs, its lock names the process making it', async () => {
  const seen: Array<string | undefined> = [];
  class Watching extends FileSchedule {
    override async write(environment: string, runs: readonly ScheduledRun[]): Promise<void> {
      seen.push(readOwnedFile(`${this.pathFor(environment)}.lock`));
      await super.write(environment, runs);
    }
  }
  await new Watching(stateDir).add(run('a'));
  assert.equal(seen.length, 1);
  const named = JSON.parse(seen[0] ?? 'null') as { pid?: number; host?: string } | null;
  assert.equal(named?.pid, process.pid);
  assert.equal(named?.host, hostname());
});

test('the lock of a change whose process was SIGKILLed is taken over at once', async (t) => {
  const killed = await holder(t);
  process.kill(killed.pid, 'SIGKILL');
  await killed.exited;
  const schedule = new FileSchedule(stateDir);
  await schedule.add(run('after'));
  assert.deepEqual(
    schedule.read('production').map((r) => r.id),
    ['after'],
  );
});

test('a live holder’s lock is never taken, however old: the change fails naming it', async (t) => {
  const live = await holder(t);
  // A wait of 1 s, not the 10 s default: a lock this old (past LOCK_STALE_MS) is judged at the first look,
  // and every look after it judges it the same way; waiting longer only repeats them.
  const schedule = new FileSchedule(stateDir, { lockWaitMs: 1_000 });
  const lock = `${schedule.pathFor('production')}.lock`;
  const old = new Date(Date.now() - 120_000);
  utimesSync(lock, old, old);
  await assert.rejects(
    schedule.add(run('waiting')),
    (error: Error) =>
      error instanceof ScheduleFileError &&
      error.message.includes(`process ${live.pid} on ${hostname()}`) &&
      error.message.includes('nothing was changed'),
  );
  assert.match(readOwnedFile(lock) ?? '', new RegExp(`"pid":${live.pid}`), 'still its lock');
  assert.deepEqual(schedule.read('production'), []);
});
