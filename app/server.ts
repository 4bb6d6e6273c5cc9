// `npm start`: Probot's node middleware on a plain node http server, plus GET /healthz for load balancers.
// createServer() is what tests call (127.0.0.1, port 0); run directly, the settings come from the environment.
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, createNodeMiddleware } from 'probot';
import type { ProbotOctokit } from 'probot';
import type { ApplicationFunction } from 'probot';
import { deployApp } from './index.ts';
import { SettingsError, settingsFromEnv } from './config.ts';
import { markerKeys } from '../src/github/marker-keys.ts';
import type { AppSettings } from './config.ts';

export interface ServerOptions extends Omit<AppSettings, 'logLevel' | 'webhookPath' | 'markerKeys'> {
  logLevel?: AppSettings['logLevel'];
  webhookPath?: string;
  /** Defaults to keys derived from `privateKey`. */
  markerKeys?: AppSettings['markerKeys'];
  /** The app function; defaults to this package's app with `markerKeys`. */
  appFn?: ApplicationFunction;
  /** Octokit class for Probot (tests pass one without GitHub's write throttling). */
  Octokit?: typeof ProbotOctokit;
}

export interface RunningServer {
  /** http://host:port of the server. */
  url: string;
  port: number;
  webhookPath: string;
  probot: Probot;
  server: Server;
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    baseUrl: options.baseUrl,
    logLevel: options.logLevel ?? 'info',
    ...(options.Octokit ? { Octokit: options.Octokit } : {}),
  });
  const webhookPath = options.webhookPath ?? '/api/github/webhooks';
  const appFn =
    options.appFn ??
    deployApp({ markerKeys: options.markerKeys ?? markerKeys({ privateKey: options.privateKey }) });
  const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: webhookPath });
  const server = createHttpServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url?.startsWith('/healthz?'))) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', probot: Probot.version }));
      return;
    }
    void middleware(req, res, () => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
    });
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
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
  const running = await createServer(settings);
  running.probot.log.info(
    `deploy-action app listening on ${running.url} (webhooks at ${running.webhookPath})`,
  );
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.main) await main();
