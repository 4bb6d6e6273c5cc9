// Files a command writes, deletes, changes the rights of, or reads into its output (prints): the target of a shell
// redirection (`> FILE`, `>> FILE`, `>| FILE`, `&> FILE`, `N> FILE`, `<> FILE`, and `< FILE`, read into the
// command's standard input); the destination of tee, cp, mv, install, ln, dd of=, curl -o, wget -O, tar -C/-f,
// unzip -d, git clone's directory, sed -i, sort -o, openssl -out, ssh-keygen -f, gpg -o and of the copy tools
// file-reads.ts reads the sources of (scp, rsync, docker cp, kubectl cp, aws s3 cp, gsutil cp, rclone…); the
// operands of rm, rmdir, shred, truncate, touch, mkdir, chmod, chown, chgrp, gzip (replaced); find's starting
// points (deleted, handed to -exec's program, or searched) and its -name/-path/-regex patterns with -delete or
// -exec, -fprint's file; docker/podman save and export -o, helm package/pull -d, zip's archive and files, tar's
// files when it creates, unzip's archive, the file curl -O names after the URL's last part, go build -o, gh
// release/run download -D/-O, git archive -o and bundle create, docker build --iidfile, sponge, yq -i, zstd, 7z,
// patch, split; chmod's mode and chown's owner (file-settings.ts); and those of cat, head, tail, less, base64,
// xxd, od, strings, sed, awk, zcat, yq, cut, paste, comm, join, fold, fmt, expand, rev, cmp, uniq, iconv, openssl
// -in, gpg -d, xargs -a (printed to the job's log or into a pipe). A templated value there would choose a file of
// the runner to overwrite (`../../.bashrc`, `.git/hooks/pre-commit`, `/etc/cron.d/x`: code that runs later),
// delete, or show (`/proc/self/environ` holds the job's secrets). So, with file-reads.ts's rule shape, a template
// that names the file or starts its name is refused when the config loads; one in a file's name after a fixed
// directory or text (`> "logs/deploy-{{env}}.log"`, `cp app.tgz /srv/releases/{{version}}/`) is checked once
// rendered to be one plain name there (not "." nor "..", and not empty when it is a whole part of the path).
// `echo` and `printf` print their words: not files. Pure.
import {
  CURL_LONG_OPTIONS,
  CURL_WITH_VALUE,
  copyDestinations,
  curlReads,
  optionReads,
  remoteFileReads,
  type CurlFile,
  type FileAct,
  type FileRead,
  type OptionRead,
  type OptionReads,
  type RemoteFileRead,
  urlLastPart,
} from './file-reads.ts';
import type { FileSetting } from './file-settings.ts';
import { composeSubcommand } from './compose-services.ts';
import { chosenWords, nameWords } from './launchers.ts';
import { awkOptions, parallelArgFiles, parallelCommand, programName, xargsLongOption } from './programs.ts';
import { lookupTable } from './lookup-table.ts';

export const WRITES: FileAct = {
  does: 'writes',
  harm: 'a file {of} to overwrite or create (~/.bashrc, .git/hooks/pre-commit, /etc/cron.d/…, a script a later step runs: code that runs later)',
  noEmpty: true,
};
const DELETES: FileAct = {
  does: 'deletes or moves away',
  harm: 'a file or directory {of} to destroy (the checkout, ~/.ssh, what a later step relies on)',
  noEmpty: true,
};
const CHANGES: FileAct = {
  does: 'changes the rights or owner of',
  harm: 'a file {of} whose rights change (a key made readable, a script a later step runs made writable)',
  noEmpty: true,
};
const REFERENCE: FileAct = {
  does: 'copies the rights or owner of (to the files it changes)',
  harm: 'a file {of} whose rights or owner its files take (a set-user-ID program, a file root owns)',
};
const ARG_LINES: FileAct = {
  does: 'hands the lines of to the program it runs, as its arguments',
  harm: "a file {of} whose lines become that program's arguments (printed, or files it deletes or sends)",
};
const PRINTS: FileAct = {
  does: "prints to the job's log or into a pipe",
  harm: "a file {of} to show or pass on (its keys, or the job's secrets in /proc/self/environ)",
};
const EXTRACTS: FileAct = {
  does: 'extracts (or lists: the archive it reads)',
  harm: "an archive {of} to unpack over the job's files, or to show (an archive a value picks holds what it puts there)",
};
const COPIES: FileAct = {
  does: 'copies (its source)',
  harm: "a file {of} to copy where the job reads, serves or sends it (its keys, or the job's secrets in /proc/self/environ)",
};
const LINKS: FileAct = {
  does: 'links to (later writes through the link land there)',
  harm: 'a file or directory {of} a link points to, which later writes or reads through the link reach (~/.ssh, the checkout, /etc)',
  noEmpty: true,
};
const ARCHIVES: FileAct = {
  does: 'archives (tar -C: the directory it works in)',
  harm: "a directory {of} to pack into an archive the job may send (~/.ssh, the job's files)",
  noEmpty: true,
};

const SEARCHES: FileAct = {
  does: 'searches (its starting point: the files under it are what its expression acts on)',
  harm: 'a directory {of} whose files it lists or acts on (a value such as "-delete" or "-fprint FILE" would be read as its expression)',
};
const HANDS: FileAct = {
  does: 'hands to the program its -exec runs (the files under it)',
  harm: 'a file or directory {of} whose files that program acts on (deletes, rewrites, prints or sends: ~/.ssh, the checkout)',
  noEmpty: true,
};
const LISTS: FileAct = {
  does: 'reads the names of the files it packs from',
  harm: "a file {of} whose lines name the files packed into an archive the job keeps or sends (its keys, or the job's secrets)",
};
const MEMBERS: FileAct = {
  does: 'reads the names of the members it extracts or lists from',
  harm: "a file {of} whose lines tar prints to the job's log where the archive has no such member (its keys, or the job's secrets in /proc/self/environ)",
};
const PACKS: FileAct = {
  does: 'packs into its archive',
  harm: "a file or directory {of} to copy into an archive the job keeps or sends (its keys, or the job's secrets in /proc/self/environ)",
};
const REPLACES: FileAct = {
  does: 'replaces (compressing or uncompressing it in place)',
  harm: 'a file {of} to replace by another (the original gone: a script, a key, what a later step relies on)',
  noEmpty: true,
};
const NAMED_WRITE: FileAct = {
  does: 'writes (curl names the file after the last part of the URL)',
  harm: WRITES.harm,
};

const SAFE_WRITE =
  'write the path in the config, with the value only in a file name after a fixed directory, where it must be one plain name (> "logs/deploy-{{…}}.log", cp app.tgz /srv/releases/{{…}}.tgz)';
const SAFE_DELETE =
  'write the path in the config, with the value only in a file name after a fixed directory, where it must be one plain name (rm -f "releases/app-{{…}}.tgz")';
const SAFE_PRINT =
  'name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (cat "notes/{{…}}.md"), or pass the value as data (echo "{{…}}")';
const SAFE_INPUT =
  'name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (< "config/{{…}}.env"), or pass the value as data (--body "{{…}}", <<< "{{…}}")';

const SAFE_FROM = 'write the owner in the config (chown --from=deploy …)';
const SAFE_FIND =
  'write the directory and the pattern in the config, with the value only after fixed text, where it must be one plain name (find "releases/{{…}}" -delete, find dist -name "app-{{…}}.tgz" -delete)';
const SAFE_REMOTE_NAME =
  'name the file in the config (curl -o app.tgz https://host/{{…}}/app.tgz, wget -O app.tgz …, aria2c -o app.tgz …), or keep the value before fixed text in the last part of the URL, where it must be one plain name (https://host/{{…}}/app.tgz)';
const SAFE_SERVER_NAME =
  'name the file in the config instead (curl -o app.tgz https://host/{{…}}/app.tgz, wget -O app.tgz …, aria2c -o app.tgz --follow-torrent=false --follow-metalink=false …), where the value in the URL picks what is fetched, not where it lands';

/** What a redirection operator does with its file: write it (any ">"), or read it into the command ("<"). */
export function redirectionRead(operator: string, program: string | undefined): FileRead {
  const input = !operator.includes('>');
  const into = program ? ` (${programName(program)})` : '';
  return {
    index: -1,
    from: 0,
    rule: 'file',
    how: `the redirection "${operator}"`,
    safe: input ? SAFE_INPUT : SAFE_WRITE,
    act: input
      ? {
          does: `reads into the standard input of the command${into}`,
          harm: "a file {of} whose contents the command reads (its keys, or the job's secrets in /proc/self/environ, which it may send, store or print)",
        }
      : WRITES,
  };
}

/**
 * The redirection operator before a word of a script (the text before it, ending where the word starts):
 * `>`, `>>`, `>|`, `&>`, `&>>`, `<>`, `<`, `>&`, `<&`, with a descriptor before (`2>`, `{fd}>`). Undefined when
 * the text ends with none (a here-string's `<<<`, a here-document's `<<` are not files).
 */
export function redirectionOperator(before: string): string | undefined {
  const match = /(?:\d+|\{\w+\}|&)?(?:>>|>\||>&|<>|<&|>|<)\s*$/.exec(before);
  if (!match || /<<\s*$/.test(before)) return undefined;
  return match[0].trim();
}

/** How a tool's options take values (getopt_long): short letters, long options (a unique prefix counts). */
interface Grammar {
  /** Short letters taking a value: -tDIR, -t DIR, -vt DIR. */
  short: string;
  /** Long options taking a value: --opt=VALUE, --opt VALUE, or a prefix of it. */
  long: readonly string[];
  /** Long options taking an optional value, attached only (--backup[=CONTROL]): never the next word. */
  optional?: readonly string[];
}

interface Walked {
  operands: number[];
  /** The values of options, by their name (`-t`, `--target-directory`: both spellings of one option given). */
  values: Array<{ option: string; index: number; from: number }>;
  /** The short letters and long options given without a value (-d, -x, --create). */
  flags: Set<string>;
}

/**
 * Reads a command's words from `from` on as getopt_long does (options anywhere, `--` ends them): its operands,
 * the values of its options, and its flags. `alias` maps a short letter to its long option (t → --target-directory).
 */
function walk(
  words: readonly string[],
  from: number,
  grammar: Grammar,
  alias: Readonly<Record<string, string>> = {},
): Walked {
  const walked: Walked = { operands: [], values: [], flags: new Set() };
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < words.length; k++) walked.operands.push(k);
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word : word.slice(0, eq);
      const exact = grammar.long.includes(name) || grammar.optional?.includes(name);
      const option = exact ? name : grammar.long.find((o) => name.length > 3 && o.startsWith(name));
      if (option === undefined || grammar.optional?.includes(option)) walked.flags.add(name);
      else if (eq >= 0) walked.values.push({ option, index: j, from: eq + 1 });
      else if (j + 1 < words.length) walked.values.push({ option, index: ++j, from: 0 });
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      for (let c = 1; c < word.length; c++) {
        const letter = word[c]!;
        if (!grammar.short.includes(letter)) {
          walked.flags.add(`-${letter}`);
          continue;
        }
        const option = alias[letter] ?? `-${letter}`;
        if (c + 1 < word.length) walked.values.push({ option, index: j, from: c + 1 });
        else if (j + 1 < words.length) walked.values.push({ option, index: ++j, from: 0 });
        break;
      }
      continue;
    }
    walked.operands.push(j);
  }
  return walked;
}

/** A word the command writes (or deletes, prints): its index, where the file starts in it, and the act. */
const file = (index: number, from: number, how: string, act: FileAct, safe: string): FileRead => ({
  index,
  from,
  rule: 'file',
  how,
  safe,
  act,
});

/** The values of an option (any of its spellings) as files. */
function valuesOf(walked: Walked, option: string, how: string, act: FileAct, safe: string): FileRead[] {
  return walked.values
    .filter((value) => value.option === option)
    .map((value) => file(value.index, value.from, how, act, safe));
}

// GNU coreutils' options taking a value.
const CP: Grammar = {
  short: 'St',
  long: ['--suffix', '--target-directory', '--no-preserve', '--sparse'],
  optional: ['--backup', '--preserve', '--reflink', '--update', '--context'],
};
const INSTALL: Grammar = {
  short: 'gmoSt',
  long: ['--group', '--mode', '--owner', '--suffix', '--target-directory', '--strip-program'],
  optional: ['--backup', '--context'],
};
const LN: Grammar = { short: 'St', long: ['--suffix', '--target-directory'], optional: ['--backup'] };
const TARGET = { t: '--target-directory' };
const RIGHTS: Grammar = { short: '', long: ['--reference', '--from'] };

/** install's and mkdir's -m/--mode, -o/--owner, -g/--group: what they give their files (file-settings.ts). */
function settingsOf(walked: Walked, name: string): FileRead[] {
  const settings: Array<[string, FileSetting]> = [
    ['--mode', 'mode'],
    ['--owner', 'owner'],
    ['--group', 'group'],
  ];
  return settings.flatMap(([option, setting]) =>
    valuesOf(
      walked,
      option,
      `${name} ${option.slice(1, 3)}`,
      CHANGES,
      `write the ${setting} in the config`,
    ).map((read) => ({ ...read, setting })),
  );
}

/** cp, mv, install, ln: the destination (-t DIR, or the last of two operands or more); mv's sources move away. */
function copyLike(words: readonly string[], at: number, name: string): FileRead[] {
  const grammar = name === 'install' ? INSTALL : name === 'ln' ? LN : CP;
  const walked = walk(
    words,
    at + 1,
    grammar,
    name === 'install' ? { ...TARGET, S: '--suffix', m: '--mode', o: '--owner', g: '--group' } : TARGET,
  );
  const how = name;
  const settings = name === 'install' ? settingsOf(walked, 'install') : [];
  const reads = valuesOf(walked, '--target-directory', `${name} -t`, WRITES, SAFE_WRITE);
  const { operands } = walked;
  // install -d DIR…: each operand is a directory it creates.
  if (name === 'install' && (walked.flags.has('-d') || walked.flags.has('--directory')))
    return [...settings, ...operands.map((k) => file(k, 0, 'install -d', WRITES, SAFE_WRITE))];
  const target = reads.length > 0;
  if (!target && operands.length >= 2) reads.push(file(operands.at(-1)!, 0, how, WRITES, SAFE_WRITE));
  // The sources: mv moves them away, cp and install copy them (where a later step reads or sends them), ln
  // links to them (a later write through the link lands there).
  const act = name === 'mv' ? DELETES : name === 'ln' ? LINKS : COPIES;
  if (operands.length >= 2 || target)
    for (const k of target ? operands : operands.slice(0, -1))
      reads.push(file(k, 0, name, act, name === 'mv' ? SAFE_DELETE : SAFE_PRINT));
  return [...settings, ...reads];
}

/** The tools whose operands are the files they act on, with their options taking a value. */
const OPERAND_TOOLS: Record<string, { grammar: Grammar; act: FileAct; safe: string }> = lookupTable({
  tee: { grammar: { short: '', long: [], optional: ['--output-error'] }, act: WRITES, safe: SAFE_WRITE },
  sponge: { grammar: { short: '', long: [] }, act: WRITES, safe: SAFE_WRITE },
  rm: {
    grammar: { short: '', long: [], optional: ['--interactive', '--preserve-root'] },
    act: DELETES,
    safe: SAFE_DELETE,
  },
  rmdir: { grammar: { short: '', long: [] }, act: DELETES, safe: SAFE_DELETE },
  unlink: { grammar: { short: '', long: [] }, act: DELETES, safe: SAFE_DELETE },
  shred: {
    grammar: { short: 'ns', long: ['--iterations', '--size', '--random-source'], optional: ['--remove'] },
    act: DELETES,
    safe: SAFE_DELETE,
  },
  truncate: { grammar: { short: 'sr', long: ['--size', '--reference'] }, act: WRITES, safe: SAFE_WRITE },
  touch: {
    grammar: { short: 'drt', long: ['--date', '--reference', '--time'] },
    act: WRITES,
    safe: SAFE_WRITE,
  },
  mkdir: {
    grammar: { short: 'm', long: ['--mode'], optional: ['--context'] },
    act: WRITES,
    safe: SAFE_WRITE,
  },
  cat: { grammar: { short: '', long: [] }, act: PRINTS, safe: SAFE_PRINT },
  tac: { grammar: { short: 's', long: ['--separator'] }, act: PRINTS, safe: SAFE_PRINT },
  nl: {
    grammar: {
      short: 'bdfhilnsvw',
      long: [
        '--body-numbering',
        '--section-delimiter',
        '--footer-numbering',
        '--header-numbering',
        '--line-increment',
        '--join-blank-lines',
        '--number-format',
        '--number-separator',
        '--starting-line-number',
        '--number-width',
      ],
    },
    act: PRINTS,
    safe: SAFE_PRINT,
  },
  head: { grammar: { short: 'nc', long: ['--lines', '--bytes'] }, act: PRINTS, safe: SAFE_PRINT },
  tail: {
    grammar: {
      short: 'ncs',
      long: ['--lines', '--bytes', '--sleep-interval', '--pid', '--max-unchanged-stats'],
    },
    act: PRINTS,
    safe: SAFE_PRINT,
  },
  less: { grammar: { short: 'bhjkoOpPtTxyz#', long: [] }, act: PRINTS, safe: SAFE_PRINT },
  more: { grammar: { short: 'n', long: ['--lines'] }, act: PRINTS, safe: SAFE_PRINT },
  base64: { grammar: { short: 'w', long: ['--wrap'] }, act: PRINTS, safe: SAFE_PRINT },
  base32: { grammar: { short: 'w', long: ['--wrap'] }, act: PRINTS, safe: SAFE_PRINT },
  basenc: { grammar: { short: 'w', long: ['--wrap'] }, act: PRINTS, safe: SAFE_PRINT },
  od: {
    grammar: {
      short: 'AjNtS',
      long: ['--address-radix', '--skip-bytes', '--read-bytes', '--format', '--strings', '--endian'],
      optional: ['--width'],
    },
    act: PRINTS,
    safe: SAFE_PRINT,
  },
  hexdump: { grammar: { short: 'efns', long: [] }, act: PRINTS, safe: SAFE_PRINT },
  hd: { grammar: { short: 'efns', long: [] }, act: PRINTS, safe: SAFE_PRINT },
  strings: {
    grammar: {
      short: 'netTs',
      long: ['--bytes', '--radix', '--encoding', '--target', '--output-separator'],
    },
    act: PRINTS,
    safe: SAFE_PRINT,
  },
  // Text filters printing their files' lines (or bytes, cmp -l).
  cut: {
    grammar: {
      short: 'bcfd',
      long: ['--bytes', '--characters', '--fields', '--delimiter', '--output-delimiter'],
    },
    act: PRINTS,
    safe: SAFE_PRINT,
  },
  paste: { grammar: { short: 'd', long: ['--delimiters'] }, act: PRINTS, safe: SAFE_PRINT },
  comm: { grammar: { short: '', long: ['--output-delimiter'] }, act: PRINTS, safe: SAFE_PRINT },
  join: { grammar: { short: 'aejot12v', long: [] }, act: PRINTS, safe: SAFE_PRINT },
  fold: { grammar: { short: 'w', long: ['--width'] }, act: PRINTS, safe: SAFE_PRINT },
  fmt: { grammar: { short: 'wpg', long: ['--width', '--prefix', '--goal'] }, act: PRINTS, safe: SAFE_PRINT },
  expand: { grammar: { short: 't', long: ['--tabs'] }, act: PRINTS, safe: SAFE_PRINT },
  unexpand: { grammar: { short: 't', long: ['--tabs'] }, act: PRINTS, safe: SAFE_PRINT },
  rev: { grammar: { short: '', long: [] }, act: PRINTS, safe: SAFE_PRINT },
  cmp: { grammar: { short: 'in', long: ['--ignore-initial', '--bytes'] }, act: PRINTS, safe: SAFE_PRINT },
});

/** uniq [INPUT [OUTPUT]]: the first printed, the second written. */
function uniqFiles(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, {
    short: 'fsw',
    long: ['--skip-fields', '--skip-chars', '--check-chars'],
    optional: ['--all-repeated', '--group'],
  });
  const [input, output] = walked.operands;
  return [
    ...(input === undefined ? [] : [file(input, 0, 'uniq', PRINTS, SAFE_PRINT)]),
    ...(output === undefined ? [] : [file(output, 0, 'uniq', WRITES, SAFE_WRITE)]),
  ];
}

/** iconv -f FROM -t TO [-o OUT] FILE…: its files printed (converted), -o's written. */
function iconvFiles(words: readonly string[], at: number): FileRead[] {
  const walked = walk(
    words,
    at + 1,
    { short: 'fto', long: ['--from-code', '--to-code', '--output'] },
    { o: '--output' },
  );
  return [
    ...valuesOf(walked, '--output', 'iconv -o', WRITES, SAFE_WRITE),
    ...walked.operands.map((k) => file(k, 0, 'iconv', PRINTS, SAFE_PRINT)),
  ];
}

/** chmod, chown, chgrp: the files after the mode, owner or group (all of them with --reference=FILE). */
function rightsOf(words: readonly string[], at: number, name: string): FileRead[] {
  // chmod -w FILE, chmod -x+r FILE: a mode that looks like options.
  const modeLike = (word: string) => name === 'chmod' && /^-[rwxXst]+([+=-][rwxXst]*)*$/.test(word);
  const mode = words.findIndex((word, k) => k > at && modeLike(word));
  const walked = walk(
    words.map((word, k) => (k === mode ? 'MODE' : word)),
    at + 1,
    RIGHTS,
  );
  const reference = walked.values.some((value) => value.option === '--reference');
  const files = reference || mode >= 0 ? walked.operands.filter((k) => k !== mode) : walked.operands.slice(1);
  // The mode, owner or group it gives them (file-settings.ts): a template starting it is refused.
  const setting: FileSetting = name === 'chmod' ? 'mode' : name === 'chown' ? 'owner' : 'group';
  const word = reference ? undefined : mode >= 0 ? mode : walked.operands[0];
  return [
    ...(word === undefined
      ? []
      : [
          {
            ...file(word, 0, name, CHANGES, `write the ${setting} in the config`),
            setting,
          },
        ]),
    ...files.map((k) => file(k, 0, name, CHANGES, SAFE_DELETE)),
    ...valuesOf(walked, '--reference', `${name} --reference`, REFERENCE, SAFE_PRINT),
    // --from=OWNER[:GROUP]: not a file but the owner the files it changes must have, checked as an owner.
    ...valuesOf(walked, '--from', `${name} --from`, CHANGES, SAFE_FROM).map((read) => ({
      ...read,
      setting: 'from' as const,
    })),
  ];
}

const GREP: Grammar = {
  short: 'efmABCdD',
  long: [
    '--regexp',
    '--file',
    '--max-count',
    '--after-context',
    '--before-context',
    '--context',
    '--directories',
    '--devices',
    '--include',
    '--exclude',
    '--exclude-from',
    '--exclude-dir',
    '--label',
    '--binary-files',
    '--group-separator',
  ],
  optional: ['--color', '--colour'],
};

/** grep PATTERN FILE… (-e/-f: no pattern operand): the files whose matching lines it prints. */
function grepFiles(words: readonly string[], at: number, name: string): FileRead[] {
  const walked = walk(words, at + 1, GREP, { e: '--regexp', f: '--file' });
  const given = walked.values.some((v) => v.option === '--regexp' || v.option === '--file');
  const files = given ? walked.operands : walked.operands.slice(1);
  return files.map((k) => file(k, 0, name, PRINTS, SAFE_PRINT));
}

const DIFF: Grammar = {
  short: 'CUxXIFSL',
  long: [
    '--context',
    '--unified',
    '--exclude',
    '--exclude-from',
    '--ignore-matching-lines',
    '--show-function-line',
    '--starting-file',
    '--label',
    '--from-file',
    '--to-file',
    '--width',
    '--tabsize',
    '--line-format',
    '--old-line-format',
    '--new-line-format',
    '--unchanged-line-format',
    '--old-group-format',
    '--new-group-format',
    '--changed-group-format',
    '--unchanged-group-format',
    '--horizon-lines',
  ],
  optional: ['--color'],
};

// jq's options taking one value, and those taking two (--arg NAME VALUE; --slurpfile/--rawfile NAME FILE).
const JQ_ONE = ['-f', '--from-file', '-L', '--indent'];
const JQ_TWO = ['--arg', '--argjson', '--slurpfile', '--rawfile'];

/** jq [FILTER] FILE…: the files it reads and prints from, and --slurpfile/--rawfile's file; not after --args. */
function jqFiles(words: readonly string[], at: number): FileRead[] {
  const reads: FileRead[] = [];
  const operands: number[] = [];
  let filterFile = false;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--args' || word === '--jsonargs') break;
    if (JQ_TWO.includes(word)) {
      if (word === '--slurpfile' || word === '--rawfile')
        if (j + 2 < words.length) reads.push(file(j + 2, 0, `jq ${word}`, PRINTS, SAFE_PRINT));
      j += 2;
    } else if (JQ_ONE.includes(word)) {
      filterFile ||= word === '-f' || word === '--from-file';
      j++;
    } else if (word === '--') operands.push(...words.slice(j + 1).map((_, k) => j + 1 + k));
    else if (!word.startsWith('-') || word === '-') operands.push(j);
    if (word === '--') break;
  }
  return [
    ...reads,
    ...(filterFile ? operands : operands.slice(1)).map((k) => file(k, 0, 'jq', PRINTS, SAFE_PRINT)),
  ];
}

/** dd's operands: of=FILE (written), if=FILE (read and written out: printed, or copied). */
function ddFiles(words: readonly string[], at: number): FileRead[] {
  const reads: FileRead[] = [];
  for (let k = at + 1; k < words.length; k++) {
    if (words[k]!.startsWith('of=')) reads.push(file(k, 3, 'dd of=', WRITES, SAFE_WRITE));
    if (words[k]!.startsWith('if=')) reads.push(file(k, 3, 'dd if=', PRINTS, SAFE_PRINT));
  }
  return reads;
}

/** xxd [options] [INFILE [OUTFILE]]: the first printed, the second written. */
function xxdFiles(words: readonly string[], at: number): FileRead[] {
  // xxd's options taking a value, single-dash long spellings included (-cols, -len, -seek).
  const walked = walk(words, at + 1, { short: 'cglosnC', long: [] });
  const [input, output] = walked.operands;
  return [
    ...(input === undefined ? [] : [file(input, 0, 'xxd', PRINTS, SAFE_PRINT)]),
    ...(output === undefined ? [] : [file(output, 0, 'xxd', WRITES, SAFE_WRITE)]),
  ];
}

const SED: Grammar = {
  short: 'efl',
  long: ['--expression', '--file', '--line-length'],
  optional: ['--in-place'],
};

/** sed: the files after its script; with -i it rewrites them, without it prints them. */
function sedFiles(words: readonly string[], at: number): FileRead[] {
  // -i[SUFFIX] takes the rest of its cluster as the suffix (-Ei, -i.bak), never the next word.
  let inPlace = false;
  const cleaned = words.map((word, k) => {
    if (k <= at || !/^-[^-]/.test(word)) {
      if (k > at && /^--in-place(=|$)/.test(word)) inPlace = true;
      return word;
    }
    for (let c = 1; c < word.length; c++) {
      if (word[c] === 'i') {
        inPlace = true;
        return c > 1 ? word.slice(0, c) : '--in-place';
      }
      if ('efl'.includes(word[c]!)) break;
    }
    return word;
  });
  const walked = walk(cleaned, at + 1, SED, { e: '--expression', f: '--file' });
  const script = walked.values.some((v) => v.option === '--expression' || v.option === '--file');
  const files = script ? walked.operands : walked.operands.slice(1);
  return files.map((k) =>
    inPlace ? file(k, 0, 'sed -i', WRITES, SAFE_WRITE) : file(k, 0, 'sed', PRINTS, SAFE_PRINT),
  );
}

const SORT: Grammar = {
  short: 'kotST',
  long: [
    '--key',
    '--output',
    '--field-separator',
    '--buffer-size',
    '--temporary-directory',
    '--files0-from',
    '--batch-size',
    '--compress-program',
    '--parallel',
    '--random-source',
    '--sort',
  ],
};

/** sort: -o FILE (written), -T DIR (its temporary files), its operands (printed sorted). */
function sortFiles(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, SORT, {
    o: '--output',
    T: '--temporary-directory',
    k: '--key',
    t: '--field-separator',
    S: '--buffer-size',
  });
  return [
    ...valuesOf(walked, '--output', 'sort -o', WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--temporary-directory', 'sort -T', WRITES, SAFE_WRITE),
    ...walked.operands.map((k) => file(k, 0, 'sort', PRINTS, SAFE_PRINT)),
  ];
}

const TAR: Grammar = {
  short: 'bCfFgHIKLNTVX',
  long: [
    '--file',
    '--directory',
    '--exclude',
    '--exclude-from',
    '--files-from',
    '--listed-incremental',
    '--label',
    '--newer',
    '--newer-mtime',
    '--after-date',
    '--owner',
    '--group',
    '--mode',
    '--mtime',
    '--transform',
    '--xform',
    '--use-compress-program',
    '--to-command',
    '--info-script',
    '--new-volume-script',
    '--blocking-factor',
    '--record-size',
    '--format',
    '--starting-file',
    '--strip-components',
    '--tape-length',
    '--volno-file',
    '--index-file',
    '--rsh-command',
    '--rmt-command',
    '--sort',
    '--quoting-style',
    '--exclude-tag',
    '--exclude-tag-all',
    '--exclude-tag-under',
    '--occurrence',
    '--pax-option',
    '--suffix',
    '--backup',
  ],
  optional: ['--checkpoint', '--checkpoint-action', '--hole-detection', '--warning'],
};

/**
 * tar: -f/--file (the archive: written when it creates, -c/-r/-u/-A; else read and extracted, as a file the value
 * picks), -C/--directory (where it extracts, or the files it archives). The old style's first word (tar czf FILE)
 * is a cluster whose letters taking a value take the next words in order.
 */
function tarFiles(words: readonly string[], at: number): FileRead[] {
  const { values, walked } = tarOptions(words, at);
  const creates = tarCreates(words, at);
  const reads: FileRead[] = [];
  for (const value of values) {
    const option = value.option === 'f' ? '--file' : value.option === 'C' ? '--directory' : value.option;
    if (option === '--file')
      reads.push(
        creates
          ? file(value.index, value.from, 'tar -f', WRITES, SAFE_WRITE)
          : file(value.index, value.from, 'tar -f', EXTRACTS, SAFE_WRITE),
      );
    if (option === '--directory')
      reads.push(file(value.index, value.from, 'tar -C', creates ? ARCHIVES : WRITES, SAFE_WRITE));
    // -T FILE: the list of the files it packs; extracting or listing, of the members it extracts or lists,
    // each line not in the archive printed ("Not found in archive"). - and /dev/stdin: stdinConfigReader's.
    if (option === 'T' || option === '-T' || option === '--files-from')
      reads.push(
        creates
          ? file(value.index, value.from, 'tar -T', LISTS, SAFE_PACK)
          : file(value.index, value.from, 'tar -T', MEMBERS, SAFE_PRINT),
      );
  }
  // Creating, its operands are the files it packs (when it extracts, the archive's members).
  if (creates) reads.push(...walked.operands.map((k) => file(k, 0, 'tar', PACKS, SAFE_PACK)));
  return reads;
}

/** Whether tar at `at` creates or adds to an archive (-c, -r, -u, -A): else it extracts, lists or compares. */
export function tarCreates(words: readonly string[], at: number): boolean {
  const { letters } = tarOptions(words, at);
  return ['c', 'r', 'u', 'A', '--create', '--append', '--update', '--concatenate', '--catenate'].some((f) =>
    letters.has(f),
  );
}

/**
 * The lists of files tar (GNU's or bsdtar) at `at` reads the names of what it archives from (-T/--files-from,
 * in a cluster or the old style's first word too: tar -cT - -f a.tar, tar cfT a.tar -): where each value starts.
 */
export function tarFileLists(words: readonly string[], at: number): Array<{ index: number; from: number }> {
  return tarOptions(words, at)
    .values.filter(
      (value) => value.option === 'T' || value.option === '-T' || value.option === '--files-from',
    )
    .map(({ index, from }) => ({ index, from }));
}

/** Whether zip at `at` reads the names of the files it packs on its standard input (-@, in a cluster too). */
export function zipNamesStdin(words: readonly string[], at: number): boolean {
  const { flags } = walk(words, at + 1, ZIP, { b: '--temp-path', O: '--output-file' });
  return flags.has('-@') || flags.has('--names-stdin');
}

/** tar's options with a value (the old style's first word a cluster whose letters take the next words), and flags. */
function tarOptions(
  words: readonly string[],
  at: number,
): { values: Array<{ option: string; index: number; from: number }>; letters: Set<string>; walked: Walked } {
  const first = words[at + 1];
  const values: Array<{ option: string; index: number; from: number }> = [];
  const letters = new Set<string>();
  let from = at + 1;
  if (first !== undefined && /^[A-Za-z]+$/.test(first)) {
    let next = at + 2;
    for (const letter of first) {
      letters.add(letter);
      if (TAR.short.includes(letter) && next < words.length)
        values.push({ option: letter, index: next++, from: 0 });
    }
    from = next;
  }
  const walked = walk(words, from, TAR, { f: '--file', C: '--directory' });
  values.push(...walked.values);
  for (const flag of walked.flags) letters.add(flag.replace(/^-(?=.$)/, ''));
  return { values, letters, walked };
}

const GIT_CLONE: Grammar = {
  short: 'obucj',
  long: [
    '--origin',
    '--branch',
    '--upload-pack',
    '--template',
    '--config',
    '--depth',
    '--shallow-since',
    '--shallow-exclude',
    '--reference',
    '--reference-if-able',
    '--separate-git-dir',
    '--filter',
    '--jobs',
    '--server-option',
    '--bundle-uri',
    '--ref-format',
  ],
  optional: ['--recurse-submodules'],
};
// git's own options taking a value (git -C DIR clone …).
const GIT: Grammar = {
  short: 'Cc',
  long: ['--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix', '--list-cmds'],
  optional: ['--exec-path'],
};

/** git clone URL DIR: the directory it creates and writes (and --separate-git-dir's). */
function gitClone(words: readonly string[], at: number): FileRead[] {
  const sub = walk(words, at + 1, GIT).operands[0];
  if (sub !== undefined && (words[sub] === 'archive' || words[sub] === 'bundle'))
    return gitArchive(words, sub);
  if (sub === undefined || words[sub] !== 'clone') return [];
  const walked = walk(words, sub + 1, GIT_CLONE);
  const dir = walked.operands[1];
  return [
    ...(dir === undefined ? [] : [file(dir, 0, 'git clone', WRITES, SAFE_WRITE)]),
    ...valuesOf(walked, '--separate-git-dir', 'git clone --separate-git-dir', WRITES, SAFE_WRITE),
  ];
}

const GIT_ARCHIVE: Grammar = {
  short: 'o',
  long: [
    '--output',
    '--format',
    '--prefix',
    '--remote',
    '--exec',
    '--add-file',
    '--add-virtual-file',
    '--mtime',
  ],
};

/** git archive -o/--output FILE (written) and --add-file FILE (packed); git bundle create FILE (written). */
function gitArchive(words: readonly string[], sub: number): FileRead[] {
  if (words[sub] === 'bundle') {
    const operands = walk(words, sub + 1, { short: '', long: ['--version'] }).operands;
    const bundle = operands[1];
    return words[operands[0] ?? -1] === 'create' && bundle !== undefined
      ? [file(bundle, 0, 'git bundle create', WRITES, SAFE_WRITE)]
      : [];
  }
  const walked = walk(words, sub + 1, GIT_ARCHIVE, { o: '--output' });
  return [
    ...valuesOf(walked, '--output', 'git archive -o', WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--add-file', 'git archive --add-file', PACKS, SAFE_PACK),
  ];
}

const CURL_WRITES: Record<string, CurlFile> = lookupTable(
  Object.fromEntries(
    [
      'o',
      '--output',
      '--output-dir',
      'D',
      '--dump-header',
      'c',
      '--cookie-jar',
      '--trace',
      '--trace-ascii',
      '--stderr',
      '--libcurl',
      '--etag-save',
      '--hsts',
      '--alt-svc',
    ].map((option) => [option, { rule: 'file' as const, safe: SAFE_WRITE, act: WRITES }]),
  ),
);

const WGET_WRITES: OptionReads = {
  short: 'oaeiBtOTwQPlARDIXUn',
  options: [
    {
      long: '--output-document',
      min: '--output-d'.length,
      short: 'O',
      rule: 'file',
      safe: SAFE_WRITE,
      act: WRITES,
    },
    {
      long: '--output-file',
      min: '--output-f'.length,
      short: 'o',
      rule: 'file',
      safe: SAFE_WRITE,
      act: WRITES,
    },
    { long: '--append-output', min: '--ap'.length, short: 'a', rule: 'file', safe: SAFE_WRITE, act: WRITES },
    {
      long: '--directory-prefix',
      min: '--directory-p'.length,
      short: 'P',
      rule: 'file',
      safe: SAFE_WRITE,
      act: WRITES,
    },
    { long: '--save-cookies', min: '--save-c'.length, rule: 'file', safe: SAFE_WRITE, act: WRITES },
    { long: '--warc-file', min: '--warc-f'.length, rule: 'file', safe: SAFE_WRITE, act: WRITES },
    { long: '--rejected-log', min: '--rej'.length, rule: 'file', safe: SAFE_WRITE, act: WRITES },
    // The name of the file written for a URL ending in "/" (index.html).
    { long: '--default-page', min: '--def'.length, rule: 'file', safe: SAFE_WRITE, act: WRITES },
    { long: '--hsts-file', min: '--hsts-f'.length, rule: 'file', safe: SAFE_WRITE, act: WRITES },
  ],
};

/** openssl SUBCOMMAND -out FILE / -keyout FILE (written), -in FILE (printed); the value the next word. */
function opensslFiles(words: readonly string[], at: number): FileRead[] {
  const reads: FileRead[] = [];
  for (let k = at + 1; k + 1 < words.length; k++)
    if (words[k] === '-out' || words[k] === '-keyout')
      reads.push(file(++k, 0, `openssl ${words[k - 1]}`, WRITES, SAFE_WRITE));
    // The file it reads and prints (openssl base64 -in, rsa -in: the key itself), or converts.
    else if (words[k] === '-in') reads.push(file(++k, 0, 'openssl -in', PRINTS, SAFE_PRINT));
  return reads;
}

// find's tests and actions taking one argument (-fprintf takes two: FILE FORMAT; -newerXY one).
const FIND_ONE = new Set(
  `-name -iname -path -ipath -wholename -iwholename -regex -iregex -lname -ilname -newer -anewer -cnewer
  -samefile -type -xtype -user -group -uid -gid -perm -size -mtime -mmin -atime -amin -ctime -cmin -links -inum
  -maxdepth -mindepth -fstype -used -context -printf -fprint -fprint0 -fls -regextype -files0-from`.split(
    /\s+/,
  ),
);
/** find's tests matching a name or a path against a glob: a value there picks which files the action reaches. */
const FIND_GLOBS = new Set([
  '-name',
  '-iname',
  '-path',
  '-ipath',
  '-wholename',
  '-iwholename',
  '-lname',
  '-ilname',
]);

/**
 * find [-H -L -P -D OPTS -OLEVEL] START… EXPRESSION: its starting points (which it deletes with -delete, hands
 * to the program of -exec/-execdir/-ok/-okdir, or searches: a value there starting with "-" is read as its
 * expression, -delete among it); with -delete or -exec, the patterns of -name, -path… (a "*" matches every file)
 * and -regex (any value is a pattern); the files -fprint, -fprint0, -fls and -fprintf write.
 */
function findFiles(words: readonly string[], at: number): FileRead[] {
  let j = at + 1;
  while (j < words.length && /^-([HLP]|O\d*|D)$/.test(words[j]!)) j += words[j] === '-D' ? 2 : 1;
  const starts: number[] = [];
  for (; j < words.length && !/^[-(!),]/.test(words[j]!); j++) starts.push(j);
  const patterns: Array<{ test: string; index: number }> = [];
  const reads: FileRead[] = [];
  let deletes = false;
  let exec: string | undefined;
  for (let k = j; k < words.length; k++) {
    const word = words[k]!;
    if (word === '-delete') deletes = true;
    else if (/^-(exec|execdir|ok|okdir)$/.test(word)) {
      exec ??= word;
      // The program's words (read as that program's by fileWriteWords), up to ";" or "{} +".
      while (k + 1 < words.length && words[k + 1] !== ';' && !(words[k + 1] === '+' && words[k] === '{}'))
        k++;
      k++;
    } else if (word === '-fprintf' || FIND_ONE.has(word) || /^-newer[aBcmt][aBcmt]$/.test(word)) {
      if (k + 1 >= words.length) break;
      if (/^-f(print0?|printf|ls)$/.test(word))
        reads.push(file(k + 1, 0, `find ${word}`, WRITES, SAFE_WRITE));
      if (FIND_GLOBS.has(word) || /^-i?regex$/.test(word)) patterns.push({ test: word, index: k + 1 });
      k += word === '-fprintf' ? 2 : 1;
    }
  }
  const act = deletes ? DELETES : exec ? HANDS : SEARCHES;
  const how = deletes ? 'find -delete' : exec ? `find ${exec}` : 'find';
  reads.push(...starts.map((k) => file(k, 0, how, act, SAFE_FIND)));
  if (deletes || exec)
    for (const { test, index } of patterns)
      reads.push({
        ...file(index, 0, `find ${test} (with ${deletes ? '-delete' : exec})`, act, SAFE_FIND),
        // A regular expression: any value there is a pattern (".*" matches every file).
        ...(FIND_GLOBS.has(test) ? {} : { rule: 'whole' as const }),
      });
  return reads;
}

/**
 * A URL (the word `index`, from `from`) whose last path part names the file a downloader writes in its directory
 * (curl -O, wget, aria2c: urlLastPart). A template starting that part names the file: refused wherever it is.
 * One in the part after fixed text is part of the name, checked once rendered to be a plain name there; one
 * elsewhere in the URL (its host and port, a directory, the query) could add a "/", "?" or "#" and so choose the
 * last part: checked once rendered to hold none (FileRead.url). With `server` (curl -J, wget
 * --content-disposition, --trust-server-names, a recursive wget, aria2c), the server names the file: a value
 * anywhere in the URL picks the server or what it serves, and so the name: refused.
 */
function urlNamed(
  words: readonly string[],
  index: number,
  from: number,
  how: string,
  server?: string,
  url: 'path' | 'query' = 'query',
): FileRead {
  if (server)
    return {
      ...file(index, from, how, { does: `writes (${server})`, harm: WRITES.harm }, SAFE_SERVER_NAME),
      rule: 'whole',
    };
  const act = {
    ...NAMED_WRITE,
    does: `writes (${how.split(' ')[0]} names the file after the last part of the URL)`,
  };
  const read = { ...file(index, from, how, act, SAFE_REMOTE_NAME), url };
  const fixed = words[index]!.replace(/\{\{[^{}]*\}\}/g, '\u0001');
  const [start] = urlLastPart(fixed.slice(from));
  // In a script, an expansion before the template there ($BASE{{x}}) may be empty: the value may start it.
  const head = /^(\$(\w+|\{[^{}]*\}))*\u0001/.test(fixed.slice(from + start));
  return head ? { ...read, rule: 'whole' as const } : read;
}

/**
 * curl -O/--remote-name/--remote-name-all: the file it writes is named after the last part of the URL's path,
 * in its directory (urlNamed). With -J/--remote-header-name the server names it (Content-Disposition): a value
 * in the URL picks the server or the resource, and so the name (.npmrc, conftest.py, Makefile in the working
 * directory, read by a later step): refused, as a careful user keeps the name in the config (-o FILE).
 */
function curlRemoteNames(words: readonly string[], at: number): FileRead[] {
  let remote = false;
  let header = false;
  const urls: Array<{ index: number; from: number }> = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word.startsWith('--') && word !== '--') {
      const eq = word.indexOf('=');
      const name = (eq < 0 ? word : word.slice(0, eq)).replace(/^--expand-(?=.)/, '--');
      const options = CURL_LONG_OPTIONS.has(name)
        ? [name]
        : [...CURL_LONG_OPTIONS.keys()].filter((o) => o.startsWith(name));
      if (options.length === 1 && /^--remote-name(-all)?$/.test(options[0]!)) remote = true;
      if (options.length === 1 && options[0] === '--remote-header-name') header = true;
      if (options.length === 1 && options[0] === '--url') {
        if (eq >= 0) urls.push({ index: j, from: eq + 1 });
        else if (j + 1 < words.length) urls.push({ index: ++j, from: 0 });
      } else if (eq < 0 && options.some((o) => CURL_LONG_OPTIONS.get(o))) j++;
      continue;
    }
    if (word.startsWith('-') && word !== '-' && word !== '--') {
      for (let c = 1; c < word.length; c++) {
        if (word[c] === 'O') remote = true;
        if (word[c] === 'J') header = true;
        if (!CURL_WITH_VALUE.has(word[c]!)) continue;
        if (c + 1 === word.length) j++;
        break;
      }
      continue;
    }
    if (word !== '--') urls.push({ index: j, from: 0 });
  }
  if (!remote) return [];
  const server = header ? 'curl -J: the server names the file, by its Content-Disposition header' : undefined;
  return urls.map(({ index, from }) =>
    urlNamed(words, index, from, header ? 'curl -O -J' : 'curl -O', server),
  );
}

/** wget's long options taking a value (written apart: --tries 3), so that their values are not URLs. */
const WGET_LONG_VALUES = new Set(
  `--execute --output-file --append-output --input-file --base --config --rejected-log --tries --retry-on-http-error
  --output-document --backups --bind-address --bind-dns-address --dns-servers --timeout --dns-timeout
  --connect-timeout --read-timeout --wait --waitretry --quota --limit-rate --restrict-file-names --prefer-family
  --user --password --use-askpass --local-encoding --remote-encoding --directory-prefix --cut-dirs --default-page
  --http-user --http-password --header --compression --max-redirect --proxy-user --proxy-password --referer
  --user-agent --load-cookies --save-cookies --post-data --post-file --method --body-data --body-file
  --secure-protocol --certificate --certificate-type --private-key --private-key-type --ca-certificate
  --ca-directory --crl-file --pinnedpubkey --random-file --egd-file --ciphers --hsts-file --warc-file --warc-header
  --warc-max-size --warc-dedup --warc-tempdir --ftp-user --ftp-password --level --accept --reject --accept-regex
  --reject-regex --regex-type --domains --exclude-domains --follow-tags --ignore-tags --include-directories
  --exclude-directories --progress --report-speed --metalink-index --preferred-location`.split(/\s+/),
);
/** wget's options after which the file's name is not the URL's last part alone: the server or the path names it. */
const WGET_SERVER_NAMED: ReadonlyArray<[RegExp, string]> = [
  [
    /^--content-d/,
    'wget --content-disposition: the server names the file, by its Content-Disposition header',
  ],
  [/^--trust-s/, 'wget --trust-server-names: the server names the file, by the URL it redirects to'],
  [
    /^(--rec|--mir|--page-r|--force-d)/,
    "a recursive wget: the server's links and the URL's path name the files and directories",
  ],
];

/**
 * wgetrc commands (-e/--execute NAME=VALUE) that are the options of WGET_SERVER_NAMED: a command's name is read
 * without its "_" and "-", in any case (content_disposition, contentDisposition), and turned off only by off, no,
 * 0 or false.
 */
const WGET_SERVER_COMMANDS: Readonly<Record<string, string>> = lookupTable({
  contentdisposition: '--content-disposition',
  trustservernames: '--trust-server-names',
  recursive: '--recursive',
  mirror: '--mirror',
  pagerequisites: '--page-requisites',
  dirstruct: '--force-directories',
});

/** The option a wgetrc command given with -e turns on, when it is one of WGET_SERVER_COMMANDS. */
function wgetCommandOption(command: string): string | undefined {
  const match = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec(command);
  if (!match || /^(off|no|0|false)$/i.test(match[2]!)) return undefined;
  return WGET_SERVER_COMMANDS[match[1]!.replace(/[_-]/g, '').toLowerCase()];
}

/**
 * wget URL… with no -O/--output-document: each file it writes is named after the last part of its URL's path
 * (urlNamed), in the directory -P gives (which names no file). With --content-disposition, --trust-server-names,
 * or -r/-m/-p/-x (their long names too), the server or the whole path names them: a value in the URL is refused.
 */
function wgetRemoteNames(words: readonly string[], at: number): FileRead[] {
  const output = optionReads(words, at, 'wget', {
    short: WGET_WRITES.short,
    options: WGET_WRITES.options.filter((o) => o.long === '--output-document'),
  });
  if (output.length > 0) return [];
  let server: string | undefined;
  const urls: number[] = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < words.length; k++) urls.push(k);
      break;
    }
    const named = (name: string) =>
      (server ??= WGET_SERVER_NAMED.find(
        ([pattern]) => pattern.test(name) && !name.startsWith('--no-'),
      )?.[1]);
    if (word.startsWith('--')) {
      const name = word.split('=')[0]!;
      named(name);
      // -e/--execute (a unique prefix, from --exe): a wgetrc command, which may be one of those options.
      if (name.length >= '--exe'.length && '--execute'.startsWith(name)) {
        const command = word.includes('=') ? word.slice(name.length + 1) : words[j + 1];
        const option = command === undefined ? undefined : wgetCommandOption(command);
        if (option) named(option);
      }
      if (!word.includes('=') && WGET_LONG_VALUES.has(name)) j++;
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      for (let c = 1; c < word.length; c++) {
        if ('rmpx'.includes(word[c]!)) server ??= WGET_SERVER_NAMED[2]![1];
        if (!WGET_WRITES.short.includes(word[c]!)) continue;
        if (word[c] === 'e') {
          const command = c + 1 < word.length ? word.slice(c + 1) : words[j + 1];
          const option = command === undefined ? undefined : wgetCommandOption(command);
          if (option) named(option);
        }
        if (c + 1 === word.length) j++;
        break;
      }
      continue;
    }
    urls.push(j);
  }
  // wget escapes a "/" in the query it adds to the name (hook?v=a%2Fb): a value there names no other file.
  return urls.map((index) => urlNamed(words, index, 0, 'wget', server, 'path'));
}

/** aria2c's long options taking a value (written apart: --split 4), so that their values are not URLs. */
const ARIA2_LONG_VALUES = new Set(
  `--dir --out --log --input-file --save-session --user-agent --header --referer --http-user --http-passwd
  --max-connection-per-server --split --min-split-size --timeout --max-tries --torrent-file --metalink-file
  --index-out --checksum --max-download-limit --max-overall-download-limit --max-upload-limit --load-cookies
  --save-cookies --certificate --private-key --ca-certificate --all-proxy --http-proxy --https-proxy --ftp-proxy
  --conf-path --on-download-complete --on-download-start --on-download-error --on-download-stop
  --on-download-pause --on-bt-download-complete --retry-wait --connect-timeout --lowest-speed-limit
  --file-allocation --log-level --console-log-level --summary-interval --dht-file-path --ftp-user --ftp-passwd
  --select-file --seed-time --seed-ratio --stop --max-concurrent-downloads`.split(/\s+/),
);
/** aria2c's short options taking a value. */
const ARIA2_SHORT_VALUES = 'dilkjostmxUTOuM';
/** aria2c's options naming a file or directory it writes: long name, short letter. */
const ARIA2_WRITES: ReadonlyArray<[string, string]> = [
  ['--out', 'o'],
  ['--dir', 'd'],
  ['--log', 'l'],
  ['--save-session', ''],
  ['--save-cookies', ''],
  ['--dht-file-path', ''],
];

/** aria2c's options following a torrent or a metalink the server answers with (true, mem or false). */
const ARIA2_FOLLOWS = ['--follow-torrent', '--follow-metalink'];

/**
 * aria2c URL…: the files it writes (-o/--out, -d/--dir, -l/--log, --save-session, --save-cookies,
 * --dht-file-path; -O/--index-out INDEX=PATH), its config (--conf-path: any option, its hooks among them) and
 * the commands its hooks run (--on-download-complete…: any template refused). Its URLs: unless -o names the
 * file, the server does (Content-Disposition) or the URL's last part; and unless --follow-torrent=false and
 * --follow-metalink=false (each option's last value), a torrent or a metalink the server answers with names
 * files of its own: a value in the URL picks the server or the resource, and so the names: refused unless -o
 * and both are given.
 */
function aria2Files(words: readonly string[], at: number): FileRead[] {
  const reads: FileRead[] = [];
  const urls: number[] = [];
  const flags = new Set<string>();
  // The last value of --follow-torrent and --follow-metalink (aria2c takes the last; "" written alone, true),
  // under their name or a unique prefix of it (getopt_long: --follow-t=true).
  const follow = new Map<string, string>();
  const value = (long: string, short: string, index: number, from: number) => {
    const written = ARIA2_WRITES.find(([l, s]) => l === long || (short !== '' && s === short));
    const how = `aria2c ${written?.[0] ?? long}`;
    if (written) reads.push(file(index, from, how, WRITES, SAFE_WRITE));
    else if (long === '--index-out' || short === 'O')
      reads.push({ ...file(index, from, 'aria2c --index-out', WRITES, SAFE_WRITE), rule: 'keyed-file' });
    else if (long === '--conf-path' || long.startsWith('--on-'))
      reads.push({ ...file(index, from, `aria2c ${long}`, HOOK, SAFE_HOOK), rule: 'whole' });
    else {
      const input = ARIA2_INPUTS.find(([l, s]) => l === long || (short !== '' && s === short));
      if (input) reads.push(file(index, from, `aria2c ${input[0]}`, ARIA2_INPUT, SAFE_PRINT));
    }
  };
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < words.length; k++) urls.push(k);
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const long = eq < 0 ? word : word.slice(0, eq);
      flags.add(eq < 0 ? long : `${long}=${word.slice(eq + 1)}`);
      const followed = ARIA2_FOLLOWS.find((o) => long.length > '--follow-'.length && o.startsWith(long));
      if (followed) follow.set(followed, eq < 0 ? '' : word.slice(eq + 1));
      if (eq >= 0) value(long, '', j, eq + 1);
      else if (ARIA2_LONG_VALUES.has(long) && j + 1 < words.length) value(long, '', ++j, 0);
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      for (let c = 1; c < word.length; c++) {
        const letter = word[c]!;
        if (!ARIA2_SHORT_VALUES.includes(letter)) continue;
        flags.add(`-${letter}`);
        if (c + 1 < word.length) value('', letter, j, c + 1);
        else if (j + 1 < words.length) value('', letter, ++j, 0);
        break;
      }
      continue;
    }
    urls.push(j);
  }
  const named = flags.has('-o') || [...flags].some((f) => f === '--out' || f.startsWith('--out='));
  const follows = ARIA2_FOLLOWS.filter((o) => follow.get(o) !== 'false');
  const server = !named
    ? 'aria2c without -o: the server names the file, by its Content-Disposition header, or the URL does'
    : follows.length > 0
      ? `aria2c without ${follows.map((o) => `${o}=false`).join(' and ')} (its last value counts): a torrent or a metalink the server answers with names the files it writes`
      : undefined;
  // With -o and neither followed, the name is the config's: a value in the URL picks only what is fetched.
  if (server) reads.push(...urls.map((index) => urlNamed(words, index, 0, 'aria2c', server)));
  return reads;
}

/** aria2c's options naming a file it reads its downloads from: long name, short letter. */
const ARIA2_INPUTS: ReadonlyArray<[string, string]> = [
  ['--input-file', 'i'],
  ['--torrent-file', 'T'],
  ['--metalink-file', 'M'],
  ['--load-cookies', ''],
];
const ARIA2_INPUT: FileAct = {
  does: 'reads its downloads from (their URLs, the files they write, options such as on-download-complete=)',
  harm: 'a file {of} that names what is fetched, where it is written and which command runs after (or whose cookies are sent)',
};

const HOOK: FileAct = {
  does: 'runs as a command (a hook, or a config that may set one)',
  harm: 'a program or config {of} that runs (any command)',
};
const SAFE_HOOK = 'write the hook or the config in the config, and pass the value to it as data';

/** Options taking a value of docker's, podman's and nerdctl's own (before the subcommand). */
const CONTAINER_GLOBAL: Grammar = {
  short: 'Hclna',
  long: [
    '--host',
    '--context',
    '--config',
    '--log-level',
    '--tlscacert',
    '--tlscert',
    '--tlskey',
    '--url',
    '--connection',
    '--identity',
    '--root',
    '--runroot',
    '--runtime',
    '--storage-driver',
    '--storage-opt',
    '--tmpdir',
    '--cgroup-manager',
    '--namespace',
    '--address',
    '--data-root',
    '--snapshotter',
    '--module',
  ],
};

/** pflag reads -o=FILE as FILE: the value of a short option starts after its "=". */
const pflagValues = (words: readonly string[], reads: FileRead[]): FileRead[] =>
  reads.map((read) =>
    read.from > 0 && /^-[^-]/.test(words[read.index]!) && words[read.index]![read.from] === '='
      ? { ...read, from: read.from + 1 }
      : read,
  );

/** The file an option names that an image tool writes (the digest, a signature, a report): the file rule. */
const writeOption = (long: string, short?: string): OptionRead => ({
  long,
  ...(short && { short }),
  rule: 'file',
  safe: SAFE_WRITE,
  act: WRITES,
});

/** skopeo copy, podman push and buildah push --digestfile FILE: where the digest is written. */
const DIGESTFILE_WRITES: OptionReads = { short: '', options: [writeOption('--digestfile')] };

/** cosign's files written: its log, the signature, certificate, payload, attestation and bundle, a key pair. */
const COSIGN_WRITES: OptionReads = {
  // The short letters taking a value (-a annotations, -d is a flag, -o the output format, -t the timeout).
  short: 'aot',
  options: [
    '--output-file',
    '--output-signature',
    '--output-certificate',
    '--output-payload',
    '--output-attestation',
    '--bundle',
    // cosign save --dir DIR: the directory the image is written to.
    '--dir',
    // cosign generate-key-pair --output-key-prefix PREFIX: PREFIX.key and PREFIX.pub are written.
    '--output-key-prefix',
  ].map((long) => writeOption(long)),
};

/** trivy -o/--output FILE: the report written; --cache-dir DIR: its database and cache (read back as trusted). */
const TRIVY_WRITES: OptionReads = {
  short: 'fostc',
  options: [writeOption('--output', 'o'), writeOption('--cache-dir')],
};

/** crictl's global options taking a value (before its subcommand), and the profiles written: the file rule. */
const CRICTL_GLOBALS =
  /^(-[rict]|--(runtime-endpoint|image-endpoint|config|timeout|tracing-endpoint|tracing-sampling-rate-per-million|profile-cpu|profile-mem))$/;
const CRICTL_WRITES: OptionReads = {
  short: 'rict',
  options: [writeOption('--profile-cpu'), writeOption('--profile-mem')],
};

/** crictl --profile-cpu FILE and --profile-mem FILE: global options, read before its subcommand only. */
function crictlProfiles(words: readonly string[], at: number): FileRead[] {
  let end = at + 1;
  for (; end < words.length && words[end]!.startsWith('-') && words[end] !== '--'; end++)
    if (CRICTL_GLOBALS.test(words[end]!)) end++;
  return optionReads(words.slice(0, end), at, 'crictl', CRICTL_WRITES);
}

/**
 * docker/podman/nerdctl save and export (image save, container export): the file -o/--output writes; and compose's
 * config -o (the project's model) and export -o (a service's container).
 */
function imageArchives(words: readonly string[], at: number, name: string): FileRead[] {
  const operands = walk(words, at + 1, CONTAINER_GLOBAL).operands;
  const compose = name === 'docker-compose' ? at : words[operands[0] ?? -1] === 'compose' ? operands[0]! : -1;
  if (compose >= 0) {
    const sub = composeSubcommand(words, compose + 1);
    if (!['config', 'export'].includes(words[sub] ?? '')) return [];
    const walked = walk(
      words,
      sub + 1,
      { short: 'o', long: ['--output', '--format', '--hash', '--index'] },
      { o: '--output' },
    );
    const how = `${name === 'docker-compose' ? name : `${name} compose`} ${words[sub]} -o`;
    return pflagValues(words, valuesOf(walked, '--output', how, WRITES, SAFE_WRITE));
  }
  const group = ['image', 'container'].includes(words[operands[0] ?? -1] ?? '') ? 1 : 0;
  const sub = operands[group];
  // docker build's (podman's, nerdctl's, buildah bud's) --iidfile and --metadata-file take no template at all,
  // as run's --cidfile (mount-values.ts WRITTEN_FILES): one refusal, not a second by the file rule.
  if (sub === undefined || !['save', 'export'].includes(words[sub]!)) return [];
  const walked = walk(
    words,
    sub + 1,
    { short: 'o', long: ['--output', '--format', '--platform'] },
    {
      o: '--output',
    },
  );
  return pflagValues(words, valuesOf(walked, '--output', `${name} ${words[sub]} -o`, WRITES, SAFE_WRITE));
}

// helm's options taking a value: its own, and those of package and pull.
const HELM: Grammar = {
  short: 'dn',
  long: [
    '--destination',
    '--untardir',
    '--namespace',
    '--kube-context',
    '--kubeconfig',
    '--kube-apiserver',
    '--kube-as-group',
    '--kube-as-user',
    '--kube-ca-file',
    '--kube-token',
    '--kube-tls-server-name',
    '--registry-config',
    '--repository-cache',
    '--repository-config',
    '--burst-limit',
    '--qps',
    '--version',
    '--app-version',
    '--key',
    '--keyring',
    '--passphrase-file',
    '--repo',
    '--username',
    '--password',
    '--ca-file',
    '--cert-file',
    '--key-file',
  ],
  // Flags a prefix of an option taking a value (pflag reads no prefixes).
  optional: ['--untar'],
};

/** helm package -d/--destination DIR, helm pull (fetch) -d and --untardir: the directory it writes the chart in. */
function helmWrites(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, HELM, { d: '--destination', n: '--namespace' });
  const verb = words[walked.operands[0] ?? -1];
  if (verb !== 'package' && verb !== 'pull' && verb !== 'fetch') return [];
  return pflagValues(words, [
    ...valuesOf(walked, '--destination', `helm ${verb} -d`, WRITES, SAFE_WRITE),
    ...(verb === 'package'
      ? []
      : valuesOf(walked, '--untardir', `helm ${verb} --untardir`, WRITES, SAFE_WRITE)),
  ]);
}

const SAFE_PACK =
  'name the files in the config, with the value only in a file name after a fixed directory, where it must be one plain name (zip dist/app.zip "build/{{…}}.js")';
const ZIP: Grammar = {
  short: 'bntPZsO',
  long: [
    '--temp-path',
    '--suffixes',
    '--from-date',
    '--before-date',
    '--password',
    '--compression-method',
    '--split-size',
    '--output-file',
  ],
};

/**
 * zip [options] ARCHIVE FILE… [-x|-i PATTERN…]: the archive it writes (and -O/--output-file's, -b's directory of
 * its temporary file); the files it packs into it (with -d, they are the archive's members to delete).
 */
function zipFiles(words: readonly string[], at: number): FileRead[] {
  // -x and -i take the words up to the next option: patterns, not files.
  let list = false;
  const cleaned = words.map((word, k) => {
    if (k <= at) return word;
    if (/^-(x|i|-exclude|-include)$/.test(word)) list = true;
    else if (word.startsWith('-')) list = false;
    else if (list) return '--zip-pattern';
    return word;
  });
  const walked = walk(cleaned, at + 1, ZIP, { b: '--temp-path', O: '--output-file' });
  const [archive, ...files] = walked.operands;
  const members = walked.flags.has('-d') || walked.flags.has('--delete');
  return [
    ...valuesOf(walked, '--output-file', 'zip -O', WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--temp-path', 'zip -b', WRITES, SAFE_WRITE),
    ...(archive === undefined ? [] : [file(archive, 0, 'zip', WRITES, SAFE_WRITE)]),
    ...(members ? [] : files.map((k) => file(k, 0, 'zip', PACKS, SAFE_PACK))),
  ];
}

/** gzip, bzip2, xz (and their un- forms): options taking a value; the -cat forms print their operands. */
const COMPRESSORS: Record<string, Grammar> = lookupTable({
  gzip: { short: 'S', long: ['--suffix'] },
  bzip2: { short: '', long: [] },
  xz: {
    short: 'SFCTM',
    long: [
      '--suffix',
      '--format',
      '--check',
      '--threads',
      '--memlimit',
      '--memlimit-compress',
      '--memlimit-decompress',
    ],
    optional: ['--files', '--files0'],
  },
  zstd: {
    short: 'oD',
    long: ['--output-dir-flat', '--output-dir-mirror', '--patch-from', '--filelist', '--format', '--memory'],
  },
});
const COMPRESSOR_OF: Record<string, string> = lookupTable({
  gzip: 'gzip',
  gunzip: 'gzip',
  zcat: 'gzip',
  gzcat: 'gzip',
  bzip2: 'bzip2',
  bunzip2: 'bzip2',
  bzcat: 'bzip2',
  xz: 'xz',
  unxz: 'xz',
  xzcat: 'xz',
  lzma: 'xz',
  unlzma: 'xz',
  lzcat: 'xz',
  zstd: 'zstd',
  unzstd: 'zstd',
  zstdcat: 'zstd',
});

/** gzip FILE… replaces each file (FILE.gz, the original gone); with -c, -l or -t, or as zcat, it prints them. */
function compressorFiles(words: readonly string[], at: number, name: string): FileRead[] {
  const family = COMPRESSOR_OF[name]!;
  const walked = walk(words, at + 1, COMPRESSORS[family]!, { S: '--suffix', o: '--output' });
  const prints =
    name.endsWith('cat') ||
    ['-c', '--stdout', '--to-stdout', '-l', '--list', '-t', '--test'].some((flag) => walked.flags.has(flag));
  // zstd keeps its files (unless --rm) and writes FILE.zst beside them, or -o FILE, --output-dir-flat DIR.
  const zstd = family === 'zstd';
  const act = zstd && !walked.flags.has('--rm') ? PACKS : REPLACES;
  return [
    ...valuesOf(walked, '--output', `${name} -o`, WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--output-dir-flat', `${name} --output-dir-flat`, WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--output-dir-mirror', `${name} --output-dir-mirror`, WRITES, SAFE_WRITE),
    ...walked.operands.map((k) =>
      prints ? file(k, 0, name, PRINTS, SAFE_PRINT) : file(k, 0, name, act, zstd ? SAFE_PACK : SAFE_WRITE),
    ),
  ];
}

/**
 * 7z COMMAND ARCHIVE [FILE…] [-oDIR]: a (add), u, d, rn write the archive and pack the files; e, x extract it
 * (-o's directory written), l and t read it.
 */
function sevenZipFiles(words: readonly string[], at: number, name: string): FileRead[] {
  const operands: number[] = [];
  const reads: FileRead[] = [];
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') {
      for (let j = k + 1; j < words.length; j++) operands.push(j);
      break;
    }
    if (word.startsWith('-o')) reads.push(file(k, 2, `${name} -o`, WRITES, SAFE_WRITE));
    else if (!word.startsWith('-')) operands.push(k);
  }
  const [command, archive, ...files] = operands;
  const verb = command === undefined ? '' : words[command]!;
  const writes = ['a', 'u', 'd', 'rn'].includes(verb);
  if (archive !== undefined)
    reads.push(file(archive, 0, `${name} ${verb}`, writes ? WRITES : EXTRACTS, SAFE_WRITE));
  if (verb === 'a' || verb === 'u')
    reads.push(...files.map((k) => file(k, 0, `${name} ${verb}`, PACKS, SAFE_PACK)));
  return reads;
}

const PATCH: Grammar = {
  short: 'BDdFgiopVYzr',
  long: [
    '--prefix',
    '--ifdef',
    '--directory',
    '--fuzz',
    '--get',
    '--input',
    '--output',
    '--strip',
    '--version-control',
    '--basename-prefix',
    '--suffix',
    '--reject-file',
    '--quoting-style',
  ],
};
const APPLIES: FileAct = {
  does: 'applies (the patch names the files it rewrites)',
  harm: 'a patch {of} whose contents choose which files are rewritten and how (a script a later step runs)',
};

/**
 * patch [ORIGINAL [PATCHFILE]] (-i PATCHFILE, -o OUT, -d DIR, -r REJECTS): the file it rewrites, the patch whose
 * contents choose what it writes, the files it writes and the directory it works in.
 */
function patchFiles(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, PATCH, {
    i: '--input',
    o: '--output',
    d: '--directory',
    r: '--reject-file',
  });
  const [original, patchFile] = walked.operands;
  return [
    ...valuesOf(walked, '--input', 'patch -i', APPLIES, SAFE_PRINT),
    ...valuesOf(walked, '--output', 'patch -o', WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--directory', 'patch -d', WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--reject-file', 'patch -r', WRITES, SAFE_WRITE),
    ...(original === undefined ? [] : [file(original, 0, 'patch', WRITES, SAFE_WRITE)]),
    ...(patchFile === undefined ? [] : [file(patchFile, 0, 'patch', APPLIES, SAFE_PRINT)]),
  ];
}

/** split [options] [INPUT [PREFIX]]: the input copied into pieces, and the prefix of the pieces it writes. */
function splitFiles(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, {
    short: 'abCln',
    long: [
      '--suffix-length',
      '--additional-suffix',
      '--bytes',
      '--line-bytes',
      '--lines',
      '--number',
      '--separator',
      '--filter',
    ],
    optional: ['--numeric-suffixes', '--hex-suffixes'],
  });
  const [input, prefix] = walked.operands;
  return [
    ...(input === undefined ? [] : [file(input, 0, 'split', COPIES, SAFE_PRINT)]),
    ...(prefix === undefined ? [] : [file(prefix, 0, 'split', WRITES, SAFE_WRITE)]),
  ];
}

/** gawk's options whose optional value is a file it writes (attached only: --profile=FILE, -pFILE). */
const AWK_WRITTEN = ['--profile', '--dump-variables', '--pretty-print'];

/**
 * gawk --profile=FILE/-pFILE, --dump-variables=FILE/-dFILE, --pretty-print=FILE/-oFILE: the file it writes (the
 * profile, the variables, the program), a long option also by a unique prefix (--prof=FILE), -W too
 * (-Wprofile=FILE); awk PROGRAM FILE… (-f, -e, -E: no program operand): the files it reads and prints from, not
 * VAR=value. Options read as gawk reads them (awkOptions).
 */
function awkFiles(words: readonly string[], at: number, name: string): FileRead[] {
  const { values, operands } = awkOptions(words, at);
  const given = values.some((v) => ['--file', '--source', '--exec'].includes(v.option));
  return [
    ...values
      .filter((v) => AWK_WRITTEN.includes(v.option))
      .map((v) => {
        // -pFILE: the letter before the value; --prof=FILE, -Wprofile=FILE: the option's name.
        const before = words[v.index]![v.from - 1];
        const how = before === '=' || before === undefined ? v.option : `-${before}`;
        return file(v.index, v.from, `${name} ${how}`, WRITES, SAFE_WRITE);
      }),
    ...(given ? operands : operands.slice(1))
      .filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]!))
      .map((k) => file(k, 0, name, PRINTS, SAFE_PRINT)),
  ];
}

/** Options naming where a package manager or a build tool writes, by tool: [long, short, subcommand or '']. */
const TOOL_OUTPUTS: Readonly<Record<string, ReadonlyArray<[string, string, string]>>> = lookupTable({
  // npm/pnpm pack --pack-destination DIR: the directory the tarball is written to.
  npm: [['--pack-destination', '', 'pack']],
  pnpm: [['--pack-destination', '', 'pack']],
  // yarn pack: --filename/-f FILE (yarn 1), --out/-o FILE (yarn 2+), the tarball written.
  yarn: [
    ['--filename', 'f', 'pack'],
    ['--out', 'o', 'pack'],
  ],
  // cargo --target-dir DIR: where every build writes (build scripts' output among it, which later builds run);
  // --artifact-dir/--out-dir DIR: where it copies the artifacts; cargo install --root DIR: bin/ written in it.
  cargo: [
    ['--target-dir', '', ''],
    ['--artifact-dir', '', ''],
    ['--out-dir', '', ''],
    ['--root', '', 'install'],
  ],
});

/**
 * The files or directories a package manager or a build tool writes its output to (TOOL_OUTPUTS): an option's
 * value (--opt VALUE, --opt=VALUE, -o VALUE, -oVALUE) anywhere before "--", with its subcommand among the words.
 */
function toolOutputs(words: readonly string[], at: number, name: string): FileRead[] {
  const end = words.indexOf('--', at + 1) < 0 ? words.length : words.indexOf('--', at + 1);
  const reads: FileRead[] = [];
  for (const [long, short, sub] of TOOL_OUTPUTS[name] ?? []) {
    if (sub && !words.slice(at + 1, end).includes(sub)) continue;
    const how = `${name}${sub ? ` ${sub}` : ''} ${long}`;
    for (let j = at + 1; j < end; j++) {
      const word = words[j]!;
      if (word === long || (short && word === `-${short}`)) {
        if (j + 1 < end) reads.push(file(j + 1, 0, how, WRITES, SAFE_WRITE));
      } else if (word.startsWith(`${long}=`)) reads.push(file(j, long.length + 1, how, WRITES, SAFE_WRITE));
      else if (short && word.startsWith(`-${short}`) && !word.startsWith('--'))
        reads.push(file(j, word[2] === '=' ? 3 : 2, how, WRITES, SAFE_WRITE));
    }
  }
  return reads;
}

/** unzip [options] ARCHIVE [MEMBER…] [-x MEMBER…] [-d DIR]: the archive it unpacks (or lists), and -d's directory. */
function unzipFiles(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, { short: 'dP', long: [] });
  const archive = walked.operands[0];
  return [
    ...valuesOf(walked, '-d', 'unzip -d', WRITES, SAFE_WRITE),
    ...(archive === undefined ? [] : [file(archive, 0, 'unzip', EXTRACTS, SAFE_WRITE)]),
  ];
}

/** go build (and go test -c) -o FILE: the program it writes. go's flags are single words (-o FILE, -o=FILE). */
function goOutput(words: readonly string[], at: number): FileRead[] {
  const verb = words.findIndex((word, k) => k > at && !word.startsWith('-'));
  if (verb < 0 || (words[verb] !== 'build' && words[verb] !== 'test')) return [];
  const reads: FileRead[] = [];
  for (let k = verb + 1; k < words.length; k++) {
    const match = /^--?o(=|$)/.exec(words[k]!);
    if (!match) continue;
    if (match[1] === '=') reads.push(file(k, match[0].length, `go ${words[verb]} -o`, WRITES, SAFE_WRITE));
    else if (k + 1 < words.length) reads.push(file(++k, 0, `go ${words[verb]} -o`, WRITES, SAFE_WRITE));
  }
  return reads;
}

const GH_DOWNLOAD: Grammar = {
  short: 'RpADOn',
  long: ['--repo', '--pattern', '--archive', '--dir', '--output', '--name'],
};

/** gh release download -D/--dir DIR, -O/--output FILE; gh run download -D/--dir DIR: where the files are written. */
function ghDownload(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, GH_DOWNLOAD, { D: '--dir', O: '--output' });
  const [group, verb] = walked.operands.map((k) => words[k]);
  if ((group !== 'release' && group !== 'run') || verb !== 'download') return [];
  return pflagValues(words, [
    ...valuesOf(walked, '--dir', `gh ${group} download -D`, WRITES, SAFE_WRITE),
    ...valuesOf(walked, '--output', `gh ${group} download -O`, WRITES, SAFE_WRITE),
  ]);
}

const YQ: Grammar = {
  short: 'opIs',
  long: [
    '--output-format',
    '--input-format',
    '--indent',
    '--from-file',
    '--expression',
    '--front-matter',
    '--split-exp',
    '--xml-attribute-prefix',
    '--xml-content-name',
    '--lua-prefix',
    '--properties-separator',
    '--csv-separator',
  ],
};

/**
 * yq [eval|eval-all] [EXPRESSION] FILE… (none with --from-file or --expression): with -i it rewrites them, else
 * it prints them.
 */
function yqFiles(words: readonly string[], at: number): FileRead[] {
  const walked = walk(words, at + 1, YQ, { s: '--split-exp' });
  const given = walked.values.some((v) => v.option === '--from-file' || v.option === '--expression');
  const inPlace = walked.flags.has('-i') || walked.flags.has('--inplace');
  // yq 4's eval and eval-all (e, ea) commands come before the expression.
  const operands = ['eval', 'e', 'eval-all', 'ea'].includes(words[walked.operands[0] ?? -1] ?? '')
    ? walked.operands.slice(1)
    : walked.operands;
  return [
    ...(given ? operands : operands.slice(1)).map((k) =>
      inPlace ? file(k, 0, 'yq -i', WRITES, SAFE_WRITE) : file(k, 0, 'yq', PRINTS, SAFE_PRINT),
    ),
  ];
}

/** xargs -a/--arg-file FILE (its options end at the command it runs): the file whose lines become arguments. */
function xargsFile(words: readonly string[], at: number): FileRead[] {
  const reads: FileRead[] = [];
  for (let j = at + 1; j < words.length && words[j]!.startsWith('-') && words[j] !== '--'; j++) {
    const word = words[j]!;
    // Long options by any unique prefix (--arg=list, --arg list, --del ,).
    const long = xargsLongOption(word);
    if (long?.name === '--arg-file')
      reads.push(
        long.takesNext
          ? file(++j, 0, 'xargs -a', ARG_LINES, SAFE_PRINT)
          : file(j, word.indexOf('=') + 1, 'xargs -a', ARG_LINES, SAFE_PRINT),
      );
    else if (long?.takesNext) j++;
    else if (!word.startsWith('--'))
      for (let c = 1; c < word.length; c++) {
        if (!'aEIdJLnPRSs'.includes(word[c]!)) continue;
        if (word[c] === 'a')
          reads.push(
            c + 1 < word.length
              ? file(j, c + 1, 'xargs -a', ARG_LINES, SAFE_PRINT)
              : file(j + 1, 0, 'xargs -a', ARG_LINES, SAFE_PRINT),
          );
        if (c + 1 === word.length) j++;
        break;
      }
  }
  return reads.filter((read) => read.index < words.length);
}

/**
 * GNU parallel -a/--arg-file FILE (its options end at its command): the file whose lines become its command's
 * arguments. With no command each line is a command (programs.ts refuses a value there as code).
 */
function parallelFiles(words: readonly string[], at: number): FileRead[] {
  if (!parallelCommand(words, at)) return [];
  return parallelArgFiles(words, at).map((arg) =>
    file(arg.index, arg.from, 'parallel -a', ARG_LINES, SAFE_PRINT),
  );
}

/** Options writing a file, read with getopt clusters: ssh-keygen -f, gpg -o/--output. */
const OPTION_WRITES: Record<string, { grammar: Grammar; alias: Record<string, string>; options: string[] }> =
  lookupTable({
    'ssh-keygen': {
      grammar: { short: 'abCDEFfIJjKMmNnOPRrSstVWwYZz', long: [] },
      alias: {},
      options: ['-f'],
    },
    gpg: {
      grammar: {
        short: 'ouruz',
        long: [
          '--output',
          '--recipient',
          '--local-user',
          '--default-key',
          '--homedir',
          '--passphrase',
          '--passphrase-file',
        ],
      },
      alias: { o: '--output' },
      options: ['--output'],
    },
  });

/** The words of the command whose program is `words[at]` that name a file it writes, deletes or prints. */
function writesAt(words: readonly string[], at: number): FileRead[] {
  const name = programName(words[at]!);
  const tool = OPERAND_TOOLS[name];
  if (tool) {
    const walked = walk(words, at + 1, tool.grammar, name === 'mkdir' ? { m: '--mode' } : {});
    return [
      ...(name === 'mkdir' ? settingsOf(walked, name) : []),
      ...walked.operands.map((k) => file(k, 0, name, tool.act, tool.safe)),
    ];
  }
  if (COMPRESSOR_OF[name]) return compressorFiles(words, at, name);
  const options = OPTION_WRITES[name === 'gpg2' ? 'gpg' : name];
  if (options) {
    const walked = walk(words, at + 1, options.grammar, options.alias);
    // gpg -d/--decrypt (and --dearmor, --enarmor, --list-packets): the files whose contents it prints.
    const prints =
      options === OPTION_WRITES.gpg &&
      ['-d', '--decrypt', '--dearmor', '--enarmor', '--list-packets'].some((flag) => walked.flags.has(flag));
    return [
      ...options.options.flatMap((option) =>
        valuesOf(walked, option, `${name} ${option}`, WRITES, SAFE_WRITE),
      ),
      ...(prints ? walked.operands.map((k) => file(k, 0, `${name} --decrypt`, PRINTS, SAFE_PRINT)) : []),
    ];
  }
  const copies = copyDestinations(words, at).map((read) => ({ ...read, act: WRITES }));
  switch (name) {
    case 'cp':
    case 'mv':
    case 'install':
    case 'ln':
      return copyLike(words, at, name);
    case 'chmod':
    case 'chown':
    case 'chgrp':
      return rightsOf(words, at, name);
    case 'dd':
      return ddFiles(words, at);
    case 'grep':
    case 'egrep':
    case 'fgrep':
      return grepFiles(words, at, name);
    case 'diff':
      return walk(words, at + 1, DIFF).operands.map((k) => file(k, 0, 'diff', PRINTS, SAFE_PRINT));
    case 'jq':
      return jqFiles(words, at);
    case 'xxd':
      return xxdFiles(words, at);
    case 'sed':
    case 'gsed':
      return sedFiles(words, at);
    case 'sort':
      return sortFiles(words, at);
    case 'tar':
    case 'gtar':
    case 'bsdtar':
      return tarFiles(words, at);
    case 'git':
      return gitClone(words, at);
    case 'curl':
      return [...curlReads(words, at, CURL_WRITES), ...curlRemoteNames(words, at)];
    case 'find':
      return findFiles(words, at);
    case 'docker':
    case 'nerdctl':
    case 'docker-compose':
      return [...copies, ...imageArchives(words, at, name)];
    case 'podman':
      return [
        ...copies,
        ...imageArchives(words, at, name),
        ...optionReads(words, at, name, DIGESTFILE_WRITES),
      ];
    case 'helm':
      return helmWrites(words, at);
    case 'go':
      return goOutput(words, at);
    case 'gh':
      return [...copies, ...ghDownload(words, at)];
    case 'yq':
      return yqFiles(words, at);
    case '7z':
    case '7za':
    case '7zz':
    case '7zr':
      return sevenZipFiles(words, at, name);
    case 'patch':
      return patchFiles(words, at);
    case 'uniq':
      return uniqFiles(words, at);
    case 'xargs':
      return xargsFile(words, at);
    case 'parallel':
      return parallelFiles(words, at);
    case 'iconv':
      return iconvFiles(words, at);
    case 'split':
      return splitFiles(words, at);
    case 'zip':
      return zipFiles(words, at);
    case 'unzip':
      return unzipFiles(words, at);
    case 'awk':
    case 'gawk':
    case 'mawk':
    case 'nawk':
      return awkFiles(words, at, name);
    case 'wget':
      return [...optionReads(words, at, 'wget', WGET_WRITES), ...wgetRemoteNames(words, at)];
    case 'aria2c':
      return aria2Files(words, at);
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'cargo':
      return [...copies, ...toolOutputs(words, at, name)];
    case 'skopeo':
    case 'buildah':
      return optionReads(words, at, name, DIGESTFILE_WRITES);
    case 'cosign':
      return optionReads(words, at, name, COSIGN_WRITES);
    case 'trivy':
      return optionReads(words, at, name, TRIVY_WRITES);
    case 'crictl':
      return crictlProfiles(words, at);
    case 'openssl':
      return opensslFiles(words, at);
  }
  return copies;
}

/**
 * The words of a command (templates unrendered, `words[0]` the program) naming a file it writes, deletes or
 * prints: those of its program and of the programs its wrappers run (sudo, env, timeout…), not the words of
 * echo or printf, nor a subcommand's (npm install, helm install, kubectl cp are not install and cp).
 */
export function fileWriteWords(words: readonly string[]): FileRead[] {
  // npm run sort: the script "sort" of package.json, chosen as a program is, but not the program sort.
  const names = nameWords(words);
  const programs = chosenWords(words)
    .filter((chosen) => chosen.kind === 'program' && names.get(chosen.index) !== 'target')
    .map((chosen) => chosen.index);
  // A process substitution (<(…), >(…)) is a pipe the shell names, its inside commands of their own.
  return [...new Set([0, ...programs])]
    .filter((at) => at < words.length)
    .flatMap((at) => writesAt(words, at))
    .filter((write) => !/^[<>]\(/.test((words[write.index] ?? '').slice(write.from)));
}

/** The model's file reads with the command's writes added (a word read and written keeps both, as `also`). */
export function addFileWrites(model: { fileReads: Map<number, FileRead> }, words: readonly string[]): void {
  for (const write of fileWriteWords(words)) {
    const known = model.fileReads.get(write.index);
    model.fileReads.set(write.index, known ? { ...known, also: known.also ?? write } : write);
  }
}

/** The same on the line ssh runs remotely (`ssh host 'cp app.tgz {{x}}'`): files of the remote host. */
export function remoteFileWrites(
  words: readonly string[],
  model: { remote?: { from: number; to: number }; fileReads: ReadonlyMap<number, FileRead> },
): RemoteFileRead[] {
  // The files of the remote commands' redirections come after their words (remoteFileReads' tokens).
  return remoteFileReads(words, model, (texts, command) => [
    ...fileWriteWords(texts),
    ...command.redirects.flatMap(({ operator, word }, k) =>
      /[<>]&$/.test(operator) && /^(\d+|-)$/.test(word.text)
        ? []
        : [{ ...redirectionRead(operator, texts[0]), index: texts.length + k }],
    ),
  ]);
}
