import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BOUNDARY_FLOOR,
  CUSUM_CAP,
  CUSUM_GRID,
  CUSUM_MAX_POINTS,
  PLANNED_SHARE,
  alphaSpent,
  binomialSupport,
  cusumRejects,
  cusumStep,
  initialCusum,
  updateCusum,
  type CusumState,
} from '../../../src/analysis/calibrated.ts';
import { poisson, rng, type Random } from '../../helpers/random.ts';

function binomial(r: Random, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (r() < p) k++;
  return k;
}

function binomialPmf(k: number, p: number): number[] {
  const out: number[] = [];
  let c = 1;
  for (let e = 0; e <= k; e++) {
    out.push(c * p ** e * (1 - p) ** (k - e));
    c = (c * (k - e)) / (e + 1);
  }
  return out;
}

test('the boundary is exact: summing every path of a small window gives the alpha the DP says it spent', () => {
  // Totals chosen so that crossings are possible within four looks: few stable requests, errors split evenly.
  const looks = [
    { k: 6, nc: 100, ns: 300 },
    { k: 7, nc: 120, ns: 280 },
    { k: 5, nc: 90, ns: 300 },
    { k: 8, nc: 110, ns: 320 },
  ];
  const alpha = 0.05;
  let rejected = 0;
  let final: CusumState | undefined;
  const walk = (look: number, state: CusumState, probability: number) => {
    if (look === looks.length) {
      final ??= state;
      return;
    }
    const { k, nc, ns } = looks[look]!;
    binomialPmf(k, nc / (nc + ns)).forEach((p, ec) => {
      const next = updateCusum(state, { ec, es: k - ec, nc, ns }, 1, alpha, looks.length);
      if (cusumRejects(next)) rejected += probability * p;
      else walk(look + 1, next, probability * p);
    });
  };
  walk(0, initialCusum(), 1);
  assert.ok(final);
  // Paths that rejected stop, so `final` is any surviving path's state: the boundaries and the spent alpha
  // depend only on the totals, the same for every path.
  assert.ok(rejected > 0.001, `some paths cross (${rejected})`);
  assert.ok(Math.abs(rejected - final.spent) < 1e-9, `brute force ${rejected} vs DP ${final.spent}`);
  assert.ok(final.spent <= alphaSpent(alpha, looks.length, looks.length) + 1e-12);
});

test('under the null, over 30 looks, the CUSUM rolls back at most the alpha it spends (Monte Carlo, any traffic)', () => {
  const r = rng(4242);
  const alpha = 0.02;
  const trials = 2500;
  let rejected = 0;
  for (let t = 0; t < trials; t++) {
    let state = initialCusum();
    const share = 0.01 + 0.2 * r();
    const total = 10 + 40 * r();
    for (let look = 1; look <= 30; look++) {
      const nc = poisson(r, total * share * 60);
      const ns = poisson(r, total * (1 - share) * 60);
      // Error rates drift from minute to minute for both sides alike; minutes go missing.
      const p = 0.01 * Math.exp(r() - 0.5);
      const counts = r() < 0.1 ? undefined : { ec: binomial(r, nc, p), es: binomial(r, ns, p), nc, ns };
      state = updateCusum(state, counts, 1, alpha, 30);
      if (cusumRejects(state)) {
        rejected++;
        break;
      }
    }
  }
  const bound = alpha * PLANNED_SHARE;
  const slack = 3 * Math.sqrt((bound * (1 - bound)) / trials);
  assert.ok(rejected / trials <= bound + slack, `${rejected} of ${trials} rejected, bound ${bound}`);
  // Not trivially quiet either: the boundary spends its alpha.
  assert.ok(rejected / trials >= bound / 3, `${rejected} of ${trials} rejected: alpha unspent`);
});

test('a tripled error rate at 2 req/s is found within 15 looks in most windows', () => {
  const r = rng(77);
  let found = 0;
  const trials = 300;
  for (let t = 0; t < trials; t++) {
    let state = initialCusum();
    for (let look = 1; look <= 15; look++) {
      const nc = poisson(r, 120);
      const ns = poisson(r, 1800);
      state = updateCusum(
        state,
        { ec: binomial(r, nc, 0.015), es: binomial(r, ns, 0.005), nc, ns },
        1,
        0.006,
        30,
      );
      if (cusumRejects(state)) {
        found++;
        break;
      }
    }
  }
  assert.ok(found / trials >= 0.75, `found in ${found} of ${trials}`);
});

test('a step is capped, and a count far above the alternative (a burst) moves the statistic less than a moderate one', () => {
  // 120 canary requests beside 1,080 stable: the canary's share of errors is 0.1 under the null.
  const moderate = cusumStep(4, 10, 120, 1080, 1);
  const burst = cusumStep(40, 46, 120, 1080, 1);
  assert.ok(moderate > 0);
  assert.ok(burst < moderate, `burst ${burst} vs moderate ${moderate}`);
  assert.ok(cusumStep(10, 10, 120, 1080, 1) * CUSUM_GRID <= CUSUM_CAP + CUSUM_GRID);
  // No errors on either side: no step. Errors only on stable: down.
  assert.equal(cusumStep(0, 0, 120, 1080, 1), 0);
  assert.ok(cusumStep(0, 10, 120, 1080, 1) < 0);
  // One interval can never reach the boundary's floor alone.
  const once = updateCusum(initialCusum(), { ec: 8, es: 2, nc: 120, ns: 1080 }, 1, 0.01, 30);
  assert.ok(once.statistic * CUSUM_GRID < BOUNDARY_FLOOR);
  assert.equal(cusumRejects(once), false);
});

test('a higher tolerance makes the same counts weaker evidence', () => {
  assert.ok(cusumStep(4, 10, 120, 1080, 1.5) < cusumStep(4, 10, 120, 1080, 1));
});

test('alpha spending: evenly over the planned looks, then the rest over later ones, never all of alpha', () => {
  assert.equal(alphaSpent(0.01, 0, 30), 0);
  assert.ok(Math.abs(alphaSpent(0.01, 15, 30) - 0.01 * PLANNED_SHARE * 0.5) < 1e-15);
  assert.ok(Math.abs(alphaSpent(0.01, 30, 30) - 0.01 * PLANNED_SHARE) < 1e-15);
  let previous = 0;
  for (let look = 1; look <= 10_000; look++) {
    const spent = alphaSpent(0.01, look, 30);
    assert.ok(spent >= previous && spent < 0.01);
    previous = spent;
  }
  assert.ok(previous > 0.0099);
});

test('the binomial support is normalised and costs O(sd): a billion errors in an interval is quick', () => {
  const { values, probabilities } = binomialSupport(1e9, 0.01);
  const total = probabilities.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-12);
  const mean = probabilities.reduce((sum, p, i) => sum + p * values[i]!, 0);
  assert.ok(Math.abs(mean - 1e7) < 1, `mean ${mean}`);
  // Mean +- 12 sd (sd ~3,150) and a little more: not the billion values an O(k) loop would visit.
  assert.ok(probabilities.length < 80_000, `${probabilities.length} values`);
  // Past 100,000 values (2^53 errors, sd ~4.7e7): a strided normal, still centred and normalised.
  const huge = binomialSupport(2 ** 53, 0.5);
  assert.ok(huge.values.length <= 100_001, `${huge.values.length} values`);
  const hugeMean = huge.probabilities.reduce((sum, p, i) => sum + p * huge.values[i]!, 0);
  assert.ok(Math.abs(hugeMean / 2 ** 52 - 1) < 1e-6);
  assert.ok(Math.abs(huge.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  // Small k: the exact pmf.
  const small = binomialSupport(5, 0.3);
  assert.deepEqual(small.values, [0, 1, 2, 3, 4, 5]);
  binomialPmf(5, 0.3).forEach((p, e) => assert.ok(Math.abs(p - small.probabilities[e]!) < 1e-12));
});

test('a look without counts spends alpha but moves nothing; the state passed in is not modified', () => {
  const first = updateCusum(initialCusum(), { ec: 3, es: 5, nc: 120, ns: 1080 }, 1, 0.01, 30);
  const copy = Float64Array.from(first.nullMass);
  const gap = updateCusum(first, undefined, 1, 0.01, 30);
  assert.equal(gap.statistic, first.statistic);
  assert.equal(gap.looks, 2);
  assert.ok(gap.spent >= first.spent);
  assert.deepEqual(first.nullMass, copy);
});

test('hostile counts never make the statistic or its null distribution NaN', () => {
  const cases = [
    { ec: 3, es: 1, nc: 1e16, ns: 1 }, // a share that rounds to 1
    { ec: 1, es: 3, nc: 1, ns: 1e16 }, // ... and to 0
    { ec: 2 ** 52, es: 2 ** 52, nc: 2 ** 53 - 1, ns: 2 ** 53 - 1 },
    { ec: 0, es: 9e15, nc: 5, ns: 9e15 },
  ];
  for (const counts of cases) {
    for (const tolerance of [1, 100]) {
      const state = updateCusum(initialCusum(), counts, tolerance, 0.01, 30);
      assert.ok(Number.isFinite(state.statistic), JSON.stringify(counts));
      assert.ok(Number.isFinite(state.boundary) && Number.isFinite(state.spent));
      assert.ok(state.nullMass.every((m) => Number.isFinite(m) && m >= 0));
      const total = state.nullMass.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total + state.spent - 1) < 1e-9, `mass ${total} + spent ${state.spent}`);
    }
  }
});

test('exact for every traffic pattern, tolerance and plan tried: brute force over all error splits equals the DP look by look, and a canary better than the tolerance crosses less', () => {
  type Look = { k: number; nc: number; ns: number } | undefined;
  const cases: Array<{ name: string; looks: Look[]; tolerance: number; alpha: number; planned: number }> = [
    // Lopsided and changing traffic shares; a 1-request side.
    {
      name: 'lopsided',
      looks: [
        { k: 9, nc: 10, ns: 990 },
        { k: 3, nc: 50, ns: 50 },
        { k: 7, nc: 500, ns: 500 },
        { k: 4, nc: 1, ns: 3 },
      ],
      tolerance: 1,
      alpha: 0.3,
      planned: 4,
    },
    // Looks without counts and with no errors, a tolerance above 1, a plan of a single look (then the rest).
    {
      name: 'gaps',
      looks: [
        { k: 5, nc: 100, ns: 100 },
        undefined,
        { k: 0, nc: 100, ns: 100 },
        { k: 6, nc: 30, ns: 300 },
        { k: 5, nc: 200, ns: 50 },
      ],
      tolerance: 1.7,
      alpha: 0.3,
      planned: 1,
    },
    // Few errors per look, a window longer than planned, a large tolerance.
    {
      name: 'sparse',
      looks: [
        { k: 1, nc: 10, ns: 10 },
        { k: 2, nc: 10, ns: 30 },
        { k: 3, nc: 10, ns: 90 },
        { k: 2, nc: 10, ns: 90 },
        { k: 1, nc: 5, ns: 95 },
        { k: 2, nc: 5, ns: 95 },
      ],
      tolerance: 3,
      alpha: 0.08,
      planned: 3,
    },
    // A canary with a sliver of the traffic at tolerance 100 (its errors' share under H0 0.2-0.5), a window
    // twice its plan.
    {
      name: 'ramp',
      looks: [
        { k: 4, nc: 1, ns: 400 },
        { k: 5, nc: 2, ns: 300 },
        { k: 6, nc: 5, ns: 500 },
        { k: 5, nc: 1, ns: 100 },
      ],
      tolerance: 100,
      alpha: 0.3,
      planned: 2,
    },
    // More errors per look (the grouping of many counts into one capped step).
    {
      name: 'busier',
      looks: [
        { k: 40, nc: 100, ns: 900 },
        { k: 35, nc: 100, ns: 400 },
      ],
      tolerance: 1,
      alpha: 0.3,
      planned: 2,
    },
  ];
  for (const { name, looks, tolerance, alpha, planned } of cases) {
    // Rejections per look by brute force at error-rate ratio r, with the boundaries of the tolerance.
    const brute = (ratio: number) => {
      const perLook = looks.map(() => 0);
      const walk = (i: number, state: CusumState, probability: number) => {
        if (i === looks.length) return;
        const look = looks[i];
        const splits = look ? binomialPmf(look.k, (ratio * look.nc) / (ratio * look.nc + look.ns)) : [1];
        splits.forEach((p, ec) => {
          const next = updateCusum(
            state,
            look && { ec, es: look.k - ec, nc: look.nc, ns: look.ns },
            tolerance,
            alpha,
            planned,
          );
          if (cusumRejects(next)) perLook[i]! += probability * p;
          else walk(i + 1, next, probability * p);
        });
      };
      walk(0, initialCusum(), 1);
      return perLook;
    };
    // The DP's spending does not depend on the splits: follow any one path.
    let state = initialCusum();
    const spent = looks.map((look) => {
      const before = state.spent;
      state = updateCusum(
        state,
        look && { ec: 0, es: look.k, nc: look.nc, ns: look.ns },
        tolerance,
        alpha,
        planned,
      );
      return state.spent - before;
    });
    const exact = brute(tolerance);
    exact.forEach((p, i) =>
      assert.ok(Math.abs(p - spent[i]!) < 1e-12, `${name} look ${i + 1}: ${p} vs DP ${spent[i]}`),
    );
    const total = exact.reduce((a, b) => a + b, 0);
    assert.ok(total > alpha / 100, `${name}: crossings possible (${total}), or the case proves little`);
    assert.ok(
      total <= alphaSpent(alpha, looks.length, planned) + 1e-15,
      `${name}: ${total} over the alpha spent`,
    );
    for (const share of [0.5, 0.9]) {
      const better = brute(tolerance * share).reduce((a, b) => a + b, 0);
      assert.ok(better <= total + 1e-15, `${name}: at ${share}x the tolerance ${better} > ${total}`);
    }
  }
});

test('a small alpha (the config allows any above 0) puts the boundary past 15 nats: the grid grows and the CUSUM can still fire', () => {
  for (const alpha of [1e-12, 1e-20]) {
    let state = initialCusum();
    let firedAt: number | undefined;
    for (let look = 1; look <= 60 && firedAt === undefined; look++) {
      // Healthy for half the window (the canary's share of errors 0.1, as the null says), then tripled (0.25).
      const ec = look <= 30 ? 2 : 6;
      state = updateCusum(state, { ec, es: 18, nc: 100, ns: 900 }, 1, alpha, 60);
      // The null's mass and what was spent stay a distribution: nothing piles up at the grid's top.
      const total = state.nullMass.reduce((a, b) => a + b, 0);
      assert.ok(
        Math.abs(total + state.spent - 1) < 1e-9,
        `alpha ${alpha} look ${look}: ${total} + ${state.spent}`,
      );
      assert.ok(state.spent <= alphaSpent(alpha, look, 60));
      assert.ok(state.boundary < CUSUM_MAX_POINTS);
      if (cusumRejects(state)) firedAt = look;
    }
    // Before, the grid stopped at 15 nats: the boundary sat one point above the highest value the statistic
    // could take, and the CUSUM never fired.
    assert.ok(firedAt !== undefined, `alpha ${alpha}: never fired, boundary ${state.boundary * CUSUM_GRID}`);
    assert.ok(state.boundary * CUSUM_GRID > 15, `alpha ${alpha}: the case needs a boundary past 15 nats`);
  }
});
