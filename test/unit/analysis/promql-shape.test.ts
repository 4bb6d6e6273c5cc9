// The outer shape of a PromQL expression (src/analysis/promql-shape.ts): a scalar is told from everything else
// without a parser, through parentheses, strings, comments and the operators between operands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isScalarExpression } from '../../../src/analysis/promql-shape.ts';

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
