// GitHub's answers parsed natively. Octokit parses every JSON answer with json-with-bigint: JSON.parse with a
// reviver called for every value of the answer, so that an integer past 2^53 comes back exact, as a BigInt.
// Measured on a 226 KB page of 100 comments: 3.4 ms against JSON.parse's 0.39 ms; about a tenth of what the
// App spends on a command. Such an integer has at least 16 digits in a row: an answer with no run of 16 digits
// (one scan) is parsed by JSON.parse alone, and gives the same value; any other goes through the same reviver
// as Octokit's (exact integers as BigInt). Only a success answer's body is parsed here; an error's (4xx, 5xx,
// 304) is Octokit's as before, and so is a body a caller asks for unparsed (parseSuccessResponseBody: false).
import { parse as parseContentType } from 'content-type';

/**
 * A run of digits long enough to be an integer beyond Number.MAX_SAFE_INTEGER (16 digits). Spelled as sixteen
 * \d, not \d{16}: V8 then skips ahead 16 characters at a time, 10 to 40 times faster on GitHub's answers
 * (which hold dates, SHAs and ids), and faster than a parse.
 */
const LONG_DIGIT_RUN = new RegExp('\\d'.repeat(16));

/** Pure: whether `text` holds a run of 16 digits (an integer JSON.parse may not read exactly). */
export const hasLongDigitRun = (text: string): boolean => LONG_DIGIT_RUN.test(text);
const INTEGER_SOURCE = /^-?\d+$/;

/** json-with-bigint's reviver (JSONParseV2): an integer out of the safe range, read from its source. */
const exactIntegers = (_key: string, value: unknown, context?: { source?: string }): unknown =>
  typeof value === 'number' &&
  (value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER) &&
  context?.source !== undefined &&
  INTEGER_SOURCE.test(context.source)
    ? BigInt(context.source)
    : value;

/**
 * Pure: `text` parsed as Octokit parses a JSON answer: integers past 2^53 exact (BigInt), and the text itself
 * when it is not JSON.
 */
export function parseJsonAnswer(text: string): unknown {
  try {
    // JSON.parse's reviver is given each value's source text; the types do not say so yet.
    return hasLongDigitRun(text)
      ? JSON.parse(text, exactIntegers as (key: string, value: unknown) => unknown)
      : JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * What Octokit makes of a success answer's body (@octokit/request's getResponseData), its JSON parsed by
 * parseJsonAnswer: no content type, text or UTF-8: the text; JSON: parsed; anything else: its bytes.
 */
export async function answerData(
  body: ReadableStream<Uint8Array> | null,
  contentType: string | undefined,
): Promise<unknown> {
  const response = new Response(body);
  if (!contentType) return response.text().catch(() => '');
  const mimetype = parseContentType(contentType);
  if (mimetype.type === 'application/json' || mimetype.type === 'application/scim+json') {
    let text = '';
    try {
      text = await response.text();
    } catch {
      return text;
    }
    return parseJsonAnswer(text);
  }
  if (
    mimetype.type.startsWith('text/') ||
    (mimetype.parameters.charset?.toLowerCase() === 'utf-8' && mimetype.type !== 'application/octet-stream')
  )
    return response.text().catch(() => '');
  return response.arrayBuffer().catch(() => new ArrayBuffer(0));
}

/** Octokit's request options and answer, as a request hook sees them (only what this hook reads). */
type Options = Record<string, unknown> & {
  method?: string;
  request?: { parseSuccessResponseBody?: boolean } & Record<string, unknown>;
};
type Answer = { status: number; headers: Record<string, unknown>; data: unknown } & Record<string, unknown>;

/**
 * A `request` wrap hook: Octokit hands a success answer's body unread (parseSuccessResponseBody: false) and
 * it is read here (answerData). A caller's own unparsed request is left alone.
 */
export async function nativeJsonHook(
  send: (options: Options) => Promise<Answer>,
  options: Options,
): Promise<Answer> {
  if (options.request?.parseSuccessResponseBody === false) return send(options);
  // Octokit's hooks are all handed this same options object: put back as it was once answered, so that the
  // caller's options (and a hook outside this one) never see the flag as the caller's own.
  const own = options.request;
  options.request = { ...own, parseSuccessResponseBody: false };
  let answer: Answer;
  try {
    answer = await send(options);
  } finally {
    if (own === undefined) delete options.request;
    else options.request = own;
  }
  // 204, 205 and a HEAD's answer have no body read (data ''); any other success answer's is the stream.
  const body = answer.data;
  if (body !== null && !(body instanceof ReadableStream)) return answer;
  const contentType = answer.headers['content-type'];
  return {
    ...answer,
    data: await answerData(body, typeof contentType === 'string' ? contentType : undefined),
  };
}

/** An Octokit plugin: the instance's answers are parsed by nativeJsonHook. */
export function nativeJsonAnswers(octokit: { hook: { wrap(name: 'request', hook: never): void } }): void {
  // Octokit's hook types name every option its endpoints take; this hook reads only a few of them.
  octokit.hook.wrap('request', nativeJsonHook as never);
}
