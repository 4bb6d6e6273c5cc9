// The server's settings from the environment. Every missing or malformed variable is named in one error;
// no value (the private key, the webhook secret) ever appears in a message.
import { createPrivateKey } from 'node:crypto';
import { readRegularFileSync } from '../src/util/regular-file.ts';
import { MarkerKeyError, markerKeys } from '../src/github/marker-keys.ts';
import type { MarkerKeys } from '../src/github/marker-keys.ts';

export interface AppSettings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  port: number;
  host?: string;
  /** REST API base URL: https://api.github.com, or https://<ghe-host>/api/v3. */
  baseUrl: string;
  webhookPath: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** LOG_FORMAT: one JSON object per line, or Probot's pretty lines; unset, each entry point's default. */
  logFormat?: 'json' | 'pretty';
  /** Authenticates the app's hidden markers: DEPLOY_ACTION_MARKER_KEY(_PREVIOUS), else the private key. */
  markerKeys: MarkerKeys;
  /** SHUTDOWN_GRACE (seconds): how long a stopping server lets deliveries being handled finish. */
  shutdownGraceMs?: number;
}

export class SettingsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The app cannot start:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;

/** PEM as pasted into a variable: literal "\n" escapes, or the whole PEM base64-encoded on one line. */
function pemFrom(value: string): string {
  const text = value.includes('-----BEGIN') ? value : Buffer.from(value, 'base64').toString('utf8');
  return text.replace(/\\n/g, '\n');
}

function privateKeyFrom(env: Record<string, string | undefined>, problems: string[]): string {
  let pem: string | undefined;
  let source = 'PRIVATE_KEY';
  if (env.PRIVATE_KEY) pem = pemFrom(env.PRIVATE_KEY);
  else if (env.PRIVATE_KEY_PATH) {
    source = `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})`;
    // A regular file only: a named pipe there hung the App's start, a directory gave a bare EISDIR.
    const read = readRegularFileSync(env.PRIVATE_KEY_PATH);
    if (!read.ok) {
      problems.push(`${source} cannot be read: ${read.problem}`);
      return '';
    }
    pem = read.text;
  } else {
    problems.push('PRIVATE_KEY or PRIVATE_KEY_PATH is required (the GitHub App private key, PEM)');
    return '';
  }
  try {
    createPrivateKey(pem);
  } catch {
    problems.push(`${source} is not a PEM private key`);
  }
  return pem;
}

function apiBaseUrl(env: Record<string, string | undefined>, problems: string[]): string {
  const raw =
    env.GITHUB_API_URL || (env.GHE_HOST ? `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}/api/v3` : '');
  if (!raw) return 'https://api.github.com';
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    problems.push(`${env.GITHUB_API_URL ? 'GITHUB_API_URL' : 'GHE_HOST/GHE_PROTOCOL'} is not an http(s) URL`);
    return '';
  }
}

export function settingsFromEnv(env: Record<string, string | undefined> = process.env): AppSettings {
  const problems: string[] = [];
  // Decimal digits only, as SHUTDOWN_GRACE below: Number() reads " " as 0, "0x10" as 16 and "1e3" as 1000. The
  // line end a secret made from a file carries ("12345\n") is not part of the number.
  const appIdText = env.APP_ID?.trim();
  const appId = Number(appIdText);
  if (!env.APP_ID) problems.push('APP_ID is required (the GitHub App id)');
  else if (!/^\d+$/.test(appIdText!) || !Number.isSafeInteger(appId) || appId <= 0)
    problems.push(`APP_ID must be a positive integer (the GitHub App id), got ${JSON.stringify(env.APP_ID)}`);
  const privateKey = privateKeyFrom(env, problems);
  // Probot would fall back to the secret "development"; an app that accepts forged webhooks must not start.
  if (!env.WEBHOOK_SECRET)
    problems.push('WEBHOOK_SECRET is required (the secret set on the GitHub App webhook)');
  const portText = env.PORT?.trim();
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(portText);
  // A blank PORT was 0: a random port nobody reaches.
  if ((env.PORT && !/^\d+$/.test(portText!)) || !Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  const webhookPath = env.WEBHOOK_PATH || '/api/github/webhooks';
  if (!webhookPath.startsWith('/')) problems.push("WEBHOOK_PATH must start with '/'");
  const logLevel = (env.LOG_LEVEL || 'info') as AppSettings['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = env.LOG_FORMAT ? (env.LOG_FORMAT as NonNullable<AppSettings['logFormat']>) : undefined;
  if (logFormat && !LOG_FORMATS.includes(logFormat))
    problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}`);
  const baseUrl = apiBaseUrl(env, problems);
  const graceText = env.SHUTDOWN_GRACE;
  const grace = graceText === undefined || graceText === '' ? undefined : Number(graceText);
  // Seconds as digits only: Number() would read " " as 0 and "0x10" as 16.
  if (grace !== undefined && !(/^\d+(\.\d+)?$/.test(graceText!) && grace <= 3600))
    problems.push(
      `SHUTDOWN_GRACE must be a number of seconds from 0 to 3600 (how long a stopping server lets deliveries finish), got ${JSON.stringify(graceText)}`,
    );
  let keys: MarkerKeys | undefined;
  try {
    // A private key that did not read is already a problem above; only the marker settings are new here.
    keys = markerKeysFrom(env, problems.length ? '' : privateKey);
  } catch (error) {
    if (!(error instanceof MarkerKeyError)) throw error;
    if (!problems.length || env.DEPLOY_ACTION_MARKER_KEY || env.DEPLOY_ACTION_MARKER_KEY_PREVIOUS)
      problems.push(error.message);
  }
  if (problems.length) throw new SettingsError(problems);
  const settings: AppSettings = {
    appId,
    privateKey,
    webhookSecret: env.WEBHOOK_SECRET!,
    port,
    baseUrl,
    webhookPath,
    logLevel,
    markerKeys: keys!,
  };
  if (env.HOST) settings.host = env.HOST;
  if (logFormat) settings.logFormat = logFormat;
  if (grace !== undefined) settings.shutdownGraceMs = Math.round(grace * 1000);
  return settings;
}

function markerKeysFrom(env: Record<string, string | undefined>, privateKey: string): MarkerKeys {
  return markerKeys({
    ...(env.DEPLOY_ACTION_MARKER_KEY ? { secret: env.DEPLOY_ACTION_MARKER_KEY } : {}),
    ...(privateKey ? { privateKey } : {}),
    ...(env.DEPLOY_ACTION_MARKER_KEY_PREVIOUS ? { previous: env.DEPLOY_ACTION_MARKER_KEY_PREVIOUS } : {}),
  });
}

/**
 * The marker keys for an app started by someone else's server (`probot run`, a serverless adapter): from
 * DEPLOY_ACTION_MARKER_KEY, else from the private key Probot reads too (PRIVATE_KEY or PRIVATE_KEY_PATH).
 * Throws SettingsError naming what is missing or wrong; an app that cannot authenticate its state must not
 * start.
 */
export function markerKeysFromEnv(env: Record<string, string | undefined> = process.env): MarkerKeys {
  const problems: string[] = [];
  const privateKey = env.DEPLOY_ACTION_MARKER_KEY ? '' : privateKeyFrom(env, problems);
  if (problems.length)
    throw new SettingsError([
      ...problems.map(
        (p) => `${p}; it authenticates the app's markers unless DEPLOY_ACTION_MARKER_KEY is set`,
      ),
    ]);
  try {
    return markerKeysFrom(env, privateKey);
  } catch (error) {
    if (error instanceof MarkerKeyError) throw new SettingsError([error.message]);
    throw error;
  }
}
