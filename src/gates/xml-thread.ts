// Reads a big XML report (JUnit, Cobertura) in a worker thread. The XML parser validates and parses in one
// synchronous step that cannot stop midway: about 1.5 s per MB on a loaded 2-CPU runner (a 16 MB Cobertura
// report held the event loop 18 s), while the cancel signal, the gates' deadlines and the other gates
// waited. In a worker the main thread stays free, only the small summary comes back, and a cancellation
// terminates the thread at once. A small report is parsed on the main thread: starting a thread costs more.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorOf, parseXmlReportOf } from './xml-reports.ts';
import type { XmlRefusal, XmlReportFormat, XmlReportValue } from './xml-reports.ts';

/**
 * Below this many characters the report is parsed on the main thread. The bundled thread takes ~80 ms to
 * start and parses cold (no warmed-up parser code): below 1 MB it took 2.5 to 4 times as long as the main
 * thread (a 0.5 MB JUnit report: 0.23 s against 0.06 s, idle), and the main thread parses 1 MB in 0.1 to
 * 0.3 s (about 1.5 s on a loaded 2-CPU runner), well inside the 7.5 s between the runner's SIGINT and SIGTERM.
 */
export const XML_WORKER_MIN_CHARS = 1024 * 1024;

/** The worker's task (its workerData) and its one answer. */
export interface XmlTask {
  format: XmlReportFormat;
  text: string;
  file: string;
}
export type XmlAnswer =
  | { ok: true; value: XmlReportValue[XmlReportFormat] }
  | { ok: false; error: XmlRefusal['error'] | 'crash'; message: string };

export interface XmlReadOptions {
  /** Default XML_WORKER_MIN_CHARS. */
  minWorkerChars?: number;
}

/**
 * The report's summary, as `parseJUnit` / `parseCobertura` give it, or their error (JUnitReportError,
 * CoverageReportError) with its message. Once `signal` aborts: rejects with its reason, the thread ended.
 */
export async function readXmlReport<F extends XmlReportFormat>(
  format: F,
  text: string,
  file: string,
  signal?: AbortSignal,
  { minWorkerChars = XML_WORKER_MIN_CHARS }: XmlReadOptions = {},
): Promise<XmlReportValue[F]> {
  signal?.throwIfAborted();
  const worker = text.length >= minWorkerChars ? workerFile() : undefined;
  if (!worker) return parseXmlReportOf(format, text, file);
  return (await inWorker(worker, { format, text, file }, signal)) as XmlReportValue[F];
}

/**
 * The worker's file. From the sources (tests) it is the .ts beside this one; in the bundles this code sits
 * in dist/<entry>/ or dist/chunks/ and scripts/build.ts writes the worker to dist/gates/. Missing (a build
 * without it): the report is parsed on the main thread, as before.
 */
function workerFile(): URL | undefined {
  const url = import.meta.url.endsWith('.ts')
    ? new URL('./xml-worker.ts', import.meta.url)
    : new URL('../gates/xml-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

function inWorker(file: URL, task: XmlTask, signal?: AbortSignal): Promise<XmlReportValue[XmlReportFormat]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: task });
    let settled = false;
    // The thread is ended before the read settles, whatever the outcome: nothing is left running.
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate().finally(settle);
    };
    const onAbort = () => finish(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort);
    // Aborted while the thread was made (by a listener of its start): no abort event is coming.
    if (signal?.aborted) onAbort();
    worker.on('message', (answer: XmlAnswer) => {
      if (answer.ok) return finish(() => resolve(answer.value));
      if (answer.error === 'crash')
        return finish(() =>
          reject(new Error(`${task.file}: reading the XML report failed: ${answer.message}`)),
        );
      const refusal = errorOf({ error: answer.error, message: answer.message });
      finish(() => reject(refusal));
    });
    worker.on('error', (error) =>
      finish(() => reject(new Error(`${task.file}: the XML report's thread failed: ${error.message}`))),
    );
    worker.on('exit', (code) =>
      finish(() =>
        reject(new Error(`${task.file}: the XML report's thread exited (code ${code}) before it answered`)),
      ),
    );
  });
}
