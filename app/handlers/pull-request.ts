// pull_request.synchronize: a push gave the pull request a new head. Approvals are bound to the commit they
// were given for, so they stopped counting already; this tells the people on the PR so, once per push. The
// notice carries the new head in a signed marker: an approval written after it was written knowing that head
// (app/deploy/dispatch.ts, askedBefore).
import type { Probot } from 'probot';
import type { ApprovalRecord } from '../../src/policy/index.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { userText } from '../../src/github/user-text.ts';
import { FactsError } from '../facts/config.ts';
import type { Octokit } from '../facts/github.ts';
import { markerScope, markerTrust, ownAppId, ownBotLogin, readAppComments } from '../facts/own-comments.ts';
import { appendMarkers } from '../../src/github/hidden-marker.ts';
import { serializeHeadNotice } from '../deploy/head-notice.ts';
import { readLedger, withLedger } from '../facts/approval-ledger.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';

interface SynchronizePayload {
  before: string;
  after: string;
  number: number;
  pull_request: { number: number };
  repository: { name: string; owner: { login: string } };
}

/**
 * Pure: the approvals that counted for the previous head and no longer do, per environment, latest per
 * person (a person's later veto removes their earlier approval).
 */
export function approvalsMadeStale(
  records: readonly ApprovalRecord[],
  before: string,
): Map<string, string[]> {
  const latest = new Map<string, ApprovalRecord>();
  const ordered = [...records].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const r of ordered) {
    if (r.sha.toLowerCase() !== before.toLowerCase()) continue;
    latest.set(`${r.environment}\n${r.by.login.toLowerCase()}`, r);
  }
  const byEnvironment = new Map<string, string[]>();
  for (const r of latest.values()) {
    if (r.kind !== 'approve') continue;
    byEnvironment.set(r.environment, [...(byEnvironment.get(r.environment) ?? []), r.by.login]);
  }
  return byEnvironment;
}

export function staleApprovalsNotice(
  stale: Map<string, string[]>,
  before: string,
  after: string,
  /** Environments whose request or waiting protection rule asked approvals for `before`. */
  asked: readonly string[] = [],
): string {
  const lines = [...stale].map(
    ([environment, logins]) =>
      `- **${userText(environment)}**: ${logins.map((l) => userText(l, { as: 'mention' })).join(', ')}`,
  );
  const short = (sha: string) => userText(sha.slice(0, 7), { as: 'code' });
  const waiting = asked.length
    ? [
        `The approvals asked for ${short(before)} are for that commit only: ask ${asked.map((e) => userText(`/deploy ${e}`, { as: 'code' })).join(', ')} again for ${short(after)}.`,
        '',
      ]
    : [];
  return [
    ...(lines.length
      ? [
          `🔄 New commit ${short(after)} was pushed. The approvals given for ${short(before)} no longer count:`,
          '',
          ...lines,
          '',
        ]
      : [`🔄 New commit ${short(after)} was pushed.`, '']),
    ...waiting,
    // Only where approvals were given or asked for: otherwise the notice only marks the new head.
    lines.length || asked.length
      ? 'Approvals are bound to the commit they were given for: approve again for the new commit.'
      : `Commands written from now on act on ${short(after)}.`,
  ].join('\n');
}

export type SynchronizeOutcome =
  | { status: 'no_approvals' }
  | { status: 'notified'; environments: string[] }
  /** The approvals cannot be read (too_many_comments, the ledger): nobody is named, nothing posted. */
  | { status: 'unreadable'; code: string };

export async function handleSynchronize(
  octokit: Octokit,
  payload: SynchronizePayload,
  markers: MarkerTrust,
): Promise<SynchronizeOutcome> {
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const number = payload.pull_request.number;
  let records: ApprovalRecord[];
  let asked: string[];
  let shown: boolean;
  try {
    const [comments, ledger] = await Promise.all([
      readAppComments(octokit.rest, where, number, await ownBotLogin(octokit), markers),
      // An approval whose comment was deleted still counted (facts/approval-ledger.ts). This is only a notice:
      // a ledger that cannot be read (a force-pushed-away commit, say) names those of the comments.
      readLedger(octokit.rest, where, payload.before, number, await ownAppId(octokit), markers).catch(
        (error: unknown) => {
          if (error instanceof FactsError) return { records: [] };
          throw error;
        },
      ),
    ]);
    records = withLedger(comments.approvals, ledger.records);
    // What the App asked approvals for at the previous head (a /rollback asks for an earlier commit: not this).
    const previous = payload.before.toLowerCase();
    asked = [
      ...new Set([
        ...comments.pending
          .filter((p) => p.type !== 'rollback' && p.sha === previous)
          .map((p) => p.environment),
        ...comments.gates.filter((g) => g.sha === previous).map((g) => g.environment),
      ]),
    ];
    // Once the App has shown a head on this pull request, a command written after it is checked against what
    // it showed (app/deploy/dispatch.ts, askedBefore): every push is told, so the next command is for it.
    shown = comments.asked.some((a) => !a.rollback);
  } catch (error) {
    // Anyone who may comment can flood a public PR past what the App reads: every push then failed the
    // delivery. The approvals stopped counting anyway (they are bound to their commit).
    if (error instanceof FactsError) return { status: 'unreadable', code: error.code };
    throw error;
  }
  const stale = approvalsMadeStale(records, payload.before);
  if (stale.size === 0 && asked.length === 0 && !shown) return { status: 'no_approvals' };
  const head = serializeHeadNotice(payload.after, markers.keys, markerScope(where, number));
  await octokit.rest.issues.createComment({
    ...where,
    issue_number: number,
    body: appendMarkers(staleApprovalsNotice(stale, payload.before, payload.after, asked), [head]),
  });
  return { status: 'notified', environments: [...new Set([...stale.keys(), ...asked])] };
}

export function registerPullRequest(app: Probot, keys: MarkerKeys): void {
  app.on('pull_request.synchronize', async (context) => {
    const outcome = await handleSynchronize(
      context.octokit,
      context.payload as unknown as SynchronizePayload,
      markerTrust(keys, context.log),
    );
    context.log.info({ delivery: context.id, ...outcome }, `pull_request.synchronize ${outcome.status}`);
  });
}
