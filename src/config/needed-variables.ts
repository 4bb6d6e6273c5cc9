// The environment variables a deployment cannot go without, checked before anything deploys: each
// `headers_env` variable of a provider the environment's analysis reads. Found only at the first metric read,
// a missing one failed that read mid-rollout (the canary already serving) and the analysis rolled back. A
// notification channel's variable is not among them: its channel is off for the run, with a warning
// (docs/notifications.md), and the deployment goes on.
import type { ResolvedEnvironment } from './resolve.ts';
import { formatPath, type ConfigPath } from './errors.ts';
import { readMetrics, resolveAnalysisConfig } from '../analysis/config.ts';

/** A variable the config names that is not set: where it is named, and its name (never a value). */
export interface UnsetVariable {
  path: ConfigPath;
  variable: string;
}

/**
 * The variables `env`'s analysis needs that `processEnv` does not set (unset or empty), in config order: those
 * of the providers a metric some check reads is read from.
 */
export function unsetNeededVariables(
  env: Pick<ResolvedEnvironment, 'analysis' | 'analysisPath'>,
  processEnv: NodeJS.ProcessEnv,
): UnsetVariable[] {
  const analysis = env.analysis;
  if (!analysis) return [];
  const providers = analysis.providers ?? {};
  const metrics = analysis.metrics ?? {};
  // The metrics some check reads, the only ones the analysis reads (analysis/analyzer.ts): a metric kept for
  // later or for `deploy-action alerts` (validate warns of it) never sends its provider a request.
  let used: string[];
  try {
    used = [...new Set(resolveAnalysisConfig(analysis).checks.flatMap(readMetrics))];
  } catch {
    used = Object.keys(metrics); // The load says why the section does not resolve.
  }
  // Own keys only: a metric naming "constructor" is not a provider (the schema refuses it anyway).
  const read = new Set(
    used
      .filter((name) => Object.hasOwn(metrics, name))
      .map((name) => metrics[name]!.provider)
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
 * Each variable `environments` (the one deployed and the staging one it goes through first) need that is not
 * set, named with the key that names it and never a value; undefined when all are.
 */
export function unsetVariablesList(
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
  return each.length === 0 ? undefined : each.join('; ');
}

const SET_IT = "set each in the step's env from a secret (NAME: ${{ secrets.NAME }})";

/** Why the deployment cannot start (unsetVariablesList); undefined when every variable is set. */
export function unsetVariablesRefusal(
  environments: readonly (Pick<ResolvedEnvironment, 'analysis' | 'analysisPath'> | undefined)[],
  processEnv: NodeJS.ProcessEnv,
): string | undefined {
  const list = unsetVariablesList(environments, processEnv);
  return (
    list && `nothing was deployed: the analysis needs variables this step does not set (${list}); ${SET_IT}`
  );
}

/**
 * A rollback is not refused for them: it is the way back to a version that worked, and it goes straight back
 * (no canary steps, no analysis before its switch); what its watch reads from the provider fails, and says so.
 */
export function unsetVariablesRollbackWarning(
  environments: readonly (Pick<ResolvedEnvironment, 'analysis' | 'analysisPath'> | undefined)[],
  processEnv: NodeJS.ProcessEnv,
): string | undefined {
  const list = unsetVariablesList(environments, processEnv);
  return list && `the rollback goes on, but its analysis cannot read the provider: ${list}; ${SET_IT}`;
}
