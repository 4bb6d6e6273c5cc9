// What the delivery metrics (docs/metrics.md) are computed from, whatever it was read from (GitHub's
// deployments and statuses, or a local state record's history), and what they come to. Data only.

/** A deployment status as GitHub names its states (lower case, as the REST API and our statuses write them). */
export type StatusState =
  'queued' | 'pending' | 'in_progress' | 'waiting' | 'success' | 'failure' | 'error' | 'inactive';

export interface StatusFact {
  state: StatusState;
  /** Epoch milliseconds, as the server stamped it. */
  at: number;
  description?: string;
}

/** One deployment of one environment, as read. */
export interface DeploymentFact {
  id: string;
  environment: string;
  /** When the deployment was created (epoch ms): what the window and the reading's pagination go by. */
  createdAt: number;
  sha?: string;
  /** The payload's `type` (deployment-payload.ts); `rollback` is a /rollback or `mode: rollback` redeploy. */
  type?: string;
  /** Statuses in any order (sorted here); may be cut to the newest ones by the reader. */
  statuses: StatusFact[];
  /**
   * When the change began, for lead time: the committer date of the first commit of the pull request the
   * deployed commit came from, or of the deployed commit itself when no pull request is associated.
   */
  changeAt?: number;
  changeFrom?: 'pull_request' | 'commit';
  /** The pull request, when one is associated (shown only). */
  pullRequest?: number;
}

/** How one deployment ended, for the metrics (outcome.ts). Stable codes. */
export type DeploymentOutcome =
  /** Reached `success`: a release. `at` is its first success. */
  | { kind: 'succeeded'; at: number }
  /** A change that failed in the environment. `at` is when it was known to have failed. */
  | { kind: 'failed'; at: number; code: FailureCode }
  /** Nothing was changed: gates blocked it, or it was cancelled before anything moved. Not counted. */
  | { kind: 'no_change'; at: number; code: 'blocked' | 'cancelled_before_change' }
  /** Made inactive without ever succeeding or failing (superseded, abandoned). Not counted. */
  | { kind: 'superseded'; at: number }
  /** No final status yet (queued, in progress, waiting for approval or a bake). Not counted. */
  | { kind: 'in_progress' };

export type FailureCode =
  /** Our Action rolled it back (or a person aborted it) after traffic moved: "rolled back: …", "aborted…". */
  | 'rolled_back'
  /** It succeeded, and a later `rollback` deployment of the environment took it back. */
  | 'rolled_back_later'
  /** A `failure` status of any other kind. */
  | 'failure'
  /** An `error` status (the rollback itself failed, an internal error, a cancelled run that moved traffic). */
  | 'error';

export type Band = 'elite' | 'high' | 'medium' | 'low';

export interface DurationStats {
  /** How many values the statistics are over. */
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface EnvironmentMetrics {
  environment: string;
  /** Deployments created in the window, by outcome. */
  deployments: {
    total: number;
    /** Rollback deployments (`/rollback`, `mode: rollback`): recoveries, counted in none of the others. */
    rollbacks: number;
    succeeded: number;
    failed: number;
    noChange: number;
    superseded: number;
    inProgress: number;
  };
  frequency: { perDay: number; perWeek: number; band: Band | null };
  leadTime: DurationStats & {
    band: Band | null;
    /** Successes without a change time (no commit date could be read). */
    unknown: number;
    /** Successes whose change time is after their success (a committer's clock ahead): left out. */
    skewed: number;
  };
  changeFailureRate: {
    /** failed / (succeeded + failed): null when nothing finished. */
    rate: number | null;
    failed: number;
    finished: number;
    byCode: Record<FailureCode, number>;
    band: Band | null;
  };
  timeToRestore: {
    /** Closed episodes: a failure, then the next success in the environment. */
    count: number;
    medianMs: number | null;
    band: Band | null;
    /** A failure with no success after it yet: restore still open since then. */
    openSince: number | null;
  };
}

export interface MetricsReport {
  since: number;
  until: number;
  environments: EnvironmentMetrics[];
  /** Where the facts came from, and what that source cannot say. */
  source: 'github' | 'state_history';
  /** Requests made to read the facts (GitHub); 0 for files. */
  requests: number;
  notes: string[];
}
