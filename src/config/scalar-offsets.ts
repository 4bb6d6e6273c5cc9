// Where a character of a string value is written in the config text, so that a problem found inside a long
// value (a template in a multi-line `shell: true` script) is reported at its own line and column, not at the
// line where the value starts. Only where the text is the value character for character up to that point (a
// literal block's lines less their indentation, a plain or quoted one-line value without escapes); anywhere
// else it answers nothing and the value's start is named, as before.
import { isScalar, Scalar, type Node } from 'yaml';

/** The offset in `text` of the value's character `at`, or undefined when it cannot be told exactly. */
export function sourceOffsetOf(text: string, node: Node | undefined, at: number): number | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const value = node.value;
  if (!Number.isInteger(at) || at < 0 || at >= value.length) return undefined;
  const [start, end] = node.range;
  const prefix = value.slice(0, at + 1);
  switch (node.type) {
    case Scalar.PLAIN:
      return oneLine(text.slice(start, end), prefix, 0, start);
    case Scalar.QUOTE_SINGLE:
      // '' stands for one quote: past one, the text and the value no longer line up.
      return prefix.includes("'") ? undefined : oneLine(text.slice(start, end), prefix, 1, start);
    case Scalar.QUOTE_DOUBLE:
      return oneLine(text.slice(start, end), prefix, 1, start, '\\');
    case Scalar.BLOCK_LITERAL:
      return inLiteralBlock(text.slice(start, end), value, at, start);
    default:
      return undefined;
  }
}

/** A value written on one line from `skip` on (its opening quote): the same characters, or nothing. */
function oneLine(
  source: string,
  prefix: string,
  skip: number,
  start: number,
  escape?: string,
): number | undefined {
  const written = source.slice(skip, skip + prefix.length);
  if (written !== prefix || /[\r\n]/.test(written) || (escape && written.includes(escape))) return undefined;
  return start + skip + prefix.length - 1;
}

/**
 * A literal block (`|`, `|-`, `|+`, with or without an indentation indicator or a comment): its header line,
 * then the value's lines, each written after the block's indentation. Checked line by line up to the one
 * holding the character, so a block whose lines are not that (tabs, an indicator read otherwise) answers
 * nothing rather than a wrong place.
 */
function inLiteralBlock(source: string, value: string, at: number, start: number): number | undefined {
  const header = source.indexOf('\n');
  if (header < 0) return undefined;
  const lines = source.slice(header + 1).split('\n');
  const written = lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const first = written.find((line) => line.trim() !== '');
  if (first === undefined) return undefined;
  const indent = first.length - first.trimStart().length;
  if (first.slice(0, indent).includes('\t')) return undefined;
  const valueLines = value.split('\n');
  const lineOf = value.slice(0, at).split('\n').length - 1;
  let offset = start + header + 1;
  for (let line = 0; line <= lineOf; line++) {
    const source = written[line];
    const expected = valueLines[line];
    if (source === undefined || expected === undefined) return undefined;
    const same =
      expected === ''
        ? source.trim() === ''
        : source.slice(0, indent).trim() === '' && source.slice(indent) === expected;
    if (!same) return undefined;
    if (line === lineOf) return offset + indent + (at - (value.lastIndexOf('\n', at - 1) + 1));
    offset += lines[line]!.length + 1;
  }
  return undefined;
}
