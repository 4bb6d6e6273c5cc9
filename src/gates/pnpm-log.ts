// pnpm's log lines (" WARN  Request took 11414ms: <url>", an .npmrc whose ${VAR} it could not replace), which
// it writes to standard output before the JSON its `--format json` / `--json` commands print (pnpm/pnpm#10200).

const PNPM_LOG_LINES = /^(?:[ \t]*(?:WARN|INFO)[ \t][^\n]*\n)+(?=\s*[{[])/;

/**
 * Pure: `text` without the pnpm log lines in front of its JSON. Only in front of a JSON value: without one,
 * the lines are all there is and say what went wrong.
 */
export function withoutPnpmLogLines(text: string): string {
  return text.replace(PNPM_LOG_LINES, '');
}
