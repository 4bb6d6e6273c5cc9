// The app's hidden markers: authenticated per repository and pull request, written and read only as the
// trailing block of a body, with a key rotation that keeps the previous key's markers readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { appendMarkers, readMarkerBlock, writeMarker } from '../../../src/github/hidden-marker.ts';
import type { TamperReport } from '../../../src/github/hidden-marker.ts';
import { MarkerKeyError, markerKeys } from '../../../src/github/marker-keys.ts';

const SECRET = 's'.repeat(32);
const keys = markerKeys({ secret: SECRET });
const scope = { repository: 'acme/web', pullRequest: 7 };
const data = { v: 1, env: 'production' };

function read(body: string, k = keys, s = scope) {
  const tampered: TamperReport[] = [];
  const markers = readMarkerBlock(body, ['approval', 'gate'], {
    keys: k,
    scope: s,
    onTamper: (t) => tampered.push(t),
  });
  return { markers, tampered };
}

test('a marker reads back only for its repository (any case) and pull request, under its key', () => {
  const body = appendMarkers('Approved.', [writeMarker('approval', data, keys, scope)]);
  assert.deepEqual(read(body).markers, [{ kind: 'approval', data }]);
  assert.deepEqual(read(body, keys, { repository: 'ACME/Web', pullRequest: 7 }).markers, [
    { kind: 'approval', data },
  ]);
  for (const other of [
    { repository: 'acme/web', pullRequest: 8 },
    { repository: 'acme/api', pullRequest: 7 },
    { repository: 'evil/web', pullRequest: 7 },
  ]) {
    const { markers, tampered } = read(body, keys, other);
    assert.deepEqual(markers, [], JSON.stringify(other));
    assert.deepEqual(tampered, [{ kind: 'approval', reason: 'bad_mac' }]);
  }
  assert.deepEqual(read(body, markerKeys({ secret: 't'.repeat(32) })).markers, [], 'another key');
});

test('every change to the kind or the content breaks the MAC', () => {
  const line = writeMarker('approval', data, keys, scope);
  for (const forged of [
    line.replace('production', 'productioN'),
    line.replace('approval', 'gate'),
    line.replace(/mac=[0-9a-f]/, (m) => (m.endsWith('0') ? 'mac=1' : 'mac=0')),
  ]) {
    const { markers, tampered } = read(`text\n\n${forged}`);
    assert.deepEqual(markers, [], forged);
    assert.equal(tampered[0]?.reason, 'bad_mac');
  }
  const { tampered } = read(`text\n\n${line.replace(/ mac=[0-9a-f]+/, '')}`);
  assert.deepEqual(tampered, [{ kind: 'approval', reason: 'no_mac' }]);
});

test('markers are read from the trailing block only; one above it is reported, never read', () => {
  const line = writeMarker('approval', data, keys, scope);
  assert.deepEqual(read(`${line}\nthen text`).markers, []);
  assert.deepEqual(read(`${line}\nthen text`).tampered, [{ kind: 'approval', reason: 'outside_block' }]);
  assert.deepEqual(read(`text ${line}`).markers, [], 'not on a line of its own');
  const two = appendMarkers('text', [line, writeMarker('gate', { v: 1 }, keys, scope)]);
  assert.deepEqual(
    read(`${two}\n\n`).markers.map((m) => m.kind),
    ['approval', 'gate'],
  );
  assert.throws(() => appendMarkers('text', ['<!-- deploy-action:approval {} -->']), /writeMarker/);
});

test('rotation: the previous key still verifies, new markers use the current one', () => {
  const old = markerKeys({ secret: SECRET });
  const rotated = markerKeys({ secret: 'n'.repeat(40), previous: SECRET });
  const before = appendMarkers('x', [writeMarker('approval', data, old, scope)]);
  assert.equal(read(before, rotated).markers.length, 1, 'written before the rotation');
  const after = appendMarkers('x', [writeMarker('approval', data, rotated, scope)]);
  assert.equal(read(after, rotated).markers.length, 1);
  assert.equal(read(after, old).markers.length, 0, 'the old key alone cannot verify the new one');
  assert.equal(
    read(before, markerKeys({ secret: 'n'.repeat(40) })).markers.length,
    0,
    'once the previous key is dropped',
  );
});

test('keys: from a PEM by its DER (any line breaks), from a secret of 32+ characters, never echoing the value', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  const a = markerKeys({ privateKey: pem });
  const b = markerKeys({ privateKey: pem.replace(/\n/g, '\r\n') });
  assert.deepEqual(a.current, b.current);
  assert.notDeepEqual(a.current, markerKeys({ secret: SECRET }).current);
  assert.deepEqual(markerKeys({ secret: SECRET, privateKey: pem }).current, keys.current, 'the secret wins');
  assert.throws(
    () => markerKeys({ secret: 'short-secret' }),
    (e: Error) =>
      e instanceof MarkerKeyError &&
      /DEPLOY_ACTION_MARKER_KEY must be at least 32/.test(e.message) &&
      !e.message.includes('short-secret'),
  );
  assert.throws(() => markerKeys({ secret: SECRET, previous: 'old' }), /DEPLOY_ACTION_MARKER_KEY_PREVIOUS/);
  assert.throws(
    () => markerKeys({ privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }),
    /not a readable private key/,
  );
  assert.throws(() => markerKeys({}), /DEPLOY_ACTION_MARKER_KEY or the app private key/);
});

// No clock: read linearly, the 1200 reads below take a few seconds; one reader quadratic on even one kind of
// whitespace (2 to 3 s a read) takes 2 × 20 × 2 s = 80 s or more, and the test's own 60 s timeout fails it.
test(
  'every reader of a body takes linear time on whitespace that does not end it (no regex backtracking)',
  {
    timeout: 60_000,
  },
  async () => {
    // Anyone who can write a comment or a check run chooses the body: a long run of whitespace followed by one
    // more character made `replace(/\s+$/, '')` quadratic (about 2.4 s for 65,000 spaces, per read).
    const { trailingMarkers } = await import('../../../src/github/hidden-marker.ts');
    const { verifyRecord } = await import('../../../src/state/signed-record.ts');
    const { verifyControlText } = await import('../../../src/control/signed.ts');
    const { parseStatusComment, statusMarker } = await import('../../../src/github/status-comment.ts');
    const place = { repository: 'acme/web', environment: 'production', deploymentId: '45' };
    const readers: Array<[string, (body: string) => unknown]> = [
      ['readMarkerBlock', (b) => read(b)],
      ['trailingMarkers', (b) => trailingMarkers(b, ['state'])],
      ['verifyRecord', (b) => verifyRecord(b, [keys.current], place)],
      ['verifyControlText', (b) => verifyControlText(b, [keys.current], place)],
      ['parseStatusComment', (b) => parseStatusComment(`${statusMarker('production')}\n${b}`, 'production')],
      ['appendMarkers', (b) => appendMarkers(b, [writeMarker('approval', data, keys, scope)])],
    ];
    for (const ws of [' ', '\t', '\n', '\r\n', '\u00a0'])
      for (const tail of ['x', '<!-- deploy-action:control {} mac=00 -->'])
        for (const [name, reader] of readers) {
          const body = ws.repeat(Math.floor(60_000 / ws.length)) + tail;
          // Each read twenty times, so that one quadratic reader outlasts the timeout by far.
          for (let i = 0; i < 20; i++)
            assert.doesNotThrow(() => reader(body), `${name} on ${JSON.stringify(ws)}`);
          // A read cannot be interrupted: let the timeout fire between them.
          await new Promise((resolve) => setImmediate(resolve));
        }
  },
);
