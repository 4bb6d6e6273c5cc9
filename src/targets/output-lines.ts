// A command's output split into lines, each bounded. node:readline keeps a line in memory until its end comes:
// a command printing hundreds of megabytes with no line break (a binary dumped to stdout, a minified bundle,
// `yes | tr -d '\n'`) grew this process by as much (1.9 GB for 700 MB) and then ended the run with an internal
// error (`RangeError: Invalid string length`). Here a line's first `maxChars` characters are kept and the rest
// counted only, so what a command prints costs a bounded amount of memory whatever its shape.
import { StringDecoder } from 'node:string_decoder';

/** One line as read: its start, and how many characters of it were dropped past the bound (0: it is whole). */
export interface BoundedLine {
  text: string;
  dropped: number;
}

/** The text of a line cut short, for logs: its start and what was dropped. Pure. */
export function cutLineText(line: BoundedLine): string {
  return line.dropped > 0 ? `${line.text}… [${line.dropped} more characters not kept]` : line.text;
}

/** The most characters of a word (a run of characters between WORD_BREAK ones) dropped from a cut line's end. */
export const CUT_WORD_MAX = 8192;

/** What ends a word: blanks, quotes, brackets, `,` `;` `|`: no token or key is written across one of them. */
const WORD_BREAK = /[\s"'`,;|()[\]{}<>]/;

/**
 * Where a cut line's kept text may end: after the last word break of its last CUT_WORD_MAX characters, or
 * CUT_WORD_MAX characters from its end with none there (never inside a surrogate pair). The runner masks a
 * secret only where its whole value is printed, and the redaction rules know a token by its whole shape: a text
 * cut in the middle of one (`password: S3cr3…`) would show its start as it is.
 */
function wordSafeEnd(text: string): number {
  const floor = Math.max(0, text.length - CUT_WORD_MAX);
  for (let i = text.length - 1; i >= floor; i--) if (WORD_BREAK.test(text[i]!)) return i + 1;
  const code = text.charCodeAt(floor - 1);
  return floor > 0 && code >= 0xd800 && code <= 0xdbff ? floor - 1 : floor;
}

/**
 * Splits text fed in chunks into lines at `\n`, `\r\n` or a lone `\r` (as readline with crlfDelay Infinity
 * does: a progress bar's `\r` ends a line), each kept up to `maxChars` characters, a word cut there dropped
 * whole (wordSafeEnd). `end()` gives the last line when the text does not end with a line break.
 */
export function boundedLineSplitter(maxChars: number, onLine: (line: BoundedLine) => void) {
  let text = '';
  let dropped = 0;
  /** The last chunk ended with `\r`: a `\n` starting the next one belongs to that line break. */
  let afterCr = false;
  const add = (part: string) => {
    const room = maxChars - text.length;
    if (part.length <= room) text += part;
    else {
      if (room > 0) text += part.slice(0, room);
      dropped += part.length - Math.max(room, 0);
    }
  };
  const emit = () => {
    if (dropped > 0) {
      const keep = wordSafeEnd(text);
      dropped += text.length - keep;
      text = text.slice(0, keep);
    }
    onLine({ text, dropped });
    text = '';
    dropped = 0;
  };
  return {
    write(chunk: string) {
      let from = 0;
      if (afterCr && chunk.startsWith('\n')) from = 1;
      afterCr = false;
      const breaks = /\r\n|\r|\n/g;
      breaks.lastIndex = from;
      for (let m = breaks.exec(chunk); m; m = breaks.exec(chunk)) {
        add(chunk.slice(from, m.index));
        emit();
        from = m.index + m[0].length;
        if (m[0] === '\r' && from === chunk.length) afterCr = true;
      }
      add(chunk.slice(from));
    },
    end() {
      if (text.length > 0 || dropped > 0) emit();
    },
  };
}

/** Reads `stream` line by line (UTF-8), each line bounded; resolves once the stream has closed or ended. */
export function readBoundedLines(
  stream: NodeJS.ReadableStream,
  maxChars: number,
  onLine: (line: BoundedLine) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const decoder = new StringDecoder('utf8');
    const splitter = boundedLineSplitter(maxChars, onLine);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      splitter.write(decoder.end());
      splitter.end();
      resolve();
    };
    stream.on('data', (chunk: Buffer | string) =>
      splitter.write(typeof chunk === 'string' ? chunk : decoder.write(chunk)),
    );
    stream.on('end', finish);
    stream.on('close', finish);
    // A read error ends the output as a close would (readline did the same: its input closed).
    stream.on('error', finish);
  });
}
