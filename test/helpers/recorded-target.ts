// The command target used across tests and benches: every command is test/helpers/record-target.pl, which
// appends {action, args} to a log. `targetYaml` is the config's `target:` block; `calls()` reads the log
// back as "action arg arg" lines (none when nothing ran).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.ts';

/** The recorder's command line up to its log: `[...recorder, log, action, ...args]` is one call. */
export const recorder: readonly string[] = ['perl', join(repoRoot, 'test/helpers/record-target.pl')];

export interface RecordedTarget {
  log: string;
  targetYaml: string;
  calls(): string[];
  /** The calls after the first `since` (default: all) but the `current` reads: what acted on the target. */
  actingCalls(since?: number): string[];
}

export function recordedTarget(dir: string): RecordedTarget {
  const log = join(dir, 'calls.log');
  const call = (action: string, ...args: string[]) => JSON.stringify([...recorder, log, action, ...args]);
  // Complete lines only: a test polling the log while a command writes its line must not read half of it.
  const calls = (): string[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .slice(0, -1)
          .map((line) => {
            const { action, args } = JSON.parse(line) as { action: string; args: string[] };
            return [action, ...args].join(' ');
          })
      : [];
  return {
    log,
    targetYaml: `target:
  commands:
    deploy: ${call('deploy', '{{slot}}', '{{version}}')}
    set_weight: ${call('set_weight', '{{slot}}', '{{weight}}')}
    switch: ${call('switch', '{{slot}}')}
    health: ${call('health', '{{slot}}')}
    teardown: ${call('teardown', '{{slot}}')}
    current: ${call('current')}
`,
    calls,
    actingCalls: (since = 0) =>
      calls()
        .slice(since)
        .filter((c) => c !== 'current'),
  };
}
