// The `notifications:` section of .github/deploy.yml (top level = every environment; per environment =
// additions and overrides, by channel name). Secrets are never written here: only the NAMES of the
// environment variables that hold them. Templates are checked here, so an unknown placeholder is a config
// error at its path, not a surprise in a message.
import * as z from 'zod';
import { NOTIFY_EVENTS } from './model.ts';
import { templateProblems } from './template.ts';
import { isCredentialShaped } from '../config/shown.ts';

const nonEmpty = z.string().min(1, 'must not be empty');

/** The NAME of an environment variable, never its value (a token pasted here would be in the repository). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z
  .string()
  .regex(
    ENV_NAME,
    'must be the NAME of an environment variable (letters, digits and _), such as SLACK_BOT_TOKEN, never the secret itself',
  )
  // A GitHub token, an AWS key or a hex secret is made of a name's characters too.
  .refine(
    // Only where it reads as a name: one that does not is refused above, saying the same.
    (value) => !ENV_NAME.test(value) || !isCredentialShaped(value),
    'is the secret itself, shaped like a credential: write the NAME of the environment variable that holds it, such as SLACK_BOT_TOKEN (and replace that secret: it is in the repository now)',
  );

const events = z
  .array(z.enum(NOTIFY_EVENTS))
  .min(1)
  .optional()
  .meta({
    description: `Events this sends (default: the section's events, else all: ${NOTIFY_EVENTS.join(', ')}).`,
  });

const slackChannel = z
  .strictObject({
    type: z.literal('slack'),
    token_env: envName.optional().meta({
      description:
        'Variable holding a bot token (xoxb-...) with chat:write: one message per deployment, updated in place, with a thread for the steps.',
    }),
    channel: nonEmpty.optional().meta({ description: 'Channel ID (C...) or name, with token_env.' }),
    webhook_url_env: envName.optional().meta({
      description: 'Variable holding an incoming webhook URL: one message per event (no updates, no thread).',
    }),
    thread: z
      .boolean()
      .optional()
      .meta({ description: 'With token_env: post the steps in a thread (default true).' }),
    events,
  })
  .superRefine((channel, ctx) => {
    const bot = channel.token_env !== undefined;
    const hook = channel.webhook_url_env !== undefined;
    if (bot === hook)
      ctx.addIssue({
        code: 'custom',
        message: bot
          ? 'use either token_env (with channel) or webhook_url_env, not both'
          : 'needs token_env (a bot token, with channel) or webhook_url_env (an incoming webhook)',
        // A token or URL written where its variable's name goes is that key's error, not this one too.
        ...(bot ? {} : { params: { missing: ['token_env', 'webhook_url_env'] } }),
      });
    else if (bot && channel.channel === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['channel'],
        message: 'is required with token_env (the channel ID, C...)',
      });
    else if (hook && (channel.channel !== undefined || channel.thread !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: [channel.channel !== undefined ? 'channel' : 'thread'],
        message: 'applies to token_env only: an incoming webhook posts to its own channel and cannot thread',
      });
  });

const teamsChannel = z.strictObject({
  type: z.literal('teams'),
  webhook_url_env: envName.meta({
    description:
      'Variable holding the Teams workflow webhook URL ("Post to a channel when a webhook request is received").',
  }),
  events,
});

const webhookChannel = z.strictObject({
  type: z.literal('webhook'),
  url_env: envName.meta({ description: 'Variable holding the http(s) URL the JSON is POSTed to.' }),
  secret_env: envName.meta({
    description: 'Variable holding the HMAC-SHA256 secret: the body is signed in X-Deploy-Signature-256.',
  }),
  events,
});

export const notifyChannelSchema = z.discriminatedUnion('type', [slackChannel, teamsChannel, webhookChannel]);

const templateText = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max)
    .superRefine((text, ctx) => {
      for (const message of templateProblems(text)) ctx.addIssue({ code: 'custom', message });
    });

const eventTemplate = z.strictObject({
  title: templateText(150).optional().meta({ description: 'One line; {{placeholders}} allowed.' }),
  text: templateText(2000).optional().meta({ description: 'The message; {{placeholders}} allowed.' }),
});

const channelName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'channel names use letters, digits, ".", "_" and "-", starting with a letter or digit',
  );

const sectionFields = {
  events,
  templates: z
    .partialRecord(z.enum(NOTIFY_EVENTS), eventTemplate)
    .optional()
    .meta({ description: 'Per event: title and text overriding the defaults (docs/notifications.md).' }),
  contact: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Who to contact ({{contact}}), e.g. "#ops, @oncall".' }),
  impact: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .meta({ description: 'Expected impact ({{impact}}); default: said from the strategy and the event.' }),
};

export const notificationsSchema = z.strictObject({
  channels: z.record(channelName, notifyChannelSchema).optional(),
  ...sectionFields,
});

/** Per environment: channels by name add to or replace the top level's; `false` turns one off here. */
export const environmentNotificationsSchema = z.strictObject({
  channels: z.record(channelName, z.union([notifyChannelSchema, z.literal(false)])).optional(),
  ...sectionFields,
});

export type NotificationsConfig = z.output<typeof notificationsSchema>;
export type EnvironmentNotificationsConfig = z.output<typeof environmentNotificationsSchema>;
export type NotifyChannelConfig = z.output<typeof notifyChannelSchema>;
