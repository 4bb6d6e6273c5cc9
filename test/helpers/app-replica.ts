// One replica of the BUILT App server (dist/app/server.js, what `npm start` runs) for multi-replica tests, run
// as its own process: `node test/helpers/app-replica.ts` with the same environment `npm start` reads (APP_ID,
// PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_API_URL...). The one difference from `npm start`: Probot's Octokit
// without GitHub's write throttle (one write a second and one comment every 3 s per process, which would
// measure the throttle, not the app), like the in-process tests (test/app/helpers.ts). It listens on
// 127.0.0.1 on a free port and prints `replica listening on <url>` when ready.
import { ProbotOctokit } from 'probot';
import { settingsFromEnv } from '../../app/config.ts';

import type { createServer as CreateServerFn } from '../../app/server.ts';

type CreateServer = typeof CreateServerFn;

const built = new URL('../../dist/app/server.js', import.meta.url);
const { createServer } = (await import(built.href)) as { createServer: CreateServer };

const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object), enabled: false },
  retry: { enabled: false },
}));

const settings = settingsFromEnv({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
const running = await createServer({ ...settings, Octokit });
console.log(`replica listening on ${running.url}`);
const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
