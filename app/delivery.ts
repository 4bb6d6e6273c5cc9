// One webhook delivery, checked before it reaches Probot, for every entry point (the node server of `npm start`
// and the Lambda handler): the headers GitHub always sends, a signature, a body, and the signature verified
// against the webhook secret. A refused delivery is answered 4xx with a stable code and logged by that code
// only: @octokit/webhooks attaches the whole event (body included) to the error it raises for a bad
// signature, and Probot logs that error with all its fields, so a delivery must never fail there.
import type { Probot } from 'probot';

/** The part of an API Gateway event (REST v1 or HTTP API v2, or a function URL) a delivery needs. */
export interface GatewayEvent {
  /** v1 */
  httpMethod?: string;
  /** v2 and function URLs */
  requestContext?: { http?: { method?: string } };
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** A delivery read from an event, or why it is not one (a stable code, the status to answer). */
export type Delivery =
  | { ok: true; id: string; name: string; signature: string; body: string }
  | { ok: false; status: 400 | 401 | 405; code: string; message: string };

const REQUIRED = ['x-github-event', 'x-github-delivery'] as const;

/** Pure: the delivery in an API Gateway event. Header names are case-insensitive (v1 keeps the client's case). */
export function deliveryFrom(event: GatewayEvent): Delivery {
  const method = event.httpMethod ?? event.requestContext?.http?.method ?? '';
  if (method.toUpperCase() !== 'POST')
    return {
      ok: false,
      status: 405,
      code: 'method_not_allowed',
      message: `${method || 'no method'}: POST a webhook`,
    };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  const missing = REQUIRED.filter((name) => !headers[name]);
  if (missing.length)
    return {
      ok: false,
      status: 400,
      code: 'missing_header',
      message: `missing header ${missing.join(', ')}`,
    };
  const signature = headers['x-hub-signature-256'];
  if (!signature)
    return {
      ok: false,
      status: 401,
      code: 'missing_signature',
      message: 'missing header x-hub-signature-256: set a webhook secret on the GitHub App',
    };
  if (!event.body) return { ok: false, status: 400, code: 'empty_body', message: 'the request has no body' };
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return { ok: true, id: headers['x-github-delivery']!, name: headers['x-github-event']!, signature, body };
}

/** A checked delivery, or why it is refused (the status and the JSON body to answer). */
export type Checked =
  | { ok: true; id: string; name: string; signature: string; body: string; payload: unknown }
  | { ok: false; status: 400 | 401 | 405; body: Record<string, unknown> };

/**
 * Reads the delivery from `event`, verifies its signature with Probot's webhook secret and parses its body.
 * Refusals are logged by code, delivery id and event name: never the body.
 */
export async function checkDelivery(probot: Probot, event: GatewayEvent): Promise<Checked> {
  const delivery = deliveryFrom(event);
  if (!delivery.ok) {
    probot.log.warn({ code: delivery.code, status: delivery.status }, 'webhook refused');
    return { ok: false, status: delivery.status, body: { error: delivery.code, message: delivery.message } };
  }
  const { id, name } = delivery;
  const verified = await probot.webhooks.verify(delivery.body, delivery.signature).catch(() => false);
  if (!verified) {
    probot.log.warn({ delivery: id, event: name, code: 'bad_signature' }, 'webhook refused');
    return {
      ok: false,
      status: 401,
      body: {
        error: 'bad_signature',
        message: 'x-hub-signature-256 does not match the body and the webhook secret (WEBHOOK_SECRET)',
        delivery: id,
      },
    };
  }
  try {
    return { ...delivery, payload: JSON.parse(delivery.body) as unknown };
  } catch {
    probot.log.warn({ delivery: id, event: name, code: 'invalid_json' }, 'webhook refused');
    return {
      ok: false,
      status: 400,
      body: { error: 'invalid_json', message: 'the body is not JSON', delivery: id },
    };
  }
}
