import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendMarkers, readMarkerBlock } from '../../../src/github/hidden-marker.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';
import {
  ANSWERED_MARKER,
  parseAnsweredPresses,
  pressBody,
  pressId,
  serializeAnsweredPress,
} from '../../../app/deploy/press-answer.ts';

const keys = markerKeys({ secret: 'press-answer-test-key-material-0123456789' });
const scope = { repository: 'acme/web', pullRequest: 7 };
const read = (body: string, where = scope, k = keys) =>
  parseAnsweredPresses(readMarkerBlock(body, [ANSWERED_MARKER], { keys: k, scope: where })).answered;

test('an answered press marker is read back only for its repository and pull request, under the App key', () => {
  const press = pressId('approve', {
    body: pressBody({ a: 1 }),
    delivery: '0b5c2f9e-1d2a-11f0-8e1a-6a3c1f0e2b7d',
  });
  const body = appendMarkers('**Approval by @alice not recorded**', [
    serializeAnsweredPress(press, keys, scope),
  ]);
  assert.deepEqual(read(body), [press]);
  assert.deepEqual(read(body, { repository: 'acme/web', pullRequest: 8 }), [], 'another pull request');
  assert.deepEqual(read(body, { repository: 'acme/other', pullRequest: 7 }), [], 'another repository');
  assert.deepEqual(
    read(body, scope, markerKeys({ secret: 'another-key-material-0123456789abcdef' })),
    [],
    'another key',
  );
  // A press edited after signing (another delivery) no longer verifies.
  assert.deepEqual(
    read(body.replace(`${press}"`, `${press.slice(0, -1)}${press.endsWith('0') ? '1' : '0'}"`)),
    [],
  );
});

test('a signed marker naming no press of a button is not read', () => {
  for (const press of ['approve:', 'deploy:abc', 'control:a b', `control:${'x'.repeat(101)}`])
    assert.deepEqual(read(appendMarkers('x', [serializeAnsweredPress(press, keys, scope)])), [], press);
});

test('a press told failed is not read as answered', () => {
  const press = pressId('control', { body: pressBody({ a: 1 }), delivery: 'd-1' });
  const body = appendMarkers('x', [serializeAnsweredPress(press, keys, scope, true)]);
  const markers = readMarkerBlock(body, [ANSWERED_MARKER], { keys, scope });
  assert.deepEqual(parseAnsweredPresses(markers), { answered: [], failed: [press] });
});

test("a press is named by its signed body and its delivery id: another body under someone else's id is not their press", () => {
  const alices = {
    check_run: { id: 5 },
    requested_action: { identifier: 'promote' },
    sender: { login: 'alice' },
  };
  const mallorys = { ...alices, sender: { login: 'mallory' } };
  // The same body parsed again (GitHub's redelivery sends the body it signed) names the same press.
  assert.equal(pressBody(JSON.parse(JSON.stringify(alices))), pressBody(alices));
  assert.notEqual(pressBody(mallorys), pressBody(alices));
  const id = (payload: unknown, delivery: string) =>
    pressId('control', { body: pressBody(payload), delivery });
  assert.equal(id(alices, 'd-1'), id(alices, 'd-1'), 'a redelivery');
  assert.notEqual(id(mallorys, 'd-1'), id(alices, 'd-1'), "mallory's body under alice's delivery id");
  assert.notEqual(id(alices, 'd-2'), id(alices, 'd-1'), 'the same body under another id: another press');
  assert.notEqual(pressId('approve', { body: pressBody(alices), delivery: 'd-1' }), id(alices, 'd-1'));
  // Within the marker's grammar, and free of the delivery id (which GitHub's signature does not cover).
  assert.match(id(alices, 'd-1'), /^control:[0-9a-f]{40}$/);
});
