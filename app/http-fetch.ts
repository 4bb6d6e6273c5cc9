// The App's fetch for Octokit (issue 16): node:http(s) with kept-alive connections, answering a standard
// Response. Node's global fetch (undici, web streams, a Request and Headers per call) costs about 0.2 ms more
// CPU per GitHub request, which is most of what a deployment_status delivery costs beyond Probot itself.
// What Octokit reads is all here: status, statusText, url, headers, and the body as text, json or
// arrayBuffer (or the stream). Anything this path does not do the way fetch does is handed to the global
// fetch instead: a redirect (fetch's redirect rules, including dropping the credentials across origins),
// a body that is not a string or bytes, a proxy in the environment. Like undici: a connection that is not
// made in 10 s, or a request that gets nothing for 300 s, fails with a TypeError naming the cause, and an
// aborted signal rejects with its reason (an AbortError).
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';

export const CONNECT_TIMEOUT_MS = 10_000;
export const IDLE_TIMEOUT_MS = 300_000;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Statuses a Response must have no body for. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

const decoders: Record<string, (input: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

type Fetch = typeof globalThis.fetch;

/**
 * What a fetch Response offers a reader, over a body already read: Octokit reads the status, url, headers and
 * the body as text or bytes. A real Response costs a web stream per request; `body` makes one only if asked.
 */
export class BufferedResponse {
  readonly type = 'basic';
  readonly redirected = false;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  #bytes: Buffer | null;
  #used = false;
  constructor(bytes: Buffer | null, status: number, statusText: string, headers: Headers, url: string) {
    this.#bytes = bytes;
    this.status = status;
    this.statusText = statusText;
    this.headers = headers;
    this.url = url;
  }
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get bodyUsed(): boolean {
    return this.#used;
  }
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#bytes === null) return null;
    const bytes = this.#take();
    // A byte stream of the one chunk, as a Response's body is; built directly, since a Response per read costs
    // about 30 µs against 4 (Octokit reads it when asked not to parse the body: deployment-status.ts).
    return new ReadableStream({
      type: 'bytes',
      start(controller) {
        // A copy: a byte stream takes over (detaches) the buffer it is given, and a small Buffer is a view of
        // Node's shared pool.
        if (bytes.length) controller.enqueue(new Uint8Array(bytes));
        controller.close();
      },
    });
  }
  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? Buffer.alloc(0);
  }
  async text(): Promise<string> {
    return this.#take().toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  }
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }
  clone(): BufferedResponse {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, this.status, this.statusText, this.headers, this.url);
  }
}

/** Pure: why a request goes to the global fetch instead, or undefined when this path can make it. */
export function fallbackReason(
  url: URL,
  init: RequestInit | undefined,
  env: NodeJS.ProcessEnv,
): 'protocol' | 'body' | 'proxy' | 'redirect_mode' | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'protocol';
  const body = init?.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))
    return 'body';
  if (init?.redirect === 'manual') return 'redirect_mode';
  if (PROXY_VARIABLES.some((name) => env[name])) return 'proxy';
  return undefined;
}

function networkError(message: string, cause: Error): TypeError {
  return new TypeError(message, { cause });
}

async function decoded(res: IncomingMessage, body: Buffer): Promise<Buffer> {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  // Own keys only: "Content-Encoding: __proto__" found Object.prototype, called as a decoder (a TypeError).
  const decode = Object.hasOwn(decoders, encoding) ? decoders[encoding] : undefined;
  return decode && body.length ? decode(body) : body;
}

/** The fetch, and what ends its kept-alive connections. */
export type HttpFetch = Fetch & {
  /** Ends every connection, those in use included (the fetch is done with). */
  destroy(): void;
  /**
   * Ends the connections kept alive between requests; those in use go on, and the next request opens a new
   * one. The Lambda calls it as an invocation ends: the container is frozen until the next, and a connection
   * GitHub closed meanwhile would fail that one's first request (app/lambda.ts).
   */
  closeIdle(): void;
};

/**
 * A fetch over node:http(s) for Octokit's `request.fetch`. `fallback` is the global fetch by default; `env`
 * is read per request for proxy variables.
 */
export function createHttpFetch(
  options: {
    fallback?: Fetch;
    env?: NodeJS.ProcessEnv;
    maxSockets?: number;
    connectTimeoutMs?: number;
    idleTimeoutMs?: number;
  } = {},
): HttpFetch {
  const connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const fallback = options.fallback ?? ((input, init) => globalThis.fetch(input, init));
  const env = options.env ?? process.env;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 50, scheduling: 'lifo' as const };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };

  const once = (url: URL, init: RequestInit | undefined): Promise<Response | 'redirect'> =>
    new Promise((resolve, reject) => {
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const outgoing: Record<string, string> = {};
      const given = init?.headers;
      // Octokit passes a plain object of strings; anything else is read through Headers.
      if (given && !(given instanceof Headers) && !Array.isArray(given))
        for (const [name, value] of Object.entries(given)) outgoing[name.toLowerCase()] = String(value);
      else new Headers(given).forEach((value, name) => (outgoing[name] = value));
      const body = init?.body as string | Uint8Array | null | undefined;
      if (body != null) outgoing['content-length'] = String(Buffer.byteLength(body));
      const https = url.protocol === 'https:';
      const requestOptions: RequestOptions = {
        method: (init?.method ?? 'GET').toUpperCase(),
        headers: outgoing,
        agent: https ? agents.https : agents.http,
      };
      let connectTimer: NodeJS.Timeout | undefined;
      const fail = (error: Error) => {
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => {
        req.destroy();
        fail(signal!.reason as Error);
      };
      const req = (https ? httpsRequest : httpRequest)(url, requestOptions, (res) => {
        clearTimeout(connectTimer);
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status) && res.headers.location && init?.redirect !== 'manual') {
          // fetch's redirect rules: the request is made again by the global fetch (nothing was done here).
          res.resume();
          signal?.removeEventListener('abort', onAbort);
          resolve('redirect');
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => fail(networkError('terminated', error)));
        res.on('close', () => {
          if (!res.complete) fail(networkError('terminated', new Error('the response was cut short')));
        });
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          decoded(res, Buffer.concat(chunks)).then(
            (bytes) => {
              // Appended one by one: what Headers does with a list of pairs, without building the list and
              // its validation pass (about 4 µs less for GitHub's 25 or so headers).
              const responseHeaders = new Headers();
              for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
                responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
              resolve(
                new BufferedResponse(
                  NULL_BODY.has(status) ? null : bytes,
                  status,
                  res.statusMessage ?? '',
                  responseHeaders,
                  url.href,
                ) as unknown as Response,
              );
            },
            (error: Error) => fail(networkError('the response body could not be decoded', error)),
          );
        });
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => {
          req.destroy(new Error(`connect timeout (${connectTimeoutMs} ms)`));
        }, connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`nothing received for ${idleTimeoutMs} ms`)));
      req.on('error', (error) => fail(networkError('fetch failed', error)));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body ?? undefined);
    });

  const fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request) return fallback(input, init);
    const url = new URL(input);
    if (fallbackReason(url, init, env)) return fallback(input, init);
    const answer = await once(url, init);
    return answer === 'redirect' ? fallback(input, init) : answer;
  }) as HttpFetch;
  fetch.destroy = () => {
    agents.http.destroy();
    agents.https.destroy();
  };
  fetch.closeIdle = () => {
    for (const agent of [agents.http, agents.https])
      for (const sockets of Object.values(agent.freeSockets))
        for (const socket of sockets ?? []) socket.destroy();
  };
  return fetch;
}
