// The `{{name}}` pattern alone, with no imports: the Action's input check (a tag template) uses it at start,
// before the config schema that template.ts needs is loaded.
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Variables whose value is always a name the config itself lists: the environment deployed to (the commands
 * and comments that pick one can pick only a configured one), the slot a new version goes to (one of the
 * environment's configured slots, or the fresh baseline's), the strategy. A value of one of these choosing a
 * file or program (kubectl apply -f k8s/{{environment}}/, helm -f values-{{environment}}.yaml,
 * ./deploy-{{slot}}.sh: the seeds' own forms) chooses among what the config's author named, so the rule
 * that refuses a template there whatever its value (launchers.ts, chosen words) does not apply to them. Not
 * stable_slot: the target's `current` command says which slot is live, in any words it prints.
 */
export const CONFIG_CHOSEN_VARIABLES: ReadonlySet<string> = new Set([
  'environment',
  'slot',
  'baseline_slot',
  'strategy',
]);

/**
 * The kinds of chosen word (launchers.ts ChosenKind) a CONFIG_CHOSEN_VARIABLES value may be in: those that
 * pick the program, script, target, directory or file that runs or is applied. Not the rest (what a container
 * mounts and may do, the engine or cluster a tool talks to and who it acts as, where credentials go, a
 * package, code): those rules hold whatever the value, a name the config lists too (--network {{environment}}
 * with an environment named host). Strings, so this file keeps no imports.
 */
export const CONFIG_CHOSEN_KINDS: ReadonlySet<string> = new Set([
  'program',
  'subcommand',
  'script',
  'target',
  'project',
  'deployed',
  'configuration',
  'playbook',
  'build',
  'directory',
  'remote-program',
]);
