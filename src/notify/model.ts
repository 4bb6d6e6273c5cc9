// What a notification is, independent of any channel: the event, when it happened and the named values the
// templates and renderers read. Plain data, so mapping and rendering are pure and testable.

/** The events a channel can subscribe to, per environment (docs/notifications.md). */
export const NOTIFY_EVENTS = [
  'started',
  'waiting_for_approval',
  'paused',
  'promoted',
  /** A warning check (analysis `on_breach: warn`) breached: people are told, nothing is rolled back. */
  'analysis_warning',
  'succeeded',
  'rolled_back',
  'failed',
  'cancelled',
  /** Reconcile ran the environment's delayed hook (`hooks.after_success`) for the live release: it exited 0. */
  'after_success_ran',
  /** Reconcile ran the delayed hook and it failed (not retried: a person looks). */
  'after_success_failed',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Named values a template may use as `{{name}}`; anything else is a config error. */
export const PLACEHOLDERS = [
  'event',
  'status',
  'environment',
  'version',
  'previous_version',
  'strategy',
  'repository',
  'sha',
  'short_sha',
  'ref',
  'what',
  'when',
  'impact',
  'who',
  'approvers',
  'contact',
  'reason',
  'step',
  'duration',
  'code',
  /** A command's exit code (the delayed hook's), when it exited. */
  'exit_code',
  'message',
  'run_url',
  'deployment_url',
  'environment_url',
  'pr_number',
  'pr_title',
  'pr_url',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Values for one notification; an unknown value renders as an empty string. */
export type Facts = Partial<Record<Placeholder, string>>;

/** The seeds' communication template (what, when, impact, who), as labelled fields every channel shows. */
export const FACT_FIELDS = [
  ['What', 'what'],
  ['When', 'when'],
  ['Impact', 'impact'],
  ['Who', 'who'],
  ['Contact', 'contact'],
  ['Approvers', 'approvers'],
] as const satisfies ReadonlyArray<readonly [string, Placeholder]>;

/** Values that are links: renderers show them as buttons / links, never as markup built from text. */
export const LINKS = [
  { key: 'run_url', label: 'Run' },
  { key: 'deployment_url', label: 'Deployment' },
  { key: 'environment_url', label: 'Environment' },
  { key: 'pr_url', label: 'Pull request' },
] as const satisfies ReadonlyArray<{ key: Placeholder; label: string }>;

export interface Notification {
  event: NotifyEvent;
  /** ISO 8601. */
  at: string;
  facts: Facts;
}

/** A line for the Slack thread under the deployment's message: a phase, a rollback. Raw text. */
export interface ThreadLine {
  at: string;
  text: string;
}

export type NotifyItem =
  { kind: 'notify'; notification: Notification } | { kind: 'thread'; line: ThreadLine };
