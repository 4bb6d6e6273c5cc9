// Every report of a rollout that waits for people or time (issue 14): the job summary's Waits section and
// the headline of a handed-off run, the terminal and JSON lines, the Deployments tab descriptions, the deploy
// check run's conclusion and the deployment record; for each kind of wait, a waiting and an aborted result,
// and hostile logins, step names and reasons in every field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJobSummary } from '../../../src/report/job-summary.ts';
import { renderDeploymentRecord } from '../../../src/report/record.ts';
import { summary, terminalReporter } from '../../../src/report/terminal.ts';
import { jsonLinesReporter } from '../../../src/report/json-lines.ts';
import {
  deployConclusion,
  DESCRIPTION_MAX,
  finalStatus,
  waitEndStatus,
  waitStatus,
} from '../../../src/report/github/deployment-status.ts';
import type { PipelineResult, WaitRecord } from '../../../src/pipeline/events.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import { trafficSplit, WAIT_END_TEXT, type WaitEnd } from '../../../src/report/waits.ts';
import { aborted, HOSTILE, waiting, waitRecord } from './fixtures.ts';
import { assertTablesIntact, readable } from './table-check.ts';

const KINDS: Array<{ wait: Partial<WaitRecord>; says: string; commands: string[] }> = [
  {
    wait: { kind: 'manual', approvals: undefined },
    says: 'for /promote production',
    commands: ['/promote production', '/promote production --full', '/abort production [reason]'],
  },
  {
    wait: { kind: 'approval', approvals: 2 },
    says: 'for 2 approvals',
    commands: ['/promote production', '/promote production --full', '/abort production [reason]'],
  },
  {
    wait: { kind: 'bake', approvals: undefined, until: '2026-12-01T10:00:00.000Z' },
    says: 'baking until 2026-12-01 10:00 UTC',
    commands: ['/promote production', '/abort production [reason]'],
  },
  {
    wait: { kind: 'hold', approvals: undefined },
    says: 'paused',
    commands: ['/resume production', '/promote production', '/abort production [reason]'],
  },
];

test('a waiting result: the headline says where and what for, with the commands that continue it', () => {
  for (const { wait, says, commands } of KINDS) {
    const raw = renderJobSummary(waiting(wait));
    const md = readable(raw);
    assert.match(md, /^## ⏳ Deploy production: waiting$/m, wait.kind);
    const headline = md.split('\n').find((l) => l.startsWith('> **⏳ Waiting at'));
    assert.ok(headline, md);
    assert.ok(headline.includes(`canary 50 % (step 6) ${says}**`), `${wait.kind}: ${headline}`);
    assert.match(headline, /traffic 50 % new \/ 50 % stable · since 2024-05-01 10:10 UTC/);
    const continueLine = md.split('\n').find((l) => l.startsWith('> To continue'))!;
    assert.deepEqual(
      [...continueLine.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
      commands,
      wait.kind,
    );
    if (wait.kind === 'approval')
      assert.match(md, /> Needs 2 approval\(s\) from the environment's approvers/);
    if (wait.kind === 'bake') assert.match(md, /> Goes on by itself at 2026-12-01 10:00 UTC/);
    assertTablesIntact(raw);
  }
});

test('an approval step ahead: the job summary and the terminal (App or CLI words) offer no --full (full_passes_approval)', () => {
  const ahead = { kind: 'manual' as const, approvals: undefined, approvalsAhead: ['canary 75 %'] };
  const md = readable(renderJobSummary(waiting(ahead)));
  const continueLine = md.split('\n').find((l) => l.startsWith('> To continue'))!;
  assert.deepEqual(
    [...continueLine.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
    ['/promote production', '/abort production [reason]'],
  );
  for (const controls of ['app', 'cli'] as const) {
    const out: string[] = [];
    terminalReporter({ write: (t) => out.push(t), color: false, controls }).event({
      type: 'wait-start',
      record: waitRecord({ approvalsAhead: ['canary 75 %'] }),
    });
    const to = out
      .join('')
      .split('\n')
      .find((l) => l.includes('to continue:'))!;
    assert.ok(
      to.includes(controls === 'cli' ? 'deploy-action promote -e production' : '/promote production'),
      to,
    );
    assert.doesNotMatch(to, /--full/, controls);
  }
});

test('the Waits section: where, kind, since, how it ended, by whom, and how long, per wait', () => {
  const md = readable(renderJobSummary(waiting()));
  const section = md.slice(md.indexOf('### Waits'), md.indexOf('### Timeline'));
  assert.deepEqual(section.trim().split('\n').slice(2), [
    '| where | kind | since | ended | by | waited |',
    '| --- | --- | --- | --- | --- | --- |',
    '| canary 25 % (step 4), 25 % | manual | 2024-05-01 10:01 UTC | promoted 2024-05-01 10:06 UTC | alice | 5m |',
    '| canary 50 % (step 6), 50 % | approval (2) | 2024-05-01 10:10 UTC | handed off 2024-05-01 10:11:45 UTC | — | 1m45s so far |',
    '',
    '2 waits, 6m45s in all.',
  ]);
  // A run without waits has no section; an open wait (a report during the wait) says so.
  const plain = waiting();
  delete plain.waits;
  assert.doesNotMatch(renderJobSummary({ ...plain, status: 'succeeded' }), /### Waits/);
  const open = waiting({ ended: undefined });
  assert.match(
    readable(renderJobSummary(open)),
    /\| approval \(2\) \| 2024-05-01 10:10 UTC \| still waiting \| — \| 1m45s so far \|/,
  );
});

test('a hold names who paused it, from the environment record', () => {
  const result = waiting({ kind: 'hold', approvals: undefined });
  result.record = {
    rollout: { wait: { kind: 'hold', step: 5, since: result.waits![1]!.since, by: 'dave', handedOff: true } },
  } as unknown as EnvironmentRecord;
  assert.match(readable(renderJobSummary(result)), /canary 50 % \(step 6\) paused by dave\*\*/);
  assert.equal(finalStatus(result).description, 'waiting at canary 50 % paused by @dave');
});

test('an aborted rollout: who aborted it, where and when, in the summary, the record and the Deployments tab', () => {
  const result = aborted();
  const md = readable(renderJobSummary(result));
  assert.match(md, /^> \*\*Aborted\*\* at canary 25 % \(step 4\) by bob at 2024-05-01 10:03:20 UTC$/m);
  assert.match(md, /\| aborted 2024-05-01 10:03:20 UTC \| bob \| 2m20s \|/);
  assert.match(md, /### ↩️ Rolled back: production/);
  const record = readable(renderDeploymentRecord(result, { type: 'standard' }));
  assert.match(record, /### Status: ABORTED\n$/);
  assert.match(record, /\| 10:03:20Z \| Wait aborted by bob after 2m20s \|/);
  assert.deepEqual(finalStatus(result), {
    state: 'failure',
    description: 'aborted by @bob: 1.2.2 serves again: aborted by bob: error budget burning',
  });
  assert.equal(deployConclusion(result), 'failure');
  assert.match(summary(result), /rolled_back \[rollout_aborted\]/);
});

test('the Deployments tab while it waits: in progress, where and what for, within 140 characters', () => {
  const cases: Array<[Partial<WaitRecord>, string | undefined, string]> = [
    [{}, undefined, 'waiting at canary 25 % for /promote production'],
    [{ kind: 'approval', approvals: 2 }, undefined, 'waiting at canary 25 % for 2 approvals'],
    [{ kind: 'approval', approvals: 1 }, undefined, 'waiting at canary 25 % for 1 approval'],
    [
      { kind: 'bake', until: '2026-12-01T10:00:00Z' },
      undefined,
      'waiting at canary 25 % baking until 2026-12-01 10:00 UTC',
    ],
    [{ kind: 'hold' }, 'x', 'waiting at canary 25 % paused by @x'],
  ];
  for (const [wait, by, description] of cases)
    assert.deepEqual(waitStatus(waitRecord(wait), 'production', by), { state: 'in_progress', description });
  // A handed-off run ends in progress (the rollout is not finished), its check run neutral, not failure.
  const handedOff = waiting();
  assert.deepEqual(finalStatus(handedOff), {
    state: 'in_progress',
    description: 'waiting at canary 50 % for 2 approvals',
  });
  assert.equal(deployConclusion(handedOff), 'neutral');
  // Going on after a wait.
  assert.deepEqual(
    waitEndStatus(waitRecord({ ended: { at: '2026-12-01T10:00:00Z', how: 'approved', by: ['a', 'b'] } })),
    {
      state: 'in_progress',
      description: 'approved by @a, @b at canary 25 %, going on',
    },
  );
  assert.equal(
    waitEndStatus(waitRecord({ ended: { at: '2026-12-01T10:00:00Z', how: 'due', by: [] } })).description,
    'bake done at canary 25 %, going on',
  );
  // Ended by the job's cancellation or an internal error's stop, the rollout rolls back: it said "going on".
  for (const [how, said] of [
    ['cancelled', 'cancelled at canary 25 %, rolling back'],
    ['stopped', 'stopped by an internal error at canary 25 %, rolling back'],
  ] as const)
    assert.equal(
      waitEndStatus(waitRecord({ ended: { at: '2026-12-01T10:00:00Z', how, by: [] } })).description,
      said,
    );
  // Long and hostile values: one line, at most 140 characters, whatever the wait says.
  const long = waitRecord({
    at: `${HOSTILE} ${'🚀'.repeat(100)}`,
    ended: { at: '2026-12-01T10:00:00Z', how: 'aborted', by: [HOSTILE] },
  });
  for (const s of [
    waitStatus(long, 'e'.repeat(100), HOSTILE),
    waitEndStatus(long),
    finalStatus(waiting({ at: long.at })),
  ]) {
    assert.ok(s.description.length <= DESCRIPTION_MAX, `${s.description.length}`);
    assert.doesNotMatch(s.description, /[\r\n]/);
    assert.ok(!/[\uD800-\uDBFF]$/.test(s.description.replace(/…$/, '')), 'no half emoji');
  }
});

test('the record lists every wait and puts them in the timeline in order', () => {
  const raw = renderDeploymentRecord(waiting(), { type: 'standard' });
  const md = readable(raw);
  const timeline = md.slice(md.indexOf('### Timeline'), md.indexOf('### Gates'));
  assert.deepEqual(
    timeline.split('\n').filter((l) => /^\| \d/.test(l)),
    [
      '| 10:00:00Z | Deployment started |',
      '| 10:00:05Z | Quality gates checked: 3 gates passed |',
      '| 10:01:00Z | Waiting at canary 25 % (step 4) (manual) |',
      '| 10:06:00Z | Wait promoted by alice after 5m |',
      '| 10:10:00Z | Waiting at canary 50 % (step 6) (approval) |',
      '| 10:11:45Z | Production deployed |',
      '| 10:11:45Z | Deployment ended: WAITING |',
    ],
  );
  assert.match(md, /### Waits\n\n\| Where \| Kind \| Since \| Ended \| By \| Waited \|/);
  assert.match(
    md,
    /\| canary 25 % \(step 4\), 25 % \| manual \| 2024-05-01 10:01 UTC \| promoted 2024-05-01 10:06 UTC \| alice \| 5m \|/,
  );
  assert.match(md, /The rollout waits at canary 50 % \(step 6\) for 2 approvals \(the job ended/);
  assert.match(md, /### Status: WAITING\n$/);
  assertTablesIntact(raw);
});

function hostileWaits(): PipelineResult {
  const r = aborted(HOSTILE);
  r.message = HOSTILE;
  r.waits = [
    waitRecord({
      at: HOSTILE,
      ended: { at: '2024-05-01T10:06:00.000Z', how: 'promoted', by: [HOSTILE, 'x|y'] },
    }),
    waitRecord({
      at: HOSTILE,
      kind: 'approval',
      approvals: 2,
      ended: { at: '2024-05-01T10:07:00.000Z', how: 'aborted', by: [HOSTILE] },
    }),
  ];
  return r;
}

test('hostile logins, step names and reasons cannot break a table or inject markup, in any report', () => {
  for (const md of [
    renderJobSummary(hostileWaits()),
    renderJobSummary({
      ...hostileWaits(),
      status: 'waiting',
      code: 'rollout_waiting',
      waits: [waitRecord({ at: HOSTILE })],
    }),
    renderDeploymentRecord(hostileWaits(), { type: 'standard' }),
  ]) {
    assertTablesIntact(md);
    assert.doesNotMatch(md.replace(/```mermaid[\s\S]*?```/, ''), /<script>|-->/);
    for (const line of md.split('\n')) assert.doesNotMatch(line, /^(second line|third)/, 'a newline leaked');
  }
});

// A cancelled or stopped wait's end, and a hand-off, were marked with the green ▶ of a wait that goes on.
test('terminal: only a wait that goes on ends with a green ▶; a stop or a cancel with a ■, a hand-off with a ⏸', () => {
  const ended = (how: WaitEnd, color: boolean) => {
    const out: string[] = [];
    terminalReporter({ write: (t) => out.push(t), color }).event({
      type: 'wait-end',
      record: waitRecord({ ended: { at: '2024-05-01T10:06:00.000Z', how, by: [] } }),
    });
    return out.join('').replace(/^\S*\[[\d:.]+\]\S* /, '');
  };
  const GREEN = '\u001b[32m';
  const RED = '\u001b[31m';
  const YELLOW = '\u001b[33m';
  const expected: Record<WaitEnd, { mark: string; colour: string }> = {
    promoted: { mark: '▶', colour: GREEN },
    approved: { mark: '▶', colour: GREEN },
    due: { mark: '▶', colour: GREEN },
    resumed: { mark: '▶', colour: GREEN },
    aborted: { mark: '■', colour: RED },
    stopped: { mark: '■', colour: RED },
    cancelled: { mark: '■', colour: YELLOW },
    handed_off: { mark: '⏸', colour: YELLOW },
  };
  for (const [how, { mark, colour }] of Object.entries(expected) as Array<
    [WaitEnd, (typeof expected)[WaitEnd]]
  >) {
    assert.ok(
      ended(how, false).startsWith(`${mark} production: ${WAIT_END_TEXT[how]} at `),
      ended(how, false),
    );
    const painted = ended(how, true);
    const markAt = painted.indexOf(mark);
    assert.ok(markAt > 0 && painted.slice(0, markAt).includes(colour), `${how}: ${JSON.stringify(painted)}`);
    if (colour !== GREEN) assert.ok(!painted.slice(0, markAt).includes(GREEN), `${how} is painted green`);
  }
});

test('terminal: a line when a wait starts (and when the job hands it off) and when it ends', () => {
  const out: string[] = [];
  const reporter = terminalReporter({ write: (t) => out.push(t), color: false });
  reporter.event({ type: 'wait-start', record: waitRecord() });
  reporter.event({
    type: 'wait-end',
    record: waitRecord({ ended: { at: '2024-05-01T10:06:00.000Z', how: 'promoted', by: ['alice'] } }),
  });
  reporter.event({
    type: 'wait-start',
    record: waitRecord({
      kind: 'bake',
      until: '2024-05-02T10:00:00Z',
      ended: { at: '2024-05-01T10:07:00Z', how: 'handed_off', by: [] },
    }),
  });
  reporter.event({
    type: 'wait-end',
    record: waitRecord({
      ended: { at: '2024-05-01T10:06:00.000Z', how: 'aborted', by: [`ev\u001b[31mil\nnext`] },
    }),
  });
  const lines = out
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\[[\d:.]+\] /, ''));
  assert.deepEqual(lines, [
    '⏸ production: waiting at canary 25 % (step 4) for /promote production (25 % new / 75 % stable) since 2024-05-01 10:01 UTC',
    '    to continue: /promote production · /promote production --full · /abort production [reason]',
    '▶ production: promoted by alice at canary 25 % (step 4) after 5m',
    '⏸ production: waiting at canary 25 % (step 4) baking until 2024-05-02 10:00 UTC (25 % new / 75 % stable) since 2024-05-01 10:01 UTC',
    '    the job ends here; the rollout stays as it is and goes on in a later run',
    '    to continue: /promote production · /abort production [reason]',
    '■ production: aborted by evil next at canary 25 % (step 4) after 5m',
  ]);
  const end = summary(waiting());
  assert.match(
    end,
    /\nWaits\n {2}production canary 25 % \(step 4\) +manual +5m {2}since 2024-05-01 10:01 UTC, promoted by alice 2024-05-01 10:06 UTC\n/,
  );
  assert.match(
    end,
    /⏸ waiting at canary 50 % \(step 6\) for 2 approvals \[rollout_waiting\]: \/promote production to go on/,
  );
  assert.doesNotMatch(end, /✖/);
  // The command line's run says its own command there, as its "to continue" lines do (before: /promote).
  const cli: string[] = [];
  terminalReporter({ write: (t) => cli.push(t), color: false, controls: 'cli' }).event({
    type: 'result',
    result: waiting(),
  });
  assert.match(cli.join(''), /\[rollout_waiting\]: deploy-action promote -e production to go on/);
  // ... and so does its line when a manual wait begins (before: "for /promote production").
  const started: string[] = [];
  terminalReporter({ write: (t) => started.push(t), color: false, controls: 'cli' }).event({
    type: 'wait-start',
    record: waitRecord(),
  });
  assert.match(
    started.join(''),
    /⏸ production: waiting at canary 25 % \(step 4\) for deploy-action promote -e production \(/,
  );
  assert.doesNotMatch(started.join(''), /\/promote/);
});

test('JSON lines: the wait events as they are, one per line', () => {
  const out: string[] = [];
  const reporter = jsonLinesReporter((t) => out.push(t));
  const start = waitRecord();
  const end = waitRecord({ ended: { at: '2024-05-01T10:06:00.000Z', how: 'promoted', by: ['alice'] } });
  reporter.event({ type: 'wait-start', record: start });
  reporter.event({ type: 'wait-end', record: end });
  const parsed = out.map((l) => JSON.parse(l) as { type: string; record: WaitRecord });
  assert.deepEqual(
    parsed.map((p) => [p.type, p.record]),
    [
      ['wait-start', start],
      ['wait-end', end],
    ],
  );
  assert.ok(out.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
});

test('a wait beside a fresh baseline names the baseline in its traffic split, in the summary, the terminal and the split itself', () => {
  const md = renderJobSummary(waiting({ weight: 20, baselineWeight: 20 }));
  const headline = md.split('\n').find((l) => l.startsWith('> **⏳ Waiting at'))!;
  assert.match(headline, /traffic 20 % new \/ 20 % baseline \/ 60 % stable · since/);
  const out: string[] = [];
  terminalReporter({ write: (t) => out.push(t), color: false }).event({
    type: 'wait-start',
    record: waitRecord({ baselineWeight: 25 }),
  });
  assert.match(out.join(''), /\(25 % new \/ 25 % baseline \/ 50 % stable\)/);
  // Without a baseline (or with none left at 100 %) the split is two-way; shares never pass 100 %.
  assert.equal(trafficSplit(25), '25 % new / 75 % stable');
  assert.equal(trafficSplit(100, 0), '100 % new / 0 % stable');
  assert.equal(trafficSplit(60, 60), '60 % new / 40 % baseline / 0 % stable');
  assert.equal(trafficSplit(undefined, 20), undefined);
});
