// The fields GitHub shows as plain text, not Markdown: a gate check run's title, an annotation's title and
// message, a deployment status's description. Report text reaches each (a suite name in a summary, a SARIF
// rule id and message, a gate's reason in the description of a blocked deployment). Markdown fields drop
// invisible format characters (user-text.ts); these kept them raw, so a bidirectional override in a test's
// name showed the check run's title, the annotation on the diff and the Deployments tab reordered, and
// zero-width characters hid or split words there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGates } from '../../../src/gates/runner.ts';
import type { Gate, GateVerdict } from '../../../src/gates/types.ts';
import { annotationBatches, gateCheckOutput } from '../../../src/report/github/gate-checks.ts';
import {
  DESCRIPTION_MAX,
  finalStatus,
  waitEndStatus,
  waitStatus,
} from '../../../src/report/github/deployment-status.ts';
import { gateContext } from '../../helpers/gate-context.ts';
import { blocked, waitRecord } from './fixtures.ts';

// Right-to-left override, left-to-right isolate, zero-width space, pop directional isolate, line and paragraph
// separators, soft hyphen, byte order mark, and a control character.
const HIDDEN =
  'suite\u202Edesserp\u2066 zero\u200Bwidth\u2069 a\u2028b\u2029c so\u00ADft \uFEFFbom \u001bend';
// What may not be in a field GitHub shows as it is: a format character (Cf), a separator, a control.
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/u;
const CONTROL_BUT_LINE_BREAK = /[^\P{Cc}\n]/u;

const hostileGate: Gate<unknown> = {
  name: 'tests',
  schema: undefined as never,
  async run(): Promise<GateVerdict> {
    return {
      status: 'block',
      summary: `r.xml: <testsuite name="${HIDDEN}"> counts 10 tests but lists 2`,
      findings: [
        {
          path: 'src/a.js',
          line: 3,
          rule: `rule ${HIDDEN}`,
          message: `first ${HIDDEN}\nsecond line`,
          severity: 'error',
        },
      ],
    };
  },
};

test('a gate check run title and its annotations show report text without invisible or control characters', async () => {
  const report = await runGates(
    [{ name: 'tests', gate: hostileGate, config: {}, required: true, timeoutMs: 0 }],
    gateContext('/nonexistent'),
    { concurrency: 1 },
  );
  const result = report.gates[0]!;
  const { title } = gateCheckOutput(result);
  assert.doesNotMatch(title, INVISIBLE, JSON.stringify(title));
  assert.doesNotMatch(title, /\p{Cc}/u, JSON.stringify(title));
  // The visible text stays, in its order.
  assert.match(
    title,
    /^tests: BLOCK: r\.xml: <testsuite name="suitedesserp zerowidth a b c soft bom .*end"> counts 10 tests/,
  );

  const [[annotation]] = annotationBatches(result.findings) as [[ReturnType<typeof annotationBatches>[0][0]]];
  assert.doesNotMatch(annotation.title!, INVISIBLE, JSON.stringify(annotation.title));
  assert.doesNotMatch(annotation.title!, /\p{Cc}/u, JSON.stringify(annotation.title));
  assert.doesNotMatch(annotation.message, INVISIBLE, JSON.stringify(annotation.message));
  assert.doesNotMatch(annotation.message, CONTROL_BUT_LINE_BREAK, JSON.stringify(annotation.message));
  assert.match(annotation.title!, /^rule suitedesserp zerowidth a b c soft bom /);
  // A line or paragraph separator is a line break of the message; its own line breaks stay.
  assert.match(annotation.message, /^first suitedesserp zerowidth a\nb\nc soft bom .*end\nsecond line$/);
});

test('a deployment status description shows a gate reason or a message without invisible or control characters', () => {
  const result = { ...blocked(), message: `quality gates blocked: tests: ${HIDDEN}` };
  const descriptions = [
    finalStatus(result).description,
    waitStatus(waitRecord({ at: `canary ${HIDDEN}` }), 'production').description,
    waitEndStatus(waitRecord({ at: `canary ${HIDDEN}` })).description,
  ];
  for (const description of descriptions) {
    assert.doesNotMatch(description, INVISIBLE, JSON.stringify(description));
    assert.doesNotMatch(description, /\p{Cc}/u, JSON.stringify(description));
    assert.ok(description.length <= DESCRIPTION_MAX, description);
    assert.match(description, /suitedesserp zerowidth a b c soft bom /);
  }
  // Cut to 140 characters after the invisible ones go, so none of the 140 is spent on them.
  const long = finalStatus({ ...result, message: `${'\u200B'.repeat(200)}${'x'.repeat(200)}` }).description;
  assert.equal(
    long,
    `blocked before deploying: ${'x'.repeat(DESCRIPTION_MAX - 'blocked before deploying: '.length - 1)}…`,
  );
});
