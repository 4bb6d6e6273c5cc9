// Test-only stand-in for the XML report's worker thread (see holdXmlParses in xml-thread.test.ts): it makes
// the parser's parse() say, through a shared flag, that the worker is inside a parse, and keeps it there
// (busy, as a parse is) until the test releases it; then it runs the real worker, whose file is its last
// argument. Nothing is sent to the reader's own message channel.
import { parentPort } from 'node:worker_threads';
import { XMLParser } from 'fast-xml-parser';

/** Index 0 of the shared flag: 0 before the parse, 1 inside it (held), 2 released, 3 parse returned. */
export const PARSING = 1;
export const RELEASED = 2;
export const RETURNED = 3;

if (parentPort) {
  const flag = await new Promise<Int32Array>((resolve) =>
    parentPort!.once('message', (buffer: SharedArrayBuffer) => resolve(new Int32Array(buffer))),
  );
  const parse = XMLParser.prototype.parse;
  XMLParser.prototype.parse = function (this: XMLParser, ...args: Parameters<typeof parse>) {
    Atomics.store(flag, 0, PARSING);
    Atomics.notify(flag, 0);
    while (Atomics.load(flag, 0) !== RELEASED); // busy, as the parser is, until the test says go
    const value = parse.apply(this, args);
    Atomics.store(flag, 0, RETURNED);
    return value;
  } as typeof parse;
  await import(process.argv.at(-1)!);
}
