// Programs that run what they read on standard input as code, beyond the shells and interpreters programs.ts
// knows: `script` without -c and `su` without -c (a shell reads the input), `sudo -s`/`-i`, `newgrp`, `chroot DIR`,
// `nsenter`/`unshare` with no command (each starts a shell), debuggers and editors whose commands run programs
// (gdb, ed, ex, vim -es, dc's "!"), m4 (syscmd), sqlite3 (.shell), a script file that is the input itself
// (`sh /dev/stdin`, `awk -f -`, `make -f -`, `deno run -`), and a Dockerfile read on standard input
// (`docker build -`), whose RUN lines run, and a patch (`patch FILE`, `git apply`, `git am` with no patch
// named), which rewrites the checkout's files, the scripts later steps run among them. (`kubectl apply -f -` is left out: `helm template … --set v={{x}} |
// kubectl apply -f -` is the usual way to apply a chart; the value in --set is checked once rendered, helm-values.ts.)
// A template piped, here-stringed or here-documented into one is refused (shell-script.ts). Pure.
import type { CommandModel, Parser } from './programs.ts';

/** File names that are the standard input. */
export const STDIN_FILES = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** The words after `at` that are not options, nor the value of one of `values`. */
function operands(words: readonly string[], at: number, values: readonly string[]): number[] {
  const found: number[] = [];
  let options = true;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (options && word === '--') {
      options = false;
      continue;
    }
    if (options && word.startsWith('-') && word.length > 1) {
      // -u app, and -iu app: a cluster of flags whose last letter takes the next word.
      if (values.includes(word) || (/^-[A-Za-z]+$/.test(word) && values.includes(`-${word.at(-1)!}`))) j++;
      continue;
    }
    found.push(j);
  }
  return found;
}

const reads = (at: number, model: CommandModel) => {
  model.stdinCode ??= at;
};

/** A parser for a program that may read code on standard input, or undefined. */
export function stdinReaderParser(name: string): Parser | undefined {
  switch (name) {
    case 'newgrp':
    case 'dc':
    case 'ed':
    case 'ex':
    case 'sqlite3':
    case 'tclsh':
    case 'wish':
    case 'irb':
    case 'julia':
    case 'ghci':
      // They read their commands (or code) on standard input unless given a script; sqlite3's SQL operand runs
      // too, and its input's .shell lines run.
      return (words, at, model) => {
        const rest = operands(words, at, ['-cmd', '-init', '-separator', '-nullvalue']);
        // ed, ex and newgrp read their commands on standard input whatever the operands (the file edited, the group).
        const always = name === 'ed' || name === 'ex' || name === 'newgrp';
        if (name === 'sqlite3' ? rest.length < 2 : rest.length === 0 || always) reads(at, model);
      };
    case 'm4':
      return (words, at, model) => {
        const rest = operands(words, at, ['-D', '-U', '-I', '-o', '-d', '-l', '-s', '-F', '-R', '-L']);
        if (rest.length === 0 || rest.some((j) => STDIN_FILES.has(words[j]!))) reads(at, model);
      };
    case 'gdb':
      return (words, at, model) => {
        if (!words.slice(at + 1).some((w) => w === '-batch' || w === '--batch')) reads(at, model);
      };
    case 'vim':
    case 'vi':
    case 'nvim':
      return (words, at, model) => {
        // -e/-es/-E: Ex mode, commands from standard input (with -s, silently).
        if (words.slice(at + 1).some((w) => /^-[a-zA-Z]*[eE]/.test(w) && !w.startsWith('--')))
          reads(at, model);
      };
    case 'sudo':
      return (words, at, model) => {
        const flags = words
          .slice(at + 1)
          .filter((w) => /^-[a-zA-Z]+$/.test(w) || /^--(shell|login)$/.test(w));
        const shell = flags.some((w) => /^--(shell|login)$/.test(w) || /[si]/.test(w.slice(1)));
        const values = [
          '-u',
          '-g',
          '-C',
          '-D',
          '-h',
          '-p',
          '-r',
          '-t',
          '-T',
          '-U',
          '-R',
          '--user',
          '--group',
        ];
        const rest = operands(words, at, values).filter((j) => !/^[A-Za-z_]\w*=/.test(words[j]!));
        if (shell && rest.length === 0) reads(at, model);
      };
    case 'chroot':
      return (words, at, model) => {
        if (operands(words, at, ['--userspec', '--groups']).length <= 1) reads(at, model);
      };
    case 'nsenter':
    case 'unshare':
      return (words, at, model) => {
        const values = ['-t', '--target', '-S', '--setuid', '-G', '--setgid', '-r', '--root', '-w', '--wd'];
        if (operands(words, at, [...values, '--propagation']).length === 0) reads(at, model);
      };
    case 'deno':
    case 'bun':
      return (words, at, model) => {
        const run = words.indexOf('run', at + 1);
        if (run > 0 && words.slice(run + 1).find((w) => !w.startsWith('-') || w === '-') === '-')
          reads(at, model);
      };
    case 'patch':
      // patch reads the patch on standard input unless -i/--input (or a second operand) names it: a patch from the
      // value rewrites the checkout's files, the scripts later steps run among them.
      return (words, at, model) => {
        const values = ['-B', '-d', '-D', '-F', '-i', '-o', '-p', '-r', '-V', '-Y', '-z', '-g'];
        const rest = operands(words, at, [...values, '--input', '--directory', '--output', '--strip']);
        const input = words.slice(at + 1).findIndex((w) => w === '-i' || w === '--input');
        const glued = words.slice(at + 1).find((w) => /^(-i.|--input=)/.test(w));
        const named = input >= 0 ? words[at + 2 + input] : glued?.replace(/^(-i|--input=)/, '');
        const patchFile = named ?? (rest[1] === undefined ? undefined : words[rest[1]]);
        if (patchFile === undefined || STDIN_FILES.has(patchFile)) reads(at, model);
      };
    case 'git':
      // git apply and git am read the patch (a mailbox) on standard input when no file is named, or "-".
      return (words, at, model) => {
        let j = at + 1;
        while (j < words.length && words[j]!.startsWith('-')) j += /^-[Cc]$/.test(words[j]!) ? 2 : 1;
        if (words[j] !== 'apply' && words[j] !== 'am') return;
        const values = [
          '--exclude',
          '--include',
          '--directory',
          '--whitespace',
          '--patch-format',
          '--resolvemsg',
        ];
        const rest = operands(words, j, values);
        if (rest.length === 0 || rest.some((k) => STDIN_FILES.has(words[k]!))) reads(at, model);
      };
    case 'docker':
    case 'podman':
      // docker build -: a Dockerfile whose RUN lines run; docker build -f - DIR too.
      return (words, at, model) => {
        const build = words.findIndex((w, j) => j > at && (w === 'build' || w === 'buildx'));
        if (build < 0) return;
        const rest = words.slice(build + 1);
        if (rest.includes('-') || rest.some((w, j) => (w === '-f' || w === '--file') && rest[j + 1] === '-'))
          reads(at, model);
      };
  }
  return undefined;
}
