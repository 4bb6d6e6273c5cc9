// Builds the notifier for one environment from the deploy config and the process environment: reads each
// channel's secrets from the variables the config names (never the file), and leaves out, with one warning,
// a channel whose variable is not set. Returns undefined when the environment notifies nobody.
import type { Reporter } from '../pipeline/events.ts';
import type { RawConfig } from '../config/schema.ts';
import { NotificationMapper, type NotifyContext } from './mapping.ts';
import { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, notifier } from './reporter.ts';
import { resolveNotifications } from './resolve.ts';
import { signedWebhookSink, slackBotSink, webhookMessageSink, type Sink } from './sinks.ts';
import { isHttpUrl } from './escape.ts';
import type { SlackMessageRef } from '../state/record.ts';
import { urlSecrets } from '../util/secret-values.ts';
import { configSecretValues } from '../config/env-secrets.ts';

export interface CreatedNotifier {
  reporter: Reporter;
  /** The secret values in use, for the caller to mask too (core.setSecret). */
  secrets: string[];
}

export function createNotifier(
  config: RawConfig,
  environment: string,
  context: NotifyContext,
  options: {
    env: NodeJS.ProcessEnv;
    log: (level: 'info' | 'warn', message: string) => void;
    now?: () => number;
    /** The Slack messages the deployment's job posted (its record's `rollout.notify`), to continue in place. */
    continues?: readonly SlackMessageRef[];
    /** The bound on close() once a job is cancelled (NotifierOptions.closeBy). */
    closeBy?: () => number | undefined;
    /**
     * The other values the run knows are secret (the token, the state key): a failing command's output quoted
     * in a message must not carry them either. The config's `*_env` values, every channel's (one this
     * environment turns off too), are added here, whoever makes the notifier (the CLI, the Action).
     */
    known?: readonly (string | undefined)[];
  },
): CreatedNotifier | undefined {
  const resolved = resolveNotifications(
    config.notifications,
    config.environments[environment]?.notifications,
  );
  if (!resolved) return undefined;
  const { env, log } = options;
  // Tuning for tests against loopback receivers; the defaults are documented in docs/notifications.md.
  const requestTimeoutMs = timeoutMs(env.DEPLOY_ACTION_NOTIFY_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS);
  const closeTimeoutMs = timeoutMs(env.DEPLOY_ACTION_NOTIFY_CLOSE_TIMEOUT_MS, DEFAULT_CLOSE_TIMEOUT_MS);
  const closeController = new AbortController();
  const secrets: string[] = [];
  const sinks: Sink[] = [];
  const read = (channel: string, name: string, url = false): string | undefined => {
    // Own keys only: a variable named "constructor" that is not set found Object's function (process.env
    // has Object.prototype behind it), and a channel ran with it as its token.
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (!value) {
      log('warn', `notifications: channel "${channel}" is off: the variable ${name} is not set`);
      return undefined;
    }
    secrets.push(value);
    const problem = url ? urlProblem(value) : undefined;
    if (problem) {
      log('warn', `notifications: channel "${channel}" is off: ${name} ${problem}`);
      return undefined;
    }
    if (url) secrets.push(...urlSecrets(value));
    return value;
  };
  for (const { name, config: c, events } of resolved.channels) {
    const base = { name, events, templates: resolved.templates };
    if (c.type === 'slack' && c.token_env) {
      const token = read(name, c.token_env);
      const resume = continued(options.continues, name, c.channel!);
      if (token)
        sinks.push(
          slackBotSink({ ...base, channel: c.channel!, thread: c.thread ?? true }, token, {
            apiUrl: env.DEPLOY_ACTION_SLACK_API_URL || undefined,
            timeoutMs: requestTimeoutMs,
            closeSignal: closeController.signal,
            ...(resume ? { resume } : {}),
            warn: (message) => log('warn', message),
          }),
        );
    } else if (c.type === 'slack' || c.type === 'teams') {
      const url = read(name, c.webhook_url_env!, true);
      if (url) sinks.push(webhookMessageSink(base, c.type === 'slack' ? 'slack-webhook' : 'teams', url));
    } else {
      const url = read(name, c.url_env, true);
      const secret = read(name, c.secret_env);
      if (url && secret) sinks.push(signedWebhookSink(base, url, secret));
    }
  }
  const mapper = new NotificationMapper(
    { ...context, contact: resolved.contact, impact: resolved.impact },
    options.now,
  );
  return {
    reporter: notifier({
      sinks,
      mapper,
      log,
      secrets: [
        ...secrets,
        ...configSecretValues(config, env),
        ...(options.known ?? []).filter((secret): secret is string => !!secret),
      ],
      requestTimeoutMs,
      closeTimeoutMs,
      closeController,
      ...(options.closeBy ? { closeBy: options.closeBy } : {}),
    }),
    secrets,
  };
}

/**
 * Why a channel's URL cannot be posted to, never quoting it (it is a secret); undefined when it can. Each of
 * these failed every request as "request failed", naming neither the variable nor what was wrong.
 */
function urlProblem(value: string): string | undefined {
  let parsed: URL | undefined;
  try {
    parsed = isHttpUrl(value) ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed) return 'does not hold an http(s) URL';
  // fetch refuses to send a URL with credentials in it.
  if (parsed.username || parsed.password)
    return 'holds a URL with a user name or password in it, which is never sent: take them out (a generic webhook is signed with its secret_env instead)';
  return undefined;
}

/**
 * A timeout from a tuning variable: whole milliseconds, at least 1 and at most a day; anything else (unset,
 * negative, infinite, not a number) is the default. A negative or infinite one made AbortSignal.timeout throw
 * in every send, so each channel failed; one past a timer's range (2^31 ms) runs at once, so close() gave up
 * before anything was sent.
 */
function timeoutMs(value: string | undefined, fallback: number): number {
  const ms = Number(value);
  return Number.isInteger(ms) && ms >= 1 && ms <= 86_400_000 ? ms : fallback;
}

/**
 * The message this bot channel posted for the deployment, if it is still the same channel: a config that now
 * names another channel ID gets a new message there.
 */
function continued(
  refs: readonly SlackMessageRef[] | undefined,
  name: string,
  configured: string,
): { channel: string; ts: string } | undefined {
  const ref = refs?.find((r) => r.name === name);
  if (!ref || (/^[CGD][A-Z0-9]+$/.test(configured) && configured !== ref.channel)) return undefined;
  return { channel: ref.channel, ts: ref.ts };
}
