// A removed environment's record that its store refused (src/reconcile/stray.ts): reconcile does not know what
// it holds, so it is reported with the store's code and why, never passed over as holding nothing. Only one
// others may write fails the run (refusalFails), as for a configured environment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusalFails } from '../../../src/reconcile/run.ts';
import { strayEntry } from '../../../src/reconcile/stray.ts';
import type { RefusalCode } from '../../../src/state/record.ts';

const CODES: RefusalCode[] = [
  'state_forged',
  'state_misplaced',
  'state_stale',
  'state_corrupt',
  'state_unverifiable',
  'state_unavailable',
  'state_untrusted',
  'state_buried',
];

test('every kind of refused record of a removed environment is reported with its code and why; only state_untrusted fails', () => {
  for (const code of CODES) {
    const said = strayEntry(
      'old',
      { ok: false, code, message: `why ${code}`, source: '/state/records/old.json' },
      '/state/records/old.json',
    );
    assert.ok(said, `${code}: reported, not skipped`);
    assert.equal(said.environment, 'old');
    assert.equal(said.code, code);
    assert.equal(said.failed, code === 'state_untrusted', code);
    assert.equal(said.failed, refusalFails(code), `${code}: the configured environments' rule`);
    assert.match(said.message, new RegExp(`^why ${code} \\(/state/records/old\\.json\\); not acted on`));
    assert.match(said.message, /what it holds is not known: the config no longer defines old/);
    assert.deepEqual(said.steps, []);
  }
});
