// A loopback round-robin HTTP proxy for tests that run several replicas of a server: each request goes to
// the next backend in turn, body and answer streamed through unchanged. Bounded: 127.0.0.1 only (listening and
// backends), a cap on requests in flight (over it: 503, counted) and a timeout per request (504, counted).
// It counts which backend answered what, so a test can say every replica took traffic. A request with the
// header `x-proxy-backend: <index>` goes to that backend (the header is not passed on): a test sends the same
// delivery to two given replicas at once that way.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const PIN_HEADER = 'x-proxy-backend';

export interface ProxyOptions {
  /** The backends, e.g. http://127.0.0.1:41234; anything not on 127.0.0.1 is refused. */
  backends: string[];
  /** Requests allowed in flight at once (default 256); more are answered 503 at once. */
  maxInFlight?: number;
  /** A backend answer slower than this is a 504 (default 60 s). */
  timeoutMs?: number;
}

export interface BackendStats {
  url: string;
  requests: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
}

export interface RoundRobinProxy {
  url: string;
  stats(): BackendStats[];
  /** Requests the proxy itself refused (over maxInFlight) or failed (backend error, timeout). */
  failures(): { overloaded: number; backendErrors: number; timeouts: number };
  close(): Promise<void>;
}

export async function startRoundRobinProxy(options: ProxyOptions): Promise<RoundRobinProxy> {
  if (options.backends.length === 0) throw new Error('round-robin proxy: no backends');
  const backends = options.backends.map((raw) => {
    const url = new URL(raw);
    if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1')
      throw new Error(`round-robin proxy: backend ${raw} is not http://127.0.0.1:<port>`);
    return { url, stats: { url: raw, requests: 0, statuses: {} } as BackendStats };
  });
  const maxInFlight = options.maxInFlight ?? 256;
  const timeoutMs = options.timeoutMs ?? 60_000;
  // A connection per request: a kept-alive socket the backend closes as idle (its keepAliveTimeout) would be
  // a spurious 502 here that no load balancer in front of real replicas would show.
  const agent = new http.Agent({ keepAlive: false, maxSockets: maxInFlight });
  const failures = { overloaded: 0, backendErrors: 0, timeouts: 0 };
  let next = 0;
  let inFlight = 0;

  const server = http.createServer((req, res) => {
    if (inFlight >= maxInFlight) {
      failures.overloaded += 1;
      res
        .writeHead(503, { 'content-type': 'text/plain' })
        .end('round-robin proxy: too many requests in flight');
      req.resume();
      return;
    }
    const pinned = req.headers[PIN_HEADER];
    delete req.headers[PIN_HEADER];
    const index = pinned === undefined ? next++ : Number(pinned);
    const backend = backends[index % backends.length];
    if (!backend || !Number.isInteger(index) || index < 0) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end(`round-robin proxy: no backend ${String(pinned)}`);
      req.resume();
      return;
    }
    inFlight += 1;
    backend.stats.requests += 1;
    let done = false;
    const finish = (status: number): void => {
      if (done) return;
      done = true;
      inFlight -= 1;
      backend.stats.statuses[status] = (backend.stats.statuses[status] ?? 0) + 1;
    };
    const upstream = http.request(
      {
        host: backend.url.hostname,
        port: backend.url.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
        timeout: timeoutMs,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => finish(answer.statusCode ?? 502));
        answer.on('error', () => finish(502));
      },
    );
    upstream.on('timeout', () => {
      failures.timeouts += 1;
      upstream.destroy(new Error('timeout'));
      if (!res.headersSent) res.writeHead(504).end('round-robin proxy: backend timed out');
      finish(504);
    });
    upstream.on('error', () => {
      if (done) return;
      failures.backendErrors += 1;
      if (!res.headersSent) res.writeHead(502).end('round-robin proxy: backend error');
      else res.destroy();
      finish(502);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => backends.map((b) => ({ ...b.stats, statuses: { ...b.stats.statuses } })),
    failures: () => ({ ...failures }),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
