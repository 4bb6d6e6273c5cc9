// One App server for bench/app.ts, in a process of its own (forked, IPC), so that its CPU time is its own:
// `deploy` is this package's App, `no-op` a Probot app that registers nothing, both behind the same server
// (app/server.ts: Probot's node middleware) and the same GitHub stand-in (bench/github-stand-in.ts).
// `node app-under-test.ts deploy|no-op BASE_URL`; answers `cpu` with its process.cpuUsage().
import { createServer } from '../app/server.ts';
import { privateKey, SECRET, TestOctokit } from '../test/app/helpers.ts';

export type AppMessage = { ready: string } | { cpu: NodeJS.CpuUsage };

if (import.meta.main) {
  const [kind, baseUrl] = process.argv.slice(2);
  if (!process.send || (kind !== 'deploy' && kind !== 'no-op') || !baseUrl)
    throw new Error('app-under-test is forked by bench/app.ts: app-under-test.ts deploy|no-op BASE_URL');
  const running = await createServer({
    appId: 1,
    privateKey: privateKey(),
    webhookSecret: SECRET,
    port: 0,
    host: '127.0.0.1',
    baseUrl,
    logLevel: 'fatal',
    // Without GitHub's write throttling (one comment per few seconds), which would measure the throttle.
    Octokit: TestOctokit,
    ...(kind === 'no-op' ? { appFn: () => {} } : {}),
  });
  const send = (message: AppMessage) => process.send!(message);
  process.on('message', (message) => {
    if (message === 'cpu') send({ cpu: process.cpuUsage() });
  });
  process.on('disconnect', () => void running.close().then(() => process.exit(0)));
  send({ ready: `${running.url}${running.webhookPath}` });
}
