// Graceful shutdown of an HTTP server: stop accepting, let in-flight requests finish (telling their
// keep-alive clients to close), close idle keep-alive sockets, and give up after a bound.
import type { Server, ServerResponse } from 'node:http';

export interface GracefulServer {
  inFlight(): number;
  /** Resolves once every connection is closed, or after `timeoutMs` (remaining sockets are destroyed). */
  close(timeoutMs: number): Promise<void>;
}

export function graceful(server: Server): GracefulServer {
  const active = new Set<ServerResponse>();
  let closing = false;

  server.on('request', (_req, res: ServerResponse) => {
    active.add(res);
    if (closing) res.shouldKeepAlive = false;
    res.on('close', () => {
      active.delete(res);
      // The socket that carried this response is idle now: close it rather than wait for the client.
      if (closing) server.closeIdleConnections();
    });
  });

  return {
    inFlight: () => active.size,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false;
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
