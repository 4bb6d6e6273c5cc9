// The one rule for a word that reads as an option, shared by the command line (src/cli/usage.ts) and the App's
// comment commands (app/commands/parse.ts), so `--reason "-5% conversion"` means the same in both.

/**
 * A value that reads as an option: "-" or "--" and a letter (`--json`, `-e`, `--output=FILE`), or a dash
 * alone. Free text that starts with a dash and something else (`--reason "-5% conversion"`) is a value.
 */
export function readsAsOption(word: string): boolean {
  return /^(?:--?[A-Za-z]|--?$)/.test(word);
}
