// deployment_status.created (in_progress): when the environment's trusted record shows the rollout of this
// deployment waiting (a manual step, an approval, a bake, a /pause), the App puts its `rollout / <env>` check
// run with the Promote and Abort buttons (Resume and Abort for a hold) on the rollout's commit, once per
// (deployment, step). A requested action reaches only the app that created the check run, so the buttons
// must be the App's own (app/handlers/check-run.ts answers them).
//
// Once: the commit's check runs of that name are listed first and one with this wait's external_id is
// enough. Two deliveries at the same moment (a redelivery while the first is still at work, two replicas, or
// two statuses of one wait) would each list none and each make one: they list and write under the wait's claim
// (facts/answer-once.ts), so the second finds the claim, or once it is gone, the notice.
import type { Probot } from 'probot';
import { controlCheckName, waitExternalId } from '../../src/control/github-channel.ts';
import { failureHoldSince } from '../../src/control/rollout.ts';
import type { ControlDisplay, ControlWriteApi } from '../../src/control/github-channel.ts';
import { checkRunsThroughSuites } from '../../src/github/app-check-runs.ts';
import { userText } from '../../src/github/user-text.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { Rollout } from '../../src/state/record.ts';
import type { Api, Octokit, Where } from '../facts/github.ts';
import { ownAppId } from '../facts/own-comments.ts';
import { answerOnce, answeringRefName, swapOption } from '../facts/answer-once.ts';
import { commandText, position, writtenInRollout } from '../deploy/control.ts';
import type { ControlChannel } from '../deploy/control.ts';
import type { RecordReader } from '../state.ts';

interface StatusPayload {
  deployment_status: { state: string; description?: string | null };
  deployment: { id: number; environment: string };
  repository: { name: string; owner: { login: string }; node_id?: string };
}

export type WaitNoticeOutcome =
  | {
      status: 'ignored';
      reason:
        | 'not_in_progress'
        | 'state_refused'
        | 'no_rollout'
        | 'other_deployment'
        | 'not_waiting'
        /** Another delivery holds the wait's claim: it makes the notice, or finds it made. */
        | 'answered_by_another_delivery';
    }
  | { status: 'exists' | 'created'; checkRunId: number; externalId: string };

const WAITS_FOR: Record<NonNullable<Rollout['wait']>['kind'], string> = {
  manual: 'a /promote',
  approval: 'approvals',
  bake: 'its bake',
  hold: 'a /resume (it was paused)',
};

/**
 * Pure: the notice's title, summary and buttons; every value from the record escaped. `partial`: only part of
 * the control requests can be read (app/deploy/control.ts refuses a /promote or /resume then): Abort only.
 */
export function waitDisplay(
  environment: string,
  rollout: Rollout & { wait: NonNullable<Rollout['wait']> },
  partial = false,
): ControlDisplay {
  const { wait } = rollout;
  const env = userText(environment, { as: 'code', max: 255 });
  const cmd = (verb: string) => commandText(verb, environment);
  const what =
    wait.kind === 'approval'
      ? `${wait.approvals ?? 1} approval(s): each approver replies ${cmd('promote')} or presses Promote`
      : wait.kind === 'bake'
        ? `its bake${wait.until ? ` until ${userText(wait.until, { as: 'code', max: 40 })}` : ''}, or ${cmd('promote')} to end it early`
        : wait.kind === 'hold'
          ? `${cmd('resume')}${wait.by ? ` (paused by ${userText(wait.by, { as: 'code', max: 100 })})` : ''}`
          : `${cmd('promote')} from a deployer`;
  return {
    title: userText(`Waiting at step ${rollout.wait.step + 1}: ${WAITS_FOR[wait.kind]}`, { max: 200 }),
    summary:
      `The rollout of ${env} (**${userText(rollout.version, { max: 200 })}**, deployment ` +
      `${userText(rollout.deploymentId, { as: 'code', max: 100 })}) waits at ${position(rollout)} for ${what}. ` +
      `${cmd('abort')} (or Abort) rolls it back.` +
      (partial
        ? ` Only part of its control requests can be read from GitHub (too many \`rollout\` check runs on its ` +
          'commit): a `/promote` or `/resume` of this deployment is not acted on, an `/abort` or `/pause` is.'
        : ''),
    buttons: partial ? ['abort'] : wait.kind === 'hold' ? ['resume', 'abort'] : ['promote', 'abort'],
  };
}

export async function handleWaitNotice(
  octokit: Octokit,
  payload: StatusPayload,
  deps: {
    records: RecordReader;
    writeNotice: ControlChannel['writeNotice'];
    warn: (fields: Record<string, unknown>, message: string) => void;
    /** The App's marker keys: the claim is the App's own (answer-once.ts). */
    keys: MarkerKeys;
    /** The App's clock: the claim's time (answer-once.ts). */
    now?: () => Date;
  },
): Promise<WaitNoticeOutcome> {
  const { records, warn } = deps;
  // The Action says in_progress (with a description) when it starts waiting; other states cost no read.
  if (payload.deployment_status.state !== 'in_progress')
    return { status: 'ignored', reason: 'not_in_progress' };
  // Nor do its other in-progress statuses: a wait's says "waiting ..." (src/report/github/deployment-status.ts
  // waitStatus and finalStatus); the record read below stays what decides (issue 16: one request per status).
  if (!/^waiting\b/.test(payload.deployment_status.description ?? ''))
    return { status: 'ignored', reason: 'not_waiting' };
  const where: Where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const environment = payload.deployment.environment;
  const read = await records(octokit.rest as Api, where, environment);
  if (!read.ok) {
    warn(
      { repository: `${where.owner}/${where.repo}`, environment, code: read.code },
      `state record not trusted, no wait notice: ${read.message}`,
    );
    return { status: 'ignored', reason: 'state_refused' };
  }
  const rollout = read.record?.rollout;
  if (!rollout?.sha) return { status: 'ignored', reason: 'no_rollout' };
  if (rollout.deploymentId !== String(payload.deployment.id))
    return { status: 'ignored', reason: 'other_deployment' };
  const wait = rollout.wait;
  if (!wait) return { status: 'ignored', reason: 'not_waiting' };
  // A hold on a failed batch gets a notice of its own, written since it began: a Resume on an older one (an
  // earlier wait at this step) is refused, as it may have been pressed before the batch failed. The notice
  // names the rollout (its start): a re-run of the job, the same deployment, gets its own, and a press on an
  // earlier attempt's is refused (app/deploy/control.ts).
  const failedAt = failureHoldSince(rollout);
  const began = Date.parse(rollout.startedAt);
  const externalId = waitExternalId(rollout.deploymentId, wait.step, {
    failedAt,
    ...(Number.isFinite(began) ? { rolloutStart: began } : {}),
  });
  // The form a version before the rollout was named wrote: this wait's notice when written since the rollout
  // began (its presses are taken), an earlier attempt's otherwise (this one needs its own).
  const legacyId = waitExternalId(rollout.deploymentId, wait.step, { failedAt });
  const thisWaits = (r: { external_id: string | null; completed_at?: string | null }): boolean =>
    r.external_id === externalId || (r.external_id === legacyId && writtenInRollout(r.completed_at, began));
  const sha = rollout.sha;
  const name = controlCheckName(environment);
  const appId = await ownAppId(octokit);
  // Through the App's own check suite: the commit's check-run list leaves out all but its 1000 newest suites,
  // and a notice missed there would be made again on every status. Past 1000 of the App's own check runs of
  // the name, part of them (the newest, where a notice made for this wait is): the read failed on every
  // status before, and no notice was made for a new wait.
  const look = () => checkRunsThroughSuites(octokit.rest, where, { sha, name, appId, partial: true });
  // Looked for before claiming: most statuses of a wait find its notice, and cost no claim.
  const seen = (await look()).runs.find(thisWaits);
  if (seen) return { status: 'exists', checkRunId: seen.id, externalId: seen.external_id ?? externalId };
  const once = await answerOnce(
    octokit.rest,
    where,
    deps.keys,
    { ref: answeringRefName('notice', externalId), sha },
    async (): Promise<WaitNoticeOutcome> => {
      // Again under the claim: made by a delivery that held it since.
      const { runs, partial } = await look();
      const found = runs.find(thisWaits);
      if (found)
        return { status: 'exists', checkRunId: found.id, externalId: found.external_id ?? externalId };
      const { checkRunId } = await deps.writeNotice(octokit.rest as unknown as ControlWriteApi, where, {
        sha,
        place: {
          repository: `${where.owner}/${where.repo}`,
          environment,
          deploymentId: rollout.deploymentId,
        },
        step: wait.step,
        ...(Number.isFinite(failedAt) ? { failedAt } : {}),
        ...(Number.isFinite(began) ? { rolloutStart: began } : {}),
        display: waitDisplay(environment, { ...rollout, wait }, partial !== undefined),
      });
      return { status: 'created', checkRunId, externalId };
    },
    { ...(deps.now ? { now: deps.now } : {}), ...swapOption(octokit, where, payload.repository.node_id) },
  );
  return once.claimed ? once.value : { status: 'ignored', reason: 'answered_by_another_delivery' };
}

export function registerWaitNotice(
  app: Probot,
  records: RecordReader,
  channel: ControlChannel,
  keys: MarkerKeys,
  now?: () => Date,
): void {
  app.on('deployment_status.created', async (context) => {
    const outcome = await handleWaitNotice(context.octokit, context.payload as unknown as StatusPayload, {
      records,
      writeNotice: channel.writeNotice,
      warn: (fields, message) => context.log.warn(fields, message),
      keys,
      ...(now ? { now } : {}),
    });
    // Most statuses wait for nothing: that is logged at debug, so an info log keeps one line per status
    // (the status comment's) and does not pay for a second (issue 16: about 10 µs a delivery at info).
    const level = outcome.status === 'ignored' ? 'debug' : 'info';
    context.log[level]({ delivery: context.id, ...outcome }, `wait notice ${outcome.status}`);
  });
}
