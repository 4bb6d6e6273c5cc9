// Recordings as runs leave them: a run stopped while writing leaves its last line cut short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactConfig } from '../../../src/analysis/recording.ts';
import { runAnalyzeCommand } from '../../../src/analysis/replay.ts';

const FIXTURE = new URL('../../fixtures/analysis/canary-sustained-errors.ndjson', import.meta.url);

test('a last line cut short is refused with where, what and what to do; a bad line inside is not called cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(FIXTURE, 'utf8');
  const lines = text.trimEnd().split('\n');
  const cut = join(dir, 'cut.ndjson');
  writeFileSync(cut, text.trimEnd().slice(0, -40));
  const result = runAnalyzeCommand({ recording: cut });
  assert.equal(result.exitCode, 3, result.output);
  assert.equal(
    result.output.split('\n')[0]!.replace(/ \(.*\)\):/, ' (…):'),
    `error: ${cut}:${lines.length}: not JSON (…): the last line is cut short (no newline at its end: a run stopped while writing it?); remove it to judge the rest`,
  );
  // The same broken line with its newline, or before the end, is a broken line, not a cut one.
  const broken = join(dir, 'broken.ndjson');
  writeFileSync(broken, `${text.trimEnd().slice(0, -40)}\n`);
  assert.doesNotMatch(runAnalyzeCommand({ recording: broken }).output, /cut short/);
  const inside = join(dir, 'inside.ndjson');
  writeFileSync(inside, [...lines.slice(0, 3), lines[3]!.slice(0, -10), ...lines.slice(4)].join('\n'));
  const output = runAnalyzeCommand({ recording: inside }).output;
  assert.match(output, new RegExp(`:4: not JSON`));
  assert.doesNotMatch(output, /cut short/);
});

test('a recording keeps no credential: headers, env and the user and password of a URL are redacted', () => {
  const redacted = redactConfig({
    providers: {
      prom: {
        type: 'prometheus',
        url: 'https://reader:s3cr%40t@prom.example:9090/select/0/prometheus',
        headers: { Authorization: 'Bearer hunter2' },
      },
      probe: {
        type: 'http',
        url: 'http://svc:tok@{{slot}}.internal/health',
        stable_url: 'http://{{stable_slot}}.internal/health',
      },
      script: { type: 'command', run: ['./m.sh'], env: { TOKEN: 'hunter2' } },
    },
  });
  const text = JSON.stringify(redacted);
  for (const secret of ['hunter2', 's3cr', 'reader', 'tok@'])
    assert.ok(!text.includes(secret), `${secret}: ${text}`);
  assert.deepEqual(redacted.providers, {
    prom: {
      type: 'prometheus',
      url: 'https://[redacted]@prom.example:9090/select/0/prometheus',
      headers: { Authorization: '[redacted]' },
    },
    probe: {
      type: 'http',
      url: 'http://[redacted]@{{slot}}.internal/health',
      stable_url: 'http://{{stable_slot}}.internal/health',
    },
    script: { type: 'command', run: ['./m.sh'], env: { TOKEN: '[redacted]' } },
  });
});

test('a token in the query of a provider URL is redacted from a recording, the rest of the URL kept', () => {
  const redacted = redactConfig({
    providers: {
      prom: {
        type: 'prometheus',
        url: 'https://prom.example/api/prom?tenant=a&token=hunter2&X-Amz-Signature=abc123',
      },
      probe: {
        type: 'http',
        url: 'http://{{slot}}.internal/health?access_token=hunter3&verbose=1',
        stable_url: 'http://{{stable_slot}}.internal/health?api_key=hunter4;API%5FKEY=hunter5#sig=hunter6',
      },
    },
  });
  const text = JSON.stringify(redacted);
  for (const secret of ['hunter2', 'hunter3', 'hunter4', 'hunter5', 'hunter6', 'abc123'])
    assert.ok(!text.includes(secret), `${secret}: ${text}`);
  assert.deepEqual(redacted.providers, {
    prom: {
      type: 'prometheus',
      url: 'https://prom.example/api/prom?tenant=a&token=[redacted]&X-Amz-Signature=[redacted]',
    },
    probe: {
      type: 'http',
      url: 'http://{{slot}}.internal/health?access_token=[redacted]&verbose=1',
      stable_url:
        'http://{{stable_slot}}.internal/health?api_key=[redacted];API%5FKEY=[redacted]#sig=[redacted]',
    },
  });
});
