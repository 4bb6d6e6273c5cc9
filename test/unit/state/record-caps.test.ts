// What a run writes into the environment record must read back: free text (versions, who, details, reasons)
// is cut to what recordSchema takes, with a marker saying so. A version the `current` command printed at any
// length, or a hostile name, used to grow the record without bound, and the next read refused it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { capText, emptyRecord, parseRecord, withTransition } from '../../../src/state/record.ts';
import { VERSION_RULE } from '../../../src/github/deployment-payload.ts';
import { drive, environment, input } from '../../helpers/machine-driver.ts';

const NOW = new Date('2026-03-01T10:00:00Z');

test('capText: within the limit as it is; past it, its start and a marker with the length, within the limit', () => {
  assert.equal(capText('v1.2.3', 200), 'v1.2.3');
  assert.equal(capText('x'.repeat(200), 200), 'x'.repeat(200));
  const cut = capText('x'.repeat(5000), 200);
  assert.equal(cut.length, 200);
  assert.ok(cut.endsWith('… [cut from 5000 characters]'), cut);
  assert.ok(cut.startsWith('xxxx'));
  // A cut version can never pass for a version to deploy.
  assert.ok(!VERSION_RULE.test(cut));
});

test('a huge version from the current command is cut in the record, which reads back; every write does', (t) => {
  const env = environment('  production:\n    strategy: { type: blue-green, scale_down_delay: 24h }');
  const huge = `v${'9'.repeat(20_000)}`;
  const r = drive(input(env, { live: { slot: 'blue', version: huge } }));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.ok(r.persists.length > 0);
  for (const p of r.persists) {
    const parsed = parseRecord(JSON.parse(JSON.stringify(p.record)));
    assert.ok(parsed.ok, `write ${p.record.seq}: ${!parsed.ok ? parsed.message : ''}`);
  }
  const record = r.result.record!;
  assert.equal(record.previous?.version, capText(huge, 200));
  assert.equal(record.retired[0]?.version, capText(huge, 200));
  assert.ok(JSON.stringify(record).length < 20_000, 'the record grew with the output');
  assert.equal(record.live?.version, 'v2', 'a value within the limit is kept as it is');

  // Through the file store: written, and read back believed.
  const dir = mkdtempSync(join(tmpdir(), 'record-caps-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new FileStateStore(dir);
  return store.write(record).then(() => {
    const read = store.readSync('production');
    assert.ok(read.ok, !read.ok ? read.message : '');
    assert.deepEqual(read.record, JSON.parse(JSON.stringify(record)));
  });
});

test('a hostile history entry (who, detail) is cut; a record with nothing long is left as it is', () => {
  const base = emptyRecord('local', 'production', NOW);
  const plain = withTransition(base, {}, { by: 'cli:box', event: 'succeeded', code: 'deployed' }, NOW);
  assert.deepEqual(plain, {
    ...base,
    seq: 1,
    history: [{ at: NOW.toISOString(), by: 'cli:box', event: 'succeeded', code: 'deployed' }],
  });

  const long = withTransition(
    base,
    {},
    { by: `@${'a'.repeat(1000)}`, event: 'failed', code: 'strategy_failed', detail: 'e'.repeat(1_000_000) },
    NOW,
  );
  const entry = long.history[0]!;
  assert.equal(entry.by.length, 200);
  assert.ok(entry.by.endsWith('… [cut from 1001 characters]'));
  assert.equal(entry.detail!.length, 1000);
  assert.ok(entry.detail!.endsWith('… [cut from 1000000 characters]'));
  assert.ok(parseRecord(JSON.parse(JSON.stringify(long))).ok);
});
