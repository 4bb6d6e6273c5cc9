// POST /graphql for the fake GitHub: every query is parsed and validated against GitHub's real GraphQL schema
// (@octokit/graphql-schema), then executed by graphql-js over the fake's stored deployments, commits and pull
// requests. A query that GitHub would refuse is refused here too, and recorded as a violation, so code that
// reads GitHub through GraphQL cannot drift from the real schema. Only what the code under test reads is
// resolved (repository.deployments with statuses, commits and their pull requests, repository.pullRequest's
// review threads with their first comment's author and address, the viewer's login); a
// field without a resolver answers null, as GitHub does for what it cannot resolve, and is reported as
// `unimplemented`.
import { readFileSync } from 'node:fs';
import type { GraphQLError } from 'graphql';
import {
  buildClientSchema,
  execute,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import type { FakeState, PullRecord, RepoState, ReviewThreadRecord } from './state.ts';
import { history, repoKey, repoNodeId } from './state.ts';

/** A refusal GitHub itself answers (an error in the response), not a mistake of the caller: no violation. */
class GithubRefusal extends Error {}

const ZERO_OID = '0'.repeat(40);

/** The commit an object is, through any number of annotated tags; undefined: no such object here. */
function peel(repo: RepoState, sha: string): string | undefined {
  for (let depth = 0; depth < 10; depth++) {
    if (repo.commits.has(sha)) return sha;
    const tag = repo.tagObjects.get(sha) as { object?: { sha?: string } } | undefined;
    if (!tag?.object?.sha) return undefined;
    sha = tag.object.sha;
  }
  return undefined;
}

/**
 * Mutation updateRefs: every update checked first (all or nothing, as GitHub does), `beforeOid` compared with
 * the ref (zeros: it must not exist), `afterOid` zeros deletes it; any other `afterOid` must be an object of
 * the repository, and moving an existing ref is refused unless it is a fast-forward (the new commit descends
 * from the old one) or `force` is true, as GitHub documents for RefUpdate.force.
 */
function updateRefs(state: FakeState, args: Json): Json {
  const input = args.input as { repositoryId: string; refUpdates: Json[]; clientMutationId?: string };
  const repo = [...state.repos.values()].find((r) => repoNodeId(r.owner, r.name) === input.repositoryId);
  if (!repo)
    throw new GithubRefusal(`Could not resolve to a node with the global id of '${input.repositoryId}'`);
  const updates = input.refUpdates.map((u) => {
    const name = String(u.name);
    if (!name.startsWith('refs/')) throw new GithubRefusal(`${name} is not a fully qualified ref name`);
    return {
      key: name.slice('refs/'.length),
      name,
      before: u.beforeOid as string | undefined,
      after: String(u.afterOid).toLowerCase(),
      force: u.force === true,
    };
  });
  for (const u of updates) {
    const current = repo.refs.get(u.key);
    if (u.before !== undefined) {
      const ok = u.before === ZERO_OID ? current === undefined : current === u.before.toLowerCase();
      if (!ok)
        throw new GithubRefusal(`A ref update for ${u.name} was rejected: it does not point to ${u.before}`);
    }
    if (u.after === ZERO_OID) continue;
    const after = peel(repo, u.after);
    if (after === undefined) throw new GithubRefusal(`Could not resolve to an object with oid ${u.after}`);
    if (current === undefined || u.force) continue;
    const old = peel(repo, current);
    if (!old || !history(repo, after).some((c) => c.sha === old))
      throw new GithubRefusal(`A ref update for ${u.name} was rejected: it is not a fast forward`);
  }
  for (const u of updates) {
    if (u.after === ZERO_OID) repo.refs.delete(u.key);
    else repo.refs.set(u.key, u.after);
  }
  return { clientMutationId: input.clientMutationId ?? null };
}

type Json = Record<string, unknown>;

export interface GraphqlAnswer {
  status: number;
  body: Json;
  violations: Array<{ kind: 'invalid-request' | 'github-rule' | 'unimplemented'; message: string }>;
}

/**
 * @octokit/graphql-schema's schema.json, read from beside its index: importing the index read the 5 MB JSON
 * twice and built a second schema (its lib/validate.js, which the fake does not use), about 0.15 s of CPU in
 * every test process that sent a query.
 */
const SCHEMA_JSON = new URL('./schema.json', import.meta.resolve('@octokit/graphql-schema'));

let cached: GraphQLSchema | undefined;
/** GitHub's schema, built once per process (about 0.1 s). */
export function githubSchema(): GraphQLSchema {
  cached ??= buildClientSchema(JSON.parse(readFileSync(SCHEMA_JSON, 'utf8')) as never);
  return cached;
}

/** GitHub's connection rules: first or last is required, and at most 100. */
function window<T>(list: T[], args: Json, path: string, problems: string[]): { items: T[]; start: number } {
  const first = args.first as number | undefined;
  const last = args.last as number | undefined;
  if (first === undefined && last === undefined)
    problems.push(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${path}\` connection.`,
    );
  for (const [name, n] of [
    ['first', first],
    ['last', last],
  ] as const)
    if (n !== undefined && (n < 0 || n > 100))
      problems.push(
        `Requesting ${n} records on the \`${path}\` connection exceeds the \`${name}\` limit of 100 records.`,
      );
  const after =
    typeof args.after === 'string' ? Number(Buffer.from(args.after, 'base64').toString().split(':')[1]) : -1;
  const before =
    typeof args.before === 'string'
      ? Number(Buffer.from(args.before, 'base64').toString().split(':')[1])
      : list.length;
  let start = Math.max(0, after + 1);
  let end = Math.min(list.length, before);
  if (first !== undefined) end = Math.min(end, start + first);
  if (last !== undefined) start = Math.max(start, end - last);
  return { items: list.slice(start, end), start };
}

const cursor = (index: number) => Buffer.from(`cursor:${index}`).toString('base64');

function connection<T, R>(list: T[], args: Json, path: string, problems: string[], map: (item: T) => R) {
  const { items, start } = window(list, args, path, problems);
  const nodes = items.map(map);
  return {
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: cursor(start + i) })),
    totalCount: list.length,
    pageInfo: {
      hasNextPage: start + items.length < list.length,
      hasPreviousPage: start > 0,
      startCursor: items.length ? cursor(start) : null,
      endCursor: items.length ? cursor(start + items.length - 1) : null,
    },
  };
}

const upper = (value: unknown) => (typeof value === 'string' ? value.toUpperCase() : value);

function statusNode(s: Json) {
  return {
    id: s.node_id,
    state: upper(s.state),
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    description: s.description || null,
    environment: s.environment ?? null,
    logUrl: s.log_url || null,
    environmentUrl: s.environment_url || null,
  };
}

function commitNode(repo: RepoState, sha: string, problems: string[]): Json | null {
  const commit = repo.commits.get(sha);
  if (!commit) return null;
  return {
    oid: commit.sha,
    message: commit.message,
    committedDate: commit.date,
    authoredDate: commit.date,
    associatedPullRequests: (args: Json) =>
      connection(
        [...repo.pulls.values()].filter((p) => p.commits.includes(sha)),
        args,
        'associatedPullRequests',
        problems,
        (pull) => ({
          number: pull.number,
          title: pull.title,
          createdAt: pull.createdAt,
          headRefOid: pull.headSha,
          commits: (a: Json) =>
            connection(pull.commits, a, 'commits', problems, (c) => ({
              commit: commitNode(repo, c, problems),
            })),
        }),
      ),
  };
}

function deploymentNode(repo: RepoState, d: Json, problems: string[]): Json {
  // Newest first, as GitHub lists a deployment's statuses.
  const statuses = [...(repo.deploymentStatuses.get(d.id as number) ?? [])].reverse();
  const latest = statuses[0];
  return {
    id: d.node_id,
    databaseId: d.id,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    environment: d.environment,
    latestEnvironment: d.environment,
    originalEnvironment: d.original_environment,
    commitOid: d.sha,
    description: d.description,
    task: d.task,
    payload: JSON.stringify(d.payload ?? {}),
    state: latest ? (latest.state === 'success' ? 'ACTIVE' : upper(latest.state)) : 'PENDING',
    latestStatus: latest ? statusNode(latest) : null,
    statuses: (args: Json) => connection(statuses, args, 'statuses', problems, statusNode),
    commit: commitNode(repo, d.sha as string, problems),
  };
}

/** A review thread with its first comment (a thread holds its comments; the fake keeps only the first). */
function reviewThreadNode(thread: ReviewThreadRecord, problems: string[]): Json {
  const comment = {
    // Actor is an interface: graphql-js picks the concrete type by __typename.
    author: thread.author === null ? null : { __typename: 'User', login: thread.author },
    url: thread.url,
    path: thread.path,
    line: thread.line,
    outdated: thread.outdated,
  };
  return {
    isResolved: thread.resolved,
    isOutdated: thread.outdated,
    path: thread.path,
    line: thread.line,
    comments: (args: Json) => connection([comment], args, 'comments', problems, (c) => c),
  };
}

function pullRequestNode(pull: PullRecord, problems: string[]): Json {
  return {
    number: pull.number,
    title: pull.title,
    headRefOid: pull.headSha,
    reviewThreads: (args: Json) =>
      connection(pull.reviewThreads, args, 'reviewThreads', problems, (t) => reviewThreadNode(t, problems)),
  };
}

function repositoryNode(repo: RepoState, problems: string[]): Json {
  return {
    name: repo.name,
    nameWithOwner: `${repo.owner}/${repo.name}`,
    pullRequest: (args: Json) => {
      const pull = repo.pulls.get(Number(args.number));
      // GitHub answers an error (type NOT_FOUND) and null for the field.
      if (!pull)
        throw new GithubRefusal(`Could not resolve to a PullRequest with the number of ${args.number}.`);
      return pullRequestNode(pull, problems);
    },
    deployments: (args: Json) => {
      const environments = args.environments as string[] | null | undefined;
      const order = (args.orderBy as { direction?: string } | undefined)?.direction ?? 'ASC';
      const list = [...repo.deployments.values()]
        .filter((d) => !environments || environments.includes(d.environment as string))
        .sort(
          (a, b) =>
            String(a.created_at).localeCompare(String(b.created_at)) || (a.id as number) - (b.id as number),
        );
      if (order === 'DESC') list.reverse();
      return connection(list, args, 'deployments', problems, (d) => deploymentNode(repo, d, problems));
    },
  };
}

/** Answers one POST /graphql as GitHub would; `violations` say where the request (or the fake) was off. */
export function answerGraphql(
  state: FakeState,
  body: unknown,
  auth: string,
  actor = 'github-actions[bot]',
): GraphqlAnswer {
  const violations: GraphqlAnswer['violations'] = [];
  if (auth === 'none')
    return {
      status: 401,
      body: {
        message: 'This endpoint requires you to be authenticated.',
        documentation_url: 'https://docs.github.com/graphql',
      },
      violations: [{ kind: 'github-rule', message: 'GraphQL requires authentication' }],
    };
  const { query, variables, operationName } = (body ?? {}) as Json;
  if (typeof query !== 'string') {
    violations.push({ kind: 'invalid-request', message: 'a GraphQL request body needs a "query" string' });
    return {
      status: 400,
      body: { message: 'A query attribute must be specified and must be a string.' },
      violations,
    };
  }
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const message = (error as GraphQLError).message;
    violations.push({ kind: 'invalid-request', message: `GraphQL query does not parse: ${message}` });
    return { status: 200, body: { errors: [{ message }] }, violations };
  }
  const schema = githubSchema();
  const invalid = validate(schema, document);
  if (invalid.length) {
    for (const e of invalid)
      violations.push({
        kind: 'invalid-request',
        message: `GraphQL query refused by GitHub's schema: ${e.message}`,
      });
    return { status: 200, body: { errors: invalid.map((e) => e.toJSON()) }, violations };
  }
  const problems: string[] = [];
  const unresolved = new Set<string>();
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, _context, info) => {
    const value = (source as Json | null)?.[info.fieldName];
    if (value === undefined) {
      unresolved.add(`${info.parentType.name}.${info.fieldName}`);
      return null;
    }
    return typeof value === 'function' ? (value as (a: Json) => unknown)(args as Json) : value;
  };
  const root = {
    // The account the token is (an app's installation token answers `<slug>[bot]`, as GitHub does).
    viewer: { login: actor },
    updateRefs: (args: Json) => updateRefs(state, args),
    repository: (args: Json) => {
      const repo = state.repos.get(repoKey(String(args.owner), String(args.name)));
      return repo ? repositoryNode(repo, problems) : null;
    },
  };
  const result = execute({
    schema,
    document,
    rootValue: root,
    variableValues: (variables ?? {}) as Json,
    operationName: typeof operationName === 'string' ? operationName : undefined,
    fieldResolver,
  }) as { data?: unknown; errors?: readonly GraphQLError[] };
  for (const p of problems) violations.push({ kind: 'github-rule', message: p });
  for (const f of unresolved)
    violations.push({ kind: 'unimplemented', message: `the fake does not resolve ${f} (answered null)` });
  if (problems.length)
    return {
      status: 200,
      body: { data: null, errors: problems.map((message) => ({ message })) },
      violations,
    };
  for (const e of result.errors ?? [])
    if (!(e.originalError instanceof GithubRefusal))
      violations.push({ kind: 'invalid-request', message: `GraphQL execution error: ${e.message}` });
  return {
    status: 200,
    body: {
      data: result.data ?? null,
      ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
    },
    violations,
  };
}
