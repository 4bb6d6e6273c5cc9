// check_run.requested_action (identifier `approve`): the Approve button on a waiting `approval / <env>`
// gate. Same rules as /approve-deploy: the clicking user must be allowed to approve (mayApprove: approvers,
// permission, no self-approval) and the approval is bound to the pull request's head SHA, which must still
// be the commit the gate is for. The approval is recorded as a marker in an app comment on the PR, then the
// waiting protection rules are answered if the approval completes them.
import type { Probot } from 'probot';
import {
  explainApprover,
  mayApprove,
  resolvePolicy,
  serializeApprovalMarker,
} from '../../src/policy/index.ts';
import type { ApprovalRecord } from '../../src/policy/index.ts';
import { appendMarkers } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { userText } from '../../src/github/user-text.ts';
import type { Octokit } from '../facts/github.ts';
import { FactsError, loadConfig } from '../facts/config.ts';
import { actorOf, readPull, teamsNamed } from '../facts/pull-request.ts';
import { markerScope, markerTrust, ownAppId } from '../facts/own-comments.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';
import { answerPendingProtectionRules, GATE_PREFIX, gateName, parseGateRef } from './protection-rule.ts';
import type { PendingAnswer } from './protection-rule.ts';

interface RequestedActionPayload {
  requested_action?: { identifier: string } | null;
  check_run: {
    id: number;
    name: string;
    head_sha: string;
    external_id: string | null;
    app: { id: number } | null;
  };
  sender: { login: string; type?: string };
  repository: { name: string; owner: { login: string }; default_branch: string };
}

export type ApproveButtonOutcome =
  | { status: 'ignored'; reason: string }
  | { status: 'refused'; code: string }
  | { status: 'approved'; answers: PendingAnswer[] };

const isBot = (who: { login: string; type?: string }): boolean =>
  who.type === 'Bot' || who.login.toLowerCase().endsWith('[bot]');

export async function handleApproveButton(
  octokit: Octokit,
  payload: RequestedActionPayload,
  markers: MarkerTrust,
  now: Date = new Date(),
): Promise<ApproveButtonOutcome> {
  if (payload.requested_action?.identifier !== 'approve') return { status: 'ignored', reason: 'not_approve' };
  const { check_run: checkRun, sender } = payload;
  if (!checkRun.name.startsWith(GATE_PREFIX)) return { status: 'ignored', reason: 'not_a_gate' };
  if (isBot(sender)) return { status: 'ignored', reason: 'bot' };
  const appId = await ownAppId(octokit);
  const ref = parseGateRef(checkRun.external_id);
  if (checkRun.app?.id !== appId || !ref || gateName(ref.env) !== checkRun.name)
    return { status: 'ignored', reason: 'not_our_gate' };
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const reply = (body: string) => octokit.rest.issues.createComment({ ...where, issue_number: ref.pr, body });
  const who = userText(sender.login, { as: 'mention' });
  const short = (sha: string) => userText(sha.slice(0, 7), { as: 'code' });
  const env = userText(ref.env, { as: 'code' });

  let config;
  try {
    config = await loadConfig(octokit.rest, where, payload.repository.default_branch);
  } catch (error) {
    if (!(error instanceof FactsError)) throw error;
    await reply(
      `**Approval not recorded** (\`policy_unreadable\`): ${userText(error.message, { max: 1000 })}`,
    );
    return { status: 'refused', code: 'policy_unreadable' };
  }
  const pull = await readPull(octokit.rest, where, ref.pr);
  // SHA binding: the button belongs to the gate's commit; after a push it would approve code nobody saw.
  if (pull.headSha !== checkRun.head_sha.toLowerCase()) {
    await reply(
      `**Approval by ${who} not recorded** (\`sha_moved\`): the Approve button was for commit ${short(checkRun.head_sha)}, the pull request is now at ${short(pull.headSha)}.`,
    );
    return { status: 'refused', code: 'sha_moved' };
  }
  const teams = Object.hasOwn(config.environments, ref.env) ? teamsNamed(resolvePolicy(config, ref.env)) : [];
  const actor = await actorOf(octokit.rest, where, sender.login, teams);
  const decision = mayApprove({
    config,
    environment: ref.env,
    actor,
    type: ref.type,
    author: pull.author,
    kind: 'approve',
  });
  if (!decision.ok) {
    await reply(
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
  const marker = serializeApprovalMarker(record, markers.keys, markerScope(where, ref.pr));
  await reply(
    appendMarkers(`✅ ${who} approved deploying ${short(pull.headSha)} to ${env} (Approve button).`, [
      marker,
    ]),
  );
  const answers = await answerPendingProtectionRules(octokit, {
    where,
    defaultBranch: payload.repository.default_branch,
    sha: pull.headSha,
    environment: ref.env,
    now,
    markers,
  });
  return { status: 'approved', answers };
}

/** `now`: the app's clock (deployApp's option), so approval times and windows follow the same clock. */
export function registerCheckRun(app: Probot, now: () => Date, keys: MarkerKeys): void {
  app.on('check_run.requested_action', async (context) => {
    const outcome = await handleApproveButton(
      context.octokit,
      context.payload as unknown as RequestedActionPayload,
      markerTrust(keys, context.log),
      now(),
    );
    context.log.info(
      { delivery: context.id, check_run: context.payload.check_run.id, status: outcome.status },
      `check_run.requested_action ${outcome.status}`,
    );
  });
}
