// issue_comment.created: decide whether a comment is a command for the app, acknowledge it with a
// reaction, and answer with a reply. What a valid command then does is the `dispatch` function's business
// (the policy and deployment wiring); this file only owns the ignore rules, parsing and the answer.
import { helpText } from '../commands/help.ts';
import { userText } from '../../src/github/user-text.ts';
import { fitComment } from '../../src/github/write-limits.ts';
import { parseCommand } from '../commands/parse.ts';
import { laterCommandsNote } from '../commands/later-commands.ts';
import { addBeforeMarkers } from '../../src/github/hidden-marker.ts';
import type { Command, ParseError } from '../commands/command.ts';
import { httpStatus, isGraphqlMutation } from '../facts/github.ts';

/** The Octokit calls this handler uses (pass `octokit.rest`), so tests can hand in a tiny fake. */
export interface CommentApi {
  reactions: {
    createForIssueComment(params: {
      owner: string;
      repo: string;
      comment_id: number;
      content: 'eyes' | '+1' | 'confused';
    }): Promise<{ status: number; data: { id: number } }>;
    deleteForIssueComment(params: {
      owner: string;
      repo: string;
      comment_id: number;
      reaction_id: number;
    }): Promise<unknown>;
    /** Only asked with HandleCommentOptions.ownLogin (the App's own 😕 or 👀 taken back). */
    listForIssueComment?(params: {
      owner: string;
      repo: string;
      comment_id: number;
      content: 'confused' | 'eyes';
      per_page: number;
    }): Promise<{ data: ReadonlyArray<{ id: number; user: { login: string } | null }> }>;
  };
  issues: {
    createComment(params: {
      owner: string;
      repo: string;
      issue_number: number;
      body: string;
    }): Promise<{ data: { id: number } }>;
  };
}

/** The part of an issue_comment webhook the handler reads. */
export interface CommentEvent {
  action: string;
  owner: string;
  repo: string;
  /** Issue or pull request number. */
  number: number;
  isPullRequest: boolean;
  commentId: number;
  body: string;
  author: { login: string; type: string };
  sender: { login: string; type: string };
  /**
   * The GitHub App that posted the comment on the author's behalf (the comment's `performed_via_github_app`),
   * when one did: such an app holds a token the user authorized once and writes what it chooses with it.
   */
  viaApp?: { slug: string; name: string };
  /** When GitHub says the comment was written (its created_at): which head it was written at. */
  createdAt?: string;
  /** The repository's default branch, when the webhook says (where the reconcile workflow is started). */
  defaultBranch?: string;
  /** The repository's GraphQL node id, when the webhook says (a conditional ref delete names it). */
  repositoryNodeId?: string;
  /**
   * The note saying which commands below the first line were not run (later-commands.ts), given once, then
   * '': whoever writes the command's first answer (dispatch itself, or this handler) adds it there.
   */
  laterNote?: () => string;
  /**
   * Told by whoever reads the pull request's comments for the command (dispatch) how many 😕 GitHub counted on
   * this comment then (undefined: it did not say). That read comes after this delivery's 👀, so after the 😕 of
   * any earlier delivery of the comment that failed (it makes its 😕 before it takes its 👀 back): none counted,
   * none of the App's to take back once the command is answered.
   */
  sawConfused?: (count: number | undefined) => void;
}

type Account = { login: string; type?: string };

interface IssueCommentPayload {
  action: string;
  repository: { name: string; owner: { login: string }; default_branch?: string; node_id?: string };
  issue: { number: number; pull_request?: unknown };
  comment: {
    id: number;
    body: string | null;
    user: Account | null;
    created_at?: string;
    performed_via_github_app?: { slug?: string; name?: string } | null;
  };
  sender: Account;
}

// The schema leaves `type` optional on an account; a missing type says nothing about being human.
const account = (a: Account): { login: string; type: string } => ({
  login: a.login,
  type: a.type ?? 'Unknown',
});

export function commentEventFrom(payload: IssueCommentPayload): CommentEvent {
  return {
    action: payload.action,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    number: payload.issue.number,
    isPullRequest: payload.issue.pull_request != null,
    commentId: payload.comment.id,
    body: payload.comment.body ?? '',
    // A comment by a deleted account has no user: treat it like an unknown bot, it can never act.
    author: payload.comment.user ? account(payload.comment.user) : { login: 'ghost', type: 'Bot' },
    sender: account(payload.sender),
    ...(payload.comment.performed_via_github_app
      ? {
          viaApp: {
            slug: payload.comment.performed_via_github_app.slug ?? '',
            name: payload.comment.performed_via_github_app.name ?? '',
          },
        }
      : {}),
    ...(payload.comment.created_at ? { createdAt: payload.comment.created_at } : {}),
    ...(payload.repository.default_branch ? { defaultBranch: payload.repository.default_branch } : {}),
    ...(payload.repository.node_id ? { repositoryNodeId: payload.repository.node_id } : {}),
  };
}

export type IgnoreReason = 'not_created' | 'not_pull_request' | 'bot' | 'already_handled';

const isBot = (who: { login: string; type: string }): boolean =>
  who.type === 'Bot' || who.login.toLowerCase().endsWith('[bot]');

/** Pure: why a comment event must not act, or undefined when it may. */
export function ignoreReason(event: CommentEvent): IgnoreReason | undefined {
  // Edited and deleted comments never act: an edit could turn an old comment into an approval.
  if (event.action !== 'created') return 'not_created';
  if (!event.isPullRequest) return 'not_pull_request';
  if (isBot(event.author) || isBot(event.sender)) return 'bot';
  return undefined;
}

/** What dispatch answers for a valid command: the reaction and the reply to post. */
export interface Reply {
  reaction: 'eyes' | '+1' | 'confused';
  /** Undefined when the answer is already on the PR (the status comment a new deployment just wrote). */
  body?: string; /**
   * An approval or veto was recorded while a deployment protection rule waits for this environment at this
   * commit: once the reply (which carries the record) is posted, the rule is decided again.
   */
  answerGates?: { environment: string; sha: string };
}

export type Dispatch = (command: Command, event: CommentEvent) => Promise<Reply>;

export type CommentOutcome =
  | { status: 'ignored'; reason: IgnoreReason | 'not_a_command' }
  | { status: 'refused'; code: ParseError['code'] | 'posted_via_app' }
  | { status: 'dispatched'; command: Command; reply: Reply };

export function refusalReply(refusal: ParseError): string {
  return [
    `**Not accepted** (\`${refusal.code}\`): ${refusal.message}`,
    '',
    '<details><summary>How to write commands</summary>',
    '',
    helpText(),
    '',
    '</details>',
  ].join('\n');
}

// An @-mention the app wrote (userText's `mention`): user text's own `@` is always followed by a zero-width
// joiner, so one that is not is the app's.
const APP_MENTION = /@(?!\u200D)([A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)?)/g;

/**
 * Every reply to a command names people and teams (deployers, approvers, lock holders, requesters, whoever
 * recorded a control request since) to show who, never to call on them: anyone (a stranger on a public
 * repository too) can make the app write a refusal, a dry run, /help or /status, and a Queued reply or a
 * control reply names people who did not ask to be told. So one comment cannot make the app ping a whole team,
 * nor the holder of a lock each time someone queues behind it; only the commenter is mentioned. (The replies
 * meant to call on someone are written by dispatch itself: the request waiting for approvals calls on its
 * approvers.) Marker lines are left as written (their MAC covers every byte).
 */
export function quietMentions(body: string, commenter: string): string {
  return body
    .split('\n')
    .map((line) =>
      line.startsWith('<!-- deploy-action:')
        ? line
        : line.replace(APP_MENTION, (whole, name: string) =>
            name.toLowerCase() === commenter.toLowerCase() ? whole : `@\u200D${name}`,
          ),
    )
    .join('\n');
}

/** What GitHub answered to the App's reaction: 201 made now, 200 already there (its id either way). */
type Picked = { status: number; data: { id: number } };

/**
 * A command in a comment another GitHub App posted on the author's behalf (with a user-to-server token: the
 * comment shows the person, with the app's badge) is refused. The person authorized that app once; it
 * writes whatever it chooses with their name for hours (months with its refresh token), so the comment is no
 * sign the person asked for this deployment, approval or unlock now, and it never acts with their authority.
 */
function viaAppRefusal(event: CommentEvent, app: { slug: string; name: string }): string {
  const name = userText(app.name || app.slug || 'unknown', { max: 100 });
  const slug = app.slug ? ` (${userText(app.slug, { as: 'code', max: 100 })})` : '';
  return (
    `**Not accepted** (\`posted_via_app\`): this comment was posted for ${userText(event.author.login, { as: 'mention' })} ` +
    `by the GitHub App ${name}${slug}, not written on GitHub by them, so it does not act with their ` +
    'authority. Write the command as a comment yourself.'
  );
}

/**
 * Why the App could not finish a command, as a stable code: GitHub failed to answer one of its requests
 * (`github_unavailable`: a 5xx, a rate limit), refused one (`github_refused`: any other 4xx, e.g. a request
 * GitHub finds too long), or something else stopped it (`internal_error`). Never the error's text: it may
 * quote a request's URL or body (a check name from the config, a value from the comment), or a credential.
 */
export type CommandFailure =
  { code: 'github_unavailable' | 'github_refused'; status: number } | { code: 'internal_error' };

/**
 * Where a command's or a press's failure was told: a reply on the pull request (`comment`), only the App's 😕
 * on the command (`reaction`: GitHub took no reply), a note on the check run pressed (`check_run`), by an earlier
 * delivery of it (`already`), or nowhere (`nobody`: the log line is all there is).
 */
export type FailureTold = 'comment' | 'reaction' | 'check_run' | 'already' | 'nobody';

/** What a failed delivery logs (with its delivery id): the stable code, GitHub's status, where it was told. */
export type FailureReport = CommandFailure & { told: FailureTold };

/**
 * Logs a failed command or press by its delivery id, stable code, GitHub's status and where it was told (never
 * the error's text): at error level when it was told to nobody, so the log is where it is seen.
 */
export function logFailure(
  log: { warn: LogFn; error: LogFn },
  fields: FailureReport & { delivery: string; [where: string]: unknown },
): void {
  if (fields.told === 'nobody') log.error(fields, 'command failed, told to nobody');
  else log.warn(fields, 'command failed');
}

type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** Pure: the CommandFailure an error thrown while handling a command is. */
export function commandFailure(error: unknown): CommandFailure {
  const status = error !== null && typeof error === 'object' ? httpStatus(error) : undefined;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)
    return { code: 'internal_error' };
  const unavailable = status >= 500 || status === 429 || /rate limit/i.test((error as Error).message ?? '');
  return { code: unavailable ? 'github_unavailable' : 'github_refused', status };
}

/**
 * What dispatch changed on GitHub while it handled a command, counted from the requests it made (index.ts
 * counts them, writeOf sorts them): the comments it posted on the pull request, the deployments it created,
 * and any other write (a lock, a ledger record, a schedule request, a control request, an edited comment).
 */
export interface CommandWrites {
  comments: number;
  deployments: number;
  other: number;
}

export const NO_WRITES: CommandWrites = { comments: 0, deployments: 0, other: 0 };

/**
 * Pure: which of CommandWrites a request the App made is (`url` as sent, `body` its JSON), or undefined for a
 * read. A reaction is the handler's own acknowledgement (never dispatch's), a token for the installation is
 * no change to the repository, and a GraphQL query is a read; a GraphQL mutation writes.
 */
export function writeOf(method: string, url: string, body?: unknown): keyof CommandWrites | undefined {
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD') return undefined;
  // The path after any prefix (GitHub Enterprise Server's `/api/v3`).
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/s, '');
  if (/\/reactions(?:\/|$)/.test(path) || /\/app\/installations\/[^/]+\/access_tokens$/.test(path))
    return undefined;
  if (/(?:^|\/)graphql$/.test(path))
    return isGraphqlMutation((body as { query?: unknown } | undefined)?.query) ? 'other' : undefined;
  if (verb === 'POST' && /\/repos\/[^/]+\/[^/]+\/issues\/[0-9]+\/comments$/.test(path)) return 'comments';
  if (verb === 'POST' && /\/repos\/[^/]+\/[^/]+\/deployments$/.test(path)) return 'deployments';
  return 'other';
}

/** Pure: why, in words, from the code and GitHub's status alone. */
export function failureReason(failure: CommandFailure): string {
  return failure.code === 'github_unavailable'
    ? `GitHub did not answer one of its requests (HTTP ${failure.status})`
    : failure.code === 'github_refused'
      ? `GitHub refused one of its requests (HTTP ${failure.status})`
      : "an unexpected error stopped it (the App's log says which)";
}

const wroteAny = (w: CommandWrites): boolean => w.comments + w.deployments + w.other > 0;

/**
 * Pure: the reply to a command the App could not finish. Said without the error's text (CommandFailure); it
 * says whether anything was done. Nothing written: nothing was started, and the command may be given again (the
 * reaction is taken back, so a redelivery runs it too; `redeliverable` false: GitHub did not let it be taken
 * back, and a redelivery would find the comment handled). Something written: what, and that it is not tried
 * again by itself (a second run could answer or deploy twice), so the person looks before asking again.
 */
export function failureReply(
  command: string,
  failure: CommandFailure,
  wrote: CommandWrites,
  redeliverable = true,
): string {
  const head = `**Failed** (\`${failure.code}\`): the App could not finish \`/${command}\`: ${failureReason(failure)}.`;
  if (!wroteAny(wrote))
    return `${head} Nothing was started or recorded for it: comment it again${redeliverable ? ' (or redeliver the webhook)' : ''} to try again.`;
  const done = [
    wrote.deployments
      ? 'it asked GitHub for a deployment (the status comment on this pull request says whether one was made)'
      : '',
    wrote.comments ? 'it posted on this pull request (above)' : '',
    wrote.other ? 'it wrote some of its records (a lock, an approval, a request)' : '',
  ].filter(Boolean);
  return `${head} It had begun: ${done.join('; ')}. It is not tried again by itself: see where things stand (\`/status\`) before asking again.`;
}

export interface HandleCommentOptions {
  /**
   * What dispatch has written on GitHub so far (index.ts counts the delivery's requests): read before and after
   * a dispatch that failed, so the reply says what was done. Without it, dispatch is taken to have written
   * nothing.
   */
  writes?: () => CommandWrites;
  /** Told of a command that failed, once it was told (or could not be): the caller logs it. */
  report?: (report: FailureReport) => void;
  /**
   * The App's own login (`<slug>[bot]`): with it, a command answered takes back the 😕 an earlier failed
   * delivery of it left (failed's key), which no longer says anything true. Without it, the 😕 stays.
   */
  ownLogin?: () => Promise<string>;
}

export async function handleComment(
  api: CommentApi,
  event: CommentEvent,
  dispatch: Dispatch,
  options: HandleCommentOptions = {},
): Promise<CommentOutcome> {
  const ignored = ignoreReason(event);
  if (ignored) return { status: 'ignored', reason: ignored };
  const parsed = parseCommand(event.body);
  if (parsed.kind === 'none') return { status: 'ignored', reason: 'not_a_command' };
  const where = { owner: event.owner, repo: event.repo };
  const comment = { ...where, comment_id: event.commentId };
  const post = (body: string) => api.issues.createComment({ ...where, issue_number: event.number, body });
  // Whether the reaction is gone (GitHub may fail this too).
  const unreact = (picked: Picked): Promise<boolean> =>
    api.reactions.deleteForIssueComment({ ...comment, reaction_id: picked.data.id }).then(
      () => true,
      () => false,
    );
  // Commands below the first line are never run: the answer says so (later-commands.ts), once.
  let noteLeft = laterCommandsNote(event.body);
  const laterNote = (): string => {
    const note = noteLeft;
    noteLeft = '';
    return note;
  };
  const refusal: { code: ParseError['code'] | 'posted_via_app'; body: () => string } | undefined =
    event.viaApp
      ? { code: 'posted_via_app', body: () => viaAppRefusal(event, event.viaApp!) }
      : parsed.kind === 'invalid'
        ? {
            code: parsed.code,
            body: () => {
              const note = laterNote();
              return fitComment(note ? addBeforeMarkers(refusalReply(parsed), note) : refusalReply(parsed));
            },
          }
        : undefined;
  // React first, so the person sees the app picked the command up even if the work takes a while. The
  // reaction is also the idempotency key: GitHub answers 200 (not 201) when the app's reaction is already
  // there, i.e. this comment was picked up before (a redelivery, or the same delivery twice at once). Only the
  // App can make its own reaction, so nobody else can mark a comment answered.
  let picked: Picked;
  try {
    picked = await api.reactions.createForIssueComment({
      ...comment,
      content: refusal ? 'confused' : 'eyes',
    });
  } catch (error) {
    // No key, so nothing ran. A refusal is said anyway (it starts nothing); a command is not run without its
    // key (a redelivery could run it a second time), and the person is told (failed), then the delivery fails.
    if (refusal) {
      await post(refusal.body());
      return { status: 'refused', code: refusal.code };
    }
    // GitHub may have made the 👀 and lost its answer (a 5xx, a cut connection), or found the one another
    // delivery of this comment made and is running the command with (the same delivery twice at once): which,
    // cannot be told, so a 👀 there stays (taken back, a redelivery would run the command a second time) and
    // the reply asks for a new comment, not a redelivery that would find it. None there: a redelivery runs it.
    const lost = httpStatus(error) === undefined || httpStatus(error)! >= 500;
    const redeliverable =
      !lost || (options.ownLogin ? await noOwnReaction(api, comment, options.ownLogin, 'eyes') : false);
    const failure = commandFailure(error);
    const told = await failed(api, event, parsed.kind, failure, NO_WRITES, redeliverable);
    options.report?.({ ...failure, told });
    throw error;
  }
  if (picked.status === 200) return { status: 'ignored', reason: 'already_handled' };
  if (refusal) {
    try {
      await post(refusal.body());
    } catch (error) {
      // Not said: without its reaction a redelivery says it (with it, one would find the comment answered).
      await unreact(picked);
      options.report?.({ ...commandFailure(error), told: 'nobody' });
      throw error;
    }
    return { status: 'refused', code: refusal.code };
  }
  if (parsed.kind === 'invalid') throw new Error('unreachable: an invalid command is refused above');
  let reply: Reply;
  const before = options.writes?.() ?? NO_WRITES;
  // The 😕 GitHub counted on this comment whenever dispatch read it (CommentEvent.sawConfused).
  const confusedSeen: Array<number | undefined> = [];
  // The error goes on to Probot, which logs it and answers GitHub with a failure; the person is told here.
  const fail = async (error: unknown, answered?: Picked): Promise<never> => {
    const after = options.writes?.() ?? NO_WRITES;
    const wrote: CommandWrites = {
      comments: after.comments - before.comments,
      deployments: after.deployments - before.deployments,
      other: after.other - before.other,
    };
    // The reaction dispatch chose, when its answer did not go out: a `confused` one would keep failed's key
    // (and a redelivery) from telling, and none says the command was answered.
    if (answered) await unreact(answered);
    // failed's key, the 😕, goes on before the 👀 can be taken back: a delivery of this comment that runs once
    // the 👀 is gone finds it counted on the comment, and takes it back once it has answered (sawConfused).
    const key = await confusedKey(api, event);
    // Nothing written: nothing is lost, so the reaction is taken back and a redelivery runs the command again.
    // Something written: it stays, so a redelivery neither answers twice nor does it twice.
    const redeliverable = !wroteAny(wrote) && (await unreact(picked));
    const failure = commandFailure(error);
    const told = await failed(api, event, parsed.kind, failure, wrote, redeliverable, { key });
    options.report?.({ ...failure, told });
    throw error;
  };
  try {
    reply = await dispatch(parsed, {
      ...event,
      laterNote,
      sawConfused: (count) => confusedSeen.push(count),
    });
  } catch (error) {
    return fail(error);
  }
  // The command was carried out: what follows says so, and a reaction GitHub does not take never keeps the
  // answer from being posted.
  const reacted =
    reply.reaction === 'eyes'
      ? undefined
      : await api.reactions
          .createForIssueComment({ ...comment, content: reply.reaction })
          .catch(() => undefined);
  try {
    if (reply.body !== undefined) {
      const quiet = quietMentions(reply.body, event.author.login);
      const note = laterNote();
      await post(fitComment(note ? addBeforeMarkers(quiet, note) : quiet));
    }
    // The answer was the work itself (the status comment a new deployment wrote): the note on its own.
    const note = laterNote();
    if (note) await post(note);
  } catch (error) {
    // An answer GitHub does not take is a failure like dispatch's own: otherwise the reaction would say the
    // comment was handled, and no redelivery would ever answer it (a /status, a refusal, a recorded approval).
    return fail(error, reacted?.status === 201 ? reacted : undefined);
  }
  // A 😕 left by an earlier delivery of this comment that failed having started nothing (it was told so, and
  // its 👀 taken back so this one ran) would stand beside the answer: it goes, the App's own only. A 😕
  // dispatch answered with is the answer, and stays. Where dispatch read the comment after this delivery's 👀
  // and GitHub counted no 😕 on it (every time it was read), there is none to take back, and none is read.
  const noneSeen = confusedSeen.length > 0 && confusedSeen.every((count) => count === 0);
  if (reply.reaction !== 'confused' && options.ownLogin && !noneSeen)
    await takeBackOwn(api, comment, options.ownLogin, 'confused');
  return { status: 'dispatched', command: parsed, reply };
}

/** The App's own `content` reactions on `comment` (one read). */
async function ownReactions(
  api: CommentApi,
  comment: { owner: string; repo: string; comment_id: number },
  ownLogin: () => Promise<string>,
  content: 'confused' | 'eyes',
): Promise<number[]> {
  const login = (await ownLogin()).toLowerCase();
  const { data } = await api.reactions.listForIssueComment!({ ...comment, content, per_page: 100 });
  return data.filter((reaction) => reaction.user?.login.toLowerCase() === login).map((r) => r.id);
}

/** Whether GitHub says the App has no `content` reaction on `comment` (false when it did not say). */
async function noOwnReaction(
  api: CommentApi,
  comment: { owner: string; repo: string; comment_id: number },
  ownLogin: () => Promise<string>,
  content: 'confused' | 'eyes',
): Promise<boolean> {
  try {
    return (await ownReactions(api, comment, ownLogin, content)).length === 0;
  } catch {
    return false;
  }
}

/**
 * Takes back the App's own `content` reaction on `comment` (one read, a delete only when there is one): a 😕 of
 * an earlier failure once the command was answered. Best effort: the command was answered, so nothing here
 * fails it.
 */
async function takeBackOwn(
  api: CommentApi,
  comment: { owner: string; repo: string; comment_id: number },
  ownLogin: () => Promise<string>,
  content: 'confused' | 'eyes',
): Promise<void> {
  try {
    for (const id of await ownReactions(api, comment, ownLogin, content))
      await api.reactions.deleteForIssueComment({ ...comment, reaction_id: id });
  } catch {
    // It stays: a stale 😕 beside the answer, nothing worse.
  }
}

/** The App's 😕 on the command (failed's key): GitHub's answer, or undefined when it took none. */
const confusedKey = (api: CommentApi, event: CommentEvent): Promise<Picked | undefined> =>
  api.reactions
    .createForIssueComment({
      owner: event.owner,
      repo: event.repo,
      comment_id: event.commentId,
      content: 'confused',
    })
    .catch(() => undefined);

/**
 * Tells the pull request that `/command` could not be finished (failureReply), once per comment however often
 * it fails: the App's own `confused` reaction is the key (made here; a command the App refused carries it too,
 * and then has its answer already). A failure after the command had begun is told whatever the key says: an
 * earlier one that started nothing (and was told so) is what made the key, and the person must hear that this
 * one did start something; it is the last (the 👀 stays, so no redelivery runs the command again). GitHub not
 * taking the key does not keep the person from being told. A reply GitHub does not take either leaves the 😕
 * as all that says it failed, when the 👀 stays; with the 👀 taken back the 😕 goes too, so the redelivery that
 * runs the command again tells. Never throws: the caller's error is what the delivery fails with.
 */
async function failed(
  api: CommentApi,
  event: CommentEvent,
  command: string,
  failure: CommandFailure,
  wrote: CommandWrites,
  redeliverable = true,
  /** The key, when the caller made it already (confusedKey). */
  made?: { key: Picked | undefined },
): Promise<FailureTold> {
  const where = { owner: event.owner, repo: event.repo };
  const key = made ? made.key : await confusedKey(api, event);
  if (key?.status === 200 && !wroteAny(wrote)) return 'already';
  try {
    await api.issues.createComment({
      ...where,
      issue_number: event.number,
      body: failureReply(command, failure, wrote, redeliverable),
    });
    return 'comment';
  } catch {
    // The 👀 stays (it had begun, or GitHub kept it): no delivery runs the command again, so the 😕 is all
    // that can say it failed.
    if (key && !redeliverable) return 'reaction';
    // Not told: the key made here goes too, so the redelivery that runs the command again tells.
    if (key?.status === 201)
      await api.reactions
        .deleteForIssueComment({ ...where, comment_id: event.commentId, reaction_id: key.data.id })
        .catch(() => undefined);
    return 'nobody';
  }
}
