// The notification channels of a reconcile run from the CLI (`deploy-action reconcile`, and a promote / resume /
// abort that goes on with a handed-off rollout in its own process), wired as reconcile takes them.
import { hostname } from 'node:os';
import type { RawConfig } from '../config/schema.ts';
import { contextFromEnv, reconcileNotifiers } from '../notify/wiring.ts';
import type { Reporter } from '../pipeline/events.ts';
import type { ReconcileOptions } from '../reconcile/run.ts';
import type { Cancellation } from '../util/signals.ts';
import { notifyCloseBy } from './cancellation.ts';
import { configSecretValues } from '../config/env-secrets.ts';

/**
 * Slack, Teams and webhooks for the rollouts a CLI reconcile goes on with or rolls back (docs/notifications.md),
 * named as `deploy-action <doing> on <host>`; `who` (who deployed) is not known here. Spread `options` into
 * reconcile's options (its channels, and their secrets kept out of the records in the state directory), and
 * `close` before the summary is printed, so no channel's warning follows it.
 */
export function cliReconcileNotifiers(
  config: RawConfig,
  doing: string,
  reporter: Reporter,
  cancellation: Pick<Cancellation, 'received'>,
): {
  options: Pick<ReconcileOptions, 'secrets' | 'notifierFor' | 'notifierForRelease'>;
  close(): Promise<void>;
} {
  const { who: _who, ...runContext } = contextFromEnv(process.env, undefined);
  // The config's `*_env` secrets from the start: a teardown or hook run before any notifier is made (one is made
  // only when a rollout needs it) may print them into the record.
  const secrets: string[] = configSecretValues(config, process.env);
  const notifiers = reconcileNotifiers(
    config,
    { ...runContext, by: `deploy-action ${doing} on ${hostname()}` },
    {
      env: process.env,
      log: (level, message) => reporter.event({ type: 'log', level, message }),
      onSecret: (secret) => secrets.push(secret),
      closeBy: notifyCloseBy(cancellation),
    },
  );
  return {
    options: {
      secrets,
      ...(notifiers
        ? {
            notifierFor: (env, rollout) => notifiers.forRollout(env.name, rollout),
            notifierForRelease: (env, release) => notifiers.forRelease(env.name, release),
          }
        : {}),
    },
    close: async () => {
      await notifiers?.close();
    },
  };
}
