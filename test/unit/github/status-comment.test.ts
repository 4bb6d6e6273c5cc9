// The PR status comment: render/parse round trip, markers per environment, damaged data, only bot comments
// taken over, update by id with a fallback, pagination; against tiny fakes and the real fake GitHub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import {
  findStatusComment,
  COMMENT_MAX_CHARS,
  keepWarning,
  MAX_FINISHED_WAITS,
  MAX_WARNINGS,
  parseStatusComment,
  renderStatusComment,
  statusCommentEnvironment,
  statusMarker,
  upsertStatusComment,
  waitHolds,
  type CommentsApi,
  type StatusCommentFinishedWait,
  type StatusCommentState,
  type StatusCommentWait,
  type StatusCommentWarning,
  type StatusCommentWarnings,
} from '../../../src/github/status-comment.ts';
import { createFakeGitHub, fakeSha } from '../../fake-github/index.ts';
import { nextStatusState } from '../../../app/handlers/deployment-status.ts';

const SHA = 'b'.repeat(40);
const where = { owner: 'acme', repo: 'web', pullNumber: 7, environment: 'production' };

function state(extra: Partial<StatusCommentState> = {}): StatusCommentState {
  return {
    environment: 'production',
    state: 'success',
    sha: SHA,
    version: '1.2.3',
    strategy: 'canary',
    deploymentId: 99,
    runUrl: 'https://github.com/acme/web/actions/runs/1',
    environmentUrl: 'https://example.com',
    previousSha: 'a'.repeat(40),
    commits: [{ sha: 'c'.repeat(40), message: 'Fix the thing\n\nlong body', author: 'alice' }],
    commitsTotal: 1,
    updatedAt: '2024-05-01T10:00:00.000Z',
    ...extra,
  };
}

test('render then parse gives back the same state', () => {
  const s = state();
  const body = renderStatusComment(s);
  assert.ok(body.startsWith(statusMarker('production')));
  assert.deepEqual(parseStatusComment(body, 'production'), s);
  assert.match(body, /### ✅ production: success/);
  assert.match(
    body,
    /\*\*1\.2\.3\*\* · `bbbbbbbbbbbb` · via canary · \[run\]\(.*\) · \[open `example\.com`\]\(https:\/\/example\.com\)/,
  );
  assert.match(body, /1 commit since `aaaaaaaaaaaa`/);
  assert.match(body, /- `ccccccc` Fix the thing \(alice\)/);
  assert.doesNotMatch(body, /long body/, 'only the first line of a commit message');
});

test('the open link names the host it leads to: the URL is whoever wrote the status, not the App', () => {
  const body = renderStatusComment(
    state({ environmentUrl: 'https://login.evil.example:8443/github.com/acme/web?x=1' }),
  );
  assert.match(body, /\[open `login\.evil\.example:8443`\]\(https:\/\/login\.evil\.example:8443\//);
});

test('more commits than listed are counted; the open link only on success', () => {
  const body = renderStatusComment(state({ state: 'in_progress', commitsTotal: 300 }));
  assert.match(body, /300 commits since/);
  assert.match(body, /- … and 299 more/);
  assert.doesNotMatch(body, /\[open/);
  assert.match(body, /### 🚀 production: in progress/);
});

test("another environment's comment is not this one's", () => {
  const body = renderStatusComment(state({ environment: 'staging' }));
  assert.equal(parseStatusComment(body, 'production'), undefined);
  assert.ok(parseStatusComment(body, 'staging'));
  // A name that is a prefix of another does not match either.
  assert.equal(
    parseStatusComment(renderStatusComment(state({ environment: 'prod' })), 'production'),
    undefined,
  );
  assert.equal(parseStatusComment(renderStatusComment(state()), 'prod'), undefined);
});

test('a damaged or forged data block parses to undefined, never throws', () => {
  const body = renderStatusComment(state());
  const marker = statusMarker('production');
  const dataStart = body.lastIndexOf('<!-- deploy-action:data ');
  const cases = [
    body.slice(0, dataStart), // no data block
    body.replace(/ -->$/, ''), // unterminated
    body.slice(0, dataStart) + '<!-- deploy-action:data !!!not base64!!! -->',
    body.slice(0, dataStart) + `<!-- deploy-action:data ${Buffer.from('{"broken').toString('base64')} -->`,
    body.slice(0, dataStart) + `<!-- deploy-action:data ${Buffer.from('null').toString('base64')} -->`,
    `${marker}\n<!-- deploy-action:data ${Buffer.from(JSON.stringify({ environment: 'staging', sha: SHA })).toString('base64')} -->`,
    `${marker}\n<!-- deploy-action:data ${Buffer.from(JSON.stringify({ environment: 'production' })).toString('base64')} -->`,
    `hello ${body}`,
  ];
  for (const c of cases) assert.equal(parseStatusComment(c, 'production'), undefined, c.slice(-80));
});

test('hostile text in the state cannot close the hidden data comment or break the markup', () => {
  const hostile = 'x --> <script>alert(1)</script> | `tick` \n# heading';
  const s = state({
    version: 'v1',
    description: hostile,
    strategy: hostile,
    commits: [{ sha: 'c'.repeat(40), message: hostile, author: '<img src=x>' }],
  });
  const body = renderStatusComment(s);
  assert.doesNotMatch(body, /<script>|<img/);
  // The only "-->" are the ends of the two hidden comments.
  assert.equal(body.split('-->').length - 1, 2);
  assert.deepEqual(parseStatusComment(body, 'production'), s);
  // Environment names with quotes are quoted by the marker itself.
  assert.equal(statusMarker('a"b'), '<!-- deploy-action:status environment="a\\"b" -->');
});

interface Stored {
  id: number;
  body: string;
  user: { login: string; type?: string } | null;
}

function fakeComments(initial: Stored[]): CommentsApi & { comments: Stored[]; calls: string[] } {
  const comments = [...initial];
  const calls: string[] = [];
  return {
    comments,
    calls,
    issues: {
      listComments: async (p) => {
        calls.push(`list ${p.page}`);
        return { data: comments.slice((p.page - 1) * p.per_page, p.page * p.per_page) };
      },
      createComment: async (p) => {
        calls.push('create');
        const id = 1000 + comments.length;
        comments.push({ id, body: p.body, user: { login: 'github-actions[bot]', type: 'Bot' } });
        return { data: { id } };
      },
      updateComment: async (p) => {
        calls.push(`update ${p.comment_id}`);
        const c = comments.find((x) => x.id === p.comment_id);
        if (!c) throw Object.assign(new Error('Not Found'), { status: 404 });
        c.body = p.body;
        return { data: { id: c.id } };
      },
      getComment: async (p) => {
        calls.push(`get ${p.comment_id}`);
        const c = comments.find((x) => x.id === p.comment_id);
        if (!c) throw Object.assign(new Error('Not Found'), { status: 404 });
        return { data: c };
      },
      deleteComment: async (p) => {
        calls.push(`delete ${p.comment_id}`);
        const at = comments.findIndex((x) => x.id === p.comment_id);
        if (at < 0) throw Object.assign(new Error('Not Found'), { status: 404 });
        comments.splice(at, 1);
        return {};
      },
    },
  };
}

const person = { login: 'mallory', type: 'User' };
const bot = { login: 'github-actions[bot]', type: 'Bot' };
/** The token this writes with is the workflow's (github-actions[bot]). */
const asWorkflow = async () => 'github-actions[bot]';

test("a person's comment carrying the marker is not taken over", async () => {
  const forged = renderStatusComment(state({ version: 'forged' }));
  const api = fakeComments([{ id: 1, body: forged, user: person }]);
  assert.equal(await findStatusComment(api, where, ['github-actions[bot]']), undefined);
  const r = await upsertStatusComment(api, where, () => state(), undefined, asWorkflow);
  assert.deepEqual(r, { id: 1001, created: true });
  assert.equal(api.comments[0]!.body, forged, "the person's comment is untouched");
  // A deleted user (user: null) is not a bot either.
  assert.equal(
    await findStatusComment(fakeComments([{ id: 2, body: forged, user: null }]), where, [
      'github-actions[bot]',
    ]),
    undefined,
  );
});

test("the comment of the token's own account is found (any case), and its state handed to next()", async () => {
  const old = state({ state: 'in_progress', version: '1.0.0' });
  for (const user of [bot, { login: 'GitHub-Actions[bot]' }]) {
    const api = fakeComments([
      { id: 1, body: 'LGTM', user: person },
      { id: 2, body: renderStatusComment(state({ environment: 'staging' })), user: bot },
      { id: 3, body: renderStatusComment(old), user },
    ]);
    let seen: StatusCommentState | undefined;
    const r = await upsertStatusComment(
      api,
      where,
      (previous) => {
        seen = previous;
        return { ...previous!, state: 'success' };
      },
      undefined,
      asWorkflow,
    );
    assert.deepEqual(r, { id: 3, created: false });
    assert.deepEqual(seen, old);
    assert.equal(parseStatusComment(api.comments[2]!.body, 'production')?.state, 'success');
    assert.equal(parseStatusComment(api.comments[1]!.body, 'staging')?.state, 'success', 'staging untouched');
    assert.equal(api.calls.filter((c) => c === 'create').length, 0);
  }
});

test("another account's status comment is neither taken nor read: another app's, another token's, a bot's", async () => {
  const forged = (version: string) => renderStatusComment(state({ state: 'in_progress', version }));
  const api = fakeComments([
    { id: 1, body: forged('other-app'), user: { login: 'other-app[bot]', type: 'Bot' } },
    { id: 2, body: forged('workflow'), user: bot },
    { id: 3, body: forged('dependabot'), user: { login: 'dependabot[bot]', type: 'Bot' } },
  ]);
  // The Action writing with an app's installation token: only that app's comment would be its own.
  let seen: StatusCommentState | undefined = state();
  const r = await upsertStatusComment(
    api,
    where,
    (previous) => {
      seen = previous;
      return state({ state: 'success' });
    },
    undefined,
    async () => 'deploy-bot[bot]',
  );
  assert.deepEqual(r, { id: 1003, created: true });
  assert.equal(seen, undefined, 'no state read back from any of them');
  for (const c of api.comments.slice(0, 3))
    assert.match(c.body, /in_progress|in progress/i, `${c.id} untouched`);
  assert.equal(await findStatusComment(api, where, ['deploy-bot[bot]']), undefined);
  // The account cannot be told: nothing is searched, a comment of its own is written.
  const unknown = fakeComments([{ id: 2, body: forged('workflow'), user: bot }]);
  assert.deepEqual(
    await upsertStatusComment(
      unknown,
      where,
      () => state(),
      undefined,
      async () => undefined,
    ),
    { id: 1001, created: true },
  );
  assert.deepEqual(unknown.calls, ['create']);
});

test('a known id is updated directly; a 404 falls back to the search', async () => {
  const api = fakeComments([{ id: 5, body: renderStatusComment(state()), user: bot }]);
  assert.deepEqual(await upsertStatusComment(api, where, () => state({ version: '2' }), 5, asWorkflow), {
    id: 5,
    created: false,
  });
  assert.deepEqual(api.calls, ['update 5']);

  const deleted = fakeComments([{ id: 6, body: renderStatusComment(state()), user: bot }]);
  assert.deepEqual(
    await upsertStatusComment(deleted, where, () => state({ version: '3' }), 404404, asWorkflow),
    {
      id: 6,
      created: false,
    },
  );
  assert.deepEqual(deleted.calls, ['update 404404', 'list 1', 'update 6']);
  assert.equal(parseStatusComment(deleted.comments[0]!.body, 'production')?.version, '3');
});

test('an update error other than 404 is thrown, not turned into a second comment', async () => {
  const api = fakeComments([]);
  api.issues.updateComment = async () => {
    throw Object.assign(new Error('Forbidden'), { status: 403 });
  };
  await assert.rejects(
    upsertStatusComment(api, where, () => state(), 5, asWorkflow),
    /Forbidden/,
  );
  assert.equal(api.comments.length, 0);
});

test('the search pages through full pages and stops at a short one', async () => {
  const filler: Stored[] = Array.from({ length: 230 }, (_, i) => ({
    id: i + 1,
    body: `comment ${i}`,
    user: person,
  }));
  filler[215] = { id: 216, body: renderStatusComment(state()), user: bot };
  const api = fakeComments(filler);
  assert.equal((await findStatusComment(api, where, ['github-actions[bot]']))?.id, 216);
  assert.deepEqual(api.calls, ['list 1', 'list 2', 'list 3']);

  const none = fakeComments(filler.slice(0, 200).map((c) => ({ ...c, user: person })));
  assert.equal(await findStatusComment(none, where, ['github-actions[bot]']), undefined);
  assert.deepEqual(none.calls, ['list 1', 'list 2', 'list 3'], 'an empty third page ends the search');
});

test('against the fake GitHub: created once, then updated in place, a human marker ignored', async () => {
  const gh = await createFakeGitHub();
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', pulls: [{ number: 7, head: fakeSha('head'), user: 'carol' }] });
    gh.addComment(7, { user: 'mallory', body: renderStatusComment(state({ version: 'forged' })) });
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    const api = octokit.rest as unknown as CommentsApi;
    const first = await upsertStatusComment(
      api,
      where,
      () => state({ state: 'queued' }),
      undefined,
      asWorkflow,
    );
    assert.equal(first.created, true);
    const second = await upsertStatusComment(
      api,
      where,
      (previous) => {
        assert.equal(previous?.state, 'queued');
        return { ...previous!, state: 'success' };
      },
      undefined,
      asWorkflow,
    );
    assert.deepEqual(second, { id: first.id, created: false });
    const { data } = await octokit.rest.issues.listComments({ owner: 'acme', repo: 'web', issue_number: 7 });
    assert.equal(data.length, 2);
    assert.equal(parseStatusComment(data[1]!.body!, 'production')?.state, 'success');
    assert.match(data[0]!.body!, /forged/);
    assert.equal(gh.requestsFor('issues/create-comment').length, 1);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

// ---- a rollout that waits (issue 14) -------------------------------------------------------------------------

const WAIT: StatusCommentWait = {
  kind: 'manual',
  step: 3,
  at: 'canary 25 %',
  weight: 25,
  since: '2026-12-01T09:00:00.000Z',
  handedOff: true,
  metrics: {
    at: 'canary-step @ 25%',
    values: [
      { name: 'error_rate', value: 0.4, stable: 0.5 },
      { name: 'latency_p99', value: null },
    ],
  },
};

const DONE: StatusCommentFinishedWait = {
  kind: 'manual',
  step: 1,
  at: 'canary 10 %',
  weight: 10,
  since: '2026-12-01T08:00:00.000Z',
  endedAt: '2026-12-01T08:05:00.000Z',
  how: 'promoted',
  by: ['alice'],
  waitedMs: 300_000,
};

function waitingState(wait: Partial<StatusCommentWait> = {}, extra: Partial<StatusCommentState> = {}) {
  return state({
    state: 'in_progress',
    description: 'waiting at canary 25 % for /promote production',
    wait: { ...WAIT, ...wait },
    waits: [DONE],
    ...extra,
  });
}

test('a waiting rollout: the step, the split, the metrics so far, the commands; round trip', () => {
  const s = waitingState();
  const body = renderStatusComment(s);
  assert.deepEqual(parseStatusComment(body, 'production'), s);
  assert.match(body, /#### ⏸️ Waiting at canary 25 % \(step 4\) for \/promote production/);
  assert.match(body, /- Traffic: \*\*25 %\*\* new \(1\.2\.3\) · \*\*75 %\*\* stable/);
  assert.match(body, /the job ended: no runner waits/);
  assert.match(body, /- Metrics at canary-step @ 25%: error\\_rate 0\.4 \(stable 0\.5\) · latency\\_p99 —/);
  for (const command of ['/promote production', '/promote production --full', '/abort production [reason]'])
    assert.ok(body.includes(`- \`${command}\`: `), `missing ${command}:\n${body}`);
  assert.doesNotMatch(body, /\/resume/, 'only a hold is resumed');
  assert.match(body, /<summary>1 earlier wait, 5m in all<\/summary>/);
  assert.match(
    body,
    /- canary 10 % \(step 2\), manual: promoted by alice at 2026-12-01 08\u200d:05 UTC after 5m/,
  );
});

test('an approval step ahead: no --full among the commands (it would be refused), kept over a round trip', () => {
  const s = waitingState({ approvalsAhead: ['canary 50 %'] });
  const body = renderStatusComment(s);
  assert.deepEqual(parseStatusComment(body, 'production'), s);
  assert.ok(body.includes('- `/promote production`: '), body);
  assert.doesNotMatch(body, /--full/);
});

test('the approval steps ahead are stored where an older App reads the comment whole, and never go with a later wait', () => {
  // Kept in the wait's own part (checked key by key), they made an older App (whose wait part has no such key)
  // drop the comment's state and re-render it from the event alone: the version, the commit list, the waits
  // and warnings lost, and its check against an older status skipped.
  const s = waitingState({ approvalsAhead: ['canary 50 %'] });
  const body = renderStatusComment(s);
  const data = JSON.parse(
    Buffer.from(/deploy-action:data ([A-Za-z0-9+/=]+) -->$/.exec(body)![1]!, 'base64').toString(),
  );
  // The keys of a wait that Apps from before the approval steps ahead accept (status-comment.ts waitSchema then).
  const older = [
    'kind',
    'step',
    'at',
    'weight',
    'since',
    'until',
    'approvals',
    'approvedBy',
    'by',
    'handedOff',
    'metrics',
  ];
  assert.deepEqual(
    Object.keys(data.wait).filter((k) => !older.includes(k)),
    [],
    'a key an older App refuses',
  );
  assert.deepEqual(parseStatusComment(body, 'production'), s);
  // An older App keeps what it does not know at the top level, and drops the wait once it is over: a later
  // wait (another since) of the same comment offers --full again unless its own run says otherwise.
  const { wait: _, ...over } = data;
  const later = {
    ...over,
    wait: { ...data.wait, step: 5, at: 'canary 75 %', since: '2026-12-01T09:30:00.000Z' },
  };
  const reread = parseStatusComment(
    `${body.slice(0, body.lastIndexOf('<!-- deploy-action:data '))}<!-- deploy-action:data ${Buffer.from(JSON.stringify(later)).toString('base64')} -->`,
    'production',
  );
  assert.ok(reread?.wait, 'parsed');
  assert.equal(reread.wait.approvalsAhead, undefined);
  assert.match(renderStatusComment(reread), /`\/promote production --full`/);
});

test('each kind of wait says what it waits for and how to go on', () => {
  const approval = renderStatusComment(
    waitingState({ kind: 'approval', approvals: 2, approvedBy: ['carol'] }),
  );
  assert.match(approval, /Waiting at canary 25 % \(step 4\) for 2 approvals/);
  assert.match(approval, /- Approvals: 1 of 2 \(carol\), from the environment's approvers/);
  assert.match(approval, /- `\/promote production`: approve \(each approver once\)/);

  const bake = renderStatusComment(waitingState({ kind: 'bake', until: '2026-12-02T09:00:00Z' }));
  assert.match(bake, /baking until 2026-12-02 09\u200d:00 UTC/);
  assert.match(bake, /- Goes on by itself at 2026-12-02 09\u200d:00 UTC/);
  assert.match(bake, /- `\/promote production`: end the bake now/);

  const hold = renderStatusComment(waitingState({ kind: 'hold', by: 'dave' }));
  assert.match(hold, /paused by dave/);
  assert.match(hold, /- `\/resume production`: go on from here/);
  assert.doesNotMatch(hold, /@dave/, 'no @-mention on every update of the comment');

  // Finished waits alone (the rollout went on): no "earlier".
  const after = renderStatusComment(
    state({ waits: [DONE, { ...DONE, how: 'due', by: [], at: 'canary 50 %' }] }),
  );
  assert.match(after, /<summary>2 waits, 10m in all<\/summary>/);
  assert.match(after, /- canary 50 % \(step 2\), manual: bake done at /);
  assert.doesNotMatch(after, /Waiting at|To continue/);
});

test('hostile logins, step names, metric names and reasons stay inert text in the wait', () => {
  const hostile = 'x --> <script>alert(1)</script> | `tick` @everyone #1 [l](https://e.vil) \n# heading';
  const s = waitingState(
    {
      kind: 'approval',
      approvals: 3,
      at: hostile,
      approvedBy: [hostile, 'ok-login'],
      by: hostile,
      metrics: { at: hostile, values: [{ name: hostile, value: 1 }] },
    },
    {
      description: hostile,
      waits: [{ ...DONE, at: hostile, by: [hostile], how: 'aborted' }],
      warnings: { latest: [{ ...WARNING, check: hostile, reason: hostile }], earlier: 0 },
    },
  );
  const body = renderStatusComment(s);
  assert.deepEqual(parseStatusComment(body, 'production'), s);
  assert.match(
    body,
    /analysis warning \(not rollbacks\)\n\n- x --&gt; &lt;script&gt;/,
    'the warning is listed',
  );
  assert.doesNotMatch(body, /<script>|\[l\]\(/);
  assert.equal(body.split('-->').length - 1, 2, 'only the two hidden comments end');
  assert.doesNotMatch(body, /@everyone|(^|[^\\])#1/);
  for (const line of body.split('\n')) assert.doesNotMatch(line, /^# heading/, 'a line break leaked');
  // An environment that is not a plain name is not put in a code span raw.
  const odd = renderStatusComment({ ...waitingState(), environment: 'a`b' });
  assert.doesNotMatch(odd, /`\/promote a`b`/);
  assert.ok(parseStatusComment(odd, 'a`b'));
});

const WARNING: StatusCommentWarning = {
  check: 'error-rate-soft',
  reason: 'error_rate 0.031 is above the warning limit 0.02',
  phase: 'canary-step',
  weight: 25,
  at: '2026-12-01T08:10:00.000Z',
};

test('analysis warnings: listed under the status with where they fired, and round trip', () => {
  const warnings: StatusCommentWarnings = {
    latest: [WARNING, { ...WARNING, check: 'p99 latency', phase: 'monitor', weight: undefined }],
    earlier: 3,
  };
  delete warnings.latest[1]!.weight;
  const s = state({ state: 'in_progress', description: 'canary to 1.2.3', warnings });
  const body = renderStatusComment(s);
  const back = parseStatusComment(body, 'production');
  assert.deepEqual(back, s);
  assert.equal(renderStatusComment(back!), body, 'render, parse, render gives the same comment');
  assert.match(
    body,
    /> canary to 1\.2\.3\n\n#### ⚠️ 5 analysis warnings \(not rollbacks\)\n\n- … 3 earlier\n- `error-rate-soft` in canary-step at 25 %: error\\_rate 0\.031 is above the warning limit 0\.02\n- p99 latency in monitor: /,
  );
  // None, or a comment written before warnings were kept: no list, and it still parses.
  assert.doesNotMatch(renderStatusComment(state()), /analysis warning/);
  assert.equal(parseStatusComment(renderStatusComment(state()), 'production')?.warnings, undefined);
});

test('analysis warnings are bounded: the newest kept, the rest counted; a comment too big drops the oldest', () => {
  let kept: StatusCommentWarnings | undefined;
  for (let i = 0; i < MAX_WARNINGS + 5; i++) kept = keepWarning(kept, { ...WARNING, check: `c${i}` });
  assert.equal(MAX_WARNINGS, 10);
  assert.deepEqual(
    kept!.latest.map((w) => w.check),
    Array.from({ length: MAX_WARNINGS }, (_, i) => `c${i + 5}`),
  );
  assert.equal(kept!.earlier, 5);
  const body = renderStatusComment(state({ warnings: kept }));
  assert.match(body, /15 analysis warnings \(not rollbacks\)\n\n- … 5 earlier\n- `c5` /);
  assert.deepEqual(parseStatusComment(body, 'production')?.warnings, kept);

  // Warnings at their longest, of characters the data line spells out at length (a control character is six
  // in JSON, eight in base64): with a crowded comment, the oldest warnings go (counted) after the commits and
  // the waits, and before the description is cut; the rest is still read back.
  const wide = (i: number): StatusCommentWarning => ({
    ...WARNING,
    check: `${'\u0001'.repeat(190)}${i}`,
    reason: '<\u0001'.repeat(250),
  });
  const commits = Array.from({ length: 100 }, (_, i) => ({
    sha: fakeSha(`c${i}`),
    message: `<&>${'<&>'.repeat(33)}`,
    author: `<${'a'.repeat(199)}`,
  }));
  const crowded = state({
    commits,
    commitsTotal: 100,
    description: '<\u0001'.repeat(1000),
    version: '<\u0001'.repeat(100),
    runUrl: `https://github.com/acme/web/actions/runs/1?${'a'.repeat(1900)}`,
    warnings: { latest: Array.from({ length: MAX_WARNINGS }, (_, i) => wide(i)), earlier: 7 },
  });
  const fitted = renderStatusComment(crowded);
  assert.ok(fitted.length <= COMMENT_MAX_CHARS, `${fitted.length} characters`);
  const back = parseStatusComment(fitted, 'production')!;
  assert.ok(back, 'the data line is read back');
  const n = back.warnings!.latest.length;
  assert.ok(n > 0 && n < MAX_WARNINGS, `${n} warnings listed`);
  assert.equal(n + back.warnings!.earlier, MAX_WARNINGS + 7, 'every warning listed or counted');
  assert.deepEqual(back.warnings!.latest, crowded.warnings!.latest.slice(-n), 'the newest kept');
  assert.equal(back.description, crowded.description, 'the description was not needed to cut');
});

test('a warnings part that does not fit its schema makes the data damaged', () => {
  const marker = statusMarker('production');
  const encode = (data: unknown) =>
    `${marker}\n<!-- deploy-action:data ${Buffer.from(JSON.stringify(data)).toString('base64')} -->`;
  const good = state({ warnings: { latest: [WARNING], earlier: 0 } });
  assert.deepEqual(parseStatusComment(encode(good), 'production'), good);
  const bad: Array<[string, unknown]> = [
    [
      'too many',
      { ...good, warnings: { latest: Array.from({ length: MAX_WARNINGS + 1 }, () => WARNING), earlier: 0 } },
    ],
    ['an unknown phase', { ...good, warnings: { latest: [{ ...WARNING, phase: 'forever' }], earlier: 0 } }],
    ['an empty check name', { ...good, warnings: { latest: [{ ...WARNING, check: '' }], earlier: 0 } }],
    [
      'a reason too long',
      { ...good, warnings: { latest: [{ ...WARNING, reason: 'r'.repeat(501) }], earlier: 0 } },
    ],
    ['weight over 100', { ...good, warnings: { latest: [{ ...WARNING, weight: 101 }], earlier: 0 } }],
    ['a negative count', { ...good, warnings: { latest: [], earlier: -1 } }],
    ['a list, not the object', { ...good, warnings: [WARNING] }],
  ];
  for (const [why, data] of bad) assert.equal(parseStatusComment(encode(data), 'production'), undefined, why);
});

test("the App keeps the Action's warnings through its deployment's statuses, not into another deployment's", () => {
  const previous = state({
    state: 'in_progress',
    deploymentId: 99,
    updatedAt: '2026-12-01T09:00:01Z',
    warnings: { latest: [WARNING], earlier: 2 },
  });
  const event = {
    environment: 'production',
    state: 'success' as const,
    sha: SHA,
    deploymentId: 99,
    at: '2026-12-01T09:00:02Z',
    description: 'deployed',
  };
  const same = nextStatusState(previous, event)!;
  assert.deepEqual(same.warnings, previous.warnings);
  assert.match(renderStatusComment(same), /3 analysis warnings/);
  const other = nextStatusState(previous, { ...event, state: 'queued', deploymentId: 100 })!;
  assert.equal(other.warnings, undefined, 'a new deployment of the same commit starts without them');
  assert.deepEqual(other.commits, previous.commits, 'what is about the commit stays');
});

test('a wait part that does not fit its schema makes the data damaged', () => {
  const marker = statusMarker('production');
  const encode = (data: unknown) =>
    `${marker}\n<!-- deploy-action:data ${Buffer.from(JSON.stringify(data)).toString('base64')} -->`;
  const good = waitingState();
  assert.deepEqual(parseStatusComment(encode(good), 'production'), good);
  const bad: Array<[string, unknown]> = [
    ['unknown kind', { ...good, wait: { ...WAIT, kind: 'forever' } }],
    ['weight over 100', { ...good, wait: { ...WAIT, weight: 101 } }],
    ['a time that is not one', { ...good, wait: { ...WAIT, since: 'yesterday' } }],
    ['approvals as text', { ...good, wait: { ...WAIT, kind: 'approval', approvals: '2' } }],
    ['a non-finite reading', { ...good, wait: { ...WAIT, metrics: { at: 'x', values: [{ name: 'm' }] } } }],
    ['an empty login', { ...good, waits: [{ ...DONE, by: [''] }] }],
    ['a handed-off wait listed as finished', { ...good, waits: [{ ...DONE, how: 'handed_off' }] }],
    ['a negative wait', { ...good, waits: [{ ...DONE, waitedMs: -1 }] }],
    ['too many waits', { ...good, waits: Array.from({ length: MAX_FINISHED_WAITS + 1 }, () => DONE) }],
    ['waits not a list', { ...good, waits: DONE }],
  ];
  for (const [why, data] of bad) assert.equal(parseStatusComment(encode(data), 'production'), undefined, why);
});

test("a newer writer's keys in the wait, the waits and the warnings are kept and ignored: read whole, re-rendered without loss", () => {
  // The nested parts were checked key by key: any key a newer version added there made an older reader drop
  // the comment's state and rebuild it from the event alone (version, commits, waits and warnings lost).
  const marker = statusMarker('production');
  const dataOf = (body: string) =>
    JSON.parse(Buffer.from(/deploy-action:data ([A-Za-z0-9+/=]+) -->$/.exec(body)![1]!, 'base64').toString());
  const SMUGGLED = '</details><img src=x onerror=alert(1)> **Deployed by admin** @everyone';
  const known = waitingState({}, { warnings: { latest: [WARNING], earlier: 1 } });
  const newer = {
    ...known,
    future: SMUGGLED,
    wait: {
      ...known.wait!,
      script: SMUGGLED,
      metrics: {
        ...known.wait!.metrics!,
        unit: SMUGGLED,
        values: known.wait!.metrics!.values.map((v) => ({ ...v, unit: SMUGGLED })),
      },
    },
    waits: [{ ...DONE, note: SMUGGLED }],
    warnings: { latest: [{ ...WARNING, html: SMUGGLED }], earlier: 1, more: { nested: [SMUGGLED] } },
    commits: known.commits!.map((c) => ({ ...c, signed: true })),
  };
  const body = `${marker}\n<!-- deploy-action:data ${Buffer.from(JSON.stringify(newer)).toString('base64')} -->`;
  const read = parseStatusComment(body, 'production');
  assert.ok(read, 'read, not taken for damaged');
  assert.deepEqual(read, newer, 'whole: the known fields and the unknown keys');
  // Re-rendered: everything known is shown as before, and the newer keys go back into the data line only.
  const again = renderStatusComment(read);
  assert.equal(again, renderStatusComment(newer));
  assert.deepEqual(dataOf(again), newer, 'kept through the rewrite, for the newer writer');
  const shown = again.slice(0, again.lastIndexOf('<!-- deploy-action:data '));
  assert.equal(shown, renderStatusComment(known).slice(0, shown.length), 'rendered as the known state is');
  assert.ok(!shown.includes('onerror') && !shown.includes('admin') && !shown.includes('everyone'));
  assert.match(shown, /1\.2\.3/);
  assert.match(shown, /To continue/);
  // The App's next write of the same deployment keeps them too.
  const event = {
    environment: 'production',
    state: 'in_progress' as const,
    sha: SHA,
    deploymentId: known.deploymentId!,
    at: '2026-12-01T09:00:02Z',
    description: known.description!,
  };
  assert.deepEqual(nextStatusState(read, event)!.wait, newer.wait);
  // A known field that does not fit is still damage, however many unknown keys are around it.
  const bad = { ...newer, wait: { ...newer.wait, weight: 101 } };
  assert.equal(
    parseStatusComment(
      `${marker}\n<!-- deploy-action:data ${Buffer.from(JSON.stringify(bad)).toString('base64')} -->`,
      'production',
    ),
    undefined,
  );
});

test("a wait's approvalsAhead in the data line is not taken for the steps ahead: they are read from the top level alone", () => {
  // The data line keeps the steps ahead at its top level (stored()); the wait's part now keeps keys it does not
  // check, and one named as the in-memory field went into the state unchecked: any value hid --full (a string
  // has a length), and the next write moved it to the top level, where the next read took the whole comment
  // for damaged (version, commits, waits and warnings lost) and it could not be dropped to fit.
  const marker = statusMarker('production');
  const encode = (data: unknown) =>
    `${marker}\n<!-- deploy-action:data ${Buffer.from(JSON.stringify(data)).toString('base64')} -->`;
  const known = waitingState();
  for (const value of ['x', { at: 'y' }, ['canary 50 %'], 'z'.repeat(COMMENT_MAX_CHARS)]) {
    const read = parseStatusComment(
      encode({ ...known, wait: { ...known.wait!, approvalsAhead: value } }),
      'production',
    );
    assert.ok(read?.wait, 'read');
    assert.equal(read.wait.approvalsAhead, undefined, JSON.stringify(value).slice(0, 40));
    const body = renderStatusComment(read);
    assert.match(body, /`\/promote production --full`/);
    assert.ok(body.length <= COMMENT_MAX_CHARS);
    assert.deepEqual(parseStatusComment(body, 'production'), known, 'the next read is whole');
  }
  // The top level's, for this wait, still counts over whatever the wait's part says.
  const ahead = waitingState({ approvalsAhead: ['canary 50 %'] });
  const stored = JSON.parse(
    Buffer.from(
      /deploy-action:data ([A-Za-z0-9+/=]+) -->$/.exec(renderStatusComment(ahead))![1]!,
      'base64',
    ).toString(),
  );
  const both = { ...stored, wait: { ...stored.wait, approvalsAhead: 'x' } };
  assert.deepEqual(parseStatusComment(encode(both), 'production'), ahead);
});

test('unknown keys too big for one comment go before anything shown: the comment still fits', () => {
  const known = waitingState();
  const huge = { ...known, wait: { ...known.wait!, blob: 'x'.repeat(COMMENT_MAX_CHARS) } };
  const body = renderStatusComment(huge);
  assert.ok(body.length <= COMMENT_MAX_CHARS, `${body.length}`);
  // As any comment cut to fit: the commit messages as shown.
  const fit = {
    ...known,
    commits: known.commits!.map((c) => ({ ...c, message: c.message.split('\n')[0]! })),
  };
  assert.deepEqual(parseStatusComment(body, 'production'), fit, 'nothing known was cut');
});

test("the App keeps the Action's wait only while the deployment still waits with it", () => {
  const previous = waitingState({}, { deploymentId: 99, updatedAt: '2026-12-01T09:00:01Z' });
  const event = {
    environment: 'production',
    state: 'in_progress' as const,
    sha: SHA,
    deploymentId: 99,
    at: '2026-12-01T09:00:02Z',
    description: previous.description!,
  };
  // The status the Action posted with the wait: the comment still shows it, and its finished waits.
  const same = nextStatusState(previous, event)!;
  assert.deepEqual(same.wait, previous.wait);
  assert.deepEqual(same.waits, previous.waits);
  assert.ok(waitHolds(previous, event));
  // The resumed run's progress, a final status, or another deployment: the wait is over.
  for (const [why, moved] of [
    ['the resumed run', { ...event, description: 'production: canary to 1.2.3' }],
    ['a final status', { ...event, state: 'failure' as const }],
    ['no description', { ...event, description: undefined }],
    ['a newer deployment', { ...event, deploymentId: 100 }],
  ] as const) {
    const next = nextStatusState(previous, moved)!;
    assert.equal(next.wait, undefined, why);
    assert.equal(waitHolds(previous, moved), false, why);
    // What ended is history, kept while it is the same commit.
    assert.deepEqual(next.waits, previous.waits, why);
    // The comment renders without the wait.
    assert.doesNotMatch(renderStatusComment(next), /To continue/, why);
  }
});

test('the first line holds any environment name inertly and gives it back: no markup, no early end', () => {
  // The App renders this line for any deployment's environment, a free string in GitHub's API.
  const names = [
    'production',
    'x --> <img src=x onerror=alert(1)> @everyone',
    'p --!><h1>owned</h1>',
    'q" --> <b>bold</b> <!-- "',
    'a\\" -->\n# heading',
    'r & s &lt; \\u003e',
    'back\\slash\\',
    'line\u2028sep\r\nend',
    'ünï "quoted" 🚀',
  ];
  for (const environment of names) {
    const s = state({ environment, version: 'v1' });
    const body = renderStatusComment(s);
    const first = body.split('\n')[0]!;
    assert.equal(first, statusMarker(environment));
    assert.equal(first.indexOf('-->'), first.length - 3, first);
    assert.doesNotMatch(first.slice(4, -3), /[<>]/, first);
    assert.equal(statusCommentEnvironment(body), environment, first);
    assert.deepEqual(parseStatusComment(body, environment), s, first);
    // Another name's comment is never this one's, however the names look alike.
    for (const other of names)
      if (other !== environment)
        assert.equal(parseStatusComment(body, other), undefined, `${first} as ${other}`);
  }
});

test('a state too big for one comment is cut to fit GitHub: messages as shown, then fewer commits, then fewer waits', () => {
  // A compare lists up to 100 commits, each message whole in the data line; 100 x 5 KB is far over 65,536.
  const big = state({
    commits: Array.from({ length: 100 }, (_, i) => ({
      sha: fakeSha(`c${i}`),
      message: `Commit ${i} <b>&\n\n${'body & <x> '.repeat(500)}`,
      author: `author${i}`,
    })),
    commitsTotal: 180,
    description: 'd'.repeat(2000),
  });
  const body = renderStatusComment(big);
  assert.ok(body.length <= COMMENT_MAX_CHARS, `${body.length} characters`);
  const back = parseStatusComment(body, 'production');
  assert.ok(back, 'the data line is still read back');
  assert.equal(back.commitsTotal, 180);
  assert.ok(back.commits!.length > 10, `${back.commits!.length} commits still listed`);
  assert.ok(
    back.commits!.every((c, i) => c.message === `Commit ${i} <b>&`),
    'each kept as its first line',
  );
  assert.match(body, /180 commits since/);
  assert.match(body, new RegExp(`- … and ${180 - back.commits!.length} more`));
  assert.equal(back.description, big.description, 'the description was not needed to cut');
  // A state that fits is kept whole.
  assert.deepEqual(parseStatusComment(renderStatusComment(state()), 'production'), state());

  // Commit messages alone could not make it fit: the earlier waits go too, newest kept, and then the description.
  const wait = (i: number): StatusCommentFinishedWait => ({
    kind: 'manual',
    step: i,
    at: `<b>${'x'.repeat(190)}`,
    since: '2024-05-01T10:00:00Z',
    endedAt: '2024-05-01T10:01:00Z',
    how: 'promoted',
    by: Array.from({ length: 30 }, (_, j) => `<${'y'.repeat(150)}${j}`),
    waitedMs: 60_000,
  });
  const waits = Array.from({ length: MAX_FINISHED_WAITS }, (_, i) => wait(i));
  const crowded = renderStatusComment(state({ waits }));
  assert.ok(crowded.length <= COMMENT_MAX_CHARS, `${crowded.length} characters`);
  const kept = parseStatusComment(crowded, 'production')!.waits!;
  assert.ok(kept.length > 0 && kept.length < waits.length);
  assert.deepEqual(kept, waits.slice(-kept.length), 'the newest waits kept');
});

test("a comment a deployment's payload names is written over only if it is its creator's status comment", async () => {
  const app = { login: 'deploy-action[bot]', type: 'Bot' };
  const approval = '/approve-deploy production';
  const appStatus = renderStatusComment(state({ version: 'v1' }));
  const otherEnvironment = renderStatusComment(state({ environment: 'staging' }));
  const api = fakeComments([
    { id: 1, body: approval, user: person },
    { id: 2, body: appStatus, user: app },
    { id: 3, body: otherEnvironment, user: app },
    { id: 4, body: appStatus, user: person },
  ]);
  // The App's status comment for this environment: written over in place.
  assert.deepEqual(
    await upsertStatusComment(api, where, () => state({ version: 'v2' }), 2, asWorkflow, app.login),
    { id: 2, created: false },
  );
  assert.match(api.comments[1]!.body, /v2/);
  // Anyone else's comment, another environment's, or one that is gone: untouched, the run writes its own.
  for (const id of [1, 3, 4, 99]) {
    const before = api.comments.map((c) => c.body);
    const written = await upsertStatusComment(api, where, () => state(), id, asWorkflow, app.login);
    assert.notEqual(written.id, id, `comment ${id}`);
    assert.deepEqual(
      api.comments.slice(0, 4).map((c) => c.body),
      before.slice(0, 4),
      `comment ${id} is left as it was`,
    );
  }
});

/** A run's first write with no known comment, after a search that found none (`attempt`), writing `version`. */
const createAs = (
  api: CommentsApi,
  version: string,
  attempt: Parameters<typeof upsertStatusComment>[6],
  author: () => Promise<string | undefined> = asWorkflow,
) => upsertStatusComment(api, where, () => state({ version }), undefined, author, undefined, attempt);

// Two runs that both found no comment both create one; right after its create, the second sees the first's
// and gives way, so the pull request keeps one status comment, holding the later write.
test('two creates after searches that found nothing: the later run deletes its own and writes over the older', async () => {
  const api = fakeComments([]);
  const since = '2026-01-01T00:00:00Z';
  const attempt = () => ({ searched: true, converge: { since, go: () => true } });
  const first = await createAs(api, '1', attempt());
  assert.deepEqual(first, { id: 1000, created: true });
  const second = await createAs(api, '2', attempt());
  assert.deepEqual(second, { id: 1000, created: false });
  assert.deepEqual(api.calls, ['create', 'list 1', 'create', 'list 1', 'delete 1001', 'update 1000']);
  assert.equal(api.comments.length, 1);
  assert.equal(parseStatusComment(api.comments[0]!.body, 'production')?.version, '2');

  // Not converging (a cancelled run, which has no time): a second comment, as before.
  const plain = fakeComments([]);
  await upsertStatusComment(plain, where, () => state(), undefined, asWorkflow, undefined, {
    searched: true,
  });
  await upsertStatusComment(plain, where, () => state(), undefined, asWorkflow, undefined, {
    searched: true,
  });
  assert.equal(plain.comments.length, 2);
});

test("a create gives way only to its own account's older status comment of its environment", async () => {
  const since = '2026-01-01T00:00:00Z';
  const others: Stored[] = [
    { id: 1, body: renderStatusComment(state({ version: 'theirs' })), user: person },
    { id: 2, body: renderStatusComment(state({ environment: 'staging' })), user: bot },
    { id: 3, body: 'a comment that mentions <!-- deploy-action -->', user: bot },
    { id: 4, body: renderStatusComment(state()), user: { login: 'other-app[bot]', type: 'Bot' } },
  ];
  const api = fakeComments(others);
  const r = await upsertStatusComment(
    api,
    where,
    () => state({ version: '2' }),
    undefined,
    asWorkflow,
    undefined,
    { searched: true, converge: { since, go: () => true } },
  );
  assert.deepEqual(r, { id: 1004, created: true });
  assert.equal(api.comments.length, 5, 'nothing deleted');
  assert.deepEqual(
    api.comments.slice(0, 4).map((c) => c.body),
    others.map((c) => c.body),
    'nothing written over',
  );

  // The token's account unknown: its own comments cannot be told, so none is given way to.
  const unknown = fakeComments([{ id: 1, body: renderStatusComment(state()), user: bot }]);
  const u = await upsertStatusComment(
    unknown,
    where,
    () => state(),
    undefined,
    async () => undefined,
    undefined,
    { converge: { since, go: () => true } },
  );
  assert.deepEqual(u, { id: 1001, created: true });
});

test('a failed delete keeps the run on its own comment; a failed write over the older one is thrown, and the repeat finds it', async () => {
  const converge = { since: '2026-01-01T00:00:00Z', go: () => true };
  const older = { id: 1, body: renderStatusComment(state({ version: '1' })), user: bot };
  const refusing = fakeComments([older]);
  refusing.issues.deleteComment = async () => {
    throw Object.assign(new Error('Forbidden'), { status: 403 });
  };
  const kept = await createAs(refusing, '2', {
    searched: true,
    converge,
  });
  assert.deepEqual(kept, { id: 1001, created: true });
  assert.equal(refusing.comments.length, 2);

  // Its own comment deleted, the write over the older one fails: thrown (the reporter's writeOnce repeats a
  // 5xx), and the repeat, a create already sent, searches and writes over the older one. Never two.
  const failing = fakeComments([{ ...older }]);
  const update = failing.issues.updateComment;
  failing.issues.updateComment = async () => {
    throw Object.assign(new Error('Server Error'), { status: 500 });
  };
  const attempt = { searched: true, converge };
  await assert.rejects(createAs(failing, '2', attempt), /Server Error/);
  assert.deepEqual(
    failing.comments.map((c) => c.id),
    [1],
    'its own second comment is gone',
  );
  failing.issues.updateComment = update;
  const repeated = await createAs(failing, '2', attempt);
  assert.deepEqual(repeated, { id: 1, created: false });
  assert.equal(parseStatusComment(failing.comments[0]!.body, 'production')?.version, '2');
  assert.equal(failing.comments.length, 1);
});

test('the older comment gone too (a third run took over): the body is written again, not left nowhere', async () => {
  const converge = { since: '2026-01-01T00:00:00Z', go: () => true };
  const api = fakeComments([{ id: 1, body: renderStatusComment(state({ version: '1' })), user: bot }]);
  const update = api.issues.updateComment;
  api.issues.updateComment = async (p) => {
    if (p.comment_id === 1) api.comments.splice(0, 1); // deleted by its own run just before the write
    return update(p);
  };
  const r = await createAs(api, '2', {
    searched: true,
    converge,
  });
  assert.equal(r.created, true);
  assert.equal(api.comments.length, 1);
  assert.equal(api.comments[0]!.id, r.id);
  assert.equal(parseStatusComment(api.comments[0]!.body, 'production')?.version, '2');
});

test('a run cancelled during the hand-over keeps its own comment: no delete, no write over the other', async () => {
  const older = { id: 1, body: renderStatusComment(state({ version: '1' })), user: bot };
  for (const cancelAt of ['list 1', 'create'] as const) {
    const api = fakeComments([{ ...older }]);
    let cancelled = false;
    const list = api.issues.listComments;
    api.issues.listComments = async (p) => {
      if (cancelAt === 'list 1') cancelled = true; // the cancellation arrives while the list is answered
      return list(p);
    };
    const create = api.issues.createComment;
    api.issues.createComment = async (p) => {
      if (cancelAt === 'create') cancelled = true;
      return create(p);
    };
    const r = await upsertStatusComment(
      api,
      where,
      () => state({ version: '2' }),
      undefined,
      asWorkflow,
      undefined,
      {
        searched: true,
        converge: { since: '2026-01-01T00:00:00Z', go: () => !cancelled },
      },
    );
    assert.deepEqual(r, { id: 1001, created: true }, cancelAt);
    assert.ok(!api.calls.some((c) => c.startsWith('delete') || c.startsWith('update')), api.calls.join(', '));
    assert.equal(api.comments[0]!.body, older.body);
  }
});

test('a run or environment URL too long for the data line is left out: the comment still reads back whole', () => {
  // Anyone who can post a deployment status sets its environment_url; one over 2,000 characters made the
  // comment read back as damaged, and the next writer re-rendered it without its commits.
  const long = `https://preview.example.com/?q=${'x'.repeat(2100)}`;
  const body = renderStatusComment(state({ environmentUrl: long, runUrl: long }));
  const read = parseStatusComment(body, 'production');
  assert.ok(read, 'the comment reads back');
  assert.deepEqual(read.commits, state().commits);
  assert.equal(read.environmentUrl, undefined);
  assert.equal(read.runUrl, undefined);
  assert.ok(!body.includes('xxxxxxxxxx'), 'the URL is not shown');
  // One within the limit is kept as it is.
  const fits = `https://preview.example.com/?q=${'x'.repeat(1900)}`;
  assert.equal(
    parseStatusComment(renderStatusComment(state({ environmentUrl: fits })), 'production')?.environmentUrl,
    fits,
  );
});

test("a commit author's name too long for the data line is cut: the comment still reads back whole", () => {
  // A git author name is whatever the commit's pusher wrote; one over 1,000 characters made the comment read
  // back as damaged.
  const commits = [{ sha: 'c'.repeat(40), message: 'Fix the thing', author: `N${'n'.repeat(1200)}` }];
  const read = parseStatusComment(renderStatusComment(state({ commits })), 'production');
  assert.ok(read, 'the comment reads back');
  assert.equal(read.commits?.length, 1);
  assert.equal(read.commits![0]!.message, 'Fix the thing');
  assert.ok(read.commits![0]!.author!.startsWith('Nnnn'));
  assert.ok(read.commits![0]!.author!.length <= 1000);
});
