// `--json`: one JSON object per line, each with a `type`; the last line is `{"type":"result",...}`.
import type { PipelineEvent, Reporter } from '../pipeline/events.ts';

export function jsonLinesReporter(write: (text: string) => void = (t) => process.stdout.write(t)): Reporter {
  return {
    event(e: PipelineEvent) {
      write(`${JSON.stringify({ ...e, at: new Date().toISOString() })}\n`);
    },
  };
}
