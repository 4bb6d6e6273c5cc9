// `requires`: a commit that succeeded in the required environment and was then superseded still counts; one
// rolled back does not (app/facts/prior-environments.ts rolledBackSince). The pipeline writes the commit into
// every history entry (src/pipeline/machine/records.ts persist), so the record can tell; a record written before that
// still reads, replays and simply gives no credit from its history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgePrior, rolledBackSince } from '../../../app/facts/prior-environments.ts';
import { HISTORY_LIMIT, parseRecord, withTransition } from '../../../src/state/record.ts';
import type { EnvironmentRecord, HistoryEntry } from '../../../src/state/record.ts';
import { drive, environment, input, liveRecord, stored } from '../../helpers/machine-driver.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';

const P = 'a'.repeat(40); // live before X
const X = 'b'.repeat(40); // the commit asking for production
const B = 'c'.repeat(40); // a later release
const D = 'd'.repeat(40); // another later release

let minute = 0;
function entry(event: string, sha: string | undefined, version: string, code = event): HistoryEntry {
  minute += 1;
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    by: 'workflow:1',
    event,
    code,
    version,
    ...(sha ? { sha } : {}),
  };
}
/** One successful run: started, a phase, succeeded. */
const release = (sha: string | undefined, version: string): HistoryEntry[] => [
  entry('rollout_started', sha, version, 'started'),
  entry('phase', sha, version, 'verify'),
  entry('succeeded', sha, version, 'deployed'),
];
/** A run that failed and rolled back. */
const rolledBackRun = (sha: string, version: string): HistoryEntry[] => [
  entry('rollout_started', sha, version, 'started'),
  entry('rollback_started', sha, version, 'verify_failed'),
  entry('rolled_back', sha, version, 'verify_failed'),
];

function staging(history: HistoryEntry[], live: { sha: string; version: string }): EnvironmentRecord {
  return {
    schema: 1,
    repository: 'acme/web',
    environment: 'staging',
    seq: history.length,
    updatedAt: history.at(-1)!.at,
    live: { ...live, since: history.at(-1)!.at },
    retired: [],
    history,
  };
}
const judge = (r: EnvironmentRecord) => judgePrior('staging', { ok: true, record: r, source: 'test' }, X);

test('superseded: X succeeded, then a newer release B succeeded over it: X still counts', () => {
  const history = [...release(P, 'v1'), ...release(X, 'v2'), ...release(B, 'v3')];
  assert.deepEqual(rolledBackSince(history, X), { counts: true, at: history[5]!.at });
  assert.equal(judge(staging(history, { sha: B, version: 'v3' })), undefined);
  // A failed run of another commit after it does not touch X.
  const more = [...history, ...rolledBackRun(P, 'v4')];
  assert.equal(judge(staging(more, { sha: B, version: 'v3' })), undefined);
});

test('rolled back by /rollback: the next release after X put back the one live before it: X does not count', () => {
  const history = [...release(P, 'v1'), ...release(X, 'v2'), ...release(P, 'v1')];
  const verdict = rolledBackSince(history, X);
  assert.equal(verdict?.counts, false);
  const issue = judge(staging(history, { sha: P, version: 'v1' }));
  assert.equal(issue?.code, 'not_live');
  assert.match(issue!.message, /rolled back: aaaaaaa \(v1\), live there before it, replaced it/);
  // Going back to an older release than the one just before counts as rolled back too.
  const older = [...release(P, 'v1'), ...release(B, 'v3'), ...release(X, 'v2'), ...release(P, 'v1')];
  assert.equal(rolledBackSince(older, X)?.counts, false);
  // Later releases do not bring it back: the next one after X decides.
  const later = [...history, ...release(B, 'v3')];
  assert.equal(rolledBackSince(later, X)?.counts, false);
});

test('rolled back in its own run: a later run of X that failed there and rolled back: X does not count', () => {
  const history = [...release(P, 'v1'), ...release(X, 'v2'), ...release(B, 'v3'), ...rolledBackRun(X, 'v2')];
  const issue = judge(staging(history, { sha: B, version: 'v3' }));
  assert.equal(issue?.code, 'not_live');
  assert.match(issue!.message, /a rollout of it was rolled back \(rollback_started/);
  // Reconcile rolling back an orphaned rollout of X names it too.
  const orphan = [...release(P, 'v1'), ...release(X, 'v2'), ...release(B, 'v3')];
  orphan.push(entry('rollout_started', X, 'v2'), entry('orphan_rolled_back', X, 'v2'));
  assert.equal(rolledBackSince(orphan, X)?.counts, false);
  // ...but X succeeding again after that counts again (its last success decides).
  assert.equal(rolledBackSince([...orphan, ...release(X, 'v2'), ...release(D, 'v5')], X)?.counts, true);
});

test('not counted: no succeeded entry for X, or nothing left before it to tell a rollback from a release', () => {
  assert.equal(rolledBackSince([...release(P, 'v1'), ...release(B, 'v3')], X), undefined);
  // X's success with nothing before it in the (bounded) history: whether B went back cannot be told.
  const cut = [...release(X, 'v2'), ...release(B, 'v3')];
  const verdict = rolledBackSince(cut, X);
  assert.equal(verdict?.counts, false);
  assert.match(judge(staging(cut, { sha: B, version: 'v3' }))!.message, /cannot be told/);
});

test('a record written before entries named commits still reads, replays and gives no credit from its history', () => {
  const old = staging(
    [...release(undefined, 'v1'), ...release(undefined, 'v2'), ...release(undefined, 'v3')],
    {
      sha: B,
      version: 'v3',
    },
  );
  const parsed = parseRecord(JSON.parse(JSON.stringify(old)));
  assert.ok(parsed.ok);
  assert.equal(judge(parsed.record)?.code, 'not_live');
  // A new entry goes on top of the old ones; the old ones keep their shape (no sha added or required).
  const next = withTransition(
    parsed.record,
    {},
    { by: 'cli:box', event: 'phase', code: 'verify', sha: X },
    new Date(),
  );
  assert.ok(parseRecord(JSON.parse(JSON.stringify(next))).ok);
  assert.equal(next.history.at(-1)!.sha, X);
  assert.equal(next.history[0]!.sha, undefined);
  // After an upgrade: the first new release X over old entries, superseded, is compared by version there.
  const mixed = [...release(undefined, 'v1'), ...release(X, 'v2'), ...release(undefined, 'v1')];
  assert.equal(rolledBackSince(mixed, X)?.counts, false, 'v1 again is a rollback');
  const moved = [...release(undefined, 'v1'), ...release(X, 'v2'), ...release(B, 'v3')];
  assert.equal(rolledBackSince(moved, X)?.counts, true);
});

test('a sha that is not a short text is refused when read back', () => {
  const bad = staging([{ ...entry('succeeded', X, 'v2'), sha: 'x'.repeat(65) }], { sha: X, version: 'v2' });
  const parsed = parseRecord(JSON.parse(JSON.stringify(bad)));
  assert.equal(parsed.ok, false);
});

test('the pipeline writes the commit into its history entries, and the history stays bounded', () => {
  const env = environment('  production:\n    strategy: direct');
  const full = liveRecord(env.name);
  full.history = Array.from({ length: HISTORY_LIMIT }, () => entry('phase', undefined, 'v0'));
  const r = drive(input(env, { sha: X, stored: stored(full) }));
  assert.equal(r.result.status, 'succeeded');
  const history = r.result.record!.history;
  assert.equal(history.length, HISTORY_LIMIT);
  const succeeded = history.filter((h) => h.event === 'succeeded');
  assert.deepEqual(
    succeeded.map((h) => [h.sha, h.version]),
    [[X, 'v2']],
  );
  assert.ok(history.filter((h) => h.event === 'rollout_started').every((h) => h.sha === X));
  // A run that rolls back names its commit in its rollback entries.
  const failed = drive(input(env, { sha: X }), {
    step: (step) =>
      describeStep(step) === 'health check'
        ? { ok: false, reason: 'down' }
        : { ok: true, analysis: 'promote' },
  });
  const rollback = failed.result.record!.history.filter((h) => h.event === 'rollback_started');
  assert.equal(rollback.length, 1);
  assert.equal(rollback[0]!.sha, X);
});
