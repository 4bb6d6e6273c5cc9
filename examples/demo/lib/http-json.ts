// One HTTP request to a local demo process (a service's /health, the embedded router's admin API), its body
// read as JSON. node:http, not fetch: ctl starts once per deploy.yml command, and fetch's first use loads
// undici, which cost ctl more CPU than everything else it does for a health check. node:http itself comes from
// process.getBuiltinModule, not an import: importing it as an ES module loads undici all the same (for its
// WebSocket exports).
const http = process.getBuiltinModule('node:http');

export interface JsonAnswer {
  status: number;
  /** The body as JSON; undefined when it is not JSON. */
  json: unknown;
}

/** A request that got no answer: `code` is the socket's (ECONNREFUSED ...) or ETIMEDOUT past the bound. */
export class RequestError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

export function requestJson(
  url: string,
  options: { method?: string; body?: unknown; timeoutMs: number },
): Promise<JsonAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    // A connection per request (agent: false): no pooled keep-alive connection the server may be closing
    // just as it is reused, and nothing left open to hold ctl's exit.
    const req = http.request(url, {
      method: options.method ?? 'GET',
      agent: false,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
    const timer = setTimeout(
      () => req.destroy(new RequestError(`no answer within ${options.timeoutMs} ms`, 'ETIMEDOUT')),
      options.timeoutMs,
    );
    const fail = (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e instanceof RequestError ? e : new RequestError(e.message, e.code ?? e.message));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.end(body);
  });
}
