// Commands written below the first line of a comment. Only the first line is a command (parse.ts): a second
// one is never run, so the reply says which were not, rather than leaving the commenter to think that, say,
// their `/approve-deploy production` on line 2 was recorded.
import { COMMAND_NAMES } from './parse.ts';
import type { CommandKind } from './command.ts';

/** Lines read below the first: a comment can be 65,536 characters, but the answer needs only a few. */
const MAX_LINES = 200;
/** Commands named in the answer; more are counted. */
export const MAX_NAMED = 5;

export interface LaterCommand {
  /** 1-based line number in the comment. */
  line: number;
  command: CommandKind;
}

// A line GitHub shows as a command would be written: up to three spaces, `/` and a command's name, then a
// space or the end. Quoted (`>`), indented code (four columns) and text inside a fence are conversation.
const COMMAND_LINE = /^ {0,3}\/([a-z-]+)(?:[ \t]|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The commands on the lines after the first, outside code fences, in order. */
export function laterCommands(body: string): LaterCommand[] {
  const lines = body.split(/\r\n|\r|\n/, MAX_LINES + 1);
  const found: LaterCommand[] = [];
  let fence: string | undefined;
  // The first line opens a fence too (then it was no command): follow it from there.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = FENCE.exec(line)?.[1];
    if (fence) {
      // A fence closes with the same character, at least as long, and nothing after it but spaces.
      if (
        marker &&
        marker[0] === fence[0] &&
        marker.length >= fence.length &&
        !line.trim().slice(marker.length)
      )
        fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    if (i === 0) continue;
    const word = COMMAND_LINE.exec(line)?.[1];
    const command = COMMAND_NAMES.find((name) => name === word);
    if (command) found.push({ line: i + 1, command });
  }
  return found;
}

/** The sentence a reply ends with when the comment holds commands below its first line; '' when none. */
export function laterCommandsNote(body: string): string {
  const later = laterCommands(body);
  if (later.length === 0) return '';
  const named = later
    .slice(0, MAX_NAMED)
    .map((c) => `line ${c.line} (\`/${c.command}\`)`)
    .join(', ');
  const more = later.length > MAX_NAMED ? ` and ${later.length - MAX_NAMED} more` : '';
  const verb = later.length === 1 ? 'was' : 'were';
  return (
    `**Not run**: only the first line of a comment is a command, so ${named}${more} ${verb} not run. ` +
    'Write each command in a comment of its own.'
  );
}
