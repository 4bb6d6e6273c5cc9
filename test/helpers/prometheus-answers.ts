// A loopback stand-in for Prometheus's HTTP API that answers each request with the next queued body (`{}`
// once none is left), for the provider tests that feed it answers a real Prometheus would not give on cue.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts it; stopped after the test. Push JSON texts onto `answers`, in the order the requests come. */
export async function queuedAnswers(t: {
  after(fn: () => Promise<void>): void;
}): Promise<{ url: string; answers: string[] }> {
  const answers: string[] = [];
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(answers.shift() ?? '{}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answers };
}
