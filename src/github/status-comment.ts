// The PR's status comment: one per pull request and environment, found by a hidden marker and updated in
// place by the Action (each phase it reports) and by the App (each deployment_status). The state is kept
// in a second hidden marker, its last line, so whoever updates it next can re-render without losing the
// commit list. Every value in it (names, versions, descriptions, commit messages) goes through userText.
import * as z from 'zod';
import { ANALYSIS_PHASES, type AnalysisPhase } from '../strategies/types.ts';
import { formatDuration } from '../config/duration.ts';
import { code, formatNumber, linkTarget, truncate } from '../report/markdown.ts';
import { continueCommands, formatUtc, trafficSplit, WAIT_END_TEXT, waitingFor } from '../report/waits.ts';
import { userText } from './user-text.ts';
import { COMMENT_MAX_CHARS } from './write-limits.ts';

export { linkTarget };

export type DeploymentState =
  'queued' | 'pending' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface StatusCommentState {
  environment: string;
  state: DeploymentState;
  description?: string;
  version?: string;
  sha: string;
  strategy?: string;
  deploymentId?: number;
  runUrl?: string;
  environmentUrl?: string;
  /** The SHA that served before this deployment, and the commits between it and `sha`. */
  previousSha?: string;
  commits?: Array<{ sha: string; message: string; author?: string }>;
  commitsTotal?: number;
  /** The rollout waits for people or a bake (issue 14): where, what for, and how to continue. */
  wait?: StatusCommentWait;
  /** Waits that ended, oldest first (at most MAX_FINISHED_WAITS, the newest kept). */
  waits?: StatusCommentFinishedWait[];
  /**
   * The run's analysis warnings (warning checks that breached; never a rollback): the newest
   * MAX_WARNINGS, oldest first, and how many came before them. Absent in comments written before warnings
   * were shown, and when there were none.
   */
  warnings?: StatusCommentWarnings;
  updatedAt: string;
}

export interface StatusCommentWarnings {
  latest: StatusCommentWarning[];
  /** Warnings of the run before `latest`, counted only. */
  earlier: number;
}

export interface StatusCommentWarning {
  /** The check's configured name. */
  check: string;
  /** The reason, as the check gave it (with its numbers). */
  reason: string;
  phase: AnalysisPhase;
  /** The canary's traffic share in a canary step. */
  weight?: number;
  /** The end of the interval it fired in. */
  at: string;
}

export interface StatusCommentWait {
  kind: 'manual' | 'approval' | 'bake' | 'hold';
  /** The strategy step index (what a /promote names) and what the strategy calls it ("canary 25 %"). */
  step: number;
  at: string;
  /** The new version's traffic share while it waits. */
  weight?: number;
  since: string;
  /** bake: when it goes on by itself. */
  until?: string;
  /** approval: how many approvers must /promote, and who did so far. */
  approvals?: number;
  approvedBy?: string[];
  /** hold: who paused it. */
  by?: string;
  /** The job ended and left the rollout waiting: no runner waits. */
  handedOff?: boolean;
  /**
   * Where the approval steps after this wait are: `--full` is not offered (it would be refused). Stored at the
   * data line's top level (stored()), where an older App does not refuse it.
   */
  approvalsAhead?: string[];
  /** The last analysis before the wait: its step and readings (new version, and stable where measured). */
  metrics?: { at: string; values: Array<{ name: string; value: number | null; stable?: number | null }> };
}

export interface StatusCommentFinishedWait {
  kind: StatusCommentWait['kind'];
  step: number;
  at: string;
  weight?: number;
  since: string;
  endedAt: string;
  how: 'promoted' | 'approved' | 'due' | 'resumed' | 'aborted' | 'cancelled' | 'stopped';
  /** Who ended it (logins); empty when time did. */
  by: string[];
  waitedMs: number;
}

export const MAX_FINISHED_WAITS = 20;
const MAX_METRICS = 12;
/** The warnings a status comment (and the deploy check run) lists; older ones are counted. */
export const MAX_WARNINGS = 10;
/** The longest check name and reason a warning keeps (the reporter cuts them to this). */
export const WARNING_CHECK_MAX = 200;
export const WARNING_REASON_MAX = 500;

/** `kept` with `warning` added at the end: the newest MAX_WARNINGS listed, the ones pushed out counted. Pure. */
export function keepWarning(
  kept: StatusCommentWarnings | undefined,
  warning: StatusCommentWarning,
): StatusCommentWarnings {
  const latest = [...(kept?.latest ?? []), warning];
  const over = Math.max(0, latest.length - MAX_WARNINGS);
  return { latest: latest.slice(over), earlier: (kept?.earlier ?? 0) + over };
}

// The data marker is checked field by field: a comment whose state does not fit is damaged, and re-rendered
// from scratch rather than half-trusted. A key this version does not know (a newer version's) is kept and
// ignored, in the nested parts as at the top level: an older reader that refused it rebuilt the comment from
// the event alone (version, commits, waits and warnings lost). It is never rendered (every line names the
// fields it shows) and only goes back into the data line, base64 inside the hidden comment. What the data is
// trusted for is unchanged: the comment's author (findStatusComment) and every known field's schema.
const iso = z.string().datetime({ offset: true });
const name = z.string().min(1).max(200);
const login = z.string().min(1).max(200);
const kind = z.enum(['manual', 'approval', 'bake', 'hold']);
const step = z.number().int().min(-1).max(10_000);
const weight = z.number().min(0).max(100);
const reading = z.number().finite().nullable();
// The whole data line is checked: it is read back from a bot's comment, which anyone with write access may
// edit, and every field is rendered again (the heading's state, the `updated` time, the deployment id and the
// commit count are written as they are; the commit list is split as text).
const text = (max: number) => z.string().max(max);
/** The longest run or environment URL the data line holds. */
const URL_MAX = 2000;
/** The longest commit author the data line holds. */
const AUTHOR_MAX = 1000;

/** The data line's schema: unknown keys kept (`loose`, reading) or dropped (knownOnly). */
function dataSchema(loose: boolean) {
  const object = <T extends z.ZodRawShape>(shape: T) => (loose ? z.looseObject(shape) : z.object(shape));
  const waitSchema = object({
    kind,
    step,
    at: name,
    weight: weight.optional(),
    since: iso,
    until: iso.optional(),
    approvals: z.number().int().min(1).max(100).optional(),
    approvedBy: z.array(login).max(100).optional(),
    by: login.optional(),
    handedOff: z.boolean().optional(),
    metrics: object({
      at: name,
      values: z.array(object({ name, value: reading, stable: reading.optional() })).max(MAX_METRICS),
    }).optional(),
  });
  const warningsSchema = object({
    latest: z
      .array(
        object({
          check: name,
          reason: z.string().max(WARNING_REASON_MAX),
          phase: z.enum(ANALYSIS_PHASES),
          weight: weight.optional(),
          at: iso,
        }),
      )
      .max(MAX_WARNINGS),
    earlier: z.number().int().nonnegative().max(1_000_000_000),
  });
  const finishedWaitSchema = object({
    kind,
    step,
    at: name,
    weight: weight.optional(),
    since: iso,
    endedAt: iso,
    how: z.enum(['promoted', 'approved', 'due', 'resumed', 'aborted', 'cancelled', 'stopped']),
    by: z.array(login).max(100),
    waitedMs: z.number().int().nonnegative(),
  });
  return object({
    environment: z.string(),
    state: z.enum(['queued', 'pending', 'in_progress', 'success', 'failure', 'error', 'inactive']),
    description: text(2000).optional(),
    version: text(200).optional(),
    sha: text(100),
    strategy: text(100).optional(),
    deploymentId: z.number().int().positive().optional(),
    runUrl: text(URL_MAX).optional(),
    environmentUrl: text(URL_MAX).optional(),
    previousSha: text(100).optional(),
    commits: z
      .array(object({ sha: text(100), message: text(65_536), author: text(AUTHOR_MAX).optional() }))
      .max(1000)
      .optional(),
    commitsTotal: z.number().int().nonnegative().optional(),
    wait: waitSchema.optional(),
    waits: z.array(finishedWaitSchema).max(MAX_FINISHED_WAITS).optional(),
    // Optional: a comment written before warnings were kept has none, and still parses.
    warnings: warningsSchema.optional(),
    approvalsAhead: object({ since: iso, at: z.array(name).max(100) }).optional(),
    updatedAt: iso,
  });
}
const stateSchema = dataSchema(true);
const knownSchema = dataSchema(false);

/** `s` with only the keys this version knows, anywhere in it (what a comment too big drops last). */
function knownOnly(s: StatusCommentState): StatusCommentState {
  const known = knownSchema.safeParse(stored(s));
  return known.success ? unstored(known.data) : s;
}

/**
 * The data line's form of a state: the open wait's approval steps ahead go at the top level, named by the
 * wait's `since`. An older App checks the wait's part key by key and would drop a comment with a key it does
 * not know there (re-rendered from the event alone: version, commits, waits and warnings lost); the top
 * level it takes whole, and keeps through its own writes, after the wait it names is over too (since).
 */
function stored(s: StatusCommentState): Record<string, unknown> {
  const ahead = s.wait?.approvalsAhead;
  if (!s.wait || ahead === undefined) return { ...s };
  const { approvalsAhead: _, ...wait } = s.wait;
  return { ...s, wait, approvalsAhead: { since: s.wait.since, at: ahead } };
}

/**
 * The state from the data line's form (stored): the approval steps ahead go with the wait they name only, from
 * the top level alone. The wait's part keeps keys it does not check, and one named `approvalsAhead` there is
 * dropped: taken as the steps ahead it would go in unchecked (hiding `--full`, then moved to the top level by
 * the next write, where the next read takes the comment for damaged).
 */
function unstored(data: unknown): StatusCommentState {
  const { approvalsAhead, ...rest } = data as StatusCommentState & {
    approvalsAhead?: { since: string; at: string[] };
  };
  let state = rest as StatusCommentState;
  if (state.wait && 'approvalsAhead' in state.wait) {
    const { approvalsAhead: _, ...wait } = state.wait;
    state = { ...state, wait };
  }
  if (approvalsAhead && state.wait && approvalsAhead.since === state.wait.since)
    return { ...state, wait: { ...state.wait, approvalsAhead: approvalsAhead.at } };
  return state;
}

const DATA_PREFIX = '<!-- deploy-action:data ';
const ICON: Record<DeploymentState, string> = {
  queued: '⏳',
  pending: '⏳',
  in_progress: '🚀',
  success: '✅',
  failure: '❌',
  error: '🚨',
  inactive: '💤',
};

/**
 * The status comment's first line. The name is JSON with `<`, `>` and `&` escaped too: the App writes it for
 * any deployment's environment (a free string in GitHub's API, not a config name), and a raw `-->` would end
 * the hidden comment and put the rest of the name in the App's comment as markup.
 */
export function statusMarker(environment: string): string {
  const quoted = JSON.stringify(environment).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<!-- deploy-action:status environment=${quoted} -->`;
}

/** The environment a status comment is for, from its first line; undefined for any other comment. */
export function statusCommentEnvironment(body: string): string | undefined {
  const quoted = /^<!-- deploy-action:status environment=("(?:[^"\\\n]|\\.)*") -->/.exec(body)?.[1];
  if (!quoted) return undefined;
  try {
    const name = JSON.parse(quoted) as string;
    return body.startsWith(statusMarker(name)) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** A commit is listed by the first line of its message, cut to this. */
const COMMIT_LINE_MAX = 100;

export { COMMENT_MAX_CHARS };

/**
 * The comment for a state, within GitHub's limit: when the whole state does not fit (the data line carries
 * every commit message in full, and a compare lists up to 100 commits), commit messages are kept as shown
 * (their first line, cut), then keys this version does not know are dropped (a newer version's, never
 * shown), then fewer commits are listed (the count stays), then fewer earlier waits (the newest kept), then
 * fewer warnings (the newest kept, the rest counted), then the description is cut. The state read back is
 * the one shown.
 */
export function renderStatusComment(state: StatusCommentState): string {
  const s = storable(state);
  let body = renderWhole(s);
  if (body.length <= COMMENT_MAX_CHARS) return body;
  let fit: StatusCommentState = {
    ...s,
    ...(s.commits
      ? {
          commitsTotal: s.commitsTotal ?? s.commits.length,
          commits: s.commits.map((c) => ({
            sha: c.sha,
            message: truncate(c.message.split('\n')[0] ?? '', COMMIT_LINE_MAX),
            ...(c.author !== undefined ? { author: truncate(c.author, 200) } : {}),
          })),
        }
      : {}),
  };
  const shrink = (next: StatusCommentState) => {
    fit = next;
    body = renderWhole(fit);
  };
  shrink(fit);
  // Keys a newer version wrote go before anything shown: they could otherwise fill the comment for good.
  if (body.length > COMMENT_MAX_CHARS) shrink(knownOnly(fit));
  while (body.length > COMMENT_MAX_CHARS && fit.commits?.length)
    shrink({ ...fit, commits: fit.commits.slice(0, Math.floor(fit.commits.length / 2)) });
  while (body.length > COMMENT_MAX_CHARS && fit.waits?.length)
    shrink({ ...fit, waits: fit.waits.slice(Math.ceil(fit.waits.length / 2)) });
  while (body.length > COMMENT_MAX_CHARS && fit.warnings?.latest.length) {
    const drop = Math.ceil(fit.warnings.latest.length / 2);
    shrink({
      ...fit,
      warnings: { latest: fit.warnings.latest.slice(drop), earlier: fit.warnings.earlier + drop },
    });
  }
  if (body.length > COMMENT_MAX_CHARS && fit.description)
    shrink({ ...fit, description: truncate(fit.description, 140) });
  return body;
}

/**
 * `s` as the data line holds it: a value longer than its schema allows made the whole comment read back as
 * damaged, and the next writer (the App, on each deployment status) re-rendered it from the event alone, its
 * commits, waits and warnings lost. A run or environment URL over URL_MAX is left out (anyone who can post a
 * deployment status sets its environment_url; the Deployments tab still links it); a commit's author (a git
 * author name, which whoever pushes the commit writes, of any length) is cut to AUTHOR_MAX.
 */
function storable(s: StatusCommentState): StatusCommentState {
  const kept = { ...s };
  if (kept.runUrl !== undefined && kept.runUrl.length > URL_MAX) delete kept.runUrl;
  if (kept.environmentUrl !== undefined && kept.environmentUrl.length > URL_MAX) delete kept.environmentUrl;
  if (kept.commits?.some((c) => c.author !== undefined && c.author.length > AUTHOR_MAX))
    kept.commits = kept.commits.map((c) =>
      c.author !== undefined && c.author.length > AUTHOR_MAX
        ? { ...c, author: truncate(c.author, AUTHOR_MAX) }
        : c,
    );
  return kept;
}

function renderWhole(s: StatusCommentState): string {
  const runUrl = s.runUrl ? linkTarget(s.runUrl) : undefined;
  const environmentUrl = s.environmentUrl ? linkTarget(s.environmentUrl) : undefined;
  const lines = [
    statusMarker(s.environment),
    `### ${ICON[s.state]} ${userText(s.environment)}: ${s.state.replace('_', ' ')}`,
    [
      s.version ? `**${userText(s.version)}**` : undefined,
      code(s.sha.slice(0, 12)),
      s.strategy ? `via ${userText(s.strategy)}` : undefined,
      runUrl ? `[run](${runUrl})` : undefined,
      // The link says where it leads: the URL comes from whoever wrote the deployment status, and the App's
      // comment should not vouch for a bare "open".
      environmentUrl && s.state === 'success'
        ? `[open ${code(new URL(environmentUrl).host)}](${environmentUrl})`
        : undefined,
    ]
      .filter(Boolean)
      .join(' · '),
  ];
  if (s.description) lines.push('', `> ${userText(s.description)}`);
  if (s.wait) lines.push('', ...renderWait(s.wait, s.environment, s.version));
  if (s.warnings && (s.warnings.latest.length || s.warnings.earlier))
    lines.push('', ...renderWarnings(s.warnings));
  if (s.waits?.length) lines.push('', ...renderFinishedWaits(s.waits, s.wait !== undefined));
  if (s.commits) {
    const total = s.commitsTotal ?? s.commits.length;
    const since = s.previousSha ? ` since ${code(s.previousSha.slice(0, 12))}` : '';
    lines.push(
      '',
      `<details><summary>${total} commit${total === 1 ? '' : 's'}${since}</summary>`,
      '',
      ...s.commits.map(
        (c) =>
          `- ${code(c.sha.slice(0, 7))} ${userText(truncate(c.message.split('\n')[0] ?? '', COMMIT_LINE_MAX))}${c.author ? ` (${userText(c.author)})` : ''}`,
      ),
      ...(total > s.commits.length ? [`- … and ${total - s.commits.length} more`] : []),
      '',
      '</details>',
    );
  }
  lines.push(
    '',
    `<sub>updated ${s.updatedAt}${s.deploymentId ? ` · deployment ${s.deploymentId}` : ''}</sub>`,
    `${DATA_PREFIX}${Buffer.from(JSON.stringify(stored(s))).toString('base64')} -->`,
  );
  return lines.join('\n');
}

/** A command to type, as a code span when the environment is a plain name (config names always are). */
function command(text: string, environment: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(environment) ? code(text) : userText(text);
}

/** "canary 25 % (step 3)": the strategy's name for the point, escaped; the step index is a number. */
function where(w: { at: string; step: number }): string {
  return `${userText(w.at)}${w.step >= 0 ? ` (step ${w.step + 1})` : ''}`;
}

function renderWait(w: StatusCommentWait, environment: string, version: string | undefined): string[] {
  const split = trafficSplit(w.weight);
  const lines = [`#### ⏸️ Waiting at ${where(w)} ${userText(waitingFor(w, environment, w.by))}`, ''];
  if (split && w.weight !== undefined)
    lines.push(
      `- Traffic: **${formatNumber(w.weight)} %** new${version ? ` (${userText(version)})` : ''} · **${formatNumber(100 - w.weight)} %** stable`,
    );
  lines.push(
    `- Since ${userText(formatUtc(w.since))}${w.handedOff ? ' (the job ended: no runner waits, the rollout goes on in a new run)' : ''}`,
  );
  if (w.kind === 'approval') {
    const need = w.approvals ?? 1;
    const so = w.approvedBy ?? [];
    lines.push(
      `- Approvals: ${so.length} of ${need}${so.length ? ` (${so.map((a) => userText(a)).join(', ')})` : ''}, from the environment's approvers`,
    );
  }
  if (w.kind === 'bake' && w.until)
    lines.push(`- Goes on by itself at ${userText(formatUtc(w.until))} while the metrics stay healthy`);
  if (w.metrics?.values.length) {
    const readings = w.metrics.values.map(
      (m) =>
        `${userText(m.name)} ${formatNumber(m.value)}${m.stable !== undefined ? ` (stable ${formatNumber(m.stable)})` : ''}`,
    );
    lines.push(`- Metrics at ${userText(w.metrics.at)}: ${readings.join(' · ')}`);
  }
  lines.push(
    '',
    'To continue, comment:',
    ...continueCommands(w, environment).map((c) => `- ${command(c.command, environment)}: ${c.does}`),
  );
  return lines;
}

/** Where a warning fired, in the pipeline's words: "canary-step at 25 %". */
export function warningWhere(w: { phase: string; weight?: number }): string {
  return `${w.phase}${w.weight !== undefined ? ` at ${formatNumber(w.weight)} %` : ''}`;
}

function renderWarnings(w: StatusCommentWarnings): string[] {
  const total = w.latest.length + w.earlier;
  return [
    `#### ⚠️ ${total} analysis warning${total === 1 ? '' : 's'} (not rollbacks)`,
    '',
    ...(w.earlier ? [`- … ${w.earlier} earlier`] : []),
    ...w.latest.map(
      (x) => `- ${userText(x.check, { as: 'code' })} in ${userText(warningWhere(x))}: ${userText(x.reason)}`,
    ),
  ];
}

function renderFinishedWaits(waits: StatusCommentFinishedWait[], open: boolean): string[] {
  const total = waits.reduce((sum, w) => sum + w.waitedMs, 0);
  const summary = `${waits.length} ${open ? 'earlier ' : ''}wait${waits.length === 1 ? '' : 's'}, ${formatDuration(total)} in all`;
  return [
    `<details><summary>${summary}</summary>`,
    '',
    ...waits.map((w) => {
      const by = w.by.length ? ` by ${w.by.map((b) => userText(b)).join(', ')}` : '';
      return `- ${where(w)}, ${w.kind}: ${WAIT_END_TEXT[w.how]}${by} at ${userText(formatUtc(w.endedAt))} after ${formatDuration(w.waitedMs)}`;
    }),
    '',
    '</details>',
  ];
}

/**
 * Whether the wait a status comment shows still holds after a deployment status for it: only while that
 * deployment stays in progress with the description the wait was written with (the Action posts that status
 * with it). Any other status (the resumed run's, a final one, another deployment's) means the wait is over.
 */
export function waitHolds(
  previous: Pick<StatusCommentState, 'wait' | 'deploymentId' | 'description'>,
  event: { state: DeploymentState; deploymentId: number; description?: string },
): boolean {
  return (
    previous.wait !== undefined &&
    previous.deploymentId === event.deploymentId &&
    event.state === 'in_progress' &&
    event.description === previous.description
  );
}

/**
 * The state kept in a status comment (its last line, the one place it is read from), or undefined for any
 * other or malformed comment. Never throws.
 */
export function parseStatusComment(body: string, environment: string): StatusCommentState | undefined {
  if (!body.startsWith(statusMarker(environment))) return undefined;
  const last =
    body
      .trimEnd()
      .split(/\r\n|\r|\n/)
      .at(-1) ?? '';
  const base64 = /^<!-- deploy-action:data ([A-Za-z0-9+/]*={0,2}) -->$/.exec(last)?.[1];
  if (base64 === undefined) return undefined;
  try {
    const data = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
    if (
      data &&
      typeof data === 'object' &&
      data.environment === environment &&
      typeof data.sha === 'string'
    ) {
      if (!stateSchema.safeParse(data).success) return undefined;
      return unstored(data);
    }
  } catch {
    // A damaged comment is re-rendered from scratch.
  }
  return undefined;
}

export interface CommentsApi {
  issues: {
    listComments(p: {
      owner: string;
      repo: string;
      issue_number: number;
      per_page: number;
      page: number;
      since?: string;
    }): Promise<{
      data: Array<{ id: number; body?: string; user: { login: string; type?: string } | null }>;
    }>;
    createComment(p: {
      owner: string;
      repo: string;
      issue_number: number;
      body: string;
    }): Promise<{ data: { id: number } }>;
    updateComment(p: {
      owner: string;
      repo: string;
      comment_id: number;
      body: string;
    }): Promise<{ data: { id: number } }>;
    getComment(p: {
      owner: string;
      repo: string;
      comment_id: number;
    }): Promise<{ data: { id: number; body?: string; user: { login: string } | null } }>;
    deleteComment(p: { owner: string; repo: string; comment_id: number }): Promise<unknown>;
  };
}

export interface CommentTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  environment: string;
}

/**
 * Finds this environment's status comment on the PR: the first with its marker written by one of `authors`,
 * the identities expected to own it (the App's bot login, the login of the token the Action writes with). A
 * comment by anyone else is never taken: a person who pastes the marker, another app, or a workflow writing
 * with another token (any workflow's GITHUB_TOKEN posts as github-actions[bot]) does not take the status over,
 * and its text is never read back as the status. No author known: nothing is found.
 */
export async function findStatusComment(
  api: CommentsApi,
  where: CommentTarget,
  authors: readonly string[],
): Promise<{ id: number; state?: StatusCommentState } | undefined> {
  const owners = new Set(authors.map((a) => a.toLowerCase()));
  if (!owners.size) return undefined;
  const marker = statusMarker(where.environment);
  const c = await firstComment(
    api,
    where,
    (c) => !!c.user?.login && owners.has(c.user.login.toLowerCase()) && !!c.body?.startsWith(marker),
  );
  return c && { id: c.id, state: parseStatusComment(c.body!, where.environment) };
}

/**
 * The status comment among the comments updated since `since` (one page: a cancelled run's last write has
 * seconds), by one of `authors`: the oldest there. A comment another run created after this run's search is
 * there; one on a later page (over 100 comments updated since) is not, and a second comment is the lesser harm.
 */
export async function findRecentStatusComment(
  api: CommentsApi,
  where: CommentTarget,
  authors: readonly string[],
  since: string,
): Promise<{ id: number; state?: StatusCommentState } | undefined> {
  const owners = new Set(authors.map((a) => a.toLowerCase()));
  if (!owners.size) return undefined;
  const marker = statusMarker(where.environment);
  const { data } = await api.issues.listComments({
    owner: where.owner,
    repo: where.repo,
    issue_number: where.pullNumber,
    since,
    per_page: 100,
    page: 1,
  });
  const c = data
    .filter((c) => !!c.user?.login && owners.has(c.user.login.toLowerCase()) && !!c.body?.startsWith(marker))
    .sort((a, b) => a.id - b.id)[0];
  return c && { id: c.id, state: parseStatusComment(c.body!, where.environment) };
}

/** The oldest comment on the pull request that `match` accepts, among its first 2,000. */
async function firstComment(
  api: CommentsApi,
  where: CommentTarget,
  match: (c: { id: number; body?: string; user: { login: string } | null }) => boolean,
): Promise<{ id: number; body?: string } | undefined> {
  for (let page = 1; page <= 20; page++) {
    const { data } = await api.issues.listComments({
      owner: where.owner,
      repo: where.repo,
      issue_number: where.pullNumber,
      per_page: 100,
      page,
    });
    const found = data.find(match);
    if (found) return found;
    if (data.length < 100) return undefined;
  }
  return undefined;
}

/** Whether comment `id` is `where`'s status comment written by `owner` (a missing comment is not). */
export async function isStatusCommentOf(
  api: CommentsApi,
  where: CommentTarget,
  id: number,
  owner: string,
): Promise<boolean> {
  try {
    const { data } = await api.issues.getComment({ owner: where.owner, repo: where.repo, comment_id: id });
    return (
      data.user?.login.toLowerCase() === owner.toLowerCase() &&
      (data.body ?? '').startsWith(statusMarker(where.environment))
    );
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

/**
 * Writes the status comment: updates `knownId` (or the one found by marker among `author`'s comments: the
 * login of the token this writes with, undefined when it cannot be known) in place, creates it only when
 * there is none. `next` receives the state already in the comment when it was found by marker; with
 * `knownId` it receives undefined (no extra read), so the caller must hold the whole state itself.
 * `attempt.body` is the body last sent to create it (set here); `attempt.searched`: the caller searched
 * `author`'s comments so recently that the first create does not search again: a search older than that may
 * have missed a comment another run created since. `attempt.since`: the first create searches only the comments
 * updated since then, one page (a cancelled run's last write, due before the runner's SIGKILL).
 */
export async function upsertStatusComment(
  api: CommentsApi,
  where: CommentTarget,
  next: (previous: StatusCommentState | undefined) => StatusCommentState,
  knownId: number | undefined,
  author: () => Promise<string | undefined>,
  knownOwner?: string,
  attempt?: {
    body?: string;
    searched?: boolean;
    since?: string;
    converge?: { since: string; go: () => boolean };
  },
): Promise<{ id: number; created: boolean }> {
  // An id named by someone else (a deployment's payload, which anyone who can create a deployment writes)
  // is this environment's status comment only if its owner wrote it with the marker: without the check, a
  // deployment naming any comment on the pull request had it overwritten by the run's status.
  if (knownId !== undefined && knownOwner !== undefined)
    knownId = (await isStatusCommentOf(api, where, knownId, knownOwner)) ? knownId : undefined;
  if (knownId !== undefined) {
    try {
      const body = renderStatusComment(next(undefined));
      await api.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: knownId, body });
      return { id: knownId, created: false };
    } catch (error) {
      // A deleted comment is written again; anything else is the caller's to report.
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  // Searched recently with nothing found (the reporter decides: comment-search.ts): the first create goes
  // without searching again; once a create was sent, a repeat searches, as its answer may have been lost.
  const first = attempt?.body === undefined;
  const searched = attempt?.searched === true && first;
  const login = searched ? undefined : await author();
  const since = first ? attempt?.since : undefined;
  let found: { id: number; state?: StatusCommentState } | undefined =
    login === undefined
      ? undefined
      : since !== undefined
        ? await findRecentStatusComment(api, where, [login], since)
        : await findStatusComment(api, where, [login]);
  // Whose comments are ours cannot be told, and a create of ours may have landed with its answer lost: the
  // comment holding exactly the body last sent (its time stamp to the millisecond is in it) is that one. The
  // oldest is taken (a copy comes after it), and its state is not read: the caller holds the whole state.
  if (!found && login === undefined && attempt?.body !== undefined) {
    const sent = attempt.body;
    const landed = await firstComment(api, where, (c) => c.body === sent);
    if (landed) found = { id: landed.id };
  }
  const body = renderStatusComment(next(found?.state));
  if (found) {
    await api.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: found.id, body });
    return { id: found.id, created: false };
  }
  if (attempt) attempt.body = body;
  const { data } = await api.issues.createComment({
    owner: where.owner,
    repo: where.repo,
    issue_number: where.pullNumber,
    body,
  });
  if (attempt?.converge) {
    const older = await giveWayToOlder(api, where, data.id, body, author, attempt.converge);
    if (older) return older;
  }
  return { id: data.id, created: true };
}

/**
 * Two runs whose searches both found no comment (they started within seconds of each other, or one created
 * its comment between the other's search and create) both create one. Right after its create, a run looks at
 * the comments updated since `since` (one page): when its account has an older status comment there, its own
 * is the second, so it deletes it and writes its body over the older one, which both runs then write. The
 * earlier run sees no older one and keeps its own. Best effort: a failure keeps the run's own comment (two
 * comments, as before); a failed delete too, rather than two runs writing one comment and a stale copy beside it.
 */
async function giveWayToOlder(
  api: CommentsApi,
  where: CommentTarget,
  ownId: number,
  body: string,
  author: () => Promise<string | undefined>,
  { since, go }: { since: string; go: () => boolean },
): Promise<{ id: number; created: boolean } | undefined> {
  let older: { id: number } | undefined;
  try {
    const login = await author();
    if (login === undefined || !go()) return undefined;
    older = await findRecentStatusComment(api, where, [login], since);
    // Cancelled meanwhile: its last write has seconds, and its own comment is a fine place for it.
    if (!older || older.id >= ownId || !go()) return undefined;
    await api.issues.deleteComment({ owner: where.owner, repo: where.repo, comment_id: ownId });
  } catch {
    return undefined;
  }
  // Its own comment is gone now. The older one gone too (its run gave way to a third, or a person deleted
  // it): the body is written again, not left nowhere. Another failure is thrown: a repeat of the write (an
  // answer lost) searches and finds the older comment.
  try {
    await api.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: older.id, body });
    return { id: older.id, created: false };
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  const { data } = await api.issues.createComment({
    owner: where.owner,
    repo: where.repo,
    issue_number: where.pullNumber,
    body,
  });
  return { id: data.id, created: true };
}
