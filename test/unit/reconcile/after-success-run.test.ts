// Reconcile runs hooks.after_success (a real process writing a file) once the live release has served its
// delay: once, never twice, never for a rollback deployment's release or during a rollout, and a failure is
// recorded and not retried. The record keeps what happened (live.afterSuccess, the history).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { reconcileNotifiers } from '../../../src/notify/wiring.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import { reconcile, type ReconcileOptions } from '../../../src/reconcile/run.ts';
import { emptyRecord, type EnvironmentRecord, type Release } from '../../../src/state/record.ts';
import type { StateRead, StateStore } from '../../../src/state/store.ts';
import { recordedTarget, type RecordedTarget } from '../../helpers/recorded-target.ts';
import { webhookReceiver, type Receiver, type WebhookPost } from '../../helpers/notify-receivers.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const DAY = 24 * 3_600_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

class MemoryStore implements StateStore {
  record: EnvironmentRecord | undefined;
  readonly writes: EnvironmentRecord[] = [];
  /** As a file store whose record another run changed since it was read. */
  refuse?: string;
  async read(): Promise<StateRead> {
    return { ok: true, record: this.record, source: 'memory' };
  }
  async write(record: EnvironmentRecord): Promise<void> {
    if (this.refuse) throw new Error(this.refuse);
    this.writes.push(record);
    this.record = record;
  }
}

/** Deployed with the hook configured (finalize's mark). */
const v2: Release = {
  version: 'v2',
  sha: 'b'.repeat(40),
  slot: 'green',
  since: T0.toISOString(),
  afterSuccessPlanned: true,
};

/** v2 put live at T0 by a deployment that succeeded. */
function deployed(release: Release = v2): EnvironmentRecord {
  return {
    ...emptyRecord('o/r', 'production', at(-DAY)),
    seq: 7,
    live: release,
    previous: { version: 'v1', slot: 'blue', since: at(-DAY).toISOString() },
    history: [
      {
        at: release.since,
        by: 'workflow:1',
        event: 'succeeded',
        code: 'deployed',
        version: 'v2',
        sha: v2.sha,
      },
    ],
  };
}

let dir: string;
let target: RecordedTarget;
let ran: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'after-success-'));
  target = recordedTarget(dir);
  ran = join(dir, 'cleanup.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The hook appends its templated values to `ran` (argv: no shell), prints `say` (no braces) to stderr, then
 * exits with `exit`. With `notify`, production sends every event to the signed webhook `H_AUDIT_URL`.
 */
async function config(
  exit = 0,
  current = '{"slot":"green","version":"v2"}',
  { notify = false, say = '' } = {},
): Promise<RawConfig> {
  const script = `open(my $f, ">>", $ARGV[0]) or die; print $f join(" ", @ARGV[1..$#ARGV]), "\\n";${say ? ` print STDERR q{${say}}, "\\n";` : ''} exit ${exit}`;
  const path = join(dir, 'deploy.yml');
  writeFileSync(
    path,
    `${target.targetYaml}  env:
    CURRENT: ${JSON.stringify(current)}
environments:
  production:
    strategy: { type: blue-green, slots: [blue, green] }
    hooks:
      after_success:
        after: 24h
        run: ${JSON.stringify(['perl', '-e', script, ran, '{{environment}}', '{{version}}', '{{sha}}', '{{previous_version}}'])}
${notify ? '    notifications:\n      channels:\n        audit: { type: webhook, url_env: H_AUDIT_URL, secret_env: H_AUDIT_SECRET }\n' : ''}`,
  );
  return loadConfigFile(path);
}

function options(cfg: RawConfig, store: MemoryStore, now: Date, extra: Partial<ReconcileOptions> = {}) {
  return {
    config: cfg,
    storeFor: () => store,
    ownerStatus: async () => ({ state: 'running' as const }),
    actor: 'reconcile:999',
    owner: { kind: 'workflow' as const, runId: '999' },
    reporter: { event: () => {} },
    now: () => now,
    ...extra,
  } satisfies ReconcileOptions;
}

const lines = () => (existsSync(ran) ? readFileSync(ran, 'utf8').trim().split('\n') : []);

describe('reconcile: hooks.after_success', () => {
  it('not run one millisecond before the delay; run once at it, recorded; never again', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.record = deployed();
    const early = await reconcile(options(cfg, store, at(DAY - 1)));
    assert.deepEqual(lines(), []);
    assert.equal(store.writes.length, 0);
    assert.deepEqual(
      early.entries.map((e) => [e.code, e.message]),
      [['nothing_due', `hooks.after_success of v2 due at ${at(DAY).toISOString()}`]],
    );

    const due = await reconcile(options(cfg, store, at(DAY)));
    assert.deepEqual(lines(), [`production v2 ${v2.sha} v1`], "run once with the release's values");
    assert.deepEqual(
      due.entries.map((e) => [e.code, e.failed]),
      [['after_success_ran', false]],
    );
    assert.deepEqual(target.calls(), ['current'], 'what serves is asked first');
    // The start is stored before the command runs, then the outcome.
    assert.equal(store.writes.length, 2);
    assert.deepEqual(store.writes[0]!.live!.afterSuccess, {
      startedAt: at(DAY).toISOString(),
      by: 'reconcile:999',
    });
    assert.deepEqual(store.record!.live!.afterSuccess, {
      startedAt: at(DAY).toISOString(),
      by: 'reconcile:999',
      finishedAt: at(DAY).toISOString(),
      ok: true,
      exitCode: 0,
    });
    assert.deepEqual(
      store.record!.history.slice(-2).map((h) => [h.event, h.code, h.version, h.sha]),
      [
        ['after_success_started', 'after_success_due', 'v2', v2.sha],
        ['after_success_ran', 'after_success_ok', 'v2', v2.sha],
      ],
    );

    const later = await reconcile(options(cfg, store, at(3 * DAY)));
    assert.equal(lines().length, 1, 'never twice');
    assert.equal(store.writes.length, 2);
    assert.equal(later.entries[0]!.code, 'nothing_due');
    assert.match(later.entries[0]!.message, /hooks\.after_success of v2 ran at/);
  });

  it('--at never makes the hook due sooner: a contract migration is judged by the real clock', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.record = deployed();
    // A rehearsal (or an early teardown) as of a day later runs nothing a day early.
    const early = await reconcile(options(cfg, store, at(1000), { dueBy: at(DAY) }));
    assert.equal(early.entries[0]!.code, 'nothing_due');
    assert.match(early.entries[0]!.message, /hooks\.after_success of v2 due at/);
    assert.equal(lines().length, 0);
    assert.equal(store.record!.live!.afterSuccess, undefined);
    // Due by the real clock, it runs whatever --at says, recorded at the real time.
    const due = await reconcile(options(cfg, store, at(DAY), { dueBy: at(2 * DAY) }));
    assert.equal(due.entries[0]!.code, 'after_success_ran');
    assert.equal(lines().length, 1);
    assert.equal(store.record!.live!.afterSuccess!.startedAt, at(DAY).toISOString());
  });

  it("a first deployment's hook naming {{previous_version}}: the failure says why there is none and what to do, as the run's hooks do", async () => {
    const cfg = await config();
    const store = new MemoryStore();
    const { previous: _none, ...first } = deployed();
    store.record = first;
    const due = await reconcile(options(cfg, store, at(DAY)));
    assert.deepEqual(lines(), [], 'not run');
    assert.equal(due.entries[0]!.code, 'after_success_failed');
    // It said only "{{previous_version}} has no value here".
    assert.match(
      store.record!.live!.afterSuccess!.detail!,
      /\{\{previous_version\}\} has no value here: no earlier version of production is recorded or reported live \(a first deployment.*have the target's current command print the live version, or write the hook so it needs none/,
    );
    assert.match(due.entries[0]!.message, /no earlier version of production is recorded or reported live/);
  });

  it('a failing hook is recorded as failed (exit status, reason) and fails the run; it is not retried', async () => {
    const cfg = await config(3);
    const store = new MemoryStore();
    store.record = deployed();
    const first = await reconcile(options(cfg, store, at(DAY)));
    assert.deepEqual(
      first.entries.map((e) => [e.code, e.failed]),
      [['after_success_failed', true]],
    );
    assert.equal(first.failed, true);
    const recorded = store.record!.live!.afterSuccess!;
    assert.equal(recorded.ok, false);
    assert.equal(recorded.exitCode, 3);
    assert.equal(recorded.code, 'exit');
    assert.equal(store.record!.history.at(-1)!.event, 'after_success_failed');

    const again = await reconcile(options(cfg, store, at(2 * DAY)));
    assert.equal(lines().length, 1, 'not run a second time');
    assert.equal(again.failed, false);
    assert.match(again.entries[0]!.message, /failed at .*not retried/);
  });

  it('started and never finished (its reconcile died): not started again, a warning every run', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.record = deployed({
      ...v2,
      afterSuccess: { startedAt: at(DAY).toISOString(), by: 'reconcile:998' },
    });
    const summary = await reconcile(options(cfg, store, at(2 * DAY)));
    assert.deepEqual(lines(), []);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['after_success_interrupted', false]],
    );
    assert.match(summary.entries[0]!.message, /never finished; it is not started again/);
  });

  it('never for a release a rollback deployment put live', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.record = deployed({ ...v2, rollback: true });
    const summary = await reconcile(options(cfg, store, at(2 * DAY)));
    assert.deepEqual(lines(), []);
    assert.equal(store.writes.length, 0);
    assert.match(summary.entries[0]!.message, /a rollback deployment put it there/);
  });

  it('never while a rollout is in the record (a deployment in progress); never after it rolled the release back', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.record = {
      ...deployed(),
      rollout: {
        deploymentId: '78',
        version: 'v3',
        strategy: 'blue-green',
        phase: 'production',
        step: 0,
        steps: 3,
        startedAt: at(DAY - 60_000).toISOString(),
        owner: { kind: 'workflow', runId: '124' },
        recovery: [],
      },
    };
    const summary = await reconcile(options(cfg, store, at(DAY)));
    assert.deepEqual(lines(), []);
    assert.equal(summary.entries[0]!.code, 'owner_running');
    // The rollback replaced v2 with v1 (a rollback deployment's release): v2's hook never runs.
    store.record = {
      ...deployed(),
      live: { version: 'v1', slot: 'blue', since: at(DAY - 1).toISOString(), rollback: true },
      previous: v2,
    };
    await reconcile(options(cfg, store, at(3 * DAY)));
    assert.deepEqual(lines(), []);
  });

  it('not run when its start cannot be stored first (a deployment wrote the record meanwhile)', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.record = deployed();
    store.refuse = 'the record was changed by another run since it was read';
    const summary = await reconcile(options(cfg, store, at(DAY)));
    assert.deepEqual(lines(), []);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['state_write_failed', true]],
    );
    assert.match(
      summary.entries[0]!.message,
      /was not started; but the record could not be stored: the record was changed/,
    );
  });

  it('cancelled while its start is stored: never begun, the claim is taken back, and the next reconcile runs it', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.record = deployed();
    const cancel = new AbortController();
    // The cancellation arrives while the claim is being written (a runner's SIGINT): the command has not begun.
    const write = store.write.bind(store);
    store.write = async (record) => {
      await write(record);
      if (record.live?.afterSuccess) cancel.abort();
    };
    const summary = await reconcile(options(cfg, store, at(DAY), { signal: cancel.signal }));
    assert.deepEqual(lines(), [], 'the command never ran');
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['after_success_cancelled', false]],
    );
    assert.equal(store.record!.live!.afterSuccess, undefined, 'the claim is taken back');
    assert.deepEqual(
      store.record!.history.slice(-2).map((h) => h.event),
      ['after_success_started', 'after_success_not_started'],
    );
    // Not "interrupted": the next reconcile runs it, once.
    store.write = write;
    const next = await reconcile(options(cfg, store, at(DAY + 60_000)));
    assert.deepEqual(
      next.entries.map((e) => e.code),
      ['after_success_ran'],
    );
    assert.deepEqual(lines(), [`production v2 ${v2.sha} v1`]);
  });

  it('not run when the current command says another release serves (a stale record)', async () => {
    const cfg = await config(0, '{"slot":"blue","version":"v1"}');
    const store = new MemoryStore();
    store.record = deployed();
    const summary = await reconcile(options(cfg, store, at(DAY)));
    assert.deepEqual(lines(), []);
    assert.equal(store.writes.length, 0);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['current_disagrees', true]],
    );
  });
});

describe('reconcile: hooks.after_success is told to the channels', () => {
  const HMAC = 'hmac-AFTERSUCCESS-key-0001';
  /** One of the run's own secrets (its state key, say): not a channel's, not shaped like a credential. */
  const RUN_SECRET = 'plainwordsrunsecretvalue';
  let audit: Receiver<WebhookPost>;
  before(async () => {
    audit = await webhookReceiver(HMAC);
  });
  after(() => audit.close());
  beforeEach(() => {
    audit.received.length = 0;
  });

  /** Reconcile with the notifiers the CLI and the Action build, closed at the end as theirs are. */
  async function reconcileNotifying(cfg: RawConfig, store: MemoryStore, now: Date) {
    const notifiers = reconcileNotifiers(
      cfg,
      { repository: 'o/r', by: 'reconcile run 999' },
      {
        env: { H_AUDIT_URL: `${audit.url}/hook`, H_AUDIT_SECRET: HMAC },
        log: (level, message) => assert.fail(`${level}: ${message}`),
      },
    );
    assert.ok(notifiers, 'production has notifications');
    try {
      return await reconcile(
        options(cfg, store, now, {
          secrets: [RUN_SECRET],
          notifierFor: (env, rollout) => notifiers.forRollout(env.name, rollout),
          notifierForRelease: (env, release) => notifiers.forRelease(env.name, release),
        }),
      );
    } finally {
      await notifiers.close();
    }
  }
  const sent = () => audit.received.map((p) => p.body.event as string);

  it('a failed hook sends one after_success_failed: the release, label, exit code, duration, what failed redacted; never again', async () => {
    const cfg = await config(3, undefined, {
      notify: true,
      say: `ALTER TABLE orders DROP COLUMN legacy failed; key ${HMAC} run ${RUN_SECRET}`,
    });
    const store = new MemoryStore();
    store.record = deployed();
    const summary = await reconcileNotifying(cfg, store, at(DAY));
    assert.equal(summary.entries[0]!.code, 'after_success_failed');
    assert.deepEqual(sent(), ['after_success_failed']);
    const [post] = audit.received;
    assert.ok(post!.verified);
    assert.deepEqual(post!.problems, []);
    const { facts } = post!.body;
    assert.deepEqual(
      [
        facts.environment,
        facts.version,
        facts.previous_version,
        facts.sha,
        facts.step,
        facts.code,
        facts.exit_code,
      ],
      ['production', 'v2', 'v1', v2.sha, 'hooks.after_success', 'after_success_exit', '3'],
    );
    assert.match(facts.duration, /^\d+(ms|s)/);
    assert.match(facts.reason, /ALTER TABLE orders DROP COLUMN legacy failed; key \*\*\* run \*\*\*/);
    assert.ok(!post!.raw.includes(HMAC) && !post!.raw.includes(RUN_SECRET), post!.raw);
    assert.match(post!.body.title, /^\[Failed\] hooks\.after_success for v2 in production$/);

    await reconcileNotifying(cfg, store, at(2 * DAY));
    assert.deepEqual(sent(), ['after_success_failed'], 'not retried, not told again');
  });

  it('a hook that exits 0 sends one after_success_ran; nothing before it is due, nothing after', async () => {
    const cfg = await config(0, undefined, { notify: true });
    const store = new MemoryStore();
    store.record = deployed();
    await reconcileNotifying(cfg, store, at(DAY - 1));
    assert.deepEqual(sent(), [], 'not due yet');
    const summary = await reconcileNotifying(cfg, store, at(DAY));
    assert.equal(summary.entries[0]!.code, 'after_success_ran');
    assert.deepEqual(sent(), ['after_success_ran']);
    const { facts } = audit.received[0]!.body;
    assert.deepEqual(
      [facts.version, facts.sha, facts.exit_code, facts.code, facts.what],
      ['v2', v2.sha, '0', 'after_success_ok', 'hooks.after_success of v2 in production'],
    );
    await reconcileNotifying(cfg, store, at(3 * DAY));
    assert.deepEqual(sent(), ['after_success_ran'], 'once');
  });

  it('a hook started and never finished is not sent (every run finds it again)', async () => {
    const cfg = await config(0, undefined, { notify: true });
    const store = new MemoryStore();
    store.record = deployed({
      ...v2,
      afterSuccess: { startedAt: at(DAY).toISOString(), by: 'reconcile:998' },
    });
    const summary = await reconcileNotifying(cfg, store, at(2 * DAY));
    assert.equal(summary.entries[0]!.code, 'after_success_interrupted');
    assert.deepEqual(sent(), []);
  });
});
