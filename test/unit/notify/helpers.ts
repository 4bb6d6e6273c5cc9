// What the notification tests build again and again: a parsed config with some channels, a sink's channel
// options, and a notification to send.
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.ts';
import type { Notification, NotifyItem } from '../../../src/notify/model.ts';
import { NOTIFY_EVENTS } from '../../../src/notify/model.ts';
import { DEFAULT_TEMPLATES } from '../../../src/notify/template.ts';

/**
 * A deploy.yml with a command target, the environment `production` and `channels` (each a `name: { ... }`
 * line) under notifications.channels, parsed; asserted valid, `what` said when it is not.
 */
export function configWithChannels(channels: readonly string[], what?: string) {
  const parsed = parseConfig(
    [
      'target:',
      '  commands:',
      '    deploy: ./deploy.sh {{version}}',
      'notifications:',
      '  channels:',
      ...channels.map((channel) => `    ${channel}`),
      'environments:',
      '  production: {}',
    ].join('\n'),
    'deploy.yml',
  );
  assert.ok(parsed.ok, what);
  return parsed.config;
}

/** A sink's channel options: the channel `ops`, sending every event with the default templates. */
export const sinkOptions = () => ({
  name: 'ops',
  events: new Set(NOTIFY_EVENTS) as Set<Notification['event']>,
  templates: DEFAULT_TEMPLATES,
});

/** The `event` notification of v2 on production. */
export const notifyItem = (event: Notification['event']): NotifyItem => ({
  kind: 'notify',
  notification: {
    event,
    at: '2026-12-01T10:00:00.000Z',
    facts: { version: 'v2', environment: 'production' },
  },
});
