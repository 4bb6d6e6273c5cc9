// Conditional reads (GitHub REST, "conditional requests"): the App reads the same lists again and again (a pull
// request's comments on every command, up to 10 pages of 100). GitHub answers a GET sent with the ETag of its
// last answer in `If-None-Match` with 304 Not Modified when nothing changed, and a 304 does not count against
// the installation's primary rate limit. This hook, on an installation's kept Octokit, remembers each GET's
// ETag and data, asks conditionally the next time, and answers a 304 from memory as the 200 Octokit's callers
// expect. The memory is one budget for the whole process (RememberedReads), shared by every installation and
// ordered by last read across all of them; each kept Octokit reads and writes only its own installation's part
// of it (InstallationReads): one installation's answers are never another's, and an installation dropped
// (suspended, deleted, least recently used) drops them with its Octokit.
//
// A 304 carries GitHub's current rate-limit figures and date: the answer made from memory has the remembered
// content headers (ETag, Link, content type) and the 304's own per-response headers, never stale figures.
//
// Kept as the JSON text GitHub sent (read from a clone of the response, so a 200 costs no more than a copy of
// its text), parsed again for every caller as the App's Octokit parses an answer (json-answers.ts
// parseJsonAnswer: an integer past 2^53 a BigInt, as Octokit reads it): a caller owns what it gets (Octokit's paginate rewrites the data
// of a namespaced list in place), and one caller's change never reaches the next. Measured on a 226 KB page of
// 100 comments: Octokit's own parse of it (json-with-bigint) 3.4 ms, JSON.parse 0.39 ms; the other ways
// measured were JSON.stringify of the data (1.0 ms, for every 200), structuredClone (0.6 ms per copy, twice per
// answer), and a deep freeze (0.07 ms, but a frozen answer breaks paginate).
import type { Octokit } from './facts/github.ts';
import { parseJsonAnswer } from './json-answers.ts';

/** What the process keeps in all, for every installation, by approximate size (the least recently read go first). */
export const DEFAULT_READ_CACHE_BYTES = 64 * 1024 * 1024;
/** An answer larger than this is not kept at all. */
export const DEFAULT_MAX_KEPT_ANSWER_BYTES = 2 * 1024 * 1024;

export interface ReadCacheLimits {
  /**
   * Bytes kept in all, every installation's answers together (approximate: JSON text, URL and headers); the
   * least recently read, of any installation, go first.
   */
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
  /** The answer's content headers (without PER_RESPONSE ones). */
  headers: Record<string, unknown>;
  /** The answer's text: JSON (`json`) or the data itself. */
  text: string;
  json: boolean;
  bytes: number;
}

/**
 * One installation's part of the process's remembered reads: what its kept Octokit's hook reads and writes.
 * Closed when the installation's Octokit is dropped; a request of that Octokit still in flight then neither
 * finds nor keeps anything.
 */
export interface InstallationReads {
  readonly installation: number;
  readonly maxAnswerBytes: number;
  get(key: string): Remembered | undefined;
  keep(key: string, answer: Remembered): void;
  forget(key: string): void;
  /** Its keys (readKey), least recently read first. */
  keys(): string[];
}

/**
 * The process's remembered reads: one least-recently-read map for every installation, bounded by the answers'
 * approximate size in all, keyed by installation, URL and media type.
 */
export class RememberedReads {
  /** By `${installation}\n${readKey}`, least recently read first (a Map keeps insertion order). */
  readonly #entries = new Map<string, Remembered>();
  /** Each open installation's part, and the entry keys it holds. */
  readonly #parts = new Map<number, { reads: InstallationReads; keys: Set<string> }>();
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

  /** Bytes kept now, every installation's together (approximate). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keys kept, as `installation\nURL\nAccept`, least recently read first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * A new part for `installation` (its kept Octokit's); a part it had before is dropped with its answers, so
   * that only the newest Octokit's part is open.
   */
  of(installation: number): InstallationReads {
    this.drop(installation);
    const keys = new Set<string>();
    const owned = (key: string) => `${installation}\n${key}`;
    const open = () => this.#parts.get(installation)?.reads === reads;
    const reads: InstallationReads = {
      installation,
      maxAnswerBytes: this.maxAnswerBytes,
      get: (key) => (open() ? this.#get(owned(key)) : undefined),
      keep: (key, answer) => {
        if (open()) this.#keep(owned(key), answer, keys);
      },
      forget: (key) => {
        if (open()) this.#forget(owned(key));
      },
      keys: () =>
        (open() ? this.keys().filter((k) => keys.has(k)) : []).map((k) => k.slice(k.indexOf('\n') + 1)),
    };
    this.#parts.set(installation, { reads, keys });
    return reads;
  }

  /** Forgets everything `installation` kept and closes its part (its Octokit is dropped). */
  drop(installation: number): void {
    const part = this.#parts.get(installation);
    if (!part) return;
    this.#parts.delete(installation);
    for (const key of [...part.keys]) this.#forget(key);
  }

  #get(key: string): Remembered | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  /** Keeps `answer` under `key` unless it is over a limit (then nothing is kept under the key). */
  #keep(key: string, answer: Remembered, owner: Set<string>): void {
    this.#forget(key);
    if (answer.bytes > this.maxAnswerBytes || answer.bytes > this.maxBytes) return;
    this.#entries.set(key, answer);
    owner.add(key);
    this.#bytes += answer.bytes;
    while (this.#bytes > this.maxBytes) this.#forget(this.#entries.keys().next().value!);
  }

  #forget(key: string): void {
    const gone = this.#entries.get(key);
    if (!gone) return;
    this.#entries.delete(key);
    this.#bytes -= gone.bytes;
    this.#parts.get(Number(key.slice(0, key.indexOf('\n'))))?.keys.delete(key);
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
  // A write is never remembered: not parsed (its method is already in the options Octokit merged).
  if (typeof options.method === 'string' && options.method.toUpperCase() !== 'GET') return undefined;
  const sent = parse(options);
  if (sent.method.toUpperCase() !== 'GET') return undefined;
  const headers = sent.headers;
  if (header(headers, 'if-none-match') !== undefined || header(headers, 'if-modified-since') !== undefined)
    return undefined;
  return `${sent.url}\n${header(headers, 'accept') ?? ''}`;
}

/**
 * Headers that describe the response, not its content: GitHub's rate-limit figures at the time (x-ratelimit-*),
 * the date, and the request's id. Never remembered; a 304 brings its own.
 */
const isPerResponse = (name: string): boolean =>
  /^x-ratelimit-/i.test(name) || /^(?:date|x-github-request-id)$/i.test(name);

/** Pure: `headers` without the per-response ones. */
export const contentHeaders = (headers: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !isPerResponse(name)));

/**
 * Pure: the headers of an answer made from memory for a 304: the remembered content headers, with the 304's
 * own rate-limit figures, date and request id (the throttling plugin and any caller reading the remaining
 * quota see the current figures).
 */
export const answeredHeaders = (
  remembered: Record<string, unknown>,
  notModified: Record<string, unknown> | undefined,
): Record<string, unknown> => ({
  ...remembered,
  ...Object.fromEntries(Object.entries(notModified ?? {}).filter(([name]) => isPerResponse(name))),
});

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
  // Kept whatever digits it holds: parsed again as the App's Octokit parses it (parseJsonAnswer), an integer
  // past 2^53 comes back as the same BigInt. Before, a text with any run of 16 digits was not kept, and a page
  // of comments with one in a string (a marker's 64-hex MAC has one about once in a hundred) was read in full
  // on every command.
  else if (body !== undefined && typeof answer.data === 'object') [text, json] = [body, true];
  else return undefined;
  const headers = contentHeaders(answer.headers);
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

/** Octokit's answer to a 304: it throws a RequestError (name HttpError, status 304) with the response. */
type NotModified = Error & { status: 304; response?: { headers?: Record<string, unknown> } };

const isNotModified = (error: unknown): error is NotModified =>
  error instanceof Error && error.name === 'HttpError' && (error as { status?: unknown }).status === 304;

/**
 * A `request` wrap hook: a GET whose answer is remembered is sent with `If-None-Match`; a 304 is answered with
 * the remembered answer (status 200, its content headers with the 304's rate-limit figures and date, a fresh
 * copy of its data). A 200 with an ETag is remembered; any other answer, or an error, forgets what was
 * remembered for the request.
 */
export function conditionalReadsHook(
  cache: InstallationReads,
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
          headers: answeredHeaders(kept.headers, error.response?.headers),
          data: kept.json ? parseJsonAnswer(kept.text) : kept.text,
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
 * Makes `octokit`'s GETs conditional, remembering answers in `reads` (its installation's part of the process's
 * remembered reads). Added after Octokit's own plugins, the hook wraps them: a retried or throttled GET is
 * sent with the same If-None-Match.
 */
export function rememberReads(octokit: Octokit, reads: InstallationReads): void {
  const parse: ParseRequest = (options) => octokit.request.endpoint.parse(options as never);
  // Octokit's hook types name every option its endpoints take; this hook reads only a few of them.
  type WrapHook = Parameters<typeof octokit.hook.wrap<'request'>>[1];
  octokit.hook.wrap('request', conditionalReadsHook(reads, parse) as unknown as WrapHook);
}
