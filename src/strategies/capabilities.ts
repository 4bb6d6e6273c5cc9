// What the target can do, so a strategy plans only steps that exist (no smoke step without smoke tests).
export interface TargetCapabilities {
  health: boolean;
  smoke: boolean;
  warmup: boolean;
  switch: boolean;
  setWeight: boolean;
  teardown: boolean;
}

/** Where traffic is before the deployment: the live slot, when the strategy uses slots and it is known. */
export interface LiveState {
  slot?: string;
  version?: string;
  /** What is live is not known (plan over a record it refused): neither a first deployment nor a live slot. */
  unknown?: true;
}

/**
 * Nothing served before this deployment: no live slot and no live version, as far as is known. A version with
 * no slot (an environment switched from `direct`, a current command that names a version only) is no first
 * deployment, nor is what is not known. Every place that words or decides "first deployment" asks this.
 */
export function isFirstDeployment(live: LiveState): boolean {
  return !live.slot && !live.version && !live.unknown;
}
