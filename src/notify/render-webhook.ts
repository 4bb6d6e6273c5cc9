// The generic webhook's JSON body (schema/notification-webhook.schema.json) and its signature, made the way
// GitHub signs webhooks: HMAC-SHA256 of the exact body bytes, hex, as `sha256=<hex>`. Pure.
import { createHmac } from 'node:crypto';
import { PLACEHOLDERS, type Notification } from './model.ts';
import { identity } from './escape.ts';
import { DEFAULT_TEMPLATES, orDefault, renderTemplate, type EventTemplate } from './template.ts';

export const WEBHOOK_SCHEMA_VERSION = 1;

export interface WebhookBody {
  schema_version: 1;
  delivery: string;
  event: Notification['event'];
  occurred_at: string;
  title: string;
  text: string;
  facts: Partial<Record<(typeof PLACEHOLDERS)[number], string>>;
}

/** The body as sent (JSON text: values need no other escaping) for delivery `delivery`. */
export function renderWebhook(n: Notification, template: EventTemplate, delivery: string): string {
  const facts: WebhookBody['facts'] = {};
  for (const key of PLACEHOLDERS) if (n.facts[key] !== undefined) facts[key] = n.facts[key];
  const body: WebhookBody = {
    schema_version: WEBHOOK_SCHEMA_VERSION,
    delivery,
    event: n.event,
    occurred_at: n.at,
    title: orDefault(renderTemplate(template.title, n.facts, identity), () =>
      renderTemplate(DEFAULT_TEMPLATES[n.event].title, n.facts, identity),
    ),
    text: orDefault(renderTemplate(template.text, n.facts, identity), () =>
      renderTemplate(DEFAULT_TEMPLATES[n.event].text, n.facts, identity),
    ),
    facts,
  };
  return JSON.stringify(body);
}

/** `sha256=<hex>` of the body with the secret: the X-Deploy-Signature-256 header. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export const WEBHOOK_HEADERS = {
  signature: 'X-Deploy-Signature-256',
  delivery: 'X-Deploy-Delivery',
  event: 'X-Deploy-Event',
} as const;
