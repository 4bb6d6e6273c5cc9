// AWS Lambda entry point (issue 17): the App behind API Gateway (REST API, payload v1, or HTTP API, payload
// v2) or a function URL, built to dist/app/lambda.js; the handler is `handler`. Probot's Lambda adapter
// (@probot/adapter-aws-lambda-serverless) receives the delivery with OUR Probot 14 instance: only its
// lambda-function.js is imported, because its index brings a Probot 13 of its own. Around it, what the adapter
// leaves out: it reads neither payload v2's method nor `isBase64Encoded` (a base64 body fails its signature),
// and it throws on a bad or missing signature (API Gateway answers 502, and Probot logs the error with the
// delivery, body included). Here every delivery is checked first: a bad one is answered 4xx with a reason
// code and never reaches the app or a log; a handler that fails is a 500 GitHub shows as failed.
import lambdaFunction from '@probot/adapter-aws-lambda-serverless/lambda-function.js';
import { Probot } from 'probot';
import type { ApplicationFunction } from 'probot';
import { deployApp } from './index.ts';
import { keepInstallationOctokits } from './installation-octokits.ts';
import { AppOctokit } from './octokit.ts';
import { SettingsError, settingsFromEnv } from './config.ts';
import { errorsWithoutBody } from './errors-without-body.ts';
import { createHttpFetch } from './http-fetch.ts';
import { routeThroughEnvProxy } from '../src/util/env-proxy.ts';
import { checkDelivery } from './delivery.ts';
import type { GatewayEvent } from './delivery.ts';

export interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type LambdaHandler = (event: GatewayEvent, context?: unknown) => Promise<LambdaResult>;

const answer = (statusCode: number, body: Record<string, unknown>): LambdaResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * The handler for a Probot instance: the app is loaded once, outside any invocation (a warm container reuses it).
 * `closeIdle`: ends the connections its fetch keeps alive, called as each invocation ends (http-fetch.ts).
 */
export function createLambdaHandler(options: {
  probot: Probot;
  appFn: ApplicationFunction;
  closeIdle?: () => void;
}): LambdaHandler {
  const { probot } = options;
  // A handler's error is logged by Probot without the body (errors-without-body.ts).
  const loaded = probot.load(errorsWithoutBody(options.appFn));
  return async (event, context) => {
    try {
      return await invoke(event, context);
    } finally {
      // Lambda freezes the container once the answer is returned, until the next invocation, maybe minutes
      // later: a connection kept alive across that is one GitHub (or a NAT between) may have closed meanwhile,
      // unseen by the frozen process, and the next invocation's first request would be sent on it: reset (Octokit
      // retries it a second later) or unanswered until the idle timeout, past the function's. Within an
      // invocation the connection is kept (a delivery makes several requests); the next one opens its own.
      options.closeIdle?.();
    }
  };

  async function invoke(event: GatewayEvent, context: unknown): Promise<LambdaResult> {
    await loaded;
    const delivery = await checkDelivery(probot, event);
    if (!delivery.ok) return answer(delivery.status, delivery.body);
    const { id, name } = delivery;
    try {
      const result = await lambdaFunction(
        probot,
        {
          httpMethod: 'POST',
          path: '/',
          headers: {
            'x-github-delivery': id,
            'x-github-event': name,
            'x-hub-signature-256': delivery.signature,
          },
          body: delivery.body,
        },
        context,
      );
      return answer(result.statusCode, { ok: true, delivery: id });
    } catch {
      // Probot has logged each handler's error with the delivery id; GitHub shows the delivery as failed.
      return answer(500, {
        error: 'handler_failed',
        message: 'the app failed to handle this delivery',
        delivery: id,
      });
    }
  }
}

let cold: Promise<LambdaHandler> | undefined;

/** A cold start: the settings from the environment (as `npm start` reads them), one Probot, the app loaded. */
async function coldStart(env: NodeJS.ProcessEnv): Promise<LambdaHandler> {
  const settings = settingsFromEnv(env);
  // A Lambda in a VPC whose way out is a proxy names it in HTTPS_PROXY: GitHub is reached through it.
  const proxy = routeThroughEnvProxy(env);
  if (proxy.kind === 'unsupported') console.warn(proxy.message);
  // GitHub requests over node:http(s), as the server makes them (http-fetch.ts): about half the CPU of the
  // global fetch per request, the same connect and idle timeouts, a proxy or redirect still the global fetch's.
  const fetch = createHttpFetch();
  const probot = new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    baseUrl: settings.baseUrl,
    logLevel: settings.logLevel,
    // CloudWatch keeps one JSON line per record; LOG_FORMAT=pretty for people.
    logFormat: settings.logFormat ?? 'json',
    Octokit: AppOctokit,
    request: { fetch },
  });
  // A warm container keeps one Octokit per installation across invocations (installation-octokits.ts).
  await keepInstallationOctokits(probot);
  return createLambdaHandler({
    probot,
    appFn: deployApp({ markerKeys: settings.markerKeys }),
    closeIdle: () => fetch.closeIdle(),
  });
}

/**
 * The Lambda handler (`dist/app/lambda.handler`). Settings are read at the first invocation of a container;
 * a missing or bad variable is a 500 that names it (never its value), and the next invocation reads again.
 */
export const handler: LambdaHandler = async (event, context) => {
  cold ??= coldStart(process.env);
  let ready: LambdaHandler;
  try {
    ready = await cold;
  } catch (error) {
    cold = undefined;
    if (!(error instanceof SettingsError)) throw error;
    console.error(error.message);
    return answer(500, { error: 'settings_invalid', message: error.message });
  }
  return ready(event, context);
};
