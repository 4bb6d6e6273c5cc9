// A worker thread of the secret scan (started by secrets-pool.ts): scans the batches of files it is sent
// and answers with their findings, redacted and fingerprinted. Its own entry in the bundles (scripts/
// build.ts), loaded only when the secrets gate scans with more than one thread.
import { parentPort, workerData } from 'node:worker_threads';
import { FileScanner } from './secrets-file.ts';
import type { WorkerAnswer, WorkerBatch, WorkerSetup } from './secrets-pool.ts';

if (!parentPort)
  throw new Error('secrets-worker is a worker thread of the secrets gate; it is not run by itself');
const port = parentPort;
const scanner = new FileScanner((workerData as WorkerSetup).options);
port.on('message', (batch: WorkerBatch) => {
  const answer: WorkerAnswer = batch.files.map(({ path, absolute, size }) =>
    scanner.scanSync(absolute, path, size),
  );
  port.postMessage(answer);
});
