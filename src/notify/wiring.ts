// The notifier for a run of the CLI or the Action, loaded only when the config has notifications (import()
// keeps it, and the Slack client, out of every other start). Warnings go to the run's own reporter.
import type { RawConfig } from '../config/schema.ts';
import type { Reporter } from '../pipeline/events.ts';
import type { RolloutNotify } from '../state/record.ts';
import type { NotifyContext } from './mapping.ts';

export function hasNotifications(config: RawConfig, environment: string): boolean {
  return config.notifications !== undefined || config.environments[environment]?.notifications !== undefined;
}

export async function runNotifier(
  config: RawConfig,
  environment: string,
  context: NotifyContext,
  options: {
    env: NodeJS.ProcessEnv;
    log: (level: 'info' | 'warn', message: string) => void;
    /** The bound on closing once a job is cancelled (NotifierOptions.closeBy). */
    closeBy?: () => number | undefined;
    /** The run's other secrets, redacted from the messages too (createNotifier's `known`). */
    known?: readonly (string | undefined)[];
  },
): Promise<{ reporter: Reporter; secrets: string[] } | undefined> {
  if (!hasNotifications(config, environment)) return undefined;
  const { createNotifier } = await import('./index.ts');
  return createNotifier(config, environment, context, options);
}

/**
 * What the runner's variables say about the run, for a CLI run on GitHub Actions or elsewhere. Its rollout is
 * steered by the command line (`deploy-action promote -e ENV`), whatever runner it is on.
 */
export function contextFromEnv(env: NodeJS.ProcessEnv, sha: string | undefined): NotifyContext {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY;
  return {
    repository,
    controls: 'cli',
    sha,
    ref: env.GITHUB_REF,
    who: env.GITHUB_ACTOR ?? env.USER,
    runUrl:
      repository && env.GITHUB_RUN_ID
        ? `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined,
  };
}

/** What a reconcile run needs of a rollout to say which deployment its messages continue. */
export interface ContinuedRollout {
  deploymentId: string;
  version: string;
  sha?: string;
  startedAt?: string;
  /** The messages the deploying job posted (its record's `rollout.notify`): continued in place. */
  notify?: RolloutNotify;
}

export interface ReconcileNotifiers {
  /**
   * The notifier for what this run does to `environment`'s rollout (undefined when that environment notifies
   * nobody), made at the first use and kept: one per environment and run. Never throws.
   */
  forRollout(environment: string, rollout: ContinuedRollout): Promise<Reporter | undefined>;
  /**
   * The notifier for what this run does to `environment`'s live release without a rollout (its delayed hook,
   * `hooks.after_success`): messages of their own, continuing no deployment's (a Slack bot posts a new one).
   * Made at the first use and kept, apart from the rollout's; undefined when that environment notifies
   * nobody. Never throws.
   */
  forRelease(environment: string, release: { version: string; sha?: string }): Promise<Reporter | undefined>;
  /** Closes them all at once: the run waits at most one close bound (10 s) in all, not one per environment. */
  close(): Promise<void>;
}

/**
 * Notifiers for a reconcile run (docs/notifications.md "Reconcile"): a run may go on with the rollouts of
 * several environments, each told through its own environment's channels. Undefined when the config has no
 * notifications at all (nothing is imported then).
 */
export function reconcileNotifiers(
  config: RawConfig,
  context: NotifyContext & { by: string },
  options: {
    env: NodeJS.ProcessEnv;
    log: (level: 'info' | 'warn', message: string) => void;
    /** Each secret value in use, for the caller to mask (core.setSecret). */
    onSecret?: (secret: string) => void;
    now?: () => number;
    /** The bound on closing once a job is cancelled (NotifierOptions.closeBy). */
    closeBy?: () => number | undefined;
    /** The run's other secrets, redacted from the messages too (createNotifier's `known`). */
    known?: readonly (string | undefined)[];
  },
): ReconcileNotifiers | undefined {
  const any =
    config.notifications !== undefined ||
    Object.values(config.environments).some((e) => e?.notifications !== undefined);
  if (!any) return undefined;
  const made = new Map<string, Promise<Reporter | undefined>>();
  const madeForRelease = new Map<string, Promise<Reporter | undefined>>();
  const { by, ...shared } = context;
  const create = async (environment: string, rollout?: ContinuedRollout, sha?: string) => {
    if (!hasNotifications(config, environment)) return undefined;
    try {
      const { createNotifier } = await import('./index.ts');
      const created = createNotifier(
        config,
        environment,
        rollout
          ? {
              ...shared,
              ...(rollout.sha ? { sha: rollout.sha } : {}),
              continues: {
                deploymentId: rollout.deploymentId,
                by,
                ...(rollout.startedAt ? { startedAt: rollout.startedAt } : {}),
              },
            }
          : { ...shared, ...(sha ? { sha } : {}) },
        { ...options, ...(rollout?.notify ? { continues: rollout.notify.slack } : {}) },
      );
      for (const secret of created?.secrets ?? []) options.onSecret?.(secret);
      return created?.reporter;
    } catch (error) {
      // Notifications are never the reconcile's problem.
      options.log('warn', `notifications for ${environment} are off: ${(error as Error).message}`);
      return undefined;
    }
  };
  return {
    forRollout(environment, rollout) {
      if (!made.has(environment)) made.set(environment, create(environment, rollout));
      return made.get(environment)!;
    },
    forRelease(environment, release) {
      if (!madeForRelease.has(environment))
        madeForRelease.set(environment, create(environment, undefined, release.sha));
      return madeForRelease.get(environment)!;
    },
    async close() {
      const reporters = await Promise.all([...made.values(), ...madeForRelease.values()]);
      await Promise.allSettled(reporters.map((r) => r?.close?.()));
    },
  };
}
