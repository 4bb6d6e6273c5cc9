// Why and where a JSON report does not parse: a line and column for every error JSON.parse gives (its
// "Unexpected token" message has none), and never a character of the report beyond the one it stopped at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonErrorOffset, jsonSyntaxProblem } from '../../../src/gates/json-error.ts';
import { rng } from '../../helpers/random.ts';

const problem = (text: string, origin?: { line: number; column: number }) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxProblem(error, text, origin);
  }
  assert.fail(`${JSON.stringify(text)} parsed`);
};

test('each kind of JSON error is named at its line and column, quoting nothing around it', () => {
  for (const [text, expected] of [
    ['{"a": NaN}', 'unexpected "N" at line 1, column 7'],
    ['[1, 2,, 3]', 'unexpected "," at line 1, column 7'],
    ['{\n  "secret": ghp_0123456789abcdef\n}', 'unexpected "g" at line 2, column 13'],
    ['{\n  "a": 1,\n}', 'Expected double-quoted property name at line 3, column 1'],
    ['{"a" 1}', "Expected ':' after property name at line 1, column 6"],
    ['{"a": "x\ny"}', 'Bad control character in string literal at line 1, column 9'],
    ['{"a": 1}}', 'unexpected "}" at line 1, column 9'],
    ['{"a": tru}', 'unexpected "t" at line 1, column 7'],
    ['Acquiring state lock\n{}', 'unexpected "A" at line 1, column 1'],
    ['\u0001', 'unexpected "\\u0001" at line 1, column 1'],
    // Cut short, wherever: what is missing is the rest.
    ['{"a": [1, 2', 'it ends before the JSON does: truncated?'],
    ['{"a": "unterminated', 'it ends before the JSON does: truncated?'],
    ['[[[[', 'it ends before the JSON does: truncated?'],
    ['  \n', 'it ends before the JSON does: truncated?'],
  ] as const) {
    assert.equal(problem(text), expected, JSON.stringify(text));
  }
  // A value cut out of a stream (go's objects one after another) is placed in its file.
  assert.equal(problem('{"a":\n x}', { line: 7, column: 3 }), 'unexpected "x" at line 8, column 2');
  assert.equal(problem('{"a": x}', { line: 7, column: 3 }), 'unexpected "x" at line 7, column 9');
});

test('the scan agrees with JSON.parse on what is JSON, over a real report cut and changed', () => {
  const report = readFileSync(join(import.meta.dirname, '../../fixtures/gates/sarif/codeql.sarif'), 'utf8');
  const random = rng(7);
  const pieces = [
    '',
    ',',
    '}',
    ']',
    '"',
    'N',
    '\\',
    '\n',
    '\u0001',
    '1e',
    '-',
    '{',
    '[',
    ':',
    'x',
    '0',
    '.5',
  ];
  let invalid = 0;
  for (let run = 0; run < 2000; run++) {
    let text = report;
    for (let change = 0; change < 2; change++) {
      const at = Math.floor(random() * text.length);
      const piece = pieces[Math.floor(random() * pieces.length)]!;
      text = text.slice(0, at) + piece + text.slice(at + Math.floor(random() * 3));
    }
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
      invalid++;
    }
    assert.equal(jsonErrorOffset(text) === undefined, parses, JSON.stringify(text.slice(0, 200)));
  }
  assert.ok(invalid > 1000, `only ${invalid} of the changed reports were invalid`);
  // Deeper than any call stack.
  assert.equal(jsonErrorOffset(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), undefined);
  assert.equal(jsonErrorOffset(`${'['.repeat(200_000)}x`), 200_000);
});
