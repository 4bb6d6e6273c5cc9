// Records read back (the CLI's files, today's state.json, a record's history) keyed by names a user chose:
// an environment, an event or a field named like an Object.prototype property ("constructor", "toString") is
// read as the name it is. The legacy state.json refused the environment "constructor" as corrupt (its map
// gave Object's function), the DORA history counted an event named so as an ending with no state, and a
// field named so had its text cut to nothing when the record was written.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENVIRONMENT_NAME } from '../../../src/config/schema.ts';
import { historyFacts } from '../../../src/metrics/history.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import {
  capRecordText,
  emptyRecord,
  withTransition,
  type EnvironmentRecord,
} from '../../../src/state/record.ts';

const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
/** The ones an environment may be called (deploy.yml's rule). */
const ENVIRONMENTS = NAMES.filter((n) => ENVIRONMENT_NAME.test(n));
const NOW = new Date('2026-03-01T10:00:00Z');

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'prototype-names-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test("an environment named like an Object.prototype property has no entry in today's state.json, nor a corrupt one", async (t) => {
  const d = dir(t);
  const legacy = { version: 'v7', deployedAt: '2026-02-27T09:00:00.000Z' };
  writeFileSync(join(d, 'state.json'), JSON.stringify({ schema: 1, environments: { production: legacy } }));
  const store = new FileStateStore(d);
  assert.ok(ENVIRONMENTS.length >= 7, ENVIRONMENTS.join(' '));
  for (const name of ENVIRONMENTS)
    assert.deepEqual(
      await store.read(name),
      { ok: true, record: undefined, source: join(d, 'state.json') },
      name,
    );

  // Where the file has one by that name, it is that environment's.
  const named = dir(t);
  writeFileSync(
    join(named, 'state.json'),
    JSON.stringify({
      schema: 1,
      environments: Object.fromEntries(ENVIRONMENTS.map((n) => [n, { ...legacy, version: n }])),
    }),
  );
  const own = new FileStateStore(named);
  for (const name of ENVIRONMENTS) {
    const read = await own.read(name);
    assert.ok(read.ok, JSON.stringify(read));
    assert.equal(read.record?.live?.version, name);
  }
});

test('a record of an environment named like an Object.prototype property is written and read back as it was', async (t) => {
  const store = new FileStateStore(join(dir(t), 'state'));
  for (const name of ENVIRONMENTS) {
    const record = withTransition(
      emptyRecord('local', name, NOW),
      { live: { version: name, since: NOW.toISOString() } },
      { by: name, event: 'succeeded', code: 'deployed', version: name },
      NOW,
    );
    await store.write(record);
    const read = await store.read(name);
    assert.ok(read.ok, JSON.stringify(read));
    assert.deepEqual(read.record, record, name);
  }
});

test('a history event named like an Object.prototype property ends no run, as any event this version does not know', () => {
  const history = (event: string): EnvironmentRecord => ({
    ...emptyRecord('local', 'production', NOW),
    history: [
      { at: '2026-03-01T09:00:00.000Z', by: 'cli', event: 'rollout_started', code: 'started' },
      { at: '2026-03-01T09:01:00.000Z', by: 'cli', event, code: 'x' },
    ],
  });
  const unknown = historyFacts(history('a_later_event'));
  assert.deepEqual(unknown[0]?.statuses, [
    { state: 'in_progress', at: Date.parse('2026-03-01T09:00:00.000Z') },
  ]);
  for (const name of [...NAMES, '__proto__']) assert.deepEqual(historyFacts(history(name)), unknown, name);
});

test("a record's field named like an Object.prototype property keeps its text when the record's texts are capped", () => {
  for (const name of [...NAMES, '__proto__']) {
    const written = JSON.parse(`{"version":"v1","later":{${JSON.stringify(name)}:"some text"}}`) as object;
    assert.equal(JSON.stringify(capRecordText(written)), JSON.stringify(written), name);
  }
});
