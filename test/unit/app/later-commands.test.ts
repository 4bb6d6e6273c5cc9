import { test } from 'node:test';
import assert from 'node:assert/strict';
import { laterCommands, laterCommandsNote, MAX_NAMED } from '../../../app/commands/later-commands.ts';
import { addBeforeMarkers } from '../../../src/github/hidden-marker.ts';

test('laterCommands: the commands on the lines below the first, as GitHub shows them', () => {
  assert.deepEqual(laterCommands('/deploy production'), []);
  assert.deepEqual(laterCommands('/approve-deploy staging\n/deploy production'), [
    { line: 2, command: 'deploy' },
  ]);
  // Every line break GitHub keeps; up to three spaces; a tab or the end after the name.
  assert.deepEqual(laterCommands('/status\r\n   /lock production\r/help\n/unlock\tproduction'), [
    { line: 2, command: 'lock' },
    { line: 3, command: 'help' },
    { line: 4, command: 'unlock' },
  ]);
  // Conversation: quoted, indented code, fenced (``` and ~~~, closed only by the same fence), a path, a
  // word that is no command, one in another case, one inside text.
  const body = [
    '/deploy staging',
    '> /deploy production',
    '    /deploy production',
    '```',
    '/deploy production',
    '~~~',
    '/deploy production',
    '```',
    '~~~~ sh',
    '/rollback production',
    '~~~',
    '/abort production',
    '~~~~',
    '/etc/passwd',
    '/deployment production',
    '/Deploy production',
    'please /deploy production',
    '/reject-deploy production',
  ].join('\n');
  assert.deepEqual(laterCommands(body), [{ line: 18, command: 'reject-deploy' }]);
  // A first line that opens a fence: what follows is code until it closes.
  assert.deepEqual(laterCommands('```\n/deploy production\n```\n/help'), [{ line: 4, command: 'help' }]);
});

test('laterCommandsNote: names the lines not run, at most a few, and says to write one command per comment', () => {
  assert.equal(laterCommandsNote('/deploy production\nthanks!'), '');
  assert.equal(
    laterCommandsNote('/approve-deploy staging\n/approve-deploy production'),
    '**Not run**: only the first line of a comment is a command, so line 2 (`/approve-deploy`) was not run. ' +
      'Write each command in a comment of its own.',
  );
  const many = laterCommandsNote(
    ['/status', ...Array.from({ length: MAX_NAMED + 3 }, () => '/help')].join('\n'),
  );
  assert.match(many, /line 2 \(`\/help`\), .*line 6 \(`\/help`\) and 3 more were not run/);
  assert.doesNotMatch(many, /line 7/);
  // A megabyte of lines costs no more than a few hundred.
  assert.ok(laterCommands(`/status${'\n/help'.repeat(200_000)}`).length <= 200);
});

test('addBeforeMarkers: the note goes after the text, the trailing marker lines stay last', () => {
  const marker = '<!-- deploy-action:approval {"v":1} mac=' + 'a'.repeat(64) + ' -->';
  assert.equal(addBeforeMarkers(`Approved.\n\n${marker}`, 'Note.'), `Approved.\n\nNote.\n\n${marker}`);
  assert.equal(
    addBeforeMarkers(`Approved.\n\n${marker}\n${marker}\n`, 'Note.'),
    `Approved.\n\nNote.\n\n${marker}\n${marker}`,
  );
  assert.equal(addBeforeMarkers('Refused.', 'Note.'), 'Refused.\n\nNote.');
  assert.equal(addBeforeMarkers(marker, 'Note.'), `Note.\n\n${marker}`);
});
