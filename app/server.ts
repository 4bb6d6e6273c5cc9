// `npm start`: Probot's node middleware on a plain node http server, plus GET /healthz for load balancers.
// createServer() is what tests call (127.0.0.1, port 0); run directly, the settings come from the environment.
// Every POST to the webhook path is checked first (app/delivery.ts): a bad or missing signature is a 401 with
// a reason code, and the body never reaches Probot's error log; a handler's error is logged without it too.
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, createNodeMiddleware } from 'probot';
import type { ProbotOctokit } from 'probot';
import type { ApplicationFunction } from 'probot';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deployApp } from './index.ts';
import { keepInstallationOctokits } from './installation-octokits.ts';
import { createHttpFetch } from './http-fetch.ts';
import { AppOctokit } from './octokit.ts';
import { checkDelivery } from './delivery.ts';
import { errorsWithoutBody } from './errors-without-body.ts';
import { SettingsError, settingsFromEnv } from './config.ts';
import { markerKeys } from '../src/github/marker-keys.ts';
import { routeThroughEnvProxy } from '../src/util/env-proxy.ts';
import type { AppSettings } from './config.ts';

export interface ServerOptions extends Omit<AppSettings, 'logLevel' | 'webhookPath' | 'markerKeys'> {
  logLevel?: AppSettings['logLevel'];
  webhookPath?: string;
  /** Defaults to keys derived from `privateKey`. */
  markerKeys?: AppSettings['markerKeys'];
  /** The app function; defaults to this package's app with `markerKeys`. */
  appFn?: ApplicationFunction;
  /** Octokit class for Probot: AppOctokit (tests pass one made from it, without GitHub's write throttling). */
  Octokit?: typeof ProbotOctokit;
  /** Probot's logger (tests pass one that writes to a buffer); defaults to Probot's own at `logLevel`. */
  log?: Probot['log'];
}

/**
 * How long close() waits for deliveries being handled: under Kubernetes' default 30 s between SIGTERM and
 * SIGKILL. SHUTDOWN_GRACE (seconds) sets it.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

/** Answered 202 past this, before GitHub's 10 s delivery timeout (as @octokit/webhooks' middleware does). */
const SLOW_DELIVERY_MS = 9_000;

/** How long a stop waits, after the deliveries it waited for, for the answers to be written out. */
const ANSWER_FLUSH_MS = 2_000;

/** GitHub caps a webhook delivery at 25 MB; a larger body is not GitHub's. */
const MAX_DELIVERY_BYTES = 25 * 1024 * 1024;

type ReadBody = { ok: true; body: string } | { ok: false; status: 413 | 400; error: string; message: string };

/** The request's body as text, refused past `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve({
          ok: false,
          status: 413,
          error: 'body_too_large',
          message: `the body is over ${limit} bytes`,
        });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ ok: true, body: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () =>
      resolve({ ok: false, status: 400, error: 'body_unreadable', message: 'the body could not be read' }),
    );
  });
}

function answerJson(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export interface RunningServer {
  /** http://host:port of the server. */
  url: string;
  port: number;
  webhookPath: string;
  probot: Probot;
  server: Server;
  /**
   * Stops taking deliveries and lets those being handled finish (up to `graceMs`, default the settings'
   * shutdownGraceMs): a replica stopped mid-command would otherwise leave it half done (a deployment made, its
   * reply never posted) and GitHub does not redeliver by itself. Deliveries still running at the end are cut
   * and logged by id, to be redelivered from the App's settings. Resolves with the ids cut.
   */
  close(graceMs?: number): Promise<{ cut: string[] }>;
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const fetch = createHttpFetch();
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    baseUrl: options.baseUrl,
    logLevel: options.logLevel ?? 'info',
    // Probot's own default (pretty) unless LOG_FORMAT says json: one object per line for a log collector.
    ...(options.logFormat ? { logFormat: options.logFormat } : {}),
    Octokit: options.Octokit ?? AppOctokit,
    ...(options.log ? { log: options.log } : {}),
    // GitHub requests over node:http(s) rather than the global fetch: about half the CPU (http-fetch.ts).
    request: { fetch },
  });
  // One Octokit per installation, not one per delivery (installation-octokits.ts).
  await keepInstallationOctokits(probot);
  const webhookPath = options.webhookPath ?? '/api/github/webhooks';
  const appFn =
    options.appFn ??
    deployApp({ markerKeys: options.markerKeys ?? markerKeys({ privateKey: options.privateKey }) });
  const middleware = await createNodeMiddleware(errorsWithoutBody(appFn), {
    probot,
    webhooksPath: webhookPath,
  });
  const notFound = (res: ServerResponse) => () => answerJson(res, 404, { message: 'Not Found' });
  /**
   * A delivery that reaches a stopping replica (on a connection open before the stop): 503, so GitHub shows
   * it as failed, and a warning naming it, as GitHub does not send it again by itself.
   */
  const refuseWhileStopping = (res: ServerResponse, id: string, event: string | undefined): void => {
    probot.log.warn(
      { delivery: id, ...(event ? { event } : {}), code: 'delivery_refused_stopping', status: 503 },
      "delivery refused: this replica is stopping; redeliver it from the GitHub App's advanced settings",
    );
    answerStopping(res);
  };
  /** Deliveries being handled (answered or not: one answered 202 past 9 s is still running), by id. */
  const inFlight = new Map<Promise<void>, string>();
  let closing = false;
  let stopped: Promise<{ cut: string[] }> | undefined;
  /** A POST to the webhook path: read, checked and handed to Probot's webhooks here. */
  const receive = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A GitHub App's deliveries are JSON; anything else is not GitHub's (as @octokit/webhooks answers it).
    if (!/^application\/json(\s*;|$)/i.test(req.headers['content-type'] ?? '')) {
      probot.log.warn({ code: 'unsupported_content_type', status: 415 }, 'webhook refused');
      answerJson(res, 415, {
        error: 'unsupported_content_type',
        message: 'a webhook delivery must be sent as application/json',
      });
      req.resume();
      return;
    }
    const read = await readBody(req, MAX_DELIVERY_BYTES);
    if (!read.ok) {
      probot.log.warn({ code: read.error, status: read.status }, 'webhook refused');
      answerJson(res, read.status, { error: read.error, message: read.message });
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value[0] : value;
    const delivery = await checkDelivery(probot, { httpMethod: 'POST', headers, body: read.body });
    if (!delivery.ok) {
      answerJson(res, delivery.status, delivery.body);
      return;
    }
    if (closing) {
      refuseWhileStopping(res, delivery.id, delivery.name);
      return;
    }
    const handling = handle(delivery, res);
    inFlight.set(handling, delivery.id);
    await handling.finally(() => inFlight.delete(handling));
  };
  const handle = async (
    delivery: Extract<Awaited<ReturnType<typeof checkDelivery>>, { ok: true }>,
    res: ServerResponse,
  ): Promise<void> => {
    // Handled here rather than by Probot's middleware, which logs a failed delivery's error with the whole
    // event attached (body included). GitHub gives up on a delivery after 10 s: past 9 s it is answered 202
    // and handling goes on, as @octokit/webhooks' middleware does.
    let answered = false;
    const slow = setTimeout(() => {
      answered = true;
      answerJson(res, 202, { ok: true, delivery: delivery.id, status: 'still processing' });
    }, SLOW_DELIVERY_MS);
    try {
      await probot.webhooks.receive({
        id: delivery.id,
        name: delivery.name,
        payload: delivery.payload,
      } as never);
      if (!answered) answerJson(res, 200, { ok: true, delivery: delivery.id });
    } catch {
      // Probot's error handler has logged each handler's error by delivery id (errors-without-body.ts).
      probot.log.warn(
        { delivery: delivery.id, event: delivery.name, code: 'handler_failed' },
        'delivery failed',
      );
      if (!answered)
        answerJson(res, 500, {
          error: 'handler_failed',
          message: 'the app failed to handle this delivery',
          delivery: delivery.id,
        });
    } finally {
      clearTimeout(slow);
    }
  };
  /** Answers not yet written out: a stop waits for them (those queued behind another on its connection too). */
  const answering = new Set<ServerResponse>();
  let allAnswered: (() => void) | undefined;
  const server = createHttpServer((req, res) => {
    answering.add(res);
    res.on('close', () => {
      answering.delete(res);
      if (!answering.size) allAnswered?.();
    });
    // Stopping: the client is told not to send anything more on this connection.
    if (closing) res.setHeader('connection', 'close');
    // Trailing slashes do not matter, as in Probot's middleware: /api/github/webhooks/ is the webhook path too.
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && path === '/healthz') {
      // Stopping: a load balancer's health check sends the next deliveries to another replica.
      if (closing) answerJson(res, 503, { status: 'stopping', probot: Probot.version });
      else answerJson(res, 200, { status: 'ok', probot: Probot.version });
      return;
    }
    if (req.method === 'POST' && path === webhookPath.replace(/\/+$/, '')) {
      if (closing) {
        // Not read nor checked: the id is the one the request claims, to find it among the App's deliveries.
        refuseWhileStopping(
          res,
          String(req.headers['x-github-delivery'] ?? '').slice(0, 100),
          String(req.headers['x-github-event'] ?? '').slice(0, 100),
        );
        req.resume();
        return;
      }
      void receive(req, res);
      return;
    }
    void middleware(req, res, notFound(res));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    webhookPath,
    probot,
    server,
    // Once: a second call (SIGINT, then SIGTERM) gets the first one's answer.
    close: (graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS) => (stopped ??= stop(graceMs)),
  };
  async function stop(graceMs: number): Promise<{ cut: string[] }> {
    closing = true;
    // The answers still to come close their connections: nothing more is taken on them.
    for (const res of answering) if (!res.headersSent) res.setHeader('connection', 'close');
    // No new connections; idle keep-alive ones are closed, busy ones once their answer is out.
    const closed = new Promise<void>((resolve, reject) =>
      server.close((err) => (err ? reject(err) : resolve())),
    );
    server.closeIdleConnections();
    const running = [...inFlight.keys()];
    if (running.length)
      probot.log.info(
        { deliveries: [...inFlight.values()], graceMs },
        `stopping: waiting for ${running.length} deliver${running.length === 1 ? 'y' : 'ies'} being handled`,
      );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(running),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    const cut = [...inFlight.values()];
    if (cut.length)
      probot.log.error(
        { deliveries: cut, code: 'deliveries_cut', graceMs },
        `stopped with ${cut.length} deliver${cut.length === 1 ? 'y' : 'ies'} still being handled after ` +
          `${graceMs} ms: redeliver ${cut.length === 1 ? 'it' : 'them'} from the GitHub App's advanced settings ` +
          '(Recent Deliveries) once a replica is up',
      );
    // The answers given meanwhile are written out before the connections close (briefly: a client that does
    // not read its answer does not hold the stop).
    if (answering.size && !cut.length) {
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (allAnswered = resolve)),
        new Promise<void>((resolve) => (wait = setTimeout(resolve, ANSWER_FLUSH_MS))),
      ]);
      clearTimeout(wait);
    }
    server.closeAllConnections();
    fetch.destroy();
    await closed;
    return { cut };
  }
}

/** The answer to a delivery that reaches a stopping replica: 503, not handled, to be sent again. */
function answerStopping(res: ServerResponse): void {
  res.setHeader('connection', 'close');
  answerJson(res, 503, {
    error: 'shutting_down',
    message: 'this replica of the app is stopping: the delivery was not handled; send it again',
  });
}

async function main(): Promise<void> {
  let settings: AppSettings;
  try {
    settings = settingsFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  // Behind a proxy (HTTPS_PROXY and NO_PROXY in the environment), GitHub is reached through it.
  const proxy = routeThroughEnvProxy(process.env);
  const running = await createServer(settings);
  if (proxy.kind === 'routed') running.probot.log.info(proxy.said);
  else if (proxy.kind === 'started') running.probot.log.info(proxy.message);
  else if (proxy.kind === 'unsupported') running.probot.log.warn(proxy.message);
  running.probot.log.info(
    `deploy-action app listening on ${running.url} (webhooks at ${running.webhookPath})`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return; // the runner's SIGINT, then SIGTERM: one close, its grace unchanged
    stopping = true;
    void running.close().then(({ cut }) => process.exit(cut.length ? 1 : 0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.main) await main();
