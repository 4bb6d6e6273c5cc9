// The Action's gates results as the runner shows them, run as the runner runs the action (from the sources)
// against the fake GitHub. Its `gates` output: GitHub takes an output of at most 1 MB and fails whatever reads
// a bigger one; a SARIF log of many long results (the sarif gate lists up to 1,000 findings of up to 1,000
// characters) made the report 1.1 MB. Its error annotation (core.setFailed): a gate's reason quoting a
// report kept a bidirectional override there, as the log's other lines and annotations do not (plain-text.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  actionOnPullRequest,
  pullRequestSynchronize,
  runBuiltAction,
  runnerGitHubEnv,
} from '../helpers/action.ts';
import { repoRoot } from '../helpers/cli.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { GATES_OUTPUT_MAX_BYTES } from '../../src/report/gates-output.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');
const TOKEN = 'ghs_workflowTokenValue0123456789abcdef';

/** A SARIF log of `count` results at error level, each with its own message of about 1,000 characters. */
function sarif(count: number): string {
  const results = Array.from({ length: count }, (_, i) => ({
    ruleId: 'js/long-finding',
    level: 'error',
    message: { text: `finding ${i}: ${'the scanner explains at length. '.repeat(31)}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: `src/file${i}.js` },
          region: { startLine: 1 + (i % 50) },
        },
      },
    ],
  }));
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'scanner' } }, results }] });
}

test('a gates report over 1 MB is given as an output GitHub takes: every gate, its first findings, and how many were left out', async (t) => {
  const { fake, dir, head } = await actionOnPullRequest(t, 'action-gates-output-', TOKEN);
  const target = recordedTarget(dir);
  writeFileSync(join(dir, 'scan.sarif'), sarif(1200));
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
gates:
  sarif: { files: scan.sarif, required: true }
  custom: { checks: [{ name: quick, run: [${JSON.stringify(process.execPath)}, -e, ""] }] }
${target.targetYaml}environments:
  preview:
    strategy: { type: canary, steps: [50, 100], pause: 0 }
`,
  );
  const run = await runBuiltAction({
    entry: ENTRY,
    dir,
    inputs: { 'github-token': TOKEN, config: 'deploy.yml', environment: 'preview', mode: 'gates' },
    event: pullRequestSynchronize(head),
    env: { ...runnerGitHubEnv(fake.url, 'acme', 'shop'), DEPLOY_ACTION_WRITE_INTERVAL_MS: '0' },
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const output = run.outputs.gates;
  assert.ok(output !== undefined, run.stdout + run.stderr);
  assert.ok(
    Buffer.byteLength(output) <= GATES_OUTPUT_MAX_BYTES,
    `the gates output is ${Buffer.byteLength(output)} bytes`,
  );
  const report = JSON.parse(output) as {
    status: string;
    reasons: string[];
    gates: Array<{
      name: string;
      status: string;
      summary: string;
      findings: unknown[];
      findingsOmitted?: number;
    }>;
  };
  assert.equal(report.status, 'BLOCK');
  assert.deepEqual(
    report.gates.map((gate) => [gate.name, gate.status]),
    [
      ['sarif', 'block'],
      ['custom', 'pass'],
    ],
  );
  const [scan, custom] = report.gates;
  assert.match(scan!.summary, /1200 blocking result/);
  // The findings kept and the ones left out are all of the gate's (the gate lists its first 1,000).
  assert.ok(scan!.findings.length > 100, `${scan!.findings.length} findings kept`);
  assert.equal(scan!.findings.length + scan!.findingsOmitted!, 1000);
  assert.equal(custom!.findingsOmitted, undefined);
  // The check run still carries the findings as annotations (500 at most).
  const check = (
    [...fake.repo({ owner: 'acme', repo: 'shop' }).checkRuns.values()] as Array<{
      name: string;
      output: { annotations_count: number };
    }>
  ).find((r) => r.name === 'gates / sarif');
  assert.equal(check?.output.annotations_count, 500);
});

test("the run's error annotation names the blocking gate's reason without invisible or control characters", async (t) => {
  const { fake, dir, head } = await actionOnPullRequest(t, 'action-gates-annotation-', TOKEN);
  const target = recordedTarget(dir);
  // A suite that counts more tests than it lists: the tests gate's reason quotes its name.
  writeFileSync(
    join(dir, 'junit.xml'),
    '<?xml version="1.0"?><testsuite name="api&#x202E;dessap&#x2066; zero&#x200B;width" tests="5">' +
      '<testcase name="t" classname="c"/></testsuite>',
  );
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
gates:
  tests: { junit: junit.xml, thresholds: {}, required: true }
${target.targetYaml}environments:
  preview:
    strategy: { type: canary, steps: [50, 100], pause: 0 }
`,
  );
  for (const mode of ['gates', 'full']) {
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      inputs: {
        'github-token': TOKEN,
        config: 'deploy.yml',
        environment: 'preview',
        mode,
        version: 'v1.2.3',
      },
      event: pullRequestSynchronize(head),
      env: { ...runnerGitHubEnv(fake.url, 'acme', 'shop'), DEPLOY_ACTION_WRITE_INTERVAL_MS: '0' },
    });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    assert.equal(errors.length, 1, `${mode}: ${run.stdout}`);
    assert.match(
      errors[0]!,
      /junit\.xml:\d+:\d+: <testsuite name="apidessap zerowidth"> counts 5 tests but lists 1/,
      mode,
    );
    assert.doesNotMatch(
      errors[0]!,
      /[\p{Cf}\p{Zl}\p{Zp}]|[^\P{Cc}]/u,
      `${mode}: ${JSON.stringify(errors[0])}`,
    );
  }
});
