// The notifier for a run of the CLI or the Action, loaded only when the config has notifications (import()
// keeps it, and the Slack client, out of every other start). Warnings go to the run's own reporter.
import type { RawConfig } from '../config/schema.ts';
import type { Reporter } from '../pipeline/events.ts';
import type { NotifyContext } from './mapping.ts';

export function hasNotifications(config: RawConfig, environment: string): boolean {
  return config.notifications !== undefined || config.environments[environment]?.notifications !== undefined;
}

export async function runNotifier(
  config: RawConfig,
  environment: string,
  context: NotifyContext,
  options: { env: NodeJS.ProcessEnv; log: (level: 'info' | 'warn', message: string) => void },
): Promise<{ reporter: Reporter; secrets: string[] } | undefined> {
  if (!hasNotifications(config, environment)) return undefined;
  const { createNotifier } = await import('./index.ts');
  return createNotifier(config, environment, context, options);
}

/** What the runner's variables say about the run, for a CLI run on GitHub Actions or elsewhere. */
export function contextFromEnv(env: NodeJS.ProcessEnv, sha: string | undefined): NotifyContext {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY;
  return {
    repository,
    sha,
    ref: env.GITHUB_REF,
    who: env.GITHUB_ACTOR ?? env.USER,
    runUrl:
      repository && env.GITHUB_RUN_ID
        ? `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined,
  };
}
