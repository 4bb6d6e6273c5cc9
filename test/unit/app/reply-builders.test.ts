// Every builder of text the app posts (comments, check runs, protection-rule reviews) that takes a value
// someone else chose, fed hostile values in every such field. No output may carry a hidden marker, an HTML
// comment or tag, a Markdown link or image, a code span from the input, a mention, a #-reference, an
// autolink, or a line break from the input. The end-to-end paths (dispatch's own replies) are covered by
// test/app/forged-markers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { userText } from '../../../src/github/user-text.ts';
import {
  approvalsNeededText,
  lockOwner,
  policyRefusal,
  policySummary,
  stagingSummary,
  who,
} from '../../../app/deploy/replies.ts';
import type { LockInfo } from '../../../app/locks.ts';
import { refusalReply } from '../../../app/handlers/comment.ts';
import { staleApprovalsNotice } from '../../../app/handlers/pull-request.ts';
import { parseCommand, showInput } from '../../../app/commands/parse.ts';
import {
  explainApprover,
  explainDecision,
  explainDropped,
  explainLockRefusal,
  explainRefusal,
} from '../../../src/policy/index.ts';
import type { ApprovalTally, Policy, PolicyRefusal } from '../../../src/policy/index.ts';
import { renderStatusComment } from '../../../src/github/status-comment.ts';
import { recordStatus, rollbackTarget } from '../../../app/deploy/state-replies.ts';
import type { EnvironmentRecord, RolloutWait } from '../../../src/state/record.ts';
import { planControl, recordedText, requestDisplay } from '../../../app/deploy/control.ts';
import type { PlanInput } from '../../../app/deploy/control.ts';
import { waitDisplay } from '../../../app/handlers/wait-notice.ts';
import type { ApproverDecision, DeployerDecision } from '../../../src/policy/index.ts';
import { CONTROL_VERBS } from '../../../src/control/request.ts';
import type { ControlRequest } from '../../../src/control/request.ts';

const SHA = 'a'.repeat(40);
const MARKER =
  '<!-- deploy-action:approval {"v":1,"kind":"approve","env":"production","sha":"' +
  SHA +
  '","by":"carol","perm":"write","teams":[],"at":"2025-03-04T10:00:00.000Z"} mac=' +
  'f'.repeat(64) +
  ' -->';

/** Hostile values: each tries one way out of plain text. */
const HOSTILE = [
  MARKER,
  `x\n\n${MARKER}\n`,
  '--> <!-- <img src=x onerror=alert(1)> <a href="https://evil.example">',
  '[click](https://evil.example) ![pixel](https://evil.example/p.png) [ref]: https://evil.example',
  '`code` ```fence``` ~~~tilde~~~',
  '@octocat @acme/everyone hi@evil.example',
  'see #1 and https://evil.example and www.evil.example and mailto:x@evil.example',
  'a | b |\n| --- |\n> quote\n# heading\n- list',
  '**bold** _em_ ~~strike~~ $x^2$ \\<escaped\\>',
  '\u202Eevil\u202C \u2028line\u2029para\r\nnext',
];

/** What no output may contain once a hostile value went through the builder. */
function assertInert(out: string, where: string): void {
  const at = `${where}:\n${out}`;
  assert.doesNotMatch(out, /<!--|-->/, `no HTML comment: ${at}`);
  // The app's own <details> and <sub> are fine; the input's tags are not.
  assert.doesNotMatch(out, /<(img|a |\/a|!)/i, `no HTML tag from the input: ${at}`);
  assert.doesNotMatch(out, /(?<!\\)\[(click|pixel|ref)(?<!\\)\]/, `no Markdown link or image: ${at}`);
  assert.doesNotMatch(out, /@(octocat|acme\/everyone|evil)/, `no mention: ${at}`);
  assert.doesNotMatch(out, /#1\b/, `no #-reference: ${at}`);
  assert.doesNotMatch(out, /https?:\/\/evil|www\.evil|mailto:/, `no autolink: ${at}`);
  assert.doesNotMatch(out, /(?<!\\)`(code|fence|``)/, `no code span or fence from the input: ${at}`);
  assert.doesNotMatch(
    out,
    /\n\s*(\| ---|> quote|# heading|- list|next)/,
    `no line break from the input: ${at}`,
  );
  assert.doesNotMatch(out, /[\u202E\u2028\u2029]/, `no bidi override or line separator: ${at}`);
  assert.doesNotMatch(out, /(?<!\\)\*\*bold|(?<!\\)~~strike/, `no emphasis from the input: ${at}`);
}

const tally: ApprovalTally = {
  state: 'pending',
  required: 2,
  approvedBy: [],
  rejectedBy: [],
  missing: 2,
  dropped: [],
};

function refusals(v: string): PolicyRefusal[] {
  return [
    { code: 'unknown_environment', environment: v, known: [v], message: `unknown environment "${v}"` },
    { code: 'not_a_deployer', login: v, why: 'not_listed', permission: 'write', deployers: [v] },
    { code: 'sha_moved', expected: v, actual: v },
    {
      code: 'frozen',
      reason: v,
      from: new Date(0),
      until: new Date(1),
      timezone: v,
      nextAllowed: new Date(2),
    },
    { code: 'outside_window', timezone: v, windows: [] },
    { code: 'prior_environment_missing', missing: [v], sha: v },
    {
      code: 'prior_environment_missing',
      missing: [v],
      sha: v,
      why: [{ environment: v, code: v, message: v }],
    },
    { code: 'checks_not_green', failing: [{ name: v, conclusion: v }], pending: [v], missing: [v] },
    { code: 'release_tag_missing', patterns: [v], sha: v, elsewhere: [{ name: v, sha: v }] },
    { code: 'release_tag_unreadable', patterns: [v], sha: v, reason: v },
    { code: 'rejected', vetoes: [{ login: v, at: new Date(0), reason: v }], tally },
    { code: 'needs_approvals', required: 2, missing: 2, approvedBy: [v], approvers: [v], excluded: v, tally },
  ];
}

const policy = (v: string): Policy => ({
  environment: v,
  production: true,
  deployers: [v],
  approvers: [v],
  required: 1,
  allowSelfApproval: false,
  expiresAfterMs: undefined,
  requires: [v],
  requiredChecks: [{ name: v }, { name: v, app: v }],
  releaseTags: [v],
  groups: [{ name: v, approvers: [v], required: 1 }],
  timezone: v,
  windows: [{ days: ['mon'], startMinute: 0, endMinute: 60 }],
  freezes: [],
  hotfix: { approvers: [v], required: 1, bypassWindows: true, bypassFreezes: false, requiresReason: true },
  rollback: { approvers: [v], required: 0, bypassWindows: true, bypassFreezes: true },
});

/** An environment record with the hostile value in every text field (a record the Action signed still
 * carries names and versions someone chose). */
function hostileRecord(v: string): EnvironmentRecord {
  const release = { version: v, sha: SHA, slot: v, since: '2025-03-04T10:00:00.000Z', deploymentId: v };
  return {
    schema: 1,
    repository: v,
    environment: v,
    seq: 3,
    updatedAt: '2025-03-04T10:00:00.000Z',
    live: release,
    previous: release,
    retired: [
      {
        slot: v,
        version: v,
        dueAt: '2025-03-04T10:00:00.000Z',
        deploymentId: v,
        teardown: { startedAt: '2025-03-04T10:00:00.000Z', by: v },
      },
    ],
    rollout: {
      deploymentId: v,
      version: v,
      sha: v,
      strategy: v,
      phase: v,
      step: 1,
      steps: 5,
      weight: 10,
      startedAt: '2025-03-04T10:00:00.000Z',
      owner: { kind: 'workflow', runId: v, runAttempt: v, runUrl: `https://ci.example/run/1)${v}` },
      recovery: [],
      levelsUndone: [v],
    },
    history: [{ at: '2025-03-04T10:00:00.000Z', by: v, event: v, code: v, version: v, detail: v }],
  };
}

/** A control request (/promote, /pause, /resume, /abort or a button) with the value in every field it has. */
function controlInput(v: string, over: Partial<PlanInput> & { wait?: RolloutWait } = {}): PlanInput {
  const record = hostileRecord(v);
  const { wait, ...rest } = over;
  const deployer: DeployerDecision = {
    ok: true,
    code: 'allowed',
    policy: policy(v),
    via: 'write_permission',
  };
  const approver: ApproverDecision = {
    ok: false,
    code: 'not_an_approver',
    login: v,
    why: 'not_listed',
    approvers: [v],
    also: [],
  };
  return {
    verb: 'promote',
    environment: v,
    login: v,
    source: 'comment',
    id: () => 'comment:1',
    reason: v,
    deployer,
    approver,
    read: {
      ok: true,
      record: { ...record, rollout: { ...record.rollout!, sha: SHA, ...(wait ? { wait } : {}) } },
      source: v,
    },
    // `what` is the App's own words ("the pull request"), never user text.
    bindings: [{ what: 'the pull request', sha: SHA }],
    existing: [],
    now: new Date(0),
    ...rest,
  };
}

const hostileWait = (v: string, kind: RolloutWait['kind']): RolloutWait => ({
  kind,
  step: 1,
  since: '2025-03-04T10:00:00.000Z',
  until: v,
  approvals: 2,
  by: v,
  handedOff: true,
});

/** Every builder, with the hostile value in every field it echoes. */
const BUILDERS: Record<string, (v: string) => string> = {
  userText: (v) => [userText(v), userText(v, { as: 'code' }), userText(v, { as: 'mention' })].join(' '),
  showInput: (v) => showInput(v),
  explainRefusal: (v) => refusals(v).map(explainRefusal).join('\n'),
  explainDecision: (v) =>
    explainDecision({ ...refusals(v)[0]!, ok: false, also: refusals(v).slice(1) } as never),
  explainApprover: (v) =>
    [
      explainApprover({ ok: false, code: 'self_approval_refused', login: v, also: [] }),
      explainApprover({
        ok: false,
        code: 'not_an_approver',
        login: v,
        why: 'not_listed',
        approvers: [v],
        also: [],
      }),
    ].join('\n'),
  explainDropped: (v) =>
    (['other_environment', 'stale_sha', 'not_an_approver'] as const)
      .map((reason) =>
        explainDropped({
          reason,
          record: {
            kind: 'reject',
            by: { login: v, permission: 'write', teams: [] },
            environment: v,
            sha: v,
            at: new Date(0),
            reason: v,
          },
        }),
      )
      .join('\n'),
  explainLockRefusal: (v) =>
    [
      explainLockRefusal({ ok: false, code: 'unknown_environment', message: v }),
      explainLockRefusal({ ok: false, code: 'not_a_deployer', login: v, environment: v, deployers: [v] }),
      explainLockRefusal({ ok: false, code: 'not_a_global_locker', login: v, action: 'force', lockers: [v] }),
    ].join('\n'),
  policyRefusal: (v) => policyRefusal(refusals(v)[0]!, refusals(v).slice(1)).body ?? '',
  lockOwner: (v) => {
    const held: LockInfo = {
      target: { scope: 'environment', environment: v },
      holder: v,
      reason: v,
      createdAt: v,
      sha: v,
    };
    return [
      lockOwner({ ...held, pullRequest: 7 }),
      lockOwner({ ...held, deployment: true }),
      lockOwner({ ...held, target: { scope: 'global' }, holder: 'unknown' }),
    ].join('\n');
  },
  who: (v) => who([v, v]),
  policySummary: (v) => policySummary(policy(v)),
  stagingSummary: (v) => stagingSummary(v),
  approvalsNeededText: (v) =>
    approvalsNeededText([
      { environment: v, rule: policy(v), staging: false },
      { environment: v, rule: policy(v), staging: true },
    ]) ?? '',
  staleApprovalsNotice: (v) => staleApprovalsNotice(new Map([[v, [v, 'dave']]]), v, v),
  'refusalReply (every parse refusal of the value)': (v) =>
    [
      `/deploy ${v}`,
      `/deploy '${v}'`,
      `/deploy production '--${v}'`,
      `/deploy production --strategy '${v}'`,
      `/rollback production to '${v}'`,
      `/status '${v}'`,
      `/deploy production | '${v}'`,
      `/deploy production | version='${v}'`,
      ...['promote', 'pause', 'resume', 'abort'].flatMap((verb) => [
        `/${verb} '${v}'`,
        `/${verb} production '--${v}'`,
        `/${verb} production '${v}'`,
      ]),
      `/abort production --reason '${v}' '${v}'`,
      `/${v}`,
    ]
      .map(parseCommand)
      .filter((r) => r.kind === 'invalid')
      .map((r) => refusalReply(r as never))
      .join('\n'),
  recordStatus: (v) => {
    const shown = [
      recordStatus(v, { ok: true, record: hostileRecord(v), source: v }, new Date(0)),
      recordStatus(
        v,
        {
          ok: true,
          record: {
            ...hostileRecord(v),
            rollout: { ...hostileRecord(v).rollout!, owner: { kind: 'process', pid: 1, host: v } },
          },
          source: v,
        },
        new Date(0),
      ),
      // Kept after a rollback that did not complete: the steps left name its slots.
      recordStatus(
        v,
        {
          ok: true,
          record: {
            ...hostileRecord(v),
            rollout: {
              ...hostileRecord(v).rollout!,
              owner: { kind: 'process', pid: 1, host: v },
              phase: 'rollback',
              recovery: [
                { kind: 'switch', slot: v, from: v },
                { kind: 'teardown', slot: v },
              ],
            },
          },
          source: v,
        },
        new Date(0),
      ),
      recordStatus(v, { ok: false, code: 'state_forged', message: v, source: v }, new Date(0)),
    ].join('\n');
    // The run link is the one link: its target cannot end early (no ')', space or '<').
    const run = /\]\(([^)]*)\)/.exec(shown)?.[1] ?? '';
    assert.ok(run.startsWith('https://ci.example/run/1%29'), run);
    assert.doesNotMatch(run, /[\s<>()]/);
    return shown.replace(/\]\([^)]*\)/, ']');
  },
  rollbackTarget: (v) =>
    [
      rollbackTarget(v, { ok: false, code: 'state_forged', message: v, source: v }),
      rollbackTarget(v, { ok: true, record: undefined, source: v }),
      rollbackTarget(v, { ok: true, record: { ...hostileRecord(v), previous: undefined }, source: v }),
      rollbackTarget(v, { ok: true, record: hostileRecord(v), source: v }),
      rollbackTarget(v, {
        ok: true,
        record: { ...hostileRecord(v), previous: { version: v, since: '2025-03-04T10:00:00.000Z' } },
        source: v,
      }),
      rollbackTarget(
        v,
        {
          ok: true,
          record: { ...hostileRecord(v), previous: { ...hostileRecord(v).previous!, version: '1.0.0' } },
          source: v,
        },
        'b'.repeat(12),
      ),
      // Written before the (hostile) live release went live: rollback_live_changed names it.
      rollbackTarget(
        v,
        {
          ok: true,
          record: { ...hostileRecord(v), previous: { ...hostileRecord(v).previous!, version: '1.0.0' } },
          source: v,
        },
        undefined,
        '2025-03-04T09:00:00Z',
      ),
    ]
      .map((t) => (t.ok ? `ok ${t.version}` : t.message))
      .join('\n'),
  'control requests: every verb, every refusal and what happens next': (v) => {
    const texts: string[] = [];
    const approverOk: ApproverDecision = {
      ok: true,
      code: 'allowed',
      policy: policy(v),
      via: 'write_permission',
    };
    const earlier: ControlRequest = {
      id: 'comment:0',
      verb: 'promote',
      by: v,
      at: '1970-01-01T00:00:00.000Z',
      deploymentId: v,
      sha: SHA,
      step: 1,
      approver: true,
      source: 'comment',
    };
    for (const verb of CONTROL_VERBS)
      for (const kind of ['manual', 'approval', 'bake', 'hold'] as const)
        for (const approver of [controlInput(v).approver, approverOk]) {
          const plan = planControl(
            controlInput(v, { verb, approver, wait: hostileWait(v, kind), existing: [earlier] }),
          );
          if (plan.ok) {
            texts.push(
              recordedText(plan, v),
              recordedText(plan, v, { environment: v, status: 'dispatched', workflow: v, ref: v }),
            );
            const display = requestDisplay(plan, v);
            texts.push(display.title, display.summary);
          } else texts.push(plan.message);
        }
    assert.ok(texts.filter((t) => t.includes(' recorded for ')).length >= 16, 'the recorded paths ran');
    const refused: DeployerDecision = {
      ok: false,
      code: 'not_a_deployer',
      login: v,
      why: 'not_listed',
      permission: 'write',
      deployers: [v],
      also: [],
    };
    const refusals = [
      controlInput(v, { deployer: refused }),
      controlInput(v, { deployer: refused, verb: 'abort' }),
      controlInput(v, { read: { ok: false, code: 'state_forged', message: v, source: v } }),
      controlInput(v, { read: { ok: true, record: undefined, source: v } }),
      controlInput(v, { deploymentId: `${v}x` }),
      controlInput(v, { bindings: [{ what: 'the pull request', sha: 'b'.repeat(40) }] }),
      controlInput(v, { verb: 'pause', wait: hostileWait(v, 'hold') }),
      controlInput(v, { verb: 'resume' }),
    ].map(planControl);
    for (const r of refusals) {
      assert.equal(r.ok, false);
      if (!r.ok) texts.push(r.message);
    }
    return texts.join('\n');
  },
  waitDisplay: (v) =>
    (['manual', 'approval', 'bake', 'hold'] as const)
      .map((kind) => {
        const d = waitDisplay(v, { ...hostileRecord(v).rollout!, wait: hostileWait(v, kind) });
        return `${d.title}\n${d.summary}`;
      })
      .join('\n'),
  renderStatusComment: (v) => {
    const body = renderStatusComment({
      environment: v,
      state: 'success',
      description: v,
      version: v,
      sha: SHA,
      strategy: v,
      runUrl: `https://ci.example/run/1)${v}`,
      environmentUrl: `javascript:alert(1)//${v}`,
      commits: [{ sha: SHA, message: v, author: v }],
      updatedAt: '2025-03-04T10:00:00.000Z',
    });
    // Only http(s) is linked, and the link target cannot end early: it holds no ')', space or '<'.
    assert.doesNotMatch(body, /\[open\]/, 'a javascript: URL is not linked');
    const run = /\[run\]\(([^)]*)\)/.exec(body)?.[1] ?? '';
    assert.ok(run.startsWith('https://ci.example/run/1%29'), run);
    assert.doesNotMatch(run, /[\s<>()]/);
    // The status comment's own markers (its first line, and its last: the data, base64) are not user text.
    return body
      .replace(/\[run\]\([^)]*\)/, '')
      .split('\n')
      .slice(1, -1)
      .join('\n');
  },
};

for (const [name, build] of Object.entries(BUILDERS)) {
  test(`${name}: no hostile value leaves plain text`, () => {
    for (const value of HOSTILE) {
      const where = `${name}(${JSON.stringify(value).slice(0, 50)})`;
      const out = build(value);
      // An empty output (a builder that stopped echoing, a refusal filtered away) would pass every check.
      assert.ok(out.trim() !== '', `${where} built nothing`);
      assertInert(out, where);
    }
  });
}

test('the escaped text still reads as what was written', () => {
  assert.equal(
    userText('db migration, back at 15:00 (see INC-42)'),
    'db migration, back at 15\u200D:00 \\(see INC-42\\)',
  );
  assert.equal(userText('production', { as: 'code' }), '`production`');
  assert.equal(userText('a`b', { as: 'code' }), 'a\\`b');
  assert.equal(userText('alice', { as: 'mention' }), '@alice');
  assert.equal(userText('acme/sre', { as: 'mention' }), '@acme/sre');
  assert.equal(userText('<b>', { as: 'mention' }), '&lt;b&gt;');
  assert.equal(userText('x'.repeat(10), { max: 5 }), 'xxxx…');
  assert.equal(userText('x'.repeat(10), { as: 'code', max: 5 }), '`xxxx…`');
  assert.equal(userText(undefined), '');
});

test('a value read from JSON that is not text (a mapping whose toString is a key, a list) is shown escaped, not a crash', () => {
  // String() of { toString: "x" } throws: a record or payload field of the wrong kind must still be shown.
  for (const as of ['text', 'code', 'mention'] as const) {
    const shown = userText({ toString: '<!-- x -->', valueOf: '@alice' }, { as });
    assert.ok(!shown.includes('<!--') && !shown.includes('@alice'), shown);
    assert.match(shown, /toString/);
  }
  assert.equal(userText(['a', { toString: 'b' }]), 'a,\\{"toString"\u200D:"b"\\}');
  assert.equal(userText(42), '42');
});

test('policySummary names each approval group and its count (seed 05: Manager + Security)', () => {
  const summary = policySummary({
    ...policy('production'),
    approvers: ['acme/managers', 'acme/security'],
    required: 2,
    groups: [
      { name: 'Manager', approvers: ['acme/managers'], required: 1 },
      { name: 'Security', approvers: ['acme/security'], required: 1 },
    ],
  });
  assert.match(
    summary,
    /2 approval\(s\) from .*; of which 1 from `Manager` \(acme\/managers\) and 1 from `Security` \(acme\/security\)/,
  );
  assert.doesNotMatch(policySummary({ ...policy('production'), groups: undefined }), /of which/);
});

test('the push notice asks to approve again only where approvals were given or asked for', () => {
  const before = 'b'.repeat(40);
  const after = 'c'.repeat(40);
  const bare = staleApprovalsNotice(new Map(), before, after);
  assert.match(bare, /New commit `ccccccc` was pushed/);
  assert.match(bare, /Commands written from now on act on `ccccccc`/);
  assert.doesNotMatch(bare, /approve again/);
  const stale = staleApprovalsNotice(new Map([['production', ['dave']]]), before, after);
  assert.match(stale, /approve again for the new commit/);
  const asked = staleApprovalsNotice(new Map(), before, after, ['production']);
  assert.match(asked, /approve again for the new commit/);
});

test('/status shows a rollout kept for an undone rollback level: which, what it refuses, and the way out', () => {
  // It showed only "rollout in progress ... phase rollback": nothing said a level was undone, that
  // deployments are refused until reconcile has run it, or what to do about a level that cannot succeed.
  const record: EnvironmentRecord = {
    ...hostileRecord('x'),
    environment: 'production',
    rollout: {
      ...hostileRecord('x').rollout!,
      version: 'v2',
      phase: 'rollback',
      levelsUndone: ['level code'],
    },
  };
  const shown = recordStatus('production', { ok: true, record, source: 'test' }, new Date(0));
  assert.match(
    shown,
    /\n- \*\*rollback left undone\*\*: level code\. A reconcile runs the `on_rollback` levels again .*`mode: reconcile`.* until then a deployment of `production` is refused \(`rollout_unfinished`\)\. A level that cannot succeed: fix its `run` or `verify` in deploy\.yml .*take it out of `on_rollback` once what it undoes is done by hand/,
  );
});

test('/status shows the steps a rollback that did not complete left, before the levels it left undone', () => {
  // It showed only the levels: a rollout whose switch back failed read as "phase rollback" with nothing to
  // say that traffic may not be back, nor which steps a reconcile still has to run.
  const kept = (phase: string): EnvironmentRecord => ({
    ...hostileRecord('x'),
    environment: 'production',
    rollout: {
      ...hostileRecord('x').rollout!,
      version: 'v2',
      phase,
      recovery: [
        { kind: 'switch', slot: 'blue', from: 'green' },
        { kind: 'teardown', slot: 'green_*x*' },
      ],
      levelsUndone: ['level code'],
    },
  });
  const shown = recordStatus(
    'production',
    { ok: true, record: kept('rollback'), source: 'test' },
    new Date(0),
  );
  assert.match(
    shown,
    /\n- \*\*rollback steps left\*\*: switch traffic green → blue, teardown on green\\_\\\*x\\\*\. A reconcile runs them .*until then a deployment of `production` is refused \(`rollout_unfinished`\)\.\n- \*\*rollback left undone\*\*: level code\./,
  );
  // A rollout still rolling out: its recovery is written ahead, not left by a rollback.
  assert.doesNotMatch(
    recordStatus('production', { ok: true, record: kept('production'), source: 'test' }, new Date(0)),
    /rollback steps left/,
  );
});
