// Shared setup for the app tests: a fake GitHub with one pull request, a real RSA key for the app's JWT,
// and signed webhook deliveries. Protection rule and Approve-button deliveries: delivery-helpers.ts; the
// `requires: staging` repository and its signed state record: record-helpers.ts.
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot } from 'probot';
import type { ProbotOctokit } from 'probot';
import {
  createFakeGitHub,
  fakeSha,
  pullRequestCommentPayload,
  webhookPayload,
} from '../fake-github/index.ts';
import type {
  FakeGitHub,
  FakeGitHubOptions,
  Permission,
  SeedPull,
  SeedRepoOptions,
} from '../fake-github/index.ts';
import { deployApp } from '../../app/index.ts';
import { createServer } from '../../app/server.ts';
import { keepInstallationOctokits } from '../../app/installation-octokits.ts';
import { AppOctokit } from '../../app/octokit.ts';
import { createHttpFetch } from '../../app/http-fetch.ts';
import type { RunningServer, ServerOptions } from '../../app/server.ts';
import type { AppOptions } from '../../app/index.ts';
import { markerKeys } from '../../src/github/marker-keys.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { MarkerTrust } from '../../app/facts/own-comments.ts';
import { appendMarkers } from '../../src/github/hidden-marker.ts';
import { serializeApprovalMarker } from '../../src/policy/index.ts';
import type { ApprovalRecord } from '../../src/policy/index.ts';

export const owner = 'acme';
export const repo = 'web';
export const PR = 7;
export const HEAD = fakeSha('pr-7-head');
export const SECRET = 'test-webhook-secret';

/**
 * The text of a .github/deploy.yml that deploys with ./deploy.sh: `environments` is what follows
 * `environments:`, from the newline on (its lines indented by two).
 */
export const deployYml = (environments: string): string => `
target:
  commands:
    deploy: ./deploy.sh
environments:${environments}`;

/**
 * A deploy.yml (deployYml) where preview, not a production environment, deploys production first as its
 * `staging`, so a deployment of preview is held to production's rules and lock too. `approvals` is production's
 * approvals section, one key per line (`required: 0`).
 */
export const previewThroughProduction = (...approvals: string[]): string =>
  deployYml(`
  preview:
    production: false
    staging: production
  production:
    production: true
    approvals:
${approvals.map((line) => `      ${line}`).join('\n')}
`);

/**
 * A deploy.yml (deployYml) whose production takes `required` approvals from `approvers`: only `deployers` may
 * deploy it when given, and an approval lasts `expiresAfter` when given. `others` are environments with nothing
 * configured, listed before it.
 */
export const approvalsYml = (a: {
  approvers: string[];
  required: number;
  deployers?: string[];
  expiresAfter?: string;
  others?: string[];
}): string =>
  deployYml(`
${(a.others ?? []).map((name) => `  ${name}: {}\n`).join('')}  production:
    approvals:
${a.deployers ? `      deployers: [${a.deployers.join(', ')}]\n` : ''}      approvers: [${a.approvers.join(', ')}]
      required: ${a.required}
${a.expiresAfter ? `      expires_after: ${a.expiresAfter}\n` : ''}`);

let key: string | undefined;
/**
 * A real RSA key, so the app signs a real JWT for the installation token. Generated once and kept in
 * node_modules/.cache (never in the repository): generating a 2048-bit key took 0.15-0.5 s of CPU in every
 * App test process. A kept file that is not a private key is replaced.
 */
export function privateKey(): string {
  key ??= keptPrivateKey();
  return key;
}

function keptPrivateKey(): string {
  const dir = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
  const file = `${dir}test-app-private-key.pem`;
  try {
    const kept = readFileSync(file, 'utf8');
    createPrivateKey(kept);
    return kept;
  } catch {
    // Not kept yet, or not a key: generated below.
  }
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, pem, { mode: 0o600 });
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // Not kept: the next process generates one again.
  }
  return pem;
}

/** The app's marker keys as the server derives them by default: from the same private key. */
export function testMarkerKeys(): MarkerKeys {
  return markerKeys({ privateKey: privateKey() });
}

/** The app under test: deployApp with the test keys (and whatever else a test sets). */
export const testApp = (options: AppOptions = {}) => deployApp({ markerKeys: testMarkerKeys(), ...options });

/** Marker trust for calling a handler directly; tampering warnings are collected in `warnings`. */
export function testTrust(warnings: Array<Record<string, unknown>> = []): MarkerTrust {
  return { keys: testMarkerKeys(), warn: (fields) => warnings.push(fields) };
}

/** The App's Octokit without GitHub's write throttling (one comment per 3 s), which would only slow tests. */
// A function default runs last, after Probot and its auth strategy add their own throttle options.
export const TestOctokit = AppOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object), enabled: false },
  retry: { enabled: false },
}));

/** What seededFake puts on the fake GitHub's acme/web; each field left out takes its default. */
export interface Seed {
  /** The text of .github/deploy.yml (none: the repository has no config file). */
  config?: string;
  /** login → role (alice with write). */
  collaborators?: Record<string, Permission>;
  /** Teams of the acme organisation (none). */
  teams?: SeedRepoOptions['teams'];
  /** The pull requests (carol's pull request PR, its head at HEAD). */
  pulls?: SeedPull[];
  /** The fake GitHub's own options (createFakeGitHub). */
  fake?: FakeGitHubOptions;
}

/** A fake GitHub holding acme/web as `seed` says. */
export async function seededFake(seed: Seed = {}): Promise<FakeGitHub> {
  const fake = await createFakeGitHub(seed.fake);
  fake.seedRepo({
    owner,
    repo,
    ...(seed.config !== undefined ? { files: { '.github/deploy.yml': seed.config } } : {}),
    collaborators: seed.collaborators ?? { alice: 'write' },
    ...(seed.teams ? { teams: seed.teams } : {}),
    pulls: seed.pulls ?? [{ number: PR, head: HEAD, user: 'carol' }],
  });
  return fake;
}

/** A logger at `level` writing into a string, to read back what the app logged. */
export function capturedLog(level = 'trace'): { log: Probot['log']; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  // pino's own Logger type is wider than the one Probot declares; the object is what Probot expects.
  return { log: pino({ level }, sink) as unknown as Probot['log'], text: () => text };
}

/**
 * A Probot against the fake; quiet, or logging into `log` (capturedLog). Its requests go over the server's
 * fetch (app/http-fetch.ts), as `npm start`'s do: the global fetch (undici, web streams) was about a tenth of
 * an App test's CPU.
 */
export function testProbot(
  fake: FakeGitHub,
  log?: Probot['log'],
  /** Another Octokit class than TestOctokit (one that retries as in production, one that answers slowly). */
  Octokit: typeof ProbotOctokit = TestOctokit,
): Probot {
  return new Probot({
    appId: fake.state.appId,
    privateKey: privateKey(),
    secret: SECRET,
    baseUrl: fake.url,
    Octokit,
    ...(log ? { log } : { logLevel: 'fatal' as const }),
    request: { fetch: createHttpFetch() },
  });
}

/**
 * A Probot against `fake` with the App loaded: testApp(`options`); with `kept`, deliveries get their
 * installation's kept Octokit (conditional reads included), as the server and the Lambda hand them.
 */
export async function loadedProbot(
  fake: FakeGitHub,
  options: AppOptions = {},
  log?: Probot['log'],
  kept = false,
): Promise<Probot> {
  const probot = testProbot(fake, log);
  if (kept) await keepInstallationOctokits(probot);
  await probot.load(testApp(options));
  return probot;
}

/**
 * The App (testApp(`seed.app`)) against a fake GitHub seeded by seededFake(`seed`), logging into `seed.log`
 * (capturedLog) when given; the caller stops the fake.
 */
export async function seededApp(
  seed: Seed & { app?: AppOptions; log?: Probot['log']; kept?: boolean } = {},
): Promise<{ fake: FakeGitHub; probot: Probot }> {
  const fake = await seededFake(seed);
  try {
    return { fake, probot: await loadedProbot(fake, seed.app, seed.log, seed.kept) };
  } catch (error) {
    await fake.stop();
    throw error;
  }
}

/** Runs `body` against seededApp(`seed`); checks the fake saw no violations, and stops it. */
export async function withSeededApp(
  seed: Seed & { app?: AppOptions; log?: Probot['log'] },
  body: (fake: FakeGitHub, probot: Probot) => Promise<void>,
): Promise<void> {
  const { fake, probot } = await seededApp(seed);
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

/** A comment that exists on the fake (so reactions to it work) and its issue_comment payload. */
export function commentOnPull(
  fake: FakeGitHub,
  body: string,
  opts: {
    user?: string;
    action?: 'created' | 'edited' | 'deleted';
    /** The repository the payload names, when the fake was seeded with another than acme/web. */
    owner?: string;
    repo?: string;
    /** The pull request commented on (PR). */
    number?: number;
  } = {},
): { id: number; payload: Record<string, unknown> } {
  const user = opts.user ?? 'alice';
  const number = opts.number ?? PR;
  const stored = fake.addComment(number, { user, body });
  const id = stored.id as number;
  const payload = pullRequestCommentPayload({
    owner: opts.owner ?? owner,
    repo: opts.repo ?? repo,
    number,
    body,
    user,
    commentId: id,
    baseUrl: fake.url,
    action: opts.action ?? 'created',
  });
  // GitHub's time of writing, as the fake stored it (the example's is years before its pull request's events).
  (payload.comment as Record<string, unknown>).created_at = stored.created_at;
  return { id, payload };
}

/** pull_request.synchronize of PR on acme/web: a push moved its head from `before` to `after`. */
export function synchronizePayload(fake: FakeGitHub, before: string, after: string): Record<string, unknown> {
  const sample = webhookPayload(
    'pull_request',
    'synchronize',
    { repository: { default_branch: 'main' } },
    { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId },
  );
  return {
    ...sample,
    number: PR,
    before,
    after,
    pull_request: { ...(sample.pull_request as object), number: PR },
  };
}

/** A push to PR moves its head to `sha`, and GitHub tells the App (pull_request.synchronize). */
export async function pushToPull(
  fake: FakeGitHub,
  probot: Probot,
  sha: string,
  author?: string,
): Promise<void> {
  const before = fake.repo().pulls.get(PR)!.headSha;
  fake.pushCommit(PR, sha, author !== undefined ? { author } : {});
  await probot.receive({
    id: crypto.randomUUID(),
    name: 'pull_request',
    payload: synchronizePayload(fake, before, sha),
  } as Parameters<Probot['receive']>[0]);
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The App's real node server for `fake`, on a free local port, taking deliveries signed with SECRET; quiet
 * unless `options` gives a log. `options` adds the app function, a log, or overrides any of these.
 */
export function testServer(fake: FakeGitHub, options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return createServer({
    appId: fake.state.appId,
    privateKey: privateKey(),
    webhookSecret: SECRET,
    baseUrl: fake.url,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'fatal',
    Octokit: TestOctokit,
    ...options,
  });
}

/** Where `server` takes webhook deliveries. */
export const hookUrl = (server: RunningServer): string => `${server.url}${server.webhookPath}`;

/** POSTs a delivery; `signature: null` sends none. */
export async function deliver(
  url: string,
  event: string,
  payload: unknown,
  opts: { signature?: string | null; delivery?: string } = {},
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': opts.delivery ?? crypto.randomUUID(),
    'user-agent': 'GitHub-Hookshot/test',
  };
  const signature = opts.signature === undefined ? sign(body) : opts.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  // Bounded, so a hung App fails its test instead of the group; generous, as the App answers after handling the
  // delivery and a busy 2-core CI can take several times its usual second (GitHub's own 10 s is not modelled here).
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, text: await res.text() };
}

/**
 * A REST call on acme/web with a plain `token` (a workflow's, or one the fake was given for a person); the
 * response. `body`, when given, is sent as JSON.
 */
export function restWith(
  fake: FakeGitHub,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${fake.url}/repos/${owner}/${repo}${path}`, {
    method,
    headers: {
      authorization: `token ${token}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
}

/**
 * A REST call as a workflow makes it, with a plain token (the fake acts as github-actions[bot] for any plain
 * token): what a workflow's token can write, outside the App; with `token`, what that token's owner can.
 * Expects 201 Created.
 */
export async function rest(
  fake: FakeGitHub,
  method: string,
  path: string,
  body: unknown,
  token = 'workflow-token',
): Promise<{ id: number }> {
  const res = await restWith(fake, token, method, path, body);
  assert.equal(res.status, 201, `${method} ${path}: ${await res.clone().text()}`);
  return (await res.json()) as { id: number };
}

/** The App's bot login in the fake GitHub. */
export const BOT_LOGIN = 'deploy-action[bot]';

/** The App's replies on the pull request, oldest first: its comments other than the status comment. */
export const appReplies = (fake: FakeGitHub): string[] =>
  [...fake.repo().comments.values()]
    .filter(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        !String(c.body).startsWith('<!-- deploy-action:status'),
    )
    .map((c) => String(c.body));

/** `user` comments `body` on the pull request; the App answers with exactly one reply, returned. */
export async function sayOnPull(
  fake: FakeGitHub,
  probot: Probot,
  body: string,
  user: string,
): Promise<string> {
  const before = appReplies(fake).length;
  await repliesTo(fake, probot, body, user);
  const after = appReplies(fake);
  assert.equal(after.length, before + 1, `one reply to ${body}`);
  return after.at(-1)!;
}

/**
 * `user` writes `body` on the pull request now (GitHub dates it now); the App gets it only when the returned
 * function is called, which resolves to the App's replies to it, joined: a delivery that waited.
 */
export function writtenComment(fake: FakeGitHub, probot: Probot, body: string, user: string) {
  const { payload } = commentOnPull(fake, body, { user });
  return async (): Promise<string> => {
    const before = appReplies(fake).length;
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Parameters<
      Probot['receive']
    >[0]);
    return appReplies(fake).slice(before).join('\n');
  };
}

/** A clock the App and the fake GitHub share (pass `now` to both), moved by hand in milliseconds. */
export function handClock(start: string): { now: () => Date; tick: (ms: number) => void } {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), tick: (ms) => void (t += ms) };
}

/** `user` comments `body` on pull request `number`; the App's replies to it, joined (none: ''). */
export async function repliesTo(
  fake: FakeGitHub,
  probot: Probot,
  body: string,
  user = 'alice',
  number = PR,
): Promise<string> {
  const before = appReplies(fake).length;
  const { payload } = commentOnPull(fake, body, { user, number });
  await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Parameters<
    Probot['receive']
  >[0]);
  return appReplies(fake).slice(before).join('\n');
}

/**
 * Workflow run `id` of `sha` completes (the App's trigger to start what is due, app/schedule/triggers.ts);
 * the App's replies to it, joined.
 */
export async function completeWorkflowRun(
  fake: FakeGitHub,
  probot: Probot,
  id: number,
  sha = HEAD,
): Promise<string> {
  const before = appReplies(fake).length;
  fake.addWorkflowRun({ id, headSha: sha });
  fake.updateWorkflowRun(id, { status: 'completed', conclusion: 'success' });
  await probot.receive({
    id: crypto.randomUUID(),
    name: 'workflow_run',
    payload: fake.workflowRunWebhook(id),
  } as Parameters<Probot['receive']>[0]);
  return appReplies(fake).slice(before).join('\n');
}

/**
 * What an approval by `login` records (a veto with `kind: 'reject'`): of production at HEAD, made in a comment
 * by someone with write permission in `teams` (none) at `at`; `o` sets any other field.
 */
export function approvalRecord(
  login: string,
  o: Partial<Omit<ApprovalRecord, 'by'>> & { at: Date; teams?: string[] },
): ApprovalRecord {
  const { teams = [], ...record } = o;
  return {
    kind: 'approve',
    by: { login, permission: 'write', teams },
    environment: 'production',
    sha: HEAD,
    source: 'comment',
    ...record,
  };
}

/** `record`'s marker as the App signs it for pull request `pullRequest` (a genuine one: the test holds its key). */
export const signedApproval = (record: ApprovalRecord, pullRequest = PR): string =>
  serializeApprovalMarker(record, testMarkerKeys(), { repository: `${owner}/${repo}`, pullRequest });

/** `record` as the comment handler leaves it: the App's comment on the pull request, `text` and the marker. */
export function recordApprovalComment(fake: FakeGitHub, record: ApprovalRecord, text = 'Approved.'): void {
  fake.addComment(PR, { user: BOT_LOGIN, body: appendMarkers(text, [signedApproval(record)]) });
}
