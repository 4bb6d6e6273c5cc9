// deployment_protection_rule.requested: the app as a custom deployment protection rule. It decides with the
// same policy as /deploy (isDeploymentApproved: windows, freezes, prior environment, checks, approvals) and
// answers through the run's callback at once when the answer is final. While approvals are missing it posts
// a reply on the pull request and an `action_required` check run `approval / <env>` with an Approve button;
// that check run's external_id carries the run, so a later approval can answer without any stored state.
// Before it approves a run of the App's deployment, it names the run (and attempt) in a status of its own on
// that deployment, so the run's end can end the deployment when the Action never did (app/deploy/run-ended.ts);
// before it rejects a first run of it, and when its gate starts waiting, too (a `pending` status, only where no
// other run is named: nameUnapprovedRun), so a rejected run's end, or a cancel while it waits, frees its locks.
// Cost of each answer for the App's own deployment: an approval one status read and at most one status; a rejection, and a gate that starts
// waiting, one status read and at most one status; a rejection whose run is over, the reads of endUnansweredRun.
import type { Probot } from 'probot';
import { serializeGateNotice } from '../deploy/gate-notice.ts';
import {
  explainDecision,
  explainRefusal,
  approvalRule,
  changedPolicies,
  configEnvironment,
  isBot,
  isDeploymentApproved,
  resolvePolicy,
  sameLogin,
  stagedThrough,
  stagingPrefix,
} from '../../src/policy/index.ts';
import type { DeploymentType, Policy, PolicyDecision, PullRequestFacts } from '../../src/policy/index.ts';
import { DEPLOYMENT_TYPES, parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { appendMarkers } from '../../src/github/hidden-marker.ts';
import { cutText, fitCheckText, fitComment } from '../../src/github/write-limits.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { userText } from '../../src/github/user-text.ts';
import { httpStatus } from '../facts/github.ts';
import type { Octokit, Where } from '../facts/github.ts';
import { FactsError, loadConfig } from '../facts/config.ts';
import type { ConfigRead } from '../facts/config.ts';
import {
  approverFactsOf,
  cachedContributors,
  peopleCache,
  readPull,
  teamsIn,
} from '../facts/pull-request.ts';
import type { PeopleCache, PullFacts, RunStarters } from '../facts/pull-request.ts';
import { markerScope, markerTrust, ownAppId, ownBotLogin, readAppComments } from '../facts/own-comments.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';
import { checksAt, createdByApp } from '../facts/deployments.ts';
import type { DeploymentMaker } from '../facts/deployments.ts';
import { readLedger, withLedger } from '../facts/approval-ledger.ts';
import { priorEnvironments } from '../facts/prior-environments.ts';
import { releaseTagsAt } from '../facts/release-tags.ts';
import type { RecordReader } from '../state.ts';
import { UNKNOWN_HOLDER, blockingLock, readLocksFor } from '../locks.ts';
import type { LockInfo, Locks } from '../locks.ts';
import { deploymentLockOwner, type KnownReads } from '../deploy/lock.ts';
import { lockOwner, releasedLockUnlock } from '../deploy/replies.ts';
import { checkRunsThroughSuites } from '../../src/github/app-check-runs.ts';
import { answerOnce, answeringRefName, swapOption } from '../facts/answer-once.ts';
import {
  admitRerun,
  closeRerun,
  deploymentGoneSummary,
  readRerunStanding,
  readRunDeployment,
  rerunSupersededSummary,
  runDeploymentUnknownSummary,
} from '../deploy/rerun.ts';
import type { HeldLock, RerunDeployment } from '../deploy/rerun.ts';
import { endUnansweredRun, recordApprovedRun, recordUnapprovedRun } from '../deploy/run-ended.ts';
import type { NamedRun } from '../deploy/run-record.ts';

export const GATE_PREFIX = 'approval / ';
export const gateName = (environment: string): string => `${GATE_PREFIX}${environment}`;

/** What the gate check run remembers (its external_id): enough to answer the run's callback later. */
export interface GateRef {
  run: number;
  /** The config's key of the environment: the gate's name, its approvals and its policy are under it. */
  env: string;
  /**
   * GitHub's name of the environment, when it differs from `env` in case (GitHub ignores case in environment
   * names): the run's callback is answered under the name GitHub asked with.
   */
  github?: string;
  pr: number;
  type: DeploymentType;
  /**
   * For the locks when the gate is answered later: whether the App made the deployment or started its run
   * (its own deployment lock of the commit is then this deployment's), and who asked the App for it (a
   * person's /lock lets its holder through). Absent in a gate written before locks were read here.
   */
  own?: boolean;
  by?: string;
  /**
   * The App's deployment the rule was asked for, when the App made it: a lock of the staging environment at the
   * commit passes only when this deployment holds it. Absent in a gate written before, or of a run the App
   * started for a deployment GitHub made.
   */
  dep?: number;
}

export function serializeGateRef(ref: GateRef): string {
  return JSON.stringify({
    v: 1,
    run: ref.run,
    env: ref.env,
    ...(ref.github !== undefined ? { github: ref.github } : {}),
    pr: ref.pr,
    type: ref.type,
    ...(ref.own !== undefined ? { own: ref.own } : {}),
    ...(ref.by !== undefined ? { by: ref.by } : {}),
    ...(ref.dep !== undefined ? { dep: ref.dep } : {}),
  });
}

/** Pure: the gate reference in a check run's external_id, or undefined for anything else. Never throws. */
export function parseGateRef(externalId: string | null | undefined): GateRef | undefined {
  if (!externalId) return undefined;
  try {
    const raw = JSON.parse(externalId) as Record<string, unknown>;
    if (
      raw.v === 1 &&
      Number.isSafeInteger(raw.run) &&
      Number.isSafeInteger(raw.pr) &&
      typeof raw.env === 'string' &&
      typeof raw.type === 'string' &&
      (DEPLOYMENT_TYPES as readonly string[]).includes(raw.type)
    )
      return {
        run: raw.run as number,
        env: raw.env,
        ...(typeof raw.github === 'string' && raw.github.toLowerCase() === raw.env.toLowerCase()
          ? { github: raw.github }
          : {}),
        pr: raw.pr as number,
        type: raw.type as DeploymentType,
        ...(typeof raw.own === 'boolean' ? { own: raw.own } : {}),
        ...(typeof raw.by === 'string' && raw.by.length > 0 && raw.by.length <= 100 ? { by: raw.by } : {}),
        ...(Number.isSafeInteger(raw.dep) && (raw.dep as number) > 0 ? { dep: raw.dep as number } : {}),
      };
  } catch {
    // Not ours.
  }
  return undefined;
}

/** Pure: the workflow run id in a deployment_callback_url (…/actions/runs/{run_id}/deployment_protection_rule). */
export function runIdFromCallbackUrl(url: string): number | undefined {
  const match = /\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/.exec(url);
  const id = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** Pure: only missing approvals can still change by waiting for people; every other refusal is final. */
export function isWaitingForApprovals(decision: PolicyDecision): boolean {
  if (decision.ok) return false;
  return [decision, ...decision.also].every((refusal) => refusal.code === 'needs_approvals');
}

export type GateAnswer = 'approved' | 'rejected' | 'pending';

export function gateAnswer(decision: PolicyDecision, hasPullRequest: boolean): GateAnswer {
  if (decision.ok) return 'approved';
  // Approvals are given on a pull request; without one nobody could ever give them.
  return hasPullRequest && isWaitingForApprovals(decision) ? 'pending' : 'rejected';
}

export interface GateInput {
  where: Where;
  defaultBranch: string;
  environment: string;
  sha: string;
  pullNumber?: number;
  type: DeploymentType;
  hotfixReason?: string;
  /** The app's bot login: approval markers count only in its own comments. */
  botLogin: string;
  /** Approval markers count only when their MAC verifies. */
  markers: MarkerTrust;
  now: Date;
  /** Who asked for the workflow run the rule holds (runRequesters): their approval is a self-approval. */
  requester?: readonly string[] | ((environment: string) => Promise<readonly string[]>);
  /** What this delivery has already read about people (approvers, contributors). */
  people?: PeopleCache;
  /**
   * The delivery's read of the config from the default branch (configOnce), when it has one (an approval's
   * command read it moments before): decided on that read, not read again.
   */
  config?: ConfigRead;
  /** Whose deployment it is, for the locks (gateLock). */
  deployment: GateDeployment;
  /**
   * How the `requires` environments' state records are read: the App's one reader (app/state.ts), which
   * refuses a record older than one any delivery has seen (state_stale).
   */
  records: RecordReader;
  /**
   * The environment's locks (readLocksFor), when the caller decides several gates of it at once: read once
   * for all of them. Undefined: read here.
   */
  locks?: () => Promise<Locks>;
}

/**
 * Who started the workflow run a protection rule holds, and when GitHub made it (GET the run). A run that cannot
 * be found (404) names nobody. Read once per run for the delivery `people` belongs to.
 */
export function runStarters(
  octokit: Octokit,
  where: Where,
  run: number,
  people?: PeopleCache,
): Promise<RunStarters> {
  let starters = people?.requesters.get(run);
  if (!starters) {
    starters = readRunStarters(octokit, where, run);
    if (people) {
      // A failed read is not kept: the next caller asks again.
      starters.catch(() => people.requesters.delete(run));
      people.requesters.set(run, starters);
    }
  }
  return starters;
}

async function readRunStarters(octokit: Octokit, where: Where, run: number): Promise<RunStarters> {
  try {
    const { data } = await octokit.rest.actions.getWorkflowRun({ ...where, run_id: run });
    return {
      ...(data.actor?.login ? { actor: data.actor.login } : {}),
      ...(data.triggering_actor?.login ? { triggeringActor: data.triggering_actor.login } : {}),
      ...(data.created_at ? { createdAt: data.created_at } : {}),
      ...(Number.isSafeInteger(data.run_attempt) ? { attempt: data.run_attempt } : {}),
    };
  } catch (error) {
    if (httpStatus(error) === 404) return {};
    throw error;
  }
}

/**
 * Pure: who asked for the held run's deployment: its actor and, for a re-run by someone else, whoever re-ran
 * it. Both asked for it, so neither one's approval of it counts, as the pull request author's does not (also
 * for a commit they pushed to someone else's pull request), and either one's veto stands. Bots are left out
 * (they never approve); one person is named once.
 */
export function runRequesters(starters: RunStarters): string[] {
  const logins: string[] = [];
  for (const login of [starters.actor, starters.triggeringActor])
    if (login && !isBot({ login }) && !logins.some((other) => sameLogin(other, login))) logins.push(login);
  return logins;
}

/**
 * Who asked for the deployment a gate holds: the run's requesters (runRequesters) and, for a deployment the
 * App made, whoever asked the App for it (its payload's requested_by, the App's own word). The App's deployment
 * event starts the run in the App's name, so without the deployer a /deploy commenter who is an approver could
 * approve their own deployment at its gate (the Approve button, or a gate left waiting).
 */
export function gateRequesters(starters: RunStarters, deployer: string | undefined): string[] {
  const logins = runRequesters(starters);
  if (deployer && !isBot({ login: deployer }) && !logins.some((other) => sameLogin(other, deployer)))
    logins.unshift(deployer);
  return logins;
}

/** What the locks need to know about the deployment a protection rule holds. */
export interface GateDeployment {
  /**
   * The App made this deployment, or GitHub names the App as who started the workflow run (the run of the
   * App's deployment event): the environment's deployment lock of this commit is the one the App took for it
   * (app/deploy/start.ts), not another deployment's. Undefined: not known (a gate written before locks were
   * read): such a lock of this commit is taken as its own, as before.
   */
  byApp: boolean | undefined;
  /**
   * The App's deployment the rule holds, when the App made it (GitHub's webhook names it): a deployment lock of
   * the commit (this environment's or its staging environment's) is its own only when that deployment holds it.
   * Undefined (a run the App started for a deployment GitHub made for the job, or a gate written before): a
   * running App deployment of this environment made no later than the run must hold it (runCreatedAt).
   */
  id?: number;
  /**
   * The deployment `id` as GitHub's webhook showed it (the App's own payload): what a re-run of it takes the
   * locks of (app/deploy/rerun.ts). Not given (a gate answered later): read by its id when it has ended.
   */
  made?: { environment?: string | null; sha: string; payload?: unknown };
  /**
   * When GitHub made the held workflow run (RunStarters.createdAt; a re-run keeps it), asked only without `id`
   * when a deployment lock of the commit is held: the App's deployment event starts the run after it made the
   * deployment, so a deployment made after the run is another one's. Undefined: no deployment lock passes.
   */
  runCreatedAt?: () => Promise<string | undefined>;
  /**
   * Who deploys (lockDeployers): a person's /lock lets the deployment through only when every one of them
   * holds it. A function is asked only when such a lock is held (it may cost a request), with the config's
   * key of the environment (GitHub may name it in another case).
   */
  deployers?: readonly string[] | ((environment: string) => Promise<readonly string[]>);
}

/**
 * Pure: who deploys, as far as a person's /lock is concerned, each of whom must hold it for its holder to go
 * through (as /deploy lets only its requester through: app/deploy/start.ts). For the App's deployment,
 * whoever asked the App for it; and whoever started the held run: its actor and, for a re-run, whoever re-ran
 * it (triggering_actor), the App's own bot left out (it starts a run for whoever asked it). So a re-run by
 * someone else of the holder's run, or the holder's re-run of someone else's, is not the holder's deployment.
 * Nobody named (the App's deployment without its requester): an empty list, which no lock lets through.
 */
export function lockDeployers(
  starters: RunStarters,
  deployment: { byApp: boolean | undefined; appRequester: string | undefined; botLogin: string },
): string[] {
  if (deployment.byApp && deployment.appRequester === undefined) return [];
  const logins: string[] = deployment.appRequester !== undefined ? [deployment.appRequester] : [];
  for (const login of [starters.actor, starters.triggeringActor])
    if (
      login &&
      !(deployment.byApp && sameLogin(login, deployment.botLogin)) &&
      !logins.some((other) => sameLogin(other, login))
    )
      logins.push(login);
  return logins;
}

/**
 * Pure: the lock that stops this deployment, by the /deploy path's rules (app/deploy/start.ts): the global lock
 * stops everyone, its holder too (a freeze); a person's /lock stops everyone but its holder; a running
 * deployment's lock stops everyone, except the one the App took for this very deployment (same commit: the ref
 * says no more, so decideGate then asks which deployment holds it, holdsDeploymentLock).
 */
export function gateLock(
  locks: Locks,
  environment: string,
  sha: string,
  deployment: { byApp: boolean | undefined; deployers?: readonly string[] },
): LockInfo | undefined {
  if (locks.global) return locks.global;
  const env = environment.toLowerCase();
  const lock = locks.environments.find(
    (l) => l.target.scope === 'environment' && l.target.environment.toLowerCase() === env,
  );
  if (!lock) return undefined;
  if (lock.deployment)
    return deployment.byApp !== false && lock.sha.toLowerCase() === sha.toLowerCase() ? undefined : lock;
  // A person's lock: every one who deploys must be its holder (nobody named: nobody is).
  const deployers = deployment.deployers ?? [];
  return deployers.length > 0 &&
    deployers.every((login) => !blockingLock({ environments: [lock] }, environment, login))
    ? undefined
    : lock;
}

/**
 * Pure: whether the deployment a protection rule holds (of `environment`) holds the deployment lock `held` of
 * the commit (this environment's own, or its staging environment's), its owner found (deploymentLockOwner): the
 * App's running deployment found holding it is this one (`id`, when the App made it). With no id to compare (a
 * run the App started for a deployment GitHub made), it is a deployment of `environment` itself made no later
 * than the run (`runCreatedAt`): the run of an earlier deployment of the commit, started again, finds a later
 * one holding the lock. A lock whose deployment cannot be found, has ended or is not the App's is nobody's: it
 * passes nobody; so does one whose times cannot be read.
 */
export function holdsDeploymentLock(
  held: LockInfo,
  environment: string,
  deployment: { id?: number; runCreatedAt?: string },
): boolean {
  if (held.heldByDeployment === undefined || held.holderUnverified) return false;
  if (deployment.id !== undefined) return held.heldByDeployment === deployment.id;
  const heldFor = held.heldFor ?? (held.target.scope === 'environment' ? held.target.environment : undefined);
  if (heldFor?.toLowerCase() !== environment.toLowerCase()) return false;
  const made = Date.parse(held.createdAt);
  const run = Date.parse(deployment.runCreatedAt ?? '');
  return Number.isFinite(made) && Number.isFinite(run) && made <= run;
}

/**
 * The rejection for a deployment under a lock: which lock, its holder (escaped by lockOwner), its reason. A
 * lock of another environment than `environment` is the staging environment's, which the run changes first.
 */
export function lockedSummary(lock: LockInfo, commandEnvironment: string): string {
  const environment = lock.target.scope === 'environment' ? lock.target.environment : commandEnvironment;
  const prefix =
    environment.toLowerCase() !== commandEnvironment.toLowerCase() ? stagingPrefix(environment) : '';
  const unlock =
    lock.target.scope === 'global'
      ? "it stops every deployment, its holder's too, until `/unlock --global`"
      : lock.deployment
        ? 'deploy again once that deployment has finished'
        : lock.releasedBefore
          ? // An /unlock GitHub did not let finish: its holder's next /unlock finishes it (mayRelease).
            `nobody holds it by name, so nobody deploys there until ${releasedLockUnlock(lock, environment)}`
          : lock.holderUnverified || lock.holder === UNKNOWN_HOLDER
            ? `nobody holds it by name, so nobody deploys there until \`/unlock\` ${userText(environment, { as: 'code' })} \`--force\``
            : `only its holder deploys there until \`/unlock\` ${userText(environment, { as: 'code' })}`;
  return `Rejected (\`locked\`): ${prefix}${lockOwner(lock)}. A deployment started by a workflow honours the locks as /deploy does: ${unlock}.`;
}

export interface GateDecision {
  answer: GateAnswer;
  /** The config's key of the environment (configEnvironment), on a decision of its policy. */
  environment?: string;
  decision?: PolicyDecision;
  /** One plain text for the callback comment and the check run. */
  summary: string;
  pullRequest?: PullRequestFacts;
  /**
   * The App's deployment `id`, ended, that this run deploys again (a re-run, app/deploy/rerun.ts): an approval
   * holds only once its locks are taken (admitGate).
   */
  rerun?: RerunDeployment;
  /**
   * The App deployment the run deploys, when known (the one the rule was asked for, the one found holding the
   * lock at the commit, or the App's deployment of the run; never another deployment found holding a lock that
   * stops this one): the App names the run on it before it answers (recordApprovedRun, recordUnapprovedRun), so
   * that the run's end can end it (app/deploy/run-ended.ts).
   */
  deploymentId?: number;
  /** On a rejection: its stable reason code (a policy's, `locked`, or why the facts could not be read). */
  code?: string;
}

/** Gathers the facts (config from the default branch, PR, approvals, deployments, checks) and decides. */
export async function decideGate(octokit: Octokit, input: GateInput): Promise<GateDecision> {
  // The App deployment this run deploys, as far as it is known (GateDecision.deploymentId): the one the rule was
  // asked for, else found by the locks or by the run (below).
  let ranFor = input.deployment.id;
  // A rejection, with its reason code, naming the deployment known so far (`named: false`: one that is gone).
  const rejected = (
    code: string,
    summary: string,
    more: { environment?: string; pullRequest?: PullRequestFacts; named?: false } = {},
  ): GateDecision => ({
    answer: 'rejected',
    code,
    summary,
    ...(more.environment !== undefined ? { environment: more.environment } : {}),
    ...(more.pullRequest ? { pullRequest: more.pullRequest } : {}),
    ...(more.named !== false && ranFor !== undefined ? { deploymentId: ranFor } : {}),
  });
  let config;
  try {
    config = await (input.config ?? loadConfig)(octokit.rest, input.where, input.defaultBranch);
  } catch (error) {
    if (!(error instanceof FactsError)) throw error;
    return rejected(
      error.code,
      `The deployment policy cannot be read: ${userText(error.message, { max: 1000 })}`,
    );
  }
  // GitHub's name, in any case, is the config's key written in its own (GitHub ignores case in names).
  const environment = configEnvironment(config.environments, input.environment);
  if (environment === undefined) {
    // The app guards this environment (it was enabled as its protection rule) but has no policy for it: fail closed.
    return rejected(
      'unknown_environment',
      `Not in the policy: environment "${userText(input.environment)}" is not in .github/deploy.yml`,
    );
  }
  // The policy of every environment the run changes: its staging environment's too, which it deploys first
  // (src/policy/changed-environments.ts). Facts and locks are read for each.
  let policy: Policy;
  let policies: Policy[];
  try {
    policy = resolvePolicy(config, environment);
    policies = [policy, ...changedPolicies(config, environment, input.type).slice(1)];
  } catch (error) {
    return rejected(
      'config_invalid',
      `The deployment policy is invalid: ${userText((error as Error).message, { max: 1000 })}`,
    );
  }
  // The locks, as /deploy honours them (app/deploy/start.ts): a deployment started by a workflow is no way
  // around the global lock, someone's /lock or a running deployment.
  const locks = await (input.locks?.() ??
    readLocksFor(octokit.rest, input.where, input.markers.keys, environment, {
      appId: await ownAppId(octokit),
    }));
  // The staging environment's: a person's /lock there or a deployment running there stops the run too. The
  // App's own deployment holds that lock as well (app/deploy/start.ts): at this commit, it is its own.
  const stagingLocks = await Promise.all(
    policies.slice(1).map(async (other) => ({
      environment: other.environment,
      locks: await readLocksFor(octokit.rest, input.where, input.markers.keys, other.environment, {
        appId: await ownAppId(octokit),
      }),
    })),
  );
  const { byApp, deployers } = input.deployment;
  const personLock = [locks, ...stagingLocks.map((s) => s.locks)].some((l) =>
    l.environments.some((lock) => !lock.deployment),
  );
  const who =
    typeof deployers === 'function' ? (personLock ? await deployers(environment) : undefined) : deployers;
  // Without this deployment's id: when its run was made (read once for the delivery, by runStarters).
  const { id, runCreatedAt } = input.deployment;
  // With it, for a lock at its commit: read by itself when GitHub's listing does not show it yet (the rule is
  // asked seconds after the deployment is made).
  // Read once for its own environment's lock and its staging environment's.
  const knownReads: KnownReads = new Map();
  const owner = (lock: LockInfo, known?: number): Promise<LockInfo> =>
    deploymentLockOwner(octokit.rest.repos, input.where, lock, {
      attempts: 1,
      botLogin: input.botLogin,
      ...(known !== undefined ? { known, knownReads } : {}),
    });
  const holds = async (held: LockInfo): Promise<boolean> =>
    holdsDeploymentLock(
      held,
      environment,
      id !== undefined ? { id } : { runCreatedAt: await runCreatedAt?.() },
    );
  let lock: LockInfo | undefined;
  // Whether a lock at the commit was found held by this deployment: its holder's lookup read it running.
  let foundRunning = false;
  for (const [index, s] of [{ environment, locks }, ...stagingLocks].entries()) {
    lock = gateLock(s.locks, s.environment, input.sha, {
      // A gate written before locks were read here (byApp not known) passes its own environment's deployment
      // lock of the commit, as before; a gate written before starts took the staging environment's is not taken
      // to hold that one.
      byApp: index === 0 ? byApp : byApp === true,
      ...(who !== undefined ? { deployers: who } : {}),
    });
    // A deployment's lock at this commit passes only when this deployment holds it: the ref names the commit
    // alone, and another deployment of the commit (a later `/deploy` of this environment, of the staging
    // environment itself, or of another environment deploying it first) may hold it while this one's run is
    // started again (a re-run).
    const atCommit =
      lock || byApp !== true
        ? undefined
        : s.locks.environments.find(
            (l) =>
              l.deployment &&
              l.target.scope === 'environment' &&
              l.target.environment.toLowerCase() === s.environment.toLowerCase(),
          );
    if (lock?.deployment) lock = await owner(lock);
    else if (atCommit) {
      const held = await owner(atCommit, id);
      if (!(await holds(held))) lock = held;
      else {
        foundRunning = true;
        ranFor ??= held.heldByDeployment;
      }
    }
    if (lock) break;
  }
  // Named on this run's own deployment only (ranFor): never on the deployment found holding the lock.
  if (lock) return rejected('locked', lockedSummary(lock, environment));
  // The App's deployment whose runner has ended it: this run is a re-run of it. Its lock was released at its
  // final status, so nobody holding the environment above says nothing of it: it may go only as the newest
  // App deployment of its environment, and only holding its locks again (the caller takes them: admitGate).
  // Found holding a lock at its commit, it was just read running (deploymentLockOwner: endedByRunner): its first
  // run, judged as before at no request more.
  // A run the App's deployment event started for a deployment GitHub made for the job (no id): judged by the
  // App's deployment of the run (readRunDeployment), found by the commit and the run's time.
  let judged: { id: number; made?: GateDeployment['made'] } | undefined =
    id !== undefined ? { id, ...(input.deployment.made ? { made: input.deployment.made } : {}) } : undefined;
  if (id === undefined && byApp === true && !foundRunning && runCreatedAt) {
    const at = await runCreatedAt();
    if (at !== undefined) {
      const of = await readRunDeployment(octokit.rest.repos, input.where, {
        environment,
        sha: input.sha,
        runCreatedAt: at,
        botLogin: input.botLogin,
      });
      if (of.kind === 'unknown')
        return rejected('run_deployment_unknown', runDeploymentUnknownSummary(environment, input.sha), {
          environment,
        });
      if (of.kind === 'found') judged = { id: of.deployment.id, made: of.deployment };
    }
  }
  ranFor ??= judged?.id;
  let rerun: RerunDeployment | undefined;
  if (judged !== undefined && !foundRunning) {
    const standing = await readRerunStanding(octokit.rest.repos, input.where, {
      id: judged.id,
      botLogin: input.botLogin,
      ...(judged.made ? { made: judged.made } : {}),
      stagedBy: stagedThrough(config, environment),
    });
    if (standing.kind === 'superseded')
      return rejected('rerun_superseded', rerunSupersededSummary(standing), { environment });
    // Deleted (read again by its id first: GitHub's reads lag one just made): a run of it holds no lock.
    if (standing.kind === 'gone')
      return rejected('deployment_gone', deploymentGoneSummary(standing.id, environment), {
        environment,
        named: false,
      });
    if (standing.kind === 'rerun') rerun = standing.deployment;
  }
  let pullRequest: PullRequestFacts | undefined;
  const people = input.people ?? peopleCache();
  const rules = policies.map((p) => ({ policy: p, rule: approvalRule(p, input.type) }));
  // Whoever wrote the pull request's commits does not approve its deployment.
  const selfApprovalMatters = rules.some(({ policy: p, rule }) => rule.required > 0 && !p.allowSelfApproval);
  const requires = [...new Set(policies.flatMap((p) => p.requires))];
  const releasePatterns = [...new Set(policies.flatMap((p) => p.releaseTags))];
  // Who asked for the run, when the caller has not read it yet: only when approvals can turn on it.
  const requesterOf = async (): Promise<readonly string[]> =>
    typeof input.requester === 'function' ? input.requester(environment) : (input.requester ?? []);
  let requester: readonly string[] = typeof input.requester === 'function' ? [] : (input.requester ?? []);
  // Who pushed cannot be read (pushers_unreadable): rejected with the reason, as unreadable approvals are.
  const pushersUnreadable = (error: unknown): GateDecision => {
    if (!(error instanceof FactsError)) throw error;
    return rejected(error.code, `Who may approve cannot be told: ${userText(error.message, { max: 1000 })}`);
  };
  let pull: PullFacts | undefined;
  if (input.pullNumber !== undefined) {
    let read;
    try {
      const reading = readPull(octokit.rest, input.where, input.pullNumber);
      read = await Promise.all([
        reading,
        selfApprovalMatters
          ? reading.then((now) => cachedContributors(octokit.rest, input.where, now, people))
          : [],
        selfApprovalMatters ? requesterOf() : [],
      ]);
    } catch (error) {
      return pushersUnreadable(error);
    }
    const [now, contributors, asked] = read;
    pull = now;
    requester = asked;
    pullRequest = {
      number: pull.number,
      author: pull.author,
      headSha: pull.headSha,
      fromFork: pull.fromFork,
      contributors,
    };
  }
  // A pull request with more comments than the App reads (too_many_comments) hides approvals and vetoes:
  // answered rejected with the reason, never left waiting unanswered by a handler that threw.
  // The App's ledger of the commit too (approval-ledger.ts): a veto whose comment was deleted still holds the
  // run, and a ledger that cannot be read is a rejection with the reason, never "no vetoes".
  // The ledger is read here, not handed over by the command that wrote an approval or a veto: this decision
  // comes after that command's reply (or in another delivery), and a veto another replica recorded since
  // must count.
  const number = pullRequest?.number;
  const comments =
    number !== undefined
      ? Promise.all([
          readAppComments(octokit.rest, input.where, number, input.botLogin, input.markers),
          ownAppId(octokit).then((appId) =>
            readLedger(octokit.rest, input.where, input.sha, number, appId, input.markers),
          ),
        ]).then(
          ([c, ledger]) => ({ ok: true as const, approvals: withLedger(c.approvals, ledger.records) }),
          (error: unknown) => {
            if (!(error instanceof FactsError)) throw error;
            return { ok: false as const, message: error.message };
          },
        )
      : { ok: true as const, approvals: [] };
  // `requires`: from each required environment's signed state record, never from deployments and their
  // statuses, which anyone with write permission makes (facts/prior-environments.ts).
  const [read, prior, checks, releaseTags] = await Promise.all([
    comments,
    requires.length && input.type !== 'rollback'
      ? priorEnvironments(input.records, octokit.rest, input.where, input.sha, requires)
      : { successful: [], issues: [] },
    checksAt(
      octokit.rest,
      input.where,
      input.sha,
      policies.flatMap((p) => p.requiredChecks),
    ),
    // release_tags, as /deploy reads them (app/deploy/decide.ts): a workflow run is no way around them.
    releasePatterns.length && input.type !== 'rollback'
      ? releaseTagsAt(octokit.rest, input.where, input.sha, releasePatterns)
      : undefined,
  ]);
  if (!read.ok)
    return rejected(
      'approvals_unreadable',
      `The approvals cannot be read: ${userText(read.message, { max: 1000 })}`,
      pullRequest ? { pullRequest } : {},
    );
  const approvals = read.approvals;
  const relevant = approvals.filter(
    (r) => r.environment === environment && r.sha.toLowerCase() === input.sha.toLowerCase(),
  );
  // Whoever pushed or asked for the run may always veto, approver or not: with a veto, the tally must know who
  // they are, or it drops such a veto as not_an_approver and the gate opens.
  if (pullRequest && pull && !selfApprovalMatters && relevant.some((r) => r.kind === 'reject')) {
    let read;
    try {
      read = await Promise.all([cachedContributors(octokit.rest, input.where, pull, people), requesterOf()]);
    } catch (error) {
      return { ...pushersUnreadable(error), pullRequest };
    }
    const [contributors, asked] = read;
    pullRequest = { ...pullRequest, contributors };
    requester = asked;
  }
  // Approvals and vetoes are judged on their authors' permission and teams now, not when they were given.
  const approverFacts = await approverFactsOf(
    octokit.rest,
    input.where,
    relevant,
    teamsIn(...rules.map(({ rule }) => rule.approvers)),
    people,
  );
  const decision = isDeploymentApproved({
    config,
    environment,
    sha: input.sha,
    ...(pullRequest ? { pullRequest } : {}),
    approvals,
    approverFacts,
    successfulDeployments: prior.successful,
    priorEnvironmentIssues: prior.issues,
    checks,
    ...(releaseTags ? { releaseTags } : {}),
    now: input.now,
    type: input.type,
    ...(input.hotfixReason !== undefined ? { hotfixReason: input.hotfixReason } : {}),
    requester,
  });
  const answer = gateAnswer(decision, pullRequest !== undefined);
  const summary = decision.ok
    ? `Approved by the policy${decision.tally.approvedBy.length ? `: approvals from ${decision.tally.approvedBy.map((a) => userText(a, { as: 'mention' })).join(', ')}` : ''}.`
    : answer === 'rejected' && !pullRequest && decision.code === 'needs_approvals'
      ? `Rejected: ${explainRefusal(decision)}, and approvals can only be given on a pull request.`
      : explainDecision(decision);
  return {
    answer,
    environment,
    decision,
    summary,
    ...(pullRequest ? { pullRequest } : {}),
    ...(!decision.ok && answer === 'rejected' ? { code: decision.code } : {}),
    ...(rerun && answer === 'approved' ? { rerun } : {}),
    ...(ranFor !== undefined ? { deploymentId: ranFor } : {}),
  };
}

/**
 * What admitGate did: nothing to do (not an approval, or no App deployment known), a first run named on its App
 * deployment (`recorded`), a re-run admitted holding `held`, or a lock that stops it.
 */
type Admission =
  | { status: 'none' }
  | { status: 'recorded'; deploymentId: number; run: NamedRun }
  | { status: 'admitted'; deployment: RerunDeployment; held: HeldLock[] }
  | { status: 'locked'; summary: string };

/**
 * Before an approval is answered. A re-run (GateDecision.rerun): its locks taken and its deployment reopened
 * (app/deploy/rerun.ts admitRerun). A lock that stops it, one taken since the decision read them too, rejects
 * it (`locked`): it never passes holding nothing. A first run of an App deployment: the run is named in a
 * status of the App's on it (app/deploy/run-ended.ts recordApprovedRun), with its attempt when the decision
 * read the run, so that the run's end ends the deployment when the Action never did (its locks are not kept
 * for a run that deployed nothing); named only where no other run let through is, nor the Action
 * (run-record.ts approvalNaming).
 */
async function admitGate(
  octokit: Octokit,
  where: Where,
  gate: GateDecision,
  o: {
    run: number;
    keys: MarkerKeys;
    botLogin: string;
    deployers: GateDeployment['deployers'];
    /** The config's key of the environment the gate is for (the lock message names it). */
    environment: string;
    /** The run's attempt, when the decision read the run (RunStarters.attempt); undefined otherwise. */
    attempt: () => Promise<number | undefined>;
  },
): Promise<Admission> {
  if (gate.answer !== 'approved') return { status: 'none' };
  if (!gate.rerun) {
    if (gate.deploymentId === undefined) return { status: 'none' };
    const attempt = await o.attempt();
    const run = { id: o.run, ...(attempt !== undefined ? { attempt } : {}) };
    await recordApprovedRun(octokit.rest, where, gate.deploymentId, run, o.botLogin);
    return { status: 'recorded', deploymentId: gate.deploymentId, run };
  }
  const deployers = o.deployers;
  const attempt = await o.attempt();
  const admitted = await admitRerun(octokit.rest, where, gate.rerun, {
    keys: o.keys,
    appId: await ownAppId(octokit),
    botLogin: o.botLogin,
    run: o.run,
    ...(attempt !== undefined ? { attempt } : {}),
    deployers: async () => (typeof deployers === 'function' ? deployers(o.environment) : (deployers ?? [])),
  });
  if (admitted.status === 'locked')
    return { status: 'locked', summary: lockedSummary(admitted.lock, o.environment) };
  return { status: 'admitted', deployment: gate.rerun, held: admitted.held };
}

/**
 * Before a rejection is answered, and when a gate starts waiting for approvals: a first run of an App deployment
 * (GateDecision.deploymentId) named on it in a `pending` status of the App's (app/deploy/run-ended.ts
 * recordUnapprovedRun), with its attempt when the decision read the run, so that the run's completion (at once
 * for a rejected run; whenever one waiting is cancelled) ends the deployment and frees its locks. Never ended
 * here: another workflow of the same deployment event may deploy it (run-record.ts namingDecision). A re-run of
 * an ended deployment holds nothing (its newest status is final: not named). Costs one status read and, when
 * named, one status. The deployment and run, for endUnansweredRun, whenever a deployment is known.
 */
async function nameUnapprovedRun(
  octokit: Octokit,
  where: Where,
  gate: GateDecision,
  o: { run: number; botLogin: string; attempt: () => Promise<number | undefined> },
): Promise<{ deploymentId: number; run: NamedRun } | undefined> {
  if (gate.answer === 'approved' || gate.deploymentId === undefined) return undefined;
  const attempt = await o.attempt();
  const run = { id: o.run, ...(attempt !== undefined ? { attempt } : {}) };
  await recordUnapprovedRun(
    octokit.rest,
    where,
    gate.deploymentId,
    run,
    gate.answer === 'pending' ? { answer: 'pending' } : { answer: 'rejected', code: gate.code },
    o.botLogin,
  );
  return { deploymentId: gate.deploymentId, run };
}

/**
 * nameUnapprovedRun for a rejection: a name that cannot be written (GitHub failing, an answer lost) does not keep
 * the rejection from being answered. The run must not wait on for a status of the App's (up to 30 days, its
 * job held); its deployment then keeps its locks until `--force`, as before runs were named: said in the log
 * (`warn`), with the deployment and the run, so whoever sees the lock kept knows why.
 */
async function nameRejectedRun(
  warn: MarkerTrust['warn'],
  ...args: Parameters<typeof nameUnapprovedRun>
): Promise<{ deploymentId: number; run: NamedRun } | undefined> {
  try {
    return await nameUnapprovedRun(...args);
  } catch (error) {
    const [, where, gate, o] = args;
    warn(
      {
        repository: `${where.owner}/${where.repo}`,
        deployment: gate.deploymentId,
        run: o.run,
        status: httpStatus(error),
        error: error instanceof Error ? error.message : String(error),
      },
      'a rejected run could not be named on its deployment: rejected all the same; its locks stay until its deployment ends or --force',
    );
    return undefined;
  }
}

// GitHub limits the review comment; the decision text is short, but free text (veto reasons) is not.
/** A review's comment as GitHub shows it on the run: short, cut whole (never half a character or escape). */
const clip = (text: string, max = 1000): string => cutText(text, max);

async function answerRun(
  octokit: Octokit,
  where: Where,
  run: number,
  environment: string,
  state: 'approved' | 'rejected',
  comment: string,
): Promise<void> {
  await octokit.rest.actions.reviewCustomGatesForRun({
    ...where,
    run_id: run,
    environment_name: environment,
    state,
    comment: clip(comment),
  });
}

interface ProtectionRulePayload {
  environment?: string;
  event?: string;
  deployment_callback_url?: string;
  deployment?: (DeploymentMaker & { id?: number; sha: string; payload?: unknown }) | null;
  pull_requests?: Array<{ number: number }>;
  repository: { name: string; owner: { login: string }; default_branch: string; node_id?: string };
}

export type ProtectionRuleOutcome =
  | { status: 'ignored'; reason: string }
  | { status: 'answered'; answer: 'approved' | 'rejected'; run: number }
  | { status: 'waiting'; run: number; checkRunId: number; duplicate: boolean };

export async function handleProtectionRule(
  octokit: Octokit,
  payload: ProtectionRulePayload,
  markers: MarkerTrust,
  records: RecordReader,
  now: Date = new Date(),
): Promise<ProtectionRuleOutcome> {
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const run = runIdFromCallbackUrl(payload.deployment_callback_url ?? '');
  if (run === undefined) return { status: 'ignored', reason: 'no workflow run in deployment_callback_url' };
  const environment = payload.environment;
  const sha = payload.deployment?.sha;
  if (!environment || !sha) {
    await answerRun(
      octokit,
      where,
      run,
      environment ?? '',
      'rejected',
      'The request names no environment or commit.',
    );
    return { status: 'answered', answer: 'rejected', run };
  }
  let deploymentPayload;
  try {
    deploymentPayload = parseDeploymentPayload(payload.deployment?.payload);
  } catch (error) {
    await answerRun(octokit, where, run, environment, 'rejected', userText((error as Error).message));
    return { status: 'answered', answer: 'rejected', run };
  }
  const botLogin = await ownBotLogin(octokit);
  // The payload's pull request, type and hotfix reason are the App's word only in a deployment the App made
  // (GitHub's signed webhook names the creator; the App checked them when it made it). Anyone with
  // deployments: write or a workflow's token writes any payload: `type: rollback` would need no approvals,
  // checks, prior environment or window, and `pr` would name a pull request the deployment is not from.
  // Any other deployment is standard, and its pull request is the one GitHub names.
  const ownDeployment = createdByApp(payload.deployment, { login: botLogin, id: await ownAppId(octokit) });
  const trusted = ownDeployment ? deploymentPayload : {};
  const pullNumber = payload.pull_requests?.[0]?.number ?? trusted.pr;
  const type = trusted.type ?? 'standard';
  // The run's actor says whether the App started the run (the locks), unless the App made the deployment
  // itself: then who started the run is read only if the approvals can turn on it.
  const started = ownDeployment ? undefined : await runStarters(octokit, where, run);
  const requester = started?.actor;
  // Whether the environment's deployment lock of this commit is this deployment's own: the App made it, or
  // the App started its run (GitHub names the run's actor; nobody else can act as the App's bot).
  const byApp =
    ownDeployment || (requester !== undefined && requester.toLowerCase() === botLogin.toLowerCase());
  // Who asked the App for it, when it is the App's deployment (its requester at the gate, the gate's `by`, and
  // who deploys under a /lock). A run the App's deployment event started may hold a deployment GitHub made for
  // the job: who asked the App is in the App's own deployment of the commit, read only when someone's /lock is
  // held (or the gate waits).
  // Read under the config's key of the environment, the name the App made its deployment with (GitHub's may
  // differ in case).
  let asked: Promise<string | undefined> | undefined;
  const appRequester = async (key: string): Promise<string | undefined> =>
    ownDeployment
      ? trusted.requested_by
      : byApp
        ? (asked ??= appDeploymentRequester(octokit, where, key, sha, botLogin))
        : undefined;
  // Who started the run (read once, only when needed for the App's own deployment).
  let startedLater: Promise<RunStarters> | undefined;
  const starters = async (): Promise<RunStarters> =>
    started ?? (startedLater ??= runStarters(octokit, where, run));
  // Who deploys, for someone's /lock: its holder goes through only if every one of them is the holder (a
  // re-run by someone else is judged by who re-ran it too).
  const deployment: GateDeployment = {
    byApp,
    ...(ownDeployment && typeof payload.deployment?.id === 'number'
      ? { id: payload.deployment.id, made: payload.deployment }
      : {}),
    runCreatedAt: async () => (await starters()).createdAt,
    deployers: async (key) =>
      lockDeployers(await starters(), { byApp, appRequester: await appRequester(key), botLogin }),
  };
  // Decided and answered under the event's claim (facts/answer-once.ts): two deliveries of this request handled
  // at once (a redelivery while the first is still at work, two replicas) would each find no gate for the run
  // and each post one, with its "waiting" comment. Every delivery of it names the run and the environment.
  const once = await answerOnce(
    octokit.rest,
    where,
    markers.keys,
    { ref: answeringRefName('gate', `${run}:${environment.toLowerCase()}`), sha },
    async (): Promise<ProtectionRuleOutcome> => {
      // The run's attempt, known only when the run was read for the decision: never read for it alone.
      const knownAttempt = async (): Promise<number | undefined> =>
        (started ?? (startedLater ? await startedLater : undefined))?.attempt;
      const gate = await decideGate(octokit, {
        where,
        defaultBranch: payload.repository.default_branch,
        environment,
        sha,
        ...(pullNumber !== undefined ? { pullNumber } : {}),
        type,
        ...(trusted.hotfix_reason !== undefined ? { hotfixReason: trusted.hotfix_reason } : {}),
        requester: async (key) => gateRequesters(await starters(), await appRequester(key)),
        botLogin,
        markers,
        records,
        deployment,
        now,
      });
      if (gate.answer !== 'pending') {
        const admission = await admitGate(octokit, where, gate, {
          run,
          keys: markers.keys,
          botLogin,
          deployers: deployment.deployers,
          environment: gate.environment ?? environment,
          attempt: knownAttempt,
        });
        if (admission.status === 'locked') {
          await answerRun(octokit, where, run, environment, 'rejected', admission.summary);
          return { status: 'answered', answer: 'rejected', run };
        }
        if (admission.status === 'admitted') {
          // The run no longer waits (cancelled meanwhile): nothing deploys, so nothing stays locked or reopened.
          if (!(await answeredRun(octokit, where, run, environment, 'approved', gate.summary))) {
            await closeRerun(octokit.rest, where, admission.deployment, admission.held, { run, botLogin });
            return { status: 'ignored', reason: 'run_no_longer_waits' };
          }
          return { status: 'answered', answer: 'approved', run };
        }
        if (admission.status === 'recorded') {
          // The run no longer waits: nothing deploys, and its completion may have come before the record did.
          if (!(await answeredRun(octokit, where, run, environment, 'approved', gate.summary))) {
            await endUnansweredRun(
              octokit.rest,
              where,
              admission.deploymentId,
              { ...admission.run, sha },
              botLogin,
            );
            return { status: 'ignored', reason: 'run_no_longer_waits' };
          }
          return { status: 'answered', answer: 'approved', run };
        }
        // A rejected first run of the App's deployment: named on it first, so that its completion frees it.
        await nameRejectedRun(markers.warn, octokit, where, gate, { run, botLogin, attempt: knownAttempt });
        await answerRun(octokit, where, run, environment, gate.answer, gate.summary);
        return { status: 'answered', answer: gate.answer, run };
      }
      // A first run of the App's deployment whose gate waits: named on it, so that a cancel frees it.
      await nameUnapprovedRun(octokit, where, gate, { run, botLogin, attempt: knownAttempt });
      // The gate is the config's environment (its name, approvals and notices), answered under GitHub's name.
      const key = gate.environment ?? environment;
      const by = await appRequester(key);
      const ref: GateRef = {
        run,
        env: key,
        ...(key !== environment ? { github: environment } : {}),
        pr: pullNumber!,
        type,
        own: byApp,
        ...(by !== undefined ? { by } : {}),
        ...(deployment.id !== undefined ? { dep: deployment.id } : {}),
      };
      return waitForApprovals(octokit, where, sha, ref, gate.summary, markers);
    },
    { now: () => now, ...swapOption(octokit, where, payload.repository.node_id) },
  );
  return once.claimed ? once.value : { status: 'ignored', reason: 'answered_by_another_delivery' };
}

/**
 * Who asked the App for its newest deployment of `sha` to `environment` (its payload's requested_by, believed
 * only in a deployment the App made): the deployer of a run the App's deployment event started, whose own
 * deployment GitHub made for the job. One request.
 */
async function appDeploymentRequester(
  octokit: Octokit,
  where: Where,
  environment: string,
  sha: string,
  botLogin: string,
): Promise<string | undefined> {
  const { data } = await octokit.rest.repos.listDeployments({ ...where, environment, sha, per_page: 5 });
  for (const d of data) {
    if (!createdByApp(d, { login: botLogin })) continue;
    try {
      return parseDeploymentPayload(d.payload).requested_by;
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * Every `approval / <environment>` check run of the App at `sha` (all runs' gates, not only the newest of the
 * name), oldest first, read through the App's own check suites (src/github/app-check-runs.ts) rather than the
 * commit's list of check runs, which anyone able to run workflows can push a gate off. With `externalId`, the
 * suites are read newest first and the reading stops at the suite holding that gate. Past the reader's bounds
 * it throws TooManyCheckRuns: never a short answer.
 */
async function gateRuns(
  octokit: Octokit,
  where: Where,
  sha: string,
  environment: string,
  externalId?: string,
) {
  const { runs } = await checkRunsThroughSuites(octokit.rest, where, {
    sha,
    name: gateName(environment),
    appId: await ownAppId(octokit),
    ...(externalId !== undefined
      ? {
          until: (read) =>
            read.some((r) => r.external_id === externalId && r.conclusion === 'action_required'),
        }
      : {}),
  });
  return runs;
}

/**
 * Posts the pending gate (once per request: a redelivered event finds the waiting check run it already made;
 * a re-run of the workflow run, whose earlier gate is closed, gets a new one).
 */
async function waitForApprovals(
  octokit: Octokit,
  where: Where,
  sha: string,
  ref: GateRef,
  summary: string,
  markers: MarkerTrust,
): Promise<ProtectionRuleOutcome> {
  const externalId = serializeGateRef(ref);
  // Every run's gate, not only the newest of the name: a redelivery for an older workflow run must find the
  // check run it already made. Read through the App's own check suites (gateRuns), newest first, stopping at
  // the one found: a flood of other suites on the commit does not hide it (which would make a second gate).
  // Only a gate still waiting is this request's: a closed one of the same run (approved and deployed,
  // rejected, or cancelled when the run ended) is a past attempt's, and a re-run (GitHub keeps the run's id)
  // that waits again needs a gate with an Approve button, which approvals answer.
  const existing = await gateRuns(octokit, where, sha, ref.env, externalId);
  const same = existing.find((r) => r.external_id === externalId && r.conclusion === 'action_required');
  if (same) return { status: 'waiting', run: ref.run, checkRunId: same.id, duplicate: true };
  const { data: checkRun } = await octokit.rest.checks.create({
    ...where,
    name: gateName(ref.env),
    head_sha: sha,
    external_id: externalId,
    status: 'completed',
    conclusion: 'action_required',
    output: { title: `Waiting for approvals to deploy to ${ref.env}`, summary: fitCheckText(summary) },
    actions: [
      {
        label: 'Approve',
        description: `Approve deploying to ${ref.env}`.slice(0, 40),
        identifier: 'approve',
      },
    ],
  });
  // The environment name is GitHub's (an admin named it); the summary's values went through userText already.
  const env = userText(ref.env, { as: 'code' });
  const text = [
    `⏳ **Deployment to ${env} is waiting for approval** (workflow run ${ref.run}, commit ${userText(sha.slice(0, 7), { as: 'code' })}).`,
    '',
    `> ${summary.replace(/\n/g, '\n> ')}`,
    '',
    `Approve with ${userText(`/approve-deploy ${ref.env}`, { as: 'command' })} or the **Approve** button on the ${userText(gateName(ref.env), { as: 'code' })} check.`,
  ].join('\n');
  const notice = serializeGateNotice(
    { environment: ref.env, sha, run: ref.run },
    markers.keys,
    markerScope(where, ref.pr),
  );
  await octokit.rest.issues.createComment({
    ...where,
    issue_number: ref.pr,
    body: fitComment(appendMarkers(text, [notice])),
  });
  return { status: 'waiting', run: ref.run, checkRunId: checkRun.id, duplicate: false };
}

export interface PendingAnswer {
  run: number;
  environment: string;
  checkRunId: number;
  /** ended: GitHub no longer holds the run (answeredRun), its gate is closed unanswered. */
  answer: GateAnswer | 'ended';
}

/**
 * Answers a waiting gate's run; false when GitHub refuses because the run no longer waits for it (cancelled,
 * failed or timed out). GitHub documents only the success (204) of this answer, not what it says for a run
 * that no longer waits, so a refusal's status alone decides nothing: a 4xx is followed by reading the run's
 * pending deployments (documented), and only a run that is gone or no longer waits on the environment closes
 * the gate. Any other failure, or a refusal while the run still waits, is thrown: closing that gate would
 * leave the run waiting with no way left to answer it.
 */
async function answeredRun(
  octokit: Octokit,
  where: Where,
  run: number,
  /** GitHub's name of the environment (the gate's `github`, or its `env`). */
  environment: string,
  state: 'approved' | 'rejected',
  summary: string,
): Promise<boolean> {
  try {
    await answerRun(octokit, where, run, environment, state, summary);
    return true;
  } catch (error) {
    const status = httpStatus(error);
    if (status === undefined || status < 400 || status >= 500) throw error;
    if (await stillWaits(octokit, where, run, environment, error)) throw error;
    return false;
  }
}

/**
 * Does run `run` still wait on `environment` (GitHub's names ignore case)? A run GitHub no longer finds
 * (404) does not. A failure reading it throws `refusal`, the error that made the App ask.
 */
async function stillWaits(
  octokit: Octokit,
  where: Where,
  run: number,
  environment: string,
  refusal: unknown,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.actions.getPendingDeploymentsForRun({ ...where, run_id: run });
    const wanted = environment.toLowerCase();
    return data.some((pending) => pending.environment.name?.toLowerCase() === wanted);
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw refusal;
  }
}

export interface AnswerPendingInput {
  where: Where;
  defaultBranch: string;
  /** The commit the approvals are for (the PR head). */
  sha: string;
  /** The environment whose gates (`approval / <environment>`) at the commit are decided again. */
  environment: string;
  now?: Date;
  markers: MarkerTrust;
  /** The App's one record reader (app/state.ts). */
  records: RecordReader;
  /** What this delivery has already read about people (approvers, contributors). */
  people?: PeopleCache;
  /** The delivery's read of the config (configOnce): the approval's own, when it was read. */
  config?: ConfigRead;
}

/**
 * After an approval or a veto: find the gates still waiting at `sha` (their `approval / <env>` check runs,
 * written by this app, conclusion action_required), decide again, and answer each run's callback when the
 * answer is final. Stateless: everything needed is on GitHub. Call with the installation's Octokit.
 */
export async function answerPendingProtectionRules(
  octokit: Octokit,
  input: AnswerPendingInput,
): Promise<PendingAnswer[]> {
  const appId = await ownAppId(octokit);
  // Every gate of the environment, a pending gate of an older run too, through the App's own check suites: not
  // GitHub's list of the commit's check runs, which holds only its 1000 newest check suites (and here read one
  // page of 100), so a flood of workflow runs would hide a waiting gate until it timed out.
  const gates = await gateRuns(octokit, input.where, input.sha, input.environment);
  const answers: PendingAnswer[] = [];
  const people = input.people ?? peopleCache();
  // The environment's locks, listed once for every gate waiting here (all of one environment), not once per
  // gate: nothing this answers takes a lock (only the App's /deploy does), and a lock taken after the listing
  // is missed however late it is read, so a listing per gate would only cost requests.
  let locks: Promise<Locks> | undefined;
  const readLocks = (): Promise<Locks> =>
    (locks ??= readLocksFor(octokit.rest, input.where, input.markers.keys, input.environment, { appId }));
  for (const checkRun of gates) {
    if (checkRun.app?.id !== appId || checkRun.conclusion !== 'action_required') continue;
    if (!checkRun.name.startsWith(GATE_PREFIX)) continue;
    const ref = parseGateRef(checkRun.external_id);
    if (!ref || gateName(ref.env) !== checkRun.name) continue;
    const starters = () => runStarters(octokit, input.where, ref.run, people);
    // The App's own deployment names its deployer: the run is read only if the approvals or a /lock can turn
    // on it. A gate written before locks were read here does not say whose deployment it is (byApp unknown).
    const started = ref.own ? undefined : await starters();
    const botLogin = await ownBotLogin(octokit);
    const deployment: GateDeployment = {
      byApp: ref.own,
      ...(ref.dep !== undefined ? { id: ref.dep } : {}),
      runCreatedAt: async () => (started ?? (await starters())).createdAt,
      deployers: async () =>
        lockDeployers(started ?? (await starters()), {
          byApp: ref.own,
          appRequester: ref.own ? ref.by : undefined,
          botLogin,
        }),
    };
    const decided = await decideGate(octokit, {
      where: input.where,
      defaultBranch: input.defaultBranch,
      environment: ref.env,
      sha: checkRun.head_sha,
      pullNumber: ref.pr,
      type: ref.type,
      requester: async () => gateRequesters(started ?? (await starters()), ref.own ? ref.by : undefined),
      people,
      ...(input.config ? { config: input.config } : {}),
      botLogin,
      markers: input.markers,
      records: input.records,
      locks: readLocks,
      deployment,
      now: input.now ?? new Date(),
    });
    // Known only when the run was read for the decision: never read for it alone.
    const knownAttempt = async (): Promise<number | undefined> =>
      (started ?? (await people.requesters.get(ref.run)?.catch(() => undefined)))?.attempt;
    // A re-run approved now takes its locks first (admitGate), as when the rule was asked: a lock that stops it
    // rejects it.
    const admission = await admitGate(octokit, input.where, decided, {
      run: ref.run,
      keys: input.markers.keys,
      botLogin,
      deployers: deployment.deployers,
      environment: ref.env,
      attempt: knownAttempt,
    });
    const gate: GateDecision =
      admission.status === 'locked' ? { answer: 'rejected', summary: admission.summary } : decided;
    // A first run rejected now (a veto, a window closed): named on its deployment before it is answered, through
    // the same path as when the rule was asked (its gate's waiting status named it already, unless written before).
    const held =
      gate.answer === 'rejected'
        ? await nameRejectedRun(input.markers.warn, octokit, input.where, gate, {
            run: ref.run,
            botLogin,
            attempt: knownAttempt,
          })
        : undefined;
    if (gate.answer === 'pending') {
      await octokit.rest.checks.update({
        ...input.where,
        check_run_id: checkRun.id,
        output: {
          title: `Waiting for approvals to deploy to ${ref.env}`,
          summary: fitCheckText(gate.summary),
        },
      });
    } else {
      if (
        !(await answeredRun(octokit, input.where, ref.run, ref.github ?? ref.env, gate.answer, gate.summary))
      ) {
        // An admitted re-run whose run no longer waits: its locks and its reopened deployment are given back.
        if (admission.status === 'admitted')
          await closeRerun(octokit.rest, input.where, admission.deployment, admission.held, {
            run: ref.run,
            botLogin,
          });
        // A first run named on its deployment just now (approved, or rejected): nothing deploys, and the run's
        // completion, delivered while it waited, may have found nothing of the App's to end then (a gate
        // written before its waiting status was).
        const named =
          admission.status === 'recorded'
            ? { deploymentId: admission.deploymentId, run: admission.run }
            : held;
        if (named)
          await endUnansweredRun(
            octokit.rest,
            input.where,
            named.deploymentId,
            { ...named.run, sha: checkRun.head_sha },
            botLogin,
          );
        // The run ended (cancelled, or timed out after GitHub's 30 days): its gate no longer shows an Approve
        // button for a deployment that cannot happen, and the other gates are still answered.
        await octokit.rest.checks.update({
          ...input.where,
          check_run_id: checkRun.id,
          conclusion: 'cancelled',
          output: {
            title: `Workflow run ${ref.run} no longer waits: ${ref.env}`,
            summary: `GitHub no longer holds workflow run ${ref.run} for this rule (it ended: cancelled, failed or timed out); nothing was deployed. Re-run the workflow to deploy.`,
          },
        });
        answers.push({ run: ref.run, environment: ref.env, checkRunId: checkRun.id, answer: 'ended' });
        continue;
      }
      await octokit.rest.checks.update({
        ...input.where,
        check_run_id: checkRun.id,
        conclusion: gate.answer === 'approved' ? 'success' : 'failure',
        output: {
          title: gate.answer === 'approved' ? `Approved: deploying to ${ref.env}` : `Rejected: ${ref.env}`,
          summary: fitCheckText(gate.summary),
        },
      });
    }
    answers.push({ run: ref.run, environment: ref.env, checkRunId: checkRun.id, answer: gate.answer });
  }
  return answers;
}

/** `now`: the app's clock (deployApp's option), the one windows and approval expiry are judged by. */
export function registerProtectionRule(
  app: Probot,
  now: () => Date,
  keys: MarkerKeys,
  records: RecordReader,
): void {
  app.on('deployment_protection_rule.requested', async (context) => {
    const outcome = await handleProtectionRule(
      context.octokit,
      context.payload as unknown as ProtectionRulePayload,
      markerTrust(keys, context.log),
      records,
      now(),
    );
    context.log.info({ delivery: context.id, ...outcome }, `deployment_protection_rule ${outcome.status}`);
  });
}
