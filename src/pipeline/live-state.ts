// What is live before the deployment: the target's `current` command when configured (the infrastructure
// is the source of truth), else the state file written by the previous run.
import type { ResolvedEnvironment } from '../config/resolve.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import { runCommand, type OutputLine } from '../targets/run-command.ts';
import type { StateStore } from './state.ts';

export function parseCurrentOutput(stdout: string): LiveState {
  const text = stdout.trim();
  if (text === '') return {};
  // Scripts often log before answering: the answer is the whole output, or else its last line.
  const answer = isJson(text)
    ? text
    : text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .at(-1)!;
  if (answer.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer);
    } catch {
      throw new Error(`the current command printed invalid JSON: ${answer.slice(0, 200)}`);
    }
    const { slot, version } = parsed as { slot?: unknown; version?: unknown };
    return {
      slot: typeof slot === 'string' && slot ? slot : undefined,
      version: typeof version === 'string' && version ? version : undefined,
    };
  }
  const word = answer.split(/\s+/)[0]!;
  return { slot: word };
}

export async function readLiveState(
  env: ResolvedEnvironment,
  store: StateStore,
  options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void },
): Promise<LiveState> {
  const saved = store.get(env.name);
  if (env.target.current) {
    const result = await runCommand(
      env.target.current,
      { environment: env.name, strategy: env.strategy.type, ...env.variables },
      { signal: options.signal, label: 'current' },
    );
    const live = parseCurrentOutput(result.stdout);
    return {
      slot: live.slot,
      version: live.version ?? (live.slot === saved?.slot ? saved?.version : undefined),
    };
  }
  return saved ? { slot: saved.slot, version: saved.version } : {};
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
