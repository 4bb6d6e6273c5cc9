// The run's own secret values out of text it writes elsewhere (logs, records): whole values, and a value cut
// in the middle where a field was cut to its length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { secretValueRedactor } from '../../../src/report/redact.ts';
import { urlSecrets } from '../../../src/util/secret-values.ts';
import { redactRecordSecrets, emptyRecord, withTransition } from '../../../src/state/record.ts';

const SECRET = 'horse-battery-staple-4242';

test('a secret is masked wherever it appears, and a short value (which would mask words) is not a secret', () => {
  const redact = secretValueRedactor([SECRET, 'short', undefined]);
  assert.equal(redact(`token=${SECRET}; again ${SECRET}.`), 'token=***; again ***.');
  assert.equal(redact('a short text'), 'a short text');
});

test('a text that ends in the middle of a secret (cut to its length) has that start masked too', () => {
  const redact = secretValueRedactor([SECRET]);
  for (const cut of [6, 12, SECRET.length - 1]) {
    const text = `probe said: token=${SECRET.slice(0, cut)}`;
    assert.equal(redact(text), 'probe said: token=***', `cut at ${cut}`);
  }
  // A few characters alike are not a secret's start (too little to tell from ordinary text).
  assert.equal(redact('the horse'), 'the horse');
  assert.equal(redact(`${SECRET.slice(0, 8)} in the middle`), `${SECRET.slice(0, 8)} in the middle`);
});

test('a secret cut short where a line or a column was (its start, then …) is masked, wherever the cut is', () => {
  const redact = secretValueRedactor([SECRET]);
  // A table's detail column, cut with … in the middle of a longer text (the CLI's summary, the Action's log).
  const table = `  production  failed  1s  deploy exited with code 1: ${SECRET.slice(0, 11)}…\n  staging  ok`;
  assert.equal(redact(table), '  production  failed  1s  deploy exited with code 1: ***…\n  staging  ok');
  // A command's last line cut at 200 characters, at the end of the text.
  assert.equal(redact(`exited: ${SECRET.slice(0, 7)}…`), 'exited: ***…');
  // An ordinary word before … is not a secret's start.
  assert.equal(redact('the horse…'), 'the horse…');
});

test('a record whose detail was cut to 1,000 characters across a secret keeps none of it', () => {
  const before = emptyRecord('acme/shop', 'production', new Date('2026-01-01T00:00:00Z'));
  const detail = `${'x'.repeat(990)}${SECRET}`.slice(0, 1000);
  const record = withTransition(
    before,
    {},
    { by: 'run:1', event: 'rollback_started', code: 'analysis', detail },
    new Date('2026-01-01T00:01:00Z'),
  );
  const stored = JSON.stringify(redactRecordSecrets(record, secretValueRedactor([SECRET])));
  assert.ok(!stored.includes(SECRET.slice(0, 10)), stored.slice(-200));
  assert.match(stored, /x{990}\*\*\*/);
});

test('a secret with a quote, a backslash or a line break is masked as JSON writes it too (a --json event, a record)', () => {
  const secret = 'pa"ss\\word-4242\nline-two-9999';
  const redact = secretValueRedactor([secret]);
  const json = JSON.stringify({ detail: `the command printed ${secret} and stopped` });
  assert.ok(json.includes('pa\\"ss\\\\word'), 'the fixture is written escaped');
  const masked = redact(json);
  assert.ok(!masked.includes('pa\\"ss'), masked);
  assert.ok(!masked.includes('line-two-9999'), masked);
  assert.deepEqual(JSON.parse(masked), { detail: 'the command printed *** and stopped' });
});

test("a webhook URL's token parts are secrets on their own, its path's words are not (a JSON key stays itself)", () => {
  const token = `Tk${randomBytes(12).toString('hex')}`;
  // A query value is a secret whatever its letters (a lowercase token too).
  const lowercase = 'abcdefghijklmnop';
  const url = `https://hooks.example.test/api/notifications/integrations/${token}/triggers/manual/run?token=${lowercase}&sig=${token}x`;
  const parts = urlSecrets(url);
  for (const secret of [token, `${token}x`, lowercase])
    assert.ok(parts.includes(secret), `${secret} is not among ${parts.join(' ')}`);
  for (const word of ['notifications', 'integrations', 'token'])
    assert.ok(!parts.includes(word), `${word} is masked as a secret`);
  const redact = secretValueRedactor([url, ...parts]);
  const line = JSON.stringify({ notifications: 'sent', integrations: 2, detail: `posted to .../${token}` });
  const masked = redact(line);
  assert.deepEqual(JSON.parse(masked), {
    notifications: 'sent',
    integrations: 2,
    detail: 'posted to .../***',
  });
  assert.equal(redact(`?token=${lowercase}`), '?token=***');
});

test('a webhook URL whose whole path is words and has no query: that path is not a secret (a docs link keeps it)', () => {
  const parts = urlSecrets('https://ntfy.example.test/notifications');
  assert.ok(!parts.includes('/notifications'), parts.join(' '));
  const redact = secretValueRedactor(['https://ntfy.example.test/notifications', ...parts]);
  assert.equal(redact('see docs/notifications.md'), 'see docs/notifications.md');
  assert.equal(redact('posted to ntfy.example.test/notifications'), 'posted to ***');
});

test('a mask never cuts a JSON escape in two: the text stays JSON, the secret stays hidden', () => {
  const value = 'tplanted-0123456789';
  const redact = secretValueRedactor([value, 'ends-with-backslash\\', '00e9plantedvalue']);
  const cases = [
    // From the escape's letter: a tab then the secret's rest.
    JSON.stringify({ line: `said:\t${value.slice(1)}` }),
    // From inside a \u escape.
    JSON.stringify({ line: 'a\u0000e9plantedvalue' }),
    // Ending on an escape's backslash: the secret's form, less its last character, then a quote.
    JSON.stringify({ line: 'ends-with-backslash"!' }),
  ];
  for (const text of cases) {
    const masked = redact(text);
    assert.match(masked, /\*\*\*/, text);
    assert.doesNotThrow(() => JSON.parse(masked), `${text} -> ${masked}`);
  }
  // An escaped backslash before a secret is the text's own: kept, and still JSON.
  const escaped = JSON.stringify({ path: `C:\\${value}` });
  assert.equal(redact(escaped), '{"path":"C:\\\\***"}');
  // A text cut in the middle of the secret, right after an escape, too.
  assert.doesNotThrow(() => JSON.parse(`"${redact(`said:\\t${value.slice(1, 9)}`)}"`));
});

test('a secret holding ##[ or a zero-width space is masked in text already made plain (the CLI masks what it writes)', async () => {
  const { plain } = await import('../../../src/util/plain-text.ts');
  const { cliRunReporter } = await import('../../../src/cli/run-reporter.ts');
  const { maskingIo } = await import('../../../src/cli/main.ts');
  const hash = 'tok##[error]abc123XYZ';
  const zeroWidth = 'zero\u200Bwidth-secret-42';
  const redact = secretValueRedactor([hash, zeroWidth]);
  assert.equal(redact(plain(`a ${hash} b ${zeroWidth} c`)), 'a *** b *** c');
  // The CLI's terminal report makes each text plain; its writer masks the secrets the config names after.
  const out: string[] = [];
  const io = maskingIo({ out: (text) => out.push(text), err: () => {} });
  io.mask([hash, zeroWidth]);
  const reporter = cliRunReporter(false, io.out);
  reporter.event({ type: 'output', source: 'deploy', stream: 'stdout', line: `echo ${hash} ${zeroWidth}` });
  const text = out.join('');
  for (const form of [hash, zeroWidth, plain(hash), plain(zeroWidth)]) assert.ok(!text.includes(form), text);
  assert.match(text, /echo \*\*\* \*\*\*/);
});
