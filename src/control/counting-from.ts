// Where a rollout's /promotes count from at the wait it is at: one rule for the runner resuming an orphan
// (src/pipeline/machine/resume.ts), the App and reconcile (firstCountedStep). Pure.

/** The step after the plan's last wait before `position` (0 when none): a /promote made earlier ended that wait. */
export function afterLastWait(plan: ReadonlyArray<{ step: { kind?: unknown } }>, position: number): number {
  let from = 0;
  plan.forEach((p, index) => {
    if (index < position && p.step.kind === 'wait') from = index + 1;
  });
  return from;
}

/**
 * The first step whose /promote counts at `position`: the one recorded (`recorded`, the runner's, which knows the
 * holds and bakes it waited at), never before the step after the plan's last wait before the position. A version
 * that wrote no such field, or that took the rollout over and passed a wait keeping the field as it found it
 * (readers keep what they do not know), leaves it missing or stale (0 for a resumed orphan): the /promote that
 * ended the earlier wait would count again, and end the next one.
 */
export function countingFrom(
  recorded: unknown,
  plan: ReadonlyArray<{ step: { kind?: unknown } }>,
  position: number,
): number {
  const floor = afterLastWait(plan, position);
  return typeof recorded === 'number' && Number.isInteger(recorded) && recorded >= 0
    ? Math.max(recorded, floor)
    : floor;
}
