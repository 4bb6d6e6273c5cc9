// The words of one image tool's subcommand sorted by their role (ImageToolCommand), reading an unknown option
// both ways. Shared by the image tools, the cluster tools and the runners' own image commands.
import { type ContainerMounts, templates } from './container-sites.ts';
import { type ImageToolCommand, HELP_FLAGS, type ToolRole } from './image-tool-types.ts';
import { trustSwitch } from './container-options.ts';
import { imageReference } from './image-references.ts';
import { WHOSE_CREDENTIALS } from './context-names.ts';
import { mountValue } from './mount-values.ts';

/** An image tool's command line read from `from` on: its operands, the options given, and the valued ones. */
interface ToolWords {
  operands: number[];
  /** Each option given and its value ("" for a flag). */
  given: Map<string, string>;
  /** The words holding an option's value: the word, the option, and the text before the value in the word. */
  valued: Array<[index: number, option: string, prefix: string]>;
  /** The options known neither to take a value nor to take none (not written --option=VALUE): their words. */
  unknown: number[];
}

/**
 * Reads an image tool's words from `from` on: `values` take a value (written apart, attached, or after "="),
 * `flags` take none; an option among neither takes the next word only when it is `takes` (the other reading).
 */
function toolWords(
  words: readonly string[],
  from: number,
  values: readonly string[],
  flags: ReadonlySet<string>,
  leading: boolean,
  takes?: number,
  argparse = false,
): ToolWords {
  const read: ToolWords = { operands: [], given: new Map(), valued: [], unknown: [] };
  let ended = false;
  for (let k = from; k < words.length; k++) {
    const word = words[k]!;
    if (ended || !word.startsWith('-') || word === '-') {
      read.operands.push(k);
      ended ||= leading;
      continue;
    }
    if (word === '--') {
      ended = true;
      continue;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    if (eq > 0) {
      // --option=VALUE.
      read.given.set(word.slice(0, eq), word.slice(eq + 1));
      read.valued.push([k, word.slice(0, eq), word.slice(0, eq + 1)]);
      continue;
    }
    // -abc: flags, up to the first letter taking a value (the rest of the word, or the next word).
    const letters = word.startsWith('--') ? [word] : [...word.slice(1)].map((c) => `-${c}`);
    for (let c = 0; c < letters.length; c++) {
      const option = letters[c]!;
      const known = values.includes(option);
      if (!known && flags.has(option)) {
        read.given.set(option, '');
        continue;
      }
      if (!known && !read.unknown.includes(k)) read.unknown.push(k);
      if (!known && takes !== k) {
        read.given.set(option, '');
        continue;
      }
      if (c + 1 < letters.length) {
        // -t=app:1 is -t app:1 (pflag drops the "=" after a short option's letter).
        const prefix = word.slice(0, word[c + 2] === '=' ? c + 3 : c + 2);
        read.given.set(option, word.slice(prefix.length));
        read.valued.push([k, option, prefix]);
      } else if (
        k + 1 < words.length &&
        (known || words[k + 1] !== '--') &&
        !(argparse && /^-./.test(words[k + 1]!))
      ) {
        read.given.set(option, words[++k]!);
        read.valued.push([k, option, '']);
      } else read.given.set(option, '');
      break;
    }
  }
  return read;
}

/**
 * The images of a tool's command (`label`: "skopeo copy") whose options and operands start at `from`: each word
 * holding a template sorted by its role (ImageToolCommand) into `found`. After an option known neither to take a
 * value nor to take none, the words are read both ways: a template in a word whose role differs between the two
 * (the option's value, or an operand moved one place) is refused, naming the option.
 */
export function toolCommand(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  label: string,
  name: string,
  globals: readonly string[],
  command: ImageToolCommand,
  toolFlags?: readonly string[],
  argparse = false,
): void {
  const roles = command.options ?? {};
  const special = [
    ...Object.keys(command.rights ?? {}),
    ...Object.keys(command.engine ?? {}),
    ...Object.keys(command.scanner ?? {}),
    ...Object.keys(command.programs ?? {}),
    ...Object.keys(command.directories ?? {}),
    ...(command.users ?? []),
    ...(command.mounts ?? []),
    ...Object.keys(command.names ?? {}),
    ...Object.keys(command.selectors ?? {}),
  ];
  // A subcommand's own option taking a value is one there (cosign upload blob -f FILES; elsewhere -f is --force).
  const own = new Set([...(command.values ?? []), ...Object.keys(roles)]);
  const flags = new Set([
    ...HELP_FLAGS,
    ...(toolFlags ?? []).filter((flag) => !own.has(flag)),
    ...(command.flags ?? []),
  ]);
  // A right that is a flag (ctr run --privileged) is one only written --privileged=VALUE.
  const values = [...globals, ...(command.values ?? []), ...Object.keys(roles), ...special].filter(
    (option) => !flags.has(option),
  );
  const leading = command.leading === true;
  const read = toolWords(words, from, values, flags, leading, undefined, argparse);
  // A grammar that lists no flags (oc new-app's) reads every option as a flag, as before.
  if (toolFlags === undefined && command.flags === undefined) read.unknown = [];
  // What each word is under a reading: an option's value (`option`), or an operand and its role.
  const rolesOf = (r: ToolWords) => {
    const map = new Map<number, { role: ToolRole; option?: string; prefix: string }>();
    for (const [index, option, prefix] of r.valued) map.set(index, { role: roles[option], option, prefix });
    r.operands.forEach((index, position) =>
      map.set(index, {
        role: command.operand(position, r.operands.length, r.given, words[index]!),
        prefix: '',
      }),
    );
    return map;
  };
  const first = rolesOf(read);
  // Its switches choosing what it trusts written --switch=VALUE (or -k=VALUE, Go's flag package reads both), up
  // to its first operand when its options come first.
  const switched = new Set<number>();
  const optionsEnd = leading && read.operands.length ? read.operands[0]! : words.length;
  for (let k = from; command.switches && k < optionsEnd && words[k] !== '--'; k++) {
    const eq = words[k]!.indexOf('=');
    const option = words[k]!.slice(0, eq);
    if (eq > 1 && words[k]!.startsWith('-') && command.switches.has(option)) {
      trustSwitch(found, k, option, words[k]!.slice(eq + 1), command.switches, label);
      switched.add(k);
    }
  }
  // Each unknown option read as taking a value (the others not), beside the first reading.
  const others = read.unknown.map(
    (unknown) =>
      [unknown, rolesOf(toolWords(words, from, values, flags, leading, unknown, argparse))] as const,
  );
  const sort = (index: number, prefix: string, role: ToolRole, how: string) => {
    const word = words[index]!;
    const value = word.slice(prefix.length);
    const names = templates(value);
    if (names.length === 0 || role === undefined) return;
    if (role === 'image' || role === 'repository')
      return imageReference(found, index, word, prefix, role === 'image' ? name : '', `the image ${how}`);
    if (role === 'tag')
      return void found.names.set(index, { kind: 'image', prefix, how: `the image ${how}`, tag: true });
    if (role === 'context')
      return void found.refused.push({
        index,
        names,
        how: `the context ${how} (an entry of the kubeconfig): ${WHOSE_CREDENTIALS}`,
        kind: 'engine',
      });
    const what =
      role === 'read'
        ? `the file or directory of this machine ${how}, read as an image (any file of this machine)`
        : role === 'write'
          ? `the file or directory of this machine ${how}, written to`
          : role === 'program'
            ? `the program ${how} (in the container)`
            : role === 'source'
              ? `the image and the source ${how} (IMAGE~SOURCE: the code built and run)`
              : `the transport ${how} (dir: a path of this machine)`;
    const kind = role === 'write' ? 'write' : role === 'program' ? 'program' : 'image';
    found.refused.push({ index, names, how: what, kind });
  };
  for (const [index, entry] of first) {
    const names = templates(words[index]!.slice(entry.prefix.length));
    if (names.length === 0 || switched.has(index)) continue;
    // Read both ways, the word is this option's value or an operand, or another operand: a value there would
    // be what the other reading makes it (an image, a file, a program), which is not known here.
    const moved = others.find(([, other]) => {
      const alternative = other.get(index);
      return (
        (alternative?.role !== entry.role || alternative?.option !== entry.option) &&
        (entry.role !== undefined || alternative?.role !== undefined)
      );
    });
    if (moved) {
      found.refused.push({ index, names, how: `${label}'s option ${words[moved[0]]}`, kind: 'unknown' });
      continue;
    }
    const option = entry.option;
    if (option !== undefined) {
      const value = words[index]!.slice(entry.prefix.length);
      const right = command.rights?.[option];
      const program = command.programs?.[option];
      const trust = command.engine?.[option];
      const scanned = command.scanner?.[option];
      const directory = command.directories?.[option];
      const selector = command.selectors?.[option];
      const plain = command.names?.[option];
      if (selector !== undefined) {
        found.refused.push({ index, names, how: selector, kind: 'selector' });
        continue;
      }
      if (plain !== undefined) {
        found.names.set(index, { kind: 'plain', prefix: entry.prefix, ...plain });
        continue;
      }
      if (directory !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${directory}, which ${label} ${option} sets`,
          kind: 'directory',
        });
        continue;
      }
      if (trust !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${trust}, which ${label} ${option} chooses`,
          kind: 'trust',
        });
        continue;
      }
      if (scanned !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${scanned}, which ${label} ${option} chooses`,
          kind: 'scanner',
        });
        continue;
      }
      if (right !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${right} ${label} ${option} gives the container`,
          kind: 'rights',
        });
        continue;
      }
      if (program !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${program}, which ${label} ${option} sets`,
          // A cloud service's container (gcloud run deploy --command, --args): what it runs there.
          kind: name === 'gcloud' ? 'entrypoint' : 'program',
        });
        continue;
      }
      if (command.users?.includes(option)) {
        found.users.push(index);
        continue;
      }
      if (command.mounts?.includes(option)) {
        mountValue(found, index, option, value, label, words[index]!);
        continue;
      }
      const role = entry.role;
      const does = role === 'transport' ? 'chooses' : 'names';
      sort(index, entry.prefix, role, `${label} ${option} ${does}`);
      continue;
    }
    const role = entry.role;
    const does = role === 'write' || role === 'read' ? 'names' : role === 'program' ? 'runs' : command.does;
    sort(index, '', role, `${label} ${does}`);
  }
}
