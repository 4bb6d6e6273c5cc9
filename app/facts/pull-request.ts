// Who is asking, about what: the pull request (its head, whether it comes from a fork), the actor's
// permission, and team memberships only for the teams a policy names.
import { approvalRule, changedPolicies, isBot, PERMISSIONS } from '../../src/policy/index.ts';
import type { Actor, ApprovalRecord, DeploymentType, Permission } from '../../src/policy/index.ts';
import type { RawConfig } from '../../src/config/schema.ts';
import { FactsError } from './config.ts';
import { httpStatus } from './github.ts';
import type { Api, Where } from './github.ts';

export interface PullFacts {
  number: number;
  author: string;
  headSha: string;
  fromFork: boolean;
  open: boolean;
  /** The head branch and its repository; undefined when the fork was deleted. */
  head?: HeadBranch;
  /** The fork's owner lets the base's maintainers push to it ("Allow edits by maintainers"). */
  maintainerCanModify: boolean;
  /** The branch it is proposed to, and the repository's default branch. */
  baseRef: string;
  defaultBranch: string;
}

/** Where a pull request's commits are pushed: its head repository and branch. */
export interface HeadBranch {
  owner: string;
  repo: string;
  /** owner/repo, for messages. */
  fullName: string;
  ref: string;
}

export async function readPull(api: Api, where: Where, number: number): Promise<PullFacts> {
  const { data } = await api.pulls.get({ ...where, pull_number: number });
  const headRepo = data.head.repo?.full_name;
  return {
    number,
    author: data.user.login,
    headSha: data.head.sha.toLowerCase(),
    // A deleted fork has no repo: never treat it as ours.
    fromFork: headRepo === undefined || headRepo.toLowerCase() !== data.base.repo.full_name.toLowerCase(),
    open: data.state === 'open',
    ...(data.head.repo
      ? {
          head: {
            owner: data.head.repo.owner.login,
            repo: data.head.repo.name,
            fullName: data.head.repo.full_name,
            ref: data.head.ref,
          },
        }
      : {}),
    maintainerCanModify: data.maintainer_can_modify === true,
    baseRef: data.base.ref,
    defaultBranch: data.base.repo.default_branch,
  };
}

/** GitHub lists at most this many of a pull request's commits. */
const PULL_COMMITS_LISTED = 250;

/**
 * Whether `sha` is one of the pull request's commits (GitHub lists up to 250; a commit a force-push dropped is
 * not one of them).
 */
export async function pullHasCommit(api: Api, where: Where, number: number, sha: string): Promise<boolean> {
  const wanted = sha.toLowerCase();
  for (let page = 1; page <= Math.ceil(PULL_COMMITS_LISTED / 100); page++) {
    const { data } = await api.pulls.listCommits({ ...where, pull_number: number, per_page: 100, page });
    if (data.some((commit) => commit.sha.toLowerCase() === wanted)) return true;
    if (data.length < 100) return false;
  }
  return false;
}

/** Pages of 100 of the head branch's activity read at most: with more, who pushed is not known. */
export const PUSH_ACTIVITY_PAGES = 10;
/** Changes of a branch whose `before` is an ancestor of their `after`. */
const FAST_FORWARD: ReadonlySet<string> = new Set(['push', 'pr_merge', 'merge_queue_merge']);

/**
 * Who changed the pull request's head branch, as GitHub's repository activity says (each push, force push,
 * creation of the branch...: its actor is the account that did it). A commit's author and committer are what
 * the commit says, and whoever pushes writes them: an approver who pushed a commit naming someone else (or an
 * e-mail GitHub links to nobody) to another's pull request is found here, not in the commits.
 *
 * `undefined` where GitHub does not show it: a fork the App cannot see (404/403) whose owner alone may push to
 * it, a deleted fork, a GitHub without the activity list. Refusing every approval there would break fork pull
 * requests and installs on such a GitHub: the commits' people decide there, as before the activity was read.
 * A fork that lets the base's maintainers push ("Allow edits by maintainers") is different: an approver may
 * have pushed there unseen, so it throws as below. A branch with more changes than the App reads is different (anyone who may push can make them):
 * a FactsError (`pushers_unreadable`), never a shorter answer, which would make a pusher's approval count.
 *
 * `commits`: the pull request's commits, when all of them are known: a change counts only when the commit it
 * left the branch at is one of them (it brought some of them in). A long-lived branch (develop → main) keeps
 * the changes of everything already merged from it; those pushers pushed nothing this pull request holds.
 * Newest first, the reading stops at the first change that left the branch at a commit the base already has,
 * when every change after it was a fast-forward (a push or a merge, each one's `before` the next one's
 * `after`, from the head down): that commit is then an ancestor of the head outside the pull request, so it
 * and every commit before it are the base's. An older change's commit that a force push dropped and a later
 * merge brought back is counted for whoever pushed that merge (as one merged from another branch is).
 */
export async function headPushers(
  api: Api,
  pull: PullFacts,
  commits?: ReadonlySet<string>,
): Promise<string[] | undefined> {
  const { head, number } = pull;
  if (!head) return undefined;
  // The head was read before the commits were listed. A push in between leaves it among them (the newest
  // change then is not the one to it, so the stop rule never applies: every change to one of the commits
  // counts), or a force push dropped it: then every change of the branch counts.
  if (commits && !commits.has(pull.headSha)) commits = undefined;
  const unreadable = (why: string) =>
    new FactsError(
      'pushers_unreadable',
      `who pushed to the branch of pull request #${number} cannot be read (${why}): an approval there could be ` +
        "its own pusher's, so none is decided on it",
    );
  const out: string[] = [];
  let after: string | undefined;
  // The commit the next (older) change must have left the branch at for the chain from the head to hold.
  let expected: string | undefined = commits ? pull.headSha : undefined;
  for (let page = 1; page <= PUSH_ACTIVITY_PAGES; page++) {
    let read;
    try {
      read = await api.repos.listActivities({
        owner: head.owner,
        repo: head.repo,
        ref: `refs/heads/${head.ref}`,
        per_page: 100,
        ...(after !== undefined ? { after } : {}),
      });
    } catch (error) {
      const status = httpStatus(error);
      // A fork whose owner lets the base's maintainers push to it: an approver may have pushed there unseen.
      if ((status === 404 || status === 403) && pull.maintainerCanModify)
        throw unreadable(`the fork ${head.fullName} lets maintainers push, and its activity is not shown`);
      if (status === 404 || status === 403) return undefined;
      throw error;
    }
    for (const change of read.data) {
      const tip = change.after.toLowerCase();
      const mine = !commits || commits.has(tip);
      // An ancestor of the head that is not one of the pull request's commits: the base's, as is all before.
      if (!mine && expected !== undefined && tip === expected) return out;
      const { actor } = change;
      if (mine && actor && !isBot({ login: actor.login, type: actor.type })) out.push(actor.login);
      // A force push, a branch made or deleted, or a gap: what came before need not be the head's ancestor.
      expected =
        expected !== undefined && tip === expected && FAST_FORWARD.has(change.activity_type)
          ? change.before.toLowerCase()
          : undefined;
    }
    after = nextCursor(read.headers.link);
    if (after === undefined) return out;
  }
  throw unreadable(`it has more than ${PUSH_ACTIVITY_PAGES * 100} changes, the most the App reads`);
}

/** The `after` cursor of a Link header's next page (the activity list pages by cursor, not by number). */
function nextCursor(link: string | undefined): string | undefined {
  const next = link?.split(',').find((part) => /rel="next"/.test(part));
  const url = next && /<([^>]+)>/.exec(next)?.[1];
  if (!url) return undefined;
  try {
    return new URL(url).searchParams.get('after') ?? undefined;
  } catch {
    return undefined;
  }
}

/** What was read of who wrote a pull request's commits and who pushed them (pullContributors). */
export interface ContributorsRead {
  /** The commits' authors and committers, as GitHub links them. */
  writers: string[];
  /** Who changed the head branch (headPushers); undefined where GitHub does not show it. */
  pushers: string[] | undefined;
  /** Why who pushed cannot be told (`pushers_unreadable`), instead of `pushers`. */
  unreadable?: FactsError;
}

/**
 * Who pushed to the pull request or wrote its commits: whoever changed its head branch to one of its commits
 * (headPushers), and the GitHub logins of each commit's author and committer as GitHub links them (up to the
 * 250 commits GitHub lists, one request per 100). `pull` is the pull request as read before (readPull).
 */
async function readContributors(api: Api, where: Where, pull: PullFacts): Promise<ContributorsRead> {
  const writers: Array<{ login?: string; type?: string } | null | undefined> = [];
  const shas = new Set<string>();
  const { commits, complete } = await headCommits(api, where, pull);
  for (const commit of commits) {
    shas.add(commit.sha.toLowerCase());
    writers.push(commit.author, commit.committer);
  }
  const people = contributorList(writers);
  try {
    // Some commits not listed: then every change of the branch counts.
    const pushers = await headPushers(api, pull, complete ? shas : undefined);
    return { writers: people, pushers };
  } catch (error) {
    if (!(error instanceof FactsError)) throw error;
    return { writers: people, pushers: undefined, unreadable: error };
  }
}

interface ListedCommit {
  sha: string;
  author: { login?: string; type?: string } | null;
  committer: { login?: string; type?: string } | null;
}

/**
 * The commits whose writers and pushers do not approve the pull request's deployment, and whether all are
 * listed: the head's commits the default branch lacks (GitHub's compare, up to 300), and, proposed to another
 * branch, also the pull request's own (GitHub lists 250). The compare does not depend on the base: anyone who
 * may push can make a branch holding their own commit and change the pull request's base to it (also between
 * the App's reads), and that commit is then none of the pull request's own. The pull request's own commits
 * cover a head the default branch already holds (develop, the default, proposed to main). A head with no
 * common ancestor with the default branch (an orphan line such as gh-pages): its own commits, and every change
 * of the branch counts.
 */
async function headCommits(
  api: Api,
  where: Where,
  pull: PullFacts,
): Promise<{ commits: ListedCommit[]; complete: boolean }> {
  const bySha = new Map<string, ListedCommit>();
  const add = (commit: ListedCommit) => bySha.set(commit.sha.toLowerCase(), commit);
  const pages = Math.ceil(PULL_COMMITS_LISTED / 100);
  let complete = true;
  let compared = true;
  try {
    let total = 0;
    let read = 0;
    for (let page = 1; page <= pages; page++) {
      const { data } = await api.repos.compareCommitsWithBasehead({
        ...where,
        basehead: `${pull.defaultBranch}...${pull.headSha}`,
        per_page: 100,
        page,
      });
      total = data.total_commits;
      read += data.commits.length;
      data.commits.forEach(add);
      if (data.commits.length < 100 || read >= total) break;
    }
    if (read < total) complete = false;
  } catch (error) {
    // No common ancestor (GitHub answers 404): the compare says nothing.
    if (httpStatus(error) !== 404) throw error;
    compared = false;
    complete = false;
  }
  if (pull.baseRef !== pull.defaultBranch || !compared) {
    let listed = 0;
    for (let page = 1; page <= pages; page++) {
      const { data } = await api.pulls.listCommits({
        ...where,
        pull_number: pull.number,
        per_page: 100,
        page,
      });
      listed += data.length;
      data.forEach(add);
      if (data.length < 100) break;
    }
    if (listed >= PULL_COMMITS_LISTED) complete = false;
  }
  return { commits: [...bySha.values()], complete };
}

/** Logins, each once in its first spelling; bots and GitHub's committer of web edits and merges left out. */
function contributorList(
  users: ReadonlyArray<{ login?: string; type?: string } | null | undefined>,
): string[] {
  const found = new Map<string, string>();
  for (const user of users) {
    if (!user?.login || isBot({ login: user.login, type: user.type })) continue;
    if (user.login.toLowerCase() === 'web-flow') continue;
    if (!found.has(user.login.toLowerCase())) found.set(user.login.toLowerCase(), user.login);
  }
  return [...found.values()];
}

/**
 * The people of a contributors' read: their approval of the deployment is a self-approval, like the author's.
 * GitHub's own committer of web edits and merges (web-flow) and bots are left out: they never approve, and
 * naming them would only crowd the replies. Where who pushed cannot be told, the FactsError
 * (`pushers_unreadable`), or with `skipUnreadablePushers` the commits' people alone (for a veto, which only
 * stops a deployment).
 */
function contributorsOf(read: ContributorsRead, options: { skipUnreadablePushers?: boolean } = {}): string[] {
  if (read.unreadable && !options.skipUnreadablePushers) throw read.unreadable;
  return contributorList([...read.writers, ...(read.pushers ?? [])].map((login) => ({ login })));
}

/** readContributors and contributorsOf in one. */
export async function pullContributors(
  api: Api,
  where: Where,
  pull: PullFacts,
  options: { skipUnreadablePushers?: boolean } = {},
): Promise<string[]> {
  return contributorsOf(await readContributors(api, where, pull), options);
}

/** The actor with GitHub's account type of the event's user, when it says one (a Bot never approves). */
export function withAccountType(actor: Actor, type: string | undefined): Actor {
  return type === 'User' || type === 'Bot' || type === 'Organization' ? { ...actor, type } : actor;
}

/**
 * What one delivery has read about people, so nobody is looked up twice while it is handled: the actors by
 * login and teams, the pull request's contributors and who started a held workflow run.
 */
export interface PeopleCache {
  /**
   * Each login's permission, once: a person judged as a deployer and then as an approver (other teams asked
   * for) is not asked for their permission again.
   */
  permissions: Map<string, Promise<Permission>>;
  /** Whether a login actively belongs to a team ("org/slug"), by `login\nteam` (lowercase), once each. */
  memberships: Map<string, Promise<boolean>>;
  /**
   * By pull request: one delivery may decide for several (the gates waiting at a commit that is the head of
   * more than one pull request).
   */
  contributors: Map<number, Promise<ContributorsRead>>;
  /** Who started each workflow run a protection rule holds, by run id (runStarters). */
  requesters: Map<number, Promise<RunStarters>>;
}

/** Who started a workflow run, in GitHub's words (logins; absent when GitHub names nobody). */
export interface RunStarters {
  /** The run's actor: who pushed, opened the pull request or dispatched it (the App's bot for its own event). */
  actor?: string;
  /** Who started this attempt: someone else when they re-ran it, else the actor. */
  triggeringActor?: string;
  /**
   * When GitHub made the run (its created_at): a re-run keeps it (run_started_at is the attempt's), so a run
   * the App's deployment event started is never older than that deployment.
   */
  createdAt?: string;
  /** The run's attempt GitHub shows now (a re-run counts it up): what the App names when it lets the run through. */
  attempt?: number;
}

export const peopleCache = (): PeopleCache => ({
  permissions: new Map(),
  memberships: new Map(),
  contributors: new Map(),
  requesters: new Map(),
});

/** `read()` once per `key` of `map`; a failed read is not kept: the next caller asks again. */
function once<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = read();
    value.catch(() => map.delete(key));
    map.set(key, value);
  }
  return value;
}

/**
 * actorOf for the delivery `cache` belongs to: the login's permission read once, and each of `teams` once,
 * whatever other teams were asked for it before (a requester's deployer teams, then an approver's).
 */
export async function cachedActorOf(
  api: Api,
  where: Where,
  login: string,
  teams: readonly string[],
  cache: PeopleCache | undefined,
): Promise<Actor> {
  if (!cache) return actorOf(api, where, login, teams);
  const who = login.toLowerCase();
  const [permission, memberships] = await Promise.all([
    once(cache.permissions, who, () => permissionOf(api, where, login)),
    Promise.all(
      teams.map(async (team) =>
        (await once(cache.memberships, `${who}\n${team.toLowerCase()}`, () => activeMember(api, login, team)))
          ? team
          : undefined,
      ),
    ),
  ]);
  return { login, permission, teams: memberships.filter((t): t is string => t !== undefined) };
}

/** pullContributors, read once for the delivery `cache` belongs to (a veto's read and an approval's share it). */
export async function cachedContributors(
  api: Api,
  where: Where,
  pull: PullFacts,
  cache: PeopleCache | undefined,
  options: { skipUnreadablePushers?: boolean } = {},
): Promise<string[]> {
  if (!cache) return pullContributors(api, where, pull, options);
  let read = cache.contributors.get(pull.number);
  if (!read) {
    read = readContributors(api, where, pull);
    // A failed read is not kept: the next caller asks again.
    read.catch(() => cache.contributors.delete(pull.number));
    cache.contributors.set(pull.number, read);
  }
  return contributorsOf(await read, options);
}

/**
 * The current permission and teams (among `teams`) of everyone with an approval or veto among `records`:
 * the policy judges approvals on these (approverFacts), so someone who left the approvers' team or lost
 * access since no longer counts. One permission request, and one per team, per person.
 */
export async function approverFactsOf(
  api: Api,
  where: Where,
  records: readonly ApprovalRecord[],
  teams: readonly string[],
  cache: PeopleCache | undefined,
): Promise<Actor[]> {
  const people = distinctLogins(
    records.filter((record) => !isBot(record.by)).map((record) => record.by.login),
  );
  return Promise.all(people.map((login) => cachedActorOf(api, where, login, teams, cache)));
}

/** Each login once, case-insensitively (the last spelling seen). */
const distinctLogins = (logins: readonly string[]): string[] => [
  ...new Map(logins.map((login) => [login.toLowerCase(), login] as const)).values(),
];

/** One person's current permission and teams, or why they could not be read. */
export type PersonFacts =
  { login: string; ok: true; actor: Actor } | { login: string; ok: false; error: string };

/**
 * approverFactsOf for people named by login (the earlier promoters of an `approval: N` wait), each read on
 * its own: a read that fails fails that person only (their caller counts them out: fails closed), never the
 * others'.
 */
export async function approverFactsByLogin(
  api: Api,
  where: Where,
  logins: readonly string[],
  teams: readonly string[],
  cache: PeopleCache | undefined,
): Promise<PersonFacts[]> {
  return Promise.all(
    distinctLogins(logins).map((login) =>
      cachedActorOf(api, where, login, teams, cache).then(
        (actor): PersonFacts => ({ login, ok: true, actor }),
        (error: unknown): PersonFacts => ({
          login,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        }),
      ),
    ),
  );
}

/** Permission as the policy knows it: role_name keeps maintain/triage, which `permission` folds away. */
export async function permissionOf(api: Api, where: Where, login: string): Promise<Permission> {
  try {
    const { data } = await api.repos.getCollaboratorPermissionLevel({ ...where, username: login });
    const role = (data.role_name ?? '') as Permission;
    if ((PERMISSIONS as readonly string[]).includes(role)) return role;
    return (PERMISSIONS as readonly string[]).includes(data.permission)
      ? (data.permission as Permission)
      : 'none';
  } catch (error) {
    // Not a collaborator (or not a user at all): no permission.
    if (httpStatus(error) === 404) return 'none';
    throw error;
  }
}

/** The actor with the teams among `teams` ("org/slug") they actively belong to: one request per team. */
export async function actorOf(
  api: Api,
  where: Where,
  login: string,
  teams: readonly string[],
): Promise<Actor> {
  const [permission, memberships] = await Promise.all([
    permissionOf(api, where, login),
    Promise.all(teams.map(async (team) => ((await activeMember(api, login, team)) ? team : undefined))),
  ]);
  return { login, permission, teams: memberships.filter((t): t is string => t !== undefined) };
}

/** Whether `login` actively belongs to `team` ("org/slug"): one request. */
async function activeMember(api: Api, login: string, team: string): Promise<boolean> {
  const [org, slug] = team.split('/') as [string, string];
  try {
    const { data } = await api.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
    return data.state === 'active';
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

/** The teams ("org/slug") among principal lists: only those memberships are looked up. */
export const teamsIn = (...lists: Array<readonly string[]>): string[] => [
  ...new Set(lists.flat().filter((p) => p.includes('/'))),
];

/**
 * The teams named as deployers or approvers (of this kind of deployment) by every environment a deployment
 * of `environment` changes (its staging environment too: src/policy/changed-environments.ts), each of whose
 * rules is judged on the person.
 */
export function changedTeams(
  config: RawConfig,
  environment: string,
  type: DeploymentType,
  roles: ReadonlyArray<'deployers' | 'approvers'>,
): string[] {
  return teamsIn(
    ...changedPolicies(config, environment, type).flatMap((policy) =>
      roles.map((role) => (role === 'deployers' ? policy.deployers : approvalRule(policy, type).approvers)),
    ),
  );
}
