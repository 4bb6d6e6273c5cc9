// textOf: String()'s text for every value String() can show, and no TypeError for those it cannot (a JSON
// mapping whose toString or valueOf is a key, as any JSON or YAML read from outside may hold).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textOf } from '../../../src/util/text-of.ts';

test('textOf writes what String() writes for text, numbers, booleans, null, undefined and lists of them', () => {
  for (const value of [
    'a b',
    '',
    0,
    -1.5,
    1e21,
    NaN,
    true,
    false,
    null,
    undefined,
    10n,
    ['-1'],
    ['a', 1, null, undefined, ['b', 'c']],
    [],
  ])
    assert.equal(textOf(value), String(value), JSON.stringify(String(value)));
});

test('textOf shows a mapping String() cannot convert as its JSON, in a list too, and never throws', () => {
  const odd = { toString: 'x', valueOf: 'y' };
  assert.throws(() => String(odd), TypeError);
  assert.equal(textOf(odd), '{"toString":"x","valueOf":"y"}');
  assert.equal(textOf(['a', odd]), 'a,{"toString":"x","valueOf":"y"}');
  assert.equal(textOf({ a: 1 }), '{"a":1}');
  // JSON cannot write a cycle or a BigInt: the kind is said.
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.equal(textOf(cycle), '[object Object]');
  assert.equal(textOf({ n: 1n }), '[object Object]');
  const list: unknown[] = ['a'];
  list.push(list);
  assert.equal(textOf(list), String(list));
});
