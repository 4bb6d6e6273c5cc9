// The words of the app's replies, pure. Every refusal starts with a stable reason code in backticks. Every
// value that is not the app's own words goes through userText (src/github/user-text.ts).
import { explainRefusal, requiredCheckLabel, stagingPrefix } from '../../src/policy/index.ts';
import { GITHUB_LOGIN, userText } from '../../src/github/user-text.ts';
import type { ApprovalRule, PolicyRefusal, Policy, Principal } from '../../src/policy/index.ts';
import { UNKNOWN_HOLDER, type LockInfo } from '../locks.ts';
import type { Reply } from '../handlers/comment.ts';

/**
 * A deployment's number as a reply writes it, `#123` with a zero-width joiner after the `#` (userText): GitHub
 * would link `#123` to issue or pull request 123 of the repository (and list the pull request in its timeline).
 * A deployment's id is no issue number; on GitHub Enterprise Server both are small enough to meet.
 */
export const deploymentNumber = (id: number | string): string => userText(`#${id}`);

/** `message` is the app's sentence: every value in it already went through userText. */
export function refusal(code: string, message: string): Reply {
  return { reaction: 'confused', body: `**Not accepted** (\`${code}\`): ${message}` };
}

/** A policy refusal with every further reason, so one reply says everything that stands in the way. */
export function policyRefusal(first: PolicyRefusal, also: readonly PolicyRefusal[]): Reply {
  const more = also.map((r) => `- \`${r.code}\`: ${explainRefusal(r)}`);
  const body = [`**Not deployed** (\`${first.code}\`): ${explainRefusal(first)}`];
  if (more.length) body.push('', 'Also:', ...more);
  return { reaction: 'confused', body: body.join('\n') };
}

/**
 * What releases a person's lock the App marked released (releasedBefore): nobody holds it by name, so --force,
 * or the /unlock of the holder its record names, which finishes the release the App began (mayRelease). One
 * wording for the refusals of a deployment under it (/deploy, the protection rule).
 * `environment` is the one the deployment asked for.
 */
export function releasedLockUnlock(lock: LockInfo, environment: string): string {
  const holder = userText(lock.holder, { as: 'code' });
  return lock.target.scope === 'global'
    ? `\`/unlock --global --force\`, or ${holder}'s \`/unlock --global\` finishing the release the App began`
    : `\`/unlock\` ${userText(environment, { as: 'code' })} \`--force\`, or ${holder}'s \`/unlock\` finishing the release the App began`;
}

/** Why a deployment is refused under `lock`: who holds it, and for a lock nobody holds by name, what releases it. */
export function lockedMessage(lock: LockInfo, environment: string): string {
  // A lock of another environment stops this deployment when it is the staging environment the run changes
  // first (app/deploy/start.ts): said as such.
  const locked = lock.target.scope === 'environment' ? lock.target.environment : undefined;
  const prefix =
    locked !== undefined && locked.toLowerCase() !== environment.toLowerCase() ? stagingPrefix(locked) : '';
  return lock.releasedBefore
    ? `${prefix}${lockOwner(lock)}. Nobody deploys there until ${releasedLockUnlock(lock, locked ?? environment)}`
    : `${prefix}${lockOwner(lock)}`;
}

/**
 * Who held a lock an /unlock released: a person by their login; a deployment's lock by its deployment and commit
 * (as deploymentLockOwner found them), as lockOwner names it, never by the ref's placeholder holder `deployment`.
 */
export function lockHolder(lock: LockInfo): string {
  const holder = userText(lock.holder, { as: 'code', max: 100 });
  if (!lock.deployment)
    return `${holder}${lock.holderUnverified && !lock.releasedBefore && lock.holder !== UNKNOWN_HOLDER ? ', unverified record' : ''}`;
  const sha = userText(lock.sha.slice(0, 12), { as: 'code' });
  if (lock.noDeploymentSeen) return `a deployment of ${sha} not made yet`;
  if (lock.endedDeployment !== undefined)
    return `no running deployment: deployment ${lock.endedDeployment} of ${sha} had ended`;
  const by =
    lock.holder === UNKNOWN_HOLDER || lock.holder === 'deployment'
      ? ''
      : lock.holderUnverified
        ? ` created by ${holder}`
        : ` for ${holder}`;
  const which =
    lock.heldByDeployment !== undefined
      ? `deployment **${deploymentNumber(lock.heldByDeployment)}**`
      : 'a deployment';
  // A staging environment's lock held by a deployment to the environment that deploys it first.
  const to = lock.heldFor !== undefined ? ` to ${userText(lock.heldFor, { as: 'code' })}` : '';
  return `the running ${which}${to} of ${sha}${by}`;
}

export function lockOwner(lock: LockInfo): string {
  // A lock's environment, holder and reason come from a ref and a tag anyone with push access can write.
  const where =
    lock.target.scope === 'global' ? 'every environment' : userText(lock.target.environment, { as: 'code' });
  // Only a real login is @-mentioned: UNKNOWN_HOLDER is nobody, `deployment` (a deployment's lock) would
  // notify whoever owns that name, and a holder that is no login (an `org/team` would notify the whole team)
  // is named as text. Nor the creator of a deployment the App did not make, nor the holder a lock record
  // names when its MAC does not verify (anyone who can push writes one): shown, never notified.
  const named = !lock.holderUnverified && lock.holder !== UNKNOWN_HOLDER && lock.holder !== 'deployment';
  const mention = named && GITHUB_LOGIN.test(lock.holder);
  const holder = userText(lock.holder, { as: mention ? 'mention' : 'code', max: 100 });
  const pr = lock.pullRequest ? ` (PR #${lock.pullRequest})` : '';
  const why = lock.reason ? `: ${userText(lock.reason)}` : '';
  const since = lock.createdAt ? ` since ${userText(lock.createdAt, { as: 'code', max: 40 })}` : '';
  // The environment comes from a ref's name: written into the code span only when it is a plain name.
  const env =
    lock.target.scope === 'environment' && /^[A-Za-z0-9._-]+$/.test(lock.target.environment)
      ? ` ${lock.target.environment}`
      : ' <environment>';
  if (lock.deployment && lock.noDeploymentSeen) {
    const force = env === ' <environment>' ? '`--force`' : `\`/unlock${env} --force\``;
    return `${where} is locked for a deployment of ${userText(lock.sha.slice(0, 12), { as: 'code' })} not made yet: it is being started, or a start that could not tell whether GitHub made it kept the lock (if no deployment of that commit comes, ${force} releases it)`;
  }
  if (lock.deployment && lock.endedDeployment !== undefined) {
    return `${where} is locked at ${userText(lock.sha.slice(0, 12), { as: 'code' })} by no running deployment: deployment ${lock.endedDeployment} of that commit has ended, so its lock was left behind or put back by hand (\`/unlock${env} --force\` releases it)`;
  }
  if (lock.deployment) {
    const by = named
      ? ` for ${holder}`
      : lock.holderUnverified && lock.holder !== UNKNOWN_HOLDER
        ? ` created by ${holder}`
        : '';
    return `${where} is locked by a running deployment of ${userText(lock.sha.slice(0, 12), { as: 'code' })}${by}${pr}${since}${why}`;
  }
  const unverified = lock.releasedBefore
    ? ' (a lock the App marked released: nobody holds it)'
    : lock.holderUnverified && lock.holder !== UNKNOWN_HOLDER
      ? ' (unverified record)'
      : '';
  return `${where} is locked by ${holder}${unverified}${pr}${since}${why}`;
}

export function who(principals: readonly Principal[]): string {
  return principals.length
    ? principals.map((p) => userText(p, { as: 'mention' })).join(', ')
    : 'anyone with write permission';
}

const list = (values: readonly string[]) => values.map((v) => userText(v)).join(', ');

/**
 * "of which 1 from `Security` (acme/security) and 2 from `Ops` (dave, erin)" for a rule's approval groups
 * (seed 05's "Manager + Security": each needs its own count), named without a ping; "" without groups.
 */
export function groupsText(groups: ApprovalRule['groups']): string {
  if (!groups?.length) return '';
  return `of which ${groups.map((g) => `${g.required} from ${userText(g.name, { as: 'code' })} (${list(g.approvers)})`).join(' and ')}`;
}

/**
 * The approvals a scheduled or queued deployment needs, under each rule it is held to: the rule of the
 * environment named in the command, then that of the staging environment it changes first (`staging`), as the
 * waiting reply of /deploy says them. A rule that needs none is left out; undefined: none needs any.
 */
export function approvalsNeededText(
  rules: ReadonlyArray<{ environment: string; rule: ApprovalRule; staging: boolean }>,
): string | undefined {
  const parts = rules
    .filter(({ rule }) => rule.required > 0)
    .map(({ environment, rule, staging }, index) => {
      const groups = groupsText(rule.groups);
      // Its approvers are named: whoever approves under the staging environment's rule only counts there.
      const under = staging
        ? ` for the staging environment ${userText(environment, { as: 'code' })}, which this deployment changes first, from ${who(rule.approvers)}`
        : '';
      return `${rule.required} approval(s)${index === 0 ? ' of this commit' : ''}${under}${groups ? `, ${groups}` : ''}`;
    });
  return parts.length ? parts.join(' and ') : undefined;
}

/**
 * /help's line under an environment whose standard deployments deploy `staging` first: they are held to its
 * rules and its lock too (changed-environments.ts). A hotfix and a rollback skip staging.
 */
export function stagingSummary(staging: string): string {
  const name = userText(staging, { as: 'code' });
  return `  - a standard deployment deploys ${name} first and is held to the rules and the lock of ${name} too (a hotfix or a /rollback skips it)`;
}

/** The live policy of one environment in one line, for /help and replies. */
export function policySummary(policy: Policy): string {
  const parts = [
    `deployers: ${who(policy.deployers)}`,
    `${policy.required} approval(s) from ${who(policy.approvers)}${policy.allowSelfApproval ? ' (self-approval allowed)' : ''}`,
  ];
  const groups = groupsText(policy.groups);
  if (groups) parts.push(groups);
  if (policy.requires.length) parts.push(`requires ${list(policy.requires)} first`);
  if (policy.requiredChecks.length)
    parts.push(`checks: ${list(policy.requiredChecks.map(requiredCheckLabel))}`);
  if (policy.releaseTags.length) parts.push(`tagged releases only: ${list(policy.releaseTags)}`);
  if (policy.windows.length) parts.push(`windows in ${userText(policy.timezone)}`);
  if (policy.freezes.length) parts.push(`${policy.freezes.length} freeze(s)`);
  return `- ${userText(policy.environment, { as: 'code' })}: ${parts.join('; ')}`;
}
