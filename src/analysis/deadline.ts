// "Decide, don't dither": what a window that is still undecided at its deadline (after its one extension)
// concludes. Pure, like the judge. A `hold` at the deadline used to leave a faulty canary in place for a
// person to notice; here the window's own evidence decides instead.
//
// - Too few intervals with data to judge anything, or to judge one metric a deciding check reads (its query
//   answered nothing while the others had data), or no deciding check that could judge any interval (every
//   one a comparison without a stable side or requests, or a relative rule without a baseline): roll back
//   (fail closed, like the dead-man's switch).
// - A rule (threshold or "x baseline") whose MEDIAN margin over the window violates it: roll back. The median
//   of (value - limit) over every interval with data, not the last interval: the last interval is what
//   left the window undecided (a breach not yet sustained), and one spike moves a median by one rank only,
//   so a healthy canary with an unlucky last interval is not rolled back. The margins are the judge's own:
//   for the seed error-rate rule with a requests metric, with one error less (judge.ts), so at 2 req/s a
//   median of one or two errors a minute is not a breach; a tripled error rate there is the error test's
//   to find, a broken canary (several errors every minute) still has a median above the limit.
// - The sequential tests had every interval to reach their threshold (and the window was extended once if
//   one of them was past its pending mark, (1/alpha)^0.35, at its end: `evidence-pending`); not reaching it
//   is their answer.
// - Otherwise promote: nothing in the window's evidence says the canary is worse.
// A warning check (`on_breach: warn`) is never read here: it only warns (judge.ts).
import type { AnalysisConfig } from './config.ts';
import {
  fmt,
  holds,
  COMPARED_EARLIER,
  comparedEarlier,
  idleComparisons,
  nothingJudged,
  thinMetric,
  unjudgedRules,
  type JudgeState,
  type RuleCheckState,
} from './judge.ts';
import type { Decision } from './types.ts';
import { itemsOf } from './append-only.ts';

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The window's decision once it may no longer hold. `last` is the last interval's decision. */
export function decideAtDeadline(state: JudgeState, last: Decision): Decision {
  if (last.kind !== 'hold') return last;
  const config: AnalysisConfig = state.config;
  const values = last.values;
  if (state.samplesWithData < config.minSamples)
    return {
      kind: 'rollback',
      rule: 'min_samples',
      code: 'no-data',
      reason: `the window ended undecided with ${state.samplesWithData} of the ${config.minSamples} intervals with data needed to judge it: failing closed`,
      values,
    };
  // Each metric a deciding check reads needs its own: the others' data says nothing of it.
  const thin = thinMetric(state);
  if (thin)
    return {
      kind: 'rollback',
      rule: 'min_samples',
      code: 'no-data',
      reason: `the window ended undecided with data for ${thin.metric} in ${thin.intervals} of the ${config.minSamples} intervals needed to judge it: failing closed${thin.why}`,
      values: { ...values, [`${thin.metric}.intervals_with_data`]: thin.intervals },
    };
  // Data in every interval, but no check that decides compared it with anything: nothing says it is healthy.
  const heldNothing = nothingJudged(state);
  if (heldNothing)
    return {
      kind: 'rollback',
      code: 'no-data',
      // What to do about it, said: a first deployment, or one with no stable side, is judged only by a check
      // that needs neither (a threshold), and without one every such deployment would fail the same way.
      reason: `the window ended undecided: no check could judge the canary over its ${state.samplesWithData} intervals with data: failing closed (${heldNothing}); a threshold check (for example check: "error_rate < 1%") judges a deployment with no stable side or baseline`,
      values,
    };
  for (const check of config.checks) {
    if (check.kind !== 'threshold' && check.kind !== 'relative') continue;
    // A warning check warned when it breached; its median decides nothing either.
    if (check.warn) continue;
    const margins = itemsOf((state.checks[check.name] as RuleCheckState).margins);
    if (margins.length < config.minSamples) continue;
    const m = median(margins);
    if (holds(m, check.op, 0)) continue;
    const violated = margins.filter((x) => !holds(x, check.op, 0)).length;
    const limit = check.kind === 'threshold' ? fmt(check.value) : `${fmt(check.factor)}x baseline`;
    return {
      kind: 'rollback',
      rule: check.name,
      code: 'window-evidence-worse',
      reason: `the window ended undecided; over its ${margins.length} intervals with data the median of ${check.metric} violates "${check.metric} ${check.op} ${limit}" by ${fmt(Math.abs(m))} (violated in ${violated} of ${margins.length})`,
      values: {
        ...values,
        [`${check.name}.median_margin`]: m,
        [`${check.name}.violated_intervals`]: violated,
        [`${check.name}.intervals`]: margins.length,
      },
    };
  }
  // What held nothing is named, as a healthy promotion names it (judge.ts).
  const unjudged = () => {
    const idle = idleComparisons(state);
    const earlier = comparedEarlier(state);
    const never = unjudgedRules(state);
    return `${earlier.length ? `; ${COMPARED_EARLIER}: ${earlier.join(', ')}` : ''}${idle.length ? `; not compared, no interval they could use: ${idle.join(', ')}` : ''}${never.length ? `; never judged, no baseline in any interval: ${never.join(', ')}` : ''}`;
  };
  return {
    kind: 'promote',
    code: 'window-evidence-healthy',
    reason: `the window ended undecided (${last.reason}); over its ${state.samplesWithData} intervals with data no rule is violated at the median and no sequential test found the canary worse${unjudged()}`,
    values,
  };
}

// windowIntervals lives in window.ts (import-free), so the config check can count as the analysis does.
export { windowIntervals } from './window.ts';

/**
 * The window's decision from its judge state and last interval (after the extension, if any): promote and
 * rollback stand; a hold is decided by the window's evidence, or stays an inconclusive hold when the config
 * says `on_undecided: hold`.
 */
export function concludeWindow(state: JudgeState, last: Decision): Decision {
  if (last.kind !== 'hold') return last;
  if (state.config.onUndecided === 'decide') return decideAtDeadline(state, last);
  return { ...last, reason: `window ended inconclusive: ${last.reason}` };
}
