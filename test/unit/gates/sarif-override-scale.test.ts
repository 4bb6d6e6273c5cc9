// A run's ruleConfigurationOverrides (SARIF 2.1.0 §3.20.5, §3.51) are matched to results through tables built
// once per run and invocation: the work is linear in results + overrides + rules (counted, not timed), and an
// override of a rule the tool does not list covers the results whose hierarchical ruleId extends its id
// (§3.27.5: a ruleId's leading components are the rule's id; §3.49.3: a descriptor's id is a whole rule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSarif } from '../../../src/gates/sarif.ts';

function log(run: Record<string, unknown>): string {
  return JSON.stringify({ version: '2.1.0', runs: [{ results: [], ...run }] });
}

test('20 000 results x 2 000 overrides x 2 000 rules: each override and result is matched in a bounded number of lookups', () => {
  const ruleCount = 2000;
  const resultCount = 20000;
  const rules = Array.from({ length: ruleCount }, (_, i) => ({ id: `R${i}` }));
  // Half the overrides name their rule by index, half by id; even rules are raised to error, odd lowered to note.
  const ruleConfigurationOverrides = rules.map((rule, i) => ({
    descriptor: i % 2 ? { id: rule.id } : { index: i },
    configuration: { level: i % 2 ? 'note' : 'error' },
  }));
  // Results name their rule by index, by id, or by a hierarchical id under the listed one.
  const results = Array.from({ length: resultCount }, (_, j) => {
    const i = (j * 7) % ruleCount;
    const reference =
      j % 3 === 0 ? { ruleIndex: i } : j % 3 === 1 ? { ruleId: `R${i}` } : { ruleId: `R${i}/sub/${j}` };
    return { ...reference, message: { text: `result ${j}` } };
  });
  const text = log({
    tool: { driver: { name: 'Scanner', rules } },
    invocations: [{ executionSuccessful: true, ruleConfigurationOverrides }],
    results,
  });
  let steps = 0;
  const budget = 5 * (resultCount + ruleConfigurationOverrides.length + ruleCount);
  const parsed = parseSarif(text, 'big.sarif', '/repo', () => {
    steps += 1;
    // Fails at once rather than scanning on: the old matching took billions of comparisons here.
    if (steps > budget) throw new Error(`more than ${budget} lookup steps for this log`);
  });
  assert.equal(parsed.length, resultCount);
  // Every result was looked up (the count is of real work), and no more than a few steps each.
  assert.ok(steps >= resultCount, `${steps} steps`);
  for (const [j, result] of parsed.entries()) {
    const i = (j * 7) % ruleCount;
    assert.equal(result.levelSource, 'override', `result ${j}`);
    assert.equal(result.level, i % 2 ? 'note' : 'error', `result ${j} (rule R${i})`);
  }
});

function levels(run: Record<string, unknown>): Array<[string, string, string]> {
  return parseSarif(log(run), 'h.sarif', '/repo').map((r) => [r.ruleId, r.level, r.levelSource]);
}

test('an override of an unlisted rule covers the results whose ruleId extends its id by components (§3.27.5)', () => {
  const results = ['CA1000/1', 'CA1000', 'CA1000/1/x', 'CA10001', 'CA1000x/1'].map((ruleId) => ({
    ruleId,
    message: { text: 'm' },
  }));
  assert.deepEqual(
    levels({
      tool: { driver: { name: 'CodeScanner' } },
      invocations: [
        {
          executionSuccessful: true,
          ruleConfigurationOverrides: [{ descriptor: { id: 'CA1000' }, configuration: { level: 'error' } }],
        },
      ],
      results,
    }),
    [
      ['CA1000/1', 'error', 'override'],
      ['CA1000', 'error', 'override'],
      ['CA1000/1/x', 'error', 'override'],
      // Not component-wise prefixes: other rules.
      ['CA10001', 'warning', 'default'],
      ['CA1000x/1', 'warning', 'default'],
    ],
  );
});

test('of overrides matching a hierarchical ruleId the first listed decides; a subset override does not cover the whole rule', () => {
  const results = ['CA1000/1', 'CA1000/2', 'CA1000'].map((ruleId) => ({ ruleId, message: { text: 'm' } }));
  assert.deepEqual(
    levels({
      tool: { driver: { name: 'CodeScanner' } },
      invocations: [
        {
          executionSuccessful: true,
          ruleConfigurationOverrides: [
            { descriptor: { id: 'CA1000/1' }, configuration: { level: 'note' } },
            { descriptor: { id: 'CA1000' }, configuration: { level: 'error' } },
          ],
        },
      ],
      results,
    }),
    [
      ['CA1000/1', 'note', 'override'],
      ['CA1000/2', 'error', 'override'],
      ['CA1000', 'error', 'override'],
    ],
  );
  // Without the whole rule's override, "CA1000/1" names a subset: the result of the whole rule keeps the default.
  assert.deepEqual(
    levels({
      tool: { driver: { name: 'CodeScanner' } },
      invocations: [
        {
          executionSuccessful: true,
          ruleConfigurationOverrides: [{ descriptor: { id: 'CA1000/1' }, configuration: { level: 'error' } }],
        },
      ],
      results: [{ ruleId: 'CA1000', message: { text: 'm' } }],
    }),
    [['CA1000', 'warning', 'default']],
  );
});

test('a listed rule with a slash in its id is a whole rule: an override of an unlisted prefix does not reach it', () => {
  assert.deepEqual(
    levels({
      tool: {
        driver: {
          name: 'CodeQL',
          rules: [{ id: 'js/sql-injection', defaultConfiguration: { level: 'note' } }],
        },
      },
      invocations: [
        {
          executionSuccessful: true,
          ruleConfigurationOverrides: [{ descriptor: { id: 'js' }, configuration: { level: 'error' } }],
        },
      ],
      results: [{ ruleId: 'js/sql-injection', message: { text: 'm' } }],
    }),
    [['js/sql-injection', 'note', 'rule']],
  );
});
