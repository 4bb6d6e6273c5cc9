// What a write keeps of the record it rewrites, and what it never stores: a field this version does not know
// (written by a newer deploy-action) is kept through a read and a rewrite, and a credential a failing command
// printed into a history entry's detail is redacted before the record is stored (on GitHub, in a file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { parseRecord, withTransition, type EnvironmentRecord } from '../../../src/state/record.ts';

const NOW = new Date('2026-03-01T10:00:00Z');

/** The written record as JSON, with the fields the newer version added. */
interface Written {
  seq: number;
  locks: unknown;
  live: { region: string };
  retired: Array<{ reason: string }>;
  rollout: { traffic: unknown; owner: { job: string }; phase: string };
  history: Array<{ trace: string }>;
}
const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';

/** A record a newer deploy-action wrote: fields of its own at the top, in the rollout and in a history entry. */
function newerRecord(): Record<string, unknown> {
  return {
    schema: 1,
    repository: 'acme/shop',
    environment: 'production',
    seq: 4,
    updatedAt: '2026-03-01T09:00:00.000Z',
    live: { version: 'v1', since: '2026-03-01T08:00:00.000Z', region: 'eu-1' },
    retired: [{ slot: 'green', dueAt: '2026-03-02T08:00:00.000Z', reason: 'kept' }],
    rollout: {
      deploymentId: '77',
      version: 'v2',
      strategy: 'canary',
      phase: 'production',
      step: 1,
      steps: 3,
      startedAt: '2026-03-01T09:00:00.000Z',
      owner: { kind: 'workflow', runId: '4242', job: 'deploy' },
      recovery: [{ kind: 'set_weight', weight: 0 }],
      traffic: { mirrored: true },
    },
    history: [
      {
        at: '2026-03-01T09:00:00.000Z',
        by: 'workflow:4242',
        event: 'rollout_started',
        code: 'started',
        trace: 'abc',
      },
    ],
    locks: [{ by: 'erin', until: '2026-03-03T00:00:00.000Z' }],
  };
}

test('fields a newer version wrote are kept through a read and a rewrite, at every level', () => {
  const parsed = parseRecord(newerRecord());
  assert.ok(parsed.ok, !parsed.ok ? parsed.message : '');
  const next = withTransition(
    parsed.record,
    { rollout: { ...parsed.record.rollout!, phase: 'verify' } },
    { by: 'workflow:4242', event: 'phase', code: 'verify' },
    NOW,
  );
  const written = JSON.parse(JSON.stringify(next)) as Written;
  assert.deepEqual(written.locks, [{ by: 'erin', until: '2026-03-03T00:00:00.000Z' }]);
  assert.equal(written.live.region, 'eu-1');
  assert.equal(written.retired[0]?.reason, 'kept');
  assert.deepEqual(written.rollout.traffic, { mirrored: true });
  assert.equal(written.rollout.owner.job, 'deploy');
  assert.equal(written.rollout.phase, 'verify');
  assert.equal(written.history[0]?.trace, 'abc');
  // And what is written reads back as it was.
  const again = parseRecord(written);
  assert.ok(again.ok);
  assert.deepEqual(JSON.parse(JSON.stringify(again.record)), written);
});

test('through the file store: a record a newer version wrote keeps its fields when this one rewrites it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'record-fields-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new FileStateStore(dir);
  mkdirSync(join(dir, 'records'), { recursive: true });
  writeFileSync(store.pathFor('production'), JSON.stringify(newerRecord()));
  const read = await store.read('production');
  assert.ok(read.ok && read.record, !read.ok ? read.message : '');
  await store.write(withTransition(read.record, {}, { by: 'cli:box', event: 'phase', code: 'verify' }, NOW));
  const file = JSON.parse(readFileSync(store.pathFor('production'), 'utf8')) as Written;
  assert.equal(file.seq, 5);
  assert.deepEqual(file.locks, [{ by: 'erin', until: '2026-03-03T00:00:00.000Z' }]);
  assert.deepEqual(file.rollout.traffic, { mirrored: true });
});

test("a credential a failing command printed is redacted from a history entry's detail before it is stored", () => {
  const base = parseRecord(newerRecord());
  assert.ok(base.ok);
  const detail = `deploy failed: fatal: unable to access 'https://x-access-token:${TOKEN}@github.com/acme/shop.git/'`;
  const next = withTransition(
    base.record,
    {},
    { by: 'workflow:4242', event: 'failed', code: 'strategy_failed', detail },
    NOW,
  );
  const text = JSON.stringify(next);
  assert.ok(!text.includes(TOKEN), text);
  assert.match(
    next.history.at(-1)!.detail!,
    /^deploy failed: fatal: unable to access 'https:\/\/x-access-token:/,
  );
  // A bake's last look is a detail too.
  const looked = withTransition(
    base.record,
    {
      rollout: {
        ...base.record.rollout!,
        wait: {
          kind: 'bake',
          step: 1,
          since: NOW.toISOString(),
          handedOff: true,
          lastLook: { at: NOW.toISOString(), decision: 'hold', detail: `Authorization: Bearer ${TOKEN}` },
        },
      },
    },
    undefined,
    NOW,
  );
  assert.ok(!JSON.stringify(looked).includes(TOKEN));
  // A detail with nothing secret in it is kept as it is.
  const plain = withTransition(
    base.record,
    {},
    { by: 'cli:box', event: 'rolled_back', code: 'verify_failed', detail: 'health check on b: boom' },
    NOW,
  ) as EnvironmentRecord;
  assert.equal(plain.history.at(-1)!.detail, 'health check on b: boom');
});

test("a rollout's failureNotified key in another form (a newer version's) is read and kept, not the record refused", () => {
  const record = newerRecord();
  (record.rollout as Record<string, unknown>).failureNotified = 'v2:sha256:0f3c';
  const parsed = parseRecord(record);
  assert.ok(parsed.ok, !parsed.ok ? parsed.message : '');
  assert.equal(parsed.record.rollout?.failureNotified, 'v2:sha256:0f3c');
});

test("a rollout holding a step kind this version does not know is a newer deploy-action's record, refused as one", () => {
  // Its recovery ran as nothing: reconcile crashed half-way ('Cannot read properties of undefined'), after
  // announcing a step called "undefined"; a resume would have gone past it.
  const record = newerRecord();
  const rollout = record.rollout as Record<string, unknown>;
  for (const [where, changed] of [
    [
      'recovery',
      {
        ...rollout,
        recovery: [
          { kind: 'drain', slot: 'green' },
          { kind: 'teardown', slot: 'green' },
        ],
      },
    ],
    [
      'plan',
      { ...rollout, strategyState: { plan: [{ step: { kind: 'drain' }, reason: 'x' }], index: 0, holds: 0 } },
    ],
  ] as const) {
    const parsed = parseRecord({ ...record, rollout: changed });
    assert.equal(parsed.ok, false, where);
    assert.ok(!parsed.ok);
    assert.equal(parsed.newer, true, where);
    assert.equal(
      parsed.message,
      'was written by a newer deploy-action (its rollout holds a step of kind "drain", which this one does not know how to run or undo): run that version or a later one',
    );
  }
  // Every kind this version plans is read.
  const known = [
    'deploy',
    'health',
    'smoke',
    'warmup',
    'switch',
    'set_weight',
    'pause',
    'analysis',
    'rollback',
    'wait',
    'teardown',
  ];
  // With the closed-set field a wait or analysis step always has (without one it is damaged: below).
  const fields: Record<string, object> = { wait: { gate: 'manual' }, analysis: { phase: 'verify' } };
  const all = parseRecord({
    ...record,
    rollout: { ...rollout, recovery: known.map((kind) => ({ kind, ...fields[kind] })) },
  });
  assert.ok(all.ok);
});

test("an unknown value of any closed set the record holds is a newer deploy-action's, refused as one (never replaced)", () => {
  const record = newerRecord();
  const rollout = record.rollout as Record<string, unknown>;
  const wait = { kind: 'bake', step: 1, since: '2026-03-01T09:00:00.000Z', handedOff: true };
  const look = { at: '2026-03-01T09:30:00.000Z', decision: 'hold' };
  const plan = (step: Record<string, unknown>) => ({
    strategyState: { plan: [{ step, reason: 'x' }], index: 0, holds: 0 },
  });
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['wait.kind', { wait: { ...wait, kind: 'soak' } }, /a wait of kind "soak"/],
    [
      'lastLook.decision',
      { wait: { ...wait, lastLook: { ...look, decision: 'extend' } } },
      /a look that decided "extend"/,
    ],
    ['owner.kind', { owner: { kind: 'k8s-job', name: 'deploy-7' } }, /an owner of kind "k8s-job"/],
    [
      'deploy.version',
      { recovery: [{ kind: 'deploy', slot: 'blue', version: 'pinned' }] },
      /deploy step for version "pinned"/,
    ],
    ['wait.gate', plan({ kind: 'wait', gate: 'quorum', at: 'x' }), /wait step gated by "quorum"/],
    [
      'analysis.phase',
      plan({ kind: 'analysis', phase: 'shadow', windowMs: 1 }),
      /analysis step of phase "shadow"/,
    ],
  ];
  for (const [where, change, said] of cases) {
    const parsed = parseRecord({ ...record, rollout: { ...rollout, ...change } });
    assert.ok(!parsed.ok, where);
    assert.equal(parsed.newer, true, `${where}: ${parsed.message}`);
    assert.match(parsed.message, /^was written by a newer deploy-action \(its rollout holds /, where);
    assert.match(parsed.message, said, where);
    assert.match(parsed.message, /: run that version or a later one$/, where);
  }
  // Every value this version writes is read.
  for (const kind of ['manual', 'approval', 'bake', 'hold'])
    for (const decision of ['promote', 'hold', 'rollback'])
      assert.ok(
        parseRecord({
          ...record,
          rollout: { ...rollout, wait: { ...wait, kind, lastLook: { ...look, decision } } },
        }).ok,
      );
  assert.ok(
    parseRecord({ ...record, rollout: { ...rollout, owner: { kind: 'process', pid: 7, host: 'h' } } }).ok,
  );
  for (const version of ['new', 'previous'])
    assert.ok(
      parseRecord({ ...record, rollout: { ...rollout, recovery: [{ kind: 'deploy', version }] } }).ok,
    );
  for (const gate of ['manual', 'approval'])
    assert.ok(
      parseRecord({ ...record, rollout: { ...rollout, ...plan({ kind: 'wait', gate, at: 'x' }) } }).ok,
    );
  for (const phase of ['canary-step', 'pre-switch', 'post-switch', 'batch', 'verify', 'monitor', 'staging'])
    assert.ok(
      parseRecord({ ...record, rollout: { ...rollout, ...plan({ kind: 'analysis', phase, windowMs: 1 }) } })
        .ok,
    );
});

test("a malformed record is still damaged, not a newer version's: wrong types, missing fields, a known owner malformed", () => {
  const record = newerRecord();
  const rollout = record.rollout as Record<string, unknown>;
  const wait = { kind: 'bake', step: 1, since: '2026-03-01T09:00:00.000Z', handedOff: true };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['wait.kind a number', { wait: { ...wait, kind: 3 } }, /rollout\.wait\.kind/],
    ['wait.kind empty', { wait: { ...wait, kind: '' } }, /rollout\.wait\.kind/],
    [
      'wait without handedOff',
      { wait: { kind: 'bake', step: 1, since: wait.since } },
      /rollout\.wait\.handedOff/,
    ],
    [
      'lastLook.decision missing',
      { wait: { ...wait, lastLook: { at: '2026-03-01T09:30:00.000Z' } } },
      /rollout\.wait\.lastLook\.decision/,
    ],
    ['owner without kind', { owner: { runId: '1' } }, /rollout\.owner\.kind/],
    [
      'process owner with a bad pid',
      { owner: { kind: 'process', pid: -1, host: 'h' } },
      /rollout\.owner\.pid/,
    ],
    ['workflow owner without its run', { owner: { kind: 'workflow' } }, /rollout\.owner\.runId/],
  ];
  for (const [where, change, path] of cases) {
    const parsed = parseRecord({ ...record, rollout: { ...rollout, ...change } });
    assert.ok(!parsed.ok, where);
    assert.equal(parsed.newer, undefined, `${where}: ${parsed.message}`);
    assert.match(parsed.message, /^not a deploy-action state record: /, where);
    assert.match(parsed.message, path, `${where}: ${parsed.message}`);
  }
});

test("a step's closed-set field missing or of another type is damage at its path, not a newer version's nor read as good", () => {
  const record = newerRecord();
  const rollout = record.rollout as Record<string, unknown>;
  const plan = (step: Record<string, unknown>) => ({
    strategyState: { plan: [{ step, reason: 'x' }], index: 0, holds: 0 },
  });
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['wait step without a gate', plan({ kind: 'wait', at: 'x' }), /strategyState\.plan\.0\.step\.gate/],
    [
      'wait step gate a number',
      plan({ kind: 'wait', gate: 2, at: 'x' }),
      /strategyState\.plan\.0\.step\.gate/,
    ],
    ['analysis step without a phase', plan({ kind: 'analysis', windowMs: 1 }), /plan\.0\.step\.phase/],
    ['deploy version a number', { recovery: [{ kind: 'deploy', version: 2 }] }, /recovery\.0\.version/],
    ['deploy version empty', { recovery: [{ kind: 'deploy', version: '' }] }, /recovery\.0\.version/],
  ];
  for (const [where, change, path] of cases) {
    const parsed = parseRecord({ ...record, rollout: { ...rollout, ...change } });
    assert.ok(!parsed.ok, where);
    assert.equal(parsed.newer, undefined, `${where}: ${parsed.message}`);
    assert.match(parsed.message, /^not a deploy-action state record: rollout\./, where);
    assert.match(parsed.message, path, `${where}: ${parsed.message}`);
  }
  // A deploy step without a version (the new one) is as this version writes it.
  assert.ok(parseRecord({ ...record, rollout: { ...rollout, recovery: [{ kind: 'deploy' }] } }).ok);
});
