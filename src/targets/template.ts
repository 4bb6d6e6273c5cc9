// `{{variable}}` templates. Substitution happens inside each argv element after the command has been split,
// so a value is always exactly one argument (or part of one) and is never seen by a shell. Commands with
// `shell: true` are rendered by shell-script.ts instead.
import { TEMPLATE_VARIABLES, type TemplateVariable } from '../config/schema.ts';
import { PLACEHOLDER } from './placeholder.ts';

export { PLACEHOLDER };

export type TemplateValues = Partial<Record<TemplateVariable, string>> & Record<string, string | undefined>;

/** Names used in a template, in order of appearance. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export function isKnownVariable(name: string, extra: readonly string[] = []): boolean {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name) || extra.includes(name);
}

export class TemplateError extends Error {}

/** Substitutes values into one string. A variable with no value is an error, never an empty string. */
export function render(
  template: string,
  values: TemplateValues,
  escape: (v: string) => string = (v) => v,
): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TemplateError(`{{${name}}} has no value here`);
    return escape(value);
  });
}
