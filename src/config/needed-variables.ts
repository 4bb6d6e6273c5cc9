// The environment variables a deployment cannot go without, checked before anything deploys: each
// `headers_env` variable of a provider the environment's analysis reads. Found only at the first metric read,
// a missing one failed that read mid-rollout (the canary already serving) and the analysis rolled back. A
// notification channel's variable is not among them: its channel is off for the run, with a warning
// (docs/notifications.md), and the deployment goes on.
import type { ResolvedEnvironment } from './resolve.ts';
import { formatPath, type ConfigPath } from './errors.ts';

/** A variable the config names that is not set: where it is named, and its name (never a value). */
export interface UnsetVariable {
  path: ConfigPath;
  variable: string;
}

/** The variables `env`'s analysis needs that `processEnv` does not set (unset or empty), in config order. */
export function unsetNeededVariables(
  env: Pick<ResolvedEnvironment, 'analysis' | 'analysisPath'>,
  processEnv: NodeJS.ProcessEnv,
): UnsetVariable[] {
  const analysis = env.analysis;
  if (!analysis) return [];
  const providers = analysis.providers ?? {};
  // Own keys only: a metric naming "constructor" is not a provider (the schema refuses it anyway).
  const read = new Set(
    Object.values(analysis.metrics ?? {})
      .map((metric) => metric.provider)
      .filter((name) => Object.hasOwn(providers, name)),
  );
  const unset: UnsetVariable[] = [];
  for (const [name, provider] of Object.entries(providers)) {
    if (!read.has(name) || provider.type !== 'prometheus') continue;
    for (const [header, variable] of Object.entries(provider.headers_env ?? {}))
      if (!(Object.hasOwn(processEnv, variable) && processEnv[variable]))
        unset.push({
          path: [...(env.analysisPath ?? ['analysis']), 'providers', name, 'headers_env', header],
          variable,
        });
  }
  return unset;
}

/**
 * Why the deployment to `environments` (the one deployed and the staging one it goes through first) cannot
 * start: each variable not set, named with the key that names it and never a value; undefined when all are.
 */
export function unsetVariablesRefusal(
  environments: readonly (Pick<ResolvedEnvironment, 'analysis' | 'analysisPath'> | undefined)[],
  processEnv: NodeJS.ProcessEnv,
): string | undefined {
  // The shared analysis is named once, however many of the environments read it.
  const each = [
    ...new Set(
      environments.flatMap((env) =>
        env
          ? unsetNeededVariables(env, processEnv).map(
              ({ path, variable }) => `${formatPath(path)} names ${variable}, which is not set`,
            )
          : [],
      ),
    ),
  ];
  if (each.length === 0) return undefined;
  return (
    `nothing was deployed: the analysis needs variables this step does not set (${each.join('; ')}); ` +
    "set each in the step's env from a secret (NAME: ${{ secrets.NAME }})"
  );
}
