// Writes of one status comment, one at a time, newest state wins (issue 16). A deployment's statuses arrive in
// bursts (queued, in_progress, success within seconds), and in production Octokit's throttling spaces an
// installation's writes about a second apart, so writes of the same comment queue up. Here, per comment: one
// write in flight; of the writes waiting behind it only the newest is kept (the others are answered
// `superseded` without a request); and a status older than one this process already wrote there is answered
// `stale` without a request, so a late delivery can never put an older state back. The order is GitHub's:
// the deployment (a newer deployment's comment is newer), then the status's time, then its id (ids only grow,
// and two statuses can share a second). Per process: another replica's writes are not seen here (the repair of
// issue_comment.edited covers those, deployment-status-repair.ts).

/** Where a status sits in GitHub's order. */
export interface StatusOrder {
  deploymentId: number;
  /** The status's created_at (ISO 8601, as GitHub writes it). */
  at: string;
  statusId: number;
}

/** Pure: negative when `a` is older than `b`, 0 for the same status, positive when newer. */
export function compareOrder(a: StatusOrder, b: StatusOrder): number {
  if (a.deploymentId !== b.deploymentId) return a.deploymentId - b.deploymentId;
  const time = Date.parse(a.at) - Date.parse(b.at);
  if (time) return time;
  return a.statusId - b.statusId;
}

export type LaneResult<T> =
  | { status: 'done'; result: T }
  /** A newer status for the comment was submitted while this one waited: it is written instead. */
  | { status: 'superseded'; by: StatusOrder }
  /** This process already wrote a newer status there. */
  | { status: 'stale'; newest: StatusOrder };

/** A write: what it did, and whether it wrote the comment (a read that found it newer writes nothing). */
export type LaneWrite<T> = () => Promise<{ wrote: boolean; result: T }>;

interface Waiting {
  order: StatusOrder;
  write: LaneWrite<unknown>;
  resolve: (result: LaneResult<unknown>) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  busy: boolean;
  waiting?: Waiting;
  /** The newest status this process wrote to the comment. */
  newest?: StatusOrder;
}

export const DEFAULT_MAX_LANES = 10_000;

export class StatusCommentLanes {
  readonly #lanes = new Map<string, Lane>();
  readonly #max: number;

  constructor(max = DEFAULT_MAX_LANES) {
    if (!Number.isSafeInteger(max) || max < 1)
      throw new Error(`StatusCommentLanes: max must be a positive integer, got ${max}`);
    this.#max = max;
  }

  /** The comment's key: repository and comment id (comment ids are per repository). */
  static key(where: { owner: string; repo: string }, commentId: number): string {
    return `${where.owner.toLowerCase()}/${where.repo.toLowerCase()}#${commentId}`;
  }

  /** Comments with a lane (in flight, waiting, or remembered). */
  get size(): number {
    return this.#lanes.size;
  }

  submit<T>(key: string, order: StatusOrder, write: LaneWrite<T>): Promise<LaneResult<T>> {
    const lane = this.#lane(key);
    if (lane.newest && compareOrder(order, lane.newest) < 0)
      return Promise.resolve({ status: 'stale', newest: lane.newest });
    if (!lane.busy) {
      lane.busy = true;
      return this.#run(lane, order, write);
    }
    const waiting = lane.waiting;
    if (waiting && compareOrder(order, waiting.order) < 0)
      return Promise.resolve({ status: 'superseded', by: waiting.order });
    return new Promise<LaneResult<T>>((resolve, reject) => {
      waiting?.resolve({ status: 'superseded', by: order });
      lane.waiting = {
        order,
        write: write as LaneWrite<unknown>,
        resolve: resolve as (r: LaneResult<unknown>) => void,
        reject,
      };
    });
  }

  async #run<T>(lane: Lane, order: StatusOrder, write: LaneWrite<T>): Promise<LaneResult<T>> {
    try {
      const { wrote, result } = await write();
      if (wrote && (!lane.newest || compareOrder(order, lane.newest) > 0)) lane.newest = order;
      return { status: 'done', result };
    } finally {
      this.#next(lane);
    }
  }

  #next(lane: Lane): void {
    const waiting = lane.waiting;
    lane.waiting = undefined;
    if (!waiting) {
      lane.busy = false;
      this.#trim();
      return;
    }
    if (lane.newest && compareOrder(waiting.order, lane.newest) < 0) {
      waiting.resolve({ status: 'stale', newest: lane.newest });
      lane.busy = false;
      return;
    }
    this.#run(lane, waiting.order, waiting.write).then(waiting.resolve, waiting.reject);
  }

  #lane(key: string): Lane {
    let lane = this.#lanes.get(key);
    if (lane) this.#lanes.delete(key);
    else lane = { busy: false };
    // Most recently used last (a Map keeps insertion order).
    this.#lanes.set(key, lane);
    this.#trim();
    return lane;
  }

  /** Forgets the least recently used idle comments beyond the bound (busy ones are never dropped). */
  #trim(): void {
    if (this.#lanes.size <= this.#max) return;
    for (const [key, lane] of this.#lanes) {
      if (this.#lanes.size <= this.#max) break;
      if (!lane.busy) this.#lanes.delete(key);
    }
  }
}
