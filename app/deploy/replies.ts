// The words of the app's replies, pure. Every refusal starts with a stable reason code in backticks.
import { explainRefusal } from '../../src/policy/index.ts';
import type { PolicyRefusal, Policy, Principal } from '../../src/policy/index.ts';
import type { LockInfo } from '../locks.ts';
import type { Reply } from '../handlers/comment.ts';

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

export function lockOwner(lock: LockInfo): string {
  const where = lock.target.scope === 'global' ? 'every environment' : `\`${lock.target.environment}\``;
  // Only a real login is @-mentioned: `unknown` or `deployment` would notify whoever owns that name.
  const named =
    /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(lock.holder) &&
    !/^(unknown|deployment)$/.test(lock.holder);
  const holder = named ? `@${lock.holder}` : `\`${lock.holder}\``;
  const pr = lock.pullRequest ? ` (PR #${lock.pullRequest})` : '';
  const why = lock.reason ? `: ${lock.reason.replace(/[\r\n`]/g, ' ')}` : '';
  if (lock.deployment) {
    const by = named ? ` for ${holder}` : '';
    return `${where} is locked by a running deployment of \`${lock.sha.slice(0, 12)}\`${by}${pr}${lock.createdAt ? ` since ${lock.createdAt}` : ''}${why}`;
  }
  return `${where} is locked by ${holder}${pr} since ${lock.createdAt}${why}`;
}

export function who(principals: readonly Principal[]): string {
  return principals.length ? principals.map((p) => `@${p}`).join(', ') : 'anyone with write permission';
}

/** The live policy of one environment in one line, for /help and replies. */
export function policySummary(policy: Policy): string {
  const parts = [
    `deployers: ${who(policy.deployers)}`,
    `${policy.required} approval(s) from ${who(policy.approvers)}${policy.allowSelfApproval ? ' (self-approval allowed)' : ''}`,
  ];
  if (policy.requires.length) parts.push(`requires ${policy.requires.join(', ')} first`);
  if (policy.requiredChecks.length) parts.push(`checks: ${policy.requiredChecks.join(', ')}`);
  if (policy.windows.length) parts.push(`windows in ${policy.timezone}`);
  if (policy.freezes.length) parts.push(`${policy.freezes.length} freeze(s)`);
  return `- \`${policy.environment}\`: ${parts.join('; ')}`;
}
