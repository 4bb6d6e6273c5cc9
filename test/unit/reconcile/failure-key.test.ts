// The key of a reconcile rollback's failure (reconcile/run.ts rollbackFailureKey): what decides whether a
// scheduled reconcile that fails again notifies again. Pure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RollbackLevelRecord, StepRecord } from '../../../src/pipeline/events.ts';
import { rollbackFailureKey } from '../../../src/reconcile/run.ts';

const health = (reason: string, ok = false): StepRecord => ({
  environment: 'production',
  phase: 'rollback',
  step: { kind: 'health', slot: 'blue' } as StepRecord['step'],
  description: 'health on blue',
  result: ok ? { ok: true } : { ok: false, reason },
  durationMs: 31_400,
});
const level = (detail: string, ok = false): RollbackLevelRecord => ({
  name: 'flag',
  ok,
  detail,
  durationMs: 12,
});

test('a failure that differs in its measured numbers only (a time waited, a count of rounds, a timestamp) is the same failure', () => {
  // A health check still failing after the rollback said how long it waited, to the tenth of a second: every
  // run had a key of its own, and a reconcile every 5 minutes sent rollback_failed every time, as before the key.
  const a = rollbackFailureKey(
    [health('GET http://blue/healthz: 503; not ready after 30.2s (3 rounds)')],
    [level('exit 1: E1206 15:30:01.123456 4711 flag.go:12] refused')],
    true,
  );
  const b = rollbackFailureKey(
    [health('GET http://blue/healthz: 503; not ready after 31.4s (4 rounds)')],
    [level('exit 1: E1206 15:35:02.654321 4802 flag.go:12] refused')],
    true,
  );
  assert.equal(a, b);
});

test('another step or level failing, another reason in words, or the rollout no longer kept is another failure', () => {
  const base = rollbackFailureKey([health('GET http://blue/healthz: 503')], [level('exit 1: refused')], true);
  assert.match(base, /^[0-9a-f]{32}$/);
  const others = [
    rollbackFailureKey(
      [health('GET http://blue/healthz: connection refused')],
      [level('exit 1: refused')],
      true,
    ),
    rollbackFailureKey([health('', true)], [level('exit 1: refused')], true),
    rollbackFailureKey([health('GET http://blue/healthz: 503')], [level('', true)], true),
    rollbackFailureKey([health('GET http://blue/healthz: 503')], [level('exit 1: refused')], false),
  ];
  for (const other of others) assert.notEqual(other, base);
});
