// Files a command writes, deletes, changes the rights of, or reads into its output (prints): the target of a
// shell redirection (`> FILE`, `>> FILE`, `>| FILE`, `&> FILE`, `N> FILE`, `<> FILE`, and `< FILE`, read into the
// command's standard input); the destination of tee, cp, mv, install, ln, dd of=, curl -o, wget -O, tar -C/-f,
// unzip -d, git clone's directory, sed -i, sort -o, openssl -out, ssh-keygen -f, gpg -o and of the copy tools
// file-reads.ts reads the sources of (scp, rsync, docker cp, kubectl cp, aws s3 cp, gsutil cp, rclone…); the
// operands of rm, rmdir, shred, truncate, touch, mkdir, chmod, chown, chgrp; and those of cat, head, tail, less,
// base64, xxd, od, strings, sed (printed to the job's log or into a pipe). A templated value there would choose a
// file of the runner to overwrite (`../../.bashrc`, `.git/hooks/pre-commit`, `/etc/cron.d/x`: code that runs
// later), delete, or show (`/proc/self/environ` holds the job's secrets). So, with file-reads.ts's rule shape, a
// template that names the file or starts its name is refused when the config loads; one in a file's name after a
// fixed directory or text (`> "logs/deploy-{{env}}.log"`, `cp app.tgz /srv/releases/{{version}}/`) is checked
// once rendered to be one plain name there (not "." nor "..", and not empty when it is a whole part of the path).
// `echo` and `printf` print their words: not files. Pure.
import {
  copyDestinations,
  curlReads,
  optionReads,
  remoteFileReads,
  type CurlFile,
  type FileAct,
  type FileRead,
  type OptionReads,
  type RemoteFileRead,
} from './file-reads.ts';
import { chosenWords } from './launchers.ts';
import { programName } from './programs.ts';

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

const SAFE_WRITE =
  'write the path in the config, with the value only in a file name after a fixed directory, where it must be one plain name (> "logs/deploy-{{…}}.log", cp app.tgz /srv/releases/{{…}}.tgz)';
const SAFE_DELETE =
  'write the path in the config, with the value only in a file name after a fixed directory, where it must be one plain name (rm -f "releases/app-{{…}}.tgz")';
const SAFE_PRINT =
  'name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (cat "notes/{{…}}.md"), or pass the value as data (echo "{{…}}")';
const SAFE_INPUT =
  'name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (< "config/{{…}}.env"), or pass the value as data (--body "{{…}}", <<< "{{…}}")';

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

/** cp, mv, install, ln: the destination (-t DIR, or the last of two operands or more); mv's sources move away. */
function copyLike(words: readonly string[], at: number, name: string): FileRead[] {
  const grammar = name === 'install' ? INSTALL : name === 'ln' ? LN : CP;
  const walked = walk(words, at + 1, grammar, name === 'install' ? { ...TARGET, S: '--suffix' } : TARGET);
  const how = name;
  const reads = valuesOf(walked, '--target-directory', `${name} -t`, WRITES, SAFE_WRITE);
  const { operands } = walked;
  // install -d DIR…: each operand is a directory it creates.
  if (name === 'install' && (walked.flags.has('-d') || walked.flags.has('--directory')))
    return operands.map((k) => file(k, 0, 'install -d', WRITES, SAFE_WRITE));
  const target = reads.length > 0;
  if (!target && operands.length >= 2) reads.push(file(operands.at(-1)!, 0, how, WRITES, SAFE_WRITE));
  // The sources: mv moves them away, cp and install copy them (where a later step reads or sends them), ln
  // links to them (a later write through the link lands there).
  const act = name === 'mv' ? DELETES : name === 'ln' ? LINKS : COPIES;
  if (operands.length >= 2 || target)
    for (const k of target ? operands : operands.slice(0, -1))
      reads.push(file(k, 0, name, act, name === 'mv' ? SAFE_DELETE : SAFE_PRINT));
  return reads;
}

/** The tools whose operands are the files they act on, with their options taking a value. */
const OPERAND_TOOLS: Record<string, { grammar: Grammar; act: FileAct; safe: string }> = {
  tee: { grammar: { short: '', long: [], optional: ['--output-error'] }, act: WRITES, safe: SAFE_WRITE },
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
};

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
  return files.map((k) => file(k, 0, name, CHANGES, SAFE_DELETE));
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
  const creates = [
    'c',
    'r',
    'u',
    'A',
    '--create',
    '--append',
    '--update',
    '--concatenate',
    '--catenate',
  ].some((f) => letters.has(f));
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
  }
  return reads;
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
  if (sub === undefined || words[sub] !== 'clone') return [];
  const walked = walk(words, sub + 1, GIT_CLONE);
  const dir = walked.operands[1];
  return [
    ...(dir === undefined ? [] : [file(dir, 0, 'git clone', WRITES, SAFE_WRITE)]),
    ...valuesOf(walked, '--separate-git-dir', 'git clone --separate-git-dir', WRITES, SAFE_WRITE),
  ];
}

const CURL_WRITES: Record<string, CurlFile> = Object.fromEntries(
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
    { long: '--hsts-file', min: '--hsts-f'.length, rule: 'file', safe: SAFE_WRITE, act: WRITES },
  ],
};

/** openssl SUBCOMMAND -out FILE / -keyout FILE (single-dash long options, the value the next word). */
function opensslFiles(words: readonly string[], at: number): FileRead[] {
  const reads: FileRead[] = [];
  for (let k = at + 1; k + 1 < words.length; k++)
    if (words[k] === '-out' || words[k] === '-keyout')
      reads.push(file(++k, 0, `openssl ${words[k - 1]}`, WRITES, SAFE_WRITE));
  return reads;
}

/** Options writing a file, read with getopt clusters: ssh-keygen -f, gpg -o/--output, unzip -d. */
const OPTION_WRITES: Record<string, { grammar: Grammar; alias: Record<string, string>; options: string[] }> =
  {
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
    unzip: { grammar: { short: 'dP', long: [] }, alias: {}, options: ['-d'] },
  };

/** The words of the command whose program is `words[at]` that name a file it writes, deletes or prints. */
function writesAt(words: readonly string[], at: number): FileRead[] {
  const name = programName(words[at]!);
  const tool = OPERAND_TOOLS[name];
  if (tool) {
    const walked = walk(words, at + 1, tool.grammar);
    return walked.operands.map((k) => file(k, 0, name, tool.act, tool.safe));
  }
  const options = OPTION_WRITES[name === 'gpg2' ? 'gpg' : name];
  if (options) {
    const walked = walk(words, at + 1, options.grammar, options.alias);
    return options.options.flatMap((option) =>
      valuesOf(walked, option, `${name} ${option}`, WRITES, SAFE_WRITE),
    );
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
      return tarFiles(words, at);
    case 'git':
      return gitClone(words, at);
    case 'curl':
      return curlReads(words, at, CURL_WRITES);
    case 'wget':
      return optionReads(words, at, 'wget', WGET_WRITES);
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
  const programs = chosenWords(words)
    .filter((chosen) => chosen.kind === 'program')
    .map((chosen) => chosen.index);
  // A process substitution (<(…), >(…)) is a pipe the shell names, its inside commands of their own.
  return [...new Set([0, ...programs])]
    .filter((at) => at < words.length)
    .flatMap((at) => writesAt(words, at))
    .filter((write) => !/^[<>]\(/.test(words[write.index] ?? ''));
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
