import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedLineSplitter, cutLineText, type BoundedLine } from '../../../src/targets/output-lines.ts';

function split(chunks: string[], maxChars = 100): BoundedLine[] {
  const lines: BoundedLine[] = [];
  const splitter = boundedLineSplitter(maxChars, (l) => void lines.push(l));
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return lines;
}

test('lines end at \\n, \\r\\n and a lone \\r, also when a \\r\\n is split between chunks', () => {
  assert.deepEqual(split(['a\nb\r\nc\rd', 'e\r', '\nf', '\r', 'g\n\n', 'h']).map(cutLineText), [
    'a',
    'b',
    'c',
    'de',
    'f',
    'g',
    '',
    'h',
  ]);
  assert.deepEqual(split(['x\n']).map(cutLineText), ['x'], 'no empty line after a final break');
  assert.deepEqual(split([]), []);
});

test('a line longer than the bound keeps its start and counts the rest, across chunks', () => {
  const lines = split(['0123456789'.repeat(3), 'abc'.repeat(50), '\nnext'], 25);
  assert.deepEqual(lines, [
    { text: '0123456789012345678901234', dropped: 30 - 25 + 150 },
    { text: 'next', dropped: 0 },
  ]);
  assert.equal(cutLineText(lines[0]!), '0123456789012345678901234… [155 more characters not kept]');
});
