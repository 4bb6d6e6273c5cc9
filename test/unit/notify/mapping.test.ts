// Pipeline events → the notification events (and the Slack thread's lines): pure, clock passed in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  AfterSuccessRecord,
  PipelineEvent,
  PipelineResult,
  WaitRecord,
} from '../../../src/pipeline/events.ts';
import { NotificationMapper } from '../../../src/notify/mapping.ts';
import { contextFromEnv } from '../../../src/notify/wiring.ts';
import type { NotifyItem } from '../../../src/notify/model.ts';
import { DEFAULT_TEMPLATES } from '../../../src/notify/template.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const start: PipelineEvent = {
  type: 'start',
  environment: 'production',
  version: 'v2',
  previousVersion: 'v1',
  strategy: 'canary',
};

function result(status: PipelineResult['status'], extra: Partial<PipelineResult> = {}): PipelineEvent {
  return {
    type: 'result',
    result: {
      status,
      code: status === 'succeeded' ? 'deployed' : 'verify_failed',
      message: `the run ${status}`,
      environment: 'production',
      version: 'v2',
      previousVersion: 'v1',
      strategy: 'canary',
      dryRun: false,
      phases: [],
      steps: [],
      decisions: [],
      rollbacks: [],
      startedAt: new Date(T0).toISOString(),
      durationMs: 90_000,
      exitCode: 0,
      ...extra,
    },
  };
}

function wait(kind: WaitRecord['kind'], ended?: WaitRecord['ended']): WaitRecord {
  return {
    environment: 'production',
    kind,
    step: 2,
    at: 'canary 25 %',
    weight: 25,
    since: '2026-12-01T10:01:00Z',
    approvals: kind === 'approval' ? 2 : undefined,
    ...(ended ? { ended } : {}),
    waitedMs: 0,
  };
}

function run(events: PipelineEvent[]) {
  let now = T0;
  const mapper = new NotificationMapper(
    { who: 'alice', repository: 'o/r', sha: 'a'.repeat(40) },
    () => (now += 1000),
  );
  return events.flatMap((e) => mapper.next(e));
}

const notified = (items: NotifyItem[]) =>
  items.flatMap((i) => (i.kind === 'notify' ? [i.notification.event] : []));

describe('NotificationMapper', () => {
  it('maps each outcome to its event', () => {
    const cases: Array<[PipelineResult['status'], string | undefined]> = [
      ['succeeded', 'succeeded'],
      ['rolled_back', 'rolled_back'],
      ['failed', 'failed'],
      ['blocked', 'failed'],
      ['cancelled', 'cancelled'],
      ['paused', 'paused'],
      ['waiting', undefined],
    ];
    for (const [status, event] of cases)
      assert.deepEqual(
        notified(run([start, result(status)])),
        event ? ['started', event] : ['started'],
        status,
      );
  });

  it('maps waits: approval and manual wait for people, a hold is paused, a bake only goes to the thread', () => {
    assert.deepEqual(notified(run([start, { type: 'wait-start', record: wait('approval') }])), [
      'started',
      'waiting_for_approval',
    ]);
    assert.deepEqual(notified(run([start, { type: 'wait-start', record: wait('manual') }])), [
      'started',
      'waiting_for_approval',
    ]);
    assert.deepEqual(notified(run([start, { type: 'wait-start', record: wait('hold') }])), [
      'started',
      'paused',
    ]);
    const bake = run([start, { type: 'wait-start', record: wait('bake') }]);
    assert.deepEqual(notified(bake), ['started']);
    assert.equal(bake.filter((i) => i.kind === 'thread').length, 1);
  });

  it('says what a wait is for and where, in words the default templates read', () => {
    const facts = (kind: WaitRecord['kind']) => {
      const item = run([start, { type: 'wait-start', record: wait(kind) }]).find(
        (i) => i.kind === 'notify' && i.notification.event !== 'started',
      );
      assert.ok(item?.kind === 'notify');
      return item.notification.facts;
    };
    assert.equal(facts('approval').reason, 'for 2 approvals');
    assert.equal(facts('manual').reason, 'for /promote production');
    assert.equal(facts('approval').step, 'canary 25 % (step 3)');
    assert.equal(facts('approval').impact, '25 % new / 75 % stable while it waits');
    assert.equal(facts('hold').reason, 'paused at canary 25 % (step 3)');
  });

  it('a first deployment (nothing live at the start) names no previous version as back on or serving', () => {
    const first: PipelineEvent = {
      type: 'start',
      environment: 'production',
      version: 'v1',
      strategy: 'canary',
    };
    const impact = (status: PipelineResult['status']) => {
      const item = run([first, result(status, { previousVersion: undefined })]).at(-1)!;
      assert.ok(item.kind === 'notify');
      return item.notification.facts.impact;
    };
    for (const status of ['rolled_back', 'failed'] as const) {
      assert.equal(
        impact(status),
        'nothing was live before it (a first deployment): there is no earlier version to go back to',
        status,
      );
      assert.doesNotMatch(impact(status)!, /previous version|back on/);
    }
    // Over a live v1 it says where traffic is.
    const item = run([start, result('rolled_back')]).at(-1)!;
    assert.ok(item.kind === 'notify');
    assert.equal(item.notification.facts.impact, 'traffic is back on v1');
  });

  it('the default templates show no empty value, a first deployment (no previous version) included', () => {
    // "was rolled back to : …": the rolled_back text named {{previous_version}}, which a first deployment has none of.
    const first: PipelineEvent = {
      type: 'start',
      environment: 'production',
      version: 'v1',
      strategy: 'canary',
    };
    const approval = wait('approval', { at: '2026-12-01T10:02:00Z', how: 'approved', by: ['bob', 'carol'] });
    for (const begin of [first, start])
      for (const status of ['succeeded', 'rolled_back', 'failed', 'cancelled', 'paused'] as const) {
        const items = run([
          begin,
          { type: 'wait-start', record: wait('approval') },
          { type: 'wait-end', record: approval },
          result(status, begin === first ? { previousVersion: undefined, version: 'v1' } : {}),
        ]);
        for (const item of items) {
          if (item.kind !== 'notify') continue;
          const { event, facts } = item.notification;
          const template = DEFAULT_TEMPLATES[event];
          for (const [, name] of `${template.title} ${template.text}`.matchAll(/\{\{(\w+)\}\}/g))
            assert.ok(facts[name as keyof typeof facts], `${event} (${status}): {{${name}}} has no value`);
        }
      }
  });

  it('no version known live on a direct or rolling deployment is not taken for a first deployment', () => {
    // Without a record (no state, or a current command that failed: a warning there) they know no live
    // version, and nothing else says whether one served: a rollback command that needs none (kubectl rollout
    // undo) puts it back. It said "nothing was live before it (a first deployment)".
    for (const strategy of ['direct', 'rolling']) {
      const unknown: PipelineEvent = { type: 'start', environment: 'production', version: 'v2', strategy };
      const impact = (status: PipelineResult['status'], ok: boolean) => {
        const rollbacks = ok ? [{ ok: true } as PipelineResult['rollbacks'][number]] : [];
        const item = run([unknown, result(status, { previousVersion: undefined, strategy, rollbacks })]).at(
          -1,
        )!;
        assert.ok(item.kind === 'notify');
        return item.notification.facts.impact;
      };
      assert.equal(impact('rolled_back', true), 'traffic is back on the previous version', strategy);
      assert.equal(impact('blocked', false), 'the previous version keeps serving', strategy);
    }
  });

  it("a CLI run's wait names the command line's promote, not the pull request's comment", () => {
    // contextFromEnv is the CLI's context (deploy, reconcile, promote): its rollouts live in a state directory.
    const context = contextFromEnv({ GITHUB_REPOSITORY: 'o/r' }, undefined);
    assert.equal(context.controls, 'cli');
    const mapper = new NotificationMapper(context, () => T0);
    const items = [start, { type: 'wait-start', record: wait('manual') } as const].flatMap((e) =>
      mapper.next(e),
    );
    const waiting = items.find((i) => i.kind === 'notify' && i.notification.event === 'waiting_for_approval');
    assert.ok(waiting?.kind === 'notify');
    assert.equal(waiting.notification.facts.reason, 'for deploy-action promote -e production');
    const thread = items.filter((i) => i.kind === 'thread').map((i) => i.line.text);
    assert.deepEqual(thread, ['waiting at canary 25 % (step 3) for deploy-action promote -e production']);
    assert.doesNotMatch(JSON.stringify(items), /\/promote/);
  });

  it('a wait handed off (same wait reported again) is notified once', () => {
    const w = wait('approval');
    const items = run([
      start,
      { type: 'wait-start', record: w },
      { type: 'wait-start', record: { ...w, ended: { at: 'x', how: 'handed_off', by: [] } } },
    ]);
    assert.deepEqual(notified(items), ['started', 'waiting_for_approval']);
  });

  it('promoted: a person ended the wait (promote or approvals), with who did it; time or resume is not', () => {
    const promoted = run([
      start,
      { type: 'wait-end', record: wait('manual', { at: 'x', how: 'promoted', by: ['bob'] }) },
    ]);
    assert.deepEqual(notified(promoted), ['started', 'promoted']);
    const n = promoted.find((i) => i.kind === 'notify' && i.notification.event === 'promoted');
    assert.equal(n?.kind === 'notify' && n.notification.facts.who, 'bob');
    assert.equal(n?.kind === 'notify' && n.notification.facts.step, 'canary 25 % (step 3)');
    const approved = run([
      start,
      { type: 'wait-end', record: wait('approval', { at: 'x', how: 'approved', by: ['b', 'c'] }) },
    ]);
    assert.deepEqual(notified(approved), ['started', 'promoted']);
    for (const how of ['due', 'resumed', 'aborted', 'cancelled'] as const)
      assert.deepEqual(
        notified(run([start, { type: 'wait-end', record: wait('bake', { at: 'x', how, by: [] }) }])),
        ['started'],
        how,
      );
  });

  it('a result without a start (blocked before it) still says what failed', () => {
    const items = run([result('blocked', { code: 'gates_blocked', message: 'tests gate blocked' })]);
    assert.equal(items.length, 1);
    const n = items[0]!;
    assert.ok(n.kind === 'notify');
    assert.equal(n.notification.event, 'failed');
    assert.equal(n.notification.facts.environment, 'production');
    assert.equal(n.notification.facts.code, 'gates_blocked');
    assert.equal(n.notification.facts.reason, 'tests gate blocked');
  });

  it('facts: what / when / impact / who, the rollback reason, and values bounded', () => {
    const items = run([
      start,
      { type: 'rollback-start', environment: 'production', reason: 'error rate 5 % > 1 %', steps: [] },
      result('rolled_back', {
        rollbacks: [
          { reason: 'x', environment: 'production', steps: [], levels: [], ok: true, durationMs: 10 },
        ],
      }),
    ]);
    const started = items.find((i) => i.kind === 'notify' && i.notification.event === 'started');
    assert.ok(started?.kind === 'notify');
    assert.equal(started.notification.facts.what, 'canary deployment of v2 to production (live: v1)');
    assert.equal(started.notification.facts.when, '2026-12-01 10:00:01 UTC');
    assert.match(started.notification.facts.impact!, /growing share of traffic/);
    assert.equal(started.notification.facts.who, 'alice');
    assert.equal(started.notification.facts.short_sha, 'a'.repeat(12));
    const rolled = items.find((i) => i.kind === 'notify' && i.notification.event === 'rolled_back');
    assert.ok(rolled?.kind === 'notify');
    assert.equal(rolled.notification.facts.reason, 'error rate 5 % > 1 %');
    assert.equal(rolled.notification.facts.impact, 'traffic is back on v1');
    const long = new NotificationMapper({ pr: { number: 1, title: 'x'.repeat(10_000) } }).next(start)[0]!;
    assert.ok(long.kind === 'notify' && [...long.notification.facts.pr_title!].length <= 300);
  });

  it('the thread gets one line per phase with its steps, and the rollback', () => {
    const items = run([
      start,
      {
        type: 'step-end',
        record: {
          environment: 'production',
          phase: 'production',
          step: { kind: 'deploy', slot: 'green' } as never,
          description: 'deploy to green',
          result: { ok: true },
          durationMs: 1200,
        },
      },
      {
        type: 'phase-end',
        record: { phase: 'production', status: 'succeeded', startedAt: '', durationMs: 1500 },
      },
      { type: 'phase-end', record: { phase: 'staging', status: 'skipped', startedAt: '', durationMs: 0 } },
      { type: 'rollback-start', environment: 'production', reason: 'health failed', steps: [] },
    ]);
    const lines = items.flatMap((i) => (i.kind === 'thread' ? [i.line.text] : []));
    assert.deepEqual(lines, [
      'production: succeeded in 1.5s\n✓ deploy to green (1.2s)',
      'Rolling back production: health failed',
    ]);
  });

  it('a value with a line break cannot add a thread line of its own (a forged \u201c\u2713 smoke tests\u201d)', () => {
    const forged = 'boom\n\u2713 smoke tests (0.1s)\r\n\u2713 all good\u2028done';
    const items = run([
      start,
      {
        type: 'step-end',
        record: {
          environment: 'production',
          phase: 'production',
          step: { kind: 'deploy', slot: 'green' } as never,
          description: `deploy ${forged}`,
          result: { ok: false, reason: forged },
          durationMs: 1200,
        },
      },
      {
        type: 'phase-end',
        record: { phase: 'production', status: 'failed', startedAt: '', durationMs: 1500, detail: forged },
      },
      { type: 'rollback-start', environment: 'production', reason: forged, steps: [] },
    ]);
    const lines = items.flatMap((i) => (i.kind === 'thread' ? i.line.text.split('\n') : []));
    // The phase line and its one step line, then the rollback line: nothing else, however the values read.
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.ok(
      lines.every((line) => !/^\u2713/.test(line)),
      lines.join('\n'),
    );
  });

  it('a run that continues a rollout (reconcile): no new started, the deployment it continues, its whole duration', () => {
    let now = T0;
    const mapper = new NotificationMapper(
      {
        repository: 'o/r',
        continues: {
          deploymentId: 'd-7',
          by: 'reconcile run 99',
          startedAt: new Date(T0 - 5_400_000).toISOString(),
        },
      },
      () => (now += 1000),
    );
    const events: PipelineEvent[] = [
      start,
      { type: 'wait-end', record: wait('manual', { at: '', how: 'promoted', by: ['carol'] }) },
      result('succeeded', { durationMs: 5000 }),
    ];
    const items = events.flatMap((e) => mapper.next(e));
    assert.deepEqual(notified(items), ['promoted', 'succeeded']);
    const first = items[0];
    assert.equal(
      first?.kind === 'thread' && first.line.text,
      'reconcile run 99 takes over the rollout of v2 (deployment d-7)',
    );
    const facts = items.flatMap((i) => (i.kind === 'notify' ? [i.notification.facts] : []));
    for (const f of facts)
      assert.equal(
        f.what,
        'canary deployment of v2 to production (live: v1), continued by reconcile run 99 (deployment d-7)',
      );
    assert.equal(facts[0]!.who, 'carol');
    // From the rollout's start 1.5 h before (and the mapper's three clock reads since), not this run's 5 s.
    assert.equal(facts[1]!.duration, '1h30m3s');
  });
});

describe('NotificationMapper: the delayed hook (reconcile, no rollout)', () => {
  const hook = (extra: Partial<AfterSuccessRecord> = {}): PipelineEvent => ({
    type: 'after-success',
    record: {
      environment: 'production',
      version: 'v2',
      sha: 'b'.repeat(40),
      previousVersion: 'v1',
      label: 'hooks.after_success',
      ok: true,
      exitCode: 0,
      durationMs: 90_000,
      ...extra,
    },
  });
  /** A reconcile run's mapper: no start, no `continues` (the hook belongs to no rollout). */
  const items = (event: PipelineEvent) => new NotificationMapper({ repository: 'o/r' }, () => T0).next(event);

  it('ran: one after_success_ran with the release, the label, exit code 0 and how long it ran; no thread line', () => {
    const out = items(hook());
    assert.deepEqual(notified(out), ['after_success_ran']);
    assert.equal(out.length, 1);
    const n = out[0]!.kind === 'notify' ? out[0]!.notification : assert.fail('a notification');
    assert.deepEqual(
      {
        environment: n.facts.environment,
        version: n.facts.version,
        previous_version: n.facts.previous_version,
        sha: n.facts.sha,
        short_sha: n.facts.short_sha,
        step: n.facts.step,
        code: n.facts.code,
        exit_code: n.facts.exit_code,
        duration: n.facts.duration,
        what: n.facts.what,
        status: n.facts.status,
      },
      {
        environment: 'production',
        version: 'v2',
        previous_version: 'v1',
        sha: 'b'.repeat(40),
        short_sha: 'b'.repeat(12),
        step: 'hooks.after_success',
        code: 'after_success_ok',
        exit_code: '0',
        duration: '1m30s',
        what: 'hooks.after_success of v2 in production',
        status: 'after success ran',
      },
    );
    assert.equal(n.at, new Date(T0).toISOString());
  });

  it('failed: after_success_failed with the reason code, exit code and what failed, made one line and bounded', () => {
    const detail = `hooks.after_success (perl) exited with code 3: ALTER TABLE failed\n✓ migration complete ${'x'.repeat(5000)}`;
    const out = items(hook({ ok: false, code: 'exit', exitCode: 3, detail }));
    assert.deepEqual(notified(out), ['after_success_failed']);
    const n = out[0]!.kind === 'notify' ? out[0]!.notification : assert.fail('a notification');
    assert.equal(n.facts.code, 'after_success_exit');
    assert.equal(n.facts.exit_code, '3');
    assert.match(n.facts.reason!, /^hooks\.after_success \(perl\) exited with code 3: ALTER TABLE failed ✓/);
    assert.doesNotMatch(n.facts.reason!, /\n/);
    assert.ok([...n.facts.reason!].length <= 1000);
    assert.match(n.facts.impact!, /half-way/);
  });

  it('failed without an exit (a timeout): no exit code, the code says why', () => {
    const out = items(
      hook({ ok: false, code: 'timeout', exitCode: undefined, detail: 'timed out after 60s' }),
    );
    const n = out[0]!.kind === 'notify' ? out[0]!.notification : assert.fail('a notification');
    assert.equal(n.facts.code, 'after_success_timeout');
    assert.equal(n.facts.exit_code, undefined);
    assert.equal(n.facts.reason, 'timed out after 60s');
  });
});
