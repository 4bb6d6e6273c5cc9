// `npm start` as a process: the server module run directly reads its settings from the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { privateKey } from './helpers.ts';

const node = process.execPath;
const server = new URL('../../app/server.ts', import.meta.url).pathname;

test('missing variables: exit 1 naming every one, nothing else', async () => {
  const result = await execa(node, [server], {
    env: { PATH: process.env.PATH },
    extendEnv: false,
    reject: false,
    timeout: 20_000,
  });
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /APP_ID is required/);
  assert.match(result.stderr, /PRIVATE_KEY or PRIVATE_KEY_PATH is required/);
  assert.match(result.stderr, /WEBHOOK_SECRET is required/);
});

test('with its variables the server listens and answers /healthz; SIGTERM stops it', async () => {
  const child = execa(node, [server], {
    env: {
      PATH: process.env.PATH,
      APP_ID: '12',
      PRIVATE_KEY: privateKey(),
      WEBHOOK_SECRET: 'sekret',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
    },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
  try {
    let output = '';
    // Read stdout without consuming it as an iterable: closing that early would close the server's stdout.
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in: ${output}`)), 20_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
    assert.doesNotMatch(output, /sekret|PRIVATE KEY/, 'secrets never reach the log');
  } finally {
    child.kill('SIGTERM');
  }
  const result = await child;
  assert.equal(result.exitCode, 0, result.stderr);
});
