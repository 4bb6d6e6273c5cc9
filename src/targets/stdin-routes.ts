// Routes by which what a program reads on its standard input, or the program itself, is chosen away from the
// words the rules read: what xargs puts where a file is named, a config curl reads, sftp's commands, a list of
// files (tar -T -), and a program named by an expansion ($c). shell-script.ts applies them to a script's
// commands; remoteStdinProblems applies them to the line ssh runs through the remote host's shell, where they
// concern the remote host's files. Pure.
import { charge } from './budget.ts';
import { gpgImportsStdin } from './deploy-sources.ts';
import {
  chosenWords,
  expandedPrograms,
  xargsArgFile,
  xargsInputChooses,
  xargsInputWords,
  xargsItems,
  xargsWord,
} from './launchers.ts';
import { commandModel, parallelCommand, programName, type CommandModel } from './programs.ts';
import { redisReadsCommands } from './publish-targets.ts';
import { fileDoing, shellFileClasses, type FileRead } from './file-reads.ts';
import { addFileWrites, tarCreates, tarFileLists, zipNamesStdin } from './file-writes.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { remoteCommands, type RemoteCommand, type RemoteWord } from './remote-line.ts';
import { STDIN_FILES } from './stdin-readers.ts';
import {
  type AssignmentReader,
  type FlowGap,
  fixedValue,
  flowValues,
  unknownValue,
  withDefault,
} from './shell-flow.ts';

/**
 * Why a value given to a program named by an expansion ($c, "${TOOL}", $(command -v curl)), as an argument or on
 * its standard input, is refused: a clause after "… of $c, " or "… fed to $c, ".
 */
export function expandedProgramWhy(value: string, host = false, unsure?: string): string {
  const [of, file] = host
    ? ['of the remote host', 'a fixed path']
    : ['of the runner', 'a file of the checkout'];
  return `a program named by an expansion: which program runs is not known here${unsure ? ` (${unsure})` : ''} (c=curl makes "$c -d @${value}" send a file ${of}; c=sh runs its input as code), so neither is what it does with the value, and no check can be made; name the program in the config and pass the value to it there (curl -d @data.json https://host/${value}), or set the variable to ${file} alone (cmd=./deploy.sh), or to a program's name (KUBECTL=kubectl, DOCKER=$(command -v docker)) before it is run, in the shell that runs it, in a script with no source, ".", eval or nameref (declare -n), which may change any variable`;
}

/** Short options tried where xargs puts its input (xargsInputFile): those that name a file in most tools first. */
const OPTION_LETTERS = [...new Set('TdoOKfi' + 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')];

/** What xargs reads, written as a template where xargs puts it (as xargsInputChooses writes it, launchers.ts). */
const XARGS_INPUT = '{{__xargs_input}}';

/**
 * xargs appends what it reads on standard input to the command it runs (split into words at blanks and
 * newlines), or puts each line in place of -I's string. Where that lands in an argument a program reads and
 * sends, writes, deletes or prints a file from (file-reads.ts, file-writes.ts), anywhere but where no file rule
 * reads it, the input would name the file or start it: why a value in that input is refused (a clause for
 * stdinCodeMessage, VALUE standing for the template) and the word of xargs, or undefined. Pure.
 */
export function xargsInputFile(
  words: readonly string[],
  host = false,
): { at: number; why: string } | undefined {
  const xargs = xargsWord(words);
  // With -a, xargs reads its items from that file: its standard input is its program's (argFileStdin).
  if (xargs < 0 || xargsArgFile(words, xargs)) return undefined;
  // Without a program, xargs runs echo: what it reads is printed (echo {{v}} | xargs trims a value).
  if (!chosenWords(words).some((word) => word.index > xargs)) return undefined;
  const { marked, replace } = xargsInputWords(words, xargs, XARGS_INPUT);
  const where = (index: number) =>
    replace !== undefined
      ? `in place of ${replace} in ${JSON.stringify(words[index])}`
      : `after "${words.slice(xargs + 1).join(' ')}" as its last arguments`;
  /** The file read or written at `index` of these words that the input names or starts, if any. */
  const fileAt = (texts: readonly string[], index: number): FileRead | undefined => {
    const model = commandModel(texts);
    addFileWrites(model, texts);
    const read = model.fileReads.get(index);
    const word = texts[index];
    if (!read || word === undefined || !word.includes(XARGS_INPUT)) return undefined;
    if ((shellFileClasses(read, word).get('__xargs_input') ?? 'safe') === 'safe') return undefined;
    return host ? { ...read, host: true } : read;
  };
  for (let index = xargs + 1; index < marked.length; index++) {
    const read = fileAt(marked, index);
    if (!read) continue;
    const { may, harm } = fileDoing(read);
    return {
      at: xargs,
      why: `which xargs puts ${where(index)}, where ${read.how} ${may}: the value would choose ${harm}, and no check can see what xargs reads; write the command without xargs, with VALUE in it, where it is checked once rendered, or ${read.safe}`,
    };
  }
  // Where the input starts an argument the program may read as an option, the value could be an option naming a
  // file (curl https://host given "-T/etc/passwd", or "-o ~/.bashrc" split into two words): tried as each short
  // option with its value attached.
  const model = commandModel(marked);
  for (let index = xargs + 1; index < marked.length; index++) {
    if (!marked[index]!.startsWith(XARGS_INPUT) || model.positional.has(index) || model.guarded.has(index))
      continue;
    for (const letter of OPTION_LETTERS) {
      const read = fileAt(
        marked.map((word, k) => (k === index ? `-${letter}${word}` : word)),
        index,
      );
      if (!read) continue;
      const tool = read.how.split(' ')[0]!;
      return {
        at: xargs,
        why: `which xargs puts ${where(index)}, where ${tool} reads options: the value could be an option naming a file (${read.how} ${fileDoing(read).may}: ${fileDoing(read).harm}), and no check can see what xargs reads; write the command without xargs, with VALUE in it, where it is checked once rendered, or put -- before what xargs puts there where ${tool} ends its options`,
      };
    }
  }
  return undefined;
}

/**
 * GNU parallel runs its command with each item it reads (its standard input, or the arguments after :::) in
 * place of {} ({.}, {/}, {//}, {/.}, {1}, -I's string) or appended, quoted for the shell: as xargs does, so the
 * same file rules apply where it lands (parallel rm ::: VALUE deletes the file VALUE names). The word of parallel,
 * why a value there is refused (xargsInputFile's, for parallel), and the words after ::: (`args`: with any,
 * parallel does not read its standard input), or undefined. Pure.
 */
export function parallelInputFile(
  words: readonly string[],
  host = false,
):
  | {
      at: number;
      why: string;
      args: number[];
      files: number[];
      argFiles: number[];
      pipe: boolean;
      stdinItems: boolean;
      synthetic?: string[];
      /** An item would be the program, a subcommand, code or a word of ssh's remote line. */
      chooses?: boolean;
    }
  | undefined {
  const at = words.findIndex((word) => programName(word) === 'parallel');
  if (at < 0) return undefined;
  const found = parallelCommand(words, at);
  if (!found) return undefined;
  // Its command is one line for a shell: read as words, the replacement strings as -I's.
  const replace = found.replace ?? '{}';
  const texts = found.command
    .map((k) => words[k]!)
    .join(' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => (found.replace ? word : word.replace(/\{(\.|\/|\/\/|\/\.|\d+)?\}/g, '{}')));
  const synthetic = texts.some((word) => word.includes(replace))
    ? ['xargs', '-I', replace, ...texts]
    : ['xargs', ...texts];
  // Where an item would be the program, a subcommand, code, or a word of ssh's remote line (parallel sh -c
  // ::: VALUE, parallel ssh host {} ::: VALUE), as xargs' input would.
  if (commandModel(synthetic).stdinCode !== undefined || xargsInputChooses(synthetic) !== undefined)
    return {
      at,
      why: `which parallel puts in its command where it would be the program, subcommand or script parallel runs, or its code: name what runs after parallel and let the value be its argument (parallel ./deploy.sh ::: VALUE)`,
      chooses: true,
      args: found.args,
      files: found.files,
      argFiles: found.argFiles,
      pipe: found.pipe,
      stdinItems: found.stdinItems,
    };
  const route = xargsInputFile(synthetic, host);
  if (route)
    return {
      at,
      why: route.why.replaceAll('xargs', 'parallel'),
      args: found.args,
      files: found.files,
      argFiles: found.argFiles,
      pipe: found.pipe,
      stdinItems: found.stdinItems,
    };
  // Otherwise the command as xargs -I would run it, for the checks made on its items (shell-script.ts).
  return {
    at,
    why: '',
    args: found.args,
    files: found.files,
    argFiles: found.argFiles,
    pipe: found.pipe,
    stdinItems: found.stdinItems,
    synthetic,
  };
}

/**
 * xargs -a FILE reads its items from FILE and leaves its standard input to the program it runs; GNU parallel -a
 * FILE gives it to its first job. What is fed to it then reaches that program: why that is refused, when the
 * program reads it (names it as a file: `kubectl apply -f -`, `cat -`; a program that runs it as code, commandModel's
 * stdinCode, and a config or list reader, stdinConfigReader, have their own reasons), or when the lines of FILE
 * choose the program (`xargs -a list sudo`: which program reads it is not known); undefined when neither (`… |
 * xargs -a list rm`: rm reads no standard input). A clause for stdinCodeMessage, VALUE standing for the template.
 */
export function argFileStdin(
  words: readonly string[],
  host = false,
): { at: number; why: string } | undefined {
  const xargs = xargsWord(words);
  const parallel = words.findIndex((word) => programName(word) === 'parallel');
  const found = parallel >= 0 ? parallelCommand(words, parallel) : undefined;
  const at =
    xargs >= 0 && xargsArgFile(words, xargs) ? xargs : found?.argFiles.length || found?.pipe ? parallel : -1;
  if (at < 0) return undefined;
  const tool = at === xargs ? 'xargs -a' : found!.pipe ? 'parallel --pipe' : 'parallel -a';
  const gives =
    at === xargs
      ? 'gives to the program it runs'
      : found!.pipe
        ? 'cuts into blocks and gives to its jobs'
        : 'gives to its first job';
  const from =
    at === xargs
      ? (chosenWords(words).find((word) => word.index > xargs)?.index ?? words.length)
      : found!.command[0]!;
  if (from >= words.length) return undefined;
  const to = at === xargs ? words.length : found!.command.at(-1)! + 1;
  // Items only from -a's file or after ::: (with --pipe alone, none).
  const items = at === xargs || found!.argFiles.length + found!.args.length + found!.files.length > 0;
  const chooses =
    at === xargs
      ? xargsInputChooses(words, true) !== undefined
      : items && parallelInputFile(words, host)?.chooses === true;
  const safe = `write the command without ${tool}, with the value in its arguments, where it is checked once rendered, or feed it nothing`;
  if (chooses)
    return {
      at,
      why: `which ${tool} ${gives}, chosen by its items (the lines of the file -a names${at === xargs ? '' : ', the arguments after :::'}): which program reads the value is not known, and it may run it as code; ${safe}`,
    };
  // parallel --pipe sh: its jobs run what they read as code (xargs -a … sh: the command's own stdinCode).
  const program = programName(words[from]!);
  if (commandModel(words.slice(from, to)).stdinCode !== undefined)
    return {
      at,
      why: `which ${tool} ${gives} (${program}), which runs it as code: use a quoted here-document (<<'EOF') and read the value from the environment variable in it, or ${safe}`,
    };
  // xargs -a list ssh, parallel -a list ssh: the items complete the command (the host), which then has no operand
  // naming its code and runs what it reads on its standard input as code (ssh HOST's remote shell, sh, bash).
  if (items) {
    const item = 'item';
    const completed =
      at === xargs
        ? xargsInputWords(words, xargs, item).marked.slice(from)
        : (() => {
            const texts = found!.command.map((k) => words[k]!);
            const replace = found!.replace ?? /\{(?:\.|\/|\/\/|\/\.|\d+)?\}/;
            const placed = texts.map((word) => word.split(replace).join(item));
            return placed.some((word, k) => word !== texts[k]) ? placed : [...texts, item];
          })();
    const runs = commandModel(completed).stdinCode;
    if (runs !== undefined)
      return {
        at,
        why: `which ${tool} ${gives} (${program}), which runs it as code once its items are its arguments (${completed.join(' ')}: ${programName(completed[runs]!) === 'ssh' ? "with no remote command, the remote host's shell reads its commands on standard input" : 'it reads its code on standard input'}); ${safe}`,
      };
  }
  const stdin = /^(?:-|\/dev\/stdin|\/dev\/fd\/0|\/proc\/self\/fd\/0)$/;
  // parallel --pipe --cat (--fifo): each block is a file its command names by the replace string ({}).
  const blockFile = at === parallel && found!.blockFile ? found!.replace : undefined;
  for (let k = from; k < to; k++) {
    const word = words[k]!;
    const names =
      blockFile !== undefined ? word.includes(blockFile) : /\{(?:\.|\/|\/\/|\/\.|\d+)?\}/.test(word);
    if (at === parallel && found!.blockFile && names)
      return {
        at,
        why: `which ${tool} ${gives} (${program}) as a file (--cat, --fifo) that ${program} is given as ${JSON.stringify(word)}: the value would be that file's content (a manifest, a list, a config of ${host ? "the remote host's" : "the runner's"} tools), which no check can see; ${safe}`,
      };
    if (STDIN_FILES.has(word) || stdin.test(word.split('=').slice(1).join('=')))
      return {
        at,
        why: `which ${tool} ${gives} (${program}), and ${program} reads it as the file ${JSON.stringify(word)}: the value would be that file's content (a manifest, a list, a config of ${host ? "the remote host's" : "the runner's"} tools), which no check can see; ${safe}`,
      };
  }
  return undefined;
}

/**
 * Whether parallel reads items on its standard input: with no ::: arguments, no :::: nor -a files, or with a
 * :::: or -a file naming it (:::: -, -a /dev/stdin).
 */
export function parallelReadsStdin(route: {
  args: number[];
  files: number[];
  argFiles: number[];
  pipe: boolean;
  stdinItems: boolean;
}): boolean {
  return (
    !route.pipe &&
    (route.stdinItems || (route.args.length === 0 && route.files.length === 0 && route.argFiles.length === 0))
  );
}

/** parallelInputFile when parallel reads its items on standard input. */
export function parallelStdin(
  words: readonly string[],
  host = false,
): { at: number; why: string } | undefined {
  const route = parallelInputFile(words, host);
  return route && !route.synthetic && parallelReadsStdin(route)
    ? { at: route.at, why: route.why }
    : undefined;
}

/**
 * What a program reads on its standard input that says which options it takes, which commands it runs or which
 * files it reads, one a line, so that a value with a newline could add any: a config curl reads (curl -K -,
 * --config /dev/stdin: upload-file = /etc/passwd sends a file of the runner, output = ~/.bashrc writes one);
 * sftp's commands (with no -b FILE, or -b -: put sends a file, !COMMAND runs a local shell); the list of the
 * files rsync, rclone, s3cmd or azcopy sends (--files-from -), or tar or zip archives (tar -T -, zip -@). Why a
 * value there is refused (a clause for stdinCodeMessage, VALUE standing for the template) and the word of the
 * program, or undefined. Pure.
 */
export function stdinConfigReader(
  model: CommandModel,
  words: readonly string[],
  host = false,
): { at: number; why: string } | undefined {
  const programAt = (name: string, before = words.length) =>
    words.findLastIndex((word, k) => k < before && programName(word) === name);
  for (const [index, read] of model.fileReads) {
    if (!STDIN_FILES.has((words[index] ?? '').slice(read.from))) continue;
    const tool = read.how.split(' ')[0]!;
    if (curlConfig(read)) return { at: programAt('curl', index), why: curlConfigWhy(read.how, host) };
    if (read.how === 'sftp -b') return { at: programAt('sftp', index), why: sftpCommandsWhy(host) };
    if (/ (--files-from|--files-from-raw|--list-of-files)$/.test(read.how))
      return { at: programAt(tool, index), why: fileListWhy(`${read.how} -`, 'sends', host) };
  }
  // Named where a program goes (not `grep sftp`, `apt-get install zip`).
  const programs = new Set(
    chosenWords(words).flatMap((word) => (word.kind === 'program' ? [word.index] : [])),
  );
  const runs = (name: string) => {
    const at = programAt(name);
    return programs.has(at) ? at : -1;
  };
  const sftp = runs('sftp');
  if (sftp >= 0 && ![...model.fileReads.values()].some((read) => read.how === 'sftp -b'))
    return { at: sftp, why: sftpCommandsWhy(host) };
  // ftp's, lftp's and smbclient's commands (without -c, -e or -f giving them): put, get, !COMMAND too.
  for (const name of ['ftp', 'lftp', 'smbclient']) {
    const at = runs(name);
    const given = /^(-[cef]|--command)(=|$)/;
    if (at >= 0 && !words.slice(at + 1).some((word) => given.test(word)))
      return { at, why: sftpCommandsWhy(host, name) };
  }
  const gsutil = runs('gsutil');
  if (
    gsutil >= 0 &&
    words.slice(gsutil + 1).some((word) => /^(cp|mv)$/.test(word)) &&
    words.slice(gsutil + 1).some((word) => /^-[rRmnpUvAcDeP]*I[rRmnpUvAcDeP]*$/.test(word))
  )
    return { at: gsutil, why: fileListWhy('gsutil cp -I', 'sends', host) };
  const gcloud = runs('gcloud');
  if (
    gcloud >= 0 &&
    words.slice(gcloud + 1).includes('storage') &&
    words.slice(gcloud + 1).some((word) => word === '-I' || word === '--read-paths-from-stdin')
  )
    return { at: gcloud, why: fileListWhy('gcloud storage cp -I', 'sends', host) };
  // cpio -o and -p read the names of the files they archive or copy; -i an archive (its headers are text), whose
  // files it writes, unless -F/-I names it.
  const cpio = runs('cpio');
  if (cpio >= 0) {
    const rest = words.slice(cpio + 1);
    const letters = rest
      .filter((word) => /^-[A-Za-z]+$/.test(word))
      .map((word) => word.slice(1))
      .join('');
    if (/[op]/.test(letters) || rest.some((word) => /^--(create|pass-through)$/.test(word)))
      return { at: cpio, why: fileListWhy('cpio -o', 'archives or copies', host) };
    if (
      (/i/.test(letters) || rest.includes('--extract')) &&
      !/[FI]/.test(letters) &&
      !rest.some((word) => word.startsWith('--file'))
    )
      return {
        at: cpio,
        why: `which cpio -i reads as the archive it extracts (its headers are text, so a value can be one), naming the files it writes: the value would choose files ${host ? 'of the remote host' : 'of the runner'} to overwrite or create (~/.bashrc), and no check can see it; extract an archive of the checkout (cpio -i -F dist/app.cpio), and pass the value where it is checked`,
      };
  }
  // gpg --import with no file (or -): the keys it imports, which it then trusts to sign what it checks.
  for (const name of ['gpg', 'gpg2']) {
    const at = runs(name);
    if (at >= 0 && gpgImportsStdin(words, at))
      return {
        at,
        why: `which ${name} imports as keys (or as trust, --import-ownertrust), and then trusts to sign what it checks: a value there, or a key a command fetches from a server or file the value picks, would choose the key trusted, which no check of the value can make safe; import a key file of the checkout (${name} --import keys/release.asc), and pass the value where it is checked`,
      };
  }
  // A config read on standard input: wget's (--config) sets options, ssh's (-F) ProxyCommand and LocalCommand.
  const configAt = (name: string, option: RegExp) => {
    const at = runs(name);
    if (at < 0) return -1;
    const rest = words.slice(at + 1);
    const given = rest.some((word, k) => {
      const m = option.exec(word);
      return m !== null && STDIN_FILES.has(m[1] ? m[1] : (rest[k + 1] ?? ''));
    });
    return given ? at : -1;
  };
  const wget = configAt('wget', /^--config(?:=(.*)|$)/);
  if (wget >= 0)
    return {
      at: wget,
      why: `which wget reads as its config (--config): each line sets an option, so a value with a newline could add any (post_file = /etc/passwd sends a file ${host ? 'of the remote host' : 'of the runner'}, output_document = ~/.bashrc writes one), which no check of the value can make safe; write the config in a file of the checkout, and pass VALUE as an argument of wget, where it is checked (wget --config ./deploy.wgetrc https://host/VALUE)`,
    };
  // wget -i - (-i /dev/stdin, --input-file=-): each line a URL whose last part names the file it writes, unless
  // -O/--output-document names it; aria2c -i -: its lines may also set options of each download (an indented
  // out=, dir=, or on-download-complete=, which runs a command).
  const of = host ? 'of the remote host' : 'of the runner';
  const urls = configAt('wget', /^(?:-[^-]*i|--input-f[a-z-]*)(?:=?(.+))?$/);
  if (urls >= 0 && !words.slice(urls + 1).some((word) => /^(-[^-]*O|--output-d)/.test(word)))
    return {
      at: urls,
      why: `which wget reads as the URLs it fetches (-i), one a line, each naming the file it writes after the last part of its path: the value would choose files ${of} to overwrite or create (.npmrc, conftest.py, Makefile, read by a later step), and no check can see that list; pass the URL as an argument of wget (wget https://host/dl/app-VALUE.tgz), where it is checked, or name the file (wget -O app.tgz -i -)`,
    };
  const aria2 = configAt('aria2c', /^(?:-[^-]*i|--input-file)(?:=?(.+))?$/);
  if (aria2 >= 0)
    return {
      at: aria2,
      why: `which aria2c reads as its input file (-i): a line is a URL, or an option of its download (out=, dir=, on-download-complete= which runs a command), so a value with a newline could add any, which no check of the value can make safe; pass the URL as an argument of aria2c with -o naming the file, and the value where it is checked`,
    };
  // scp and sftp hand -F to the ssh they run.
  for (const name of ['ssh', 'scp', 'sftp']) {
    const at = configAt(name, /^-F(.+)?$/);
    if (at >= 0)
      return {
        at,
        why: `which ${name} reads as its config (-F): a line could set ProxyCommand or LocalCommand, which run a command in ${host ? "the remote host's shell" : 'a local shell'}, or IdentityFile, which sends a key, and no check of the value can make that safe; write the config in a file of the checkout (${name} -F ./deploy.ssh_config …), and pass the value where it is checked`,
      };
  }
  // redis-cli with no command (or --pipe) runs its standard input as its commands, one a line.
  for (const name of ['redis-cli', 'valkey-cli']) {
    const at = runs(name);
    if (at >= 0 && redisReadsCommands(words, at))
      return {
        at,
        why: `which ${name} runs as its commands, each line a command (a value with a newline adds one: FLUSHALL, CONFIG SET dir and dbfilename write the database to any file of the server, EVAL runs Lua, MODULE LOAD a library), which no check of the value can make safe; pass the value as an argument of the command (${name} SET version VALUE), or as its last argument read with -x (… | ${name} -x SET version)`,
      };
  }
  // Those the file rules leave out: tar's and zip's lists, and s3cmd's with one operand (s3cmd sync --files-from -).
  // Their options are read as tar and zip read them (-T-, -cT -, tar cfT a.tar -, zip -q@).
  for (const name of ['tar', 'gtar', 'bsdtar', 'zip', 's3cmd']) {
    const at = runs(name);
    if (at < 0) continue;
    const rest = words.slice(at + 1);
    const list =
      name === 'zip'
        ? zipNamesStdin(words, at)
        : name === 's3cmd'
          ? rest.some(
              (word, k) =>
                (word === '--files-from' && STDIN_FILES.has(rest[k + 1] ?? '')) ||
                /^--files-from=(-|\/dev\/stdin)$/.test(word),
            )
          : tarFileLists(words, at).some(({ index, from }) => STDIN_FILES.has(words[index]!.slice(from)));
    if (!list) continue;
    if (name === 's3cmd') return { at, why: fileListWhy('s3cmd --files-from -', 'sends', host) };
    if (name !== 'zip' && !tarCreates(words, at))
      return {
        at,
        why: `which ${name} -T - reads as the names of the members it extracts or lists, one a line, printing each not in the archive to the job's log: the value would choose which files of the archive are written, and no check can see that list; name the members in the config, or extract them all into a fixed directory (tar -xf app.tar -C build/)`,
      };
    return { at, why: fileListWhy(name === 'zip' ? 'zip -@' : `${name} -T -`, 'archives', host) };
  }
  return undefined;
}

/**
 * A file named by a process substitution, `words[index]` holding `sub` (`xargs -a <(…) rm`, `tar -cf a.tar -T
 * <(…)`, `rsync --files-from=<(…)`): what the inside writes is read as the program would read its standard input
 * named there (-, /dev/stdin). For xargs -a, what xargs puts where its program's arguments go: code when it
 * would choose what runs (`code`), or why a value there is refused, or the command as if the list were piped
 * (`items`: what xargs reads there is checked once rendered as from a pipe, xargsFed); otherwise, as a list
 * of files or a config, why a value there is refused (stdinConfigReader). A clause after "… is inside <(…), " (VALUE standing for the
 * template), or undefined. Pure.
 */
export function substitutionFileRoute(
  words: readonly string[],
  index: number,
  sub: string,
  host = false,
):
  | { code: true; tool?: string }
  | { why: string }
  | { items: readonly string[]; parallel?: boolean }
  | undefined {
  // The word with the substitution named as standard input (--files-from=<(…) is one word: --files-from=-).
  const texts = words.map((word, k) => (k === index ? word.replace(sub, '/dev/stdin') : word));
  const model = commandModel(texts);
  addFileWrites(model, texts);
  const read = model.fileReads.get(index);
  if (read?.how === 'xargs -a') {
    // The same command reading that list on its standard input: without -a and its file.
    const option = read.from > 0 ? index : index - 1;
    const rest = texts[option]!.slice(0, read.from > 0 ? read.from : undefined).replace(/^(-[^-]*)a$/, '$1');
    const piped = texts.filter((_, k) => k !== index && k !== option);
    if (!/^(-|--arg-file=?)$/.test(rest)) piped.splice(option, 0, rest);
    if (commandModel(piped).stdinCode !== undefined || xargsInputChooses(piped) !== undefined)
      return { code: true };
    const file = xargsInputFile(piped, host);
    if (file) return { why: `whose lines xargs -a reads as its input, ${file.why}` };
    // The command as if the list were piped: how xargs cuts it and what it checks (shell-reading.ts' xargsFed).
    return xargsItems(piped) && { items: piped };
  }
  if (read?.how === 'parallel -a') {
    // GNU parallel -a <(…) CMD reads its items from the file as `… | parallel CMD` reads them on its standard
    // input; with --pipe (--pipepart), the file is the input it cuts into blocks for its jobs, as its standard
    // input would be.
    const option = read.from > 0 ? index : index - 1;
    const piped = texts.filter((_, k) => k !== index && k !== option);
    const at = piped.findIndex((word) => programName(word) === 'parallel');
    const found = at >= 0 ? parallelCommand(piped, at) : undefined;
    if (commandModel(piped).stdinCode !== undefined || !found) return { code: true, tool: 'parallel -a' };
    if (found.pipe) {
      const route = argFileStdin(piped, host);
      return route && { why: `whose lines parallel -a reads as its input, ${route.why}` };
    }
    const route = parallelInputFile(piped, host);
    if (!route || route.chooses) return { code: true, tool: 'parallel -a' };
    if (!route.synthetic) return { why: `whose lines parallel -a reads as its items, ${route.why}` };
    return { items: route.synthetic, parallel: true };
  }
  const reader = stdinConfigReader(model, texts, host);
  return reader && { why: reader.why };
}

/** Why a value in the commands sftp (ftp, lftp, smbclient) reads on its standard input is refused. */
function sftpCommandsWhy(host: boolean, tool = 'sftp'): string {
  const [of, shell] = host
    ? ['of the remote host', "the remote host's shell"]
    : ['of the runner', 'a local shell'];
  return `which ${tool} reads as its commands, one a line (put FILE sends a file ${of}, get writes one, !COMMAND runs a command in ${shell}): a value with a newline could add any, which no check of the value can make safe; write the commands without a value (a batch file of the checkout, or a here-document with none), and pass the value where it is checked (scp dist/app-VALUE.tgz host:/srv/)`;
}

/** Why a value in a list of files read on standard input (rsync --files-from -, tar -T -) is refused. */
function fileListWhy(how: string, does: string, host: boolean): string {
  const whose = host
    ? 'files of the remote host to send or archive (its keys, or its secrets)'
    : "files of the runner to send or archive (its keys, or the job's secrets in /proc/self/environ)";
  return `which ${how} reads as the names of the files it ${does}, one a line: the value would choose ${whose}, and no check can see that list; name the files in the config, and pass the value where it is checked (the destination: rsync -a dist/ host:/srv/VALUE/)`;
}

/** Whether a file read is the config curl reads its options from (-K, --config, a prefix of it). */
export const curlConfig = (read: FileRead) => /^curl (-K|--config)$/.test(read.how);

export function curlConfigWhy(how: string, host = false): string {
  const of = host ? 'of the remote host' : 'of the runner';
  return `which curl reads as its config (${how}): each line of a config sets an option, so a value with a newline could add any (upload-file = /etc/passwd sends a file ${of}, output = ~/.bashrc writes one), which no check of the value can make safe; write the config in the config's own text, and pass VALUE as an argument of curl, where it is checked (curl -K ./deploy.curlrc https://host/VALUE)`;
}

/** The checkout's, the working directory's or the action's directory, as a script names it ($GITHUB_WORKSPACE). */
export const DIRECTORY_VARIABLE = String.raw`\$(?:GITHUB_WORKSPACE|PWD|GITHUB_ACTION_PATH|\{(?:GITHUB_WORKSPACE|PWD|GITHUB_ACTION_PATH)\})`;

/** A file of the checkout, named by a relative path (./deploy.sh, scripts/deploy.sh): the config's own program. */
export const CHECKOUT_PATH = /^(?![/~-])[\w.@+-]*\/[\w./@+-]*$/;

/** $(command -v NAME), `which NAME`, $(type -P NAME) with NAME fixed text: NAME (group 1 or 2) looked up on PATH. */
const LOOKUP = String.raw`(?:\$\(\s*(?:command\s+-v|which|type\s+-[Pp])\s+([\w.+-]+)\s*\)|\`\s*(?:command\s+-v|which|type\s+-[Pp])\s+([\w.+-]+)\s*\`)`;

/** A word of a script read roughly (roughCommands): as written, and its text with quotes and escapes removed. */
interface RoughWord {
  raw: string;
  literal: string;
}

/** The index of the `)` closing the `(` at `open`, skipping quoted text (the text's end without one). */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') i++;
    else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? text.length : close;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return text.length;
}

/** $'…' text decoded as bash does for the escapes a command name could hide behind (\x73, \163, \u0073). */
function ansiC(body: string): string {
  return body.replace(
    /\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|.)/gs,
    (_, e: string) =>
      /^[xuU]/.test(e)
        ? String.fromCodePoint(parseInt(e.slice(1), 16))
        : /^[0-7]/.test(e)
          ? String.fromCharCode(parseInt(e, 8))
          : ((
              {
                n: '\n',
                t: '\t',
                r: '\r',
                a: '\x07',
                b: '\b',
                e: '\x1b',
                E: '\x1b',
                f: '\f',
                v: '\v',
              } as Record<string, string>
            )[e] ?? e),
  );
}

/**
 * The simple commands of a script read roughly, as lists of words (redirections left out): split at newlines and
 * ; & | ( ), a word's literal text with its quotes and backslashes removed (\source, "source", so\urce, $'…' are
 * source), comments skipped; the commands in $(…) and `…` are listed too. A here-document's lines are read as
 * commands, which can only find more of them.
 */
function roughCommands(script: string): RoughWord[][] {
  const commands: RoughWord[][] = [];
  const nested: string[] = [];
  let current: RoughWord[] = [];
  const n = script.length;
  let i = 0;
  const endCommand = () => {
    if (current.length) commands.push(current);
    current = [];
  };
  const substitution = (open: number): string => {
    // $( at open - 1, ( at open; or ` at open.
    if (script[open] === '`') {
      let close = open + 1;
      while (close < n && script[close] !== '`') close += script[close] === '\\' ? 2 : 1;
      nested.push(script.slice(open + 1, close));
      i = Math.min(close + 1, n);
      return script.slice(open, i);
    }
    const close = closingParen(script, open);
    nested.push(script.slice(open + 1, close));
    i = Math.min(close + 1, n);
    return script.slice(open - 1, i);
  };
  const readWord = (): RoughWord => {
    const start = i;
    let literal = '';
    while (i < n) {
      const c = script[i]!;
      if (' \t\n;&|()<>'.includes(c)) break;
      if (c === '\\') {
        if (script[i + 1] !== '\n') literal += script[i + 1] ?? '';
        i += 2;
      } else if (c === "'") {
        const close = script.indexOf("'", i + 1);
        literal += script.slice(i + 1, close < 0 ? n : close);
        i = close < 0 ? n : close + 1;
      } else if (c === '$' && script[i + 1] === "'") {
        let close = i + 2;
        while (close < n && script[close] !== "'") close += script[close] === '\\' ? 2 : 1;
        literal += ansiC(script.slice(i + 2, close));
        i = close + 1;
      } else if (c === '"') {
        i++;
        while (i < n && script[i] !== '"') {
          if (script[i] === '\\' && '"\\$`\n'.includes(script[i + 1] ?? '')) {
            if (script[i + 1] !== '\n') literal += script[i + 1];
            i += 2;
          } else if (script[i] === '$' && script[i + 1] === '(') literal += substitution(i + 1);
          else if (script[i] === '`') literal += substitution(i);
          else literal += script[i++];
        }
        i++;
      } else if (c === '$' && script[i + 1] === '(') literal += substitution(i + 1);
      else if (c === '`') literal += substitution(i);
      else {
        literal += c;
        i++;
      }
    }
    return { raw: script.slice(start, i), literal };
  };
  while (i < n) {
    const c = script[i]!;
    if (c === '\\' && script[i + 1] === '\n') i += 2;
    else if (c === ' ' || c === '\t') i++;
    else if ('\n;&|()'.includes(c)) {
      endCommand();
      i++;
    } else if (c === '#') while (i < n && script[i] !== '\n') i++;
    else if (c === '<' || c === '>') {
      // A redirection: its operator, then its target (no argument of the command).
      while (i < n && '<>&|-'.includes(script[i]!)) i++;
      while (i < n && (script[i] === ' ' || script[i] === '\t')) i++;
      readWord();
    } else {
      const word = readWord();
      // 2>/dev/null: the number of a redirection.
      if (!(/^\d+$/.test(word.raw) && (script[i] === '<' || script[i] === '>'))) current.push(word);
    }
  }
  endCommand();
  for (const inner of nested) commands.push(...roughCommands(inner));
  return commands;
}

/** Words that keep the next one in a command's place. */
const BEFORE_COMMAND = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', 'time', '!', '{', '}']);

/** `eval "$(ssh-agent -s)"`, `eval $(ssh-agent)`, eval `ssh-agent -s`: its one argument, whole. */
const SSH_AGENT_OUTPUT =
  /^(?:"\$\(\s*ssh-agent(?:\s+-[scDa-z]+)*\s*\)"|\$\(\s*ssh-agent(?:\s+-[scDa-z]+)*\s*\)|`\s*ssh-agent(?:\s+-[scDa-z]+)*\s*`)$/;
const AGENT_SETS = new Set(['SSH_AUTH_SOCK', 'SSH_AGENT_PID']);

/**
 * Whether a command of the script may set any variable, `variable` among them: `source FILE`, `. FILE`, `eval`
 * (also written \source, "source", '.', so\urce, builtin "source", A=1 . FILE), or a nameref declared
 * (declare/typeset/local -n, -gn…). `eval "$(ssh-agent -s)"` (what a deploy over ssh starts with) runs what
 * ssh-agent prints, which sets its two variables and nothing else: not for the others, when it is the eval's one
 * argument, whole.
 */
/**
 * Whether the script's text may set `variable` otherwise than by the `count` assignments of fixed text read:
 * read with quotes and backslashes removed (declare "V"=sh, export V\=sh, read \<newline>'V[0]', code in a
 * trap's string): one more assignment-like text of it (V=, V[…]=, V+=, ${V:=…}), an element of it named (printf
 * -vV[0], read V[0]), its name attached to an option (printf -vV, read -aV, wait -pV, compgen -VV), a builtin
 * setting it (read V…), a nameref, an eval or a `.` anywhere in the text; or an IFS that may split its value
 * otherwise than at blanks (IFS=.; V=sh.-c; $V).
 */
/** Variables bash sets itself (bash(1), Shell Variables), whatever the script assigns. */
const SHELL_SET = new Set([
  '_',
  'REPLY',
  'OPTARG',
  'OPTIND',
  'OPTERR',
  'PWD',
  'OLDPWD',
  'MAPFILE',
  'COPROC',
  'PIPESTATUS',
  'LINENO',
  'RANDOM',
  'SRANDOM',
  'SECONDS',
  'EPOCHSECONDS',
  'EPOCHREALTIME',
  'FUNCNAME',
  'GROUPS',
  'PPID',
  'UID',
  'EUID',
  'SHLVL',
  'HOSTNAME',
  'HOSTTYPE',
  'OSTYPE',
  'MACHTYPE',
  'DIRSTACK',
  'COLUMNS',
  'LINES',
  'IFS',
]);

function assignedOtherwise(script: string, variable: string, count: number): boolean {
  const flat = script
    .replace(/\\\n/g, '')
    .replace(/\$(?=['"])/g, '')
    .replace(/['"\\]/g, '');
  const v = variable;
  const assignments =
    [...flat.matchAll(new RegExp(`(?<![\\w$])(?<!\\$\\{[#!]?)${v}(\\[[^\\]]*\\])?\\+?=`, 'g'))].length +
    [...flat.matchAll(new RegExp(`(?<!(?:^|[^\\w$])${v}=)\\$\\{${v}(\\[[^\\]]*\\])?:?=`, 'g'))].length;
  if (assignments > count) return true;
  if (new RegExp(`(?<![\\w$])(?<!\\$\\{[#!]?)${v}\\[`).test(flat)) return true;
  if (new RegExp(`(?<![\\w-])-[A-Za-z]*[apvV]${v}(?!\\w)`).test(flat)) return true;
  if (
    new RegExp(
      `\\b(read|for|select|mapfile|readarray|getopts|printf|unset|wait|compgen)\\b[^;&|\\n]*(?<![\\w$])(?<!\\$\\{[#!]?)${v}\\b`,
    ).test(flat)
  )
    return true;
  if (/\b(declare|typeset|local)\b[^;&|\n]*\s-[A-Za-z]*n/.test(flat)) return true;
  // An attribute changing what an assignment sets: -i (a number), -l, -u (declare -l P; P=SH sets sh).
  if (
    new RegExp(
      `\\b(declare|typeset|local|readonly|export)\\b[^;&|\\n]*\\s-[A-Za-z]*[ilu][^;&|\\n]*(?<![\\w$])${v}(?!\\w)`,
    ).test(flat)
  )
    return true;
  for (const m of flat.matchAll(/(?<![\w-])eval(?![\w-])/g))
    if (!/^\s+(\$\(|`)\s*ssh-agent\b/.test(flat.slice(m.index + 4, m.index + 40))) return true;
  if (/(?:^|[;&|({`]|\btrap|\bthen|\bdo|\belse)[ \t]*source[ \t]+\S/m.test(flat)) return true;
  // . in the code of a trap or a callback (trap '. ./env.sh' DEBUG, mapfile -C '. ./env.sh'); elsewhere, read
  // where it is a command (setsAnyVariable).
  if (/\b(?:trap|mapfile|readarray)\b[^\n]*(?:[;&|({'"]|\btrap)[ \t]*\.[ \t]+[^\s'"]/.test(script))
    return true;
  // IFS: only ever set to nothing or blanks (IFS= read -r line, IFS=$'\n').
  const blank = `(?:""|''|\\$'(?:\\\\[tn]| )*'|"[ \\t\\n]*"|'[ \\t\\n]*')?(?=[\\s;&|)]|$)`;
  const ifs = /(?<![\w$])(?<!\$\{[#!]?)IFS(?!\w)/g;
  // Or any value as a prefix of read, mapfile or readarray, for which alone it holds (IFS=, read -ra a <<< "$l").
  const prefix = `(?:"[^"\\n]*"|'[^'\\n]*'|\\$'[^'\\n]*'|[^\\s;&|()'"]*)[ \\t]+(?:read|mapfile|readarray)(?![\\w-])`;
  const allowed = new RegExp(`^IFS=(?:${blank}|${prefix})`);
  const raw = [...script.matchAll(ifs)];
  if (raw.some((m) => !allowed.test(script.slice(m.index, m.index + 200)))) return true;
  // I\FS=., "IFS"=.: more of it once quotes are removed.
  return [...flat.matchAll(ifs)].length > raw.length;
}

/** The builtins that assign the variables their arguments name. */
const DECLARES = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);

function setsAnyVariable(script: string, variable: string): boolean {
  // r=DOCKER; : ${!r:=sh}: an indirect default assigns the variable r names, any of them.
  if (/\$\{![A-Za-z_]\w*(\[[^\]]*\])?:?=/.test(script)) return true;
  for (const words of roughCommands(script)) {
    let k = 0;
    while (
      k < words.length &&
      (BEFORE_COMMAND.has(words[k]!.literal) ||
        /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/.test(words[k]!.raw) ||
        words[k]!.literal === 'builtin' ||
        words[k]!.literal === 'command' ||
        (k > 0 && /^(builtin|command)$/.test(words[k - 1]!.literal) && words[k]!.literal.startsWith('-')))
    )
      k++;
    const name = words[k]?.literal;
    if (name === 'source' || name === '.') return true;
    // S=source; $S ./env.sh: a program variable set to one of them, run.
    const ref = /^"?\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})"?$/.exec(words[k]?.raw ?? '');
    const held = ref && (ref[1] ?? ref[2])!;
    if (
      held &&
      new RegExp(
        `(^|[^\\w$])${held}=\\\\?["']?(source|\\.|eval|builtin|command|declare|typeset|local)["']?(?=[\\s;&|)]|$)`,
        'm',
      ).test(script)
    )
      return true;
    if (name === 'eval') {
      const args = words.slice(k + 1);
      if (AGENT_SETS.has(variable) || args.length !== 1 || !SSH_AGENT_OUTPUT.test(args[0]!.raw)) return true;
    }
    if (name === 'declare' || name === 'typeset' || name === 'local') {
      for (const word of words.slice(k + 1)) {
        if (!/^[-+]/.test(word.literal)) break;
        if (/^-\w*n/.test(word.literal)) return true;
      }
    }
    // export $(grep -v '^#' .env | xargs), declare "$LINE", readonly `cat f`: a declaration whose name comes
    // from an expansion assigns whatever it expands to, as source does.
    if (name !== undefined && DECLARES.has(name))
      for (const word of words.slice(k + 1)) if (/^[^=]*[$`]/.test(word.raw)) return true;
  }
  return false;
}

/**
 * What a program named by an expansion (`$cmd`, `${cmd}`, `$1`, quotes removed) holds, when it is known: the
 * fixed words every assignment of the script gives the variable (cmd=./deploy.sh), or the fixed word of the
 * call a positional parameter holds (`fixed`). Undefined when it may hold anything else (the environment's,
 * read, for, printf -v, +=, an array, an assignment from an expansion).
 */
export function programLiterals(
  script: string,
  word: string,
  fixed: Readonly<Record<string, string>> | undefined,
  at?: number,
): string[] | undefined {
  const reading = programReading(script, word, fixed, at);
  return Array.isArray(reading) ? reading : undefined;
}

/**
 * Why a program variable every assignment of the script sets to fixed text is not known where it is run (`at`):
 * a clause for expandedProgramWhy, or undefined (known, or not set to fixed text alone).
 */
export function programUnsure(
  script: string,
  word: string,
  fixed: Readonly<Record<string, string>> | undefined,
  at?: number,
): string | undefined {
  const reading = programReading(script, word, fixed, at);
  if (reading === undefined || Array.isArray(reading)) return undefined;
  const spelled = word;
  switch (reading) {
    case 'environment':
      return `every assignment of ${spelled} sets fixed text, but none is sure to hold where it is run: one in a subshell ( … ), $(…), \`…\`, <(…), a pipeline or the background does not hold after it, and one after && or ||, in a branch of if or case, in a loop's body or in a function not called before may not have run, so ${spelled} may hold the environment's value there, or nothing`;
    case 'unknown':
      return `${spelled} may be set where it is run by something other than an assignment of fixed text (let, ((…)), $((…)), read, declare -i, v+=…, \${${spelled.replace(/^\$\{?|\}$/g, '')}:=…} in a here-document)`;
    case 'unread':
      return `the script could not be read, or would take too long to read, to know which assignments of ${spelled} hold where it is run`;
  }
}

/** What a program word holds (programLiterals), or why that is not known after fixed assignments (FlowGap). */
function programReading(
  script: string,
  word: string,
  fixed: Readonly<Record<string, string>> | undefined,
  at: number | undefined,
): string[] | FlowGap | undefined {
  // $(command -v docker), `which docker`: the program of that name, found on PATH as the name itself is.
  const lookup = new RegExp(`^${LOOKUP}$`).exec(word);
  if (lookup) return [(lookup[1] ?? lookup[2])!];
  const ref = /^\$(?:([A-Za-z_]\w*|\d)|\{([A-Za-z_]\w*|\d+)\})$/.exec(word);
  if (!ref) return undefined;
  const variable = (ref[1] ?? ref[2])!;
  const assigned = scriptFacts(script, variable);
  if (assigned === 'positional') return fixed?.[variable] === undefined ? undefined : [fixed[variable]];
  if (assigned === undefined) return undefined;
  return flowValues(script, variable, assigned.reader, at, word, assigned.found);
}

/**
 * Facts of the scripts read last, by variable: a script is asked about each use of each variable in it.
 * `setsAny`: setsAnyVariable's answer for a variable ssh-agent's output sets ([1]) and any other ([0]).
 */
const factsCache = new Map<string, { variables: Map<string, VariableFacts>; setsAny: boolean[] }>();
const FACTS_SCRIPTS = 16;
const FACTS_CHARACTERS_PER_UNIT = 32;

/** The fixed assignments of a program variable (programReading), or why it is not known otherwise. */
type VariableFacts =
  undefined | 'positional' | { reader: AssignmentReader; found: Array<{ at: number; text: string }> };

/**
 * What programReading needs of `script` for `variable` wherever it is run: read once per script and variable
 * (the script's own text keys it, the variable's name within it), not once per use.
 */
function scriptFacts(script: string, variable: string): VariableFacts {
  let facts = factsCache.get(script);
  if (!facts) {
    if (factsCache.size >= FACTS_SCRIPTS) factsCache.clear();
    facts = { variables: new Map(), setsAny: [] };
    factsCache.set(script, facts);
  }
  if (facts.variables.has(variable)) return facts.variables.get(variable);
  // Reading the script's text for one variable (a few regular expressions over it), against the bound on the
  // work (budget.ts): less than reading the script as a shell does, a unit per FACTS_CHARACTERS_PER_UNIT.
  charge(Math.ceil(script.length / FACTS_CHARACTERS_PER_UNIT));
  // A file `source`/`.` runs, an `eval`, or a nameref (declare -n r=KUBECTL; r=sh) may set any variable (and
  // `set --` the parameters), which no reading of the script sees: after KUBECTL=kubectl; source ./env.sh,
  // $KUBECTL may be anything. The same for every variable but those eval "$(ssh-agent -s)" sets.
  const agent = AGENT_SETS.has(variable) ? 1 : 0;
  const setsAny = (facts.setsAny[agent] ??= setsAnyVariable(script, variable));
  const found = setsAny ? undefined : variableFacts(script, variable);
  facts.variables.set(variable, found);
  return found;
}

function variableFacts(script: string, variable: string): VariableFacts {
  // A variable bash sets itself ($_ the last argument, REPLY from read, PWD from cd…): not its assignments' text.
  if (SHELL_SET.has(variable) || /^(BASH|COMP|READLINE)_|^(BASH|BASHOPTS|BASHPID|HISTCMD)$/.test(variable))
    return undefined;
  if (/^\d+$/.test(variable)) return 'positional';
  const setOtherwise = new RegExp(
    `\\b(read|for|select|mapfile|readarray|getopts|printf|unset)\\b[^;&|\\n]*\\b${variable}\\b|(^|[^\\w$])${variable}(\\[[^\\]]*\\])?(\\+=|=\\()|\\$\\{${variable}\\[[^\\]]*\\]:?=`,
  );
  if (setOtherwise.test(script)) return undefined;
  // Fixed text; a default for the environment's value of the variable itself (DOCKER=${DOCKER:-docker}: the job's
  // environment is the workflow's, not a value of a comment); a path after the checkout's or the action's
  // directory (DEPLOY="$GITHUB_WORKSPACE/scripts/deploy.sh"), kept as written.
  const fixedText = `"[^"$\`\\\\]*"|'[^']*'|[^\\s;&|()<>"'$\`\\\\]*`;
  const fallback = `"?\\$\\{${variable}:?[-=]([^{}"'$\`\\\\\\s]*)\\}"?`;
  const underDirectory = `"?(${DIRECTORY_VARIABLE}/[\\w./@+-]*)"?`;
  // DOCKER=$(command -v docker), DOCKER="$(which docker)": the program of that name, as $(command -v docker) is.
  const looked = `"?${LOOKUP}"?`;
  const found = [
    ...script.matchAll(
      new RegExp(
        `(^|[\\s;&|(!{\`])${variable}=(?:${fallback}|${underDirectory}|${looked}|(${fixedText}))(?=[\\s;&|)\`]|$)`,
        'g',
      ),
    ),
    // Fixed text last: it may be empty, before a backquote (DOCKER=`which docker`).
  ].map((m) => ({
    at: m.index + m[1]!.length,
    text: m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6]!.replace(/^(["'])(.*)\1$/, '$2'),
  }));
  // : "${KUBECTL:=kubectl}": an assignment of the word when the variable is unset (or empty), the environment's
  // value otherwise, as KUBECTL=${KUBECTL:-kubectl} is. KUBECTL=${KUBECTL:=kubectl} is the assignment's value, read
  // above. Whether it holds where the program runs is the script's flow's (below).
  const defaults = [
    ...script.matchAll(new RegExp(`(?<!(?:^|[^\\w$])${variable}="?)\\$\\{${variable}:?=`, 'g')),
  ].length;
  found.push(
    ...[
      ...script.matchAll(
        new RegExp(`(?<!(?:^|[^\\w$])${variable}="?)\\$\\{${variable}:?=([^{}"'$\`\\\\\\s]+)\\}`, 'g'),
      ),
    ].map((m) => ({ at: m.index, text: m[1]! })),
  );
  const literals = found.map((f) => f.text);
  // export {DOCKER='sh',X=y}: a brace expansion's word is an assignment too; only ${DOCKER=…} is the default above.
  const assignments =
    [...script.matchAll(new RegExp(`(^|[^\\w$])(?<!\\$\\{)${variable}=`, 'g'))].length + defaults;
  if (literals.length === 0 || literals.length !== assignments) return undefined;
  // Every assignment sets fixed text: which of them hold where the program runs, read along the script's flow
  // (shell-flow.ts): one in a subshell, $(…) or a pipeline does not; one that may not run (after && or ||, in a
  // branch or a loop) leaves the value before it possible too, the environment's among them.
  const reader: AssignmentReader = (raw) => {
    if (new RegExp(`^(?:${fixedText})$`).test(raw))
      return () => fixedValue(raw.replace(/^(["'])(.*)\1$/, '$2'));
    const own = new RegExp(`^"?\\$\\{${variable}(:?)[-=]([^{}"'$\`\\\\\\s]*)\\}"?$`).exec(raw);
    if (own) return (before) => withDefault(before, own[2]!, own[1] === ':');
    const path = new RegExp(`^${underDirectory}$`).exec(raw);
    if (path) return () => fixedValue(path[1]!);
    const lookup = new RegExp(`^${looked}$`).exec(raw);
    if (lookup) return () => fixedValue((lookup[1] ?? lookup[2])!);
    return () => unknownValue;
  };
  if (assignedOtherwise(script, variable, literals.length)) return undefined;
  // Which values hold where the program runs is not the flow's: every fixed text of the text's assignments is
  // read (outside here-documents); the flow says whether the variable may hold something else there.
  return { reader, found };
}

/**
 * Whether a value (a template, a variable written as one) in the words after `program` of a command whose
 * program is now known is where it would choose what runs, be code, or name or start a file (launchers.ts,
 * programs.ts, file-reads.ts, file-writes.ts). Pure.
 */
export function resolvedProblem(words: readonly string[], program: number): boolean {
  const templated = (k: number) => k > program && k < words.length && words[k]!.search(PLACEHOLDER) >= 0;
  const model = commandModel(words);
  addFileWrites(model, words);
  if (model.code.some((operand) => templated(operand.index))) return true;
  if (chosenWords(words).some((chosen) => templated(chosen.index))) return true;
  return [...model.fileReads].some(
    ([index, read]) =>
      templated(index) && [...shellFileClasses(read, words[index]!).values()].some((cls) => cls !== 'safe'),
  );
}

/** A value refused on the line ssh runs: the word of ssh's it is in, its template's name, and why. */
export interface RemoteRouteProblem {
  /** The index of ssh's word the template is written in. */
  word: number;
  name: string;
  /** Why, written for that template's name (or the stand-in of a variable holding it). */
  message: (name: string) => string;
}

/**
 * The same routes on the line ssh runs (`ssh host 'echo {{x}} | xargs rm'`, `ssh host "curl -K - <<< {{x}}"`,
 * `ssh host 'c=curl; $c -d @{{x}}'`), read as the remote host's shell reads it (remote-line.ts): a template in
 * what the line feeds to such a program (a pipe from its other commands, a here-string, a here-document, < <(…))
 * or in the arguments of a program named by an expansion chooses a file of the remote host, and a value that is
 * one plain word is enough (upload-file=/etc/passwd). Readers of code are launchers.ts'. Pure.
 */
export function remoteStdinProblems(words: readonly string[]): RemoteRouteProblem[] {
  const remote = commandModel(words).remote;
  if (!remote) return [];
  const line = words.slice(remote.from, remote.to).join(' ');
  const commands = remoteCommands(words, remote.from, remote.to);
  const problems: RemoteRouteProblem[] = [];
  const where = "the command ssh runs through the remote host's shell";
  // `message`: for the value as written ({{x}}), what follows it (a remote variable it goes through), its word.
  const refuse = (token: RemoteWord, message: (value: string, via: string, word: string) => string) => {
    const via = token.via?.length
      ? ` (through the remote variable ${token.via.map((v) => `$${v}`).join(', ')}, set from it)`
      : '';
    for (const [k, text] of token.parts)
      for (const match of text.matchAll(PLACEHOLDER))
        problems.push({
          word: k,
          name: match[1]!,
          message: (name) =>
            message(`{{${name}}}`, via, words[k]!.replaceAll(`{{${match[1]!}}}`, `{{${name}}}`)),
        });
  };
  commands.forEach((command, position) => {
    const texts = command.words.map((word) => word.text);
    // xargs -a <(…) CMD, parallel -a <(…) CMD, tar -T <(…): what the inside writes is the list the remote
    // program reads, as from a pipe (substitutionFileRoute); where it would be code or name a file, refused.
    texts.forEach((text, k) => {
      const open = text.indexOf('<(');
      if (k === 0 || open < 0 || !text.endsWith(')')) return;
      const sub = substitutionFileRoute(texts, k, text.slice(open), true);
      if (!sub || 'items' in sub) return;
      const tool = 'code' in sub ? (sub.tool ?? 'xargs -a') : undefined;
      refuse(command.words[k]!, (value, via, word) =>
        tool !== undefined
          ? `${value}${via} is inside <(…) in ${where} (${word}), whose lines ${tool} reads as its input, which would make it the program, subcommand or script ${tool.split(' ')[0]} runs on the remote host, or its code: name what runs after ${tool.split(' ')[0]} and let the value be its argument`
          : `${value}${via} is inside <(…) in ${where} (${word}), ${'why' in sub ? sub.why.replaceAll('VALUE', value) : ''}`,
      );
    });
    const { expanded, route } = remoteRoute(command, line);
    if (expanded !== undefined)
      for (const token of command.words.slice(expanded + 1))
        refuse(
          token,
          (value, via, word) =>
            `${value}${via} is an argument of ${texts[expanded]} in ${where} (${word}), ${expandedProgramWhy(value, true)}`,
        );
    if (!route) return;
    const reader = texts[route.at]!;
    // Its here-strings and < <(…); with a pipe or a here-document, any other command of the line may write it.
    const fed = [
      ...command.stdin,
      ...(command.piped || command.heredoc
        ? commands.flatMap((other, index) => (index === position ? [] : [...other.words, ...other.stdin]))
        : []),
    ];
    for (const token of fed)
      refuse(
        token,
        (value, via, word) =>
          `${value}${via} is in what ${where} feeds to ${reader} (${word}), ${route.why.replaceAll('VALUE', value)}`,
      );
  });
  return problems;
}

/**
 * A command of the remote line (remote-line.ts) that gives its arguments to a program named by an expansion
 * (`expanded`, its index), and the route by which what it reads on its standard input would choose a file of
 * the remote host (`route`: the word of its reader and why, VALUE standing for the template). A reader of code
 * (… | sh, bash <<< …) is launchers.ts'. Pure.
 */
function remoteRoute(
  command: RemoteCommand,
  line: string,
): { expanded?: number; route?: { at: number; why: string } } {
  const texts = command.words.map((word) => word.text);
  // c=curl; $c -d @{{x}}: unless every assignment of the line sets it to a fixed relative path whose program
  // the rules find nothing in (cmd=./deploy.sh; $cmd {{x}}), as in a script.
  const expanded = expandedPrograms(texts).find(
    (k) =>
      !programLiterals(line, texts[k]!, undefined)?.every(
        (literal) =>
          CHECKOUT_PATH.test(literal) &&
          !resolvedProblem([...texts.slice(0, k), literal, ...texts.slice(k + 1)], k),
      ),
  );
  const model = commandModel(texts);
  if (model.stdinCode !== undefined) return { expanded };
  const route =
    expanded !== undefined
      ? { at: expanded, why: expandedProgramWhy('VALUE', true) }
      : (xargsInputFile(texts, true) ??
        parallelStdin(texts, true) ??
        stdinConfigReader(model, texts, true) ??
        argFileStdin(texts, true));
  return { expanded, ...(route && route.at >= 0 && { route }) };
}

/**
 * The commands of the line ssh runs (`ssh host 'xargs kubectl delete pod'`) that may read what ssh reads on its
 * standard input (theirs not piped nor redirected on the line): their words, as the remote host's shell reads
 * them. Empty without a remote line. Pure.
 */
export function remoteStdinCommands(words: readonly string[]): string[][] {
  const remote = commandModel(words).remote;
  if (!remote) return [];
  return remoteCommands(words, remote.from, remote.to)
    .filter(
      (command) =>
        !command.piped &&
        !command.heredoc &&
        command.stdin.length === 0 &&
        !command.redirects.some(({ operator }) => /^0?<[^<]*$/.test(operator)),
    )
    .map((command) => command.words.map((word) => word.text));
}

/**
 * What ssh reads on its standard input is the remote command's (`echo {{x}} | ssh host 'xargs rm'`,
 * `ssh host 'curl -K -' <<< {{x}}`): when a command of the remote line that reads it (its standard input not
 * piped nor redirected on the line) is such a reader, the word of ssh and why a value fed to ssh is refused (a
 * clause for stdinCodeMessage, VALUE standing for the template), or undefined. Pure.
 */
export function remoteStdinRoute(words: readonly string[]): { at: number; why: string } | undefined {
  const remote = commandModel(words).remote;
  if (!remote) return undefined;
  const line = words.slice(remote.from, remote.to).join(' ');
  for (const command of remoteCommands(words, remote.from, remote.to)) {
    const redirected = command.redirects.some(({ operator }) => /^0?<[^<]*$/.test(operator));
    if (command.piped || command.heredoc || command.stdin.length > 0 || redirected) continue;
    const { route } = remoteRoute(command, line);
    if (route)
      return {
        at: remote.ssh,
        why: `which the command ssh runs through the remote host's shell gives to ${command.words[route.at]!.text} there, ${route.why}`,
      };
  }
  return undefined;
}
