// One replica of the BUILT App server (dist/app/server.js, what `npm start` runs) for multi-replica tests, run
// as its own process: `node test/helpers/app-replica.ts` with the same environment `npm start` reads (APP_ID,
// PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_API_URL...). The one difference from `npm start`: Probot's Octokit
// without GitHub's write throttle (one write a second and one comment every 3 s per process, which would
// measure the throttle, not the app), like the in-process tests (test/app/helpers.ts). It listens on
// 127.0.0.1 on a free port and prints `replica listening on <url>` when ready. It also prints
// `replica status on <url>` (printed first): GET there answers {"inProgress": n, "received": n} for the
// deliveries this replica is handling, so a test waits until they are done (a delivery answered 202 after
// 9 s is still being handled) rather than guessing from a quiet spell.
import { createServer as createHttpServer } from 'node:http';
import { AppOctokit } from '../../app/octokit.ts';
import { settingsFromEnv } from '../../app/config.ts';

import type { createServer as CreateServerFn } from '../../app/server.ts';

type CreateServer = typeof CreateServerFn;

const built = new URL('../../dist/app/server.js', import.meta.url);
const { createServer } = (await import(built.href)) as { createServer: CreateServer };

const Octokit = AppOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object), enabled: false },
  // Retry stays on, as in `npm start`: a request on a kept-alive socket the server closed as idle fails
  // (ECONNRESET, socket hang up) when this process was too busy to see the close in time, and Probot's
  // Octokit retries it; without the retry the delivery failed 500 under load (1 in 3 runs, 4 copies at once).
}));

const settings = settingsFromEnv({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
const running = await createServer({ ...settings, Octokit });

// The server hands every checked delivery to probot.webhooks.receive (app/server.ts): counted around it.
const progress = { inProgress: 0, received: 0 };
const receive = running.probot.webhooks.receive.bind(running.probot.webhooks);
running.probot.webhooks.receive = async (event) => {
  progress.inProgress += 1;
  progress.received += 1;
  try {
    return await receive(event);
  } finally {
    progress.inProgress -= 1;
  }
};
const status = createHttpServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(progress));
});
await new Promise<void>((resolve) => status.listen(0, '127.0.0.1', resolve));
const { port: statusPort } = status.address() as { port: number };
console.log(`replica status on http://127.0.0.1:${statusPort}`);
console.log(`replica listening on ${running.url}`);
const stop = (): void => {
  status.closeAllConnections();
  status.close();
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
