// A secret holding what plain() changes (`##[`, a zero-width space) is masked in the job log and annotations:
// redaction runs on the raw text before it is made plain, and again after (an invisible character dropped).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { actionLogReporter } from '../../../src/action/log-reporter.ts';
import { logInfo } from '../../../src/action/job-log.ts';
import {
  notWorkflowCommand,
  plain,
  plainLinesRedacted,
  plainRedacted,
} from '../../../src/util/plain-text.ts';

const HASH_SECRET = 'tok##[error]abc123XYZ';
const ZW_SECRET = 'zero\u200Bwidth-secret-42';
const SPLIT_SECRET = 'splitSecretValue9876';

/** Masks each secret only where it is written exactly, as the runner's masking and a bare redactor do. */
function exact(...secrets: string[]): (text: string) => string {
  return (text) => secrets.reduce((t, s) => t.split(s).join('***'), text);
}

/** No form of any secret, as written or as plain() left it. */
function assertNoSecret(text: string): void {
  for (const secret of [HASH_SECRET, ZW_SECRET, SPLIT_SECRET])
    for (const form of [secret, plain(secret)])
      assert.ok(!text.includes(form), `${JSON.stringify(form)} in ${text}`);
}

function captureStdout(t: TestContext): string[] {
  const printed: string[] = [];
  t.mock.method(process.stdout, 'write', (chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  return printed;
}

test('plainRedacted and plainLinesRedacted mask a secret holding ##[ or a zero-width space, and one split by one', () => {
  const redact = exact(HASH_SECRET, ZW_SECRET, SPLIT_SECRET);
  const text = `a ${HASH_SECRET} b ${ZW_SECRET} c splitSecret\u200BValue9876 d`;
  const line = plainRedacted(text, redact);
  assert.equal(line, 'a *** b *** c *** d');
  const lines = plainLinesRedacted(
    `first ${HASH_SECRET}\nsecond ${ZW_SECRET}\rthird split\u200DSecretValue9876`,
    redact,
  );
  assert.equal(lines, 'first ***\nsecond ***\nthird ***');
  assertNoSecret(line + lines);
});

test('the job log (logInfo) masks a secret holding ##[ or a zero-width space', (t) => {
  const printed = captureStdout(t);
  logInfo(
    `deploying with ${HASH_SECRET}\nand ${ZW_SECRET} and splitSecret\u200BValue9876`,
    exact(HASH_SECRET, ZW_SECRET, SPLIT_SECRET),
  );
  t.mock.restoreAll();
  const text = printed.join('');
  assertNoSecret(text);
  assert.match(text, /deploying with \*\*\*\n/);
  assert.match(text, /and \*\*\* and \*\*\*\n/);
});

test("the Action's log reporter masks such a secret in a command's output, a log line and a result", async () => {
  const written: string[] = [];
  const annotated: string[] = [];
  const reporter = actionLogReporter({
    redact: exact(HASH_SECRET, ZW_SECRET, SPLIT_SECRET),
    write: (text) => written.push(text),
    annotate: (message) => annotated.push(message),
  });
  reporter.event({
    type: 'output',
    source: 'deploy',
    stream: 'stdout',
    line: `echo ${HASH_SECRET} ${ZW_SECRET}`,
  });
  reporter.event({ type: 'log', level: 'info', message: `token splitSecret\u200BValue9876 used` });
  reporter.event({ type: 'log', level: 'warn', message: `warned about ${HASH_SECRET}` });
  const { rolledBack } = await import('../report/fixtures.ts');
  const result = rolledBack();
  reporter.event({
    type: 'result',
    result: {
      ...result,
      phases: result.phases.map((p) =>
        p.phase === 'production' ? { ...p, detail: `failed: ${ZW_SECRET}` } : p,
      ),
    },
  });
  const text = written.join('');
  assertNoSecret(text + annotated.join(''));
  assert.match(text, /echo \*\*\* \*\*\*/);
  assert.match(text, /token \*\*\* used/);
  assert.deepEqual(annotated, ['warned about ***']);
});

// The runner reads a stdout line as a workflow command when, its leading white space trimmed, it starts with
// `::` (::add-mask::, ::stop-commands::, ::set-output …). A text the Action logs may quote others (a record's
// detail quoting a command's output, an error GitHub or a webhook sent back), split into lines by logInfo:
// none of them may become a command.
const COMMAND_LINES = [
  '::add-mask::v1',
  '::stop-commands::resume-token',
  '  ::set-output name=status::succeeded',
  '\t::warning file=x::forged',
  '\u00a0\u3000::error::forged',
  '\ufeff::notice::forged',
  '\u200b::debug::forged',
];

test('logInfo prints no workflow command, whatever the lines of the text it is given start with', (t) => {
  const printed = captureStdout(t);
  logInfo(`reconcile: rollback failed: ${COMMAND_LINES.join('\n')}\r${COMMAND_LINES[0]}`);
  t.mock.restoreAll();
  const lines = printed.join('').split('\n').filter(Boolean);
  assert.equal(lines.length, COMMAND_LINES.length + 1);
  for (const line of lines) assert.doesNotMatch(line, /^\s*::/u, JSON.stringify(line));
  // The text is kept as written, a backslash before it.
  assert.equal(lines[1], '\\::stop-commands::resume-token');
  assert.equal(lines[2], '  \\::set-output name=status::succeeded');
  assert.equal(lines.at(-1), '\\::add-mask::v1');
  assert.equal(notWorkflowCommand('a ::b:: c'), 'a ::b:: c');
});
