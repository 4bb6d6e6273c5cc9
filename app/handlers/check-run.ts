// check_run.requested_action (identifier `approve`): the Approve button on a waiting `approval / <env>`
// gate. Same rules as /approve-deploy: the clicking user must be allowed to approve (mayApprove: approvers,
// permission, no self-approval) and the approval is bound to the pull request's head SHA, which must still
// be the commit the gate is for. The approval is recorded in the App's approvals ledger of the commit and as a
// marker in an app comment on the PR, then the waiting protection rules are answered if it completes them.
import type { Probot } from 'probot';
import {
  explainApprover,
  mayApprove,
  sameLogin,
  serializeApprovalMarker,
  tallyOrder,
} from '../../src/policy/index.ts';
import type { ApprovalRecord } from '../../src/policy/index.ts';
import { appendMarkers } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { userText } from '../../src/github/user-text.ts';
import { fitCheckText, fitComment } from '../../src/github/write-limits.ts';
import type { Octokit } from '../facts/github.ts';
import { FactsError, loadConfig } from '../facts/config.ts';
import {
  cachedActorOf,
  cachedContributors,
  changedTeams,
  peopleCache,
  readPull,
  withAccountType,
} from '../facts/pull-request.ts';
import { markerScope, markerTrust, ownAppId, ownBotLogin, readAppComments } from '../facts/own-comments.ts';
import { eventExternalId, readLedger, recordInLedger, withLedger } from '../facts/approval-ledger.ts';
import { answerOnce, answeringRefName, swapOption } from '../facts/answer-once.ts';
import {
  pressBody,
  pressId,
  recordedPress,
  repeatedBody,
  serializeAnsweredPress,
} from '../deploy/press-answer.ts';
import { commandFailure, failureReason, logFailure, quietMentions } from './comment.ts';
import type { CommandFailure, FailureReport, FailureTold } from './comment.ts';
import { deploymentPullRequest } from './deployment-status.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';
import {
  answerPendingProtectionRules,
  GATE_PREFIX,
  gateName,
  parseGateRef,
  gateRequesters,
  runStarters,
} from './protection-rule.ts';
import type { PendingAnswer } from './protection-rule.ts';
import {
  CONTROL_CHECK_PREFIX,
  controlCheckName,
  rolloutOfExternalId,
} from '../../src/control/github-channel.ts';
import type { RequestFn } from '../../src/control/github-channel.ts';
import { ENVIRONMENT_NAME } from '../../src/config/schema.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { answerDuplicate, controlRollout } from '../deploy/control.ts';
import type { ControlChannel, ControlIO } from '../deploy/control.ts';
import { httpStatus } from '../facts/github.ts';
import type { PullFacts } from '../facts/pull-request.ts';
import type { RecordReader } from '../state.ts';

interface RequestedActionPayload {
  requested_action?: { identifier: string } | null;
  check_run: {
    id: number;
    name: string;
    head_sha: string;
    external_id: string | null;
    app: { id: number } | null;
    completed_at?: string | null;
    started_at?: string | null;
  };
  sender: { login: string; type?: string };
  repository: { name: string; owner: { login: string }; default_branch: string; node_id?: string };
}

export type ApproveButtonOutcome =
  | { status: 'ignored'; reason: string }
  | { status: 'refused'; code: string }
  | { status: 'approved' | 'already_recorded'; answers: PendingAnswer[] };

const isBot = (who: { login: string; type?: string }): boolean =>
  who.type === 'Bot' || who.login.toLowerCase().endsWith('[bot]');

export async function handleApproveButton(
  octokit: Octokit,
  payload: RequestedActionPayload,
  markers: MarkerTrust,
  records: RecordReader,
  now: Date = new Date(),
  /**
   * The delivery's X-GitHub-Delivery GUID: the same for every redelivery of this press, but not covered by the
   * signature, so it only tells presses of one body apart (press-answer.ts); nothing is keyed by it alone.
   */
  deliveryId?: string,
  /** Told of a press that failed, once it was told (or could not be): the caller logs it. */
  report?: (report: FailureReport) => void,
): Promise<ApproveButtonOutcome> {
  if (payload.requested_action?.identifier !== 'approve') return { status: 'ignored', reason: 'not_approve' };
  const { check_run: checkRun, sender } = payload;
  if (!checkRun.name.startsWith(GATE_PREFIX)) return { status: 'ignored', reason: 'not_a_gate' };
  if (isBot(sender)) return { status: 'ignored', reason: 'bot' };
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  // What the signature covers: the press's record is keyed by it, never by the delivery id alone.
  const body = pressBody(payload);
  const answered = deliveryId === undefined ? undefined : pressId('approve', { body, delivery: deliveryId });
  // The gate's pull request, once the gate is known to be the App's: where a failure is told.
  let pr: number | undefined;
  try {
    const appId = await ownAppId(octokit);
    const ref = parseGateRef(checkRun.external_id);
    if (checkRun.app?.id !== appId || !ref || gateName(ref.env) !== checkRun.name)
      return { status: 'ignored', reason: 'not_our_gate' };
    pr = ref.pr;
    const press = () =>
      decideApprovePress(octokit, payload, {
        markers,
        records,
        now,
        signed: body,
        answered,
        appId,
        ref,
        where,
      });
    if (deliveryId === undefined) return await press();
    // Decided, recorded and answered under the body's claim (facts/answer-once.ts): two deliveries of this
    // press handled at once (a redelivery while the first is still at work, two replicas, or the body sent
    // again under another id) would each find no ledger record of it, and each record it and answer (or each
    // refuse it). The one holding the claim answers, the gates too.
    const once = await answerOnce(
      octokit.rest,
      where,
      markers.keys,
      { ref: answeringRefName('press', `approve:${body}`), sha: checkRun.head_sha },
      press,
      { now: () => now, ...swapOption(octokit, where, payload.repository.node_id) },
    );
    return once.claimed ? once.value : { status: 'ignored', reason: 'answered_by_another_delivery' };
  } catch (error) {
    const failure = commandFailure(error);
    const told = await pressFailed(octokit, where, { pr, checkRun: checkRun.id }, markers, {
      press: answered,
      what: `Approve press by ${userText(sender.login, { as: 'code', max: 100 })}`,
      again:
        'press the button again (or redeliver the webhook) to try again: an approval it may have recorded counts once',
      failure,
    });
    report?.({ ...failure, told });
    throw error;
  }
}

/** An Approve press on the App's own gate `ref`: the rules, the ledger record, the reply, the gates answered. */
async function decideApprovePress(
  octokit: Octokit,
  payload: RequestedActionPayload,
  on: {
    markers: MarkerTrust;
    records: RecordReader;
    now: Date;
    /** The press's signed body (pressBody): what its ledger record is keyed by. */
    signed: string;
    /** The press as its answer names it (pressId), when its delivery id is known. */
    answered: string | undefined;
    appId: number;
    ref: NonNullable<ReturnType<typeof parseGateRef>>;
    where: { owner: string; repo: string };
  },
): Promise<ApproveButtonOutcome> {
  const { markers, records, now, signed, answered, appId, ref, where } = on;
  const { check_run: checkRun, sender } = payload;
  // It names people (the approvers, who vetoed) to show who, and calls on the presser alone (quietMentions).
  const reply = (body: string) =>
    octokit.rest.issues.createComment({
      ...where,
      issue_number: ref.pr,
      body: fitComment(quietMentions(body, sender.login)),
    });
  // A refusal says which press it answers (press-answer.ts), and one already on the pull request (a redelivery
  // after it went out) is not said again. An approval needs no such mark: the ledger has the press's body, and
  // a delivery of it again only answers the gates, in case the first delivery stopped before that.
  const press = answered;
  if (press !== undefined && (await pressAnswered(octokit, where, ref.pr, markers, press)))
    return { status: 'ignored', reason: 'already_answered' };
  const refuse = (body: string) =>
    reply(
      press === undefined
        ? body
        : appendMarkers(body, [serializeAnsweredPress(press, markers.keys, markerScope(where, ref.pr))]),
    );
  const who = userText(sender.login, { as: 'mention' });
  const short = (sha: string) => userText(sha.slice(0, 7), { as: 'code' });
  const env = userText(ref.env, { as: 'code' });

  let config;
  try {
    config = await loadConfig(octokit.rest, where, payload.repository.default_branch);
  } catch (error) {
    if (!(error instanceof FactsError)) throw error;
    await refuse(
      `**Approval not recorded** (\`policy_unreadable\`): ${userText(error.message, { max: 1000 })}`,
    );
    return { status: 'refused', code: 'policy_unreadable' };
  }
  const pull = await readPull(octokit.rest, where, ref.pr);
  // SHA binding: the button belongs to the gate's commit; after a push it would approve code nobody saw.
  if (pull.headSha !== checkRun.head_sha.toLowerCase()) {
    await refuse(
      `**Approval by ${who} not recorded** (\`sha_moved\`): the Approve button was for commit ${short(checkRun.head_sha)}, the pull request is now at ${short(pull.headSha)}.`,
    );
    return { status: 'refused', code: 'sha_moved' };
  }
  // The approvers' teams only: the same lookup the gate's decision makes for this approver (read once), of
  // every environment the deployment changes (its staging environment's rule admits approvers too).
  const teams = Object.hasOwn(config.environments, ref.env)
    ? changedTeams(config, ref.env, ref.type, ['approvers'])
    : [];
  const people = peopleCache();
  let facts;
  try {
    facts = await Promise.all([
      cachedActorOf(octokit.rest, where, sender.login, teams, people),
      runStarters(octokit, where, ref.run, people),
      cachedContributors(octokit.rest, where, pull, people),
    ]);
  } catch (error) {
    // Who pushed cannot be read (pushers_unreadable): whether this is a self-approval cannot be told.
    if (!(error instanceof FactsError)) throw error;
    await refuse(
      `**Approval by ${who} not recorded** (\`${error.code}\`): ${userText(error.message, { max: 1000 })}`,
    );
    return { status: 'refused', code: error.code };
  }
  const [read, started, contributors] = facts;
  const actor = withAccountType(read, sender.type);
  const decision = mayApprove({
    config,
    environment: ref.env,
    actor,
    type: ref.type,
    author: pull.author,
    // Who started the held run (who pushed, or re-ran it), and who asked the App for its deployment: their
    // approval would be a self-approval, as the author's.
    requester: gateRequesters(started, ref.own ? ref.by : undefined),
    // Whoever wrote the pull request's commits: their approval would be a self-approval too.
    contributors,
    kind: 'approve',
  });
  if (!decision.ok) {
    await refuse(
      `**Approval by ${who} not recorded** (\`${decision.code}\`): ${explainApprover(decision).replace(/^[a-z_]+: /, '')}.`,
    );
    return { status: 'refused', code: decision.code };
  }
  const record: ApprovalRecord = {
    kind: 'approve',
    by: actor,
    environment: ref.env,
    sha: pull.headSha,
    at: now,
    source: 'check_run',
  };
  // First in the ledger, which nobody can delete (facts/approval-ledger.ts); an approval that cannot be written
  // there is not recorded at all.
  let repeated = false;
  // A press of a body recorded before, not GitHub's redelivery of the delivery that recorded it, and not told
  // yet: told once that it renewed nothing, so a presser renewing an expired approval is not met with silence.
  let tellRepeated = false;
  try {
    // The App's comments too: a veto recorded before the ledger existed is in a comment only.
    const [before, comments] = await Promise.all([
      readLedger(octokit.rest, where, pull.headSha, ref.pr, appId, markers),
      ownBotLogin(octokit).then((bot) => readAppComments(octokit.rest, where, ref.pr, bot, markers)),
    ]);
    // This press's body recorded already (a delivery GitHub counted as failed, e.g. answered after its 10 s,
    // and redelivered; or the signed body sent again under another delivery id, which the signature does not
    // cover): it is not dated anew, which would renew an approval past expires_after or put it after what was
    // recorded since. The gates are still answered, in case the first delivery stopped before that.
    repeated = before.externalIds.has(eventExternalId(ref.pr, signed));
    tellRepeated =
      repeated &&
      press !== undefined &&
      !comments.answeredPresses.has(recordedPress(press)) &&
      !comments.answeredPresses.has(repeatedBody(signed));
    // GitHub says no time of a click: a press handled after its presser's veto (a delivery redelivered once
    // it failed, or replayed) may have been made before it. It never lifts that veto; a comment, which GitHub
    // dates, does.
    const known = withLedger(
      comments.approvals.filter((r) => r.sha.toLowerCase() === pull.headSha.toLowerCase()),
      before.records,
    );
    if (!repeated && vetoStands(known, sender.login, ref.env)) {
      await refuse(
        `**Approval by ${who} not recorded** (\`own_veto_stands\`): ${who} vetoed deploying ${short(pull.headSha)} to ${env}, and a press of the Approve button never lifts a veto (GitHub does not say when it was pressed). To lift it, comment ${userText(`/approve-deploy ${ref.env}`, { as: 'command' })}.`,
      );
      return { status: 'refused', code: 'own_veto_stands' };
    }
    if (!repeated)
      await recordInLedger(octokit.rest, where, {
        record,
        pr: ref.pr,
        appId,
        keys: markers.keys,
        before,
        eventId: signed,
      });
  } catch (error) {
    if (!(error instanceof FactsError)) throw error;
    await refuse(
      `**Approval by ${who} not recorded** (\`${error.code}\`): ${userText(error.message, { max: 1000 })}`,
    );
    return { status: 'refused', code: error.code };
  }
  if (!repeated) {
    const marker = serializeApprovalMarker(record, markers.keys, markerScope(where, ref.pr));
    // Which delivery recorded it: GitHub's redelivery of that one is not told it renewed nothing.
    const recorded =
      press === undefined
        ? []
        : [serializeAnsweredPress(recordedPress(press), markers.keys, markerScope(where, ref.pr))];
    await reply(
      appendMarkers(`✅ ${who} approved deploying ${short(pull.headSha)} to ${env} (Approve button).`, [
        marker,
        ...recorded,
      ]),
    );
  } else if (tellRepeated) {
    await reply(
      appendMarkers(
        `**Approval by ${who} not renewed** (\`press_already_recorded\`): this press of the Approve button is, byte for byte, one the App recorded before (GitHub gives a press no time of its own, so it cannot be told apart from that one sent again), so it records nothing new: the approval it made keeps its first date (\`expires_after\` counts from then), and a veto since stands. To approve ${short(pull.headSha)} for ${env} anew, comment ${userText(`/approve-deploy ${ref.env}`, { as: 'command' })}.`,
        [serializeAnsweredPress(repeatedBody(signed), markers.keys, markerScope(where, ref.pr))],
      ),
    );
  }
  const answers = await answerPendingProtectionRules(octokit, {
    where,
    defaultBranch: payload.repository.default_branch,
    sha: pull.headSha,
    environment: ref.env,
    now,
    markers,
    records,
    people,
  });
  return { status: repeated ? 'already_recorded' : 'approved', answers };
}

/** Whether `login`'s newest approval or veto of `environment` among `records` (one commit's) is a veto. */
function vetoStands(records: readonly ApprovalRecord[], login: string, environment: string): boolean {
  const own = records
    .filter((r) => r.environment === environment && sameLogin(r.by.login, login))
    .sort(tallyOrder);
  return own.at(-1)?.kind === 'reject';
}

/**
 * Whether the App's comments on pull request `pr` already say `press` (pressId) was answered. Past the comments
 * the App reads (too_many_comments) it cannot tell: the press is answered (maybe twice) rather than left unsaid.
 */
async function pressAnswered(
  octokit: Octokit,
  where: { owner: string; repo: string },
  pr: number,
  markers: MarkerTrust,
  press: string,
): Promise<boolean> {
  try {
    const comments = await readAppComments(octokit.rest, where, pr, await ownBotLogin(octokit), markers);
    return comments.answeredPresses.has(press);
  } catch (error) {
    if (error instanceof FactsError) return false;
    throw error;
  }
}

/**
 * Tells the presser that a press could not be finished (it threw: GitHub failed it, or anything else), by a
 * stable code and GitHub's status alone (commandFailure: an error's text may quote a body or a credential).
 * On its pull request `on.pr` when known, once per press however often its deliveries fail: the reply carries
 * the press's marker marked `failed`, which is no answer (a delivery that gets through still answers the
 * press). Past what the App can read of its comments (GitHub failing those reads too), it cannot tell whether
 * it said so already: it says so (maybe twice) rather than leave the presser with nothing. With no pull
 * request to tell (not known yet, or none), or one GitHub does not take the reply on, the check run pressed
 * carries it (noteOnCheckRun), one attempt. Never throws: the press's error fails the delivery.
 */
async function pressFailed(
  octokit: Octokit,
  where: { owner: string; repo: string },
  on: { pr: number | undefined; checkRun: number },
  markers: MarkerTrust,
  told: { press: string | undefined; what: string; again: string; failure: CommandFailure },
): Promise<FailureTold> {
  const { failure } = told;
  const text = `**${told.what} not finished** (\`${failure.code}\`): ${failureReason(failure)}; ${told.again}.`;
  const pr = on.pr;
  if (pr !== undefined) {
    try {
      if (told.press !== undefined) {
        const bot = await ownBotLogin(octokit).catch(() => undefined);
        const comments =
          bot === undefined
            ? undefined
            : await readAppComments(octokit.rest, where, pr, bot, markers).catch(() => undefined);
        if (comments?.failedPresses.has(told.press) || comments?.answeredPresses.has(told.press))
          return 'already';
      }
      const body =
        told.press === undefined
          ? text
          : appendMarkers(text, [
              serializeAnsweredPress(told.press, markers.keys, markerScope(where, pr), true),
            ]);
      await octokit.rest.issues.createComment({ ...where, issue_number: pr, body });
      return 'comment';
    } catch {
      // GitHub did not take it: the check run pressed is where the presser looks next.
    }
  }
  return noteOnCheckRun(octokit, where, on.checkRun, text);
}

/** Ends the note a failed press leaves at the top of its check run's summary (withPressNote). */
const PRESS_NOTE_END = '<!-- deploy-action:press-note -->';

/**
 * Pure: a check run's `summary` with `note` at its top, in place of the note an earlier press left (one note at
 * most, however often presses fail), cut to what GitHub takes.
 */
export function withPressNote(summary: string | null | undefined, note: string): string {
  const at = summary?.indexOf(PRESS_NOTE_END) ?? -1;
  const rest = (at < 0 ? (summary ?? '') : summary!.slice(at + PRESS_NOTE_END.length)).replace(/^\n+/, '');
  return fitCheckText(`${note}\n${PRESS_NOTE_END}${rest ? `\n\n${rest}` : ''}`);
}

/**
 * The check run pressed (`checkRun`) says `note` at the top of its summary, its title and text kept: a press
 * reaches only the app that made its check run, and GitHub lets no other app change it. Read first, so nothing
 * written since the press is undone, and a note it says already is not written again (`already`). The App's
 * next update of the check run replaces it. Throws what GitHub fails.
 */
async function writePressNote(
  octokit: Octokit,
  where: { owner: string; repo: string },
  checkRun: number,
  note: string,
): Promise<'check_run' | 'already'> {
  const { data: run } = await octokit.rest.checks.get({ ...where, check_run_id: checkRun });
  const summary = withPressNote(run.output.summary, note);
  if (summary === run.output.summary) return 'already';
  await octokit.rest.checks.update({
    ...where,
    check_run_id: checkRun,
    output: {
      title: run.output.title ?? run.name,
      summary,
      ...(run.output.text ? { text: run.output.text } : {}),
    },
  });
  return 'check_run';
}

/** writePressNote, one attempt: `nobody` when GitHub fails it. */
const noteOnCheckRun = (
  octokit: Octokit,
  where: { owner: string; repo: string },
  checkRun: number,
  note: string,
): Promise<FailureTold> => writePressNote(octokit, where, checkRun, note).catch(() => 'nobody' as const);

const CONTROL_ACTIONS = ['promote', 'resume', 'abort'] as const;
type ControlAction = (typeof CONTROL_ACTIONS)[number];

/**
 * The deployment a `rollout / <env>` check run is about, the step its wait was at and the rollout (its start)
 * it was written for: `wait:<deployment>:<step>:rollout-<ms>` (`…:failed:<ms>` for a failed batch's hold), or
 * `control:<deployment>:<step>:rollout-<ms>:…`; before the rollout was named `wait:<deployment>:<step>` and
 * `control:<deployment>:<step>:…` (no rollout), and before the step was kept `control:<deployment>:…` (no step).
 */
export function parseControlRef(
  externalId: string | null,
): { deploymentId: string; step?: number; rolloutStart?: number } | undefined {
  const m = /^(?:wait|control):([0-9]{1,20}):(?:(-?[0-9]{1,5})(?::|$))?/.exec(externalId ?? '');
  if (!m) return undefined;
  const rolloutStart = rolloutOfExternalId(externalId);
  return {
    deploymentId: m[1]!,
    ...(m[2] !== undefined ? { step: Number(m[2]) } : {}),
    ...(rolloutStart !== undefined ? { rolloutStart } : {}),
  };
}

export type ControlButtonOutcome =
  | { status: 'ignored'; reason: string }
  | { status: 'refused'; code: string }
  | { status: 'recorded' | 'already_recorded'; checkRunId?: number; reconcile?: string };

export interface ControlButtonDeps {
  records: RecordReader;
  control: ControlIO;
  trust: MarkerTrust;
  now: () => Date;
  /**
   * The delivery's X-GitHub-Delivery GUID: the same for every redelivery of this press, but not covered by the
   * signature, so it only tells presses of one body apart (press-answer.ts); nothing is keyed by it alone.
   */
  deliveryId?: string;
  /** Told of a press that failed, once it was told (or could not be): the caller logs it. */
  report?: (report: FailureReport) => void;
}

/**
 * check_run.requested_action `promote`, `resume` or `abort` on a `rollout / <env>` check run this App created
 * (a requested action reaches only the app that created the check run; the app id is checked anyway). The
 * same policy, record and commit checks as /promote, /resume and /abort; the request is bound to the check
 * run's commit and, when the deployment came from a pull request, to that PR's head.
 */
export async function handleControlButton(
  octokit: Octokit,
  payload: RequestedActionPayload,
  deps: ControlButtonDeps,
): Promise<ControlButtonOutcome> {
  const identifier = payload.requested_action?.identifier;
  const action = CONTROL_ACTIONS.find((a) => a === identifier);
  if (!action) return { status: 'ignored', reason: 'not_a_control_action' };
  const { check_run: checkRun, sender } = payload;
  if (!checkRun.name.startsWith(CONTROL_CHECK_PREFIX))
    return { status: 'ignored', reason: 'not_a_control_check' };
  if (isBot(sender)) return { status: 'ignored', reason: 'bot' };
  const environment = checkRun.name.slice(CONTROL_CHECK_PREFIX.length);
  const ref = parseControlRef(checkRun.external_id);
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  // What the signature covers: the request is keyed by the body's check run, presser, step and button, the
  // answer by the body and the delivery id (press-answer.ts), never by the delivery id alone.
  const body = pressBody(payload);
  const answered =
    deps.deliveryId === undefined ? undefined : pressId('control', { body, delivery: deps.deliveryId });
  // The pull request the press is answered on, once decideControlPress knows it: where a failure is told.
  const answering: { pr?: number } = {};
  try {
    const appId = await ownAppId(octokit);
    if (
      checkRun.app?.id !== appId ||
      !ref ||
      !ENVIRONMENT_NAME.test(environment) ||
      controlCheckName(environment) !== checkRun.name
    )
      return { status: 'ignored', reason: 'not_our_check' };
    const press = () =>
      decideControlPress(
        octokit,
        payload,
        deps,
        { verb: action, environment, ref, where, answered },
        answering,
      );
    if (deps.deliveryId === undefined) return await press();
    // Decided, recorded and answered under the body's claim (facts/answer-once.ts): two deliveries of this
    // press handled at once (a redelivery while the first is still at work, two replicas, or the body sent
    // again under another id) would each find no request of it, and each write one and answer (or each refuse
    // it). The other one answers.
    const once = await answerOnce(
      octokit.rest,
      where,
      deps.trust.keys,
      { ref: answeringRefName('press', `control:${body}`), sha: checkRun.head_sha },
      press,
      { now: deps.now, ...swapOption(octokit, where, payload.repository.node_id) },
    );
    return once.claimed ? once.value : { status: 'ignored', reason: 'answered_by_another_delivery' };
  } catch (error) {
    // On the pull request once it is known; before (the App's id, the claim, the deployment or its pull
    // request could not be read), or with none, on the check run pressed.
    const failure = commandFailure(error);
    const told = await pressFailed(octokit, where, { pr: answering.pr, checkRun: checkRun.id }, deps.trust, {
      press: answered,
      what: `${VERB_BUTTON[action]} press by ${userText(sender.login, { as: 'code', max: 100 })}`,
      again: `press it again or comment ${userText(`/${action} ${environment}`, { as: 'command' })} to try again: a request it may have recorded is not recorded twice`,
      failure,
    });
    deps.report?.({ ...failure, told });
    throw error;
  }
}

/** What a Promote, Resume or Abort press is about: the button, its environment and rollout, the repository. */
interface ControlPressOn {
  verb: ControlAction;
  environment: string;
  ref: NonNullable<ReturnType<typeof parseControlRef>>;
  where: { owner: string; repo: string };
}

/** A Promote, Resume or Abort press on the App's own `rollout / <env>` check run: decided, recorded, answered. */
async function decideControlPress(
  octokit: Octokit,
  payload: RequestedActionPayload,
  deps: ControlButtonDeps,
  on: ControlPressOn & {
    /** The press as its answer names it (pressId), when its delivery id is known. */
    answered: string | undefined;
  },
  /** Set to the pull request answered on, once known (none: nowhere to answer). */
  answering: { pr?: number },
): Promise<ControlButtonOutcome> {
  const { ref, where } = on;
  // The pull request the deployment came from (its payload says), if any: refusals are answered there.
  let deployment: { payload: unknown; sha: string; creator: { login: string } | null } | undefined;
  try {
    ({ data: deployment } = await octokit.rest.repos.getDeployment({
      ...where,
      deployment_id: Number(ref.deploymentId),
    }));
  } catch (error) {
    // A deleted deployment: no pull request to bind to or answer on; the record decides the rest.
    if (httpStatus(error) !== 404) throw error;
  }
  let named: number | undefined;
  try {
    named = deployment ? parseDeploymentPayload(deployment.payload).pr : undefined;
  } catch {
    named = undefined; // a payload that is not ours names no pull request
  }
  // Believed in the App's own deployment, or when the deployment's commit is that pull request's.
  const prNumber = deployment
    ? await deploymentPullRequest(octokit, where, deployment, named, () => ownBotLogin(octokit))
    : undefined;
  answering.pr = prNumber;
  // Every answer says which press it answers (press-answer.ts), and one already on the pull request (a
  // redelivery after it went out) is not given again: nothing follows the answer, so nothing is left to do.
  const press = on.answered;
  if (
    prNumber !== undefined &&
    press !== undefined &&
    (await pressAnswered(octokit, where, prNumber, deps.trust, press))
  )
    return { status: 'ignored', reason: 'already_answered' };
  const answer = async (body: string): Promise<void> => {
    // No pull request (a deployment from a push, or one deleted): the check run pressed carries the answer.
    if (prNumber === undefined)
      return void (await writePressNote(
        octokit,
        where,
        payload.check_run.id,
        quietMentions(body, payload.sender.login),
      ));
    const marked =
      press === undefined
        ? body
        : appendMarkers(body, [serializeAnsweredPress(press, deps.trust.keys, markerScope(where, prNumber))]);
    // It names people (the deployers, whoever recorded a request since) to show who, and calls on the presser
    // alone (quietMentions), as a reply to the command does.
    await octokit.rest.issues.createComment({
      ...where,
      issue_number: prNumber,
      body: fitComment(quietMentions(marked, payload.sender.login)),
    });
  };
  return decideControlOnPull(octokit, payload, deps, on, { prNumber, answer });
}

/** decideControlPress once the pull request to answer on is known (`prNumber`; none: the check run pressed). */
async function decideControlOnPull(
  octokit: Octokit,
  payload: RequestedActionPayload,
  deps: ControlButtonDeps,
  on: ControlPressOn,
  pull: { prNumber: number | undefined; answer: (body: string) => Promise<void> },
): Promise<ControlButtonOutcome> {
  const { verb, environment, ref, where } = on;
  const action = verb;
  const { check_run: checkRun, sender } = payload;
  const { prNumber, answer } = pull;
  const who = userText(sender.login, { as: 'mention' });
  let config;
  try {
    config = await loadConfig(octokit.rest, where, payload.repository.default_branch);
  } catch (error) {
    if (!(error instanceof FactsError)) throw error;
    await answer(
      `**/${verb} by ${who} not recorded** (\`policy_unreadable\`): ${userText(error.message, { max: 1000 })}`,
    );
    return { status: 'refused', code: 'policy_unreadable' };
  }
  const pr: PullFacts | undefined =
    prNumber !== undefined ? await readPull(octokit.rest, where, prNumber) : undefined;
  const outcome = await controlRollout(
    {
      api: octokit.rest,
      records: deps.records,
      keys: deps.trust.keys,
      now: deps.now,
      ...deps.control,
      warn: deps.trust.warn,
    },
    {
      where,
      defaultBranch: payload.repository.default_branch,
      config,
      environment,
      verb,
      login: sender.login,
      ...(pr ? { pr } : {}),
      bindings: [
        { what: 'the button’s check run', sha: checkRun.head_sha },
        ...(pr ? [{ what: `pull request #${pr.number}`, sha: pr.headSha, pr: pr.number }] : []),
      ],
      id: (step) => `button:${checkRun.id}:${sender.login}:${step}:${action}`,
      source: 'button',
      deploymentId: ref.deploymentId,
      ...(ref.step !== undefined ? { step: ref.step } : {}),
      pressedCheckRun: checkRun.id,
      ...(ref.rolloutStart !== undefined ? { pressedRollout: ref.rolloutStart } : {}),
      ...((checkRun.completed_at ?? checkRun.started_at)
        ? { pressedCheckRunAt: (checkRun.completed_at ?? checkRun.started_at)! }
        : {}),
    },
  );
  if (outcome.status === 'refused') {
    await answer(`**/${verb} by ${who} not recorded** (\`${outcome.code}\`): ${outcome.message}`);
    return { status: 'refused', code: outcome.code };
  }
  // A redelivered click is already on the PR: no second answer. A click whose wait others already ended is,
  // and one a /pause recorded since holds (or that no longer counts: answerDuplicate), which did nothing.
  if (outcome.status === 'recorded' || outcome.repeated || answerDuplicate(outcome.plan))
    await answer(`${outcome.message} (${VERB_BUTTON[verb]} button)`);
  return {
    status: outcome.status,
    ...(outcome.checkRunId !== undefined ? { checkRunId: outcome.checkRunId } : {}),
    ...(outcome.reconcile ? { reconcile: outcome.reconcile.status } : {}),
  };
}

const VERB_BUTTON: Record<ControlAction, string> = { promote: 'Promote', resume: 'Resume', abort: 'Abort' };

/** `now`: the app's clock (deployApp's option), so approval times and windows follow the same clock. */
export function registerCheckRun(
  app: Probot,
  now: () => Date,
  keys: MarkerKeys,
  records: RecordReader,
  channel: ControlChannel,
): void {
  app.on('check_run.requested_action', async (context) => {
    const payload = context.payload as unknown as RequestedActionPayload;
    const trust = markerTrust(keys, context.log);
    const report = (failed: FailureReport) =>
      logFailure(context.log, {
        delivery: context.id,
        check_run: payload.check_run.id,
        action: payload.requested_action?.identifier,
        ...failed,
      });
    const outcome =
      payload.requested_action?.identifier === 'approve'
        ? await handleApproveButton(context.octokit, payload, trust, records, now(), context.id, report)
        : await handleControlButton(context.octokit, payload, {
            records,
            control: {
              // The App's id is asked for when the requests are read: a press is told when that fails too.
              readRequests: async (...read) =>
                channel.readRequests(
                  context.octokit.request as unknown as RequestFn,
                  await ownAppId(context.octokit),
                )(...read),
              write: channel.write,
            },
            trust,
            now,
            deliveryId: context.id,
            report,
          });
    context.log.info(
      { delivery: context.id, check_run: context.payload.check_run.id, ...outcome },
      `check_run.requested_action ${outcome.status}`,
    );
  });
}
