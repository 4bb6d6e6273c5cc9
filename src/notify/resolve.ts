// Which channels one environment notifies, of which events, with which templates: the top-level section
// merged with the environment's (channels by name, templates by event and field). Pure.
import { didYouMean, quotedNames } from '../config/suggest.ts';
import { NOTIFY_EVENTS, type NotifyEvent } from './model.ts';
import type { EnvironmentNotificationsConfig, NotificationsConfig, NotifyChannelConfig } from './schema.ts';
import { DEFAULT_TEMPLATES, type EventTemplate } from './template.ts';

export interface ResolvedChannel {
  name: string;
  config: NotifyChannelConfig;
  events: ReadonlySet<NotifyEvent>;
}

export interface ResolvedNotifications {
  channels: ResolvedChannel[];
  templates: Record<NotifyEvent, EventTemplate>;
  contact?: string;
  impact?: string;
}

export function resolveNotifications(
  top: NotificationsConfig | undefined,
  own: EnvironmentNotificationsConfig | undefined,
): ResolvedNotifications | undefined {
  if (!top && !own) return undefined;
  const merged = new Map<string, NotifyChannelConfig | false>(Object.entries(top?.channels ?? {}));
  for (const [name, channel] of Object.entries(own?.channels ?? {})) merged.set(name, channel);
  const sectionEvents = own?.events ?? top?.events ?? NOTIFY_EVENTS;
  const channels: ResolvedChannel[] = [];
  for (const [name, config] of merged) {
    if (config === false) continue;
    channels.push({ name, config, events: new Set(config.events ?? sectionEvents) });
  }
  const templates = { ...DEFAULT_TEMPLATES };
  for (const event of NOTIFY_EVENTS)
    templates[event] = { ...templates[event], ...top?.templates?.[event], ...own?.templates?.[event] };
  if (channels.length === 0) return undefined;
  return { channels, templates, contact: own?.contact ?? top?.contact, impact: own?.impact ?? top?.impact };
}

/** Cross-section problems: an environment turning off a channel the top level does not define. */
export function notificationIssues(config: {
  notifications?: NotificationsConfig;
  environments: Record<string, { notifications?: EnvironmentNotificationsConfig }>;
}): Array<{ path: (string | number)[]; message: string }> {
  const defined = Object.keys(config.notifications?.channels ?? {});
  const issues: Array<{ path: (string | number)[]; message: string }> = [];
  for (const [env, { notifications }] of Object.entries(config.environments)) {
    for (const [name, channel] of Object.entries(notifications?.channels ?? {}))
      if (channel === false && !defined.includes(name))
        issues.push({
          path: ['environments', env, 'notifications', 'channels', name],
          message: `false turns off a top-level channel, and notifications.channels defines ${defined.length > 0 ? quotedNames(defined) : 'none'}, not "${name}"${didYouMean(name, defined)}`,
        });
  }
  return issues;
}
