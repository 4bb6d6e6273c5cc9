// The CLI's schedule file (<state_dir>/schedules/<environment>.json) as an older and a newer deploy-action
// write it. An older one's file (the format unchanged since the first: v 1, the same run fields) is read as it
// is. A newer one's (another `v`, or a run field added) holds runs still to start, so its refusal names the
// version and the fix (run that version) and never advises moving the file away, which would lose them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSchedule } from '../../../src/schedule/file-schedule.ts';

function scheduleDir(t: { after: (fn: () => void) => void }, text: string): FileSchedule {
  const dir = mkdtempSync(join(tmpdir(), 'schedule-format-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, 'state');
  mkdirSync(join(state, 'schedules'), { recursive: true, mode: 0o755 });
  writeFileSync(join(state, 'schedules', 'production.json'), text, { mode: 0o644 });
  return new FileSchedule(state);
}

// What the first version that kept schedules wrote (6a098b7b: FileSchedule.write, JSON.stringify(data, null, 2)).
const written = `{
  "v": 1,
  "runs": [
    {
      "id": "m3x1-ab12",
      "environment": "production",
      "version": "v2.3.0",
      "sha": "0123456789abcdef0123456789abcdef01234567",
      "strategy": "canary",
      "skipStaging": true,
      "at": "2026-12-01T09:00:00.000Z",
      "requestedAt": "2026-11-30T18:00:00.000Z"
    }
  ]
}
`;

test('a schedule file the first version wrote is read as it is', (t) => {
  const [run] = scheduleDir(t, written).read('production');
  assert.deepEqual(run, {
    id: 'm3x1-ab12',
    environment: 'production',
    version: 'v2.3.0',
    sha: '0123456789abcdef0123456789abcdef01234567',
    strategy: 'canary',
    skipStaging: true,
    at: new Date('2026-12-01T09:00:00.000Z'),
    requestedAt: new Date('2026-11-30T18:00:00.000Z'),
  });
});

test("a newer deploy-action's schedule file is refused with its version and the fix, not 'move it away'", (t) => {
  const newer = written.replace('"v": 1', '"v": 2');
  assert.throws(
    () => scheduleDir(t, newer).read('production'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'schedule_unreadable');
      assert.match(
        error.message,
        /production\.json was written by a newer deploy-action \(schedule file v2; this one reads v1\)/,
      );
      assert.match(
        error.message,
        /run that version or a later one, which starts its runs; it is left as it is$/,
      );
      assert.doesNotMatch(error.message, /move it away/);
      return true;
    },
  );
});

test('a run field this version does not know is named, as a newer version wrote it', (t) => {
  const added = written.replace(
    '"skipStaging": true,',
    '"skipStaging": true,\n      "params": { "region": "eu" },',
  );
  assert.throws(
    () => scheduleDir(t, added).read('production'),
    (error: Error) => {
      assert.match(
        error.message,
        /holds a field this version does not know \(runs\.0: params\), written by a newer deploy-action/,
      );
      assert.doesNotMatch(error.message, /move it away/);
      return true;
    },
  );
});

test('a damaged schedule file says what is wrong where, and that moving it away drops its runs', (t) => {
  const damaged = written.replace('"at": "2026-12-01T09:00:00.000Z"', '"at": "soon"');
  assert.throws(
    () => scheduleDir(t, damaged).read('production'),
    /production\.json is not a schedule this version reads \(runs\.0\.at: .+\); move it away to start over \(its runs are not started\)$/,
  );
});
