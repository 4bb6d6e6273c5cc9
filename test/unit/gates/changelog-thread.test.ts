// A big Liquibase XML changelog is validated and scanned for risks in the XML reports' worker thread: the
// validator reads it in one step that cannot stop, which held the event loop (and the cancel signal).
//
// How a test sees it without timing anything: the signal is aborted when a worker thread starts (the
// worker_threads diagnostics channel), at the next turn of the main thread. Read on the main thread, no thread starts, nothing aborts and the
// gate gives its verdict; read in the thread, the gate stops with the signal's reason and the thread ends.
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { migrationsGate } from '../../../src/gates/migrations.ts';
import type { GateContext } from '../../../src/gates/types.ts';

const CHANGESETS = 12_000;

/** A changelog of CHANGESETS column additions, the last one a dropTable. */
function bigChangelog(): string {
  const sets = Array.from(
    { length: CHANGESETS },
    (_, index) => `  <changeSet id="${index}" author="dev">
    <addColumn tableName="users"><column name="c${index}" type="int"/></addColumn>
  </changeSet>`,
  );
  sets.push(`  <changeSet id="last" author="dev">
    <dropTable tableName="orders"/>
  </changeSet>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
${sets.join('\n')}
</databaseChangeLog>
`;
}

async function run(t: { after(fn: () => Promise<void>): void }, signal: AbortSignal) {
  const cwd = await mkdtemp(join(tmpdir(), 'changelog-thread-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const text = bigChangelog();
  assert.ok(text.length > 1024 * 1024);
  await writeFile(join(cwd, 'changelog.xml'), text);
  const ctx: GateContext = { cwd, changedFiles: async () => [], signal, log: () => {}, env: {} };
  // No database: the gate scans the files, then blocks for want of a server, with the scan's findings.
  return migrationsGate.run(
    migrationsGate.schema.parse({ up: ['true'], down: ['true'], files: 'changelog.xml' }),
    ctx,
  );
}

test('a big XML changelog is read in a thread: its whole verdict when not cancelled', async (t) => {
  const verdict = await run(t, new AbortController().signal);
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.filter((f) => f.rule === 'migrations.drop-table').map((f) => [f.path, f.line]),
    [['changelog.xml', 3 * CHANGESETS + 4]],
  );
});

for (const when of ['at the next turn', 'as the thread is made'] as const) {
  test(`a cancel while a big XML changelog is read ends the read and its thread (${when})`, async (t) => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    const events: string[] = [];
    const onStart = ({ worker }: { worker: Worker }) => {
      events.push('thread started');
      worker.on('exit', () => events.push('thread exited'));
      // At the main thread's next turn the read is under way in the thread; inside Worker's constructor
      // the reader has not yet listened for the abort.
      if (when === 'at the next turn') setImmediate(() => controller.abort(reason));
      else controller.abort(reason);
    };
    dc.subscribe('worker_threads', onStart as (message: unknown) => void);
    try {
      await assert.rejects(run(t, controller.signal), reason);
    } finally {
      dc.unsubscribe('worker_threads', onStart as (message: unknown) => void);
    }
    assert.deepEqual(events, ['thread started', 'thread exited']);
  });
}
