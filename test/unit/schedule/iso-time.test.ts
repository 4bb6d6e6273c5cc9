// parseIsoInstant (run --at, reconcile --at): an ISO 8601 / RFC 3339 instant with its offset, whatever the
// precision of its fraction of a second (Python's isoformat() writes microseconds, Go and `date +%N`
// nanoseconds); reconcile --at took those before the strict parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoInstant } from '../../../src/schedule/iso-time.ts';

for (const [text, iso] of [
  ['2026-12-01T10:00:00.5Z', '2026-12-01T10:00:00.500Z'],
  ['2026-12-01T10:00:00.123Z', '2026-12-01T10:00:00.123Z'],
  ['2026-12-01T10:00:00.123456+00:00', '2026-12-01T10:00:00.123Z'],
  ['2026-12-01T11:00:00.123456789+01:00', '2026-12-01T10:00:00.123Z'],
] as const) {
  test(`${text} is one instant`, () => {
    assert.equal(parseIsoInstant(text)?.toISOString(), iso);
  });
}

for (const text of ['2026-12-01T10:00:00.Z', '2026-12-01T10:00.123Z', '2026-12-01T10:00:00.1234567890Z']) {
  test(`${text} is refused`, () => {
    assert.equal(parseIsoInstant(text), undefined);
  });
}
