// One delivery's read of the config (configOnce): read once per repository; a failed read is read again, a
// config that is missing or invalid is an answer and is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configOnce, FactsError } from '../../../app/facts/config.ts';
import type { Api } from '../../../app/facts/github.ts';

const where = { owner: 'acme', repo: 'web' };
const YAML = 'target:\n  commands:\n    deploy: ./deploy.sh\nenvironments:\n  production: {}\n';

function api(answers: Array<() => unknown>): { github: Api; reads: () => number } {
  let reads = 0;
  const github = {
    repos: {
      getContent: async () => {
        const answer = answers[Math.min(reads, answers.length - 1)]!;
        reads++;
        return { data: answer() };
      },
    },
  } as unknown as Api;
  return { github, reads: () => reads };
}

const fails = (status: number) => () => {
  throw Object.assign(new Error(`HTTP ${status}`), { status });
};

test('the config is read once per delivery and repository', async () => {
  const { github, reads } = api([() => YAML]);
  const read = configOnce();
  const [a, b] = await Promise.all([read(github, where), read(github, where, 'main')]);
  assert.equal(a, b);
  assert.deepEqual(Object.keys((await read(github, where)).environments), ['production']);
  assert.equal(reads(), 1);
  await read(github, { owner: 'acme', repo: 'api' });
  assert.equal(reads(), 2, 'another repository is read on its own');
});

test('a read GitHub failed is read again; a missing config is kept', async () => {
  const flaky = api([fails(502), () => YAML]);
  const read = configOnce();
  await assert.rejects(read(flaky.github, where), /HTTP 502/);
  assert.ok((await read(flaky.github, where)).environments);
  assert.equal(flaky.reads(), 2);
  const missing = api([fails(404), () => YAML]);
  const once = configOnce();
  await assert.rejects(once(missing.github, where), FactsError);
  await assert.rejects(once(missing.github, where), FactsError);
  assert.equal(missing.reads(), 1);
});
