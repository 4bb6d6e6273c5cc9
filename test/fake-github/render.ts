// API objects as GitHub returns them, with ids, node_ids and URLs based on the fake's base URL.
import { build } from './sample.ts';
import { userId } from './state.ts';
import type { CommitRecord, FakeState, PullRecord, RepoState, WorkflowRunRecord } from './state.ts';

type Json = Record<string, unknown>;

export const nowIso = (now: Date = new Date()): string => now.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const nodeId = (prefix: string, id: number | string): string =>
  `${prefix}_${Buffer.from(`fake:${id}`).toString('base64url')}`;

/** The fake App's installation permissions and events: one set for GET /app, its installation and tokens. */
export const APP_PERMISSIONS = {
  deployments: 'write',
  checks: 'write',
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  actions: 'write',
} as const;
export const APP_EVENTS = [
  'issue_comment',
  'deployment_protection_rule',
  'pull_request',
  'workflow_run',
] as const;

export class Renderer {
  readonly base: string;
  readonly state: FakeState;

  constructor(base: string, state: FakeState) {
    this.base = base;
    this.state = state;
  }

  /** The web URL (the fake serves both API and "html" URLs from one origin). */
  html(path: string): string {
    return `${this.base}/_html${path}`;
  }

  repoUrl(repo: RepoState): string {
    return `${this.base}/repos/${repo.owner}/${repo.name}`;
  }

  user(login: string): Json {
    const id = userId(login);
    const url = `${this.base}/users/${encodeURIComponent(login)}`;
    return build('simple-user', this.base, {
      login,
      id,
      node_id: nodeId('U', id),
      avatar_url: `${this.base}/_avatars/${id}`,
      url,
      html_url: this.html(`/${encodeURIComponent(login)}`),
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      site_admin: false,
    });
  }

  /** The app under test, or another app (`state.otherApps`). */
  app(other?: { id: number; slug: string }): Json {
    const { id: appId, slug: appSlug } = other ?? { id: this.state.appId, slug: this.state.appSlug };
    return build('integration', this.base, {
      id: appId,
      slug: appSlug,
      node_id: nodeId('A', appId),
      name: appSlug,
      owner: this.user('deploy-action-owner'),
      description: 'fake app',
      external_url: this.html(`/apps/${appSlug}`),
      html_url: this.html(`/apps/${appSlug}`),
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z',
      permissions: { ...APP_PERMISSIONS },
      events: [...APP_EVENTS],
    });
  }

  repository(
    repo: RepoState,
    schema: 'repository' | 'full-repository' | 'minimal-repository' = 'repository',
  ): Json {
    const url = this.repoUrl(repo);
    const values: Json = {
      id: repo.id,
      node_id: nodeId('R', repo.id),
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: this.user(repo.owner),
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      html_url: this.html(`/${repo.owner}/${repo.name}`),
      url,
      default_branch: repo.defaultBranch,
      fork: false,
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z',
      pushed_at: '2024-01-01T00:00:00Z',
    };
    // Every *_url field points into the fake, not at a placeholder.
    for (const key of ['deployments_url', 'git_refs_url', 'pulls_url', 'issue_comment_url', 'statuses_url']) {
      values[key] = `${url}/${key.replace(/_url$/, '')}`;
    }
    return build(schema, this.base, values);
  }

  commit(repo: RepoState, c: CommitRecord): Json {
    const url = `${this.repoUrl(repo)}/commits/${c.sha}`;
    const person = {
      name: c.author,
      email: c.unlinked ? `${c.author}@unlinked.example` : `${c.author}@users.noreply.example`,
      date: c.date,
    };
    return build('commit', this.base, {
      url,
      sha: c.sha,
      node_id: nodeId('C', c.sha),
      html_url: this.html(`/${repo.owner}/${repo.name}/commit/${c.sha}`),
      comments_url: `${url}/comments`,
      commit: {
        url: `${this.repoUrl(repo)}/git/commits/${c.sha}`,
        author: person,
        committer: person,
        message: c.message,
        comment_count: 0,
        tree: { sha: c.sha, url: `${this.repoUrl(repo)}/git/trees/${c.sha}` },
      },
      author: c.unlinked ? null : this.user(c.author),
      committer: c.unlinked ? null : this.user(c.author),
      parents: c.parents.map((sha) => ({ sha, url: `${this.repoUrl(repo)}/commits/${sha}` })),
    });
  }

  /** An annotated tag object (GET .../git/tags/{sha}) on a commit or on another tag object. */
  gitTag(
    repo: RepoState,
    tag: { sha: string; name: string; message: string; tagger: Json; object: { sha: string; type: string } },
  ): Json {
    const kind = tag.object.type === 'tag' ? 'tags' : 'commits';
    return build('git-tag', this.base, {
      node_id: nodeId('TAG', tag.sha),
      tag: tag.name,
      sha: tag.sha,
      url: `${this.repoUrl(repo)}/git/tags/${tag.sha}`,
      message: tag.message,
      tagger: tag.tagger,
      object: { ...tag.object, url: `${this.repoUrl(repo)}/git/${kind}/${tag.object.sha}` },
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    });
  }

  gitRef(repo: RepoState, name: string, sha: string): Json {
    const isTag = repo.tagObjects.has(sha);
    return build('git-ref', this.base, {
      ref: `refs/${name}`,
      node_id: nodeId('REF', `${repo.id}:${name}`),
      // A ref name may hold characters a URL may not (`<`, `|`, a backtick): each part percent-encoded.
      url: `${this.repoUrl(repo)}/git/refs/${name.split('/').map(encodeURIComponent).join('/')}`,
      object: {
        type: isTag ? 'tag' : 'commit',
        sha,
        url: `${this.repoUrl(repo)}/git/${isTag ? 'tags' : 'commits'}/${sha}`,
      },
    });
  }

  pullRequest(repo: RepoState, pr: PullRecord): Json {
    const url = `${this.repoUrl(repo)}/pulls/${pr.number}`;
    const repository = this.repository(repo);
    const branch = (ref: string, sha: string): Json => ({
      label: `${repo.owner}:${ref}`,
      ref,
      sha,
      user: this.user(repo.owner),
      repo: repository,
    });
    return build('pull-request', this.base, {
      url,
      id: 500_000 + pr.number,
      node_id: nodeId('PR', `${repo.id}:${pr.number}`),
      html_url: this.html(`/${repo.owner}/${repo.name}/pull/${pr.number}`),
      number: pr.number,
      state: pr.state,
      title: pr.title,
      body: pr.body,
      user: this.user(pr.user),
      draft: pr.draft,
      merged: false,
      maintainer_can_modify: pr.maintainerCanModify ?? false,
      created_at: pr.createdAt,
      updated_at: pr.createdAt,
      head: pr.headOwner
        ? {
            ...(branch(pr.headRef, pr.headSha) as Record<string, Json>),
            label: `${pr.headOwner}:${pr.headRef}`,
            user: this.user(pr.headOwner),
            repo: {
              ...(repository as Record<string, Json>),
              id: repo.id + 100_000,
              node_id: nodeId('R', repo.id + 100_000),
              full_name: `${pr.headOwner}/${repo.name}`,
              owner: this.user(pr.headOwner),
              fork: true,
            },
          }
        : branch(pr.headRef, pr.headSha),
      base: branch(pr.baseRef, repo.refs.get(`heads/${pr.baseRef}`) ?? ''),
      issue_url: `${this.repoUrl(repo)}/issues/${pr.number}`,
      commits_url: `${url}/commits`,
      comments_url: `${this.repoUrl(repo)}/issues/${pr.number}/comments`,
      statuses_url: `${this.repoUrl(repo)}/statuses/${pr.headSha}`,
      commits: pr.commits.length,
      author_association: this.association(repo, pr.user),
    });
  }

  /** A workflow run as GET /repos/{o}/{r}/actions/runs/{run_id} returns it (the `workflow-run` schema). */
  workflowRun(repo: RepoState, run: WorkflowRunRecord): Json {
    const url = `${this.repoUrl(repo)}/actions/runs/${run.id}`;
    const workflowId = userId(`${repo.owner}/${repo.name}:${run.path}`);
    const commit = repo.commits.get(run.headSha);
    const person = {
      name: commit?.author ?? run.actor,
      email: `${commit?.author ?? run.actor}@users.noreply.example`,
    };
    const repository = this.repository(repo, 'minimal-repository');
    return build('workflow-run', this.base, {
      id: run.id,
      name: run.name,
      node_id: nodeId('WFR', run.id),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: run.path,
      display_title: run.name,
      run_number: run.runNumber,
      run_attempt: run.runAttempt,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: workflowId,
      url,
      html_url: this.html(`/${repo.owner}/${repo.name}/actions/runs/${run.id}`),
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      run_started_at: run.createdAt,
      actor: this.user(run.actor),
      triggering_actor: this.user(run.triggeringActor ?? run.actor),
      jobs_url: `${url}/jobs`,
      logs_url: `${url}/logs`,
      check_suite_url: `${this.repoUrl(repo)}/check-suites/${run.id}`,
      artifacts_url: `${url}/artifacts`,
      cancel_url: `${url}/cancel`,
      rerun_url: `${url}/rerun`,
      previous_attempt_url: run.runAttempt > 1 ? `${url}/attempts/${run.runAttempt - 1}` : null,
      workflow_url: `${this.repoUrl(repo)}/actions/workflows/${workflowId}`,
      head_commit: {
        id: run.headSha,
        tree_id: run.headSha,
        message: commit?.message ?? '',
        timestamp: commit?.date ?? run.createdAt,
        author: person,
        committer: person,
      },
      repository,
      head_repository: repository,
    });
  }

  /** OWNER / COLLABORATOR / NONE as GitHub reports it on comments and reviews. */
  association(repo: RepoState, login: string): string {
    if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
    return repo.collaborators.has(login) ? 'COLLABORATOR' : 'NONE';
  }
}

export type { Json };
