// The approvals ledger: every approval and veto the App records is also written as a check run of its own on
// the commit it is for, so that deleting the App's comment on the pull request (anyone with write access can
// delete any comment) does not undo it. A deleted veto would fail open: the deployment it held would go ahead.
//
// One check run per record, named `deploy-action approvals`, created by the App, completed as neutral (it
// never blocks a merge), its output.text the same signed approval marker the App's comment carries, bound to
// the repository and the pull request. Nobody can delete a check run, and only the app that created one can
// change it. Records are created, never updated: an update has no compare-and-swap, so two replicas adding
// to one shared check run at once could each overwrite the other's record (a lost veto), and a shared text
// would need a compaction that could drop a veto the tally still counts. A record is read back only from a
// check run of this App (its app id), of this name, whose marker verifies for this pull request.
//
// Read through the App's own check suite of the commit: GitHub lists a commit's check runs from its 1000
// newest check suites only, and anyone who can run workflows could push the App's suite off that list.
import { createHash } from 'node:crypto';
import { checkRunsThroughSuites, TooManyCheckRuns } from '../../src/github/app-check-runs.ts';
import type { CheckSuitesApi } from '../../src/github/app-check-runs.ts';
import { appendMarkers, readMarkerBlock } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { userText } from '../../src/github/user-text.ts';
import { CHECK_TEXT_MAX_BYTES, fitCheckText } from '../../src/github/write-limits.ts';
import { writeOnce } from '../../src/github/write-once.ts';
import {
  APPROVAL_MARKER,
  parseApprovalMarkers,
  serializeApprovalMarker,
  tallyOrder,
  unreadableApprovalMarkers,
} from '../../src/policy/index.ts';
import type { ApprovalRecord } from '../../src/policy/index.ts';
import { FactsError } from './config.ts';
import type { Where } from './github.ts';
import { githubAnswered } from './github.ts';
import { markerScope } from './own-comments.ts';
import type { MarkerTrust } from './own-comments.ts';

export const LEDGER_CHECK_NAME = 'deploy-action approvals';
/** Records read per commit at most (10 pages): with more, nothing is decided on the commit (fail closed). */
export const LEDGER_MAX_ENTRIES = 1000;

interface LedgerRun {
  id: number;
  name: string;
  external_id: string | null;
  app: { id: number } | null;
  output: { text?: string | null };
}

/** The calls the ledger makes (`octokit.rest` has them). */
export interface LedgerApi {
  checks: CheckSuitesApi<LedgerRun>['checks'] & {
    get(params: { owner: string; repo: string; check_run_id: number }): Promise<{ data: LedgerRun }>;
    create(params: {
      owner: string;
      repo: string;
      name: string;
      head_sha: string;
      external_id: string;
      status: 'completed';
      conclusion: 'neutral';
      completed_at: string;
      output: { title: string; summary: string; text: string };
      request?: { retries: number };
    }): Promise<{ data: { id: number } }>;
  };
}

export interface Ledger {
  /** The verified records of this pull request at this commit. */
  records: ApprovalRecord[];
  /** Ledger check runs of the App on the commit, for any pull request: what counts against the limit. */
  entries: number;
  /** The external_ids of this pull request's ledger check runs (eventExternalId finds a press in them). */
  externalIds: ReadonlySet<string>;
}

/** `approval:<pr>:`: a record's check run says which pull request it is for, so others are not checked. */
const externalPrefix = (pr: number): string => `approval:${pr}:`;

/**
 * The external_id of the record a webhook event made (`eventId`: what its signature covers, e.g. an Approve
 * press's body, press-answer.ts: pressBody; never its X-GitHub-Delivery GUID, which anyone holding the signed
 * body can change): every delivery of that body (GitHub's redelivery, or one sent again under another id)
 * finds its record and adds none.
 */
export const eventExternalId = (pr: number, eventId: string): string =>
  `${externalPrefix(pr)}event-${createHash('sha256').update(eventId).digest('hex').slice(0, 32)}`;

const short = (sha: string): string => sha.slice(0, 12);

function tooMany(sha: string): FactsError {
  return new FactsError(
    'approvals_ledger_full',
    `commit ${short(sha)} has more than ${LEDGER_MAX_ENTRIES} "${LEDGER_CHECK_NAME}" check runs, the most the ` +
      'app reads for its approvals and vetoes: nothing is decided on them and no more are recorded (push a new commit)',
  );
}

/** Every ledger check run of this App on `sha` (any pull request), oldest first. */
async function listRuns(api: LedgerApi, where: Where, sha: string, appId: number): Promise<LedgerRun[]> {
  try {
    const read = await checkRunsThroughSuites(api, where, {
      sha,
      name: LEDGER_CHECK_NAME,
      appId,
      maxSuites: LEDGER_MAX_ENTRIES,
      maxRuns: LEDGER_MAX_ENTRIES,
    });
    return read.runs;
  } catch (error) {
    if (error instanceof TooManyCheckRuns) throw tooMany(sha);
    throw error;
  }
}

/**
 * The approvals and vetoes of pull request `pr` recorded at `sha`. Throws a FactsError when the ledger cannot
 * be read (or holds more than is read): never an empty answer, which would be read as "no vetoes".
 */
export async function readLedger(
  api: LedgerApi,
  where: Where,
  sha: string,
  pr: number,
  appId: number,
  trust: MarkerTrust,
): Promise<Ledger> {
  let runs: LedgerRun[];
  try {
    runs = await listRuns(api, where, sha, appId);
  } catch (error) {
    if (error instanceof FactsError) throw error;
    throw new FactsError(
      'approvals_ledger_unreadable',
      `the approvals and vetoes of commit ${short(sha)} cannot be read from its "${LEDGER_CHECK_NAME}" check ` +
        `runs (${githubAnswered(error)}): nothing is decided without them; try again`,
    );
  }
  const scope = markerScope(where, pr);
  const records: ApprovalRecord[] = [];
  const externalIds = new Set<string>();
  for (const run of runs) {
    if (!run.external_id?.startsWith(externalPrefix(pr))) continue;
    externalIds.add(run.external_id);
    let text = run.output.text;
    if (text === undefined) {
      // The list documents output.text; should an answer leave it out, the check run itself is read.
      try {
        ({ text } = (await api.checks.get({ ...where, check_run_id: run.id })).data.output);
      } catch (error) {
        throw new FactsError(
          'approvals_ledger_unreadable',
          `the approval record in check run ${run.id} of commit ${short(sha)} cannot be read (${githubAnswered(error)}): ` +
            'nothing is decided without it; try again',
        );
      }
    }
    const markers = readMarkerBlock(text ?? '', [APPROVAL_MARKER], {
      keys: trust.keys,
      scope,
      onTamper: (t) =>
        trust.warn(
          { repository: scope.repository, pr, check_run: run.id, marker: t.kind, reason: t.reason },
          "ignored a ledger record that is not the app's own (tampering?)",
        ),
    });
    // The App's own record that this version cannot read (a newer version's, beside this one in a rolling
    // upgrade or left by it before a downgrade) may be a veto: skipped, the deployment it holds would go ahead.
    const unreadable = unreadableApprovalMarkers(markers).find(
      (u) => u.sha === undefined || u.sha === sha.toLowerCase(),
    );
    if (unreadable)
      throw new FactsError(
        'approvals_ledger_unreadable',
        `the approval or veto recorded in check run ${run.id} of commit ${short(sha)} is one this version of ` +
          `the app cannot read (${unreadable.why}), written by a newer version of the app: nothing is decided ` +
          'without it; run that version or a later one on every replica of the app',
      );
    // Only this commit's: a record is written on the commit it is for.
    records.push(...parseApprovalMarkers(markers).filter((r) => r.sha === sha.toLowerCase()));
  }
  return { records, entries: runs.length, externalIds };
}

/**
 * The ledger's mark that the App started waiting request `commentId` (the `/deploy` comment whose marker held
 * it) of pull request `pr`, as deployment `deploymentId`. The request's marker stays on the pull request after
 * it started, and the App's deployment that carries its dedupe key is no lasting proof that it did: anyone with
 * write permission can delete a deployment (once inactive) or bury it under a hundred newer ones of the commit,
 * and a later approval would start the request again. A check run of the App's, nobody can.
 */
const startedPrefix = (pr: number, commentId: number): string =>
  `${externalPrefix(pr)}started-c${commentId}-d`;

/** The deployment the ledger says the App started for waiting request `commentId` of `pr`, if any. */
export function startedDeployment(ledger: Ledger, pr: number, commentId: number): number | undefined {
  const prefix = startedPrefix(pr, commentId);
  for (const id of ledger.externalIds) {
    if (!id.startsWith(prefix)) continue;
    const deployment = Number(id.slice(prefix.length));
    if (Number.isSafeInteger(deployment) && deployment > 0) return deployment;
  }
  return undefined;
}

/** Marks waiting request `commentId` of `pr` started as `deploymentId` in the ledger of `sha` (one check run). */
export async function recordStarted(
  api: LedgerApi,
  where: Where,
  args: { sha: string; pr: number; commentId: number; deploymentId: number; environment: string; at: Date },
): Promise<void> {
  const { sha, pr, commentId, deploymentId, environment, at } = args;
  await api.checks.create({
    ...where,
    name: LEDGER_CHECK_NAME,
    head_sha: sha,
    external_id: `${startedPrefix(pr, commentId)}${deploymentId}`,
    status: 'completed',
    conclusion: 'neutral',
    completed_at: at.toISOString(),
    output: {
      title: `Deployment ${deploymentId} started for ${environment}`.slice(0, 200),
      summary: `The request of comment ${commentId} on PR #${pr} (${userText(environment, { as: 'code' })}) was started as deployment ${deploymentId}: it is never started again.`,
      text: "The App's own record that this request was started. Only the App can write it; it never blocks a merge.",
    },
  });
}

const recordKey = (r: ApprovalRecord): string =>
  JSON.stringify([
    r.kind,
    r.environment,
    r.sha.toLowerCase(),
    r.by.login.toLowerCase(),
    r.by.permission,
    [...r.by.teams].map((t) => t.toLowerCase()).sort(),
    r.at.getTime(),
    r.reason ?? null,
  ]);

/** The records of the App's comments and of the ledger, each once (a record is usually in both). */
export function withLedger(
  comments: readonly ApprovalRecord[],
  ledger: readonly ApprovalRecord[],
): ApprovalRecord[] {
  const seen = new Set(comments.map(recordKey));
  const out = [...comments];
  for (const r of ledger) {
    const key = recordKey(r);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

const SHOWN = 50;

/** The check run's summary: this record, then what the ledger held for the pull request when it was written. */
function ledgerSummary(record: ApprovalRecord, pr: number, known: readonly ApprovalRecord[]): string {
  const line = (r: ApprovalRecord): string =>
    `${r.kind === 'reject' ? '**Veto**' : 'Approval'} by ${userText(r.by.login, { as: 'code' })} for ` +
    `${userText(r.environment, { as: 'code' })} at ${userText(r.at.toISOString(), { as: 'code' })}` +
    `${r.reason ? `: ${userText(r.reason, { max: 300 })}` : ''}`;
  const all = [...known, record].sort(tallyOrder);
  const summary = (shown: number): string =>
    [
      `${line(record)} (commit ${userText(short(record.sha), { as: 'code' })}, PR #${pr}).`,
      '',
      `Every approval and veto of this commit recorded on PR #${pr} so far, oldest first:`,
      '',
      ...all.slice(all.length - shown).map((r) => `- ${line(r)}`),
      ...(all.length > shown ? [`- … and ${all.length - shown} earlier`] : []),
      '',
      "The App's own record, so that deleting its comment on the pull request does not undo an approval or a " +
        'veto. Only the App can write it; it never blocks a merge.',
    ].join('\n');
  // The newest records that fit GitHub's limit, which 50 reasons can pass (a typed `&` shows as `&amp;`, an
  // emoji is four bytes): a summary over it would be refused, and the record with it.
  let shown = Math.min(SHOWN, all.length);
  let text = summary(shown);
  while (Buffer.byteLength(text) > CHECK_TEXT_MAX_BYTES && shown > 0) text = summary(--shown);
  return fitCheckText(text);
}

/**
 * Records `record` (for pull request `pr`) in the ledger of its commit: one new check run. `before` is the
 * ledger as read just before (for the limit and the summary). Throws a FactsError when it cannot be written:
 * then the approval or veto is not recorded anywhere, and the caller says so.
 */
export async function recordInLedger(
  api: LedgerApi,
  where: Where,
  args: {
    record: ApprovalRecord;
    pr: number;
    appId: number;
    keys: MarkerKeys;
    before: Ledger;
    /** The webhook event that made the record (its signed body), when it is to be found again (eventExternalId). */
    eventId?: string;
  },
): Promise<void> {
  const { record, pr, appId, keys, before } = args;
  if (before.entries >= LEDGER_MAX_ENTRIES) throw tooMany(record.sha);
  const marker = serializeApprovalMarker(record, keys, markerScope(where, pr));
  // Unique to this record (or to the event that made it), so a create whose answer was lost is found again
  // instead of made twice.
  const externalId =
    args.eventId !== undefined
      ? eventExternalId(pr, args.eventId)
      : `${externalPrefix(pr)}${createHash('sha256').update(marker).digest('hex').slice(0, 32)}`;
  const what = record.kind === 'reject' ? 'Veto' : 'Approval';
  const params = {
    ...where,
    name: LEDGER_CHECK_NAME,
    head_sha: record.sha,
    external_id: externalId,
    status: 'completed' as const,
    conclusion: 'neutral' as const,
    completed_at: record.at.toISOString(),
    output: {
      title: `${what} by ${record.by.login} for ${record.environment}`.slice(0, 200),
      summary: ledgerSummary(record, pr, before.records),
      text: appendMarkers(
        'The signed record the App reads back. Check runs cannot be deleted, and only the App can change its own.',
        [marker],
      ),
    },
  };
  try {
    await writeOnce({
      async landed() {
        const runs = await listRuns(api, where, record.sha, appId);
        return runs.some((r) => r.external_id === externalId) ? true : undefined;
      },
      async write() {
        await api.checks.create({ ...params, request: { retries: 0 } });
        return true;
      },
    });
  } catch (error) {
    if (error instanceof FactsError) throw error;
    throw new FactsError(
      'approvals_ledger_unwritable',
      `the ${what.toLowerCase()} could not be recorded in a "${LEDGER_CHECK_NAME}" check run on commit ` +
        `${short(record.sha)} (${githubAnswered(error)}): it is not recorded; try again`,
    );
  }
}
