// The real node middleware behind a node http server, with real HMAC signatures, against the fake GitHub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApplicationFunction, Probot } from 'probot';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../../app/server.ts';
import { markerKeysFromEnv, SettingsError, settingsFromEnv } from '../../app/config.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  capturedLog,
  commentOnPull,
  deliver,
  hookUrl,
  privateKey,
  seededFake,
  sign,
  testMarkerKeys,
  testServer,
} from './helpers.ts';

async function withServer(
  run: (fake: FakeGitHub, server: RunningServer) => Promise<void>,
  extra: { log?: Probot['log']; appFn?: ApplicationFunction } = {},
): Promise<void> {
  const fake = await seededFake();
  const server = await testServer(fake, extra);
  try {
    await run(fake, server);
    fake.assertNoViolations();
  } finally {
    await server.close();
    await fake.stop();
  }
}

test('a correctly signed delivery is handled: reaction and reply posted through the fake GitHub', async () => {
  await withServer(async (fake, server) => {
    const { id, payload } = commentOnPull(fake, '/status production');
    const res = await deliver(hookUrl(server), 'issue_comment', payload);
    assert.equal(res.status, 200);
    // The middleware answers after the handler has run, so its effects are already on the fake.
    // Acknowledged at once (eyes); this repository has no deploy config, so the answer is a refusal.
    assert.deepEqual(
      (fake.repo().reactions.get(id) ?? []).map((r) => r.content),
      ['eyes', 'confused'],
    );
    assert.match(
      String(
        fake.requestsFor('issues/create-comment')[0]?.body &&
          (fake.requestsFor('issues/create-comment')[0]!.body as { body: string }).body,
      ),
      /config_missing/,
    );
    assert.equal(fake.requestsFor('issues/create-comment').length, 1);
    assert.equal(fake.requestsFor('apps/create-installation-access-token')[0]?.auth, 'bearer');
  });
});

test('a wrong signature, a signature with another secret and a missing one are refused and not handled', async () => {
  await withServer(async (fake, server) => {
    const { payload } = commentOnPull(fake, '/deploy production');
    const body = JSON.stringify(payload);
    const tampered = { ...payload, comment: { ...(payload.comment as object), body: '/deploy staging' } };

    const wrongSecret = await deliver(hookUrl(server), 'issue_comment', payload, {
      signature: sign(body, 'guess'),
    });
    const otherBody = await deliver(hookUrl(server), 'issue_comment', tampered, { signature: sign(body) });
    const garbage = await deliver(hookUrl(server), 'issue_comment', payload, { signature: 'sha256=00' });
    const missing = await deliver(hookUrl(server), 'issue_comment', payload, { signature: null });
    for (const [name, res] of Object.entries({ wrongSecret, otherBody, garbage, missing })) {
      assert.ok(res.status >= 400 && res.status < 500, `${name}: ${res.status} ${res.text}`);
    }
    assert.equal(fake.requests.length, 0, 'nothing reached GitHub: not even a token was created');
    assert.equal(fake.repo().reactions.size, 0);
  });
});

const SECRET_TEXT = 'do-not-log-this-body-5c1e';

const captured = () => capturedLog('trace');

test('refused deliveries are answered by code and logged by code: the body never reaches a log', async () => {
  const logs = captured();
  await withServer(
    async (fake, server) => {
      const { payload } = commentOnPull(fake, `/deploy production\n\n${SECRET_TEXT}`);
      const body = JSON.stringify(payload);
      const cases = {
        wrongSecret: await deliver(hookUrl(server), 'issue_comment', payload, {
          signature: sign(body, 'guess'),
        }),
        garbage: await deliver(hookUrl(server), 'issue_comment', payload, { signature: 'sha256=00' }),
        missing: await deliver(hookUrl(server), 'issue_comment', payload, { signature: null }),
        // The path with a trailing slash is the webhook path too (as in Probot's middleware).
        slash: await deliver(`${hookUrl(server)}/`, 'issue_comment', payload, {
          signature: sign(body, 'guess'),
        }),
      };
      for (const [name, res] of Object.entries(cases)) {
        const answer = JSON.parse(res.text) as { error: string; message: string };
        assert.equal(res.status, 401, `${name}: ${res.text}`);
        assert.equal(answer.error, name === 'missing' ? 'missing_signature' : 'bad_signature', name);
        assert.doesNotMatch(res.text, new RegExp(SECRET_TEXT), `${name}: the answer does not echo the body`);
      }
      const noEvent = await fetch(hookUrl(server), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': sign(body),
          'x-github-delivery': 'd-1',
        },
        body,
      });
      assert.equal(noEvent.status, 400);
      assert.equal(((await noEvent.json()) as { error: string }).error, 'missing_header');
      // Form-encoded (what a repository webhook may be set to): not a GitHub App's delivery.
      const form = await fetch(hookUrl(server), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-github-event': 'issue_comment',
          'x-github-delivery': 'd-3',
          'x-hub-signature-256': sign(body),
        },
        body: `payload=${encodeURIComponent(body)}`,
      });
      // Signed, but not JSON: refused by code before any handler.
      const notJson = 'not json {';
      const broken = await fetch(hookUrl(server), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'issue_comment',
          'x-github-delivery': 'd-4',
          'x-hub-signature-256': sign(notJson),
        },
        body: notJson,
      });
      assert.equal(broken.status, 400);
      assert.equal(((await broken.json()) as { error: string }).error, 'invalid_json');
      assert.equal(form.status, 415);
      assert.equal(((await form.json()) as { error: string }).error, 'unsupported_content_type');
      assert.equal(fake.requests.length, 0, 'nothing refused reached GitHub');
    },
    { log: logs.log },
  );
  assert.match(logs.text(), /bad_signature/, 'a refusal is logged by its code');
  assert.match(logs.text(), /missing_signature/);
  assert.doesNotMatch(logs.text(), new RegExp(SECRET_TEXT), 'no body in the log');
});

test("a handler's error is logged without the delivery's body; the delivery answers 500", async () => {
  const logs = captured();
  const failing: ApplicationFunction = (app) => {
    app.on('issue_comment.created', () => {
      throw new Error('boom');
    });
  };
  await withServer(
    async (fake, server) => {
      const { payload } = commentOnPull(fake, `/status production\n\n${SECRET_TEXT}`);
      const res = await deliver(hookUrl(server), 'issue_comment', payload);
      assert.equal(res.status, 500, res.text);
    },
    { log: logs.log, appFn: failing },
  );
  assert.match(logs.text(), /boom/, "the handler's error is logged");
  assert.doesNotMatch(logs.text(), new RegExp(SECRET_TEXT), 'no body in the log');
});

test('a body over 25 MB is refused with 413 before it is read whole', async () => {
  await withServer(async (fake, server) => {
    const res = await fetch(hookUrl(server), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': 'd-2',
        'x-hub-signature-256': 'sha256=00',
      },
      body: Buffer.alloc(26 * 1024 * 1024, 0x20),
    }).catch((error: unknown) => error);
    // The server answers 413 and stops reading; the client may see the answer or a reset connection.
    if (res instanceof Response) {
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: string }).error, 'body_too_large');
    } else assert.ok(res instanceof Error, String(res));
    assert.equal(fake.requests.length, 0);
  });
});

test('/healthz answers 200 JSON; other paths 404; GET on the webhook path is not handled', async () => {
  await withServer(async (fake, server) => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.match(health.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const missing = await fetch(`${server.url}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const get = await fetch(hookUrl(server));
    assert.ok(get.status >= 400, `GET ${server.webhookPath}: ${get.status}`);
    await get.body?.cancel();
    assert.equal(fake.requests.length, 0);
  });
});

test('settings: missing variables are all named at once, values never echoed', () => {
  try {
    settingsFromEnv({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    assert.fail('expected a SettingsError');
  } catch (error) {
    assert.ok(error instanceof SettingsError);
    assert.match(error.message, /APP_ID is required/);
    assert.match(error.message, /PRIVATE_KEY or PRIVATE_KEY_PATH is required/);
    assert.match(error.message, /WEBHOOK_SECRET is required/);
    assert.match(error.message, /PORT must be an integer/);
    assert.match(error.message, /LOG_LEVEL must be one of/);
  }
  const secret = 'super-secret-value';
  assert.throws(
    () => settingsFromEnv({ APP_ID: '12', PRIVATE_KEY: 'not-a-key', WEBHOOK_SECRET: secret }),
    (error: Error) =>
      /PRIVATE_KEY is not a PEM private key/.test(error.message) && !error.message.includes(secret),
  );
  assert.throws(
    () =>
      settingsFromEnv({
        APP_ID: '-1',
        PRIVATE_KEY: privateKey(),
        WEBHOOK_SECRET: 's',
        GITHUB_API_URL: 'ftp://x',
      }),
    /APP_ID must be a positive integer[\s\S]*GITHUB_API_URL is not an http\(s\) URL/,
  );
});

test('settings: key from a file, escaped or base64; base URL from GITHUB_API_URL or GHE_HOST', () => {
  const dir = mkdtempSync(join(tmpdir(), 'app-settings-'));
  try {
    const path = join(dir, 'key.pem');
    writeFileSync(path, privateKey());
    const fromFile = settingsFromEnv({ APP_ID: '12', PRIVATE_KEY_PATH: path, WEBHOOK_SECRET: 's' });
    assert.equal(fromFile.privateKey, privateKey());
    assert.equal(fromFile.baseUrl, 'https://api.github.com');
    assert.equal(fromFile.port, 3000);
    assert.equal(fromFile.webhookPath, '/api/github/webhooks');
    const escaped = settingsFromEnv({
      APP_ID: '12',
      PRIVATE_KEY: privateKey().replace(/\n/g, '\\n'),
      WEBHOOK_SECRET: 's',
      GHE_HOST: 'github.example.com',
      PORT: '8080',
    });
    assert.equal(escaped.privateKey, privateKey());
    assert.equal(escaped.baseUrl, 'https://github.example.com/api/v3');
    assert.equal(escaped.port, 8080);
    const base64 = settingsFromEnv({
      APP_ID: '12',
      PRIVATE_KEY: Buffer.from(privateKey()).toString('base64'),
      WEBHOOK_SECRET: 's',
      GITHUB_API_URL: 'http://127.0.0.1:9/',
    });
    assert.equal(base64.privateKey, privateKey());
    assert.equal(base64.baseUrl, 'http://127.0.0.1:9');
    assert.throws(
      () => settingsFromEnv({ APP_ID: '12', PRIVATE_KEY_PATH: join(dir, 'absent.pem'), WEBHOOK_SECRET: 's' }),
      /PRIVATE_KEY_PATH \(.*absent\.pem\) cannot be read: ENOENT/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('settings: marker keys from DEPLOY_ACTION_MARKER_KEY (and _PREVIOUS), else the private key; bad ones named', () => {
  const base = { APP_ID: '12', PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: 's' };
  const fromPem = settingsFromEnv(base).markerKeys;
  assert.deepEqual(fromPem.current, testMarkerKeys().current, 'derived from the private key by default');
  const secret = 'x'.repeat(40);
  const own = settingsFromEnv({
    ...base,
    DEPLOY_ACTION_MARKER_KEY: secret,
    DEPLOY_ACTION_MARKER_KEY_PREVIOUS: privateKey(),
  });
  assert.notDeepEqual(own.markerKeys.current, fromPem.current);
  assert.deepEqual(
    own.markerKeys.accepted[1],
    fromPem.current,
    'the previous key (here the PEM) still verifies',
  );
  assert.throws(
    () => settingsFromEnv({ ...base, DEPLOY_ACTION_MARKER_KEY: 'too-short-secret' }),
    (error: Error) =>
      error instanceof SettingsError &&
      /DEPLOY_ACTION_MARKER_KEY must be at least 32 characters/.test(error.message) &&
      !error.message.includes('too-short-secret'),
  );
  // An app loaded by someone else's server reads the same variables; without any key it does not load.
  assert.deepEqual(markerKeysFromEnv({ PRIVATE_KEY: privateKey() }).current, fromPem.current);
  assert.deepEqual(markerKeysFromEnv({ DEPLOY_ACTION_MARKER_KEY: secret }).current, own.markerKeys.current);
  assert.throws(
    () => markerKeysFromEnv({}),
    /PRIVATE_KEY or PRIVATE_KEY_PATH is required.*DEPLOY_ACTION_MARKER_KEY/,
  );
});

test('settings: LOG_FORMAT is json or pretty, named when it is anything else', () => {
  const base = { APP_ID: '12', PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: 's' };
  assert.equal(settingsFromEnv(base).logFormat, undefined);
  assert.equal(settingsFromEnv({ ...base, LOG_FORMAT: 'json' }).logFormat, 'json');
  assert.equal(settingsFromEnv({ ...base, LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  for (const bad of ['JSON', 'yaml', ' json'])
    assert.throws(
      () => settingsFromEnv({ ...base, LOG_FORMAT: bad }),
      (error: Error) =>
        error instanceof SettingsError && /LOG_FORMAT must be one of json, pretty/.test(error.message),
      bad,
    );
});

test('the server as `npm start` starts it: JSON lines with LOG_FORMAT=json, pretty lines without', async () => {
  const firstLine = async (extra: Record<string, string>): Promise<string> => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../app/server.ts', import.meta.url))], {
      env: {
        PATH: process.env.PATH ?? '',
        APP_ID: '12',
        PRIVATE_KEY: privateKey(),
        WEBHOOK_SECRET: 'a-secret',
        PORT: '0',
        HOST: '127.0.0.1',
        GITHUB_API_URL: 'http://127.0.0.1:9',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      for await (const chunk of child.stdout) {
        out += String(chunk);
        if (out.includes('\n')) break;
      }
      return out.split('\n')[0]!;
    } finally {
      child.kill('SIGTERM');
    }
  };
  const json = JSON.parse(await firstLine({ LOG_FORMAT: 'json' })) as { msg: string; level: number };
  assert.match(json.msg, /deploy-action app listening on http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(json.level, 30);
  const pretty = await firstLine({});
  assert.match(pretty, /deploy-action app listening/);
  assert.throws(() => JSON.parse(pretty));
});
