// A {{variable}} written where nothing fills it in. Only a command itself (its line or argv), health and
// smoke checks, analysis queries, hooks and notification templates are templates; these are used as written:
// - an environment's variables: a value is put into a command as it is, so `image: "app:{{version}}"` gave
//   the command the text app:{{version}};
// - a command's cwd and env (the target's defaults, a command's own, an analysis command's);
// - the environment's url (its link on the Deployments page) and state_dir;
// - every field of a gates section: the gates run before any version, slot or weight exists, and
//   `run: ./on-call.sh {{environment}}` ran the check with the text "{{environment}}".
// Each was taken without a word. Only names that are variables (the built-in ones and the environments' own)
// count: other brace syntax (a Go template's {{.Names}}, a variable's own {{ }} for a tool) is left alone. Pure.
import { placeholders } from '../targets/template.ts';
import { TEMPLATE_VARIABLES, type RawConfig } from './schema.ts';
import type { SemanticIssue } from './semantics.ts';

type Path = (string | number)[];

const WHY = {
  variables: "a variable's value is put into a command as it is; write the template in the command itself",
  command: "a command's cwd and env are used as written (only the command itself is a template)",
  url: "the environment's url (its link on GitHub) is used as written",
  stateDir: 'state_dir is used as written',
  gates:
    "a gates section's commands, files and globs are used as written (the gates run before anything is deployed)",
};

export function untemplatedFieldIssues(config: RawConfig): SemanticIssue[] {
  const variables = new Set<string>([
    ...TEMPLATE_VARIABLES,
    ...Object.values(config.environments).flatMap((env) => Object.keys(env.variables ?? {})),
  ]);
  const issues: SemanticIssue[] = [];
  const check = (text: string, path: Path, why: string) => {
    const named = [...new Set(placeholders(text))].filter((name) => variables.has(name));
    if (named.length === 0) return;
    const list = named.map((name) => `{{${name}}}`).join(', ');
    issues.push({
      path,
      message: `${list} ${named.length === 1 ? 'is' : 'are'} not filled in here: ${why}`,
    });
  };
  // Every string below `value`, each with its path.
  const strings = (value: unknown, path: Path, why: string) => {
    if (typeof value === 'string') check(value, path, why);
    else if (Array.isArray(value)) value.forEach((item, index) => strings(item, [...path, index], why));
    else if (value && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) strings(item, [...path, key], why);
  };
  // Every command's cwd and env, wherever a command is (gates and variables are checked whole).
  const commands = (value: unknown, path: Path) => {
    if (Array.isArray(value)) value.forEach((item, index) => commands(item, [...path, index]));
    else if (value && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) {
        if (key === 'gates' || key === 'variables') continue;
        if (key === 'cwd' || key === 'env') strings(item, [...path, key], WHY.command);
        else commands(item, [...path, key]);
      }
  };
  if (config.state_dir) check(config.state_dir, ['state_dir'], WHY.stateDir);
  strings(config.gates, ['gates'], WHY.gates);
  commands(config, []);
  for (const [name, env] of Object.entries(config.environments)) {
    const at: Path = ['environments', name];
    if (env.url) check(env.url, [...at, 'url'], WHY.url);
    strings(env.gates, [...at, 'gates'], WHY.gates);
    strings(env.variables, [...at, 'variables'], WHY.variables);
  }
  return issues;
}
