// One sink per configured channel: what it sends for a notification or a thread line, and the state that
// needs (the Slack message's ts, updated in place). Rendering is pure (render-*.ts); sending is transport.ts.
import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { NotifyEvent, NotifyItem } from './model.ts';
import { renderSlack, renderSlackThread, SLACK_LIMITS } from './render-slack.ts';
import { cut } from './escape.ts';
import { renderTeams } from './render-teams.ts';
import { renderWebhook, signature, WEBHOOK_HEADERS } from './render-webhook.ts';
import type { EventTemplate } from './template.ts';
import { DeliveryError, postJson, slackCall, slackClient, slackError } from './transport.ts';

export interface Sink {
  name: string;
  kind: 'slack' | 'slack-webhook' | 'teams' | 'webhook';
  events: ReadonlySet<NotifyEvent>;
  /** Takes thread lines (the Slack bot with a thread); the others only take notifications. */
  threads: boolean;
  send(item: NotifyItem, signal: AbortSignal): Promise<void>;
  /** The Slack bot: the message it posts to (once answered), which a later run may continue. */
  message?(): { channel: string; ts: string } | undefined;
}

type Templates = Record<NotifyEvent, EventTemplate>;

export interface SinkBase {
  name: string;
  events: ReadonlySet<NotifyEvent>;
  templates: Templates;
}

/** A JSON POST per notification: a Slack incoming webhook or a Teams workflow webhook. */
export function webhookMessageSink(base: SinkBase, kind: 'slack-webhook' | 'teams', url: string): Sink {
  return {
    name: base.name,
    kind,
    events: base.events,
    threads: false,
    async send(item, signal) {
      if (item.kind !== 'notify') return;
      const { notification: n } = item;
      const template = base.templates[n.event];
      const body = kind === 'teams' ? renderTeams(n, template) : renderSlack(n, template);
      await postJson(url, JSON.stringify(body), {}, signal);
    },
  };
}

/** The generic webhook: the documented JSON, signed, with a delivery id per request. */
export function signedWebhookSink(
  base: SinkBase,
  url: string,
  secret: string,
  newId: () => string = randomUUID,
): Sink {
  return {
    name: base.name,
    kind: 'webhook',
    events: base.events,
    threads: false,
    async send(item, signal) {
      if (item.kind !== 'notify') return;
      const delivery = newId();
      const body = renderWebhook(item.notification, base.templates[item.notification.event], delivery);
      await postJson(
        url,
        body,
        {
          [WEBHOOK_HEADERS.signature]: signature(body, secret),
          [WEBHOOK_HEADERS.delivery]: delivery,
          [WEBHOOK_HEADERS.event]: item.notification.event,
        },
        signal,
      );
    },
  };
}

/** At most this many thread replies per deployment: Slack allows about one message a second per channel. */
export const MAX_THREAD_REPLIES = 20;
/** Events that also reach the channel itself (a reply broadcast), since an edited message notifies nobody. */
const BROADCAST: ReadonlySet<NotifyEvent> = new Set([
  'waiting_for_approval',
  'analysis_warning',
  'failed',
  'rolled_back',
  'cancelled',
]);

/** What Slack answers when a message to continue is gone (deleted, its channel archived or left). */
const GONE: ReadonlySet<string> = new Set(['message_not_found', 'channel_not_found', 'cant_update_message']);

/**
 * The Slack bot: chat.postMessage at the first notification, chat.update of that ts at the next ones, and
 * the steps as replies in its thread (lines before the message exists wait for it). With `resume` (a reconcile
 * run going on with a handed-off deployment) the message is the one the deploying job posted: updated in
 * place, lines in its thread once Slack has taken the first update. If Slack says that message is gone, a
 * new one is posted instead, with one warning.
 */
export function slackBotSink(
  base: SinkBase & { channel: string; thread: boolean },
  token: string,
  options: {
    apiUrl?: string;
    timeoutMs: number;
    closeSignal: AbortSignal;
    resume?: { channel: string; ts: string };
    warn?: (message: string) => void;
  },
): Sink {
  let client: WebClient | undefined;
  let ts = options.resume?.ts;
  let channel = options.resume?.channel ?? base.channel;
  /** A resumed ts that Slack has not yet accepted: thread lines wait, as before a first post. */
  let unconfirmed = ts !== undefined;
  let replies = 0;
  const pending: string[] = [];
  /** The send under way (the notifier sends one item at a time per channel): it bounds a rate limit's wait. */
  let sending: AbortSignal | undefined;
  const call = async <T>(fn: (c: WebClient) => Promise<T>): Promise<T> => {
    client ??= await slackClient(token, {
      apiUrl: options.apiUrl,
      timeoutMs: options.timeoutMs,
      signal: options.closeSignal,
    }).catch((error: unknown) => {
      throw slackError(error);
    });
    const c = client;
    return slackCall(
      () => fn(c),
      sending ? AbortSignal.any([sending, options.closeSignal]) : options.closeSignal,
    );
  };
  const reply = async (text: string, broadcast = false) => {
    if (replies >= MAX_THREAD_REPLIES) return;
    replies++;
    const last = replies === MAX_THREAD_REPLIES;
    // The note on the last reply is kept whole, the line cut before it to the section's limit.
    const note = "\n… further steps are in the run's log";
    const body = last ? `${cut(text, SLACK_LIMITS.section - note.length)}${note}` : text;
    await call((c) =>
      c.chat.postMessage({
        channel,
        thread_ts: ts!,
        text: body,
        // Shown as a verbatim section, as the top message is: Slack makes no links of URLs a value holds there.
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: cut(body, SLACK_LIMITS.section), verbatim: true },
          },
        ],
        reply_broadcast: broadcast,
      }),
    );
  };
  return {
    name: base.name,
    kind: 'slack',
    events: base.events,
    threads: base.thread,
    async send(item, signal) {
      sending = signal;
      if (item.kind === 'thread') {
        const { text } = renderSlackThread(item.line);
        if (ts === undefined || unconfirmed) {
          if (pending.length < MAX_THREAD_REPLIES) pending.push(text);
        } else await reply(text);
        return;
      }
      const n = item.notification;
      const message = renderSlack(n, base.templates[n.event]);
      if (unconfirmed) {
        unconfirmed = false;
        try {
          await call((c) => c.chat.update({ channel, ts: ts!, ...message }));
        } catch (error) {
          const code = error instanceof DeliveryError ? error.slackCode : undefined;
          if (!code || !GONE.has(code)) throw error;
          options.warn?.(
            `notifications: slack channel "${base.name}": the deployment's message is gone (${code}); posting a new one`,
          );
          ts = undefined;
          channel = base.channel;
        }
        if (ts !== undefined) {
          for (const text of pending.splice(0)) await reply(text);
          if (base.thread && BROADCAST.has(n.event)) await reply(message.text, true);
          return;
        }
      }
      if (ts === undefined) {
        const posted = await call((c) => c.chat.postMessage({ channel: base.channel, ...message }));
        ts = posted.ts;
        if (posted.channel) channel = posted.channel;
        if (ts === undefined) return;
        for (const text of pending.splice(0)) await reply(text);
      } else {
        await call((c) => c.chat.update({ channel, ts: ts!, ...message }));
        if (base.thread && BROADCAST.has(n.event)) await reply(message.text, true);
      }
    },
    message: () => (ts === undefined ? undefined : { channel, ts }),
  };
}
