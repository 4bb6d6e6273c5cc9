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

/**
 * A command in a comment another GitHub App posted on the author's behalf (with a user-to-server token: the
 * comment shows the person, with the app's badge) is refused. The person authorized that app once; it
 * writes whatever it chooses with their name for hours (months with its refresh token), so the comment is no
 * sign the person asked for this deployment, approval or unlock now, and it never acts with their authority.
 */
async function refuseViaApp(
  api: CommentApi,
  event: CommentEvent,
  app: { slug: string; name: string },
): Promise<CommentOutcome> {
  const where = { owner: event.owner, repo: event.repo };
  // The reaction is the idempotency key here too: a redelivery answers once.
  const picked = await api.reactions.createForIssueComment({
    ...where,
    comment_id: event.commentId,
    content: 'confused',
  });
  if (picked.status === 200) return { status: 'ignored', reason: 'already_handled' };
  const name = userText(app.name || app.slug || 'unknown', { max: 100 });
  const slug = app.slug ? ` (${userText(app.slug, { as: 'code', max: 100 })})` : '';
  await api.issues.createComment({
    ...where,
    issue_number: event.number,
    body:
      `**Not accepted** (\`posted_via_app\`): this comment was posted for ${userText(event.author.login, { as: 'mention' })} ` +
      `by the GitHub App ${name}${slug}, not written on GitHub by them, so it does not act with their ` +
      'authority. Write the command as a comment yourself.',
  });
  return { status: 'refused', code: 'posted_via_app' };
}

export async function handleComment(
  api: CommentApi,
  event: CommentEvent,
  dispatch: Dispatch,
): Promise<CommentOutcome> {
  const ignored = ignoreReason(event);
  if (ignored) return { status: 'ignored', reason: ignored };
  const parsed = parseCommand(event.body);
  if (parsed.kind === 'none') return { status: 'ignored', reason: 'not_a_command' };
  const where = { owner: event.owner, repo: event.repo };
  if (event.viaApp) return refuseViaApp(api, event, event.viaApp);
  // React first, so the person sees the app picked the command up even if the work takes a while. The
  // reaction is also the idempotency key: GitHub answers 200 (not 201) when the app's reaction is already
  // there, i.e. this comment was picked up before (a redelivery, or the same delivery twice at once).
  const picked = await api.reactions.createForIssueComment({
    ...where,
    comment_id: event.commentId,
    content: parsed.kind === 'invalid' ? 'confused' : 'eyes',
  });
  if (picked.status === 200) return { status: 'ignored', reason: 'already_handled' };
  // Commands below the first line are never run: the answer says so (later-commands.ts), once.
  let noteLeft = laterCommandsNote(event.body);
  const laterNote = (): string => {
    const note = noteLeft;
    noteLeft = '';
    return note;
  };
  if (parsed.kind === 'invalid') {
    const note = laterNote();
    await api.issues.createComment({
      ...where,
      issue_number: event.number,
      body: fitComment(note ? addBeforeMarkers(refusalReply(parsed), note) : refusalReply(parsed)),
    });
    return { status: 'refused', code: parsed.code };
  }
  let reply: Reply;
  try {
    reply = await dispatch(parsed, { ...event, laterNote });
  } catch (error) {
    // Nothing is lost: take the reaction back so a redelivery of this webhook runs the command again, and say
    // so on the PR. The error goes on to Probot, which logs it and answers GitHub with a failure.
    await api.reactions
      .deleteForIssueComment({ ...where, comment_id: event.commentId, reaction_id: picked.data.id })
      .catch(() => undefined);
    // An error may quote what it was given (a value from the PR, a name): echoed like any user text.
    const why =
      error instanceof Error ? userText(error.message.split('\n')[0], { max: 200 }) : 'unknown error';
    await api.issues
      .createComment({
        ...where,
        issue_number: event.number,
        body: `**Failed** (\`internal_error\`): \`/${parsed.kind}\` could not be completed (${why}). Nothing was deployed by it; comment again or redeliver the webhook.`,
      })
      .catch(() => undefined);
    throw error;
  }
  if (reply.reaction !== 'eyes') {
    await api.reactions.createForIssueComment({
      ...where,
      comment_id: event.commentId,
      content: reply.reaction,
    });
  }
  if (reply.body !== undefined) {
    const quiet = quietMentions(reply.body, event.author.login);
    const note = laterNote();
    const body = note ? addBeforeMarkers(quiet, note) : quiet;
    await api.issues.createComment({ ...where, issue_number: event.number, body: fitComment(body) });
  }
  // The answer was the work itself (the status comment a new deployment wrote): the note on its own.
  const note = laterNote();
  if (note) await api.issues.createComment({ ...where, issue_number: event.number, body: note });
  return { status: 'dispatched', command: parsed, reply };
}
