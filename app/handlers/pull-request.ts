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
import { fitComment } from '../../src/github/write-limits.ts';
import { serializeHeadNotice } from '../deploy/head-notice.ts';
import { recordHead } from '../deploy/head-history.ts';
import { anchorHead } from '../deploy/head-anchor.ts';
import { graphqlSwapRef, refReader } from '../schedule/swap-ref.ts';
import type { RecordHeadOutcome } from '../deploy/head-history.ts';
import { readLedger, withLedger } from '../facts/approval-ledger.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';
import { answerPendingProtectionRules } from './protection-rule.ts';
import type { PendingAnswer } from './protection-rule.ts';
import type { RecordReader } from '../state.ts';

interface SynchronizePayload {
  before: string;
  after: string;
  number: number;
  pull_request: { number: number; updated_at?: string };
  repository: { name: string; owner: { login: string }; node_id?: string };
}

interface OpenedPayload {
  action: string;
  number: number;
  pull_request: { number: number; head: { sha: string }; created_at?: string; updated_at?: string };
  repository: { name: string; owner: { login: string }; node_id?: string };
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
        `The approvals asked for ${short(before)} are for that commit only: ask ${asked.map((e) => userText(`/deploy ${e}`, { as: 'command' })).join(', ')} again for ${short(after)}.`,
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
  /** Nothing to tell anyone, and the App had shown no head: the new one is kept without a comment. */
  | { status: 'head_recorded'; head: RecordHeadOutcome | 'no_time' | 'failed' }
  | { status: 'notified'; environments: string[]; gates?: string[] }
  /** A later push already moved the head on from this one's commit (`head`): nothing is posted. */
  | { status: 'superseded'; head: string; gates?: string[] }
  /**
   * The approvals cannot be read (too_many_comments, the ledger): nobody is named, nothing posted. The head
   * is kept all the same (a ref and a check run, no comment), so a command written before the push is not
   * taken for the pushed head once the pull request is readable again.
   */
  | { status: 'unreadable'; code: string; head: RecordHeadOutcome | 'no_time' | 'failed' };

/** The delivery's log, for a failure worth more than a warning (keepHead). Without it: markers.warn. */
export interface HeadLog {
  error: (fields: Record<string, unknown>, message: string) => void;
}

export async function handleSynchronize(
  octokit: Octokit,
  payload: SynchronizePayload,
  markers: MarkerTrust,
  log?: HeadLog,
): Promise<SynchronizeOutcome> {
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const number = payload.pull_request.number;
  let records: ApprovalRecord[];
  let asked: string[];
  let shown: boolean;
  // The environments whose protection rule the App showed waiting at the previous head (answerMovedGates).
  let gates: string[] = [];
  try {
    const comments = await readAppComments(octokit.rest, where, number, await ownBotLogin(octokit), markers);
    // An approval whose comment was deleted still counted (facts/approval-ledger.ts). This is only a notice:
    // a ledger that cannot be read (a force-pushed-away commit, say) names those of the comments. Read only
    // where the App's comments show it recorded or asked approvals on this pull request: on one where it has
    // shown nothing a push costs the head's record alone (a ledger record whose reply was deleted is stale
    // with the push all the same; only its line in a notice is lost).
    const told = comments.approvals.length > 0 || comments.pending.length > 0 || comments.gates.length > 0;
    const ledger =
      told || comments.asked.length > 0
        ? await readLedger(
            octokit.rest,
            where,
            payload.before,
            number,
            await ownAppId(octokit),
            markers,
          ).catch((error: unknown) => {
            if (error instanceof FactsError) return { records: [] };
            throw error;
          })
        : { records: [] };
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
    gates = [...new Set(comments.gates.filter((g) => g.sha === previous).map((g) => g.environment))];
    // Once the App has shown a head on this pull request, a command written after it is checked against what
    // it showed (app/deploy/dispatch.ts, askedBefore): every push is told, so the next command is for it.
    shown = comments.asked.some((a) => !a.rollback);
  } catch (error) {
    // Anyone who may comment can flood a public PR past what the App reads: every push then failed the
    // delivery. The approvals stopped counting anyway (they are bound to their commit). The head is kept
    // without reading a comment.
    if (error instanceof FactsError)
      return {
        status: 'unreadable',
        code: error.code,
        head: await keepHead(
          octokit,
          where,
          markers,
          number,
          payload.after,
          payload.pull_request.updated_at,
          {
            repositoryNodeId: payload.repository.node_id,
            ...(log ? { log } : {}),
          },
        ),
      };
    throw error;
  }
  const stale = approvalsMadeStale(records, payload.before);
  // The App has shown nothing on this pull request: no comment, but the head and GitHub's time of the push
  // are kept (head-history.ts), so a command written before it is not taken for it.
  if (stale.size === 0 && asked.length === 0 && !shown)
    return {
      status: 'head_recorded',
      head: await keepHead(octokit, where, markers, number, payload.after, payload.pull_request.updated_at, {
        repositoryNodeId: payload.repository.node_id,
        ...(log ? { log } : {}),
      }),
    };
  // A delivery of an earlier push handled after a later one (GitHub keeps no order between deliveries; a
  // redelivery comes days later): the pull request's head is neither this push's commit nor the one before it.
  // Telling its commit as the new head would make every approval of the real head refused as written before a
  // push (dispatch.ts, headMovedSince) and ask people to deploy an older commit. (The head read just before it
  // moved, for a while after a push: still the one before it; then the notice is posted.)
  const current = (
    await octokit.rest.pulls.get({ ...where, pull_number: number })
  ).data.head.sha.toLowerCase();
  if (current !== payload.after.toLowerCase() && current !== payload.before.toLowerCase())
    return { status: 'superseded', head: current, ...(gates.length ? { gates } : {}) };
  const head = serializeHeadNotice(payload.after, markers.keys, markerScope(where, number));
  await octokit.rest.issues.createComment({
    ...where,
    issue_number: number,
    body: fitComment(
      appendMarkers(staleApprovalsNotice(stale, payload.before, payload.after, asked), [head]),
    ),
  });
  return {
    status: 'notified',
    environments: [...new Set([...stale.keys(), ...asked])],
    ...(gates.length ? { gates } : {}),
  };
}

/**
 * The protection rules waiting at the previous head `before` of the pull request, decided again now that the
 * push moved it: a deployment of `before` through this pull request can no longer be approved (sha_moved), so
 * its run is answered rejected at once, with the reason, rather than left waiting until GitHub times it out
 * (30 days), and any concurrency group its job is in with it. A gate of another pull request whose head is still
 * `before` is decided like any other and keeps waiting.
 */
export async function answerMovedGates(
  octokit: Octokit,
  payload: SynchronizePayload & { repository: { default_branch?: string } },
  environments: readonly string[],
  deps: { markers: MarkerTrust; records: RecordReader; now: Date },
): Promise<PendingAnswer[]> {
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const defaultBranch =
    payload.repository.default_branch ?? (await octokit.rest.repos.get(where)).data.default_branch;
  const answers: PendingAnswer[] = [];
  for (const environment of environments)
    answers.push(
      ...(await answerPendingProtectionRules(octokit, {
        where,
        defaultBranch,
        environment,
        sha: payload.before.toLowerCase(),
        now: deps.now,
        markers: deps.markers,
        records: deps.records,
      })),
    );
  return answers;
}

/** GitHub's time a head became current, as the webhook says it: kept with the head, or nothing kept. */
async function keepHead(
  octokit: Octokit,
  where: { owner: string; repo: string },
  markers: MarkerTrust,
  pr: number,
  sha: string,
  at: string | undefined,
  repository: { repositoryNodeId: string | undefined; log?: HeadLog },
): Promise<RecordHeadOutcome | 'no_time' | 'failed'> {
  const time = at ? new Date(at) : undefined;
  // Without a time, nothing is kept: a command is then bound to an older head, and refused.
  if (!time || Number.isNaN(time.getTime()) || !/^[0-9a-f]{40}$/i.test(sha)) return 'no_time';
  const id = repository.repositoryNodeId;
  let anchored = false;
  try {
    return await recordHead(
      octokit.rest,
      where,
      markers.keys,
      pr,
      { sha: sha.toLowerCase(), at: time },
      {
        anchor: async (seen) => {
          // Set before the call: an anchor written whose answer was lost still makes commands refuse.
          anchored = true;
          await anchorHead(octokit.rest, where, pr, seen);
        },
        ...(id
          ? {
              swap: graphqlSwapRef(
                (query, variables) => octokit.graphql(query, variables),
                id,
                refReader(octokit.rest.git, where),
              ),
            }
          : {}),
      },
    );
  } catch (error) {
    const fields = { repository: `${where.owner}/${where.repo}`, pr, sha, error: (error as Error).message };
    if (anchored) {
      // The anchor says this head was recorded and the history does not have it: commands on the pull request
      // are refused (history_stale or history_missing) until the App shows the head or a push records one.
      const message =
        'the head of the pull request could not be recorded after its anchor was written: its commands are refused (history_stale or history_missing) until a refusal shows the head or the next push records one';
      if (repository.log) repository.log.error(fields, message);
      else markers.warn(fields, message);
      return 'failed';
    }
    // Not kept: a command written before the next head the App keeps is bound to an older one, and refused.
    markers.warn(fields, 'the head of the pull request could not be kept');
    return 'failed';
  }
}

/**
 * pull_request.opened and reopened: the head, from GitHub's time of the event (the pull request's creation;
 * for a reopening, its update), kept without a comment (head-history.ts).
 */
export async function handleOpened(
  octokit: Octokit,
  payload: OpenedPayload,
  markers: MarkerTrust,
  log?: HeadLog,
): Promise<{ status: 'head_recorded'; head: RecordHeadOutcome | 'no_time' | 'failed' }> {
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const pull = payload.pull_request;
  const at = payload.action === 'opened' ? pull.created_at : pull.updated_at;
  return {
    status: 'head_recorded',
    head: await keepHead(octokit, where, markers, pull.number, pull.head.sha, at, {
      repositoryNodeId: payload.repository.node_id,
      ...(log ? { log } : {}),
    }),
  };
}

export function registerPullRequest(
  app: Probot,
  keys: MarkerKeys,
  records: RecordReader,
  now: () => Date,
): void {
  app.on(['pull_request.opened', 'pull_request.reopened'], async (context) => {
    const outcome = await handleOpened(
      context.octokit,
      context.payload as unknown as OpenedPayload,
      markerTrust(keys, context.log),
      context.log,
    );
    context.log.info(
      { delivery: context.id, ...outcome },
      `pull_request.${context.payload.action} ${outcome.status}`,
    );
  });
  app.on('pull_request.synchronize', async (context) => {
    const payload = context.payload as unknown as SynchronizePayload & {
      repository: { default_branch?: string };
    };
    const markers = markerTrust(keys, context.log);
    const outcome = await handleSynchronize(context.octokit, payload, markers, context.log);
    context.log.info({ delivery: context.id, ...outcome }, `pull_request.synchronize ${outcome.status}`);
    const gates = 'gates' in outcome ? outcome.gates : undefined;
    if (gates) {
      // The notice is out: a failure here is logged, not thrown, so a redelivery does not post it twice. The
      // gates stay as they were (the next approval of their commit, or GitHub's timeout, ends them).
      try {
        const answers = await answerMovedGates(context.octokit, payload, gates, {
          markers,
          records,
          now: now(),
        });
        context.log.info(
          { delivery: context.id, answers },
          'protection rules of the previous head decided again',
        );
      } catch (error) {
        context.log.error(
          { delivery: context.id, gates, error: (error as Error).message },
          'the protection rules of the previous head could not be decided again',
        );
      }
    }
  });
}
