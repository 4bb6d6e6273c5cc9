// A cancellation reaches every step the step runner performs at once, requests it has in flight included: the
// rollback must not wait for an answer that no longer matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createStepRunner } from '../../../src/pipeline/step-runner.ts';
import { healthAnalyzer } from '../../../src/pipeline/analyzer.ts';
import { environment } from '../../helpers/machine-driver.ts';

test('cancelled during the blue-green warm-up: the request in flight is abandoned, not waited for', async (t) => {
  const cancel = new AbortController();
  // Answers 3 s late; the request arriving cancels the job.
  const outcome = new Promise<'answered' | 'abandoned'>((resolve) => {
    const server = createServer((req, res) => {
      cancel.abort();
      const late = setTimeout(() => res.end('warm'), 3000);
      res.on('close', () => {
        clearTimeout(late);
        resolve(res.writableFinished ? 'answered' : 'abandoned');
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      void run(port);
    });
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
  });
  let result: unknown;
  async function run(port: number) {
    const env = environment(
      `  production:\n    strategy: { type: blue-green, warmup: { url: "http://127.0.0.1:${port}/warm", requests: 3 } }`,
    );
    const runStep = createStepRunner({
      env,
      values: { version: 'v2', slot: 'green' },
      analyzer: healthAnalyzer(env),
    });
    result = await runStep({ kind: 'warmup', slot: 'green' }, cancel.signal);
  }
  assert.equal(await outcome, 'abandoned');
  for (let i = 0; i < 100 && result === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(result, 'the step ended');
});
