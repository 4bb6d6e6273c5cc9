// Control requests signed into check run text: only the holder of the environment's state key can write one
// that verifies, and only for the repository, environment and deployment it was made for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendMarkers, writeMarker } from '../../../src/github/hidden-marker.ts';
import { carriesControlRequest, signControlRequest, verifyControlText } from '../../../src/control/signed.ts';
import type { ControlRequest } from '../../../src/control/request.ts';

const key = randomBytes(32);
const place = { repository: 'acme/web', environment: 'production', deploymentId: '42' };
const request: ControlRequest = {
  id: 'comment:1001',
  verb: 'abort',
  by: 'alice',
  at: '2025-01-01T00:00:00.000Z',
  deploymentId: '42',
  sha: 'a'.repeat(40),
  step: 2,
  reason: 'errors <!-- up --> & "spiking"',
  approver: true,
  source: 'comment',
};

test('a signed request verifies for its place, under the current or a previous key, and reads back whole', () => {
  const text = signControlRequest(request, key, place);
  assert.ok(carriesControlRequest(text));
  assert.deepEqual(verifyControlText(text, [key], place), { ok: true, request });
  assert.deepEqual(verifyControlText(text, [randomBytes(32), key], place), { ok: true, request });
  // The repository compares without case, as GitHub does.
  assert.ok(verifyControlText(text, [key], { ...place, repository: 'Acme/Web' }).ok);
  // User text cannot end the hidden comment early: the only comment terminator is the marker's own.
  assert.equal(text.match(/-->/g)?.length, 1);
});

test('signing a request for another deployment than the place is refused', () => {
  assert.throws(() => signControlRequest({ ...request, deploymentId: '7' }, key, place), /deployment 7/);
});

test('a request signed with another key is forged', () => {
  const text = signControlRequest(request, randomBytes(32), place);
  const verified = verifyControlText(text, [key], place);
  assert.equal(verified.ok, false);
  assert.equal(!verified.ok && verified.code, 'control_forged');
});

test('a genuine request read for another environment, deployment or repository is misplaced', () => {
  const text = signControlRequest(request, key, place);
  for (const other of [
    { ...place, environment: 'staging' },
    { ...place, deploymentId: '43' },
    { ...place, repository: 'acme/api' },
  ]) {
    const verified = verifyControlText(text, [key], other);
    assert.equal(verified.ok, false, JSON.stringify(other));
    if (verified.ok) continue;
    assert.equal(verified.code, 'control_misplaced');
    assert.deepEqual(verified.signedFor, place);
    assert.match(verified.message, /genuine request for acme\/web production deployment 42/);
  }
});

test('editing any part of the signed text, or the request in it, makes it forged', () => {
  const text = signControlRequest(request, key, place);
  const edits = [
    text.replace('"verb":"abort"', '"verb":"promote"'),
    text.replace('"step":2', '"step":3'),
    text.replace('"deployment":"42"', '"deployment":"43"'),
    text.replace(/mac=[0-9a-f]{4}/, 'mac=0000'),
    text.replace(/ mac=[0-9a-f]{64}/, ''),
  ];
  for (const edited of edits) {
    assert.notEqual(edited, text);
    const verified = verifyControlText(edited, [key], place);
    assert.equal(!verified.ok && verified.code, 'control_forged', edited);
  }
  // A second request appended under the genuine one is not read as either.
  const doubled = `${text}\n${text.split('\n').at(-1)}`;
  const twice = verifyControlText(doubled, [key], place);
  assert.equal(!twice.ok && twice.code, 'control_forged');
  assert.match(!twice.ok ? twice.message : '', /more than one/);
  // A marker moved above the trailing block is not read.
  const moved = `${text.split('\n').at(-1)}\n\nsome text`;
  assert.equal(verifyControlText(moved, [key], place).ok, false);
});

test('a MAC that verifies over something that is not a request is corrupt, with the field that is wrong', () => {
  const keys = { current: key, accepted: [key] };
  const scope = {
    repository: place.repository,
    subject: JSON.stringify([place.environment, place.deploymentId]),
  };
  const bad = (data: unknown) => appendMarkers('x', [writeMarker('control', data, keys, scope)]);
  const base = { repository: 'acme/web', environment: 'production', deployment: '42' };
  const cases: Array<[unknown, RegExp]> = [
    [{ ...base, request: { ...request, verb: 'merge' } }, /verb/],
    [{ ...base, request: { ...request, step: 1.5 } }, /step/],
    [{ ...base, request: { ...request, verb: 'promote', extra: 1 } }, /extra|unrecognized/i],
    [{ ...base }, /root|request/],
  ];
  for (const [data, field] of cases) {
    const verified = verifyControlText(bad(data), [key], place);
    assert.equal(!verified.ok && verified.code, 'control_corrupt', JSON.stringify(data));
    assert.match(!verified.ok ? verified.message : '', field);
  }
  // Signed for this place but naming another deployment in the request: misplaced, never acted on.
  const other = verifyControlText(bad({ ...base, request: { ...request, deploymentId: '9' } }), [key], place);
  assert.equal(!other.ok && other.code, 'control_misplaced');
});

test('text without a request does not claim one; a damaged marker does and is refused', () => {
  assert.equal(carriesControlRequest('This rollout is waiting.'), false);
  assert.equal(carriesControlRequest(null), false);
  assert.equal(carriesControlRequest(undefined), false);
  const damaged = 'text\n\n<!-- deploy-action:control {"request":{}} -->';
  assert.ok(carriesControlRequest(damaged));
  const verified = verifyControlText(damaged, [key], place);
  assert.equal(!verified.ok && verified.code, 'control_forged');
  assert.match(!verified.ok ? verified.message : '', /not signed/);
  // Nothing to check against: refused, never trusted.
  const unkeyed = verifyControlText(signControlRequest(request, key, place), [], place);
  assert.equal(unkeyed.ok, false);
  assert.match(!unkeyed.ok ? unkeyed.message : '', /no state key/);
});

test('a state record marker is not a control request (a different kind)', () => {
  const keys = { current: key, accepted: [key] };
  const scope = {
    repository: place.repository,
    subject: JSON.stringify([place.environment, place.deploymentId]),
  };
  const text = appendMarkers('x', [
    writeMarker(
      'state',
      { repository: 'acme/web', environment: 'production', deployment: '42', request },
      keys,
      scope,
    ),
  ]);
  assert.equal(carriesControlRequest(text), false);
  assert.equal(verifyControlText(text, [key], place).ok, false);
});

test('a genuine /abort or /pause a newer version wrote with fields this one does not know is acted on; a /promote is not', () => {
  // A rolling upgrade: the newer App records requests with a field added since, while this version's job
  // rolls out. Refused as corrupt, its /abort was lost and the canary went on to 100 %.
  const keys = { current: key, accepted: [key] };
  const scope = {
    repository: place.repository,
    subject: JSON.stringify([place.environment, place.deploymentId]),
  };
  const base = { repository: 'acme/web', environment: 'production', deployment: '42' };
  const newer = (verb: string) =>
    appendMarkers('x', [
      writeMarker('control', { ...base, request: { ...request, verb, scope: 'all-regions' } }, keys, scope),
    ]);
  for (const verb of ['abort', 'pause'] as const)
    assert.deepEqual(verifyControlText(newer(verb), [key], place), {
      ok: true,
      request: { ...request, verb },
    });
  for (const verb of ['promote', 'resume']) {
    const verified = verifyControlText(newer(verb), [key], place);
    assert.equal(!verified.ok && verified.code, 'control_corrupt', verb);
    assert.match(!verified.ok ? verified.message : '', /unknown key "scope"/);
  }
  // A known field that does not check is refused whatever the verb: not a newer format, a broken one.
  const broken = appendMarkers('x', [
    writeMarker('control', { ...base, request: { ...request, step: 'two', scope: 1 } }, keys, scope),
  ]);
  assert.equal(verifyControlText(broken, [key], place).ok, false);
});

test('a revocation the App signs reads back whole, and one with a field this version does not know still acts', () => {
  const revoke: ControlRequest = {
    id: 'revoke:carol:comment:1002',
    verb: 'revoke',
    by: 'carol',
    at: '2025-01-01T00:00:01.000Z',
    deploymentId: '42',
    sha: 'a'.repeat(40),
    step: 2,
    reason: 'not_an_approver',
    source: 'comment',
  };
  assert.deepEqual(verifyControlText(signControlRequest(revoke, key, place), [key], place), {
    ok: true,
    request: revoke,
  });
  // A newer version's revocation with a field added: it only counts an approval out, so it is acted on.
  const newer = signControlRequest({ ...revoke, since: 'x' } as ControlRequest, key, place);
  assert.deepEqual(verifyControlText(newer, [key], place), { ok: true, request: revoke });
});
