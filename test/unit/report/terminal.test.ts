// The terminal summary's analysis table: one row per analysis step with where it ran, its verdict and why,
// rollback-time analyses marked as such; long reasons cut without splitting an emoji.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summary } from '../../../src/report/terminal.ts';
import { analysisStep, rolledBack, succeeded } from './fixtures.ts';

function analysisLines(text: string): string[] {
  const after = text.slice(text.indexOf('Analysis by step'));
  return after
    .split('\n')
    .slice(1)
    .filter((l) => /^ {2}\S/.test(l) && !l.includes('rollback of'));
}

test('summary: an analysis row per step with environment, step, verdict, duration and reason', () => {
  const lines = analysisLines(summary(succeeded()));
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^ {2}production canary-step @ 10% +promote +1m {2}all metrics within bounds$/);
  assert.match(lines[2]!, /^ {2}production canary-step @ 100% +promote/);
});

test('summary: a failed analysis reads rollback with its reason; one run during rollback says so', () => {
  const result = rolledBack();
  result.steps.push(analysisStep(0, {}, true, 'rollback'));
  const lines = analysisLines(summary(result));
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /^ {2}production canary-step @ 50% +rollback +1m {2}error_rate 5\.2% > 1%$/);
  assert.match(lines[2]!, /^ {2}production rollback canary-step @ 0% +promote/);
});

test('summary: no analysis section without analysis steps; long reasons are cut whole', () => {
  const plain = rolledBack();
  plain.steps = [];
  assert.doesNotMatch(summary(plain), /Analysis by step/);
  const long = succeeded();
  long.steps = [analysisStep(5, {}, true)];
  const step = long.steps[0]!;
  if (step.result.ok) step.result.detail = `${'x'.repeat(88)}🚀🚀🚀`;
  const [row] = analysisLines(summary(long));
  assert.ok(row!.endsWith('x…'), row);
});
