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
}
