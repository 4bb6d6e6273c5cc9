// The notifier as a Reporter: events are mapped at once (pure, cheap) and sent in the background, one queue
// per channel so a message is updated only after it was posted. It never delays the pipeline, least of all
// its rollback: event() only queues. Each request has a timeout, close() waits at most a bounded total, a
// channel that fails is one warning, and secret values are taken out of every message and log line.
import type { PipelineEvent, Reporter } from '../pipeline/events.ts';
import type { NotificationMapper } from './mapping.ts';
import type { Facts, NotifyItem } from './model.ts';
import type { Sink } from './sinks.ts';
import { DeliveryError } from './transport.ts';
import { redactCredentials, redactDeep } from '../report/redact.ts';
import { maskCutBeforeMark, secretFormsOf } from '../util/secret-values.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export interface NotifierOptions {
  sinks: Sink[];
  mapper: NotificationMapper;
  log: (level: 'info' | 'warn', message: string) => void;
  /** Values that must never be sent or logged (tokens, webhook URLs, HMAC secrets). */
  secrets: readonly string[];
  requestTimeoutMs?: number;
  closeTimeoutMs?: number;
  /**
   * How long close() may wait at most, asked as it begins, when that is less than closeTimeoutMs: the CLI in a
   * cancelled Actions job, what is left until its reporting deadline. Undefined: closeTimeoutMs.
   */
  closeBy?: () => number | undefined;
  /** Aborted at the close deadline: requests in flight stop (the sinks' clients listen to it too). */
  closeController?: AbortController;
}

const REDACTED = '***';

/** Below this length a secret is replaced only where it stands as a whole token (see redactor). */
const SHORT_SECRET = 4;
const TOKEN_CHAR = '[\\p{L}\\p{N}_]';

/**
 * Each of `secrets` (longest first, so one containing another is replaced whole) replaced by `***`, then
 * credentials by shape (tokens, keys, URL passwords: report/redact.ts): a command's failure quoted in a
 * message may carry a token the run never knew as a secret. A secret shorter than 4 characters is replaced
 * where it is a whole token (no letter, digit or `_` on either side: `key abc`, `/abc/`, a value that is
 * only it), not inside a word: everywhere, it would take those characters out of every word that has them
 * (GitHub's runner does not mask such short values at all), and never, it would be sent as is.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  // Each in the forms a command may print it too: its lines, URL-encoded (util/secret-values.ts).
  const unique = [...new Set([...secrets, ...secretFormsOf(secrets)].filter((s) => s.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  const long = unique.filter((s) => s.length >= SHORT_SECRET);
  const short = unique.filter((s) => s.length < SHORT_SECRET);
  const whole = short.length
    ? new RegExp(
        `(?<!${TOKEN_CHAR})(?:${short.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?!${TOKEN_CHAR})`,
        'gu',
      )
    : undefined;
  return (text) => {
    // A value cut short (a command's last line at 200 characters, then `…`) has its start masked too.
    const redacted = maskCutBeforeMark(
      long.reduce((t, secret) => t.split(secret).join(REDACTED), text),
      long,
    );
    return redactCredentials(whole ? redacted.replace(whole, REDACTED) : redacted);
  };
}

function redactItem(item: NotifyItem, redact: (t: string) => string): NotifyItem {
  if (item.kind === 'thread') return { kind: 'thread', line: { ...item.line, text: redact(item.line.text) } };
  const facts: Facts = {};
  for (const [key, value] of Object.entries(item.notification.facts))
    if (value !== undefined) facts[key as keyof Facts] = redact(value);
  return { kind: 'notify', notification: { ...item.notification, facts } };
}

interface Queue {
  sink: Sink;
  tail: Promise<void>;
  busy: number;
  warned: boolean;
  /** Stopped after it did not answer in time: waiting on it again would only hold up the close. */
  stopped: boolean;
  /** Something queued for it was not delivered (failed, or skipped once stopped or closed): delivered() says so. */
  undelivered: boolean;
}

export function notifier(options: NotifierOptions): Reporter {
  const requestMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const closeMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const closing = options.closeController ?? new AbortController();
  const redact = redactor(options.secrets);
  const queues: Queue[] = options.sinks.map((sink) => ({
    sink,
    tail: Promise.resolve(),
    busy: 0,
    warned: false,
    stopped: false,
    undelivered: false,
  }));
  let closed = false;

  const warn = (q: Queue, why: string) => {
    if (q.warned) return;
    q.warned = true;
    options.log(
      'warn',
      redact(
        `notifications: ${q.sink.kind} channel "${q.sink.name}" failed: ${why}; the deployment goes on ` +
          '(further problems with this channel are not reported)',
      ),
    );
  };

  const deliver = async (q: Queue, item: NotifyItem) => {
    if (q.stopped || closing.signal.aborted) {
      q.undelivered = true;
      return;
    }
    try {
      await q.sink.send(item, AbortSignal.any([AbortSignal.timeout(requestMs), closing.signal]));
    } catch (error) {
      q.undelivered = true;
      const timedOut = error instanceof DeliveryError && error.timedOut;
      if (timedOut) q.stopped = true;
      warn(q, timedOut ? `no answer within ${requestMs / 1000} s` : (error as Error).message);
    }
  };

  return {
    event(event: PipelineEvent) {
      if (closed || queues.length === 0) return;
      let items: NotifyItem[];
      try {
        items = options.mapper.next(redactDeep(event, redact)).map((item) => redactItem(item, redact));
      } catch {
        return; // A notification that cannot be made is never the deployment's problem.
      }
      for (const item of items)
        for (const q of queues) {
          if (item.kind === 'notify' ? !q.sink.events.has(item.notification.event) : !q.sink.threads)
            continue;
          q.busy++;
          q.tail = q.tail.then(() => deliver(q, item)).finally(() => q.busy--);
        }
    },
    async messages(waitMs) {
      // Only the Slack bot's queues: what is queued there now (its first post included) is waited for.
      const bots = queues.filter((q) => q.sink.message && !q.stopped);
      if (bots.length === 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(bots.map((q) => q.tail)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        }),
      ]);
      clearTimeout(timer);
      const slack = bots.flatMap((q) => {
        const message = q.sink.message!();
        return message ? [{ name: q.sink.name, ...message }] : [];
      });
      return slack.length ? { slack } : undefined;
    },
    async delivered() {
      // As long as close() would wait (what is left of a cancelled job's reporting time): later is not delivered.
      const waitMs = Math.min(closeMs, options.closeBy?.() ?? closeMs);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.all(queues.map((q) => q.tail)).then(() => 'done' as const),
        new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), waitMs);
        }),
      ]);
      clearTimeout(timer);
      return outcome === 'done' && queues.every((q) => !q.undelivered);
    },
    async close() {
      closed = true;
      const waitMs = Math.min(closeMs, options.closeBy?.() ?? closeMs);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), waitMs);
      });
      const outcome = await Promise.race([
        Promise.all(queues.map((q) => q.tail)).then(() => 'done' as const),
        deadline,
      ]);
      clearTimeout(timer);
      if (outcome === 'done') return;
      closing.abort();
      const why =
        waitMs < closeMs
          ? "not delivered by the cancelled job's reporting deadline"
          : `not delivered within ${closeMs / 1000} s of the end`;
      for (const q of queues) if (q.busy > 0) warn(q, why);
    },
  };
}
