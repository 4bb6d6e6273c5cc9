// The App's log (pino, at its most verbose) carries none of its credentials, whatever fails: not the webhook
// secret, the private key (any line of it), the JWT it signs with it, an installation token, nor the marker
// key derived from it. A GitHub that fails every request makes each handler log its error, with the request
// that failed attached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { markerKeys } from '../../src/github/marker-keys.ts';
import {
  capturedLog,
  commentOnPull,
  deliver,
  hookUrl,
  privateKey,
  seededFake,
  sign,
  testServer,
} from './helpers.ts';

test("the App's log carries no credential of its own, when GitHub answers and when every request fails", async () => {
  const fake = await seededFake({ config: 'environments:\n  production: {}\n' });
  // Made now, shaped like no known token: only the App's own care keeps it out of the log.
  const webhookSecret = `planted${randomBytes(12).toString('hex')}`;
  const markerSecret = `planted${randomBytes(24).toString('hex')}`;
  const logs = capturedLog('trace');
  const server = await testServer(fake, {
    webhookSecret,
    log: logs.log,
    logLevel: 'trace',
    markerKeys: markerKeys({ secret: markerSecret }),
  });
  try {
    const send = async (text: string) => {
      const { payload } = commentOnPull(fake, text);
      const body = JSON.stringify(payload);
      return deliver(hookUrl(server), 'issue_comment', payload, { signature: sign(body, webhookSecret) });
    };
    assert.equal((await send('/status production')).status, 200);
    // A wrong signature is refused and logged by its code.
    const { payload } = commentOnPull(fake, '/status production');
    const refused = await deliver(hookUrl(server), 'issue_comment', payload, {
      signature: sign(JSON.stringify(payload), `${webhookSecret}x`),
    });
    assert.equal(refused.status, 401);
    fake.setDown(true);
    assert.equal((await send('/deploy production')).status, 500);
    fake.setDown(false);
  } finally {
    await server.close();
    await fake.stop();
  }
  const text = logs.text();
  assert.match(text, /bad_signature/, 'the refusal is logged');
  assert.match(text, /handler_failed|command failed/, "the handler's failure is logged");
  const tokens = [...fake.state.installationTokens];
  assert.ok(tokens.length > 0, 'the App asked for an installation token');
  const keyLines = privateKey()
    .split('\n')
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
  for (const secret of [webhookSecret, markerSecret, ...tokens, ...keyLines])
    assert.ok(!text.includes(secret), `the log has ${secret.slice(0, 12)}…`);
  // The JWT the App signs with its key (a credential for ten minutes): three base64url parts, a JSON header.
  assert.doesNotMatch(text, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/, 'the log has a JWT');
});
