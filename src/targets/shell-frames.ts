// The lexer's model of a shell script (shell-reading.ts): the frames it is inside, the words and simple commands
// it reads, the here-documents still to read, and the word lists of the grammar it goes by. Types and constants
// only, apart from the reading itself.
import { PLACEHOLDER } from './template.ts';
import type { CommandModel } from './programs.ts';
import type { XargsItems } from './launchers.ts';

export const PLACEHOLDER_AT = new RegExp(PLACEHOLDER.source, 'y');
/**
 * An expansion of a variable not known here ($NAME, ${…} with no template in it, $1, $@…): it may expand to
 * nothing, so what follows it may start its word.
 */
export const MAYBE_EMPTY = String.raw`\$(?:[A-Za-z_]\w*|\{[^{}]*\}|[0-9@*#?$!-])`;
/** Raw text before a template that leaves it the start of its word: quotes, and expansions that may be empty. */
export const STARTS_AFTER = new RegExp(`^(?:['"]|${MAYBE_EMPTY})*$`);
/** The same before a reference: also the start of a default (`${V:-$v}`, `${V:+$v}`), which may expand to it. */
export const REF_STARTS_AFTER = new RegExp(String.raw`^(?:['"]|${MAYBE_EMPTY})*(?:\$\{\w+:?[-=+])?$`);
/** A word as its program reads it (quotes removed) that a template starts, or follows such expansions only. */
export const TEMPLATE_STARTS = new RegExp(String.raw`^(?:${MAYBE_EMPTY})*(?:\$\{\w+:?[-=+])?\{\{`);
export const OPERATOR_CHARS = ';&|<>()';
// Reserved words after which the next word is again a command (so `case`/`esac` there are keywords).
export const KEEPS_COMMAND_POSITION = new Set([
  'then',
  'do',
  'else',
  'elif',
  'if',
  'while',
  'until',
  '!',
  '{',
  '}',
]);
// Reserved words that open and close a compound command, whose commands' output is piped as one (`{ …; } | sh`).
export const COMPOUND_OPENERS = new Set(['{', 'if', 'for', 'while', 'until', 'select', 'case']);
export const COMPOUND_CLOSERS = new Set(['}', 'fi', 'done', 'esac']);
// Builtins whose NAME=VALUE arguments are assignments: a $(…) there is not split into words.
export const DECLARATIONS = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);
export const ASSIGNMENT = /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/;
/** Programs that run the command after them in their own environment (env without -i): an inline shell there gets it. */
export const KEEPS_ENVIRONMENT = new Set(
  [
    'nohup',
    'timeout',
    'nice',
    'ionice',
    'setsid',
    'stdbuf',
    'time',
    'xargs',
    'exec',
    'command',
    'builtin',
  ].concat(['env', 'flock', 'chronic', 'unbuffer']),
);
export const newScriptFrame = (closer: ')' | undefined, sub?: OpenSubstitution): Frame => ({
  kind: 'script',
  closer,
  ...(sub && { sub }),
  commands: [],
  parens: 0,
  cases: 0,
  commandPosition: true,
  command: { words: [] },
  wordStart: -1,
  nextRole: 'arg',
  levels: [{ commands: [], fed: false }],
  pipedIn: false,
});

/** A word of a simple command: its span in the script, and whether a redirection or here-string takes it. */
export interface Word {
  start: number;
  end: number;
  role: 'arg' | 'redirect' | 'herestring';
}

/**
 * A command substitution ($(…): its output becomes words of the command) or a process substitution (<(…), >(…):
 * a file name in the command, whose contents the inside writes, or reads).
 */
interface OpenSubstitution {
  kind: '$' | '<' | '>';
  /** Offset of its "$", "<" or ">". */
  start: number;
  /** Inside "…": its output is one word, not split into words and expanded as a glob. */
  quoted: boolean;
}
export interface Substitution extends OpenSubstitution {
  /** Offset after its ")". */
  end: number;
  /** The program inside that reads its standard input as code (>(sh)), if any. */
  reader?: string;
  /** Why what that program reads takes no value, when not as code (its stdinWhy). */
  readerWhy?: string;
}

/** The simple command being read in a script frame (its words), and the model made of it once it ends. */
export interface SimpleCommand {
  words: Word[];
  /** Substitutions in its words. */
  subs?: Substitution[];
  model?: CommandModel;
  /** The words the model is of (assignments and reserved words before the program left out). */
  args?: Word[];
  /** The assignments before the program (v={{x}} bash -c '…'), which set its environment. */
  prefix?: Word[];
  /** The program its output is piped into, when that program reads its standard input as code. */
  pipedIntoCode?: string;
  /** The command its output is piped into. */
  pipedInto?: SimpleCommand;
  /** The file of GitHub's its output is written to ($GITHUB_ENV…), when it is one (githubFileProblem). */
  githubFile?: string;
  /** What xargs reads lands in these words, checked once rendered (xargsDirectChecks). */
  xargsChecks?: NonNullable<XargsItems['checks']>;
  /**
   * Why a value in its standard input is refused, when it reads that input as something other than code (what
   * xargs puts where a file is named, a config curl reads): the clause after "fed to PROGRAM, ".
   */
  stdinWhy?: string;
  /**
   * A compound command's closer (`}`, `done`, `fi`, `esac`) whose standard input a command inside reads as code
   * (`{ sh; } <<EOF`): that command's program, named in place of the closer.
   */
  compoundReader?: string;
  /**
   * A compound command's closer, or a subshell's redirections: the commands inside it, which read its standard
   * input (`{ kubectl apply -f -; } <<EOF` reads the here-document as a manifest).
   */
  inside?: SimpleCommand[];
}

export type Frame =
  | {
      kind: 'script';
      closer: ')' | undefined;
      /** What the frame is the inside of, when it is a substitution. */
      sub?: OpenSubstitution;
      /** Every simple command read in it so far. */
      commands: SimpleCommand[];
      parens: number;
      cases: number;
      commandPosition: boolean;
      command: SimpleCommand;
      wordStart: number;
      nextRole: Word['role'];
      /**
       * The script, then each compound command open in it (( … ), { … }, if, for, while, until, select, case):
       * the commands of its current pipeline so far (those inside its compound commands too), whose output may
       * reach a later command's standard input, and whether the compound's own standard input is a pipe.
       */
      levels: Array<{ commands: SimpleCommand[]; fed: boolean }>;
      /** Whether the next command's standard input is a pipe. */
      pipedIn: boolean;
      /**
       * A subshell ( … ) just closed: the commands inside it, for its redirections (`(bash) <<EOF`), which the
       * next command holds; cleared when that command ends.
       */
      closedSubshell?: SimpleCommand[];
      /** Inside the ( … ) of an array assignment (a=(x y), declare -a a=(…)): one word, to its ")". */
      array?: boolean;
    }
  | { kind: 'double' }
  | { kind: 'param'; braces: number }
  | { kind: 'arith'; closer: '))' | ']'; depth: number; start: number; where: string }
  | { kind: 'backtick' };

export interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  /** The command whose standard input it is. */
  command: SimpleCommand;
}
