// The worker thread a load runs in (startLoad in load.ts): the test's main thread runs fake GitHub, Probot and
// the test's own steps, and a long stretch of work there must not stop the load from sending. Messages: in,
// 'stop'; out, 'started', then 'progress' (counts, every 50 ms and when the load halts), then one 'report'.
import { parentPort, workerData } from 'node:worker_threads';
import { runLoadClient, type LoadOptions } from './load-client.ts';
import type { FromLoadWorker } from './load.ts';

const port = parentPort;
if (!port) throw new Error('load-worker.ts runs as a worker thread (startLoad in test/helpers/load.ts)');

const post = (message: FromLoadWorker): void => port.postMessage(message);
let finishing = false;
const progress = setInterval(() => post({ type: 'progress', counts: load.snapshot() }), 50);
const finish = (): void => {
  if (finishing) return;
  finishing = true;
  clearInterval(progress);
  post({ type: 'progress', counts: load.snapshot() });
  void load.stop().then((report) => {
    post({ type: 'report', report });
    port.close();
  });
};
// A load that reaches its own time bound reports by itself: the worker's life is bounded like the load's.
const load = runLoadClient(workerData as LoadOptions, { onHalt: () => setImmediate(finish) });
port.on('message', (message: unknown) => {
  if (message === 'stop') finish();
});
post({ type: 'started' });
