// SARIF logs with a wrong type in each field the gate reads: every one is a SarifReportError naming the file
// and the field's JSON path, through the sarif gate and the secrets gate (gitleaks SARIF) alike: a block that
// says what is wrong, never a crash ("the gate crashed: x.split is not a function") or a result misread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSarif, SarifReportError, sarifGate } from '../../../src/gates/sarif.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

function log(result: unknown, run: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '2.1.0',
    runs: [
      { tool: { driver: { name: 'T', rules: [{ id: 'r', properties: {} }] } }, results: [result], ...run },
    ],
  };
}
const RESULT = {
  ruleId: 'r',
  ruleIndex: 0,
  level: 'error',
  message: { text: 'm' },
  locations: [
    {
      physicalLocation: {
        artifactLocation: { uri: 'src/a.js' },
        region: { startLine: 2, startColumn: 3, snippet: { text: 's' } },
      },
    },
  ],
  suppressions: [],
  properties: {},
};
const loc = (physicalLocation: unknown) => ({ ...RESULT, locations: [{ physicalLocation }] });

/** [the log, the JSON path the error must name]. */
const WRONG: Array<[string, Record<string, unknown>, string]> = [
  ['a null result', log(null), 'runs[0].results[0]'],
  ['a string result', log('error'), 'runs[0].results[0]'],
  ['a null run', { version: '2.1.0', runs: [null] }, 'runs[0]'],
  ['a run without a tool', { version: '2.1.0', runs: [{ results: [] }] }, 'runs[0].tool'],
  [
    'results as an object',
    { version: '2.1.0', runs: [{ tool: { driver: {} }, results: {} }] },
    'runs[0].results',
  ],
  ['a numeric ruleId', log({ ...RESULT, ruleId: 7 }), 'runs[0].results[0].ruleId'],
  ['a string ruleIndex', log({ ...RESULT, ruleIndex: '0' }), 'runs[0].results[0].ruleIndex'],
  ['a fractional ruleIndex', log({ ...RESULT, ruleIndex: 0.5 }), 'runs[0].results[0].ruleIndex'],
  ['a numeric message text', log({ ...RESULT, message: { text: 5 } }), 'runs[0].results[0].message.text'],
  ['a message that is a string', log({ ...RESULT, message: 'm' }), 'runs[0].results[0].message'],
  ['locations as an object', log({ ...RESULT, locations: { 0: {} } }), 'runs[0].results[0].locations'],
  ['a null location', log({ ...RESULT, locations: [null] }), 'runs[0].results[0].locations[0]'],
  [
    'a numeric uri',
    log(loc({ artifactLocation: { uri: 42 } })),
    'runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri',
  ],
  [
    'a string startLine',
    log(loc({ artifactLocation: { uri: 'a' }, region: { startLine: '12' } })),
    'runs[0].results[0].locations[0].physicalLocation.region.startLine',
  ],
  [
    'a startLine past 2^53',
    log(loc({ artifactLocation: { uri: 'a' }, region: { startLine: 2 ** 60 } })),
    'runs[0].results[0].locations[0].physicalLocation.region.startLine',
  ],
  [
    'a snippet that is a string',
    log(loc({ artifactLocation: { uri: 'a' }, region: { startLine: 1, snippet: 'AKIA…' } })),
    'runs[0].results[0].locations[0].physicalLocation.region.snippet',
  ],
  [
    'suppressions as an object',
    log({ ...RESULT, suppressions: { status: 'accepted' } }),
    'runs[0].results[0].suppressions',
  ],
  ['a null suppression', log({ ...RESULT, suppressions: [null] }), 'runs[0].results[0].suppressions[0]'],
  ['properties as an array', log({ ...RESULT, properties: [] }), 'runs[0].results[0].properties'],
  [
    'extensions as an object',
    log(RESULT, { tool: { driver: {}, extensions: {} } }),
    'runs[0].tool.extensions',
  ],
  [
    'rules as an object',
    log(RESULT, { tool: { driver: { rules: { r: {} } } } }),
    'runs[0].tool.driver.rules',
  ],
  ['a numeric driver name', log(RESULT, { tool: { driver: { name: 1 } } }), 'runs[0].tool.driver.name'],
  ['a null base URI', log(RESULT, { originalUriBaseIds: { SRC: null } }), 'runs[0].originalUriBaseIds.SRC'],
  [
    'a file: URI with a host',
    log(loc({ artifactLocation: { uri: 'file://evil.example/etc/passwd' } })),
    'runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri',
  ],
  [
    'a base URI that is no URL',
    log(loc({ artifactLocation: { uri: 'a.js', uriBaseId: 'B' } }), {
      originalUriBaseIds: { B: { uri: 'not a url' } },
    }),
    'runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri',
  ],
];

const context = (cwd: string): GateContext => gateContext(cwd, { baseRef: 'base' });

test('parseSarif: a wrong type in any field read is a SarifReportError naming the file and the JSON path', () => {
  for (const [what, data, path] of WRONG) {
    assert.throws(
      () => parseSarif(JSON.stringify(data), 'x.sarif', '/repo'),
      (error: Error) => {
        assert.ok(error instanceof SarifReportError, `${what}: ${error.name}: ${error.message}`);
        assert.ok(error.message.startsWith(`x.sarif: ${path}`), `${what}: ${error.message}`);
        return true;
      },
      what,
    );
  }
});

test('the sarif and secrets gates block on each with that message, and never crash', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-sarif-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [what, data, path] of WRONG) {
    await writeFile(join(dir, 'r.sarif'), JSON.stringify(data));
    for (const [gate, config] of [
      [sarifGate, { files: 'r.sarif' }],
      [secretsGate, { reports: 'r.sarif' }],
    ] as const) {
      const verdict = await gate.run(gate.schema.parse(config) as never, context(dir));
      assert.equal(verdict.status, 'block', `${gate.name} ${what}`);
      assert.ok(verdict.summary.startsWith(`r.sarif: ${path}`), `${gate.name} ${what}: ${verdict.summary}`);
    }
  }
});

test('a startLine or startColumn below 1 (KICS and regal write 0 or -1 for a whole file): the result is kept on its file, without a line', () => {
  for (const region of [
    { startLine: 0 },
    { startLine: -1, startColumn: 0 },
    { startLine: 0, startColumn: 5 },
    { startLine: 3, startColumn: -4 },
  ]) {
    const [result] = parseSarif(
      JSON.stringify(log(loc({ artifactLocation: { uri: 'src/a.js' }, region }))),
      'x.sarif',
      '/repo',
    );
    assert.equal(result!.path, 'src/a.js', JSON.stringify(region));
    assert.equal(result!.ruleId, 'r');
    assert.equal(result!.line, region.startLine >= 1 ? region.startLine : undefined, JSON.stringify(region));
    assert.equal(result!.column, undefined, JSON.stringify(region));
  }
});

test('a huge message or enum value is cut, not copied whole into the finding or the error', () => {
  const huge = 'x'.repeat(1_000_000);
  const [result] = parseSarif(
    JSON.stringify(log({ ...RESULT, message: { text: huge } })),
    'x.sarif',
    '/repo',
  );
  assert.ok(result!.message.length <= 1000, String(result!.message.length));
  assert.throws(
    () => parseSarif(JSON.stringify(log({ ...RESULT, level: huge })), 'x.sarif', '/repo'),
    (error: Error) => error instanceof SarifReportError && error.message.length < 1000,
  );
});

// No clock: parsed linearly this takes about a second; work quadratic in the results (5e9 steps and more)
// would outlast the test's own timeout, which is the backstop.
test('100 000 results parse, each one kept', { timeout: 120_000 }, () => {
  const data = log(RESULT);
  (data.runs as Array<{ results: unknown[] }>)[0]!.results = Array.from({ length: 100_000 }, () => RESULT);
  const results = parseSarif(JSON.stringify(data), 'x.sarif', '/repo');
  assert.equal(results.length, 100_000);
  assert.deepEqual(results.at(-1), results[0]);
});

test('a log whose tool did not run or failed blocks instead of passing as "no results"', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-sarif-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cases: Array<[string, unknown, RegExp]> = [
    ['no runs', { version: '2.1.0', runs: [] }, /^r\.sarif has no runs/],
    [
      'a run without results',
      { version: '2.1.0', runs: [{ tool: { driver: { name: 'Semgrep' } } }] },
      /^r\.sarif: runs\[0\] has no "results": per SARIF, Semgrep failed or did not analyse$/,
    ],
    [
      'an invocation that did not succeed',
      {
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'CodeQL' } },
            invocations: [{ executionSuccessful: true }, { executionSuccessful: false }],
            results: [],
          },
        ],
      },
      /^r\.sarif: runs\[0\]\.invocations\[1\]\.executionSuccessful is false: CodeQL did not finish/,
    ],
    [
      'executionSuccessful as a string',
      {
        version: '2.1.0',
        runs: [{ tool: { driver: {} }, invocations: [{ executionSuccessful: 'false' }], results: [] }],
      },
      /^r\.sarif: runs\[0\]\.invocations\[0\]\.executionSuccessful: /,
    ],
  ];
  for (const [what, data, message] of cases) {
    await writeFile(join(dir, 'r.sarif'), JSON.stringify(data));
    const verdict = await sarifGate.run(sarifGate.schema.parse({ files: 'r.sarif' }), context(dir));
    assert.equal(verdict.status, 'block', what);
    assert.match(verdict.summary, message, what);
  }
  // A run that ran and found nothing passes.
  await writeFile(
    join(dir, 'r.sarif'),
    JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: {} }, invocations: [{ executionSuccessful: true }], results: [] }],
    }),
  );
  const clean = await sarifGate.run(sarifGate.schema.parse({ files: 'r.sarif' }), context(dir));
  assert.equal(clean.status, 'pass', clean.summary);
});
