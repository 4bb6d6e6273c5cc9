// A stand-in for GitHub's REST API, for bench/app.ts, run in a process of its own (forked, IPC): canned
// answers to the few operations an App delivery makes, so that the bench measures the App and not a full
// fake GitHub (test/fake-github checks every request against the OpenAPI description with ajv, in the
// bench's own process: that was most of what the old figures measured). The answers are built once from the
// description's schemas (test/fake-github/sample.ts) and checked against the documented responses once, at
// start: the process refuses to start with an answer GitHub would not give. Anything else is answered 404
// and counted as unexpected, which bench/app.ts reports.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchRoute, validateResponse } from '../test/fake-github/openapi.ts';
import { build } from '../test/fake-github/sample.ts';
import { renderStatusComment } from '../src/github/status-comment.ts';

/** What the bench's payloads name (bench/app.ts). */
export const STAND_IN = {
  installationId: 4242,
  appSlug: 'deploy-action',
  /** The status comment the App's deployment names (the first of the ids bench/app.ts's deliveries name). */
  commentId: 9001,
  /**
   * The push deployment's status comment, the one a search of the PR's comments finds: an id no App
   * deployment names, since the App writes one comment at a time, newest status first, and a push
   * deployment's status sharing a comment with a newer deployment's would be dropped as older.
   */
  pushCommentId: 8001,
  /** The PR's head commit, which the status comments and deployments are about. */
  sha: 'b5e3c0ffee0000000000000000000000000000a7',
} as const;

/** Messages: the parent asks `counts`, the stand-in answers with requests per operation since it started. */
export type StandInMessage = { ready: string } | { counts: Record<string, number> };

interface Canned {
  operationId: string;
  method: string;
  path: RegExp;
  /** A concrete path of the operation, to find its documented response at start. */
  example: string;
  status: number;
  body: unknown;
  /** The answer to a request for one path, when it names what was asked (a comment's id): else `body`. */
  bodyFor?: (path: string) => unknown;
}

/** The status comment as the Action left it: queued, for the deployment's commit. */
const statusBody = (environment: string) =>
  renderStatusComment({ environment, state: 'queued', sha: STAND_IN.sha, updatedAt: '2020-01-01T00:00:00Z' });

/** The id at the end of a comment's path (`/repos/o/r/issues/comments/123`). */
const commentIdOf = (path: string): number => Number(path.slice(path.lastIndexOf('/') + 1));

function answers(baseUrl: string): Canned[] {
  // The workflow's bot writes a push deployment's comment (the Action with GITHUB_TOKEN); the App's bot the
  // comment of a deployment the App made, which the App reads back only when it is its own.
  const workflowBot = build('simple-user', baseUrl, {
    login: 'github-actions[bot]',
    id: 41898282,
    type: 'Bot',
  });
  const appBot = build('simple-user', baseUrl, {
    login: `${STAND_IN.appSlug}[bot]`,
    id: 41898283,
    type: 'Bot',
  });
  const comment = (environment: string, id: number = STAND_IN.commentId) =>
    build('issue-comment', baseUrl, {
      id,
      body: statusBody(environment),
      user: environment === 'production' ? appBot : workflowBot,
      author_association: 'NONE',
    });
  const commentAt = (id: number) => comment(id === STAND_IN.pushCommentId ? 'staging' : 'production', id);
  const repository = build('repository', baseUrl, {
    name: 'web',
    full_name: 'acme/web',
    default_branch: 'main',
    owner: build('simple-user', baseUrl, { login: 'acme', id: 1, type: 'Organization' }),
  });
  return [
    {
      operationId: 'apps/create-installation-access-token',
      method: 'POST',
      path: /^\/app\/installations\/\d+\/access_tokens$/,
      example: `/app/installations/${STAND_IN.installationId}/access_tokens`,
      status: 201,
      body: build('installation-token', baseUrl, {
        token: 'ghs_benchStandInToken000000000000000000',
        expires_at: '2099-01-01T00:00:00Z',
        permissions: { issues: 'write', pull_requests: 'write', deployments: 'write', contents: 'write' },
        repository_selection: 'all',
      }),
    },
    {
      operationId: 'apps/get-authenticated',
      method: 'GET',
      path: /^\/app$/,
      example: '/app',
      status: 200,
      body: build('integration', baseUrl, { id: 1, slug: STAND_IN.appSlug, name: STAND_IN.appSlug }),
    },
    {
      operationId: 'issues/update-comment',
      method: 'PATCH',
      path: /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/,
      example: `/repos/acme/web/issues/comments/${STAND_IN.commentId}`,
      status: 200,
      body: comment('production'),
      bodyFor: (path) => commentAt(commentIdOf(path)),
    },
    {
      // A final status of the App's deployment reads its comment first (app/handlers/deployment-status.ts):
      // the comment asked for, the App's own, so the burst's final statuses write it rather than search.
      operationId: 'issues/get-comment',
      method: 'GET',
      path: /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/,
      example: `/repos/acme/web/issues/comments/${STAND_IN.commentId}`,
      status: 200,
      body: comment('production'),
      bodyFor: (path) => commentAt(commentIdOf(path)),
    },
    {
      // A push deployment's `pr` is believed only when the deployment's commit is the PR's (its head here).
      operationId: 'pulls/get',
      method: 'GET',
      path: /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+$/,
      example: '/repos/acme/web/pulls/7',
      status: 200,
      body: build('pull-request', baseUrl, {
        number: 7,
        state: 'open',
        head: { sha: STAND_IN.sha, ref: 'feature', repo: repository },
        base: { ref: 'main', repo: repository },
      }),
    },
    {
      // The environment's lock, looked up when a deployment ends: already gone here (released by /unlock),
      // so a burst ends with the comment writes and not with the queue behind the lock.
      operationId: 'git/get-ref',
      method: 'GET',
      path: /^\/repos\/[^/]+\/[^/]+\/git\/ref\/.+$/,
      example: '/repos/acme/web/git/ref/deploy-locks/production',
      status: 404,
      body: {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/git/refs#get-a-reference',
      },
    },
    {
      operationId: 'issues/list-comments',
      method: 'GET',
      path: /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/,
      example: '/repos/acme/web/issues/7/comments',
      status: 200,
      body: [comment('staging', STAND_IN.pushCommentId)],
    },
  ];
}

/** Starts the stand-in on loopback; throws if a canned answer is not what GitHub documents. */
export async function startStandIn(): Promise<{ url: string; counts: Map<string, number> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const canned = answers(url);
  for (const answer of canned) {
    const route = matchRoute(answer.method, answer.example);
    if (route?.operation.operationId !== answer.operationId)
      throw new Error(
        `stand-in: ${answer.method} ${answer.example} is not ${answer.operationId} in the description`,
      );
    const problems = [answer.body, answer.bodyFor?.(answer.example)]
      .filter((body) => body !== undefined)
      .flatMap((body) => validateResponse(route.operation, answer.status, body));
    if (problems.length) throw new Error(`stand-in: ${answer.operationId}: ${problems.join('; ')}`);
  }
  const bodies = canned.map((answer) => Buffer.from(JSON.stringify(answer.body)));
  const counts = new Map<string, number>();
  server.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const index = canned.findIndex((answer) => answer.method === req.method && answer.path.test(path));
    const name = index < 0 ? `unexpected ${req.method} ${path}` : canned[index]!.operationId;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    // The request body is read (and dropped) so the connection can be reused.
    req.resume();
    req.on('end', () => {
      if (index < 0) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"Not Found"}');
        return;
      }
      const answer = canned[index]!;
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(answer.bodyFor ? JSON.stringify(answer.bodyFor(path)) : bodies[index]);
    });
  });
  return { url, counts };
}

if (import.meta.main) {
  if (!process.send) throw new Error('github-stand-in is forked by bench/app.ts (it talks over IPC)');
  const { url, counts } = await startStandIn();
  const send = (message: StandInMessage) => process.send!(message);
  process.on('message', (message) => {
    if (message === 'counts') send({ counts: Object.fromEntries(counts) });
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: url });
}
