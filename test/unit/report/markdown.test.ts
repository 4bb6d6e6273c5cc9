// The Markdown helpers and the analysis rows: escaping that keeps tables and markup intact whatever the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marked, type Tokens } from 'marked';
import {
  cell,
  code,
  formatNumber,
  LONGEST_UNBROKEN,
  NARROW_UNBROKEN,
  table,
  truncate,
  wrappable,
} from '../../../src/report/markdown.ts';
import { analysisRows, metricNames } from '../../../src/report/analysis-steps.ts';
import { analysisStep, HOSTILE, rolledBack, succeeded } from './fixtures.ts';
import { assertTablesIntact, unescapedPipes } from './table-check.ts';

test('cell escapes pipes, HTML, emphasis and every kind of line break', () => {
  assert.equal(cell('a|b'), 'a\\|b');
  assert.equal(cell('<script>x</script>'), '&lt;script&gt;x&lt;/script&gt;');
  assert.equal(cell('a & b'), 'a &amp; b');
  assert.equal(cell('*b* _i_ `c` [l]'), '\\*b\\* \\_i\\_ \\`c\\` \\[l\\]');
  assert.equal(cell('one\ntwo\r\nthree\rfour'), 'one two three four');
  assert.equal(cell('back\\|slash'), 'back\\\\\\|slash', 'a backslash cannot un-escape the pipe');
  assert.equal(unescapedPipes(cell('back\\|slash')), 0);
  assert.equal(cell(undefined), '');
  assert.equal(cell(null), '');
  assert.equal(cell(0), '0');
  assert.doesNotMatch(cell(HOSTILE), /[<>\n\r]|-->/);
});

test('table: a row of hostile cells keeps its column count', () => {
  const md = table(
    ['a', 'b'],
    [
      [cell(HOSTILE), cell('x\\')],
      [cell('|||'), undefined],
    ],
  );
  assertTablesIntact(md);
  assert.equal(md.split('\n').length, 4);
});

test('code survives backticks of any run length and newlines', () => {
  assert.equal(code('npm test'), '`npm test`');
  assert.equal(code('a`b'), '`` a`b ``');
  assert.equal(code('a``b'), '``` a``b ```');
  assert.equal(code('line1\nline2\rline3'), '`line1 line2 line3`');
  // The fence is longer than every run inside, so the text cannot close the span early.
  for (const text of ['```', 'x`y``z```w', '`']) {
    const rendered = code(text);
    const fence = /^`+/.exec(rendered)![0];
    assert.ok(!text.includes(fence), `${rendered} closes early`);
  }
});

test('truncate keeps the limit and never splits an emoji', () => {
  assert.equal(truncate('short', 10), 'short');
  assert.equal(truncate('abcdefghij', 5), 'abcd…');
  const emoji = `${'a'.repeat(3)}🚀🚀🚀`;
  const cut = truncate(emoji, 5);
  assert.ok(cut.length <= 5);
  assert.equal(cut, 'aaa…');
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut), 'no lone high surrogate');
  assert.equal(truncate('aaa🚀🚀', 6), 'aaa🚀…');
});

test('formatNumber: four significant digits, no exponent for ordinary values, a dash for nothing', () => {
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(1234.6), '1235');
  assert.equal(formatNumber(-2.5), '-2.5');
  assert.equal(formatNumber(0), '0');
  for (const v of [null, undefined, NaN, Infinity]) assert.equal(formatNumber(v), '—');
});

test('analysisRows: only analysis steps, labelled by phase and weight, rollback steps marked', () => {
  const rows = analysisRows(rolledBack());
  assert.deepEqual(
    rows.map((r) => [r.label, r.verdict, r.detail]),
    [
      ['canary-step @ 10%', 'promote', 'all metrics within bounds'],
      ['canary-step @ 50%', 'rollback', 'error_rate 5.2% > 1%'],
    ],
  );
  const inRollback = analysisRows({ steps: [analysisStep(0, {}, true, 'rollback')] });
  assert.equal(inRollback[0]!.label, 'rollback canary-step @ 0%');
});

test('metricNames puts stable-side names last', () => {
  const rows = analysisRows(succeeded());
  assert.deepEqual(metricNames(rows), [
    'error_rate',
    'latency_p99',
    'stable.error_rate',
    'stable.latency_p99',
  ]);
  assert.deepEqual(metricNames([]), []);
});

test('cell breaks a mention or reference only where one could start: "canary @ 25%" reads as written', () => {
  assert.equal(cell('canary-step @ 25%'), 'canary-step @ 25%');
  assert.equal(cell('@octocat x@evil.example'), '@\u200Doctocat x@\u200Devil.example');
  assert.equal(cell('#1 # 2'), '\\#\u200D1 \\# 2');
});

test('table: a pipe inside a code span does not end its cell, and shows as a pipe', () => {
  const md = table(
    ['code', 'text'],
    [
      [code('a|b || c'), cell('x|y\\')],
      ['`p\\|q`', 'r\\\\|s'],
    ],
  );
  assertTablesIntact(md);
  const [first, second] = (marked.lexer(md)[0] as Tokens.Table).rows;
  assert.equal(first!.length, 2);
  assert.deepEqual(first![0]!.tokens, [{ type: 'codespan', raw: '`a|b || c`', text: 'a|b || c' }]);
  assert.equal(second!.length, 2);
});

test('wrappable: a place to wrap in every long run of a cell, never inside an escape, an entity or a character', () => {
  const run = (text: string) =>
    text.split(/[\s\u200B]/).map((w) => [...new Intl.Segmenter().segment(w)].length);
  const long = wrappable(cell('n'.repeat(200)));
  assert.equal(long.replace(/\u200B/g, ''), 'n'.repeat(200), 'nothing else changes');
  assert.ok(Math.max(...run(long)) <= LONGEST_UNBROKEN, 'no run longer than the bound');
  // Short words and spaced text are left alone.
  assert.equal(wrappable(cell('error_rate <= 1% on canary-25')), cell('error_rate <= 1% on canary-25'));
  // Escapes and entities stay whole wherever the wraps fall; accented letters and emoji keep their marks.
  for (const piece of ['*', '&', '<', '|', '_', 'é', 'e\u0301', '👩‍💻', '@x']) {
    const text = piece.repeat(97);
    const escaped = cell(text);
    const wrapped = wrappable(escaped);
    assert.equal(wrapped.replace(/\u200B/g, ''), escaped, piece);
    for (const part of wrapped.split('\u200B')) {
      assert.doesNotMatch(part, /\\$|&[#A-Za-z0-9]*$/, `${piece}: no escape cut: ${JSON.stringify(part)}`);
      assert.doesNotMatch(part, /^[\u0301\u200D]/u, `${piece}: no mark or joiner cut from its letter`);
    }
    assert.ok(wrapped.includes('\u200B'), `${piece}: wrapped`);
  }
});

test('wrappable: a hyphen before a letter is a place to wrap already, so words joined by hyphens are not cut', () => {
  // A browser wraps after such a hyphen: a ZWSP counted across it cut the preset's names mid-word
  // ("seeds.error-rate-cri" / "tical") in the evidence table's narrow columns.
  for (const name of ['seeds.error-rate-critical', 'seeds.error-rate-vs-baseline-for-payments-in-eu-west'])
    assert.equal(wrappable(cell(name), NARROW_UNBROKEN), cell(name), name);
  // Not before a digit, where a browser does not wrap: a long run of digits and hyphens still gets its places.
  const digits = wrappable(cell('1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8'), NARROW_UNBROKEN);
  assert.ok(digits.includes('\u200B'), digits);
  // The narrow bound holds in a run without any place to wrap.
  const run = wrappable(cell('n'.repeat(50)), NARROW_UNBROKEN);
  assert.deepEqual(
    run.split('\u200B').map((p) => p.length),
    [20, 20, 10],
  );
});
