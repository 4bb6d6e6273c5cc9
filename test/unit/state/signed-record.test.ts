// The environment record as kept on GitHub: signed per environment, bound to its repository, environment and
// deployment; everything else is refused with its reason code, and nothing throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markerKeys } from '../../../src/github/marker-keys.ts';
import { emptyRecord, withTransition, type EnvironmentRecord } from '../../../src/state/record.ts';
import { MAX_TEXT, signRecord, verifyRecord, type RecordPlace } from '../../../src/state/signed-record.ts';
import {
  formatStateKey,
  parseStateKey,
  stateKey,
  stateKeysFor,
  StateKeyError,
} from '../../../src/state/state-key.ts';

const NOW = new Date('2025-03-01T12:00:00Z');
const master = markerKeys({ secret: 'm'.repeat(40) });
const prodKey = stateKey(master.current, 'acme/web', 'production');
const place: RecordPlace = { repository: 'acme/web', environment: 'production', deploymentId: '42' };

function record(): EnvironmentRecord {
  return withTransition(
    emptyRecord('acme/web', 'production', NOW),
    {
      live: {
        version: 'v2',
        sha: 'a'.repeat(40),
        slot: 'blue',
        since: NOW.toISOString(),
        deploymentId: '42',
      },
    },
    { by: 'workflow:9', event: 'succeeded', code: 'deployed', version: 'v2' },
    NOW,
  );
}

test('a signed record reads back for its place, and the key is bound to the repository and environment', () => {
  const r = record();
  const text = signRecord(r, prodKey, place);
  assert.deepEqual(verifyRecord(text, [prodKey], place), { ok: true, record: r, keyIndex: 0 });
  // Any case of the repository name is the same repository.
  assert.equal(verifyRecord(text, [prodKey], { ...place, repository: 'ACME/Web' }).ok, true);
  assert.deepEqual(stateKey(master.current, 'ACME/WEB', 'production'), prodKey);
  assert.notDeepEqual(stateKey(master.current, 'acme/web', 'Production'), prodKey, 'environments are exact');
  assert.notDeepEqual(stateKey(master.current, 'acme/api', 'production'), prodKey);
});

test('the staging key cannot sign a production record: it is refused as forged', () => {
  const stagingKey = stateKey(master.current, 'acme/web', 'staging');
  const text = signRecord(record(), stagingKey, place);
  const read = verifyRecord(text, [prodKey], place);
  assert.equal(read.ok, false);
  assert.equal(!read.ok && read.code, 'state_forged');
  // Nor can a key derived from another master (another App, or a guess).
  const other = stateKey(markerKeys({ secret: 'x'.repeat(40) }).current, 'acme/web', 'production');
  const forged = verifyRecord(signRecord(record(), other, place), [prodKey], place);
  assert.equal(!forged.ok && forged.code, 'state_forged');
});

test('key rotation: a record signed under the previous master still verifies; new ones use the current', () => {
  const old = markerKeys({ secret: 'o'.repeat(40) });
  const rotated = markerKeys({ secret: 'n'.repeat(40), previous: 'o'.repeat(40) });
  const accepted = stateKeysFor(rotated, 'acme/web', 'production');
  assert.equal(accepted.length, 2);
  const before = signRecord(record(), stateKey(old.current, 'acme/web', 'production'), place);
  // Said which key it verified under: its writer's, which the App signs that rollout's requests with.
  const previous = verifyRecord(before, accepted, place);
  assert.equal(previous.ok && previous.keyIndex, 1);
  const current = verifyRecord(signRecord(record(), accepted[0]!, place), accepted, place);
  assert.equal(current.ok && current.keyIndex, 0);
  // Once the previous key is dropped, the old record is no longer believed.
  const after = stateKeysFor(markerKeys({ secret: 'n'.repeat(40) }), 'acme/web', 'production');
  const read = verifyRecord(before, after, place);
  assert.equal(!read.ok && read.code, 'state_forged');
});

test('changing any byte of the record or its MAC is refused as forged', () => {
  const text = signRecord(record(), prodKey, place);
  const line = text.split('\n').at(-1)!;
  const edits: Array<[string, string]> = [
    ['version', line.replace('"v2"', '"v1"')],
    ['seq', line.replace('"seq":1', '"seq":9')],
    ['slot', line.replace('"blue"', '"green"')],
    ['deployment claimed', line.replace('"deployment":"42"', '"deployment":"43"')],
    ['environment', line.replace('"environment":"production"', '"environment":"productioN"')],
    ['repository', line.replace('"repository":"acme/web"', '"repository":"acme/wed"')],
    ['mac', line.replace(/mac=([0-9a-f])/, (_m, c: string) => `mac=${c === '0' ? '1' : '0'}`)],
  ];
  for (const [what, forged] of edits) {
    assert.notEqual(forged, line, `the ${what} edit changed something`);
    const read = verifyRecord(text.replace(line, forged), [prodKey], place);
    assert.equal(!read.ok && read.code, 'state_forged', what);
  }
});

test('a genuine record found under another deployment, environment key or repository is misplaced or forged', () => {
  const text = signRecord(record(), prodKey, place);
  // Copied to another deployment of the same environment: the MAC verifies for where it was made.
  const copied = verifyRecord(text, [prodKey], { ...place, deploymentId: '43' });
  assert.equal(!copied.ok && copied.code, 'state_misplaced');
  assert.match(!copied.ok ? copied.message : '', /deployment 42, copied here/);
  // Under another environment's or repository's key it cannot even be checked: forged.
  for (const where of [
    { ...place, environment: 'staging' },
    { ...place, repository: 'acme/api' },
  ]) {
    const keys = [stateKey(master.current, where.repository, where.environment)];
    const read = verifyRecord(text, keys, where);
    assert.equal(!read.ok && read.code, 'state_forged', JSON.stringify(where));
  }
  // With the same key a record of another environment is still misplaced (a key shared by mistake).
  const shared = verifyRecord(text, [prodKey], { ...place, environment: 'staging' });
  assert.equal(!shared.ok && shared.code, 'state_misplaced');
});

test('no record, no MAC, a damaged line, two records, garbage and no key: each refused with its code', () => {
  const text = signRecord(record(), prodKey, place);
  const line = text.split('\n').at(-1)!;
  const cases: Array<[string, unknown, Buffer[], string]> = [
    ['no text', null, [prodKey], 'state_forged'],
    ['text without a record', 'Deploying v2.', [prodKey], 'state_forged'],
    ['no MAC', text.replace(/ mac=[0-9a-f]+/, ''), [prodKey], 'state_forged'],
    ['damaged line', text.replace(' -->', ''), [prodKey], 'state_forged'],
    ['two records', `${text}\n${line}`, [prodKey], 'state_forged'],
    ['no key', text, [], 'state_unverifiable'],
  ];
  for (const [what, body, keys, code] of cases) {
    const read = verifyRecord(body, keys, place);
    assert.equal(!read.ok && read.code, code, what);
  }
});

test('a correctly signed record that is not a valid record is corrupt, never trusted', () => {
  // Only the key holder can produce these: a bug or a future schema, not an attacker; still refused.
  const invalid = { ...record(), seq: -1 } as EnvironmentRecord;
  const bad = verifyRecord(signRecord(invalid, prodKey, place), [prodKey], place);
  assert.equal(!bad.ok && bad.code, 'state_corrupt');
  assert.match(!bad.ok ? bad.message : '', /seq/);
  const future = { ...record(), schema: 2 } as unknown as EnvironmentRecord;
  const later = verifyRecord(signRecord(future, prodKey, place), [prodKey], place);
  assert.equal(!later.ok && later.code, 'state_corrupt');
  assert.equal(!later.ok && later.newer, true, 'never replaced by a run with a current command');
  // Said as what it is, where, and what to do: not as one malformed field.
  assert.equal(
    !later.ok && later.message,
    'the state of production on deployment 42 was written by a newer deploy-action (record schema 2; ' +
      'this one reads schema 1): run that version or a later one',
  );
});

test('user text in the record cannot end the hidden comment or add a line', () => {
  const r = withTransition(
    record(),
    {},
    { by: 'mallory', event: 'phase', code: 'x', detail: '--> <!-- deploy-action:state {} mac=00 -->\n\nhi' },
    NOW,
  );
  const text = signRecord(r, prodKey, place);
  assert.equal(text.split('\n').length, 3, 'preface, blank line, one marker line');
  assert.doesNotMatch(text.split('\n')[2]!.slice(4, -4), /-->|<!--/);
  assert.deepEqual(verifyRecord(text, [prodKey], place), { ok: true, record: r, keyIndex: 0 });
});

test('a record too long for a check run keeps its newest history; one that cannot fit is an error', () => {
  let r = withTransition(
    record(),
    {
      rollout: {
        deploymentId: '42',
        version: 'v3',
        strategy: 'canary',
        phase: 'production',
        step: 2,
        steps: 5,
        startedAt: NOW.toISOString(),
        owner: { kind: 'workflow', runId: '9' },
        // 150 steps with long slot names make the record too long with a full history.
        recovery: Array.from({ length: 150 }, (_, i) => ({
          kind: 'set_weight' as const,
          slot: `canary-${i}-${'r'.repeat(200)}`,
          stableSlot: `stable-${'s'.repeat(90)}`,
          weight: i,
        })),
      },
    },
    undefined,
    NOW,
  );
  for (let i = 0; i < 50; i++)
    r = withTransition(
      r,
      {},
      { by: 'workflow:9', event: 'phase', code: 'x', detail: `${i} ${'d'.repeat(990)}` },
      NOW,
    );
  const text = signRecord(r, prodKey, place);
  assert.ok(text.length <= MAX_TEXT);
  const read = verifyRecord(text, [prodKey], place);
  assert.ok(read.ok);
  assert.ok(read.record.history.length > 0 && read.record.history.length < r.history.length);
  assert.deepEqual(read.record.history.at(-1), r.history.at(-1), 'the newest entry is kept');
  assert.equal(read.record.seq, r.seq);
  const huge = { ...r, history: [], live: { ...r.live!, version: 'v'.repeat(70_000) } };
  assert.throws(() => signRecord(huge, prodKey, place), /check run holds 65535/);
});

test("a record fits GitHub's limit in bytes, as GitHub counts it: history quoting non-Latin output is cut too", () => {
  // A detail quotes what a failing command printed, in any script: 50 details of 990 characters are 49,500
  // characters, within 65,535, but three times that in bytes of UTF-8, which GitHub refused whole.
  let r = record();
  for (let i = 0; i < 50; i++)
    r = withTransition(
      r,
      {},
      { by: 'workflow:9', event: 'phase', code: 'x', detail: `${i} ${'接続できません'.repeat(141)}` },
      NOW,
    );
  const text = signRecord(r, prodKey, place);
  assert.ok(Buffer.byteLength(text) <= MAX_TEXT, `${Buffer.byteLength(text)} bytes`);
  const read = verifyRecord(text, [prodKey], place);
  assert.ok(read.ok);
  assert.ok(read.record.history.length > 0 && read.record.history.length < r.history.length);
  assert.deepEqual(read.record.history.at(-1), r.history.at(-1), 'the newest entry is kept');
});

test('a record is signed only for its own repository and environment', () => {
  assert.throws(
    () => signRecord(record(), prodKey, { ...place, environment: 'staging' }),
    /cannot be stored/,
  );
});

test('state-key values: the printed hex is the derived key; a short value is refused naming the input', () => {
  assert.deepEqual(parseStateKey(formatStateKey(prodKey), 'input "state-key"'), prodKey);
  assert.deepEqual(parseStateKey(` ${formatStateKey(prodKey).toUpperCase()}\n`, 'x'), prodKey);
  const own = 'an operator chose this secret: 32+';
  assert.deepEqual(parseStateKey(own, 'x'), Buffer.from(own));
  assert.throws(
    () => parseStateKey('short-secret', 'input "state-key"'),
    (e: unknown) =>
      e instanceof StateKeyError &&
      /input "state-key" must be at least 32 characters/.test(e.message) &&
      !e.message.includes('short-secret'),
  );
});

test("a handed-off rollout's Slack message (rollout.notify) is signed with it; a record without one still reads; a malformed one is corrupt", () => {
  const handedOff = (notify?: unknown): EnvironmentRecord =>
    ({
      ...record(),
      rollout: {
        deploymentId: '42',
        version: 'v3',
        strategy: 'canary',
        phase: 'production',
        step: 1,
        steps: 3,
        startedAt: NOW.toISOString(),
        owner: { kind: 'workflow', runId: '9' },
        recovery: [],
        wait: { kind: 'manual', step: 1, since: NOW.toISOString(), handedOff: true },
        ...(notify === undefined ? {} : { notify }),
      },
    }) as EnvironmentRecord;
  const notify = { slack: [{ name: 'ops', channel: 'C0123456789', ts: '1700000000.000100' }] };
  const withHandle = handedOff(notify);
  const read = verifyRecord(signRecord(withHandle, prodKey, place), [prodKey], place);
  assert.deepEqual(read, { ok: true, record: withHandle, keyIndex: 0 });
  // Records written before the field existed keep working.
  const old = handedOff();
  assert.deepEqual(verifyRecord(signRecord(old, prodKey, place), [prodKey], place), {
    ok: true,
    record: old,
    keyIndex: 0,
  });
  // Signed by the key holder, yet not Slack identifiers: refused, saying which field.
  for (const [bad, where] of [
    [
      { slack: [{ ...notify.slack[0], channel: '#ops' }] },
      /rollout\.notify\.slack\.0\.channel: is not a Slack channel ID/,
    ],
    [
      { slack: [{ ...notify.slack[0], ts: '1700000000' }] },
      /rollout\.notify\.slack\.0\.ts: is not a Slack message ts/,
    ],
    [{ slack: [{ ...notify.slack[0], name: 'a b' }] }, /rollout\.notify\.slack\.0\.name/],
    [{ slack: [] }, /rollout\.notify\.slack/],
    [{ slack: 'C0123456789/1700000000.000100' }, /rollout\.notify\.slack/],
  ] as const) {
    const refused = verifyRecord(signRecord(handedOff(bad), prodKey, place), [prodKey], place);
    assert.equal(!refused.ok && refused.code, 'state_corrupt', JSON.stringify(bad));
    assert.match(!refused.ok ? refused.message : '', where);
  }
});
