// `--json`: one JSON object per line, each with a `type`; the last line is `{"type":"result",...}`.
import type { PipelineEvent, Reporter } from '../pipeline/events.ts';

export function jsonLinesReporter(write: (text: string) => void = (t) => process.stdout.write(t)): Reporter {
  return {
    event(e: PipelineEvent) {
      // JSON keeps a line break inside a string escaped; the old workflow command form `##[name]`, which a
      // runner finds anywhere in a line, can only be inside a string, where `[` written as \u005b is the same.
      write(`${JSON.stringify({ ...e, at: new Date().toISOString() }).replaceAll('##[', '##\\u005b')}\n`);
    },
  };
}
