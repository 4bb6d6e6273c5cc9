// Conditional reads (GitHub REST, "conditional requests"): the App reads the same lists again and again (a pull
// request's comments on every command, up to 10 pages of 100). GitHub answers a GET sent with the ETag of its
// last answer in `If-None-Match` with 304 Not Modified when nothing changed, and a 304 does not count against
// the installation's primary rate limit. This hook, on an installation's kept Octokit, remembers each GET's
// ETag and data, asks conditionally the next time, and answers a 304 from memory as the 200 Octokit's callers
// expect. The memory belongs to the Octokit: one installation's answers are never another's, and an
// installation dropped (suspended, deleted, least recently used) drops them with its Octokit.
//
// Kept as the JSON text GitHub sent (read from a clone of the response, so a 200 costs no more than a copy of
// its text), parsed again for every caller: a caller owns what it gets (Octokit's paginate rewrites the data
// of a namespaced list in place), and one caller's change never reaches the next. Measured on a 226 KB page of
// 100 comments: Octokit's own parse of it (json-with-bigint) 3.4 ms, JSON.parse 0.39 ms; the other ways
// measured were JSON.stringify of the data (1.0 ms, for every 200), structuredClone (0.6 ms per copy, twice per
// answer), and a deep freeze (0.07 ms, but a frozen answer breaks paginate).
import type { Octokit } from './facts/github.ts';

/** What the App keeps per installation, at most, by approximate size (the least recently read goes first). */
export const DEFAULT_READ_CACHE_BYTES = 16 * 1024 * 1024;
/** An answer larger than this is not kept at all. */
export const DEFAULT_MAX_KEPT_ANSWER_BYTES = 2 * 1024 * 1024;

export interface ReadCacheLimits {
  /** Bytes kept in all (approximate: JSON text, URL and headers); the least recently read go first. */
  maxBytes?: number;
  /** An answer over this many bytes is not kept. */
  maxAnswerBytes?: number;
}

/** An answer as Octokit gives it. */
export interface Answer {
  status: number;
  url: string;
  headers: Record<string, unknown>;
  data: unknown;
}

/** Octokit's request options, as its request hooks receive them (only what this hook reads). */
export type RequestOptions = Record<string, unknown> & {
  headers?: Record<string, unknown>;
  request?: { parseSuccessResponseBody?: boolean; fetch?: typeof globalThis.fetch } & Record<string, unknown>;
};

/** The request as it goes on the wire (Octokit's `request.endpoint.parse`). */
export type ParseRequest = (options: RequestOptions) => {
  method: string;
  url: string;
  headers: Record<string, unknown>;
};

type Send = (options: RequestOptions) => Promise<Answer>;

interface Remembered {
  etag: string;
  url: string;
  headers: Record<string, unknown>;
  /** The answer's text: JSON (`json`) or the data itself. */
  text: string;
  json: boolean;
  bytes: number;
}

/** A least-recently-used map of remembered answers, bounded by their approximate size. */
export class RememberedReads {
  readonly #entries = new Map<string, Remembered>();
  #bytes = 0;
  readonly maxBytes: number;
  readonly maxAnswerBytes: number;

  constructor(limits: ReadCacheLimits = {}) {
    this.maxBytes = limits.maxBytes ?? DEFAULT_READ_CACHE_BYTES;
    this.maxAnswerBytes = limits.maxAnswerBytes ?? DEFAULT_MAX_KEPT_ANSWER_BYTES;
    for (const [name, value] of [
      ['maxBytes', this.maxBytes],
      ['maxAnswerBytes', this.maxAnswerBytes],
    ] as const)
      if (!Number.isSafeInteger(value) || value < 0)
        throw new Error(`conditional reads: ${name} must be a non-negative integer, got ${value}`);
  }

  /** Bytes kept now (approximate). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keys kept, least recently read first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  get(key: string): Remembered | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  /** Keeps `answer` under `key` unless it is over the answer limit (then nothing is kept under the key). */
  keep(key: string, answer: Remembered): void {
    this.forget(key);
    if (answer.bytes > this.maxAnswerBytes || answer.bytes > this.maxBytes) return;
    this.#entries.set(key, answer);
    this.#bytes += answer.bytes;
    while (this.#bytes > this.maxBytes) this.forget(this.#entries.keys().next().value!);
  }

  forget(key: string): void {
    const gone = this.#entries.get(key);
    if (!gone) return;
    this.#entries.delete(key);
    this.#bytes -= gone.bytes;
  }
}

const header = (headers: Record<string, unknown>, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
};

/**
 * Pure: what a request's answer is remembered under, or undefined when it is never remembered: not a GET, a
 * caller's own conditional request, or an answer asked for unparsed (a stream). The key is the full URL (query
 * included) and the media type asked for: the same list in another format is another answer.
 */
export function readKey(options: RequestOptions, parse: ParseRequest): string | undefined {
  if (options.request?.parseSuccessResponseBody === false) return undefined;
  const sent = parse(options);
  if (sent.method.toUpperCase() !== 'GET') return undefined;
  const headers = sent.headers;
  if (header(headers, 'if-none-match') !== undefined || header(headers, 'if-modified-since') !== undefined)
    return undefined;
  return `${sent.url}\n${header(headers, 'accept') ?? ''}`;
}

// An integer past 2^53, which Octokit reads as a BigInt (json-with-bigint) and JSON.parse would not read
// exactly; a text that may hold one (any run of 16 digits) is not kept.
const LONG_INTEGER = /\d{16}/;

/**
 * What is remembered of a 200 answer with an ETag (`body`: its JSON text, when read), or undefined when it is
 * not to be kept.
 */
function rememberedOf(
  answer: Answer,
  body: string | undefined,
  maxAnswerBytes: number,
): Remembered | undefined {
  const etag = header(answer.headers, 'etag');
  if (answer.status !== 200 || !etag) return undefined;
  let text: string;
  let json: boolean;
  if (typeof answer.data === 'string') [text, json] = [answer.data, false];
  else if (body !== undefined && typeof answer.data === 'object' && !LONG_INTEGER.test(body))
    [text, json] = [body, true];
  else return undefined;
  const headers = { ...answer.headers };
  const bytes = text.length + answer.url.length + JSON.stringify(headers).length;
  return bytes > maxAnswerBytes ? undefined : { etag, url: answer.url, headers, text, json, bytes };
}

/**
 * Makes `options` read the JSON text of a 200 with an ETag (from a clone of the response, as Octokit reads the
 * response itself), unless it is known to be over `maxBytes`; `body()` is the text of the last such answer.
 */
function readingBody(options: RequestOptions, maxBytes: number): { body: () => string | undefined } {
  let body: string | undefined;
  const fetch = options.request?.fetch ?? globalThis.fetch;
  options.request = {
    ...options.request,
    fetch: async (url, init) => {
      body = undefined;
      const response = await fetch(url, init);
      const headers = response.headers;
      if (
        response.status === 200 &&
        headers.has('etag') &&
        /\bjson\b/i.test(headers.get('content-type') ?? '') &&
        Number(headers.get('content-length') ?? 0) <= maxBytes
      )
        body = await response.clone().text();
      return response;
    },
  };
  return { body: () => body };
}

/** Whether `error` is Octokit's answer to a 304 (it throws a RequestError, name HttpError, status 304). */
const isNotModified = (error: unknown): boolean =>
  error instanceof Error && error.name === 'HttpError' && (error as { status?: unknown }).status === 304;

/**
 * A `request` wrap hook: a GET whose answer is remembered is sent with `If-None-Match`; a 304 is answered with
 * the remembered answer (status 200, its headers, a fresh copy of its data). A 200 with an ETag is remembered;
 * any other answer, or an error, forgets what was remembered for the request.
 */
export function conditionalReadsHook(
  cache: RememberedReads,
  parse: ParseRequest,
): (send: Send, options: RequestOptions) => Promise<Answer> {
  return async (send, options) => {
    const key = readKey(options, parse);
    if (key === undefined) return send(options);
    const kept = cache.get(key);
    // Set on the request's own options: Octokit's hooks (before-after-hook) hand each inner hook the options
    // object they were called with, whatever an outer hook passes on.
    if (kept) options.headers = { ...options.headers, 'if-none-match': kept.etag };
    const read = readingBody(options, cache.maxAnswerBytes);
    let answer: Answer;
    try {
      answer = await send(options);
    } catch (error) {
      if (kept && isNotModified(error))
        return {
          status: 200,
          url: kept.url,
          headers: { ...kept.headers },
          data: kept.json ? JSON.parse(kept.text) : kept.text,
        };
      cache.forget(key);
      throw error;
    }
    const remembered = rememberedOf(answer, read.body(), cache.maxAnswerBytes);
    if (remembered) cache.keep(key, remembered);
    else cache.forget(key);
    return answer;
  };
}

/**
 * Makes `octokit`'s GETs conditional, remembering answers within `limits`. Added after Octokit's own plugins,
 * the hook wraps them: a retried or throttled GET is sent with the same If-None-Match.
 */
export function rememberReads(octokit: Octokit, limits: ReadCacheLimits = {}): RememberedReads {
  const cache = new RememberedReads(limits);
  const parse: ParseRequest = (options) => octokit.request.endpoint.parse(options as never);
  // Octokit's hook types name every option its endpoints take; this hook reads only a few of them.
  type WrapHook = Parameters<typeof octokit.hook.wrap<'request'>>[1];
  octokit.hook.wrap('request', conditionalReadsHook(cache, parse) as unknown as WrapHook);
  return cache;
}
