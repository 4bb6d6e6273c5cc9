// A command written in a pull request review (its body) or in a comment on the diff: the App reads commands in
// the conversation only (README, The GitHub App: there comments have an order, a reaction that answers a
// redelivery once and a time checked against the heads the App showed). Such a command used to get no answer
// at all; now its writer is told once, in the conversation, that nothing was done and where to write it.
import type { Probot } from 'probot';
import { parseCommand } from '../commands/parse.ts';
import { userText } from '../../src/github/user-text.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { Octokit } from '../facts/github.ts';
import { ownBotLogin } from '../facts/own-comments.ts';
import { answerOnce, answeringRefName, swapOption } from '../facts/answer-once.ts';

type Account = { login: string; type?: string } | null | undefined;

/** What the handler reads of a pull_request_review or pull_request_review_comment delivery. */
export interface ReviewCommandEvent {
  /** `review`: a review's body; `diff`: a comment on a line of the diff. */
  where: 'review' | 'diff';
  action: string;
  owner: string;
  repo: string;
  pr: number;
  /** The review's or the review comment's id (what the reply's tag names, so it is written once). */
  id: number;
  body: string;
  author: Account;
  sender: Account;
  /** When GitHub says it was written: the reply looks for its own earlier answer from then on. */
  at?: string;
  /** A commit of the repository (the pull request's base): where the claim ref points while answering. */
  baseSha: string;
  /** The repository's GraphQL node id (the webhook's): a claim left behind is taken over with it. */
  repositoryNodeId?: string;
}

export type ReviewCommandOutcome =
  | { status: 'ignored'; reason: 'not_created' | 'bot' | 'not_a_command' }
  /** The reply is there, or another delivery of the event is writing it (it holds the claim). */
  | { status: 'already_answered' }
  | { status: 'answered'; commentId: number };

const isBot = (who: Account): boolean =>
  !who || who.type === 'Bot' || who.login.toLowerCase().endsWith('[bot]');

/** The tag in the reply that says which review or comment it answers (GitHub hides HTML comments). */
export const answerTag = (event: Pick<ReviewCommandEvent, 'where' | 'id'>): string =>
  `<!-- deploy-action-misplaced-command ${event.where}:${event.id} -->`;

/** Pure: the reply to a command written in a review or on the diff, or why there is none. */
export function misplacedCommandReply(
  event: ReviewCommandEvent,
): { reply: string } | { ignored: 'not_created' | 'bot' | 'not_a_command' } {
  // Only what is written now: an edit or a dismissal of an old review is not a new command.
  if (event.action !== (event.where === 'review' ? 'submitted' : 'created'))
    return { ignored: 'not_created' };
  if (isBot(event.author) || isBot(event.sender)) return { ignored: 'bot' };
  // Read as a conversation comment is: its first line, the same look-alike and quoting rules.
  if (parseCommand(event.body).kind === 'none') return { ignored: 'not_a_command' };
  const firstLine = event.body.split(/\r?\n|\r/, 1)[0] ?? '';
  const place = event.where === 'review' ? 'a review' : 'a comment on the diff';
  const reply = [
    `${userText(event.author!.login, { as: 'mention' })}: ${userText(firstLine.trim(), { as: 'code', max: 100 })} ` +
      `was written in ${place}, where the App reads no commands: **nothing was done**. Write it as a comment ` +
      'in the pull request’s conversation.',
    '',
    answerTag(event),
  ].join('\n');
  return { reply };
}

/**
 * Answers a command in a review or on the diff once: a redelivery finds the reply by its tag, and two
 * deliveries handled at once (a redelivery while the first is still at work, two replicas) are one answer,
 * since the reply is looked for and written only under the event's claim (facts/answer-once.ts).
 */
export async function handleReviewCommand(
  octokit: Octokit,
  event: ReviewCommandEvent,
  /** The App's marker keys: the claim is the App's own (answer-once.ts). */
  keys: MarkerKeys,
  /** The App's clock: the claim's time and a found claim's age, as every other claim of the App's. */
  now: () => Date = () => new Date(),
): Promise<ReviewCommandOutcome> {
  const decided = misplacedCommandReply(event);
  if ('ignored' in decided) return { status: 'ignored', reason: decided.ignored };
  const where = { owner: event.owner, repo: event.repo };
  const bot = (await ownBotLogin(octokit)).toLowerCase();
  const tag = answerTag(event);
  const once = await answerOnce(
    octokit.rest,
    where,
    keys,
    { ref: answeringRefName(event.where, `${event.where}:${event.id}`), sha: event.baseSha },
    async (): Promise<ReviewCommandOutcome> => {
      // Only the App's own comments count: anyone else writing the tag answers nothing for it.
      const earlier = await octokit.paginate(octokit.rest.issues.listComments, {
        ...where,
        issue_number: event.pr,
        per_page: 100,
        ...(event.at ? { since: event.at } : {}),
      });
      if (earlier.some((c) => c.user?.login.toLowerCase() === bot && (c.body ?? '').includes(tag)))
        return { status: 'already_answered' };
      const { data } = await octokit.rest.issues.createComment({
        ...where,
        issue_number: event.pr,
        body: decided.reply,
      });
      return { status: 'answered', commentId: data.id };
    },
    { now, ...swapOption(octokit, where, event.repositoryNodeId) },
  );
  return once.claimed ? once.value : { status: 'already_answered' };
}

interface ReviewPayload {
  action: string;
  repository: { name: string; owner: { login: string }; node_id?: string };
  pull_request: { number: number; base: { sha: string } };
  sender: Account;
  review?: { id: number; body: string | null; user: Account; submitted_at?: string | null };
  comment?: { id: number; body: string; user: Account; created_at?: string };
}

export function reviewCommandEventFrom(payload: ReviewPayload): ReviewCommandEvent | undefined {
  const base = {
    action: payload.action,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    pr: payload.pull_request.number,
    baseSha: payload.pull_request.base.sha,
    sender: payload.sender,
    ...(payload.repository.node_id ? { repositoryNodeId: payload.repository.node_id } : {}),
  };
  if (payload.review)
    return {
      ...base,
      where: 'review',
      id: payload.review.id,
      body: payload.review.body ?? '',
      author: payload.review.user,
      ...(payload.review.submitted_at ? { at: payload.review.submitted_at } : {}),
    };
  if (payload.comment)
    return {
      ...base,
      where: 'diff',
      id: payload.comment.id,
      body: payload.comment.body,
      author: payload.comment.user,
      ...(payload.comment.created_at ? { at: payload.comment.created_at } : {}),
    };
  return undefined;
}

export function registerReviewCommands(app: Probot, keys: MarkerKeys, now: () => Date): void {
  app.on(['pull_request_review.submitted', 'pull_request_review_comment.created'], async (context) => {
    const event = reviewCommandEventFrom(context.payload as unknown as ReviewPayload);
    if (!event) return;
    const outcome = await handleReviewCommand(context.octokit as unknown as Octokit, event, keys, now);
    context.log.info(
      { delivery: context.id, where: event.where, id: event.id, outcome: outcome.status },
      `misplaced command ${outcome.status}`,
    );
  });
}
