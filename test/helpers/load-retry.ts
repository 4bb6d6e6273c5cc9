// When the load client sends a request again, as HTTP lets any client do (RFC 9110 9.2.2, RFC 9112 9.3.1):
// an idempotent request whose reused keep-alive connection was reset or closed before any byte of the answer
// came back. That is the keep-alive race every real client meets: the router closes a connection that sat
// idle (haproxy's `timeout http-keep-alive`) at the moment the client sends on it, and the client, whose
// thread had not yet read the close, sees ECONNRESET. Only a connection that sat idle for at least half the
// router's idle close can meet that race (the client's idle time is a lower bound of the router's: it counts
// from when the client read the last answer). Nothing else is retried: a reset of a connection in use (a
// router dropping requests it had read), a fresh connection that fails, an answer that broke off, a timeout
// or a refused connection is the router's failure.

export interface FailedAttempt {
  method: string;
  /** The request went out on a connection an earlier request had used (ClientRequest.reusedSocket). */
  reusedSocket: boolean;
  /** Some byte of the answer came back on the connection before it failed. */
  responseStarted: boolean;
  /** The error's code (ECONNRESET for "socket hang up" and "read ECONNRESET"). */
  code: string | undefined;
  /** 1 for the first try. */
  attempt: number;
  /** How long the connection sat unused in the client's pool before this request took it. */
  idleMs: number;
  /** The router's idle close of client keep-alive connections. */
  idleCloseMs: number;
}

export type RetryDecision =
  | { retry: true; reason: 'reset-on-reused-connection' }
  | {
      retry: false;
      reason:
        | 'already-retried'
        | 'not-idempotent'
        | 'fresh-connection'
        | 'connection-in-use'
        | 'response-started'
        | 'not-a-reset';
    };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** The peer closed or reset the connection: a write to it failed (EPIPE) or the read did (ECONNRESET). */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Pure: whether a failed attempt may be sent again (once, on a new connection). */
export function retryDecision(a: FailedAttempt): RetryDecision {
  if (a.attempt > 1) return { retry: false, reason: 'already-retried' };
  if (!IDEMPOTENT.has(a.method.toUpperCase())) return { retry: false, reason: 'not-idempotent' };
  if (!a.reusedSocket) return { retry: false, reason: 'fresh-connection' };
  if (a.idleMs < a.idleCloseMs / 2) return { retry: false, reason: 'connection-in-use' };
  if (a.responseStarted) return { retry: false, reason: 'response-started' };
  if (a.code === undefined || !RESET_CODES.has(a.code)) return { retry: false, reason: 'not-a-reset' };
  return { retry: true, reason: 'reset-on-reused-connection' };
}
