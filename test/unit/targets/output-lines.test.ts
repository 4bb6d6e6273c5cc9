import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  boundedLineSplitter,
  CUT_WORD_MAX,
  cutLineText,
  type BoundedLine,
} from '../../../src/targets/output-lines.ts';

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
  const lines = split(['0123456789 '.repeat(3), 'abc'.repeat(50), '\nnext'], 25);
  assert.deepEqual(lines, [
    { text: '0123456789 0123456789 ', dropped: 33 - 22 + 150 },
    { text: 'next', dropped: 0 },
  ]);
  assert.equal(cutLineText(lines[0]!), '0123456789 0123456789 … [161 more characters not kept]');
});

test('a line cut in the middle of a word keeps none of that word: a secret across the cut leaves no start of it', () => {
  // The runner masks a secret only where its whole value is printed: a kept text ending in its first characters
  // went to the log as they are (and a token cut short no longer has the shape the redaction rules know).
  const secret = 'S3cr3tT0k3nValue42';
  for (let max = 'password: '.length + 1; max < 'password: '.length + secret.length; max++) {
    const [line] = split([`password: ${secret} and more\n`], max);
    assert.equal(line!.text, 'password: ', `cut at ${max}`);
    assert.equal(
      line!.text.length + line!.dropped,
      `password: ${secret} and more`.length,
      'every character counted',
    );
  }
  // Also in JSON printed on one line, the quote before a value ending the kept text.
  assert.equal(split(['{"user":"ann","token":"', secret, '"}\n'], 30)[0]!.text, '{"user":"ann","token":"');
  // Never half of a character: a surrogate pair is not cut in two.
  const [emoji] = split(['ok 😀😀😀\n'], 4);
  assert.equal(emoji!.text, 'ok ');
  assert.ok(emoji!.text.isWellFormed());
});

test('a cut line with no word break near its end loses at most CUT_WORD_MAX characters more', () => {
  const long = 'x'.repeat(CUT_WORD_MAX * 3);
  const [line] = split([long, '\n'], CUT_WORD_MAX * 2);
  assert.deepEqual(line, { text: 'x'.repeat(CUT_WORD_MAX), dropped: CUT_WORD_MAX * 2 });
});
