// What a value in a field of a nomad job spec (HCL, read by hcl-fields.ts, or JSON) chooses, past the fields a
// container manifest shares with it (json-arguments.ts jsonFieldMessage: command, entrypoint, an image, an
// environment variable that loads code). A task's driver settings, its driver and user, what it downloads, the
// files its templates read and write, the host volumes it mounts and the identity it gets choose what runs and
// with what rights, whatever the value's characters. Pure.
import type { JsonField } from './json-arguments.ts';
import { isCodeVariable } from './programs.ts';

/** Blocks (HCL) and keys (JSON, plural) all of whose fields choose what runs or who acts, with why. */
const CODE_BLOCKS: ReadonlyMap<string, string> = new Map([
  ['artifact', 'what the task downloads into its directory (code it may run) and from where'],
  ['artifacts', 'what the task downloads into its directory (code it may run) and from where'],
  ['vault', "the Vault policies and role the task's token gets (who acts, and which secrets it reads)"],
  ['identity', 'the workload identity the task is given (who acts)'],
  ['consul', 'the Consul namespace, cluster and token the task uses (who acts)'],
]);

/** Fields of a task or a script check naming what runs or as whom, wherever they are. */
const CODE_KEYS: ReadonlyMap<string, string> = new Map([
  ['driver', 'the driver that runs the task (raw_exec runs a command on the host, unisolated)'],
  ['user', 'the user the task runs as'],
  ['args', 'the arguments of the command the task or a script check runs (sh -c code)'],
  ['command', 'the command the task or a script check runs'],
]);

/** A template's fields (source, destination, env…) other than its data: the files it reads and writes. */
const TEMPLATE_DATA = new Set(['data', 'embeddedtmpl']);

/**
 * Why a template in a template's data is refused when its data is the task's variables (HCL's `env = true`; a
 * JSON job's EmbeddedTmpl, whose Envvars is not seen here, alike): read as an env file, each line NAME=VALUE, a
 * value in a line's name (or in a line holding no "=": the value brings its own NAME=) chooses the variable, and
 * one after a fixed name that loads code (LD_PRELOAD=, NODE_OPTIONS=) chooses the code the task runs.
 */
function envDataWhy(name: string, field: JsonField): string | undefined {
  const env = field.siblings === undefined ? 'true' : field.siblings.env;
  if (env === undefined || env === 'false' || field.text === undefined) return undefined;
  const spot = `{{${name}}}`;
  for (const line of field.text.split(/\n|\\n/)) {
    const at = line.indexOf(spot);
    if (at < 0) continue;
    const entry = line.replace(/^\s*export\s+/, '');
    const eq = entry.indexOf('=');
    if (eq < 0 || entry.indexOf(spot) < eq)
      return "the name of a variable the task gets (env = true, a JSON job's Envvars, reads the template's data as NAME=VALUE lines: LD_PRELOAD, PATH, NODE_OPTIONS would choose the code it runs)";
    const variable = entry.slice(0, eq).trim();
    if (isCodeVariable(variable))
      return `the value of ${variable}, a variable the task gets (env = true, a JSON job's Envvars, reads the template's data as NAME=VALUE lines), which programs read to load code or to choose the programs they run`;
  }
  return undefined;
}

/**
 * Why a template in a field of a job spec `where` is refused when the config loads, past jsonFieldMessage's
 * rules, or undefined. A task's `config` block is its driver's (the command, the image, mounts, privileges,
 * networking): a value there is refused but for an image, whose tag the image rule checks.
 */
export function nomadFieldMessage(name: string, field: JsonField, where: string): string | undefined {
  const path = field.path.map((p) => p.toLowerCase());
  const key = field.key.toLowerCase();
  const why =
    CODE_KEYS.get(key) ??
    CODE_BLOCKS.get(path.find((p) => CODE_BLOCKS.has(p)) ?? '') ??
    (path.includes('config') && key !== 'image'
      ? "the settings of the task's driver: what it runs, its mounts, privileges and network"
      : undefined) ??
    ((path.includes('template') || path.includes('templates')) && !TEMPLATE_DATA.has(key)
      ? 'the file a template reads or writes, or whether it sets the variables of the task'
      : undefined) ??
    ((path.includes('template') || path.includes('templates')) && TEMPLATE_DATA.has(key)
      ? envDataWhy(name, field)
      : undefined) ??
    ((path.includes('volume') || path.includes('volumes')) && key === 'source'
      ? 'the host or CSI volume the group mounts'
      : undefined);
  if (why === undefined) return undefined;
  return `{{${name}}} is in the "${field.key}" field (${field.path.join(' > ')}) of ${where}, which chooses ${why}: a value there chooses what runs or with what rights even inside its string, which no check of the value can make safe; write that field in the config, and pass the value as data (an "env" or "meta" value, an image's tag)`;
}
