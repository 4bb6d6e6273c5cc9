// Config texts for the loader's tests: parse one and read its located errors, or assert it is accepted.
import assert from 'node:assert/strict';
import { formatConfigError } from '../../src/config/errors.ts';
import { parseConfig } from '../../src/config/load.ts';

/** The formatted errors of a config text that must be refused. */
export function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

/** Asserts that a config text is accepted, showing its errors when it is not. */
export function accepts(text: string): void {
  const result = parseConfig(text, 'deploy.yml');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
}

/** A target whose commands use the placeholders every strategy needs. */
export const TARGET = `target:
  commands:
    deploy: ./deploy.sh {{version}}
    switch: ./switch.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
`;
