// The contract every quality gate implements (DESIGN.md §3). A gate decides pass / warn / block from real
// reports and tools; a gate that cannot decide blocks, with a reason that names what it looked for and where.
import type { ZodType } from 'zod';
import type { ReviewThreadsRead } from '../github/review-threads.ts';

export type GateStatus = 'pass' | 'warn' | 'block';

export interface Finding {
  /** Repository-relative path, forward slashes. */
  path?: string;
  line?: number;
  endLine?: number;
  column?: number;
  /** Stable identifier of what fired, e.g. "coverage.lines", "secrets.aws-access-key", a SARIF ruleId. */
  rule: string;
  message: string;
  severity: 'error' | 'warning' | 'notice';
}

/** What a gate's own code returns; the runner adds name, duration and the required/advisory downgrade. */
export interface GateVerdict {
  status: GateStatus;
  summary: string;
  findings: Finding[];
}

export interface GateResult extends GateVerdict {
  name: string;
  required: boolean;
  durationMs: number;
}

/** A file changed against the base commit, with the line numbers (in the new version) that were added. */
export interface ChangedFile {
  path: string;
  addedLines: number[];
  status: 'added' | 'modified' | 'renamed' | 'deleted';
}

export interface GateContext {
  /** Repository root; every relative path in config is relative to it. */
  cwd: string;
  /** Base commit (or ref) for "changed lines"; undefined when there is none (then gates look at the tree). */
  baseRef?: string;
  /** The commit being deployed. */
  headSha?: string;
  /** Lazily computed, cached changed files against baseRef (empty list when there is no base). */
  changedFiles(): Promise<ChangedFile[]>;
  /** Aborted on gate timeout or cancellation: stop child processes and return. */
  signal: AbortSignal;
  /** Progress lines; never pass a secret here. */
  log(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Present when running on GitHub with a pull request (the review gate's approval, thread and changelog checks). */
  pullRequest?: {
    number: number;
    /**
     * Its head commit, which an approval must be on; undefined: `headSha`. They differ on a merged pull
     * request: the run is about its merge commit, no review is on that.
     */
    headSha?: string;
    /**
     * `association`: GitHub's author_association of the reviewer (OWNER, MEMBER, COLLABORATOR, NONE ...).
     * `signal` (the gate's): aborts the pending request and stops the reading; it then throws its reason.
     */
    reviews(
      signal?: AbortSignal,
    ): Promise<Array<{ user: string; state: string; commitId?: string; association?: string }>>;
    /** Its review threads: the unresolved ones, and how many were read; `signal` as for `reviews`. */
    reviewThreads(signal?: AbortSignal): Promise<ReviewThreadsRead>;
    /** Its label names as GitHub has them now (not as the event saw them); `signal` as for `reviews`. */
    labels(signal?: AbortSignal): Promise<string[]>;
  };
}

export interface Gate<Config> {
  name: string;
  /** zod schema of this gate's section under `gates:` (strict: unknown keys are errors). */
  schema: ZodType<Config>;
  run(config: Config, ctx: GateContext): Promise<GateVerdict>;
}
