// The git database calls the App keeps its own state with (annotated tags under refs it owns: locks, schedule
// requests, the heads it saw), as narrow Octokit shapes (`octokit.rest.git`), so tests can hand in tiny fakes.
// Each store takes the calls it uses from here.

// A type literal, not an interface: Octokit's parameters carry an index signature an interface lacks.
type RepoParams = { owner: string; repo: string };

export interface GitRefCalls {
  /** An annotated tag object on a commit (not a ref: createRef points a ref at it). */
  createTag(
    params: RepoParams & { tag: string; message: string; object: string; type: 'commit' },
  ): Promise<{ data: { sha: string } }>;
  getTag(params: RepoParams & { tag_sha: string }): Promise<{ data: { message: string } }>;
  createRef(params: RepoParams & { ref: string; sha: string }): Promise<unknown>;
  getRef(params: RepoParams & { ref: string }): Promise<{ data: { object: { sha: string; type: string } } }>;
  updateRef(params: RepoParams & { ref: string; sha: string; force: boolean }): Promise<unknown>;
  deleteRef(params: RepoParams & { ref: string }): Promise<unknown>;
  listMatchingRefs(
    params: RepoParams & { ref: string },
  ): Promise<{ data: Array<{ ref: string; object: { sha: string; type: string } }> }>;
}
