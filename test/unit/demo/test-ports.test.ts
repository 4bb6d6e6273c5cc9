// The ports the test harness gives servers that must know theirs before they start (test/helpers/ports.ts):
// no other socket can be handed one between the pick and the server's bind (the EADDRINUSE flake of
// rollout-control's demo service).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { execa } from 'execa';
import { ephemeralRange, freePort, freePorts, startOnFreshPort } from '../../helpers/ports.ts';
import { NODE } from '../../helpers/processes.ts';

const PORTS = new URL('../../helpers/ports.ts', import.meta.url).href;

test('a picked port lies outside the range the OS hands out on its own, so no listen(0) or connect() takes it', async () => {
  const [low, high] = ephemeralRange();
  for (const port of await freePorts(20)) {
    assert.ok(port < low || port > high, `${port} is in the ephemeral range ${low}-${high}`);
  }
});

test('test processes picking at the same time never get the same port', async () => {
  // Each process picks 300 and holds them (as a test holds its servers' ports) until all have picked; a port
  // released by one picker and handed to another would show up twice.
  const picker = `import { freePorts } from ${JSON.stringify(PORTS)};
    console.log(JSON.stringify(await freePorts(300)));
    process.stdin.resume().on('end', () => process.exit(0));`;
  const children = [1, 2].map(() => execa(NODE, ['--input-type=module', '-e', picker], { stdin: 'pipe' }));
  const picked = children.map(
    (child) =>
      new Promise<number[]>((resolve) => {
        let text = '';
        child.stdout.on('data', (d: Buffer) => {
          text += String(d);
          if (text.endsWith('\n')) resolve(JSON.parse(text) as number[]);
        });
      }),
  );
  try {
    const all = [await freePorts(300), ...(await Promise.all(picked))].flat();
    assert.equal(all.length, 900);
    assert.equal(new Set(all).size, all.length, 'a port was given to two processes');
  } finally {
    for (const child of children) child.stdin.end();
    await Promise.all(children);
  }
});

test('a port grabbed between the pick and the bind: the start is retried on a fresh port, a bounded number of times', async () => {
  const grabbed: number[] = [];
  const grabbers: ReturnType<typeof createServer>[] = [];
  const listenOn = (port: number) =>
    new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  try {
    // Someone binds the picked port by number before the server does, twice; the third start succeeds.
    const started = await startOnFreshPort(async (port) => {
      if (grabbed.length < 2) {
        grabbed.push(port);
        grabbers.push(await listenOn(port));
      }
      return listenOn(port);
    });
    const port = (started.address() as { port: number }).port;
    assert.equal(grabbed.length, 2);
    assert.ok(!grabbed.includes(port), 'the retry used a fresh port');
    grabbers.push(started);

    // Never more than `attempts` starts, and the last EADDRINUSE is what the caller sees.
    let starts = 0;
    await assert.rejects(
      startOnFreshPort(async (p) => {
        starts++;
        grabbers.push(await listenOn(p));
        return listenOn(p);
      }, 2),
      /EADDRINUSE/,
    );
    assert.equal(starts, 2);

    // Any other failure is not retried.
    let others = 0;
    await assert.rejects(
      startOnFreshPort(async () => {
        others++;
        throw new Error('config error');
      }),
      /config error/,
    );
    assert.equal(others, 1);
  } finally {
    for (const server of grabbers) server.close();
  }
});

test('a picked port has nothing listening on it (a safe "dead port" for connection-refused tests)', async () => {
  const port = await freePort();
  const error = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
    () => undefined,
    (e: Error & { cause?: { code?: string } }) => e.cause?.code,
  );
  assert.equal(error, 'ECONNREFUSED');
});
