// A worker thread that reads one XML report (started by xml-thread.ts): parses the text it is given and
// answers with the small summary the gate needs, so the main thread's event loop never waits on the parser.
// Its own entry in the bundles (scripts/build.ts), loaded only when a big XML report is read.
import { parentPort, workerData } from 'node:worker_threads';
import { parseXmlReportOf, refusalOf } from './xml-reports.ts';
import type { XmlAnswer, XmlTask } from './xml-thread.ts';

if (!parentPort)
  throw new Error('xml-worker is a worker thread of the XML report reader; it is not run by itself');
const task = workerData as XmlTask;
let answer: XmlAnswer;
try {
  answer = { ok: true, value: parseXmlReportOf(task.format, task.text, task.file) };
} catch (error) {
  // A refusal keeps its class and message; anything else is a crash, named as one by the reader.
  answer = {
    ok: false,
    ...(refusalOf(error) ?? { error: 'crash', message: String((error as Error)?.message ?? error) }),
  };
}
parentPort.postMessage(answer);
