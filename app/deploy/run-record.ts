// Which workflow run (and attempt) an App deployment was let through for, or held back, and whether that run's
// end leaves the deployment an orphan. The protection rule writes a status of the App's own on the App deployment
// before it answers an approval (`queued`, naming the run, and its attempt when known, or no run where another run
// let through is named: approvalNaming; a re-run's reopening status too), before it answers a rejection and when a gate starts waiting (`pending`, naming the run: namingDecision),
// and the App reads it back when a workflow run completes (app/deploy/run-ended.ts). Only a status the App's
// bot posted is believed: GitHub names a status's creator, and nobody else posts as the App's bot (anyone with
// `deployments: write`, or any workflow's token, can post a status naming any run). Pure.
import type { StateRead } from '../../src/state/store.ts';
import type { DeploymentState } from '../../src/github/status-comment.ts';
import { FINAL_STATES, statusByRunner } from '../facts/deployments.ts';

/** One attempt of a workflow run (a re-run keeps the run's id and counts the attempt up). */
export interface RunAttempt {
  id: number;
  attempt: number;
}

/**
 * A run as the protection rule names it: with its attempt only when the rule read the run anyway (the run of
 * the App's own deployment is read only when approvals or a /lock turn on who started it). A completion is
 * judged by the run as GitHub shows it then (orphanDecision), so an attempt left out costs no safety.
 */
export interface NamedRun {
  id: number;
  attempt?: number;
}

const runName = (run: NamedRun): string =>
  `workflow run ${run.id}${run.attempt !== undefined ? ` (attempt ${run.attempt})` : ''}`;

/** The status the App writes on its deployment before it approves a first run of it. */
export const approvedRunDescription = (run: NamedRun): string =>
  `${runName(run)} approved: deploying`.slice(0, 140);

/**
 * The status the App writes on its deployment when a first run of it starts waiting at its gate for approvals:
 * a run cancelled while it waits is then named, and its completion ends the deployment (app/deploy/run-ended.ts).
 */
export const waitingRunDescription = (run: NamedRun): string =>
  `${runName(run)} waiting for approvals`.slice(0, 140);

/**
 * The status the App writes on its deployment before it rejects a first run of it, with the rejection's reason
 * code (a stable code only: anything else is left out): the run's completion ends the deployment.
 */
export function rejectedRunDescription(run: NamedRun, code: string | undefined): string {
  const why = code && /^[a-z_]{1,40}$/.test(code) ? ` (${code})` : '';
  return `${runName(run)} not let through${why}: nothing deploys`.slice(0, 140);
}

/** The status that reopens an ended deployment for a re-run (app/deploy/rerun.ts admitRerun). */
export const rerunRunDescription = (run: NamedRun): string =>
  `re-run of ${runName(run)}: deploying again, holding its locks`.slice(0, 140);

/**
 * The final status the App writes when the run it approved ended without the deployment finishing; `reopened`:
 * a re-run of a deployment that had ended, which is ended again in the state it had (RunClaim.before).
 */
export function orphanedRunDescription(
  run: NamedRun,
  conclusion: string | null | undefined,
  reopened = false,
): string {
  const how = conclusion && /^[a-z_]{1,30}$/.test(conclusion) ? ` (${conclusion})` : '';
  return `${runName(run)} ended${how} without the deployment finishing: nothing deployed${reopened ? ', it stands as before' : ''}`.slice(
    0,
    140,
  );
}

/**
 * The status the App writes before it approves a run of a deployment whose newest status already names another
 * run let through (two workflows of one deployment event, both approved): it names no run, so neither run's end
 * ends the deployment while the other may still deploy it; the Action's final status ends it (or `--force`).
 */
export const SEVERAL_RUNS_DESCRIPTION = 'several workflow runs approved: deploying, ended by the Action';

/** Whether the App's own `description` says a run (or several) was let through to deploy. */
const namesDeployingRun = (description: string | null | undefined): boolean =>
  description === SEVERAL_RUNS_DESCRIPTION ||
  / approved: deploying$|: deploying again, holding its locks$/.test(description ?? '');

/** Pure: the run (and its attempt, when named) one of the descriptions above names, if any. */
export function runNamedIn(description: string | null | undefined): NamedRun | undefined {
  const match = /\bworkflow run (\d{1,16})(?: \(attempt (\d{1,6})\))?(?=[: ])/.exec(description ?? '');
  if (!match) return undefined;
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  if (match[2] === undefined) return { id };
  const attempt = Number(match[2]);
  return attempt > 0 ? { id, attempt } : undefined;
}

type Status = {
  state: string;
  description?: string | null;
  creator?: { login: string; type?: string } | null;
};

/** What a completed run is to one App deployment, by the deployment's statuses. */
export type RunClaim =
  | {
      orphan: true;
      named: NamedRun;
      /**
       * The state the deployment had ended in before the App reopened it for this run (a re-run: its runner's
       * newest final status below the naming). Nothing deployed, so it is ended in that state again (a live
       * deployment stays `success`), as closeRerun does; undefined for a first run (`error`).
       */
      before?: DeploymentState;
      /**
       * Other runs named let through next to this one (approvals at the same moment, each naming its run): the
       * deployment is ended only once GitHub shows each of them over (orphanDecision).
       */
      alongside?: number[];
    }
  | {
      orphan: false;
      /**
       * no_runner_status: nothing of the App's or its runner's (the App never let a run of it through);
       * ended: its newest such status is final; runner_went_on: the newest is the workflow token's (the
       * Action started: it ends the deployment, or its record goes to reconcile); others_after: a status of
       * anyone else's came after the App's (the Action reporting with another token may have deployed it);
       * not_named: the App's newest names no run; other_run: it names another run (or this one's naming lies
       * over several runs approved, or over more than ALONGSIDE_READ others let through); later_attempt: a
       * later attempt of this run.
       */
      why:
        | 'no_runner_status'
        | 'ended'
        | 'runner_went_on'
        | 'others_after'
        | 'not_named'
        | 'other_run'
        | 'later_attempt';
    };

/**
 * Pure: whether `run`'s completion leaves the deployment with `statuses` (newest first) without anyone to end
 * it: the newest status of the App's or its runner's (statusByRunner) is the App's own, not final, and names
 * this run; at this attempt or an earlier one, when it names one (a later attempt's completion says the earlier
 * attempts are over too). Any status of the runner's after it means the Action took the deployment over; any
 * status of anyone else's after it, that the Action may have (reporting with a token of its own).
 */
export function runClaim(statuses: readonly Status[], run: RunAttempt, appLogin: string): RunClaim {
  const at = statuses.findIndex((s) => statusByRunner(s.creator, appLogin));
  const newest = statuses[at];
  if (!newest) return { orphan: false, why: 'no_runner_status' };
  if (FINAL_STATES.includes(newest.state as DeploymentState)) return { orphan: false, why: 'ended' };
  if (newest.creator?.login.toLowerCase() !== appLogin.toLowerCase())
    return { orphan: false, why: 'runner_went_on' };
  // Anyone else's status after the App's: the Action may report with a token of its own (`github-token`: a
  // person's, another App's), and "nothing deployed" must not be written over its success. Such a status
  // still ends nothing: the deployment is left, holding its locks, as before runs were named.
  if (at > 0) return { orphan: false, why: 'others_after' };
  // Namings read, then written, race: two approvals handled at the same moment (two workflows of one deployment
  // event) each read the statuses before the other's naming landed and each named its own run, and a waiting
  // or rejected run's naming may land over an approval the same way (one after the other, the App never names
  // a run over another's approval). So the App's namings from the newest down are read together: each run
  // named let through there is judged, this run's end ending the deployment only once the others are over
  // (alongside); over several runs approved (naming none) nobody's end ends it.
  const runner = statuses.filter((s) => statusByRunner(s.creator, appLogin));
  const block: { at: number; named: NamedRun }[] = [];
  let walked = 0;
  for (const s of runner) {
    if (
      s.creator?.login.toLowerCase() !== appLogin.toLowerCase() ||
      FINAL_STATES.includes(s.state as DeploymentState)
    )
      break;
    if (s.description === SEVERAL_RUNS_DESCRIPTION && walked > 0) return { orphan: false, why: 'other_run' };
    const named = runNamedIn(s.description);
    if (!named) break;
    if (namesDeployingRun(s.description)) block.push({ at: walked, named });
    walked++;
  }
  const newestNamed = runNamedIn(newest.description);
  if (!newestNamed) return { orphan: false, why: 'not_named' };
  const mine =
    newestNamed.id === run.id ? { at: 0, named: newestNamed } : block.find((b) => b.named.id === run.id);
  if (!mine) return { orphan: false, why: 'other_run' };
  const { named } = mine;
  if (named.attempt !== undefined && named.attempt > run.attempt)
    return { orphan: false, why: 'later_attempt' };
  const alongside = [...new Set(block.map((b) => b.named.id).filter((id) => id !== run.id))];
  if (alongside.length > ALONGSIDE_READ) return { orphan: false, why: 'other_run' };
  const before = runner.slice(walked).find((s) => FINAL_STATES.includes(s.state as DeploymentState))
    ?.state as DeploymentState | undefined;
  return {
    orphan: true,
    named,
    ...(before !== undefined ? { before } : {}),
    ...(alongside.length > 0 ? { alongside } : {}),
  };
}

/** Other runs named alongside one (two approvals at the same moment) read at most: beyond, it is left. */
const ALONGSIDE_READ = 3;

/** A deployment's statuses read at once (one page), newest first: what the App's naming decisions see. */
export const STATUSES_READ = 100;

/**
 * The newest status of the App's or its runner's (statusByRunner) among `statuses` (newest first, `read` of
 * them asked for); `hidden` when a full page holds none (someone's flood may push them off the page).
 */
function newestByRunner(
  statuses: readonly Status[],
  appLogin: string,
  read: number,
): Status | 'hidden' | undefined {
  const newest = statuses.find((s) => statusByRunner(s.creator, appLogin));
  return newest ?? (statuses.length >= read ? 'hidden' : undefined);
}

/** What the App writes on its deployment before it approves a first run of it. */
export type ApprovalNaming =
  | { write: true; description: string; several: boolean }
  | {
      write: false;
      /**
       * runner_went_on: the newest status of the App's or its runner's is the Action's (a run of the deployment
       * deploys it: named after it, this run's end would end the rollout under way; the Action ends it);
       * already_named: the very status is the newest (a redelivery).
       */
      why: 'runner_went_on' | 'already_named';
    };

/**
 * Pure: the status the App writes before it approves `run` of the deployment with `statuses` (newest first). It
 * names the run (approvedRunDescription), unless another run let through is named there already (one deployment
 * event may start several workflows, each approved): then it names none (SEVERAL_RUNS_DESCRIPTION), since the end
 * of whichever run was named last would end the deployment the other deploys. Nothing when the Action's status is
 * the newest (it took the deployment over). A final newest status (a race with its end) is named over, as before.
 */
export function approvalNaming(
  statuses: readonly Status[],
  run: NamedRun,
  appLogin: string,
  read = STATUSES_READ,
): ApprovalNaming {
  const found = newestByRunner(statuses, appLogin, read);
  // A full page of others' statuses may hide another run's approval: none is named.
  if (found === 'hidden') return { write: true, description: SEVERAL_RUNS_DESCRIPTION, several: true };
  const newest = found;
  const named = (description: string, several = false): ApprovalNaming =>
    newest?.state === 'queued' && newest.description === description
      ? { write: false, why: 'already_named' }
      : { write: true, description, several };
  if (!newest || FINAL_STATES.includes(newest.state as DeploymentState))
    return named(approvedRunDescription(run));
  if (newest.creator?.login.toLowerCase() !== appLogin.toLowerCase())
    return { write: false, why: 'runner_went_on' };
  const other = runNamedIn(newest.description);
  const anotherDeploys =
    newest.description === SEVERAL_RUNS_DESCRIPTION ||
    (other !== undefined && other.id !== run.id && namesDeployingRun(newest.description));
  return anotherDeploys ? named(SEVERAL_RUNS_DESCRIPTION, true) : named(approvedRunDescription(run));
}

/** Whether the App names a run that it does not approve (waiting, or rejected) on its deployment. */
export type NamingDecision =
  | { name: true }
  | {
      name: false;
      /**
       * ended: the newest status of the App's or its runner's is final (a re-run of an ended deployment is
       * rerun.ts's); runner_went_on: the Action's (a run of it deploys); other_run: the App's, naming another run
       * (approved and deploying, or waiting, or rejected: that run's own end decides, never this one's), or
       * several runs approved (SEVERAL_RUNS_DESCRIPTION: the Action ends it);
       * later_attempt: a later attempt of this run; already_named: this very status is the newest (a
       * redelivery); unknown: a full page of statuses holds none of the App's or its runner's (a flood of
       * someone's may hide another run's approval).
       */
      why: 'ended' | 'runner_went_on' | 'other_run' | 'later_attempt' | 'already_named' | 'unknown';
    };

/**
 * Pure: whether the App may name `run`, which it does not approve, on the deployment with `statuses` (newest
 * first) in the status `state`/`description`. Only when no other run is named there: one deployment event may
 * start several workflows, each asking the rule; naming this run over another's approval would let this run's
 * end (a rejected run completes at once) end the deployment the other run deploys. A rejection therefore never
 * ends a deployment by itself: the run's completion does, through runClaim, only while this status is still the
 * newest of the App's or its runner's.
 */
export function namingDecision(
  statuses: readonly Status[],
  run: NamedRun,
  status: { state: string; description: string },
  appLogin: string,
  read = STATUSES_READ,
): NamingDecision {
  const newest = newestByRunner(statuses, appLogin, read);
  if (newest === 'hidden') return { name: false, why: 'unknown' };
  if (!newest) return { name: true };
  if (FINAL_STATES.includes(newest.state as DeploymentState)) return { name: false, why: 'ended' };
  if (newest.creator?.login.toLowerCase() !== appLogin.toLowerCase())
    return { name: false, why: 'runner_went_on' };
  if (newest.description === SEVERAL_RUNS_DESCRIPTION) return { name: false, why: 'other_run' };
  const named = runNamedIn(newest.description);
  if (!named) return { name: true };
  if (named.id !== run.id) return { name: false, why: 'other_run' };
  if (named.attempt !== undefined && run.attempt !== undefined && named.attempt > run.attempt)
    return { name: false, why: 'later_attempt' };
  if (newest.state === status.state && (newest.description ?? '') === status.description)
    return { name: false, why: 'already_named' };
  return { name: true };
}

/** The run as GitHub shows it now: `gone` when it answers 404 (deleted: nothing of it runs). */
export type RunNow = { status: string | null | undefined; attempt: number | undefined } | 'gone';

export type OrphanDecision =
  | { action: 'end' }
  | {
      action: 'none';
      /**
       * rolling_out: a state record names this run, or a run named let through alongside it, as the owner of a
       * rollout (reconcile's, dispatched on that run's completion); record_refused: a record that does not verify, so nothing can be told; run_goes_on:
       * GitHub shows a later attempt of the run, or this one not completed (its own completion decides);
       * another_run_goes_on: a run named let through alongside it is not completed (it may deploy).
       */
      why: 'rolling_out' | 'record_refused' | 'run_goes_on' | 'another_run_goes_on';
    };

/**
 * Pure: whether an orphan (runClaim) is ended, from the state records of its environment and of its staging
 * environment, the run as GitHub shows it now, and the runs named alongside it (RunClaim.alongside) as GitHub
 * shows them now. A rollout owned by any of them is reconcile's: a run alongside that reached the Action and
 * died before its first status is over, yet its rollout holds the environment.
 */
export function orphanDecision(
  records: readonly StateRead[],
  run: RunAttempt,
  now: RunNow,
  alongside: readonly { id: number; now: RunNow }[] = [],
): OrphanDecision {
  const owners = new Set([run.id, ...alongside.map((other) => other.id)].map(String));
  for (const read of records) {
    if (!read.ok) return { action: 'none', why: 'record_refused' };
    const owner = read.record?.rollout?.owner;
    if (owner?.kind === 'workflow' && owners.has(owner.runId)) return { action: 'none', why: 'rolling_out' };
  }
  if (now !== 'gone' && (now.status !== 'completed' || (now.attempt ?? run.attempt) !== run.attempt))
    return { action: 'none', why: 'run_goes_on' };
  // Another run named let through with it (RunClaim.alongside) not over: it may deploy; its own end decides.
  if (alongside.some(({ now: other }) => other !== 'gone' && other.status !== 'completed'))
    return { action: 'none', why: 'another_run_goes_on' };
  return { action: 'end' };
}

/** A deployment as GitHub lists a commit's deployments (newest first). */
export interface CommitDeployment {
  id: number;
  environment?: string | null;
  created_at: string;
  payload?: unknown;
  creator?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
}

/**
 * Pure: the App deployments a run the App's deployment event started may deploy, from the commit's deployments
 * (`listed`, newest first): per environment, the newest App deployment made no later than the run (the event
 * starts the run after the deployment is made, and GitHub keeps a run's creation time across re-runs; an older
 * one of the same environment ended before it could be made, since each holds the environment's lock). A run
 * with no creation time to compare: the newest per environment.
 */
export function runDeploymentCandidates<T extends CommitDeployment>(
  listed: readonly T[],
  runCreatedAt: string | undefined,
  isApps: (d: T) => boolean,
): T[] {
  const run = Date.parse(runCreatedAt ?? '');
  const seen = new Set<string>();
  const candidates: T[] = [];
  for (const d of listed) {
    const environment = d.environment?.toLowerCase();
    if (!environment || seen.has(environment) || !isApps(d)) continue;
    if (Number.isFinite(run) && !(Date.parse(d.created_at) <= run)) continue;
    seen.add(environment);
    candidates.push(d);
  }
  return candidates;
}
