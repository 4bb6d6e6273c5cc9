// The GateContext a gate test runs a gate with: no base ref, no changed lines, a signal nobody aborts, no log
// and no environment, unless the test says otherwise. One definition instead of a local copy in each test file.
import type { ChangedFile, GateContext } from '../../src/gates/types.ts';

export interface GateContextOptions {
  /** The changed files the gate is told of (`changedFiles` wins when both are given). */
  changed?: ChangedFile[];
  changedFiles?: GateContext['changedFiles'];
  baseRef?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export function gateContext(cwd: string, options: GateContextOptions = {}): GateContext {
  const changed = options.changed ?? [];
  return {
    cwd,
    ...(options.baseRef !== undefined ? { baseRef: options.baseRef } : {}),
    changedFiles: options.changedFiles ?? (async () => changed),
    signal: options.signal ?? new AbortController().signal,
    log: () => {},
    env: options.env ?? {},
  };
}
