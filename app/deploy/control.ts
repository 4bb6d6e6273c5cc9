// /promote, /pause, /resume and /abort from a PR comment, and the Promote, Resume and Abort buttons of a
// `rollout / <env>` check run (issue 14). Who may: the environment's deployers (the check /deploy uses);
// /abort also its approvers. What: the environment's trusted record must show a rollout, of the commit the
// PR (and the button) is at. The request is written as a check run the App owns (src/control/github-channel.ts)
// and decided like the runner and reconcile decide it (src/control/decide.ts): when the job already handed
// the rollout off and the request lets it go on or abort, the reconcile workflow is started now.
//
// `planControl` and the words are pure; `controlRollout` gathers the facts, writes and dispatches.
import {
  approvalWaitsAhead,
  countedRequests,
  decideRollout,
  failureHoldSince,
  idleFor,
  isHeld,
  lastHoldOrGo,
  PAUSED_ON_FAILURE,
  requestsOf,
  stepOf,
  waitEndedBy,
} from '../../src/control/rollout.ts';
import type { RolloutDecision } from '../../src/control/rollout.ts';
import { CONTROL_CLOCK_SKEW_MS, pauseSupersedingPress, requestsFor } from '../../src/control/decide.ts';
import type { ControlPoll, ControlRequest, ControlVerb, RequestVerb } from '../../src/control/request.ts';
import {
  GitHubControlSource,
  writeControlRequest,
  writeWaitNotice,
} from '../../src/control/github-channel.ts';
import type {
  ControlButton,
  ControlDisplay,
  ControlPlace,
  RequestFn,
} from '../../src/control/github-channel.ts';
import { ENVIRONMENT_NAME } from '../../src/config/schema.ts';
import type { RawConfig } from '../../src/config/schema.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { userText } from '../../src/github/user-text.ts';
import { FactsError } from '../facts/config.ts';
import {
  explainApprover,
  explainRefusal,
  isBot,
  mayApprove,
  mayDeploy,
  resolvePolicy,
  sameLogin,
} from '../../src/policy/index.ts';
import type { ApproverDecision, DeployerDecision } from '../../src/policy/index.ts';
import type { HistoryEntry, RefusalCode, Rollout } from '../../src/state/record.ts';
import { stateKeysFor } from '../../src/state/state-key.ts';
import type { StateRead } from '../../src/state/store.ts';
import { httpStatus } from '../facts/github.ts';
import type { Api, Where } from '../facts/github.ts';
import { actorOf, pullContributors, pullHasCommit, teamsIn } from '../facts/pull-request.ts';
import type { PullFacts } from '../facts/pull-request.ts';
import { DEFAULT_RECONCILE_WORKFLOW, startReconcile } from '../reconcile/dispatch.ts';
import type { ReconcileStart } from '../reconcile/dispatch.ts';
import { controlRefName } from '../reconcile/trigger.ts';
import type { RecordReader } from '../state.ts';
import { recheckApprovers, revocationsFor, revokedNote } from './approval-recheck.ts';
import type { RevokedApproval } from './approval-recheck.ts';

/** Stable codes for a request that was not recorded (besides the policy's and the store's). */
export type ControlRefusalCode =
  | RefusalCode
  | 'unknown_environment'
  | 'not_a_deployer'
  | 'self_approval_refused'
  | 'fork_pull_request'
  | 'not_allowed'
  | 'no_rollout'
  | 'not_current_rollout'
  | 'step_moved'
  | 'sha_unknown'
  | 'sha_moved'
  | 'already_paused'
  | 'not_paused'
  | 'already_aborted'
  | 'rolling_back'
  | 'staging_rollout'
  | 'past_last_step'
  | 'full_passes_approval'
  | 'requests_partial'
  | 'pushers_unreadable'
  | 'button_superseded'
  | 'before_failure_hold'
  | 'before_rollout'
  | 'button_other_rollout'
  | 'requests_unreadable';

/** A commit the request must be bound to, and what it is, in the App's own words ("the pull request"). */
export interface Binding {
  what: string;
  sha: string;
  /** The binding is this pull request's head, which a push moves on (see STOP_VERBS). */
  pr?: number;
}

/**
 * The verbs that only stop a rollout (roll it back, hold it). A push to the pull request moves its head on
 * from the commit being rolled out; a request that lets the rollout go on (/promote, /resume) is then refused,
 * since the person may think they are promoting the new commit, but one that stops it is still taken when
 * the rollout's commit is one of the pull request's commits: a person must be able to stop a bad rollout
 * after pushing its fix.
 */
const STOP_VERBS: ReadonlySet<ControlVerb> = new Set(['abort', 'pause']);

/** Everything a request is decided on; gathered by controlRollout, decided by planControl. */
export interface PlanInput {
  verb: ControlVerb;
  environment: string;
  login: string;
  source: 'comment' | 'button';
  /** The request id for the step the rollout is at (`comment:<id>`, `button:<run>:<login>:<step>:<id>`). */
  id: (step: number) => string;
  full?: boolean;
  reason?: string;
  deployer: DeployerDecision;
  approver: ApproverDecision;
  read: StateRead;
  /** The deployment a button was for: a button of an earlier rollout does not act on this one. */
  deploymentId?: string;
  /** The step a button's wait was at: its Promote ends that wait only, never a later one. */
  step?: number;
  /** The check run whose button was pressed (a button only). */
  pressedCheckRun?: number;
  /** When GitHub wrote that check run (its completed_at, or started_at): a press came after it. */
  pressedCheckRunAt?: string;
  /**
   * The start (ms) of the rollout that check run was written for, as its external id names it; undefined
   * where it names none (written by a version before it did): then when it was written tells.
   */
  pressedRollout?: number;
  /** The requests could not be read (the poll failed): `existing` may lack a /pause. */
  unreadable?: boolean;
  /** The check run each of `existing` was first read from (ControlPoll's `recordedIn`). */
  recordedIn?: ReadonlyMap<string, number>;
  bindings: Binding[];
  /**
   * The rollout's commit is one of the commits of the pull request a moved-on binding names (read only for a
   * stop verb whose pull request moved on).
   */
  rolloutInPr?: boolean;
  /** The verified requests already made for this rollout (oldest first). */
  existing: readonly ControlRequest[];
  /**
   * Only part of the App's control check runs could be read (past 1000: src/control/github-channel.ts):
   * `existing` holds only the /abort and /pause read, as the runner's and reconcile's polls do, and they act
   * on no /promote or /resume of this deployment.
   */
  partial?: boolean;
  now: Date;
  /** When the request was written, as GitHub dates its comment (created_at); none for a button. */
  writtenAt?: string;
}

/**
 * A request's time, which orders /pause, /resume and /promote (the latest decides: decideControl). A /promote
 * or /resume written in a comment is dated at the start of the second GitHub dates it (never after now): one
 * handled after a /pause its author wrote later (two replicas at once, a slow or repeated delivery) does not
 * undo that /pause. Every other request (a /pause, an /abort, a button, which GitHub does not date) is dated
 * when the App handles it, so it is never put before anything handled earlier; a Promote or Resume press on a
 * check run older than a recorded /pause is refused instead (pauseAfterPressed).
 */
export function requestTime(verb: ControlVerb, now: Date, writtenAt?: string): Date {
  if ((verb !== 'promote' && verb !== 'resume') || writtenAt === undefined) return now;
  const written = Date.parse(writtenAt);
  if (Number.isNaN(written)) return now;
  const second = Math.floor(written / 1000) * 1000;
  return second < now.getTime() ? new Date(second) : now;
}

export type ControlPlan =
  | { ok: false; code: ControlRefusalCode; message: string }
  | {
      ok: true;
      rollout: Rollout & { sha: string };
      request: ControlRequest;
      /** The same request id was recorded before (a redelivery): nothing new is written. */
      duplicate: boolean;
      /**
       * A /promote of this login whose wait earlier requests already ended: `request` is the one that ended
       * it (nothing new is written; a run started for it is not started again). Also an /abort, or a /resume
       * of a hold, of a handed-off rollout that a recorded request already rolls back or lets go on
       * (repeatOfHandedOff): the run for that request is started if it never was.
       */
      repeatedBy?: string;
      /** The verb of the request `repeatedBy` made (default `promote`). */
      repeatedVerb?: ControlVerb;
      /** What the rollout does once this request is counted (as reconcile and the runner count it). */
      decision: RolloutDecision;
      /**
       * A redelivered request (`duplicate`) that no longer counts, and why: a /pause recorded since its
       * button's check run supersedes it (`button_superseded`), or it was made before the rollout was held
       * on a failed batch (`before_failure_hold`).
       */
      uncounted?: 'button_superseded' | 'before_failure_hold';
      /** The job handed the rollout off and the request lets it go on or roll back: start reconcile now. */
      startReconcile: boolean;
      /** Read from part of the requests (PlanInput's `partial`): a /promote or /resume would not be acted on. */
      partial?: true;
      /**
       * A /promote at an `approval: N` wait by an approver the requests before it already counted: recorded,
       * but each approver counts once (the CLI's `alreadyCounted`), which the reply says.
       */
      alreadyCounted?: true;
      /**
       * Earlier promoters of this `approval: N` wait whom the App's re-check at this /promote no longer counts
       * (approval-recheck.ts): a `revoke` of each was recorded before this request; the reply names them.
       */
      revoked?: readonly RevokedApproval[];
    };

const code = (value: string, max = 100): string => userText(value, { as: 'code', max });

/** `/promote production` as one code span when the name is a plain environment name, else escaped text. */
export function commandText(verb: string, environment: string): string {
  return ENVIRONMENT_NAME.test(environment) && environment.length <= 255
    ? `\`/${verb} ${environment}\``
    : userText(`/${verb} ${environment}`, { max: 300 });
}
const at = (login: string): string => userText(login, { as: 'mention' });
const short = (sha: string): string => code(sha.slice(0, 12));

/** "step 3/5, 25 %" for people: the step index is 0-based in the record. */
export function position(rollout: Rollout): string {
  const step = `step ${Math.max(stepOf(rollout) + 1, 0)}/${rollout.steps}`;
  return rollout.weight !== undefined ? `${step}, ${rollout.weight} % of traffic on the new version` : step;
}

/**
 * Who may: deployers; for /abort also approvers; for /promote also approvers when the rollout waits for
 * approvals (`approval: N` counts the approvers' /promote). `waitsForApprovals` is unknown (undefined) before
 * the record is read: an approver's /promote then gets past the first check and is decided on the record.
 */
function allowed(
  input: Pick<PlanInput, 'verb' | 'environment' | 'login' | 'deployer' | 'approver'>,
  waitsForApprovals?: boolean,
): { ok: true } | { ok: false; code: ControlRefusalCode; message: string } {
  const { deployer, approver } = input;
  if (deployer.ok) return { ok: true };
  if (input.verb === 'promote' && approver.ok && waitsForApprovals !== false) return { ok: true };
  if (input.verb === 'abort') {
    if (approver.ok) return { ok: true };
    if (deployer.code === 'unknown_environment')
      return { ok: false, code: deployer.code, message: explainRefusal(deployer) };
    return {
      ok: false,
      code: 'not_allowed',
      message:
        `${at(input.login)} may not abort a rollout of ${code(input.environment, 255)}: not a deployer ` +
        `(${explainRefusal(deployer)}), nor an approver (${explainApprover(approver).replace(/^[a-z_]+: /, '')}).`,
    };
  }
  // An approver whose own rollout it is: told so, not that they are no approver.
  if (input.verb === 'promote' && !approver.ok && approver.code === 'self_approval_refused')
    return {
      ok: false,
      code: approver.code,
      message: `${explainApprover(approver).replace(/^[a-z_]+: /, '')}; only the environment's deployers and its other approvers may /promote this rollout.`,
    };
  const also = deployer.also.map((r) => `; ${explainRefusal(r)}`).join('');
  const approvers = input.verb === 'promote' ? ' (and its approvers at an `approval` step)' : '';
  return {
    ok: false,
    code: deployer.code,
    message: `${explainRefusal(deployer)}${also}; only the environment's deployers${approvers} may /${input.verb} its rollout.`,
  };
}

const VERB_BUTTON_NAME: Record<ControlVerb, string> = {
  promote: 'Promote',
  resume: 'Resume',
  pause: 'Pause',
  abort: 'Abort',
};

const goesOnByButton = (input: PlanInput): boolean =>
  input.source === 'button' && (input.verb === 'promote' || input.verb === 'resume');

/**
 * A /pause of this rollout recorded in a check run newer than the one whose Promote or Resume button was
 * pressed (pauseSupersedingPress, the rule the runner and reconcile apply too). GitHub dates no press (a
 * requested_action carries no time), so a press is only known to come after its own check run was written:
 * one made before a later /pause and handled after it (a slow delivery, a redelivery hours later) would
 * otherwise undo that /pause. An /abort and a pause press are never in doubt.
 */
function pauseAfterPressed(input: PlanInput, rollout: Rollout): ControlRequest | undefined {
  if (!goesOnByButton(input)) return undefined;
  // Not recorded yet: it will be recorded after every /pause read here, whatever that /pause's date.
  return pauseSupersedingPress(
    { verb: input.verb, pressedCheckRun: input.pressedCheckRun },
    requestsOf(rollout, input.existing),
    input.recordedIn,
  );
}

/**
 * A /resume or /promote's date against a hold taken up on a failed batch (`on_failure: pause`), which only a
 * request made after the hold began ends (lastHoldOrGo). The App takes such a request only while the record
 * shows the hold, yet its date can fall before the hold's start: GitHub dates a comment to the second (one
 * written in the second the batch failed is floored before it), and the runner's clock that dated the hold is
 * not the App's. A date at most CONTROL_CLOCK_SKEW_MS before it is taken as after it (dated at its start), so
 * a request the App answers as resuming the rollout does resume it; an earlier one (a comment written well
 * before the batch failed, delivered late) is refused: it must not run the failed batch again.
 */
function goesOnAfterFailureHold(
  input: PlanInput,
  rollout: Rollout,
  duplicate: boolean,
): { ok: true; at: Date } | { ok: false; code: ControlRefusalCode; message: string } {
  const at = requestTime(input.verb, input.now, input.writtenAt);
  const since = failureHoldSince(rollout);
  if (duplicate || (input.verb !== 'resume' && input.verb !== 'promote') || !Number.isFinite(since))
    return { ok: true, at };
  const held = new Date(since);
  if (input.source === 'button') {
    // A press is only known to come after its check run was written (GitHub dates no press), so a button on
    // a check run written before the batch failed may have been pressed before it: not taken. One written
    // since (within the clocks' skew) was pressed after the hold began, whatever the App's clock says.
    const written = Date.parse(input.pressedCheckRunAt ?? '');
    if (written >= since - CONTROL_CLOCK_SKEW_MS) return { ok: true, at: at < held ? held : at };
    return {
      ok: false,
      code: 'before_failure_hold',
      message:
        `this ${VERB_BUTTON_NAME[input.verb]} button is on a \`rollout\` check run written before the rollout ` +
        `of ${code(input.environment, 255)} was held on a failed batch (\`on_failure: pause\`, at ` +
        `${code(held.toISOString())}), and GitHub does not say when a button was pressed: a press made before the ` +
        `batch failed does not run it again. Nothing was recorded; ` +
        `${commandText('resume', input.environment)} runs the batch again.`,
    };
  }
  if (!(at.getTime() < since)) return { ok: true, at };
  // A /resume only ends a hold, so one dated just before it (clocks, the floored second) is for this hold; a
  // /promote is for a wait, and only one written in the hold's own second is taken as after it.
  const slack = input.verb === 'resume' ? CONTROL_CLOCK_SKEW_MS : since - Math.floor(since / 1000) * 1000;
  if (at.getTime() >= since - slack) return { ok: true, at: held };
  return {
    ok: false,
    code: 'before_failure_hold',
    message:
      `this /${input.verb} was written at ${code(at.toISOString())}, before the rollout of ` +
      `${code(input.environment, 255)} was held on a failed batch (\`on_failure: pause\`, at ` +
      `${code(held.toISOString())}): a request made before the batch failed does not run it again. ` +
      `Nothing was recorded; ${commandText('resume', input.environment)} now runs the batch again.`,
  };
}

/**
 * A request's date against the rollout's start: one dated before it (less CONTROL_CLOCK_SKEW_MS) counts for
 * nothing (requestsOf: it was made of an earlier attempt of a re-run job), yet it would be recorded and
 * answered as such ("/abort … recorded … Still waiting for /promote"). One the App dates itself (a /pause,
 * an /abort, a press) is made after the App read the rollout, whatever its clock says against the runner's
 * that dated the start: dated no earlier than that start, as the CLI dates its own. A /promote or /resume
 * comment GitHub dates before it was written while an earlier attempt ran: refused (`before_rollout`), so it
 * neither counts for nothing nor, dated later, promotes a rollout its author never saw.
 */
function datedInRollout(
  input: PlanInput,
  rollout: Rollout,
  at: Date,
): { ok: true; at: Date } | { ok: false; code: ControlRefusalCode; message: string } {
  const began = Date.parse(rollout.startedAt);
  if (!Number.isFinite(began) || at.getTime() >= began) return { ok: true, at };
  const appDated = at.getTime() === input.now.getTime();
  if (appDated || at.getTime() >= began - CONTROL_CLOCK_SKEW_MS) return { ok: true, at: new Date(began) };
  return {
    ok: false,
    code: 'before_rollout',
    message:
      `this /${input.verb} was written at ${code(at.toISOString())}, before the rollout of ` +
      `${code(input.environment, 255)} in progress began (${code(new Date(began).toISOString())}: a re-run of ` +
      `deployment ${code(rollout.deploymentId)}'s job is a new rollout), so it is not taken for it. Nothing was ` +
      `recorded; ${commandText(input.verb, input.environment)} again acts on this rollout, at ${position(rollout)}.`,
  };
}

/**
 * A check run written (GitHub's completed_at) since the rollout that began at `began` (ms) began, less the
 * clocks' skew (the runner dated the start, GitHub the check run). No start known: any is; no time known:
 * not known to be.
 */
export function writtenInRollout(writtenAt: string | null | undefined, began: number): boolean {
  if (!Number.isFinite(began)) return true;
  const written = Date.parse(writtenAt ?? '');
  return Number.isFinite(written) && written >= began - CONTROL_CLOCK_SKEW_MS;
}

/**
 * A Promote or Resume press counts only for the rollout its check run was written for. A re-run of the job
 * keeps the deployment and its steps but is a new rollout; GitHub does not date a press, so one on an earlier
 * attempt's check run may have been made during that attempt and delivered (or handled) after this one began:
 * dated now, it would let this rollout go on, which nobody asked. The check run names its rollout (its start,
 * in the external id); one written by a version before it did is judged by when GitHub wrote it. An Abort is
 * taken from any (it only stops the rollout of that deployment).
 */
function pressOfOtherRollout(
  input: PlanInput,
  rollout: Rollout,
): { ok: false; code: ControlRefusalCode; message: string } | undefined {
  if (!goesOnByButton(input)) return undefined;
  const began = Date.parse(rollout.startedAt);
  if (!Number.isFinite(began)) return undefined;
  const named = input.pressedRollout;
  if (named === undefined ? writtenInRollout(input.pressedCheckRunAt, began) : named === Math.trunc(began))
    return undefined;
  const which =
    named !== undefined
      ? `written for the rollout of deployment ${code(rollout.deploymentId)} that began at ` +
        `${code(new Date(named).toISOString())}`
      : `written ${input.pressedCheckRunAt ? `at ${code(input.pressedCheckRunAt, 40)}` : 'at a time GitHub does not say'}, ` +
        `before it began`;
  const button = VERB_BUTTON_NAME[input.verb];
  return {
    ok: false,
    code: 'button_other_rollout',
    message:
      `this ${button} button is on a \`rollout\` check run of an earlier rollout (${which}); the rollout of ` +
      `${code(input.environment, 255)} in progress began at ${code(new Date(began).toISOString())} (a re-run of ` +
      'the job is a new rollout), and GitHub does not say when a button was pressed: a press made for the ' +
      `earlier one is not taken for this one. Nothing was recorded; press ${button} on the current ` +
      `\`rollout\` check run of this rollout, or ${commandText(input.verb, input.environment)}.`,
  };
}

/** Pure: whether the request is recorded, and what it does to the rollout. Policy first, then the record. */
export function planControl(input: PlanInput): ControlPlan {
  const pre = allowed(input);
  if (!pre.ok) return pre;
  const env = code(input.environment, 255);
  const { read } = input;
  if (!read.ok)
    return {
      ok: false,
      code: read.code,
      message: `the state of ${env} is not trusted (${userText(read.message, { max: 300 })}); nothing was recorded.`,
    };
  const rollout = read.record?.rollout;
  if (!rollout)
    return {
      ok: false,
      code: 'no_rollout',
      message: `no rollout of ${env} is in progress${lastEnded(read.record?.history ?? [])}; nothing was recorded.`,
    };
  const may = allowed(input, rollout.wait?.kind === 'approval');
  if (!may.ok) return may;
  if (input.deploymentId !== undefined && input.deploymentId !== rollout.deploymentId)
    return {
      ok: false,
      code: 'not_current_rollout',
      message: `the button was for deployment ${code(input.deploymentId)}; the rollout of ${env} in progress is deployment ${code(rollout.deploymentId)}.`,
    };
  const otherRollout = pressOfOtherRollout(input, rollout);
  if (otherRollout) return otherRollout;
  if (input.verb === 'promote' && input.step !== undefined && input.step !== stepOf(rollout))
    return {
      ok: false,
      code: 'step_moved',
      message:
        `the button was for the wait at step ${Math.max(input.step + 1, 0)}, which has ended; the rollout of ` +
        `${env} is now at ${position(rollout)}. Use the buttons of its current \`rollout\` check run, or ` +
        `${commandText('promote', input.environment)}.`,
    };
  const sha = rollout.sha?.toLowerCase();
  if (!sha || !/^[0-9a-f]{7,64}$/.test(sha))
    return {
      ok: false,
      code: 'sha_unknown',
      message: `the rollout of ${env} records no commit, so no request can be bound to it.`,
    };
  for (const b of input.bindings) {
    if (b.sha.toLowerCase() === sha) continue;
    const stops = STOP_VERBS.has(input.verb) && b.pr !== undefined;
    if (stops && input.rolloutInPr) continue;
    return {
      ok: false,
      code: 'sha_moved',
      message: stops
        ? `${b.what} is at ${short(b.sha)}, the rollout of ${env} deploys ${short(sha)}, which is not one of its commits; a request is only taken for the commit being rolled out.`
        : `${b.what} is at ${short(b.sha)}, the rollout of ${env} deploys ${short(sha)}; a request is only taken for the commit being rolled out.`,
    };
  }
  // The runner and reconcile read the same part of the list and act only on an /abort or /pause from it:
  // a /promote or /resume recorded now would never be acted on, while the reply said the rollout goes on.
  if (input.partial && !STOP_VERBS.has(input.verb))
    return {
      ok: false,
      code: 'requests_partial',
      message:
        `only part of the control requests of ${env} can be read from GitHub (commit ${short(sha)} holds more ` +
        '`rollout` check runs than a read covers), so neither the running job nor reconcile acts on a ' +
        `/${input.verb} of deployment ${code(rollout.deploymentId)}: a newer \`/pause\` or \`/abort\` may be ` +
        `among those not read. Nothing was recorded. ${commandText('abort', input.environment)} still stops ` +
        'the rollout (it rolls back); the rollout of another commit is not affected.',
    };
  const step = stepOf(rollout);
  const id = input.id(step);
  // A redelivered request (the same comment, the same click) is the request already recorded: answered as
  // such, whatever it changed since (a redelivered /pause is not "already paused" by itself).
  const recorded = requestsFor(rollout.deploymentId, input.existing).find((r) => r.id === id);
  const duplicate = recorded !== undefined;
  if (!duplicate) {
    const repeat = repeatOfHandedOff(input, rollout, sha);
    if (repeat) return repeat;
    const refused = stateRefusal(input.verb, rollout, input.existing, env);
    if (refused) return refused;
    // Whether a /pause was recorded after the pressed check run cannot be told: a late press could undo it.
    if (goesOnByButton(input) && input.unreadable)
      return {
        ok: false,
        code: 'requests_unreadable',
        message:
          `the control requests of ${env} could not be read from GitHub, so whether a \`/pause\` was recorded ` +
          `after this ${VERB_BUTTON_NAME[input.verb]} button's check run is not known, and GitHub does not say ` +
          `when a button was pressed. Nothing was recorded; press it again in a moment, or ` +
          `${commandText(input.verb, input.environment)}.`,
      };
    // The earlier approvals of this wait are re-checked at this /promote (approval-recheck.ts): unread, one
    // of a person who may no longer approve would be counted with it by the runner, unchecked.
    if (input.verb === 'promote' && rollout.wait?.kind === 'approval' && input.unreadable)
      return {
        ok: false,
        code: 'requests_unreadable',
        message:
          `the control requests of ${env} could not be read from GitHub, so whether the earlier approvals of ` +
          `its wait at ${position(rollout)} still count cannot be checked, and one that no longer does would ` +
          `be counted with this /promote. Nothing was recorded; ${commandText('promote', input.environment)} ` +
          'again in a moment.',
      };
    const superseded = pauseAfterPressed(input, rollout);
    if (superseded)
      return {
        ok: false,
        code: 'button_superseded',
        message:
          `this ${VERB_BUTTON_NAME[input.verb]} button is on a \`rollout\` check run written before the \`/pause\` ` +
          `${at(superseded.by)} recorded since, and GitHub does not say when a button was pressed: a press made ` +
          `before that /pause (delivered late, or redelivered) is not taken. Nothing was recorded. Press ` +
          `Resume on the check run of that /pause (or of a later one), or ` +
          `${commandText(input.verb, input.environment)}.`,
      };
    const held = isHeld(rollout, countedRequests(rollout, input.existing, input.recordedIn));
    if (input.verb === 'pause' && held)
      return {
        ok: false,
        code: 'already_paused',
        message: `the rollout of ${env} is already paused; \`/resume\` or \`/promote\` it.`,
      };
    if (input.verb === 'resume' && !held)
      return {
        ok: false,
        code: 'not_paused',
        message:
          `the rollout of ${env} is not paused, so there is nothing to resume; nothing was recorded. ` +
          (rollout.wait?.kind === 'approval'
            ? `It waits for approval at ${position(rollout)}: its approvers' ${commandText('promote', input.environment)} let it go on.`
            : rollout.wait
              ? `It waits at ${position(rollout)}: ${commandText('promote', input.environment)} lets it go on.`
              : `It goes on by itself; \`/status\` shows where it is.`),
      };
    // --full passes every later wait: never an `approval: N` one, which only its approvers may pass.
    const ahead = input.verb === 'promote' && input.full ? approvalWaitsAhead(rollout) : [];
    if (ahead === undefined || ahead.length > 0)
      return {
        ok: false,
        code: 'full_passes_approval',
        message:
          ahead === undefined
            ? `the record of the rollout of ${env} does not show its steps, so \`/promote --full\` cannot tell whether it would pass an approval step; \`/promote\` without --full. Nothing was recorded.`
            : `\`/promote --full\` would pass the approval step(s) at ${ahead.map((a) => userText(a.at, { max: 60 })).join(', ')} of the rollout of ${env}, which only its approvers may pass; \`/promote\` without --full. Nothing was recorded.`,
      };
    // A /promote after a /pause ends the hold, as a /resume does: only a deployer may, not an approver who
    // may only approve an `approval` step.
    if (input.verb === 'promote' && held && !input.deployer.ok)
      return {
        ok: false,
        code: input.deployer.code,
        message:
          `the rollout of ${env} is paused, and a \`/promote\` would resume it: ${explainRefusal(input.deployer)}; ` +
          `only the environment's deployers may resume its rollout. Nothing was recorded.`,
      };
  }

  const held = goesOnAfterFailureHold(input, rollout, duplicate);
  if (!held.ok) return held;
  const dated = duplicate ? held : datedInRollout(input, rollout, held.at);
  if (!dated.ok) return dated;
  // A redelivery is answered as the request recorded (its date, its step), not as one made now.
  const request: ControlRequest = recorded ?? {
    id,
    verb: input.verb,
    by: input.login,
    at: dated.at.toISOString(),
    deploymentId: rollout.deploymentId,
    sha,
    step,
    ...(input.verb === 'promote' && input.full ? { full: true } : {}),
    ...(input.verb === 'abort' && input.reason !== undefined ? { reason: input.reason } : {}),
    approver: input.approver.ok,
    source: input.source,
  };
  // Decided as reconcile and the runner decide (decideRollout): on the requests that count, so a reply never
  // says the rollout goes on for a press a later /pause supersedes or a request made before a failed batch.
  const decide = (requests: readonly ControlRequest[]) =>
    decideRollout(rollout, requests, input.now.getTime(), input.recordedIn);
  // A second /promote of a wait that earlier ones already ended (a double click, two people at once) is that
  // request again: nothing new is written, and the run started for it is not started a second time.
  const before = input.verb === 'promote' && !duplicate ? decide(input.existing) : undefined;
  if (before?.action === 'go' && (before.how === 'promoted' || before.how === 'approved')) {
    const ended = waitEndedBy(rollout, before)!;
    return repeatPlan(input, { ...rollout, sha }, ended, before, rollout.wait?.handedOff === true);
  }
  const all = duplicate ? input.existing : [...input.existing, request];
  const decision = decide(all);
  const goes = decision.action === 'go' || decision.action === 'abort';
  const uncounted = duplicate ? uncountedWhy(request, rollout, all, input.recordedIn) : undefined;
  // The same approver's second /promote adds nothing: said, not left to be read as a second approval.
  const alreadyCounted =
    before?.action === 'wait' &&
    before.kind === 'approval' &&
    request.approver === true &&
    (before.approvers ?? []).some((a) => a.toLowerCase() === request.by.toLowerCase());
  return {
    ok: true,
    rollout: { ...rollout, sha },
    request,
    duplicate,
    decision,
    ...(uncounted ? { uncounted } : {}),
    ...(alreadyCounted ? { alreadyCounted: true as const } : {}),
    startReconcile: rollout.wait?.handedOff === true && goes,
    ...(input.partial ? { partial: true as const } : {}),
  };
}

/**
 * An /abort, or a /resume of a hold, of a handed-off rollout (no job polls it) that a request already recorded
 * rolls back or lets go on: that request again, nothing new written, and the reconcile run for it started
 * unless it was (its claim ref), as for a second /promote. Without it the request whose run GitHub failed to
 * start (it was written, then the dispatch failed: the person is told it failed and to ask again) could never
 * be started from the pull request: asked again, it was refused as `already_aborted` ("rolls back") or
 * `not_paused`, and the rollout waited for a scheduled reconcile run, or for nothing.
 */
function repeatOfHandedOff(
  input: PlanInput,
  rollout: Rollout,
  sha: string,
): Extract<ControlPlan, { ok: true }> | undefined {
  const wait = rollout.wait;
  if (wait?.handedOff !== true || rollout.phase === 'rollback') return undefined;
  if (input.verb !== 'abort' && !(input.verb === 'resume' && wait.kind === 'hold')) return undefined;
  const decision = decideRollout(rollout, input.existing, input.now.getTime(), input.recordedIn);
  const ended =
    input.verb === 'abort'
      ? decision.action === 'abort'
        ? decision.request
        : undefined
      : decision.action === 'go'
        ? lastHoldOrGo(rollout, countedRequests(rollout, input.existing, input.recordedIn))
        : undefined;
  if (!ended) return undefined;
  return repeatPlan(input, { ...rollout, sha }, ended, decision, true);
}

/** The plan of a request that repeats `ended`, one already recorded: nothing new is written. */
function repeatPlan(
  input: PlanInput,
  rollout: Rollout & { sha: string },
  ended: ControlRequest,
  decision: RolloutDecision,
  startReconcile: boolean,
): Extract<ControlPlan, { ok: true }> {
  return {
    ok: true,
    rollout,
    request: ended,
    duplicate: true,
    repeatedBy: input.login,
    ...(input.verb === 'promote' ? {} : { repeatedVerb: input.verb }),
    decision,
    startReconcile,
  };
}

/** Why a request recorded before does not count now (see ControlPlan's `uncounted`); undefined when it does. */
function uncountedWhy(
  request: ControlRequest,
  rollout: Rollout,
  requests: readonly ControlRequest[],
  recordedIn: ReadonlyMap<string, number> | undefined,
): 'button_superseded' | 'before_failure_hold' | undefined {
  const mine = requestsOf(rollout, requests);
  if (!mine.some((r) => r.id === request.id)) return undefined;
  if (countedRequests(rollout, requests, recordedIn).some((r) => r.id === request.id)) return undefined;
  return Number.isFinite(failureHoldSince(rollout)) && Date.parse(request.at) < failureHoldSince(rollout)
    ? 'before_failure_hold'
    : 'button_superseded';
}

/** How a rollout ends in the record's history (the pipeline's and reconcile's events), for people. */
const ENDED: Record<string, string> = {
  succeeded: 'succeeded',
  rolled_back: 'was rolled back',
  orphan_rolled_back: 'was rolled back by reconcile',
  rollback_failed: 'failed, and its rollback failed',
  orphan_rollback_failed: 'was left by its run, and its rollback failed',
  failed: 'failed',
  cancelled: 'was cancelled',
};

/** `: the last one, v3 (deployment 42), was rolled back at …` from the newest ending in the history. */
function lastEnded(history: readonly HistoryEntry[]): string {
  const last = history.findLast((h) => Object.hasOwn(ENDED, h.event));
  if (!last) return '';
  const version = last.version !== undefined ? `, ${code(last.version, 100)},` : '';
  return `: the last one${version} ${ENDED[last.event]} (${code(last.code, 60)}) at ${code(last.at, 40)}`;
}

/** A request where the rollout leaves it nothing to act on (`idleFor`): refused, naming where it is. */
function stateRefusal(
  verb: ControlVerb,
  rollout: Rollout,
  existing: readonly ControlRequest[],
  env: string,
): Extract<ControlPlan, { ok: false }> | undefined {
  const idle = idleFor(verb, rollout, existing);
  if (!idle) return undefined;
  const which = `the rollout of ${env} (deployment ${code(rollout.deploymentId)})`;
  switch (idle.code) {
    case 'rolling_back':
      return {
        ok: false,
        code: idle.code,
        message: `${which} is rolling back to the stable version already; nothing was recorded.`,
      };
    case 'already_aborted':
      return {
        ok: false,
        code: idle.code,
        message:
          `${which} was aborted by ${at(idle.request.by)} at ${code(idle.request.at, 40)} and rolls back to ` +
          `the stable version; this /${verb} was not recorded.`,
      };
    case 'staging_rollout':
      return {
        ok: false,
        code: idle.code,
        message:
          `${which} is the staging phase of a deployment; only its production rollout is steered from the ` +
          'pull request (an `/abort` of the production environment stops the whole deployment). Nothing was recorded.',
      };
    case 'past_last_step':
      return {
        ok: false,
        code: idle.code,
        message:
          `${which} has passed its last step and is in its ${idle.phase} phase: there is nothing left to ` +
          `/${verb}. \`/abort\` still rolls it back. Nothing was recorded.`,
      };
  }
}

/**
 * The buttons while the rollout still waits after this request: none once it goes on or is aborted; only
 * Abort when the requests are read in part (a Promote or Resume would be refused).
 */
export function buttonsAfter(decision: RolloutDecision, partial = false): ControlButton[] {
  if (decision.action !== 'hold' && decision.action !== 'held' && decision.action !== 'wait') return [];
  if (partial) return ['abort'];
  return decision.action === 'wait' ? ['promote', 'abort'] : ['resume', 'abort'];
}

const VERB_TITLE: Record<RequestVerb, string> = {
  promote: 'Promote',
  pause: 'Pause',
  resume: 'Resume',
  abort: 'Abort',
  revoke: 'Approval withdrawn',
};

/** What happens next, for people: who ends the wait, or who (the runner, a new run) acts on the request. */
export function nextStep(
  plan: Extract<ControlPlan, { ok: true }>,
  environment: string,
  reconcile?: ReconcileStart,
): string {
  const { decision, rollout, request } = plan;
  const command = (verb: string) => commandText(verb, environment);
  const handedOff = rollout.wait?.handedOff === true;
  const started =
    reconcile?.status === 'dispatched'
      ? ' (a new run was started)'
      : reconcile?.status === 'already_dispatched'
        ? ' (a run was already started for this request)'
        : handedOff
          ? ''
          : ' (the running job acts on it within its poll interval)';
  switch (decision.action) {
    case 'abort':
      return `The rollout rolls back to the stable version${started}.`;
    case 'hold':
      return `The rollout is held before its next step until ${command('resume')} (or ${command('promote')}).`;
    case 'held':
      return decision.by === PAUSED_ON_FAILURE
        ? `The rollout stays held on a failed batch (\`on_failure: pause\`) until a ${command('resume')} made ` +
            'since the batch failed (or the Resume button of the check run written for that hold).'
        : `The rollout stays held until ${command('resume')}.`;
    case 'go': {
      // A /promote of a hold (a /pause, a failed batch) ends it, as a /resume does.
      if (decision.how === 'not_waiting')
        return request.verb === 'promote' && rollout.wait?.kind !== 'hold'
          ? 'The rollout is not waiting at this step now; this /promote ends its wait if it waits here.'
          : `The rollout goes on${started}.`;
      const full = decision.full ? ', straight to 100 % after this step’s analysis' : '';
      return `The rollout goes on from ${position(rollout)}${full}${started}.`;
    }
    case 'wait':
      if (decision.kind === 'approval') {
        const missing = Math.max((decision.need ?? 1) - (decision.approvers?.length ?? 0), 1);
        const so = decision.approvers?.length ? ` (so far: ${decision.approvers.map(at).join(', ')})` : '';
        const mine =
          request.verb === 'promote' && request.approver !== true
            ? ' This /promote does not count as an approval: its author may not approve this environment.'
            : '';
        const who = plan.alreadyCounted ? 'another approver' : 'an approver';
        return `Waiting for ${missing} more approval(s)${so}: ${who} replies ${command('promote')}.${mine}`;
      }
      if (decision.kind === 'bake' && decision.until !== undefined && Number.isFinite(decision.until))
        return `The bake goes on until ${code(new Date(decision.until).toISOString(), 40)}, or until ${command('promote')}.`;
      return `Still waiting for ${command('promote')}.`;
  }
}

/** Said after what happens next when the requests were read in part: what will not be acted on. */
function partialNote(plan: Extract<ControlPlan, { ok: true }>, environment: string): string {
  if (!plan.partial) return '';
  return (
    ` Only part of the control requests of ${code(environment, 255)} can be read from GitHub (too many ` +
    '`rollout` check runs on its commit): an `/abort` or `/pause` is acted on, a `/promote` or `/resume` ' +
    `of this deployment is not; ${commandText('abort', environment)} stops it.`
  );
}

/** One paragraph: what was recorded, for which step, and what happens next. */
export function recordedText(
  plan: Extract<ControlPlan, { ok: true }>,
  environment: string,
  reconcile?: ReconcileStart,
): string {
  const { request, rollout } = plan;
  if (plan.repeatedBy !== undefined) {
    const verb = plan.repeatedVerb ?? 'promote';
    const what =
      verb === 'abort'
        ? `the rollout of ${code(environment, 255)} at ${position(rollout)} was already aborted`
        : `the ${verb === 'resume' ? 'hold' : 'wait'} of ${code(environment, 255)} at ${position(rollout)} was already ended`;
    return (
      `**/${verb}** by ${at(plan.repeatedBy)}: ${what} by the /${request.verb} of ${at(request.by)} at ` +
      `${code(request.at, 40)}; nothing more was recorded. ${nextStep(plan, environment, reconcile)}`
    );
  }
  const full = request.full ? ' --full' : '';
  const why = request.reason !== undefined ? `: ${userText(request.reason)}` : '';
  const again = !plan.duplicate
    ? ''
    : plan.uncounted === 'button_superseded'
      ? ` (already recorded before, at ${code(request.at, 40)}; it no longer counts: a \`/pause\` was recorded ` +
        'after the check run its button was pressed on, and GitHub does not say when a button was pressed; ' +
        `press Resume on the newest \`rollout\` check run, or ${commandText('resume', environment)})`
      : plan.uncounted === 'before_failure_hold'
        ? ` (already recorded before, at ${code(request.at, 40)}, before the rollout was held on a failed batch: ` +
          'it does not run that batch again)'
        : plan.decision.action === 'hold' && (request.verb === 'promote' || request.verb === 'resume')
          ? ` (already recorded before, at ${code(request.at, 40)}, and counted once; the \`/pause\` of ` +
            `${at(plan.decision.request.by)} recorded since holds the rollout: press Resume on the newest ` +
            `\`rollout\` check run, or ${commandText('resume', environment)})`
          : ' (already recorded before; counted once)';
  const counted = plan.alreadyCounted
    ? `; the approval of ${at(request.by)} was already counted (each approver counts once)`
    : '';
  return (
    `**/${request.verb}${full}** by ${at(request.by)} recorded for ${code(environment, 255)} at ` +
    `${position(rollout)} (deployment ${code(rollout.deploymentId)}, commit ${short(rollout.sha)})${why}${again}${counted}.` +
    `${revokedNote(plan.revoked ?? [], environment)} ` +
    nextStep(plan, environment, reconcile) +
    partialNote(plan, environment)
  );
}

/**
 * A redelivered Promote or Resume press (the same person, check run, step and button: the same request id)
 * that does not let the rollout go on now: a /pause recorded since holds it, or the press no longer counts.
 * Answered again, so the person is not left thinking it did (a redelivery that changes nothing is not).
 */
export function answerDuplicate(plan: Extract<ControlPlan, { ok: true }>): boolean {
  const { request, decision } = plan;
  if (!plan.duplicate || plan.repeatedBy !== undefined) return false;
  if (request.verb !== 'promote' && request.verb !== 'resume') return false;
  return plan.uncounted !== undefined || decision.action === 'hold' || decision.action === 'held';
}

/** The request's check run: its title says who asked what; buttons while the rollout still waits. */
export function requestDisplay(
  plan: Extract<ControlPlan, { ok: true }>,
  environment: string,
): ControlDisplay {
  const { request, rollout } = plan;
  return {
    title: userText(`${VERB_TITLE[request.verb]} by ${request.by} at step ${stepOf(rollout) + 1}`, {
      max: 200,
    }),
    summary: recordedText(plan, environment),
    buttons: buttonsAfter(plan.decision, plan.partial === true),
  };
}

/** A revocation's check run: whose approval no longer counts, why, and at whose /promote; no buttons. */
export function revocationDisplay(
  revocation: ControlRequest,
  plan: Extract<ControlPlan, { ok: true }>,
  environment: string,
): ControlDisplay {
  const mine = plan.revoked?.filter((r) => sameLogin(r.login, revocation.by)) ?? [];
  return {
    title: userText(`${VERB_TITLE[revocation.verb]}: ${revocation.by} at step ${stepOf(plan.rollout) + 1}`, {
      max: 200,
    }),
    summary:
      `Recorded by the App at the /promote of ${at(plan.request.by)} at ${position(plan.rollout)} ` +
      `(deployment ${code(plan.rollout.deploymentId)}).${revokedNote(mine, environment)}`,
    buttons: [],
  };
}

/** The verified requests already made for a rollout, read from the check runs on its commit. */
export type RequestsReader = (
  where: Where,
  place: ControlPlace,
  sha: string,
  keys: readonly Buffer[],
) => Promise<ControlPoll>;

/**
 * The reader on GitHub: GitHubControlSource with the App's `octokit.request`, reading only the App's own check
 * runs when its id is given (what the runner acts on: docs/control.md). Never throws.
 */
export function githubRequests(request: RequestFn, appId?: number): RequestsReader {
  return async (where, place, sha, keys) => {
    try {
      return await new GitHubControlSource(request, where, place, sha, keys, appId).poll(place.deploymentId);
    } catch (error) {
      return { changed: false, requests: [], error: (error as Error).message };
    }
  };
}

/** Where requests are read and written for one event: src/control/github-channel.ts on GitHub. */
export interface ControlIO {
  readRequests: RequestsReader;
  write: typeof writeControlRequest;
}

/** The channel the App uses: per event, its Octokit's `request` for the conditional reads. */
export interface ControlChannel {
  /** `appId`: the App's own, so only its check runs are read (a flood of another app's makes no partial read). */
  readRequests(request: RequestFn, appId?: number): RequestsReader;
  write: typeof writeControlRequest;
  writeNotice: typeof writeWaitNotice;
}

export const githubChannel: ControlChannel = {
  readRequests: githubRequests,
  write: writeControlRequest,
  writeNotice: writeWaitNotice,
};

export interface ControlDeps extends ControlIO {
  api: Api;
  records: RecordReader;
  keys: MarkerKeys;
  now: () => Date;
  warn: (fields: Record<string, unknown>, message: string) => void;
}

export interface ControlAsk {
  where: Where;
  /** Where the reconcile workflow is started. */
  defaultBranch: string;
  config: RawConfig;
  environment: string;
  verb: ControlVerb;
  login: string;
  /** The pull request the comment is on, or the deployment's (a button); none for a push deployment. */
  pr?: PullFacts;
  bindings: Binding[];
  id: (step: number) => string;
  source: 'comment' | 'button';
  full?: boolean;
  reason?: string;
  deploymentId?: string;
  /** A button: the step its check run's wait was at. */
  step?: number;
  /** A button: the check run it was pressed on, and when GitHub wrote it. */
  pressedCheckRun?: number;
  pressedCheckRunAt?: string;
  /** A button: the start (ms) of the rollout its check run names, if it names one. */
  pressedRollout?: number;
  /** A comment: when GitHub says it was written (its created_at). */
  writtenAt?: string;
}

export type ControlOutcome =
  | { status: 'refused'; code: ControlRefusalCode; message: string }
  | {
      status: 'recorded' | 'already_recorded';
      plan: Extract<ControlPlan, { ok: true }>;
      checkRunId?: number;
      reconcile?: ReconcileStart;
      /** What was recorded and what happens next (every value already escaped). */
      message: string;
      /** Someone else's request already did what this one asks (see ControlPlan's repeatedBy). */
      repeated?: boolean;
    };

/**
 * Who asked for a rollout's deployment, for the self-approval rule where there is no pull request (a push
 * deployment): the deployment's creator when a person made it, the `requested_by` of its payload, and the
 * actor and triggering actor of the workflow run that owns the rollout (GitHub's word for who pushed or
 * started it; the run is named by the trusted record). Any name only narrows who may approve, so a payload's
 * is taken as it is. A deployment or run that no longer exists (404) names nobody. So does the author of the
 * pull request its payload names (`pr`) when that is not `commentedOn`, whose author the caller counts: a
 * /promote on another pull request at the same commit (a backport) is still about that rollout.
 */
export async function rolloutRequesters(
  api: Api,
  where: Where,
  rollout: Rollout,
  commentedOn?: number,
): Promise<string[]> {
  const logins: string[] = [];
  const notFound = (error: unknown): undefined => {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  };
  const deploymentId = Number(rollout.deploymentId);
  const runId = rollout.owner.kind === 'workflow' ? Number(rollout.owner.runId) : NaN;
  const [deployment, run] = await Promise.all([
    Number.isSafeInteger(deploymentId) && deploymentId > 0
      ? api.repos.getDeployment({ ...where, deployment_id: deploymentId }).then((r) => r.data, notFound)
      : undefined,
    Number.isSafeInteger(runId) && runId > 0
      ? api.actions.getWorkflowRun({ ...where, run_id: runId }).then((r) => r.data, notFound)
      : undefined,
  ]);
  if (deployment?.creator && !isBot(deployment.creator)) logins.push(deployment.creator.login);
  const payload = deployment?.payload;
  const requestedBy =
    payload && typeof payload === 'object' ? (payload as { requested_by?: unknown }).requested_by : undefined;
  if (typeof requestedBy === 'string' && requestedBy) logins.push(requestedBy);
  for (const who of [run?.actor, run?.triggering_actor])
    if (who?.login && !isBot(who)) logins.push(who.login);
  const pr = payload && typeof payload === 'object' ? (payload as { pr?: unknown }).pr : undefined;
  if (typeof pr === 'number' && Number.isSafeInteger(pr) && pr > 0 && pr !== commentedOn) {
    const pull = await api.pulls.get({ ...where, pull_number: pr }).then((r) => r.data, notFound);
    if (pull?.user && !isBot(pull.user)) logins.push(pull.user.login);
  }
  return logins;
}

/** Gathers the facts, asks planControl, writes the request and starts reconcile when it is due. */
export async function controlRollout(deps: ControlDeps, ask: ControlAsk): Promise<ControlOutcome> {
  const { where, config, environment } = ask;
  const repository = `${where.owner}/${where.repo}`;
  const known = Object.hasOwn(config.environments, environment);
  const policy = known ? resolvePolicy(config, environment) : undefined;
  const actor = await actorOf(
    deps.api,
    where,
    ask.login,
    policy ? teamsIn(policy.deployers, policy.approvers) : [],
  );
  const pullRequest = ask.pr
    ? { number: ask.pr.number, author: ask.pr.author, headSha: ask.pr.headSha, fromFork: ask.pr.fromFork }
    : undefined;
  // A control steers the rollout of this environment alone (a staging phase is not steered): its own rules.
  const deployer = mayDeploy({
    config,
    environment,
    actor,
    type: 'standard',
    scope: 'rollout',
    ...(pullRequest ? { pullRequest } : {}),
  });
  const approver = mayApprove({
    config,
    environment,
    actor,
    type: 'standard',
    scope: 'rollout',
    ...(ask.pr ? { author: ask.pr.author } : {}),
    kind: 'approve',
  });
  const base = {
    verb: ask.verb,
    environment,
    login: ask.login,
    source: ask.source,
    id: ask.id,
    ...(ask.full !== undefined ? { full: ask.full } : {}),
    ...(ask.reason !== undefined ? { reason: ask.reason } : {}),
    ...(ask.deploymentId !== undefined ? { deploymentId: ask.deploymentId } : {}),
    ...(ask.step !== undefined ? { step: ask.step } : {}),
    ...(ask.pressedCheckRun !== undefined ? { pressedCheckRun: ask.pressedCheckRun } : {}),
    ...(ask.pressedCheckRunAt !== undefined ? { pressedCheckRunAt: ask.pressedCheckRunAt } : {}),
    ...(ask.pressedRollout !== undefined ? { pressedRollout: ask.pressedRollout } : {}),
    ...(ask.writtenAt !== undefined ? { writtenAt: ask.writtenAt } : {}),
    deployer,
    approver,
    bindings: ask.bindings,
    now: deps.now(),
  };
  // Who may is decided before the record is read: a stranger learns nothing about the rollout.
  const pre = allowed(base);
  if (!pre.ok) return { status: 'refused', code: pre.code, message: pre.message };

  const read = await deps.records(deps.api, where, environment);
  if (!read.ok)
    deps.warn(
      { repository, environment, code: read.code },
      `state record not trusted for /${ask.verb}: ${read.message}`,
    );
  const keys = stateKeysFor(deps.keys, repository, environment);
  const rollout = read.ok ? read.record?.rollout : undefined;
  let existing: ControlRequest[] = [];
  let partial = false;
  let recordedIn: ReadonlyMap<string, number> | undefined;
  let unreadable = false;
  if (rollout?.sha) {
    const place = { repository, environment, deploymentId: rollout.deploymentId };
    const poll = await deps.readRequests(where, place, rollout.sha.toLowerCase(), keys);
    // Unreadable earlier requests: the runner still counts them. A Promote press or an approval's /promote
    // is refused (planControl: requests_unreadable); anything else only makes the count low.
    if (poll.error)
      deps.warn({ repository, environment, error: poll.error }, 'control requests could not be read');
    existing = poll.requests;
    recordedIn = poll.recordedIn;
    unreadable = poll.error !== undefined;
    // Part of the list: its /abort and /pause only, as the runner reads it (planControl refuses the rest).
    partial = poll.partial === true;
  }
  // A stop verb from a pull request that moved on: is the rollout's commit one of its commits?
  const sha = rollout?.sha?.toLowerCase();
  const movedOn = STOP_VERBS.has(ask.verb)
    ? ask.bindings.find((b) => b.pr !== undefined && sha && b.sha.toLowerCase() !== sha)
    : undefined;
  const rolloutInPr =
    movedOn?.pr !== undefined && sha ? await pullHasCommit(deps.api, where, movedOn.pr, sha) : undefined;
  // Besides a pull request's author, the people who asked for the rollout's deployment (rolloutRequesters)
  // and, from a pull request, whoever wrote its commits do not approve it with a /promote: the rule of
  // /approve-deploy (allow_self_approval). A push deployment has only the former. Stopping it (/abort) is
  // theirs as well, as a veto is.
  let approverNow = approver;
  if (ask.verb === 'promote' && rollout && approver.ok) {
    let read;
    try {
      read = await Promise.all([
        rolloutRequesters(deps.api, where, rollout, ask.pr?.number),
        ask.pr ? pullContributors(deps.api, where, ask.pr) : [],
      ]);
    } catch (error) {
      // Who pushed cannot be read (pushers_unreadable): whether this /promote approves its own is not known.
      if (!(error instanceof FactsError) || error.code !== 'pushers_unreadable') throw error;
      return {
        status: 'refused',
        code: 'pushers_unreadable',
        message: userText(error.message, { max: 1000 }),
      };
    }
    const [requesters, contributors] = read;
    const own = requesters.find((login) => sameLogin(login, ask.login));
    if (own !== undefined || contributors.some((login) => sameLogin(login, ask.login)))
      approverNow = mayApprove({
        config,
        environment,
        actor,
        type: 'standard',
        scope: 'rollout',
        ...(ask.pr ? { author: ask.pr.author } : {}),
        ...(own !== undefined ? { requester: own } : {}),
        contributors,
        kind: 'approve',
      });
  }
  const planWith = (requests: readonly ControlRequest[]) =>
    planControl({
      ...base,
      approver: approverNow,
      read,
      existing: requests,
      ...(recordedIn ? { recordedIn } : {}),
      ...(unreadable ? { unreadable } : {}),
      ...(partial ? { partial } : {}),
      ...(rolloutInPr !== undefined ? { rolloutInPr } : {}),
    });
  let plan = planWith(existing);
  if (!plan.ok) return { status: 'refused', code: plan.code, message: plan.message };

  // A new /promote of an `approval: N` wait: the earlier promoters counted there are judged again, and each
  // who no longer qualifies (or whose facts cannot be read) is counted out by a signed revocation, written
  // before this request so no reader ever counts them with it.
  let revocations: ControlRequest[] = [];
  if (ask.verb === 'promote' && !plan.duplicate && plan.rollout.wait?.kind === 'approval') {
    const revoked = await recheckApprovers(deps.api, where, plan.rollout, existing, recordedIn, {
      config,
      environment,
      ...(ask.pr ? { author: ask.pr.author } : {}),
      requester: { login: ask.login, approver: approverNow },
      teams: policy ? teamsIn(policy.deployers, policy.approvers) : [],
    });
    if (revoked.length > 0) {
      revocations = revocationsFor(plan.rollout, existing, revoked, plan.request, deps.now());
      const replanned = planWith([...existing, ...revocations]);
      if (!replanned.ok) return { status: 'refused', code: replanned.code, message: replanned.message };
      plan = { ...replanned, revoked };
    }
  }

  const place = { repository, environment, deploymentId: plan.rollout.deploymentId };
  // The key the rollout's record verified under: its writer's, the deploy job's (and reconcile's), which
  // verify requests under that one key. During a rotation of the marker key it may be the previous one: a
  // request signed under the new key would be refused there (control_forged), an /abort never acted on.
  const key = keys[(read.ok ? read.keyIndex : undefined) ?? 0] ?? keys[0]!;
  for (const revocation of revocations)
    await deps.write(deps.api, where, {
      sha: plan.rollout.sha,
      place,
      request: revocation,
      key,
      display: revocationDisplay(revocation, plan, environment),
      ...(Number.isFinite(Date.parse(plan.rollout.startedAt))
        ? { rolloutStart: Date.parse(plan.rollout.startedAt) }
        : {}),
    });
  let checkRunId: number | undefined;
  if (!plan.duplicate) {
    ({ checkRunId } = await deps.write(deps.api, where, {
      sha: plan.rollout.sha,
      place,
      request: plan.request,
      key,
      display: requestDisplay(plan, environment),
      // Named in its external id: its buttons act on this rollout only (pressOfOtherRollout).
      ...(Number.isFinite(Date.parse(plan.rollout.startedAt))
        ? { rolloutStart: Date.parse(plan.rollout.startedAt) }
        : {}),
    }));
  }
  // Two approvals handled at the same moment (two replicas, or two deliveries at once) each read the requests
  // before the other's was written: each counted one short, and neither started the run the wait's end needs.
  // Read again once this one is written: whichever is written last sees both, and starts that run.
  const wait = plan.rollout.wait;
  if (
    !plan.duplicate &&
    !plan.startReconcile &&
    plan.request.verb === 'promote' &&
    plan.request.approver === true &&
    wait?.kind === 'approval' &&
    wait.handedOff
  ) {
    const again = await deps.readRequests(where, place, plan.rollout.sha, keys);
    if (!again.error && !again.partial) {
      const decision = decideRollout(plan.rollout, again.requests, deps.now().getTime(), again.recordedIn);
      if (decision.action === 'go' && decision.how === 'approved')
        plan = { ...plan, decision, startReconcile: true };
    }
  }
  let reconcile: ReconcileStart | undefined;
  if (plan.startReconcile)
    reconcile = await startReconcile(deps.api, where, {
      // Claimed by the request that ended the wait: two replicas that each see it ended start one run.
      claimRef: controlRefName(
        plan.rollout.deploymentId,
        (waitEndedBy(plan.rollout, plan.decision) ?? plan.request).id,
      ),
      sha: plan.rollout.sha,
      environment,
      workflow: config.reconcile?.workflow ?? DEFAULT_RECONCILE_WORKFLOW,
      branch: ask.defaultBranch,
    });
  return {
    status: plan.duplicate ? 'already_recorded' : 'recorded',
    plan,
    ...(checkRunId !== undefined ? { checkRunId } : {}),
    ...(reconcile ? { reconcile } : {}),
    message: recordedText(plan, environment, reconcile),
    ...(plan.repeatedBy !== undefined ? { repeated: true } : {}),
  };
}
