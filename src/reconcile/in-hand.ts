// Whether reconcile has a rollout in its hands (goes on with one or rolls one back), for what a crash says
// stopping it does (util/crash-guard.ts Stoppable.rolloutInHand): the CLI's reconcile and the Action's mode.

export interface RolloutsInHand {
  /** ReconcileOptions.rolloutInHand: told as each comes into its hands (`true`) and is let go (`false`). */
  told(held: boolean): void;
  /** Whether one is in its hands now. */
  now(): boolean;
}

export function rolloutsInHand(): RolloutsInHand {
  let held = 0;
  return {
    told: (taken) => void (held = Math.max(0, held + (taken ? 1 : -1))),
    now: () => held > 0,
  };
}
