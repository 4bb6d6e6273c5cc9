// What the CLI shows of a run (run, reconcile, promote/resume/abort going on, a scheduled run): the terminal
// report or JSON lines, with credentials a command printed (a database URL's password, a token by its shape)
// redacted from every event first, as the Action's log has them. The values of the secrets the config names
// are masked where the CLI writes (main.ts maskingIo).
import type { Reporter } from '../pipeline/events.ts';
import { jsonLinesReporter } from '../report/json-lines.ts';
import { redactingReporter } from '../report/redact.ts';
import { terminalReporter } from '../report/terminal.ts';

export function cliRunReporter(json: boolean | undefined, out: (text: string) => void): Reporter {
  return redactingReporter(json ? jsonLinesReporter(out) : terminalReporter({ write: out, controls: 'cli' }));
}
