// Rollback levels (seed 04: feature flag, then config, then code): each runs only when the ones before were
// not enough. A level whose verify passes after its run stops the escalation, and the later levels are
// recorded skipped; a level whose run or verify fails hands over to the next one; a level without verify
// never stops it (every level runs, as before verify existed). What the pipeline machine, reconcile and the
// reports share about it. Pure.
import type { Step } from '../strategies/types.ts';
import type { RollbackLevelRecord } from './events.ts';

type Levels = ReadonlyArray<RollbackLevelRecord>;

/** The level that was enough: its run succeeded and its verify passed. */
export function sufficedLevel(levels: Levels): RollbackLevelRecord | undefined {
  return levels.find((l) => !l.skipped && l.ok && l.verify?.ok === true);
}

/** A level not run because `by` was enough. */
export function skippedLevel(name: string, by: string): RollbackLevelRecord {
  return {
    name,
    ok: true,
    detail: `skipped: level ${by} was enough (its verify passed)`,
    durationMs: 0,
    skipped: { code: 'level_sufficed', level: by },
  };
}

/**
 * What the levels left undone (empty: they did their part). Nothing once a level was enough, even if one
 * before it failed: that is what the next level is for. Otherwise every run that failed, and the last level
 * if its verify failed (no level was left to escalate to). A verify that failed on a level before the last is
 * only the reason the next one ran.
 */
export function levelsLeft(levels: Levels): string[] {
  if (sufficedLevel(levels)) return [];
  const left = levels.filter((l) => !l.ok).map((l) => `level ${l.name}`);
  const last = levels.at(-1);
  if (last?.ok && last.verify && !last.verify.ok) left.push(`level ${last.name} (its verify failed)`);
  return left;
}

/**
 * What happens to a rollout kept for levels left undone (`levelsUndone`), and the way out of one that cannot
 * succeed: reconcile runs the config's levels, so a fixed level, or one taken out, lets it drop the rollout.
 * Said wherever the rollout shows (the run's result, the next deployment's refusal, reconcile, status).
 */
export function levelsUndoneAdvice(environment: string): string {
  return (
    "a reconcile runs the on_rollback levels again (the App starts one when the deployment's run ends; or " +
    `\`deploy-action reconcile -e ${environment}\`, \`mode: reconcile\`) and drops the rollout once none is left ` +
    `undone; until then a deployment of ${environment} is refused (rollout_unfinished). A level that cannot ` +
    "succeed: fix its run or verify in deploy.yml (reconcile runs the config's levels), or take it out of " +
    'on_rollback once what it undoes is done by hand'
  );
}

export type LevelMark = 'ok' | 'failed' | 'insufficient' | 'skipped';

/** The marks of plain-text reports (the terminal, chat notifications). */
export const TERMINAL_LEVEL_MARKS: Record<LevelMark, string> = {
  ok: '✓',
  failed: '✗',
  insufficient: '!',
  skipped: '-',
};

/** How one level ended, for the reports: ok, failed, ran but its verify failed, or skipped. */
export function levelOutcome(level: RollbackLevelRecord): { mark: LevelMark; text: string } {
  if (level.skipped) return { mark: 'skipped', text: level.detail };
  if (!level.ok) return { mark: 'failed', text: level.detail };
  if (!level.verify) return { mark: 'ok', text: level.detail };
  return level.verify.ok
    ? { mark: 'ok', text: `${level.detail}; verify passed: enough` }
    : { mark: 'insufficient', text: `${level.detail}; verify failed: ${level.verify.detail}` };
}

/**
 * The health step of a `verify: health`: the environment's health checks on the slot the rollback's traffic
 * steps sent traffic back to (the stable one); with no slot for the strategies without slots.
 */
export function verifyHealthStep(rollbackSteps: readonly Step[]): Step {
  for (const step of rollbackSteps) {
    if (step.kind === 'switch') return { kind: 'health', slot: step.slot, version: 'previous' };
    if (step.kind === 'set_weight') return { kind: 'health', slot: step.stableSlot, version: 'previous' };
  }
  return { kind: 'health', version: 'previous' };
}
