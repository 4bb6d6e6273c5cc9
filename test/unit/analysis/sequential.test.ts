import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ERROR_RATIO_WEIGHTS,
  errorsLogEvidence,
  initialErrorsTest,
  initialSignTest,
  logLaterStartsWeight,
  logStartWeight,
  maxLogStep,
  ERRORS_MIN_INTERVALS,
  PENDING_FRACTION,
  rejects,
  rejectsLog,
  signLogEvidence,
  updateErrorsTest,
  updateSignTest,
} from '../../../src/analysis/sequential.ts';
// Seeded, so the statistical assertions are reproducible.
import { poisson, rng } from '../../helpers/random.ts';

interface ErrorsTrial {
  /** Canary requests per interval (2 req/s at one-minute intervals = 120). */
  canaryRequests: number | ((i: number) => number);
  stableRequests: number;
  stableRate: number;
  /** Canary error rate / stable's, from interval `onset` on (before: equal). */
  ratio: number;
  onset: number;
  looks: number;
  tolerance?: number;
}

/** The interval (0-based) at which the test rejects, or null. Looks after every interval. */
function errorsTrial(seed: number, t: ErrorsTrial): number | null {
  const random = rng(seed);
  let state = initialErrorsTest();
  for (let i = 0; i < t.looks; i++) {
    const nc = poisson(random, typeof t.canaryRequests === 'number' ? t.canaryRequests : t.canaryRequests(i));
    const ns = poisson(random, t.stableRequests);
    const canary = {
      errors: poisson(random, nc * t.stableRate * (i >= t.onset ? t.ratio : 1)),
      requests: nc,
    };
    const stable = { errors: poisson(random, ns * t.stableRate), requests: ns };
    state = updateErrorsTest(state, t.tolerance ?? 1, maxLogStep(0.01, ERRORS_MIN_INTERVALS), canary, stable);
    if (rejectsLog(errorsLogEvidence(state), 0.01)) return i;
  }
  return null;
}

function rejectionRate(trials: number, seed: number, t: ErrorsTrial): number {
  let rejected = 0;
  for (let k = 0; k < trials; k++) if (errorsTrial(seed + k, t) !== null) rejected++;
  return rejected / trials;
}

test('error counts under H0: looking after each of 60 intervals rejects in at most 1 % of trials', () => {
  const lowTraffic = { canaryRequests: 120, stableRequests: 1080, stableRate: 0.005, onset: 0, looks: 60 };
  // Equal rates; a canary share that ramps from 1 % to 50 % (pi changes every interval); the boundary of a
  // composite null (ratio = tolerance); and inside it (canary better than the tolerance).
  const cases: Array<[string, ErrorsTrial]> = [
    ['equal rates, 2 req/s', { ...lowTraffic, ratio: 1 }],
    ['equal rates, high traffic', { ...lowTraffic, canaryRequests: 1000, stableRequests: 4000, ratio: 1 }],
    ['ramping share', { ...lowTraffic, canaryRequests: (i) => 12 + i * 18, ratio: 1 }],
    ['ratio = tolerance 1.5', { ...lowTraffic, ratio: 1.5, tolerance: 1.5 }],
    ['ratio 1.2 < tolerance 1.5', { ...lowTraffic, ratio: 1.2, tolerance: 1.5 }],
  ];
  for (const [name, trial] of cases) {
    const rate = rejectionRate(2000, 1000, trial);
    assert.ok(rate <= 0.01, `${name}: false rejection rate ${rate}`);
  }
});

test("error counts: the bound is not a fixed-horizon one (a test without Ville's correction would fail here)", () => {
  // The same data judged by a one-sided z-test at every look rejects far more often than alpha: the
  // repeated looks are what the mixture pays for, so the simulation above can tell a valid test from not.
  let naive = 0;
  for (let k = 0; k < 500; k++) {
    const random = rng(77 + k);
    let ec = 0;
    let es = 0;
    for (let i = 0; i < 60; i++) {
      ec += poisson(random, 0.6);
      es += poisson(random, 5.4);
      const n = ec + es;
      const z = n ? (ec - n * 0.1) / Math.sqrt(n * 0.1 * 0.9) : 0;
      if (z > 2.326) {
        naive++;
        break;
      }
    }
  }
  assert.ok(naive / 500 > 0.03, `naive repeated z-test rejected ${naive / 500}`);
});

test('error counts: a tripled error rate at 2 req/s is detected within 15 minutes of onset in most trials', () => {
  const times: number[] = [];
  const trials = 400;
  for (let k = 0; k < trials; k++) {
    const onset = 2 + (k % 6); // a few minutes into the window
    const at = errorsTrial(5000 + k, {
      canaryRequests: 120,
      stableRequests: 1080,
      stableRate: 0.005,
      ratio: 3,
      onset,
      looks: onset + 15,
    });
    if (at !== null && at >= onset) times.push(at + 1 - onset);
  }
  times.sort((a, b) => a - b);
  // A fixed-horizon test told the onset and the effect reaches ~97 %, a point SPRT told both ~89 %; the old
  // test (equal-weight grid, tolerance 1.2, no start mixture) reached 36 %.
  assert.ok(times.length / trials >= 0.75, `detection rate ${times.length / trials}`);
  assert.ok(
    times[Math.floor(times.length / 2)]! <= 11,
    `median minutes ${times[Math.floor(times.length / 2)]}`,
  );
});

test('error counts: a fault that starts late is still found (the mixture over start points)', () => {
  let found = 0;
  const trials = 300;
  for (let k = 0; k < trials; k++) {
    const onset = 20 + (k % 5);
    const at = errorsTrial(9000 + k, {
      canaryRequests: 120,
      stableRequests: 1080,
      stableRate: 0.005,
      ratio: 3,
      onset,
      looks: onset + 15,
    });
    if (at !== null && at >= onset) found++;
  }
  // Without the start mixture, 20 minutes of healthy data first cost ~9 in log evidence: about 30 %.
  assert.ok(found / trials >= 0.6, `detection rate ${found / trials}`);
});

test('sign test: outliers in an A/A comparison do not reject; a consistent +30 % does', () => {
  const random = rng(42);
  let aa = initialSignTest();
  let worse = initialSignTest();
  let detectedAt: number | null = null;
  for (let i = 0; i < 60; i++) {
    const noise = () => 200 * Math.exp(0.05 * (random() - 0.5)) * (random() < 0.05 ? 20 : 1);
    aa = updateSignTest(aa, 0.1, true, noise(), noise());
    assert.equal(rejectsLog(signLogEvidence(aa), 0.01), false, `A/A rejected at ${i}`);
    worse = updateSignTest(worse, 0.1, true, noise() * 1.3, noise());
    if (detectedAt === null && rejectsLog(signLogEvidence(worse), 0.01)) detectedAt = i;
  }
  assert.ok(detectedAt !== null && detectedAt < 20, `detected at ${detectedAt}`);
});

/** One window of the sign test on coin flips: P(worse) before `onset`, then `after`; first rejecting look. */
function signWindow(random: () => number, before: number, after: number, onset: number, looks: number) {
  let state = initialSignTest();
  let plain: number | null = null;
  let mixed: number | null = null;
  for (let i = 0; i < looks; i++) {
    const worse = random() < (i >= onset ? after : before);
    // 2 vs 1: "worse" at tolerance 0; 1 vs 1: not worse.
    state = updateSignTest(state, 0, true, worse ? 2 : 1, 1);
    if (plain === null && rejects(state.logLR, 0.01)) plain = i;
    if (mixed === null && rejectsLog(signLogEvidence(state), 0.01)) mixed = i;
  }
  return { plain, mixed };
}

test('sign test under H0 (P(worse) = 1/2, and below it), looked at 60 times: rejects in at most alpha of windows', () => {
  const random = rng(2024);
  for (const p of [0.5, 0.3]) {
    let rejected = 0;
    const trials = 4000;
    for (let t = 0; t < trials; t++) if (signWindow(random, p, p, 0, 60).mixed !== null) rejected++;
    // alpha = 1 %; 4000 trials give a standard error of 0.16 points, so 1.4 % would be a real excess.
    assert.ok(rejected / trials <= 0.014, `P(worse) ${p}: rejected ${rejected} of ${trials}`);
  }
});

test('sign test: a difference that begins 10 intervals in is found within 15 intervals of it (the start mixture)', () => {
  const random = rng(7);
  let mixed = 0;
  let plain = 0;
  const trials = 500;
  for (let t = 0; t < trials; t++) {
    // Before: the canary is rarely past the tolerance (as when it is no slower); after: almost always.
    const run = signWindow(random, 0.2, 0.97, 10, 25);
    if (run.mixed !== null && run.mixed >= 10) mixed++;
    if (run.plain !== null && run.plain >= 10) plain++;
  }
  // About 72 % (every one of them when P(worse) is 1 after the onset).
  assert.ok(mixed / trials >= 0.6, `with the start mixture: ${mixed} of ${trials}`);
  // The mixture over P(worse) alone: ten healthy intervals first cost it about ln(3000), so about 1 %.
  assert.ok(plain / trials <= 0.05, `without it: ${plain} of ${trials}`);
});

test('zero traffic or inconsistent counts leave the error test unchanged', () => {
  const start = initialErrorsTest();
  for (const [canary, stable] of [
    [
      { errors: 0, requests: 0 },
      { errors: 3, requests: 100 },
    ],
    [
      { errors: 5, requests: 3 },
      { errors: 3, requests: 100 },
    ],
    [
      { errors: -1, requests: 30 },
      { errors: 3, requests: 100 },
    ],
    [
      { errors: NaN, requests: 30 },
      { errors: 3, requests: 100 },
    ],
  ])
    assert.equal(updateErrorsTest(start, 1, 10, canary!, stable!), start);
});

test('one huge burst of canary errors cannot reject alone; bursts that go on do', () => {
  const burst = () =>
    [
      { errors: 400, requests: 1000 },
      { errors: 20, requests: 4000 },
    ] as const;
  let state = updateErrorsTest(initialErrorsTest(), 1, maxLogStep(0.01, ERRORS_MIN_INTERVALS), ...burst());
  assert.equal(rejectsLog(errorsLogEvidence(state), 0.01), false);
  // Each interval adds at most ln(1/alpha)/2, so even two are short once the prior weights are paid.
  state = updateErrorsTest(state, 1, maxLogStep(0.01, ERRORS_MIN_INTERVALS), ...burst());
  assert.equal(rejectsLog(errorsLogEvidence(state), 0.01), false);
  state = updateErrorsTest(state, 1, maxLogStep(0.01, ERRORS_MIN_INTERVALS), ...burst());
  assert.equal(rejectsLog(errorsLogEvidence(state), 0.01), true);
});

test('the e-value starts at 1 and the prior weights are a distribution', () => {
  assert.equal(errorsLogEvidence(initialErrorsTest()), 0);
  const quiet = updateErrorsTest(
    initialErrorsTest(),
    1,
    maxLogStep(0.01, ERRORS_MIN_INTERVALS),
    { errors: 0, requests: 100 },
    { errors: 0, requests: 900 },
  );
  assert.ok(Math.abs(errorsLogEvidence(quiet)) < 1e-12, 'an interval without errors carries no evidence');
  assert.ok(Math.abs(ERROR_RATIO_WEIGHTS.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('the start-point prior is a distribution at every look, and a late start costs less than the threshold', () => {
  // Ville's argument needs the weights of the started copies plus those not started yet to sum to 1.
  for (let n = 0; n <= 200; n++) {
    let total = Math.exp(logLaterStartsWeight(n));
    for (let j = 0; j < n; j++) total += Math.exp(logStartWeight(j));
    assert.ok(Math.abs(total - 1) < 1e-12, `n = ${n}: ${total}`);
  }
  // A canary broken from its first request keeps 0.4 of the prior; a fault starting anywhere in a canary
  // step's first 15 minutes pays the same ln(31.25) for its start, a third of ln(1/alpha) (the earlier
  // (1/2)(c+1)/((j+c)(j+c+1)) charged ln(96) at 11 and ln(137) at 14, so late faults were found too rarely),
  // and later starts cost more the later they are.
  assert.equal(Math.exp(logStartWeight(0)), 0.4);
  for (let j = 1; j <= 15; j++)
    assert.ok(Math.abs(-logStartWeight(j) - Math.log(31.25)) < 1e-12, `start at ${j}`);
  for (let j = 16; j <= 100; j++) assert.ok(logStartWeight(j + 1) < logStartWeight(j), `start at ${j}`);
});

test('error counts under H0 with a late "onset" of nothing: starting copies every interval stays <= alpha', () => {
  // The mixture starts a fresh copy at every interval; the copies that start on a lucky run of canary errors
  // must not add up past alpha over a long window (120 looks).
  const rate = rejectionRate(1500, 31_000, {
    canaryRequests: (i) => 60 + (i % 7) * 20,
    stableRequests: 1500,
    stableRate: 0.01,
    ratio: 1,
    onset: 0,
    looks: 120,
  });
  assert.ok(rate <= 0.01, `false rejection rate ${rate}`);
});

test('error counts: a tripled error rate present from the first interval is found within 15 minutes', () => {
  const rate = rejectionRate(400, 12_000, {
    canaryRequests: 120,
    stableRequests: 1080,
    stableRate: 0.005,
    ratio: 3,
    onset: 0,
    looks: 15,
  });
  // The best anytime-valid test told the effect and the onset reaches ~91 % here (bench:judge, column v).
  assert.ok(rate >= 0.8, `detection rate ${rate}`);
});

test('one burst, however large, cannot reach the pending mark (it neither decides nor holds)', () => {
  for (const tolerance of [1, 1.5, 3])
    for (const [canary, stable] of [
      [
        { errors: 400, requests: 1000 },
        { errors: 20, requests: 4000 },
      ],
      [
        { errors: 12, requests: 40 },
        { errors: 1, requests: 2000 },
      ],
    ] as const) {
      const state = updateErrorsTest(
        initialErrorsTest(),
        tolerance,
        maxLogStep(0.01, ERRORS_MIN_INTERVALS),
        canary,
        stable,
      );
      assert.ok(
        errorsLogEvidence(state) < Math.log(100) * PENDING_FRACTION,
        `tolerance ${tolerance}: ${errorsLogEvidence(state)}`,
      );
    }
});
