// The embedded router's proxy: smooth weighted round-robin per request (weighted.ts), keep-alive to backends, and one retry on
// another backend when a connection fails before any response arrived (so a restarting backend costs no
// request). Admin operations (weights, enable/disable) are methods; admin-api.ts exposes them over HTTP.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pickWeighted } from './weighted.ts';
import { formatAddress, MAX_WEIGHT } from './specs.ts';

// process.getBuiltinModule, not an import: importing node:http as an ES module loads undici (its WebSocket
// exports), ~75 ms of CPU at each start of the router.
const http = process.getBuiltinModule('node:http');

export interface BackendConfig {
  name: string;
  host: string;
  port: number;
  weight: number;
}

export interface BackendState extends BackendConfig {
  enabled: boolean;
  inFlight: number;
  requests: number;
  retried: number;
}

export class RouterInputError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

const MAX_BODY_BYTES = 1024 * 1024;
// Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
  return out;
}

/** A connection error before any response: the request cannot have been answered. */
export function isRetryable(err: NodeJS.ErrnoException, method: string): boolean {
  if (err.code === 'ECONNREFUSED') return true; // never reached the backend
  // A reset or a closed keep-alive socket may have happened after the backend read the request.
  return IDEMPOTENT.has(method) && ['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(err.code ?? '');
}

export class Router {
  readonly #backends = new Map<string, BackendState>();
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  /** The round-robin's scores (pickWeighted): cleared at every change of weights or rotation. */
  readonly #scores = new Map<string, number>();

  constructor(backends: readonly BackendConfig[]) {
    for (const b of backends) {
      if (this.#backends.has(b.name)) throw new RouterInputError(`backend "${b.name}" is defined twice`);
      this.#backends.set(b.name, { ...b, enabled: true, inFlight: 0, requests: 0, retried: 0 });
    }
  }

  state(): Record<string, BackendState & { address: string }> {
    return Object.fromEntries(
      [...this.#backends.values()].map((b) => [b.name, { ...b, address: formatAddress(b.host, b.port) }]),
    );
  }

  /** Applies all weights or none: a bad entry leaves every weight as it was. */
  setWeights(weights: unknown): void {
    if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
      throw new RouterInputError('weights must be a JSON object such as {"blue": 90, "green": 10}');
    }
    const entries = Object.entries(weights);
    if (entries.length === 0) throw new RouterInputError('weights object is empty');
    for (const [name, w] of entries) {
      if (!this.#backends.has(name)) {
        throw new RouterInputError(
          `unknown backend "${name}" (known: ${[...this.#backends.keys()].join(', ')})`,
          404,
        );
      }
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > MAX_WEIGHT) {
        throw new RouterInputError(
          `weight of "${name}" must be a whole number from 0 to ${MAX_WEIGHT}, got ${JSON.stringify(w)}`,
        );
      }
    }
    for (const [name, w] of entries) this.#backends.get(name)!.weight = w as number;
    this.#scores.clear();
  }

  setEnabled(name: string, enabled: unknown): void {
    const backend = this.#backends.get(name);
    if (!backend) throw new RouterInputError(`unknown backend "${name}"`, 404);
    if (typeof enabled !== 'boolean')
      throw new RouterInputError(`"enabled" must be true or false, got ${JSON.stringify(enabled)}`);
    backend.enabled = enabled;
    this.#scores.clear();
  }

  close(): void {
    this.#agent.destroy();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        sendJson(res, 413, { error: `request body over ${MAX_BODY_BYTES} bytes` });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!res.headersSent) this.#forward(req, res, Buffer.concat(chunks), new Set());
    });
  }

  #forward(req: IncomingMessage, res: ServerResponse, body: Buffer, tried: Set<string>): void {
    const candidates = [...this.#backends.values()];
    // Prefer a backend not tried yet; if the only one with weight failed, a fresh connection to it is the best left.
    const backend =
      pickWeighted(candidates, this.#scores, tried) ??
      (tried.size > 0 ? pickWeighted(candidates, this.#scores) : undefined);
    if (!backend) {
      sendJson(res, 503, { error: 'no backend with weight > 0 is enabled' });
      return;
    }
    backend.inFlight += 1;
    backend.requests += 1;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        backend.inFlight -= 1;
      }
    };
    const upstream = http.request({
      host: backend.host,
      port: backend.port,
      method: req.method,
      path: req.url,
      headers: { ...forwardable(req.headers), 'content-length': String(body.length) },
      agent: this.#agent,
    });
    upstream.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, { ...forwardable(up.headers), 'x-backend': backend.name });
      up.pipe(res);
      up.on('end', finish);
      up.on('error', () => {
        finish();
        res.destroy();
      });
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      finish();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (tried.size === 0 && isRetryable(err, req.method ?? 'GET')) {
        backend.retried += 1;
        this.#forward(req, res, body, new Set([backend.name]));
        return;
      }
      sendJson(res, 502, { error: `backend ${backend.name} failed: ${err.code ?? err.message}` });
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      finish();
    });
    upstream.end(body);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
