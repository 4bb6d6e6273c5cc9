// The check runs of one name on one commit, read through the check suites that hold them. GitHub's list of a
// commit's check runs (GET /repos/{owner}/{repo}/commits/{ref}/check-runs) covers only the commit's 1000
// NEWEST check suites, and anyone who can run workflows adds a suite with every workflow run: enough of them
// push an older suite, and every check run in it, off that list, so a record kept in a check run (an ended
// request, a control request, a state record, a failing required check) would silently not be there. The
// commit's check suites themselves are all listed (filtered by app and by the name of a run they hold), and a
// suite's check runs are all listed: that is what this reads, page by page, within a bound, and past the bound
// it throws TooManyCheckRuns: never a short answer, which a caller would read as "no record". A caller for whom
// part of the list is still worth reading (an /abort found in it is acted on) asks for `partial` instead: what
// was read comes back flagged, never as the whole.

/** A check suite as the list returns it (only what is read). */
export interface ListedSuite {
  id: number;
  app: { id: number; slug?: string } | null;
}

/** A check run as a suite's list returns it (only what every caller reads; callers ask for more). */
export interface ListedCheckRun {
  id: number;
  name?: string;
  app?: { id: number; slug?: string } | null;
}

interface Answer<T> {
  status?: number;
  data: T;
  headers?: Record<string, unknown>;
}

/** The two calls read (`octokit.rest.checks` has them); `headers` only when a cache is given. */
export interface CheckSuitesApi<R extends ListedCheckRun = ListedCheckRun> {
  checks: {
    listSuitesForRef(params: {
      owner: string;
      repo: string;
      ref: string;
      app_id?: number;
      check_name: string;
      per_page: number;
      page: number;
      headers?: Record<string, string>;
    }): Promise<Answer<{ total_count: number; check_suites: ListedSuite[] }>>;
    listForSuite(params: {
      owner: string;
      repo: string;
      check_suite_id: number;
      check_name: string;
      filter: 'all' | 'latest';
      per_page: number;
      page: number;
      headers?: Record<string, string>;
    }): Promise<Answer<{ total_count: number; check_runs: R[] }>>;
  };
}

/**
 * A check run the App writes once, completed and neutral, as a mark on a commit only it can make (the end of a
 * scheduled request, the head it saw): `octokit.rest.checks.create` with these fields.
 */
export type MarkCheckRun = {
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  external_id: string;
  status: 'completed';
  conclusion: 'neutral';
  output: { title: string; summary: string };
};

/**
 * ETags of first pages read before and what they held (`over`: the list was past its bound, and `items` is the
 * part read): a 304 answer (free of rate limit) reuses it.
 */
export type ConditionalCache = Map<string, { etag: string; items: unknown[]; over?: boolean }>;

export interface CheckRunsQuery<R extends ListedCheckRun = ListedCheckRun> {
  sha: string;
  /** The check run name (exact). */
  name: string;
  /**
   * Only this app's check suites and check runs. Undefined: every app's (a required check anyone's workflow
   * may post, a record whose writer is told apart by its signature, not by its app).
   */
  appId?: number;
  /** `all` (default): every check run of the name; `latest`: the newest of the name in each suite. */
  filter?: 'all' | 'latest';
  /** Suites holding a check run of the name read at most (default 1000); more throws. */
  maxSuites?: number;
  /**
   * Read the suites newest first and stop once this holds for the runs read so far: older suites are not
   * read, and `maxSuites` bounds the suites READ (up to 1000 are listed). For a reader that wants the newest
   * record of one writer and everything newer than it, however many older suites the commit has.
   */
  until?: (runs: readonly R[]) => boolean;
  /** Check runs read at most, all suites together (default 1000); more throws. */
  maxRuns?: number;
  /**
   * Without `appId`: an app with more suites holding the name than this is passed over (not read) and named
   * in `passedOver`. For readers whose records only ever come from an app with one suite per commit. Up to
   * 1000 suites are listed then, and `maxSuites` bounds those left to read once the apps are passed over.
   */
  perAppSuites?: number;
  /** Conditional first pages (polling): see ConditionalCache. */
  cache?: ConditionalCache;
  /**
   * Past a bound, return what was read, flagged `partial`, instead of throwing. A list past its bound is then
   * read at both ends: its first page and its last pages, so its newest items are read whichever order GitHub
   * lists them in; and every suite gets at least its first and last page, so one flooded suite does not keep
   * another's newest check runs unread. Without `until` only.
   */
  partial?: boolean;
  /**
   * Without `appId`: apps whose suites are neither read nor counted (toward `perAppSuites`, `maxSuites` or
   * `partial`): writers whose check runs can never be what the caller looks for, so a flood of theirs costs
   * the read nothing.
   */
  skipApp?: (app: { id: number; slug?: string }) => boolean;
}

export interface CheckRunsRead<R> {
  /** Oldest first (check run ids grow with creation). */
  runs: R[];
  /** Requests sent (304s included). */
  requests: number;
  /** Apps passed over for holding more suites of the name than `perAppSuites`. */
  passedOver: Array<{ app: { id: number; slug?: string }; suites: number }>;
  /** With `partial`: the bound the list was past; `runs` is then only part of the check runs of the name. */
  partial?: TooManyCheckRuns;
}

export const PAGE = 100;

export class TooManyCheckRuns extends Error {
  readonly what: 'suites' | 'runs';
  readonly limit: number;
  constructor(
    what: 'suites' | 'runs',
    limit: number,
    query: Pick<CheckRunsQuery, 'sha' | 'name' | 'appId'>,
    newestRead = false,
  ) {
    const owner = query.appId === undefined ? '' : ` of app ${query.appId}`;
    super(
      newestRead
        ? `the ${limit} newest check suites${owner} of commit ${query.sha.slice(0, 12)} holding check runs named ` +
            `"${query.name}" do not hold what was looked for, and no more are read`
        : what === 'suites'
          ? `commit ${query.sha.slice(0, 12)} has more than ${limit} check suites${owner} holding check runs named ` +
            `"${query.name}", the most that are read`
          : `commit ${query.sha.slice(0, 12)} has more than ${limit} check runs${owner} named "${query.name}", ` +
            'the most that are read',
    );
    this.name = 'TooManyCheckRuns';
    this.what = what;
    this.limit = limit;
  }
}

const notModified = (error: unknown): boolean => (error as { status?: number }).status === 304;

/**
 * One listing, page by page; page 1 conditional when a cache is given. Past `limit`: throws `over()`, or with
 * `ends` returns the first page and the last pages up to `limit`, flagged `over`.
 */
async function listAll<D extends { total_count: number }, T>(
  key: string,
  fetch: (page: number, headers?: Record<string, string>) => Promise<Answer<D>>,
  items: (data: D) => T[],
  limit: number,
  over: () => Error,
  count: { requests: number },
  cache: ConditionalCache | undefined,
  ends = false,
): Promise<{ items: T[]; over: boolean }> {
  const out: T[] = [];
  let etag: unknown;
  const done = (read: { items: T[]; over: boolean }) => {
    if (cache && typeof etag === 'string') cache.set(key, { etag, ...read });
    else cache?.delete(key);
    return read;
  };
  const read = async (page: number): Promise<{ items: T[]; total: number } | undefined> => {
    const cached = page === 1 ? cache?.get(key) : undefined;
    let answer: Answer<D> | undefined;
    count.requests++;
    try {
      answer = await fetch(page, cached ? { 'if-none-match': cached.etag } : undefined);
    } catch (error) {
      if (!(cached && notModified(error))) throw error;
    }
    if (!answer || answer.status === 304) {
      // Page 1 unchanged: so is the whole list (any change to it changes the total, on page 1).
      if (cached) return undefined;
      throw new Error(`GitHub answered 304 to an unconditional request for ${key}`);
    }
    if (page === 1) etag = answer.headers?.etag;
    const listed = items(answer.data);
    if (!Array.isArray(listed)) throw new Error(`GitHub answered without the list of ${key}`);
    return { items: listed, total: answer.data.total_count };
  };
  for (let page = 1; ; page++) {
    const answer = await read(page);
    if (!answer) {
      const cached = cache!.get(key)!;
      return { items: cached.items as T[], over: cached.over === true };
    }
    out.push(...answer.items);
    const complete = answer.items.length < PAGE || out.length >= answer.total;
    // More than the limit, or the limit read with more to come: refused without reading on, or read at its end.
    if (out.length > limit || (!complete && out.length >= limit) || (ends && answer.total > limit)) {
      if (!ends) throw over();
      // Pages 2 to the last but those: the last pages, newest first, within the limit (at least one).
      const last = Math.ceil(answer.total / PAGE);
      const pages = Math.max(1, Math.floor(limit / PAGE) - Math.ceil(out.length / PAGE));
      for (let p = last; p > page && p > last - pages; p--) out.push(...((await read(p))?.items ?? []));
      return done({ items: out, over: true });
    }
    if (complete) return done({ items: out, over: false });
  }
}

/**
 * The check runs named `query.name` on `query.sha`, of `query.appId` (or of every app), through their check
 * suites: one request for the suites and one per suite in the common case (per 100 of each). Throws
 * TooManyCheckRuns past the bounds, and GitHub's errors as they are.
 */
export async function checkRunsThroughSuites<R extends ListedCheckRun>(
  api: CheckSuitesApi<R>,
  where: { owner: string; repo: string },
  query: CheckRunsQuery<R>,
): Promise<CheckRunsRead<R>> {
  const { sha, name, appId, cache, until } = query;
  const partial = query.partial === true && !until;
  let short: TooManyCheckRuns | undefined;
  const maxSuites = query.maxSuites ?? 1000;
  // Passing apps over (perAppSuites) or stopping early (until) bounds the suites READ, not those listed: a flood
  // of another app's suites is listed (up to 1000) and passed over, never a failed read.
  const perAppSuites = appId === undefined ? query.perAppSuites : undefined;
  const passOver = perAppSuites !== undefined;
  const maxListed = until || passOver ? 1000 : maxSuites;
  const maxRuns = query.maxRuns ?? 1000;
  const count = { requests: 0 };
  const tooManySuites = () => new TooManyCheckRuns('suites', maxListed, query);
  const listed = await listAll(
    `suites:${sha}:${appId ?? '*'}:${name}`,
    async (page, headers) =>
      api.checks.listSuitesForRef({
        ...where,
        ref: sha,
        ...(appId !== undefined ? { app_id: appId } : {}),
        check_name: name,
        per_page: PAGE,
        page,
        ...(headers ? { headers } : {}),
      }),
    (data) => data.check_suites,
    maxListed,
    tooManySuites,
    count,
    cache,
    partial,
  );
  if (listed.over) short = tooManySuites();
  const skipApp = appId === undefined ? query.skipApp : undefined;
  let suites = listed.items.filter(
    (s) => s.app && (appId === undefined || s.app.id === appId) && !skipApp?.(s.app),
  );
  const passedOver: CheckRunsRead<R>['passedOver'] = [];
  if (perAppSuites !== undefined) {
    const perApp = new Map<number, ListedSuite[]>();
    for (const s of suites) perApp.set(s.app!.id, [...(perApp.get(s.app!.id) ?? []), s]);
    for (const of of perApp.values())
      if (of.length > perAppSuites) passedOver.push({ app: of[0]!.app!, suites: of.length });
    const skipped = new Set(passedOver.map((p) => p.app.id));
    suites = suites.filter((s) => !skipped.has(s.app!.id));
  }
  if (!until && suites.length > maxSuites) {
    if (!partial) throw new TooManyCheckRuns('suites', maxSuites, query);
    // The newest suites (ids grow with creation): where a check run made since the last read would be.
    short ??= new TooManyCheckRuns('suites', maxSuites, query);
    suites = [...suites].sort((a, b) => b.id - a.id).slice(0, maxSuites);
  }
  // Suite ids grow with creation, whatever order the list comes in.
  if (until) suites = [...suites].sort((a, b) => b.id - a.id);
  const runs: R[] = [];
  let read = 0;
  const tooManyRuns = () => new TooManyCheckRuns('runs', maxRuns, query);
  for (const suite of suites) {
    if (until && read++ === maxSuites) throw new TooManyCheckRuns('suites', maxSuites, query, true);
    // A partial read gives every suite its first and last page: a suite read after a flooded one is read too.
    const limit = partial ? Math.max(maxRuns - runs.length, 2 * PAGE) : maxRuns - runs.length;
    const of = await listAll(
      `runs:${suite.id}:${name}:${query.filter ?? 'all'}`,
      async (page, headers) =>
        api.checks.listForSuite({
          ...where,
          check_suite_id: suite.id,
          check_name: name,
          filter: query.filter ?? 'all',
          per_page: PAGE,
          page,
          ...(headers ? { headers } : {}),
        }),
      (data) => data.check_runs,
      limit,
      tooManyRuns,
      count,
      cache,
      partial,
    );
    if (of.over) short ??= tooManyRuns();
    // The suite's app made its runs; a run naming another app (or another name) is not what was asked for.
    // A run listed without its app is its suite's: it is returned naming that app, so a caller judging who
    // made it judges by the suite's app, which GitHub sets, never by a field left out.
    runs.push(
      ...of.items
        .filter(
          (r) =>
            (r.name === undefined || r.name === name) &&
            (r.app == null || r.app.id === suite.app!.id) &&
            (appId === undefined || r.app?.id === appId),
        )
        .map((r) => (r.app == null ? { ...r, app: suite.app! } : r)),
    );
    if (until?.(runs)) break;
  }
  return {
    runs: runs.sort((a, b) => a.id - b.id),
    requests: count.requests,
    passedOver,
    ...(short ? { partial: short } : {}),
  };
}
