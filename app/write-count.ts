// What one delivery's handler writes on GitHub, counted from its requests (handlers/comment.ts: writeOf): what
// a command had done when it failed. The Octokit a delivery is handed is not its own: the server and the Lambda
// keep one per installation for every delivery of it (installation-octokits.ts), so a hook added per delivery
// would count the writes of every other delivery of the installation handled meanwhile (a command that wrote
// nothing would be taken to have begun, and never run again), and the hooks would pile up on the kept
// instance, one more per comment, for as long as the process lives. So an Octokit gets one hook, once, and a
// request counts for the delivery whose handler made it: the one running (AsyncLocalStorage) where it was sent.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Octokit } from './facts/github.ts';
import { httpStatus } from './facts/github.ts';
import { NO_WRITES, writeOf } from './handlers/comment.ts';
import type { CommandWrites } from './handlers/comment.ts';

const counting = new AsyncLocalStorage<CommandWrites>();
const watched = new WeakSet<object>();

type RequestOptions = Parameters<Octokit['request']['endpoint']['parse']>[0];

function watch(octokit: Octokit): void {
  if (watched.has(octokit)) return;
  watched.add(octokit);
  const count = (options: RequestOptions): void => {
    const counts = counting.getStore();
    if (!counts) return;
    // A read is never a write (writeOf): not parsed (Octokit's parse of a request costs ~10 µs, and most of a
    // command's requests are reads).
    const method = String(options.method ?? 'GET').toUpperCase();
    if (method === 'GET' || method === 'HEAD') return;
    const sent = octokit.request.endpoint.parse(options);
    const kind = writeOf(sent.method, sent.url, sent.body);
    if (kind) counts[kind] += 1;
  };
  octokit.hook.after('request', (_response, options) => count(options));
  // A write GitHub failed to answer (a 5xx, no answer) may have landed, so it counts too; one it refused (a
  // 4xx) did not.
  octokit.hook.error('request', (error, options) => {
    const status = httpStatus(error);
    if (status === undefined || status >= 500) count(options);
    throw error;
  });
}

/**
 * Runs `work` with `writes`: what the requests it makes through `octokit` (directly or by anything it awaits)
 * have written so far, by kind. Requests made for anything else, on the same Octokit, do not count.
 */
export function countingWrites<T>(
  octokit: Octokit,
  work: (writes: () => CommandWrites) => Promise<T>,
): Promise<T> {
  watch(octokit);
  const counts: CommandWrites = { ...NO_WRITES };
  return counting.run(counts, () => work(() => ({ ...counts })));
}
