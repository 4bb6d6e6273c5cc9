// One App server for bench/app.ts, in a process of its own (forked, IPC), so that its CPU time is its own:
// `deploy` is this package's App; `no-op` a Probot app that registers nothing (Probot then builds no context
// and no Octokit for a delivery); `empty-handler` one whose handlers for the bench's events do nothing
// (Probot builds the context and asks for the installation's Octokit; no request); `one-request` the least a
// Probot app can do to keep a status comment: on deployment_status it makes the one request (updateComment
// of the id in the payload, a fixed body). All behind the same server (app/server.ts: Probot's node
// middleware) and GitHub stand-in (bench/github-stand-in.ts). `node app-under-test.ts KIND BASE_URL`; answers
// `cpu` with process.cpuUsage().
import { Agent, request } from 'node:http';
import { createServer } from '../app/server.ts';
import type { ApplicationFunction } from 'probot';
import { privateKey, SECRET, TestOctokit } from '../test/app/helpers.ts';

export type AppMessage = { ready: string } | { cpu: NodeJS.CpuUsage };

export const APP_KINDS = ['no-op', 'empty-handler', 'one-request', 'bare-request', 'deploy'] as const;
export type AppKind = (typeof APP_KINDS)[number];

const oneRequest: ApplicationFunction = (app) => {
  app.on('deployment_status.created', async (context) => {
    const payload = context.payload.deployment.payload as { comment_id?: number };
    await context.octokit.rest.issues.updateComment({
      ...context.repo(),
      comment_id: payload.comment_id ?? 1,
      body: `deployment ${context.payload.deployment_status.state}`,
    });
  });
};
/** The one request without Octokit: a PATCH over a kept-alive agent, its JSON answer read. */
function bareRequest(baseUrl: string): ApplicationFunction {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  return (app) => {
    app.on('deployment_status.created', async (context) => {
      const payload = context.payload.deployment.payload as { comment_id?: number };
      const { owner, repo } = context.repo();
      const body = JSON.stringify({ body: `deployment ${context.payload.deployment_status.state}` });
      await new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path: `/repos/${owner}/${repo}/issues/comments/${payload.comment_id ?? 1}`,
            method: 'PATCH',
            agent,
            headers: {
              accept: 'application/vnd.github+json',
              authorization: 'token bench',
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'user-agent': 'deploy-action-bench',
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              if (res.statusCode !== 200) reject(new Error(`stand-in answered ${res.statusCode}`));
              else {
                JSON.parse(Buffer.concat(chunks).toString('utf8'));
                resolve();
              }
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    });
  };
}
/** Handlers that do nothing, for the events the bench sends: Probot then builds a context and an Octokit. */
const emptyHandler: ApplicationFunction = (app) => {
  app.on(['deployment_status.created', 'issue_comment.created'], async () => {});
};
const appFns: Partial<Record<AppKind, ApplicationFunction>> = {
  'no-op': () => {},
  'empty-handler': emptyHandler,
  'one-request': oneRequest,
};

if (import.meta.main) {
  const [kind, baseUrl] = process.argv.slice(2);
  if (!process.send || !APP_KINDS.includes(kind as AppKind) || !baseUrl)
    throw new Error(
      `app-under-test is forked by bench/app.ts: app-under-test.ts ${APP_KINDS.join('|')} BASE_URL`,
    );
  const appFn = kind === 'bare-request' ? bareRequest(baseUrl) : appFns[kind as AppKind];
  const running = await createServer({
    appId: 1,
    privateKey: privateKey(),
    webhookSecret: SECRET,
    port: 0,
    host: '127.0.0.1',
    baseUrl,
    logLevel: 'fatal',
    // Without GitHub's write throttling (one comment per few seconds), which would measure the throttle.
    Octokit: TestOctokit,
    ...(appFn ? { appFn } : {}),
  });
  const send = (message: AppMessage) => process.send!(message);
  process.on('message', (message) => {
    if (message === 'cpu') send({ cpu: process.cpuUsage() });
  });
  // The bench is done with it: nothing to wind down but the server, which ends with the process.
  process.on('disconnect', () => process.exit(0));
  send({ ready: `${running.url}${running.webhookPath}` });
}
