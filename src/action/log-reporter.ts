// The Action's job log. Every line has credentials redacted: the runner masks the secrets it knows, but not a
// credential a command prints (a token minted in an earlier step, a URL with a password). A warning of the run
// (a control request not trusted, a state record not stored, a metrics provider's remark, an analysis warning
// check's breach) becomes a warning annotation, shown on the run's page where people look, not only a line among thousands of the log.
import type { Reporter } from '../pipeline/events.ts';
import { terminalReporter } from '../report/terminal.ts';
import { redactDeep } from '../report/redact.ts';
import { plainRedacted } from '../util/plain-text.ts';
import { warningText } from '../pipeline/analysis-warnings.ts';

export interface ActionLog {
  /** Removes credentials from text before it leaves the process. */
  redact(text: string): string;
  /** Writes to the job log (stdout). */
  write(text: string): void;
  /** A warning annotation (core.warning, which escapes the text for the workflow command). */
  annotate(message: string): void;
}

export function actionLogReporter(log: ActionLog): Reporter {
  const terminal = terminalReporter({ color: false, write: (text) => log.write(log.redact(text)) });
  return {
    event(event) {
      if (event.type === 'log' && event.level === 'warn') log.annotate(log.redact(event.message));
      // A warning check's breach: an annotation too, its names and reason (people's words) made one inert line.
      else if (event.type === 'analysis-warning')
        log.annotate(plainRedacted(warningText(event.record), log.redact));
      // Redacted before the terminal makes its texts plain (a secret holding `##[` is another text after) and
      // its lines after (a secret split by an invisible character the terminal dropped).
      else terminal.event(redactDeep(event, log.redact));
    },
  };
}
