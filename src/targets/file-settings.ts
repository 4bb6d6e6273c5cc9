// The mode chmod gives its files, the owner chown and the group chgrp give them (file-writes.ts reads where the
// word is): not a file's name, but what a value there chooses is as much the runner's as a file is (777 makes a
// file writable by every user, u+s or 4755 runs a program as its owner, a value starting with "-" is an option:
// --reference=FILE, -R). A template that is the word or starts it is refused when the config loads (the file
// rule's 'chooses'); one after fixed text (`0{{mode}}`, `u+{{x}}`, `deploy:{{group}}`) is checked here once
// rendered. Pure.
import { PLACEHOLDER } from './placeholder.ts';

/**
 * What the word sets: chmod's mode, chown's OWNER[:GROUP], chgrp's GROUP; or, 'from', the owner chown --from
 * matches (CURRENT_OWNER[:CURRENT_GROUP]: only files owned so change), an owner as chown's.
 */
export type FileSetting = 'mode' | 'owner' | 'group' | 'from';

/** What the word is: "the mode chmod gives its files" (`how`: the program and option, "install -m"). */
const what = (setting: FileSetting, how: string) =>
  setting === 'from' ? `the current owner ${how} matches` : `the ${setting} ${how} gives its files`;
const HARM: Record<FileSetting, string> = {
  mode: 'the rights of files {of} (777 lets every user write them, u+s or 4755 runs a program as its owner, and a value starting with "-" would be read as an option: -R, --reference=FILE)',
  owner:
    'who owns files {of} (a service user then reads or rewrites them, and a value starting with "-" would be read as an option: --reference=FILE, --from=…)',
  group:
    'which group shares files {of} (its users then read or rewrite them, and a value starting with "-" would be read as an option: --reference=FILE)',
  from: 'which files {of} change owner (those a user or group the value names owns), where anything but an owner (a user, a ":" and a group) is no owner chown --from reads',
};
const SAFE: Record<FileSetting, string> = {
  mode: 'write the mode in the config (chmod 0755 …, chmod u+x …), a command per environment if it differs',
  owner:
    'write the owner in the config (chown deploy:deploy …), a command per environment if it differs, or put the value after fixed text (chown deploy:{{…}} …), where it must be a plain user or group name once rendered',
  group:
    'write the group in the config (chgrp deploy …), a command per environment if it differs, or put the value after fixed text (chgrp app-{{…}} …), where it must be a plain group name once rendered',
  from: 'write the owner in the config (chown --from=deploy …), a command per environment if it differs, or put the value after fixed text (chown --from=deploy:{{…}} …), where it must be a plain user or group name once rendered',
};

/** The message for a template that is the word or starts it: refused when the config loads. */
export function settingChosenMessage(
  name: string,
  setting: FileSetting,
  how: string,
  word: string,
  of: string,
): string {
  return `{{${name}}} is ${what(setting, how)} (${word}), or starts it: its value would choose ${harm(setting, of)}; ${SAFE[setting]}`;
}

const harm = (setting: FileSetting, of: string) => HARM[setting].replace('{of}', of);

/** A user or group name (or number) as chown reads it: no leading "-", no ":". */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;

/** Why a mode (rendered whole) is refused, or undefined: set-ID or sticky bits, or write for others. */
function modeFault(mode: string): string | undefined {
  if (/^[0-7]+$/.test(mode)) {
    const bits = parseInt(mode, 8);
    if (mode.length > 5 || bits > 0o7777) return 'is not a mode';
    if (bits & 0o7000) return 'would set the set-user-ID, set-group-ID or sticky bit';
    if (bits & 0o002) return 'would let every user write the files';
    return undefined;
  }
  for (const clause of mode.split(',')) {
    const match = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/.exec(clause);
    if (!match) return 'is not a mode (octal digits, or clauses such as u+x, go-w, u=rwx)';
    const others = match[1] === '' || /[oa]/.test(match[1]!);
    for (const [, op, perms] of match[2]!.matchAll(/([-+=])([ugo]|[rwxXst]*)/g)) {
      if (op === '-') continue;
      if (/[st]/.test(perms!)) return 'would set the set-user-ID, set-group-ID or sticky bit';
      if (/^[ugo]$/.test(perms!)) return "would copy one class's rights to another";
      if (others && perms!.includes('w')) return 'would let every user write the files';
    }
  }
  return undefined;
}

/** Why an owner or group (rendered whole) is refused, or undefined. */
function ownerFault(setting: FileSetting, text: string): string | undefined {
  if (setting === 'group') return NAME.test(text) ? undefined : 'is not one plain group name or number';
  const [user, group, ...more] = text.split(':');
  const fits = (part: string | undefined) => part === undefined || part === '' || NAME.test(part);
  if (more.length || !fits(user) || !fits(group) || text === '' || text === ':')
    return 'is not one plain user name or number, with at most a ":" and a group name or number after it';
  return undefined;
}

/**
 * Why the word (templates unrendered) is refused rendered with `values`, or undefined; `of`: "of the runner" or
 * "of the remote host".
 */
export function settingProblem(
  setting: FileSetting,
  how: string,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
  of: string,
): string | undefined {
  const name = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!).find((n) => values[n] !== undefined);
  if (name === undefined) return undefined;
  const rendered = word.replace(PLACEHOLDER, (_, n: string) => values[n] ?? '');
  const fault = setting === 'mode' ? modeFault(rendered) : ownerFault(setting, rendered);
  if (fault === undefined) return undefined;
  return `the value of {{${name}}} makes ${what(setting, how)} ${JSON.stringify(rendered)} once rendered (${word}), which ${fault}: its value would choose ${harm(setting, of)}; ${setting === 'mode' ? 'a mode with a value in it may be octal up to 777 without write for others, or clauses such as u+x, go-w, u=rwx without s, t, w for o or a, nor a copy (g=u); write other modes in the config' : SAFE[setting]}`;
}

/**
 * The same for the value of a variable set from the template (`m={{x}}; chmod "0$m"`, said `$m`): where in the
 * word it lands is not known, so a mode's value may hold only r, x and X, an owner's or a group's only letters,
 * digits and . _ -.
 */
export function settingViaProblem(
  setting: FileSetting,
  how: string,
  name: string,
  value: string,
  said: string,
  through: string,
): string | undefined {
  const bad = setting === 'mode' ? /[^rxX]/.exec(value) : /[^A-Za-z0-9_.-]/.exec(value);
  if (!bad) return undefined;
  return `the value of {{${name}}}${through} holds ${JSON.stringify(bad[0])} where ${said} is in ${what(setting, how)}, and where in it the value lands is not known: there a value may hold only ${setting === 'mode' ? 'r, x and X' : 'letters, digits and . _ -'}; ${SAFE[setting]}`;
}
