// A config's warnings (config/warnings.ts) in the Action: one GitHub warning annotation each, on the config
// file's line, so a pull request that makes a window shorter than its interval shows it where it is written.
import * as core from '@actions/core';
import type { ConfigError } from '../config/errors.ts';

export function annotateConfigWarnings(
  warnings: readonly ConfigError[],
  warn: (message: string, properties: core.AnnotationProperties) => void = core.warning,
): void {
  for (const w of warnings)
    warn(`${w.path ? `${w.path}: ` : ''}${w.message}`, {
      title: 'deploy-action config',
      file: w.file,
      ...(w.line > 0 ? { startLine: w.line, startColumn: w.column } : {}),
    });
}
