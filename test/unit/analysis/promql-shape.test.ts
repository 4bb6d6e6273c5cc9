// The outer shape of a PromQL expression (src/analysis/promql-shape.ts): a scalar, one series or maybe many,
// told without a parser, through parentheses, strings, comments and the operators between operands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isScalarExpression, outerShape } from '../../../src/analysis/promql-shape.ts';

test('a number, scalar(), time(), pi() and arithmetic of only those are scalars', () => {
  for (const expr of [
    '1',
    '-1',
    ' 0.5 ',
    '.5',
    '1e-3',
    '0x1F',
    'Inf',
    '-NaN',
    '5m',
    'time()',
    'pi ( )',
    'scalar(sum(rate(x[5m])))',
    'scalar(x) * 100',
    '(scalar(a) / scalar(b))',
    '1 - scalar(x{a="((", b=~"[)"})',
    "scalar(x{a='\\'('})",
    'scalar(x{a=`)`})',
    'scalar(x) > bool 1',
    'time() # what time is it\n',
    'scalar(x # a comment with )\n)',
    '2 ^ -(3 % 2)',
  ])
    assert.equal(isScalarExpression(expr), true, expr);
});

test('a selector, an aggregation, another function, a range or any vector operand is no scalar', () => {
  for (const expr of [
    'x',
    'sum(x)',
    'vector(1)',
    'vector(scalar(x))',
    'scalar(x) * y',
    'time() - process_start_time_seconds',
    '{job="a"}',
    'x[5m]',
    'scalar(x)[5m:1m]',
    'sum by (le) (x)',
    'histogram_quantile(0.95, sum by (le) (rate(b[1m])))',
    'Scalar(x)',
    'year()',
    '1 and x',
    '(x) + 1',
    'x # scalar(1)',
    '"text"',
    '',
    '# only a comment',
    'scalar(x',
    'scalar',
    '5xyz',
  ])
    assert.equal(isScalarExpression(expr), false, expr);
});

test('one series: an aggregation keeping no label, vector(), and arithmetic of those; anything else may be many', () => {
  const shapes: Array<[string, ReturnType<typeof outerShape>]> = [
    ['sum(rate(e{code=~"5.."}[5m])) / sum(rate(r[5m]))', 'one-series'],
    ['SUM(x)', 'one-series'],
    ['max(m) # the worst pod', 'one-series'],
    ['(count(up == 1) / count(up)) * 100', 'one-series'],
    ['vector(scalar(x))', 'one-series'],
    ['1 - avg(x)', 'one-series'],
    ['sum(x) > bool 0', 'one-series'],
    ['sum by (le) (x)', 'vector'],
    ['sum(x) by (le)', 'vector'],
    ['sum without (pod) (x)', 'vector'],
    ['histogram_quantile(0.95, sum by (le) (rate(b{a=",)"}[1m])))', 'one-series'],
    ['histogram_quantile(0.99, sum(rate(b[5m])) BY (le)) * 1000', 'one-series'],
    ['histogram_quantile(0.95, sum by (le, pod) (rate(b[1m])))', 'vector'],
    ['histogram_quantile(0.95, sum by (le) (rate(b[1m])) + x)', 'vector'],
    ['histogram_quantile(0.95, rate(b[1m]))', 'vector'],
    ['histogram_quantile(0.95, sum by (le) (x), 1)', 'vector'],
    ['topk(1, x)', 'vector'],
    ['sum(a) / on() group_left sum(b)', 'vector'],
    ['sum(a) or sum(b)', 'vector'],
    ['abs(sum(x))', 'vector'],
    ['x', 'vector'],
    ['sum(x) + y', 'vector'],
    ['scalar(x) * 2', 'scalar'],
  ];
  for (const [expr, shape] of shapes) assert.equal(outerShape(expr), shape, expr);
});

test("a comment ends at a carriage return as at a newline, as PromQL's lexer ends it", () => {
  // What follows the \r is PromQL: a grouping keeps a label (several series), an operand is a vector. Read as
  // part of the comment, `sum(x) # …\r by (pod)` was one series (no guard: one alert per pod) and `1 # …\r + x`
  // a scalar (the file refused for a vector query).
  assert.equal(outerShape('sum(x) # total\r by (pod)'), 'vector');
  assert.equal(outerShape('1 # one\r + x'), 'vector');
  assert.equal(outerShape('scalar(x) # c\r * y'), 'vector');
  assert.equal(outerShape('histogram_quantile(0.9, sum by (le) (b)) # c\r * y'), 'vector');
  assert.equal(outerShape('sum(x) # total\r\n'), 'one-series');
});

test('a comment between a function and its parenthesis is a space, as in PromQL', () => {
  assert.equal(outerShape('time # now\n()'), 'scalar');
  assert.equal(outerShape('scalar # c\n (sum(x))'), 'scalar');
  assert.equal(outerShape('sum # total\n(x)'), 'one-series');
  assert.equal(outerShape('histogram_quantile # c\n(0.9, sum by (le) (b))'), 'one-series');
});
