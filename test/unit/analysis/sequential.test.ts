import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  initialErrorsTest,
  initialSignTest,
  maxLogStep,
  rejects,
  updateErrorsTest,
  updateSignTest,
} from '../../../src/analysis/sequential.ts';

// Seeded generator (mulberry32) so the statistical assertions are reproducible.
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function binomial(random: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

function errorsTrial(seed: number, canaryRate: number, looks: number): number | null {
  const random = rng(seed);
  let state = initialErrorsTest();
  for (let i = 0; i < looks; i++) {
    const canary = { errors: binomial(random, 500, canaryRate), requests: 500 };
    const stable = { errors: binomial(random, 2000, 0.005), requests: 2000 };
    state = updateErrorsTest(state, 1.2, maxLogStep(0.01), canary, stable);
    if (rejects(state.logLR, 0.01)) return i;
  }
  return null;
}

test('error counts, A/A: looking after every one of 60 intervals keeps false rejections under alpha', () => {
  const trials = 300;
  let rejected = 0;
  for (let t = 0; t < trials; t++) if (errorsTrial(1000 + t, 0.005, 60) !== null) rejected++;
  assert.ok(rejected / trials <= 0.01, `false rejection rate ${rejected / trials}`);
});

test('error counts, canary at 2x: detected in nearly every trial, within a few intervals', () => {
  const trials = 200;
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const at = errorsTrial(5000 + t, 0.01, 60);
    if (at !== null) times.push(at);
  }
  assert.ok(times.length / trials >= 0.95, `detection rate ${times.length / trials}`);
  times.sort((a, b) => a - b);
  assert.ok(times[Math.floor(times.length / 2)]! <= 15, `median time ${times[Math.floor(times.length / 2)]}`);
});

test('sign test: outliers in an A/A comparison do not reject; a consistent +30 % does', () => {
  const random = rng(42);
  let aa = initialSignTest();
  let worse = initialSignTest();
  let detectedAt: number | null = null;
  for (let i = 0; i < 60; i++) {
    const noise = () => 200 * Math.exp(0.05 * (random() - 0.5)) * (random() < 0.05 ? 20 : 1);
    aa = updateSignTest(aa, 0.1, true, noise(), noise());
    assert.equal(rejects(aa.logLR, 0.01), false, `A/A rejected at ${i}`);
    worse = updateSignTest(worse, 0.1, true, noise() * 1.3, noise());
    if (detectedAt === null && rejects(worse.logLR, 0.01)) detectedAt = i;
  }
  assert.ok(detectedAt !== null && detectedAt < 20, `detected at ${detectedAt}`);
});

test('zero traffic or inconsistent counts leave the error test unchanged', () => {
  const start = initialErrorsTest();
  assert.equal(
    updateErrorsTest(start, 1, 10, { errors: 0, requests: 0 }, { errors: 3, requests: 100 }),
    start,
  );
  assert.equal(
    updateErrorsTest(start, 1, 10, { errors: 5, requests: 3 }, { errors: 3, requests: 100 }),
    start,
  );
});

test('one huge burst of canary errors cannot reject alone: evidence needs at least 3 intervals', () => {
  let state = updateErrorsTest(
    initialErrorsTest(),
    1.2,
    maxLogStep(0.01),
    { errors: 400, requests: 1000 },
    { errors: 20, requests: 4000 },
  );
  assert.equal(rejects(state.logLR, 0.01), false);
  state = updateErrorsTest(
    state,
    1.2,
    maxLogStep(0.01),
    { errors: 400, requests: 1000 },
    { errors: 20, requests: 4000 },
  );
  assert.equal(rejects(state.logLR, 0.01), false);
  state = updateErrorsTest(
    state,
    1.2,
    maxLogStep(0.01),
    { errors: 400, requests: 1000 },
    { errors: 20, requests: 4000 },
  );
  assert.equal(rejects(state.logLR, 0.01), true);
});
