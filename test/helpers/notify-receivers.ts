/* eslint-disable @typescript-eslint/no-explicit-any -- the receivers inspect whatever JSON arrives */
// Loopback receivers for the notification channels, each checking the payload against the channel's
// documented rules: a fake Slack Web API (chat.postMessage / chat.update limits, ts and thread_ts), a Teams
// workflow webhook (the message envelope and an Adaptive Card the adaptivecards library parses cleanly), a
// signed generic webhook (HMAC-SHA256 like GitHub's), one that never answers and one that answers 500.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats');
const WEBHOOK_SCHEMA = require('../../schema/notification-webhook.schema.json');

/** The documented JSON Schema of the generic webhook's body, compiled (ajv, strict). */
export const validateWebhookBody: ((body: unknown) => boolean) & { errors?: unknown[] | null } = (() => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(WEBHOOK_SCHEMA);
})();

export interface Receiver<T> {
  url: string;
  received: T[];
  close(): Promise<void>;
}

async function listen(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, body, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Slack

/** Slack's documented limits for chat.postMessage / chat.update and Block Kit. */
export const SLACK_RULES = {
  blocks: 50,
  text: 40_000,
  section: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  context: 10,
};

/** Every way a message breaks Slack's documented limits; empty when it is within them. */
export function slackProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  if (typeof message.text !== 'string' || message.text === '') problems.push('no text');
  else if (message.text.length > SLACK_RULES.text) problems.push(`text of ${message.text.length} > 40000`);
  const blocks = (message.blocks ?? []) as Array<Record<string, any>>;
  if (!Array.isArray(blocks)) return [...problems, 'blocks is not a list'];
  if (blocks.length > SLACK_RULES.blocks) problems.push(`${blocks.length} blocks > 50`);
  for (const [i, b] of blocks.entries()) {
    if (b.type === 'header') {
      if (b.text?.type !== 'plain_text') problems.push(`block ${i}: header text is not plain_text`);
      if ((b.text?.text ?? '').length > SLACK_RULES.header)
        problems.push(`block ${i}: header of ${b.text.text.length} > 150`);
      if (!b.text?.text) problems.push(`block ${i}: empty header`);
    } else if (b.type === 'section') {
      if (!b.text && !b.fields) problems.push(`block ${i}: section with neither text nor fields`);
      if (b.text && (b.text.text ?? '').length > SLACK_RULES.section)
        problems.push(`block ${i}: section text of ${b.text.text.length} > 3000`);
      if (b.text && !b.text.text) problems.push(`block ${i}: empty section text`);
      if (b.fields) {
        if (b.fields.length > SLACK_RULES.fields) problems.push(`block ${i}: ${b.fields.length} fields > 10`);
        for (const f of b.fields)
          if ((f.text ?? '').length > SLACK_RULES.field)
            problems.push(`block ${i}: field of ${f.text.length} > 2000`);
      }
    } else if (b.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > SLACK_RULES.context)
        problems.push(`block ${i}: context needs 1 to 10 elements`);
    } else problems.push(`block ${i}: unexpected type ${b.type}`);
  }
  return problems;
}

export interface SlackCall {
  method: 'chat.postMessage' | 'chat.update';
  token: string | undefined;
  args: Record<string, any>;
  problems: string[];
  ts: string;
}

/** A fake Slack Web API at `${url}/api/`: form-encoded or JSON bodies, like @slack/web-api sends. */
export async function fakeSlack(): Promise<Receiver<SlackCall> & { apiUrl: string }> {
  const received: SlackCall[] = [];
  let next = 1;
  const server = await listen((req, body, res) => {
    const method = req.url?.replace(/^\/api\//, '') as SlackCall['method'];
    const args: Record<string, any> = req.headers['content-type']?.includes('json')
      ? JSON.parse(body)
      : Object.fromEntries(new URLSearchParams(body));
    if (typeof args.blocks === 'string') args.blocks = JSON.parse(args.blocks);
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const problems =
      method === 'chat.postMessage' || method === 'chat.update'
        ? slackProblems(args)
        : [`unknown method ${method}`];
    if (!args.channel) problems.push('no channel');
    let ts = args.ts as string | undefined;
    // Slack's answer to an update of a message it does not have (deleted, or never posted).
    const missing =
      method === 'chat.update' && !received.some((c) => c.method === 'chat.postMessage' && c.ts === ts);
    if (missing) problems.push(`chat.update of ts ${ts}, which was never posted`);
    if (
      args.thread_ts &&
      !received.some((c) => c.method === 'chat.postMessage' && c.ts === args.thread_ts && !c.args.thread_ts)
    )
      problems.push(`thread_ts ${args.thread_ts} is not a top-level message`);
    if (method === 'chat.postMessage') ts = `1700000000.${String(next++).padStart(6, '0')}`;
    received.push({ method, token, args, problems, ts: ts ?? '' });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        problems.length
          ? { ok: false, error: missing ? 'message_not_found' : 'invalid_arguments', problems }
          : { ok: true, channel: 'C0123', ts },
      ),
    );
  });
  return { ...server, apiUrl: `${server.url}/api/`, received };
}

// ---------------------------------------------------------------------------------------------------------
// Teams

/** Every way a Teams workflow webhook body is not a message with one valid Adaptive Card 1.5. */
export function teamsProblems(body: any): string[] {
  const problems: string[] = [];
  if (body?.type !== 'message') problems.push('envelope type is not "message"');
  if (!Array.isArray(body?.attachments) || body.attachments.length !== 1)
    return [...problems, 'needs one attachment'];
  const attachment = body.attachments[0];
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive')
    problems.push(`contentType ${attachment.contentType}`);
  const card = attachment.content;
  if (card?.type !== 'AdaptiveCard') problems.push('content is not an AdaptiveCard');
  if (card?.version !== '1.5') problems.push(`card version ${card?.version}`);
  if (JSON.stringify(body).length > 28_000) problems.push('message larger than 28 KB');
  const context = new AC.SerializationContext();
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}

export interface TeamsPost {
  body: any;
  problems: string[];
}

export async function teamsReceiver(): Promise<Receiver<TeamsPost>> {
  const received: TeamsPost[] = [];
  const server = await listen((req, text, res) => {
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const problems = req.headers['content-type']?.startsWith('application/json')
      ? teamsProblems(body)
      : ['not JSON'];
    received.push({ body, problems });
    res.statusCode = problems.length ? 400 : 202;
    res.end();
  });
  return { ...server, received };
}

// ---------------------------------------------------------------------------------------------------------
// Generic signed webhook

/** GitHub's way: HMAC-SHA256 of the raw body, compared in constant time with `sha256=<hex>`. */
export function verifySignature(body: string, secret: string, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookPost {
  raw: string;
  body: any;
  headers: IncomingMessage['headers'];
  verified: boolean;
  /** Where the body breaks schema/notification-webhook.schema.json; empty when it follows it. */
  problems: unknown[];
}

export async function webhookReceiver(secret: string): Promise<Receiver<WebhookPost>> {
  const received: WebhookPost[] = [];
  const server = await listen((req, raw, res) => {
    const verified = verifySignature(
      raw,
      secret,
      req.headers['x-deploy-signature-256'] as string | undefined,
    );
    const body = JSON.parse(raw);
    const problems = validateWebhookBody(body) ? [] : [...(validateWebhookBody.errors ?? [])];
    received.push({ raw, body, headers: req.headers, verified, problems });
    res.statusCode = verified ? 204 : 401;
    res.end();
  });
  return { ...server, received };
}

// ---------------------------------------------------------------------------------------------------------
// Failing channels

/** Takes the request and never answers. */
export async function hangingReceiver(): Promise<Receiver<string>> {
  const received: string[] = [];
  const server = await listen((req) => received.push(req.url ?? ''));
  return { ...server, received };
}

/** Answers every request with 500. */
export async function failingReceiver(): Promise<Receiver<string>> {
  const received: string[] = [];
  const server = await listen((req, body, res) => {
    received.push(body);
    res.statusCode = 500;
    res.end('internal error');
  });
  return { ...server, received };
}

// ---------------------------------------------------------------------------------------------------------
// Slack incoming webhook

export interface SlackHookPost {
  body: any;
  problems: string[];
}

/** An incoming webhook: one JSON message per POST, within the same limits as chat.postMessage. */
export async function slackWebhookReceiver(): Promise<Receiver<SlackHookPost>> {
  const received: SlackHookPost[] = [];
  const server = await listen((_req, text, res) => {
    const body = JSON.parse(text);
    const problems = slackProblems(body);
    received.push({ body, problems });
    res.statusCode = problems.length ? 400 : 200;
    res.end(problems.length ? 'invalid_blocks' : 'ok');
  });
  return { ...server, received };
}
