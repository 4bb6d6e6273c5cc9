// Credentials written into a config's commands never reach a log, a plan or a summary: `plan` (text, JSON
// and the job summary) and the gates' "running" lines, summaries and findings printed them in full, while
// the gates' output beside them was already redacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPlan } from '../../../src/cli/main.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { buildGate } from '../../../src/gates/build.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';
import { renderPlanSummary } from '../../../src/report/job-summary.ts';

// Built at run time, so that the repository's own secrets scan does not find them in this file.
const j = (...parts: string[]) => parts.join('');
const SECRETS = {
  githubToken: j('ghp_', 'Zq8Xw2Lk5Mn9Bv3Cx7Rt1Yu6Io4Pa0Sd2Fg8Hj'),
  urlPassword: j('Tr0ub4dor', '-and-3-horses'),
  awsKey: j('AKIA', 'Z7Q2M4X9L1K8W3P5'),
  apiKey: j('9f8e7d6c5b4a3928', '1706f5e4d3c2b1a0'),
};
const leaks = (text: string) => Object.entries(SECRETS).filter(([, value]) => text.includes(value));

test('plan: credentials in commands, URLs and hooks are redacted in the text, the JSON and the job summary', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-redact-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = `state_dir: ${dir}/state
target:
  commands:
    deploy: ["curl", "-H", "Authorization: Bearer ${SECRETS.githubToken}", "https://deploy.internal/{{slot}}/{{version}}"]
    health: "curl -fsS https://deployer:${SECRETS.urlPassword}@health.internal/{{slot}}"
    switch: ["./switch.sh", "--key=${SECRETS.awsKey}", "{{slot}}"]
    rollback: ["./rollback.sh", "--api-key=${SECRETS.apiKey}", "{{slot}}"]
environments:
  production:
    strategy: { type: blue-green }
    hooks:
      migrate: ["./migrate.sh", "postgres://app:${SECRETS.urlPassword}@db:5432/app"]
    smoke: ["./smoke.sh", "--token", "${SECRETS.githubToken}"]
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const plan = planDeployment(parsed.config, 'production', 'v2');
  for (const [shown, output] of [
    ['text', formatPlan(plan)],
    ['JSON', JSON.stringify(plan)],
    ['job summary', renderPlanSummary(plan)],
  ] as const) {
    assert.deepEqual(leaks(output), [], `${shown}:\n${output}`);
    // Still the commands as they would run, with only the credentials taken out.
    assert.match(output, /curl -H .*Authorization: Bearer ghp_…/, shown);
    assert.match(output, /https:\/\/deployer:…\[masked\]@health\.internal\/blue/, shown);
    assert.match(output, /\.\/migrate\.sh/, shown);
  }
});

test('gates: the command line in the "running" log, the summary and the finding is redacted', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'gate-redact-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const logged: string[] = [];
  const context: GateContext = {
    cwd,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: (line) => void logged.push(line),
    env: { PATH: process.env.PATH },
  };
  const failing = [
    process.execPath,
    '-e',
    'process.exit(3)',
    '--',
    `--token=${SECRETS.githubToken}`,
    `https://ci:${SECRETS.urlPassword}@artifacts.internal/`,
  ];
  const build = await buildGate.run(buildGate.schema.parse({ command: failing }), context);
  const tests = await testsGate.run(testsGate.schema.parse({ command: failing }), context);
  for (const [name, verdict] of [
    ['build', build],
    ['tests', tests],
  ] as const) {
    assert.equal(verdict.status, 'block', name);
    const shown = JSON.stringify(verdict);
    assert.deepEqual(leaks(shown), [], `${name}: ${shown}`);
    assert.match(shown, /exited with code 3/, name);
  }
  assert.equal(logged.length >= 2, true, logged.join('\n'));
  assert.deepEqual(leaks(logged.join('\n')), [], logged.join('\n'));
});
