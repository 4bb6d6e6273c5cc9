// Runs the secret scan over many files: worker threads across files when there are cores for them and
// enough bytes to pay for starting them; on the main thread otherwise (one core, a few changed files).
// The threads (the main thread among them) take batches of paths; workers send back findings that are
// already redacted and fingerprinted: a raw secret never crosses a thread boundary.
import { existsSync, lstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FileScanner } from './secrets-file.ts';
import type { FileScan } from './secrets-file.ts';
import type { ScanOptions } from './secret-rules.ts';

/** Starting threads costs ~100 ms and a heap each: below this many bytes one thread is faster (bench). */
export const WORKER_MIN_BYTES = 32 * 1024 * 1024;
/** What a worker gets at a time: small enough to balance the threads, large enough to keep messages rare. */
const BATCH_BYTES = 2 * 1024 * 1024;
const BATCH_FILES = 64;
const STAT_BATCH = 512;

export type PathScan =
  | FileScan
  | { kind: 'large' }
  /** Symlinks point elsewhere, submodules are directories. */
  | { kind: 'not-file' };

export interface PoolOptions {
  /** Threads to scan with; default `os.availableParallelism()`. 1: the main thread only. */
  threads?: number;
  /** Bytes to scan below which no thread is started; default WORKER_MIN_BYTES. */
  minWorkerBytes?: number;
}

/** A worker's task: files to scan. Its answer: one result per file, in the same order. */
export interface WorkerBatch {
  /** `size`: from lstat (FileScanner.scanSync). */
  files: Array<{ path: string; absolute: string; size?: number }>;
}
export type WorkerAnswer = FileScan[];
export interface WorkerSetup {
  options: ScanOptions;
}

interface Task {
  path: string;
  absolute: string;
  size: number;
}

/** Scans repo-relative `paths`; the results are in the order of `paths`. 'stopped' once `signal` aborts. */
export async function scanPaths(
  cwd: string,
  paths: string[],
  maxFileBytes: number,
  options: ScanOptions,
  signal?: AbortSignal,
  { threads = availableParallelism(), minWorkerBytes = WORKER_MIN_BYTES }: PoolOptions = {},
): Promise<PathScan[] | 'stopped'> {
  const results: PathScan[] = new Array(paths.length);
  const tasks: Array<Task & { index: number }> = [];
  // Blocking lstat (a few microseconds each; the async one cost ~0.15 ms of CPU per file in promises and
  // thread-pool hops), with a turn of the event loop every STAT_BATCH files so an abort is heard.
  for (const [index, path] of paths.entries()) {
    if (index % STAT_BATCH === 0 && index > 0) {
      await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
      if (signal?.aborted) return 'stopped';
    }
    const absolute = resolve(cwd, path);
    try {
      const info = lstatSync(absolute);
      if (!info.isFile()) results[index] = { kind: 'not-file' };
      else if (info.size > maxFileBytes) results[index] = { kind: 'large' };
      else tasks.push({ path, absolute, size: info.size, index });
    } catch (error) {
      results[index] = {
        kind: 'unreadable',
        code: String((error as NodeJS.ErrnoException).code ?? error),
      };
    }
  }
  if (signal?.aborted) return 'stopped';
  // One file that cannot be read fails the scan: do not read the rest.
  if (results.some((result) => result?.kind === 'unreadable'))
    return Array.from(results, (result) => result ?? { kind: 'not-file' });

  const bytes = tasks.reduce((sum, task) => sum + task.size, 0);
  const worker = workerFile();
  const scans =
    threads > 1 && tasks.length > 1 && bytes >= minWorkerBytes && worker
      ? await inWorkers(worker, tasks, Math.min(threads, tasks.length), options, signal)
      : await onMainThread(tasks, options, signal);
  if (scans === 'stopped') return 'stopped';
  tasks.forEach((task, i) => (results[task.index] = scans[i]!));
  return results;
}

/**
 * The worker's file. From the sources (tests, bench) it is the .ts beside this one; in the bundles this code
 * sits in dist/<entry>/ or dist/chunks/ and scripts/build.ts writes the worker to dist/gates/. Missing (a
 * build without it): the scan runs on the main thread.
 */
function workerFile(): URL | undefined {
  const url = import.meta.url.endsWith('.ts')
    ? new URL('./secrets-worker.ts', import.meta.url)
    : new URL('../gates/secrets-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** One file after the other with one buffer: the reads block (secrets-file.ts), so more would not overlap. */
async function onMainThread(
  tasks: Task[],
  options: ScanOptions,
  signal?: AbortSignal,
): Promise<FileScan[] | 'stopped'> {
  const scans: FileScan[] = new Array(tasks.length);
  const scanner = new FileScanner(options);
  for (const [index, task] of tasks.entries()) {
    const scan = await scanner.scan(task.absolute, task.path, signal, task.size);
    if (scan.kind === 'stopped' || signal?.aborted) return 'stopped';
    scans[index] = scan;
  }
  return scans;
}

function inWorkers(
  file: URL,
  tasks: Task[],
  count: number,
  options: ScanOptions,
  signal?: AbortSignal,
): Promise<FileScan[] | 'stopped'> {
  // Largest first, so no thread is left with one big file at the end.
  const order = tasks.map((task, index) => ({ task, index })).sort((a, b) => b.task.size - a.task.size);
  const batches: Array<Array<{ task: Task; index: number }>> = [];
  let batch: Array<{ task: Task; index: number }> = [];
  let batchBytes = 0;
  for (const entry of order) {
    batch.push(entry);
    batchBytes += entry.task.size;
    if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) {
      batches.push(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length > 0) batches.push(batch);

  const scans: FileScan[] = new Array(tasks.length);
  const workers: Worker[] = [];
  return new Promise((resolveScan, rejectScan) => {
    let handedOut = 0;
    let pending = 0;
    let settled = false;
    const finish = (outcome: FileScan[] | 'stopped' | Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const worker of workers) void worker.terminate();
      if (outcome instanceof Error) rejectScan(outcome);
      else resolveScan(outcome);
    };
    const onAbort = () => finish('stopped');
    if (signal?.aborted) return finish('stopped');
    signal?.addEventListener('abort', onAbort);
    const give = (worker: Worker) => {
      if (handedOut < batches.length) {
        const current = batches[handedOut++]!;
        pending++;
        const message: WorkerBatch = {
          files: current.map(({ task }) => ({ path: task.path, absolute: task.absolute, size: task.size })),
        };
        worker.once('message', (answer: WorkerAnswer) => {
          pending--;
          current.forEach(({ index }, i) => (scans[index] = answer[i]!));
          give(worker);
        });
        worker.postMessage(message);
      } else if (pending === 0) finish(scans);
    };
    // The main thread scans batches too, between its turns of the event loop: one thread fewer to start,
    // and one isolate's heap less (most of what threads added to peak RSS).
    const local = async () => {
      const scanner = new FileScanner(options);
      while (!settled && handedOut < batches.length) {
        const current = batches[handedOut++]!;
        pending++;
        for (const { task, index } of current) {
          const scan = await scanner.scan(task.absolute, task.path, signal, task.size);
          if (scan.kind === 'stopped' || settled) return finish('stopped');
          scans[index] = scan;
        }
        pending--;
      }
      if (pending === 0) finish(scans);
    };
    for (let i = 0; i < count - 1 && !settled; i++) {
      const setup: WorkerSetup = { options };
      const worker = new Worker(file, { workerData: setup });
      workers.push(worker);
      worker.on('error', (error) => finish(new Error(`a secret scan thread failed: ${error.message}`)));
      worker.on('exit', (code) =>
        finish(new Error(`a secret scan thread exited (code ${code}) before it was done`)),
      );
      give(worker);
    }
    void local();
  });
}
