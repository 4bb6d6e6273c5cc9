// What is live where, between runs: a small JSON file (the target's `current` command, when configured,
// is the source of truth instead). Written atomically (temp file + rename) so a killed run never leaves a
// half-written file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface EnvironmentState {
  version: string;
  previousVersion?: string;
  sha?: string;
  slot?: string;
  deployedAt: string;
  /** A slot kept after the deployment as the instant rollback target. */
  retired?: { slot: string; version?: string; until: string };
}

export interface StateFile {
  schema: 1;
  environments: Record<string, EnvironmentState>;
}

export class StateStore {
  readonly path: string;
  constructor(stateDir: string) {
    this.path = join(stateDir, 'state.json');
  }

  read(): StateFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schema: 1, environments: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as StateFile;
      if (parsed.schema !== 1 || typeof parsed.environments !== 'object') throw new Error('unexpected shape');
      return parsed;
    } catch (error) {
      throw new Error(
        `${this.path} is not a deploy-action state file (${(error as Error).message}); move it away to start fresh`,
      );
    }
  }

  get(environment: string): EnvironmentState | undefined {
    return this.read().environments[environment];
  }

  set(environment: string, state: EnvironmentState): void {
    const file = this.read();
    file.environments[environment] = state;
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(temp, this.path);
  }
}
