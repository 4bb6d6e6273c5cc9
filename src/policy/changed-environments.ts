// Which environments one deployment changes. An environment's `staging: Y` makes the run deploy and validate
// Y first, in the same run (src/pipeline/machine/loop.ts), so a deployment of X changes Y too, and is held to
// Y's rules as well as X's (evaluate.ts). One level only, as the run goes: Y's own `staging` is not deployed.
// A hotfix and a rollback skip staging (src/action/inputs.ts skipStaging): they change X alone.
import type { RawConfig } from '../config/schema.ts';
import type { DeploymentType } from '../github/deployment-payload.ts';
import { resolvePolicy, type Policy } from './resolve.ts';

/**
 * The environment named in the command first, then its staging environment when this kind of deployment
 * runs it. A staging environment the config does not define is still named: the policy refuses it
 * (unknown_environment) rather than let the deployment through unchecked.
 */
export function changedEnvironments(config: RawConfig, environment: string, type: DeploymentType): string[] {
  const own = Object.hasOwn(config.environments, environment) ? config.environments[environment] : undefined;
  const staging = own?.staging;
  if (type !== 'standard' || staging === undefined || staging === environment) return [environment];
  return [environment, staging];
}

/** The staging environment a deployment of this kind changes before `environment`, if any. */
export function stagingChanged(
  config: RawConfig,
  environment: string,
  type: DeploymentType,
): string | undefined {
  return changedEnvironments(config, environment, type)[1];
}

/**
 * The policies of the environments a deployment changes that the config defines, the command's first: what a
 * caller collects facts for (required checks, release tags, `requires`, approvers' teams) before deciding.
 */
export function changedPolicies(config: RawConfig, environment: string, type: DeploymentType): Policy[] {
  return changedEnvironments(config, environment, type)
    .filter((name) => Object.hasOwn(config.environments, name))
    .map((name) => resolvePolicy(config, name));
}

/**
 * The environments whose standard deployments change `environment` first (their `staging` names it, in any
 * case), itself left out: the ones whose deployments may hold its lock besides its own.
 */
export function stagedThrough(config: RawConfig, environment: string): string[] {
  const name = environment.toLowerCase();
  return Object.entries(config.environments)
    .filter(([key, env]) => key.toLowerCase() !== name && env?.staging?.toLowerCase() === name)
    .map(([key]) => key);
}
