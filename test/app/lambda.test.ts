// The AWS Lambda entry point (app/lambda.ts) invoked as API Gateway invokes it: REST API (payload v1) and
// HTTP API (payload v2) events, plain and base64 bodies, signed with the webhook secret, against the fake
// GitHub. A good delivery is handled (the app's reaction and reply reach the fake); a bad, missing or
// misplaced signature, a missing header or another method is answered 4xx with a reason code, nothing reaches
// GitHub, and no body is ever logged. GitHub is called over the server's fetch (app/http-fetch.ts), and no
// connection outlives an invocation (the container is frozen between them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { ApplicationFunction } from 'probot';
import { createLambdaHandler, handler } from '../../app/lambda.ts';
import type { LambdaResult } from '../../app/lambda.ts';
import { deliveryFrom } from '../../app/delivery.ts';
import type { GatewayEvent } from '../../app/delivery.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { bundleOptions, entries } from '../../scripts/build.ts';
import {
  SECRET,
  capturedLog,
  commentOnPull,
  privateKey,
  seededFake,
  sign,
  testApp,
  testProbot,
} from './helpers.ts';

const SECRET_TEXT = 'do-not-log-this-body-7f3a';

interface Setup {
  fake: FakeGitHub;
  invoke: (event: GatewayEvent) => Promise<LambdaResult>;
  logs: () => string;
}

async function setup(
  t: { after(fn: () => unknown): void },
  appFn: ApplicationFunction = testApp(),
): Promise<Setup> {
  const fake = await seededFake();
  t.after(() => fake.stop());
  const captured = capturedLog('trace');
  const probot = testProbot(fake, captured.log);
  const lambda = createLambdaHandler({ probot, appFn });
  return { fake, invoke: (event) => lambda(event, {}), logs: captured.text };
}

/** A comment on the fake's PR (so the app can react to it) and its signed body. */
function signedComment(fake: FakeGitHub, text = `/status production\n\n${SECRET_TEXT}`) {
  const { id, payload } = commentOnPull(fake, text);
  const body = JSON.stringify(payload);
  return { id, body, signature: sign(body), delivery: crypto.randomUUID() };
}

/** API Gateway REST API (payload v1): the client's header case, the body as sent. */
function restEvent(headers: Record<string, string>, body: string, base64 = false): GatewayEvent {
  return {
    resource: '/webhooks',
    path: '/webhooks',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    requestContext: { httpMethod: 'POST', path: '/prod/webhooks', stage: 'prod' },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  } as GatewayEvent;
}

/** API Gateway HTTP API (payload v2): lower-case headers, the method in requestContext.http. */
function httpApiEvent(headers: Record<string, string>, body: string, base64 = false): GatewayEvent {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks',
    rawPath: '/webhooks',
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: { http: { method: 'POST', path: '/webhooks', protocol: 'HTTP/1.1' }, stage: '$default' },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  } as GatewayEvent;
}

const githubHeaders = (c: { delivery: string; signature?: string }): Record<string, string> => ({
  'Content-Type': 'application/json',
  'User-Agent': 'GitHub-Hookshot/lambda',
  'X-GitHub-Event': 'issue_comment',
  'X-GitHub-Delivery': c.delivery,
  ...(c.signature ? { 'X-Hub-Signature-256': c.signature } : {}),
});

/**
 * A TCP relay on loopback to `target` (the fake GitHub): the connections the App's requests open, counted as
 * they are made and as they close.
 */
async function countingRelay(t: { after(fn: () => unknown): void }, target: string) {
  const { hostname, port } = new URL(target);
  const counts = { made: 0, open: 0 };
  const server = createTcpServer((client) => {
    counts.made++;
    counts.open++;
    const upstream = connect(Number(port), hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => {
      counts.open--;
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts };
}

/** Waits (up to 2 s) until `done()`; says whether it came. */
async function eventually(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return done();
}

const reactions = (fake: FakeGitHub, id: number): string[] =>
  (fake.repo().reactions.get(id) ?? []).map((r) => String(r.content));

for (const [shape, build] of [
  ['REST API (v1)', restEvent],
  ['HTTP API (v2)', httpApiEvent],
] as const) {
  for (const base64 of [false, true]) {
    test(`${shape}${base64 ? ', base64 body' : ''}: a signed delivery is handled, the reply reaches GitHub`, async (t) => {
      const s = await setup(t);
      const c = signedComment(s.fake);
      const res = await s.invoke(build(githubHeaders(c), c.body, base64));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(JSON.parse(res.body), { ok: true, delivery: c.delivery });
      // This repository has no deploy config: acknowledged, then refused with the reason, as the server does.
      assert.deepEqual(reactions(s.fake, c.id), ['eyes', 'confused']);
      const replies = s.fake.requestsFor('issues/create-comment');
      assert.equal(replies.length, 1);
      assert.match((replies[0]!.body as { body: string }).body, /config_missing/);
      assert.doesNotMatch(s.logs(), new RegExp(SECRET_TEXT), 'the body is never logged');
      s.fake.assertNoViolations();
    });
  }
}

test('bad, foreign or missing signatures are answered 401 with a reason; nothing reaches GitHub or the log', async (t) => {
  const s = await setup(t);
  const c = signedComment(s.fake);
  const tampered = c.body.replace('/status production', '/deploy production');
  const cases: Array<[string, GatewayEvent, number, string]> = [
    [
      'another secret',
      restEvent(githubHeaders({ ...c, signature: sign(c.body, 'guess') }), c.body),
      401,
      'bad_signature',
    ],
    ['another body', httpApiEvent(githubHeaders(c), tampered), 401, 'bad_signature'],
    ['garbage', restEvent(githubHeaders({ ...c, signature: 'sha256=00' }), c.body), 401, 'bad_signature'],
    [
      'sha1 only',
      restEvent({ ...githubHeaders({ delivery: c.delivery }), 'X-Hub-Signature': 'sha1=00' }, c.body),
      401,
      'missing_signature',
    ],
    ['none', httpApiEvent(githubHeaders({ delivery: c.delivery }), c.body), 401, 'missing_signature'],
    // The signature of the decoded body does not sign the base64 text, and the other way round.
    [
      'base64 not flagged',
      restEvent(githubHeaders(c), Buffer.from(c.body).toString('base64')),
      401,
      'bad_signature',
    ],
  ];
  for (const [name, event, status, code] of cases) {
    const res = await s.invoke(event);
    assert.equal(res.statusCode, status, `${name}: ${res.body}`);
    const answer = JSON.parse(res.body) as { error: string; message: string };
    assert.equal(answer.error, code, name);
    assert.match(answer.message, /x-hub-signature-256/, `${name}: the answer says what is wrong`);
  }
  assert.equal(s.fake.requests.length, 0, 'nothing reached GitHub: not even a token was created');
  assert.deepEqual(reactions(s.fake, c.id), []);
  assert.doesNotMatch(s.logs(), new RegExp(SECRET_TEXT), 'the body is never logged');
  assert.match(s.logs(), /bad_signature/, 'a refusal is logged by its code');
});

test('a missing event or delivery header, another method, no body or a body that is not JSON: 4xx, nothing acts', async (t) => {
  const s = await setup(t);
  const c = signedComment(s.fake);
  const { 'X-GitHub-Event': _event, ...noEvent } = githubHeaders(c);
  const { 'X-GitHub-Delivery': _delivery, ...noDelivery } = githubHeaders(c);
  const notJson = 'not json';
  const cases: Array<[string, GatewayEvent, number, string, RegExp]> = [
    ['no event', restEvent(noEvent, c.body), 400, 'missing_header', /x-github-event/],
    ['no delivery', httpApiEvent(noDelivery, c.body), 400, 'missing_header', /x-github-delivery/],
    ['GET', { ...restEvent(githubHeaders(c), c.body), httpMethod: 'GET' }, 405, 'method_not_allowed', /GET/],
    [
      'v2 GET',
      { ...httpApiEvent(githubHeaders(c), c.body), requestContext: { http: { method: 'GET' } } },
      405,
      'method_not_allowed',
      /GET/,
    ],
    ['no body', { ...restEvent(githubHeaders(c), ''), body: null }, 400, 'empty_body', /no body/],
    [
      'not JSON',
      restEvent(githubHeaders({ ...c, signature: sign(notJson) }), notJson),
      400,
      'invalid_json',
      /not JSON/,
    ],
  ];
  for (const [name, event, status, code, message] of cases) {
    const res = await s.invoke(event);
    assert.equal(res.statusCode, status, `${name}: ${res.body}`);
    const answer = JSON.parse(res.body) as { error: string; message: string };
    assert.equal(answer.error, code, name);
    assert.match(answer.message, message, name);
  }
  assert.equal(s.fake.requests.length, 0);
  assert.deepEqual(
    deliveryFrom({
      httpMethod: 'POST',
      headers: { 'x-github-event': 'ping', 'x-github-delivery': 'd', 'x-hub-signature-256': 's' },
      body: 'e30=',
      isBase64Encoded: true,
    }),
    { ok: true, id: 'd', name: 'ping', signature: 's', body: '{}' },
    'header names in any case, the body decoded',
  );
});

test('a handler that fails is a 500 naming the delivery (GitHub shows it failed), not a thrown 502; no body logged', async (t) => {
  const failing: ApplicationFunction = (app) => {
    app.on('issue_comment.created', () => {
      throw new Error('boom');
    });
  };
  const s = await setup(t, failing);
  const c = signedComment(s.fake);
  const res = await s.invoke(httpApiEvent(githubHeaders(c), c.body, true));
  assert.equal(res.statusCode, 500, res.body);
  assert.deepEqual(JSON.parse(res.body), {
    error: 'handler_failed',
    message: 'the app failed to handle this delivery',
    delivery: c.delivery,
  });
  assert.match(s.logs(), /boom/, "Probot logs the handler's error");
  assert.doesNotMatch(s.logs(), new RegExp(SECRET_TEXT), 'the body is never logged');
});

test("every invocation ends its fetch's idle connections, one answered 4xx or 500 too", async (t) => {
  const fake = await seededFake();
  t.after(() => fake.stop());
  let closed = 0;
  const failing: ApplicationFunction = (app) => {
    app.on('issue_comment.created', () => {
      throw new Error('boom');
    });
  };
  const lambda = createLambdaHandler({
    probot: testProbot(fake),
    appFn: failing,
    closeIdle: () => void closed++,
  });
  const c = signedComment(fake);
  assert.equal(
    (await lambda(restEvent(githubHeaders({ delivery: c.delivery }), c.body), {})).statusCode,
    401,
  );
  assert.equal(closed, 1);
  const signed = await lambda(restEvent(githubHeaders(c), c.body), {});
  assert.equal(signed.statusCode, 500, signed.body);
  assert.equal(closed, 2);
});

/** The variables the App's settings are read from (app/config.ts), cleared and put back around a test. */
const SETTINGS_VARIABLES = [
  'APP_ID',
  'PRIVATE_KEY',
  'PRIVATE_KEY_PATH',
  'WEBHOOK_SECRET',
  'DEPLOY_ACTION_MARKER_KEY',
];

test("the exported handler reads its settings at the first invocation (a missing variable is a 500 naming it); its requests go over the server's fetch, no connection left open", async (t) => {
  const saved = { ...process.env };
  t.after(() => {
    for (const name of SETTINGS_VARIABLES)
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
  });
  for (const name of SETTINGS_VARIABLES) delete process.env[name];
  process.env.WEBHOOK_SECRET = SECRET;
  const res = await handler(restEvent({}, '{}'));
  assert.equal(res.statusCode, 500);
  const answer = JSON.parse(res.body) as { error: string; message: string };
  assert.equal(answer.error, 'settings_invalid');
  assert.match(answer.message, /APP_ID is required/);
  assert.doesNotMatch(answer.message, new RegExp(SECRET), 'no value in the message');

  // The next invocation reads the environment again: with the settings in place it handles the delivery.
  const fake = await seededFake();
  t.after(() => fake.stop());
  const relay = await countingRelay(t, fake.url);
  process.env.APP_ID = String(fake.state.appId);
  process.env.PRIVATE_KEY = privateKey();
  process.env.GITHUB_API_URL = relay.url;
  process.env.LOG_LEVEL = 'fatal';
  t.after(() => {
    for (const name of ['GITHUB_API_URL', 'LOG_LEVEL'])
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
  });
  // The Lambda's Octokit makes its requests over the server's fetch (app/http-fetch.ts), not the global one.
  const globalFetch = globalThis.fetch;
  const viaGlobal: string[] = [];
  globalThis.fetch = (input, init) => {
    viaGlobal.push(String(input instanceof Request ? input.url : input));
    return globalFetch(input, init);
  };
  t.after(() => void (globalThis.fetch = globalFetch));
  let connections = 0;
  for (const attempt of [1, 2]) {
    const c = signedComment(fake);
    const requests = fake.requests.length;
    const ok = await handler(httpApiEvent(githubHeaders(c), c.body));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(reactions(fake, c.id), ['eyes', 'confused']);
    assert.deepEqual(viaGlobal, [], 'no request through the global fetch');
    // Its connections do not outlive the invocation (the container is frozen until the next: one GitHub closed
    // meanwhile would fail the next's first request); each invocation opens its own, and keeps it while it runs.
    assert.ok(
      await eventually(() => relay.counts.open === 0),
      `attempt ${attempt}: ${relay.counts.open} connection(s) left open`,
    );
    const made = relay.counts.made - connections;
    connections = relay.counts.made;
    assert.ok(made >= 1, `attempt ${attempt}: a connection of its own`);
    assert.ok(
      made < fake.requests.length - requests,
      `attempt ${attempt}: ${made} connection(s) for ${fake.requests.length - requests} requests, kept alive between them`,
    );
  }
  fake.assertNoViolations();
});

test("dist/app/lambda.js bundles the adapter's Lambda function with our Probot 14, not the adapter's Probot 13", async () => {
  const root = join(import.meta.dirname, '..', '..');
  const result = await build({
    ...bundleOptions,
    entryPoints: [entries['app/lambda']],
    absWorkingDir: root,
    outdir: join(root, 'dist-graph-unused'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const adapter = 'node_modules/@probot/adapter-aws-lambda-serverless/';
  assert.ok(inputs.includes(`${adapter}lambda-function.js`), "the adapter's Lambda function");
  assert.ok(
    inputs.some((i) => i.startsWith('node_modules/probot/lib/')),
    'our Probot',
  );
  assert.deepEqual(
    inputs.filter((i) => i.startsWith(`${adapter}node_modules/`) || i === `${adapter}index.js`),
    [],
    "nothing of the adapter's own dependencies (its Probot 13)",
  );
});
