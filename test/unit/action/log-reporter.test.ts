import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionLogReporter } from '../../../src/action/log-reporter.ts';
import { credentialRedactor } from '../../../src/report/redact.ts';

const TOKEN = 'ghs_0123456789abcdefghijABCDEFGHIJ012345';

function log() {
  const written: string[] = [];
  const annotated: string[] = [];
  const reporter = actionLogReporter({
    redact: credentialRedactor([TOKEN]),
    write: (text) => written.push(text),
    annotate: (message) => annotated.push(message),
  });
  return { reporter, written, annotated };
}

test("the run's warnings are annotations, redacted; other lines stay in the log, redacted", () => {
  const { reporter, written, annotated } = log();
  reporter.event({
    type: 'log',
    level: 'warn',
    message: `the state record of production (write 3) was not stored: 401 for token ${TOKEN}`,
  });
  reporter.event({ type: 'log', level: 'info', message: `using ${TOKEN}` });
  reporter.event({ type: 'output', source: 'deploy', stream: 'stdout', line: `echo ${TOKEN}` });
  assert.deepEqual(annotated, ['the state record of production (write 3) was not stored: 401 for token ***']);
  const text = written.join('');
  assert.doesNotMatch(text, /was not stored/, 'a warning is not written twice');
  assert.match(text, /info: using \*\*\*/);
  assert.ok(!text.includes(TOKEN) && !annotated.join('').includes(TOKEN), 'the token never leaves');
});

test('errors and step lines are not annotations (the run fails with its own message)', () => {
  const { reporter, written, annotated } = log();
  reporter.event({ type: 'log', level: 'error', message: 'boom' });
  assert.deepEqual(annotated, []);
  assert.match(written.join(''), /error: boom/);
});

test("a secret the summary's detail column cuts in the middle shows none of its start in the log", async () => {
  const { rolledBack } = await import('../report/fixtures.ts');
  const secret = 'plantedWebhookSecret0123456789';
  const written: string[] = [];
  const reporter = actionLogReporter({
    redact: credentialRedactor([TOKEN, secret]),
    write: (text) => written.push(text),
    annotate: () => {},
  });
  const result = rolledBack();
  // Cut at 70 characters in the summary's table: 11 of them the secret's.
  const detail = `deploy: target.commands.deploy (node) exited with code 1: ${secret}`;
  reporter.event({
    type: 'result',
    result: {
      ...result,
      phases: result.phases.map((p) => (p.phase === 'production' ? { ...p, detail } : p)),
    },
  });
  const text = written.join('');
  // Masked before the column cuts it (the event is redacted first), or its start after: never a part of it.
  assert.match(text, /exited with code 1: \*\*\*…?\n/);
  assert.ok(!text.includes(secret.slice(0, 10)), text);
});
