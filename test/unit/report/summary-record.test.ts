// The job summary and the seed 05 deployment record for a success, a rollback and a blocked run, and
// hostile text (commit messages, gate summaries, reasons) that must not break a table or inject markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marked } from 'marked';
import { renderJobSummary } from '../../../src/report/job-summary.ts';
import { renderDeploymentRecord } from '../../../src/report/record.ts';
import { blocked, gate, gatesReport, HOSTILE, rolledBack, succeeded } from './fixtures.ts';
import { assertTablesIntact, readable } from './table-check.ts';

const SHA = 'e'.repeat(40);

function sections(markdown: string): string[] {
  return markdown.split('\n').filter((l) => /^#{2,3} /.test(l));
}

test('summary of a success: decision, gates, timeline, analysis, chart and links', () => {
  const md = renderJobSummary(succeeded(), {
    sha: SHA,
    runUrl: 'https://github.com/acme/web/actions/runs/1',
    environmentUrl: 'https://example.com',
  });
  assert.deepEqual(sections(md), [
    '## ✅ Deploy production: succeeded',
    '### Decision',
    '### Quality gates: ✅ PASS',
    '### Timeline',
    '### Analysis',
  ]);
  assert.match(
    md,
    /version `1\.2\.3` · previous `1\.2\.2` · strategy \*\*canary\*\* · commit `eeeeeeeeeeee` · took 6m40s · \[open\]\(https:\/\/example\.com\)/,
  );
  assert.match(md, /\*\*deployed\*\*: deployed 1\.2\.3 to production/);
  assert.match(md, /- production \(canary, production\): all canary steps promoted/);
  assert.match(md, /\| staging \| ➖ skipped \|  \| {2}\|/);
  // One narrow table of the deciding window's evidence, one row per check, and the reason in full.
  assert.match(readable(md), /Steps: canary-step @ 10% ✅ promote \(1m\) → canary-step @ 50% ✅ promote/);
  assert.match(md, /\| check \| canary \| stable \| rule or test \| threshold \| verdict \|/);
  assert.match(md, /\| error-rate \| 0\.2 \| 0\.4 \| error\\_rate &lt; 1 \| &lt; 1 \| ✅ holds \|/);
  assert.match(
    md,
    /\| p99-vs-stable \| 200 \| 180 \| latency\\_p99 &lt; 1\.5x baseline \| &lt; 270 \| ✅ holds \|/,
  );
  assert.match(md, /Why: all metrics within bounds/);
  assert.doesNotMatch(md, /\.limit|\.baseline \|/, 'no column per recorded value');
  assert.match(md, /```mermaid\n%%\{init: .*\}%%\nxychart-beta\n/);
  assert.match(md, /\[workflow run\]\(https:\/\/github\.com\/acme\/web\/actions\/runs\/1\)/);
  assertTablesIntact(md);
});

test('summary of a rollback: what was rolled back, how fast, and what serves again; no open link', () => {
  const md = renderJobSummary(rolledBack(), { environmentUrl: 'https://example.com' });
  assert.ok(sections(md).includes('### ↩️ Rolled back: production'));
  assert.match(md, /## ↩️ Deploy production: rolled back/);
  assert.match(md, /Why: error\\_rate 5\.2% &gt; 1% at 50%/);
  assert.match(md, /Traffic back on the stable version in 1\.2s\./);
  assert.match(md, /Serving again: `1\.2\.2`\./);
  // The reason is a paragraph of its own: the next sentence does not run on from it.
  const tokens = marked.lexer(md);
  const heading = tokens.findIndex((t) => t.type === 'heading' && t.raw.includes('Rolled back: production'));
  const why = tokens.slice(heading).find((t) => t.type === 'paragraph');
  assert.ok(heading >= 0 && why, 'a paragraph follows the heading');
  assert.match(why.raw, /^Why: /);
  assert.doesNotMatch(why.raw, /Traffic back/, `a paragraph of its own: ${JSON.stringify(why.raw)}`);
  assert.match(md, /\| all traffic to stable \| ✅ \| 800ms \|/);
  assert.match(md, /\| level: traffic \| ✅ \| 800ms \|/);
  assert.doesNotMatch(md, /\[open\]/);
  assertTablesIntact(md);
  const incomplete = rolledBack();
  incomplete.rollbacks[0]!.ok = false;
  incomplete.rollbacks[0]!.levels[0] = { name: 'traffic', ok: false, detail: 'haproxy down', durationMs: 5 };
  const bad = renderJobSummary(incomplete);
  assert.match(bad, /### 🚨 Rollback INCOMPLETE: production/);
  assert.doesNotMatch(bad, /Serving again/);
  assert.match(bad, /\| level: traffic \| ❌ haproxy down \|/);
});

test('summary of a blocked run: the gates table with the blocking gate, no analysis', () => {
  const md = renderJobSummary(blocked());
  assert.match(md, /## ⛔ Deploy production: blocked/);
  assert.match(md, /### Quality gates: ⛔ BLOCK/);
  assert.match(md, /\| secrets \| ⛔ BLOCK \| required \| 1\.5s \| 1 \| 1 secret found \|/);
  assert.doesNotMatch(md, /### Analysis|mermaid|Rolled back/);
  assertTablesIntact(md);
});

function hostileResult() {
  const r = rolledBack();
  r.message = HOSTILE;
  r.environment = 'prod';
  r.phases[2]!.detail = HOSTILE;
  r.decisions[0]!.decision = { type: 'fail', code: 'analysis_rollback', reason: HOSTILE };
  r.rollbacks[0]!.reason = HOSTILE;
  r.rollbacks[0]!.steps[0]!.description = HOSTILE;
  r.gates = gatesReport([gate({ name: 'g|<b>', status: 'warn', summary: HOSTILE })]);
  return r;
}

test('hostile text cannot break a summary table or inject HTML', () => {
  const md = renderJobSummary(hostileResult());
  assertTablesIntact(md);
  // Mermaid's own axis syntax is the only "-->" allowed.
  assert.doesNotMatch(md.replace(/```mermaid[\s\S]*?```/g, ''), /<script>|<b>|-->/);
  for (const line of md.split('\n')) assert.doesNotMatch(line, /^(second line|third)/, 'a newline leaked');
});

test('the record follows seed 05 "Deployment Log Template" section by section', () => {
  const md = renderDeploymentRecord(succeeded(), {
    type: 'standard',
    sha: SHA,
    deployer: 'alice',
    approvers: ['bob', 'carol'],
    runUrl: 'https://github.com/acme/web/actions/runs/1',
    changes: [{ sha: 'f'.repeat(40), message: 'Add the thing\n\nbody', author: 'alice' }],
  });
  assert.deepEqual(sections(md), [
    '## Deployment Record',
    '### Summary',
    '### Team',
    '### Changes',
    '### Timeline',
    '### Gates',
    '### Issues',
    '### Metrics',
    '### Status: SUCCESS',
  ]);
  for (const line of [
    '- Version: 1.2.3',
    '- Date: 2024-05-01',
    '- Type: Standard',
    '- Duration: 10:00:00Z to 10:06:40Z (6m40s)',
    '- Deployer: @alice',
    '- Approver: @bob, @carol',
    '- QA: quality gates PASS',
    '- fffffff Add the thing (alice)',
    '| Time | Event |',
    '| 10:00:00Z | Deployment started |',
    '| 10:00:05Z | Quality gates checked: 3 gates passed |',
    '| 10:05:05Z | Production deployed |',
    '| 10:06:35Z | Monitoring complete |',
    '| 10:06:40Z | Deployment ended: SUCCESS |',
    '- None',
    '- error_rate: 0.2 (-50% vs stable) at canary-step @ 100%',
    '- latency_p99: 200 (+11.11% vs stable) at canary-step @ 100%',
    '- Run: [workflow run](https://github.com/acme/web/actions/runs/1)',
  ])
    assert.ok(readable(md).split('\n').includes(line), `missing line: ${line}\n${md}`);
  assert.doesNotMatch(md, /staging/i, 'a skipped phase is not in the timeline');
  assertTablesIntact(md);
});

test('the record of a rollback: ROLLBACK status, the issue and the rollback log', () => {
  const md = renderDeploymentRecord(rolledBack(), { type: 'standard' });
  assert.ok(sections(md).includes('### Rollback Log'));
  assert.match(md, /### Status: ROLLBACK\n$/);
  assert.match(md, /- production: error\\_rate 5\.2% &gt; 1% at 50%/);
  assert.match(md, /- Previous Version: 1\.2\.2/);
  assert.match(md, /- Traffic restored in: 1\.2s/);
  assert.match(md, /\| {2}\| Rollback of production complete \|/);
  assert.match(md, /- Deployer: unknown/);
  assert.match(md, /- Approver: none required/);
  assert.match(md, /- not available/);
  assertTablesIntact(md);
});

test('the record of a blocked hotfix: reason shown, the message as the issue, no metrics', () => {
  const md = renderDeploymentRecord(blocked(), { type: 'hotfix', hotfixReason: 'CVE-2024-1', changes: [] });
  assert.match(readable(md), /- Type: Hotfix \(reason: CVE-2024-1\)/);
  assert.match(md, /### Status: BLOCKED/);
  assert.match(readable(md), /- quality gates blocked the deployment: secrets/);
  assert.match(md, /- no metric analysis ran/);
  assert.match(md, /- none since the previous deployment/);
  assert.match(md, /\| secrets \| BLOCK \| 1 secret found \|/);
});

test('hostile text cannot break the record', () => {
  const md = renderDeploymentRecord(hostileResult(), {
    type: 'standard',
    deployer: 'x<y',
    hotfixReason: HOSTILE,
    changes: [{ sha: 'f'.repeat(40), message: HOSTILE, author: '<img>' }],
  });
  assertTablesIntact(md);
  assert.doesNotMatch(md, /<script>|<img>|<b>|-->/);
  for (const line of md.split('\n')) assert.doesNotMatch(line, /^(second line|third)/, 'a newline leaked');
});
