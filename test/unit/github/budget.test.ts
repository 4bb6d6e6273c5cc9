// The run's one time budget for GitHub failures, on a fake clock: failure time adds up over the whole run
// (waits between retries included), too many failures in a row judge GitHub down, and either verdict is
// final: nothing is sent afterwards and attempts in flight are aborted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GitHubUnavailableError, RequestBudget } from '../../../src/github/budget.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('failure time adds up across streaks; an answer closes a streak but not the account', () => {
  const c = clock();
  const budget = new RequestBudget({ budgetMs: 10_000, maxConsecutiveFailures: 100, now: c.now });
  // Streak 1: an attempt from 0 to 2 s fails, a 1 s back-off, then GitHub answers at 3.5 s.
  const first = c.now();
  c.advance(2000);
  budget.failed(first);
  assert.equal(budget.spentMs(), 2000);
  c.advance(1500);
  budget.succeeded();
  assert.equal(budget.spentMs(), 3500);
  // Healthy time costs nothing.
  c.advance(60_000);
  assert.equal(budget.spentMs(), 3500);
  assert.deepEqual(budget.verdict(), { ok: true });
  // Streak 2 runs the account out: 3.5 + 6.5 = 10 s.
  const second = c.now();
  c.advance(1000);
  budget.failed(second);
  assert.ok(budget.verdict().ok);
  c.advance(5500);
  const verdict = budget.verdict();
  assert.equal(verdict.ok, false);
  assert.equal(verdict.ok === false && verdict.reason, 'budget_spent');
  assert.match(
    verdict.ok === false ? verdict.message : '',
    /2 failed requests, 10\.0 s of the run's 10\.0 s budget/,
  );
  assert.ok(budget.signal.aborted, 'attempts in flight are aborted');
  assert.ok(budget.signal.reason instanceof GitHubUnavailableError);
});

test('too many failures in a row judge GitHub down at once, and the verdict is final', () => {
  const c = clock();
  const budget = new RequestBudget({ budgetMs: 60_000, maxConsecutiveFailures: 3, now: c.now });
  for (let i = 0; i < 2; i++) {
    budget.failed(c.now());
    c.advance(10);
  }
  // An answer (even a 404) in between starts the count again.
  budget.succeeded();
  budget.failed(c.now());
  budget.failed(c.now());
  assert.ok(budget.verdict().ok);
  budget.failed(c.now());
  const verdict = budget.verdict();
  assert.equal(verdict.ok === false && verdict.reason, 'github_down');
  assert.match(verdict.ok === false ? verdict.message : '', /3 requests in a row failed/);
  // GitHub answering later changes nothing: the run said it gave up.
  budget.succeeded();
  c.advance(600_000);
  assert.equal(budget.verdict().ok, false);
  assert.equal(budget.canWait(0), false);
  assert.equal(budget.failures(), 5);
});

test('an attempt gets the budget left as its timeout, within [min, max]', () => {
  const c = clock();
  const budget = new RequestBudget({
    budgetMs: 10_000,
    attemptTimeoutMs: 4000,
    minAttemptMs: 500,
    maxConsecutiveFailures: 100,
    now: c.now,
  });
  assert.equal(budget.attemptTimeoutMs(), 4000);
  const started = c.now();
  c.advance(7000);
  budget.failed(started);
  assert.equal(budget.attemptTimeoutMs(), 3000, 'what is left of the budget');
  c.advance(2800);
  assert.equal(budget.attemptTimeoutMs(), 500, 'never below the minimum');
});

test('a retry wait is allowed only when it fits in the budget left', () => {
  const c = clock();
  const budget = new RequestBudget({ budgetMs: 10_000, maxConsecutiveFailures: 100, now: c.now });
  assert.ok(budget.canWait(9000));
  const started = c.now();
  c.advance(5000);
  budget.failed(started);
  assert.ok(budget.canWait(4000));
  assert.equal(budget.canWait(5000), false);
});

test('stop() gives up for the caller; the first verdict is kept', () => {
  const budget = new RequestBudget();
  budget.stop('the run waited 90 s');
  budget.stop('a second reason');
  const verdict = budget.verdict();
  assert.deepEqual(verdict, { ok: false, reason: 'stopped', message: 'the run waited 90 s' });
  assert.match(
    new GitHubUnavailableError(verdict as never).message,
    /^not sent: the run gave up on GitHub: the run waited 90 s$/,
  );
});

test('nonsense settings are refused by name', () => {
  assert.throws(() => new RequestBudget({ budgetMs: 0 }), /budgetMs must be a positive number, got 0/);
  assert.throws(
    () => new RequestBudget({ budgetMs: Number.NaN }),
    /budgetMs must be a positive number, got NaN/,
  );
  assert.throws(
    () => new RequestBudget({ maxConsecutiveFailures: -1 }),
    /maxConsecutiveFailures must be a positive number, got -1/,
  );
  assert.throws(
    () => new RequestBudget({ attemptTimeoutMs: 0 }),
    /attemptTimeoutMs must be a positive number/,
  );
});

test('onGiveUp is told once, however the end was noticed', () => {
  const c = clock();
  const told: string[] = [];
  const budget = new RequestBudget({
    budgetMs: 1000,
    maxConsecutiveFailures: 100,
    now: c.now,
    onGiveUp: (v) => told.push(v.reason),
  });
  const started = c.now();
  c.advance(100);
  budget.failed(started);
  assert.deepEqual(told, []);
  // Spent by time alone, seen by a check of the verdict (no attempt in between).
  c.advance(1000);
  assert.equal(budget.verdict().ok, false);
  budget.failed(c.now());
  budget.stop('later');
  assert.deepEqual(told, ['budget_spent']);
  const stopped: string[] = [];
  new RequestBudget({ onGiveUp: (v) => stopped.push(v.message) }).stop('the run waited 90 s');
  assert.deepEqual(stopped, ['the run waited 90 s']);
});

test('the verdict names what the last failed attempt ran into, when the client knew', () => {
  const c = clock();
  const down = new RequestBudget({ budgetMs: 60_000, maxConsecutiveFailures: 2, now: c.now });
  down.failed(c.now(), 'connect ECONNREFUSED 127.0.0.1:3128');
  down.failed(c.now(), 'the proxy answered 407 (its credentials were refused)');
  const verdict = down.verdict();
  assert.equal(
    verdict.ok === false && verdict.message,
    'GitHub looks down (2 requests in a row failed over 0.0 s; the last: the proxy answered 407 (its credentials were refused))',
  );
  const spent = new RequestBudget({ budgetMs: 1000, maxConsecutiveFailures: 100, now: c.now });
  const start = c.now();
  c.advance(1500);
  spent.failed(start, 'HTTP 502');
  const spentVerdict = spent.verdict();
  assert.match(
    spentVerdict.ok === false ? spentVerdict.message : '',
    /budget for GitHub failures; the last: HTTP 502\)$/,
  );
  // Without a cause, as before.
  const plain = new RequestBudget({ budgetMs: 60_000, maxConsecutiveFailures: 1, now: c.now });
  plain.failed(c.now());
  const plainVerdict = plain.verdict();
  assert.match(plainVerdict.ok === false ? plainVerdict.message : '', /failed over 0\.0 s\)$/);
});
