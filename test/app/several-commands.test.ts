// One comment, several commands: only the first line runs (app/commands/parse.ts), and the answer says which
// lines were not run, without moving the signed record it carries out of its trailing block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appReplies, deployYml, repliesTo, sayOnPull, withSeededApp } from './helpers.ts';

const config = deployYml(`
  staging: {}
  production:
    approvals:
      approvers: [dave, erin]
      required: 1
`);
const collaborators = { alice: 'write', dave: 'write', erin: 'write' } as const;
const NOT_RUN =
  /\*\*Not run\*\*: only the first line of a comment is a command, so line 2 \(`\/([a-z-]+)`\) was not run/;

test('a comment with a command below the first line: the first runs, the answer names the one not run', async () => {
  await withSeededApp({ config, collaborators }, async (fake, probot) => {
    // The request waits; its reply carries its signed marker and the note, the marker still last.
    const asked = await sayOnPull(fake, probot, '/deploy production\n/approve-deploy production', 'alice');
    assert.match(asked, /Waiting for 1 approval/);
    assert.equal(NOT_RUN.exec(asked)?.[1], 'approve-deploy');
    assert.match(
      asked,
      /Write each command in a comment of its own\.\n\n<!-- deploy-action:pending [^\n]+ -->$/,
    );

    // An approval's record, with the note before it: read back, it completes the request (dave's approval
    // counts, the /deploy on line 2 is not a second request).
    const approved = await repliesTo(fake, probot, '/approve-deploy production\n\n/deploy staging\n', 'dave');
    assert.match(approved, /Approval by @dave recorded for `production`/);
    assert.match(approved, /Deployment \*\*\\#\u200D\d+\*\* created: `production`/);
    assert.match(approved, /\*\*Not run\*\*: .* line 3 \(`\/deploy`\) was not run/);
    assert.match(approved, /<!-- deploy-action:approval [^\n]+ -->$/);
    const environments = () => [...fake.repo().deployments.values()].map((d) => d.environment);
    assert.deepEqual(environments(), ['production']);

    // A deployment answered by its status comment alone: the note is its own reply.
    const before = appReplies(fake).length;
    await repliesTo(fake, probot, '/deploy staging\n/deploy production', 'alice');
    assert.deepEqual(environments(), ['production', 'staging']);
    const notes = appReplies(fake).slice(before);
    assert.equal(notes.length, 1);
    assert.equal(NOT_RUN.exec(notes[0]!)?.[1], 'deploy');

    // A refused first line: the refusal says it too.
    const refused = await sayOnPull(fake, probot, '/deploy production; echo\n/lock production', 'alice');
    assert.match(refused, /^\*\*Not accepted\*\* \(`shell_metacharacters`\)/);
    assert.equal(NOT_RUN.exec(refused)?.[1], 'lock');

    // One command, or commands only quoted or fenced below it: no note.
    for (const body of ['/status', '/status\n> /deploy production', '/status\n```\n/deploy production\n```'])
      assert.doesNotMatch(await sayOnPull(fake, probot, body, 'erin'), /Not run/, JSON.stringify(body));
  });
});
