// An argument written as JSON (`aws ecs register-task-definition --container-definitions '[{"image":
// "app:{{v}}"}]'`, `curl -d '{"version":"{{v}}"}'`, `argocd app patch --patch '{…}'`) is read by its program as
// structure: a value `x","command":["sh","-c","…"]` ends its string and adds fields, such as the command a
// container runs. Any program's argument that is a JSON object or array (with its templates standing for a
// value) is read so, whatever the program: a value in one of its strings may hold no `"`, `\` nor control
// character (it stays that string), a value outside a string must be a number, true, false or null, and a
// template in a key is refused when the config loads (it would choose the field set). A value that stays in its
// string still chooses what runs when the field it fills is a command or code (a container's "command", a
// buildspec, an instance's user data) or who acts (a task's role): such a template is refused when the config
// loads; in an "image" it follows the image rule (container-mounts.ts). Pure.

import { imageTextProblem, imageTextRefusal } from './container-mounts.ts';
import { ENVIRONMENT_NAME_WHY, ROLE_FIELD } from './chosen-fields.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { isCodeVariable, programName } from './programs.ts';
import { trustFieldUse } from './trust-fields.ts';

/**
 * Where a template of a JSON argument sits: in a string value, in a key, bare (a number, say), or in a JSON Patch
 * operation's "path" or "from" (which names the field set, as a key does).
 */
export type JsonSlot = 'string' | 'key' | 'bare' | 'path';

/** The field a template of a JSON argument fills: its key, and the keys around it (outermost first). */
export interface JsonField {
  /** The nearest key: the one a string or value is set to, or, for an item of an array, the array's. */
  key: string;
  /** Every key from the outermost to `key` (a JSON Patch's path names its fields: /spec/…/containers/0/image). */
  path: string[];
  /** The text of the string the template is in, templates unrendered (undefined outside a string). */
  text?: string;
  /** The template is in an item of an array (the array's key is `key`), not in a value set to a key. */
  item?: true;
  /**
   * An entry of an environment list's "value", whose entry's fixed "name" is a variable that loads code
   * (`{"name":"LD_PRELOAD","value":"{{v}}"}`): that name.
   */
  variable?: string;
  /**
   * In an HCL body (hcl-fields.ts), the attributes of the block the field is an attribute of, as written (a nomad
   * template's `env = true`, which makes its data the task's variables).
   */
  siblings?: Readonly<Record<string, string>>;
}

export interface JsonArgument {
  /** One per template of the word, in order. */
  slots: JsonSlot[];
  /** One per template of the word, in order: the field it fills, when it is in a value under a key. */
  fields: (JsonField | undefined)[];
  /** Where the argument is, for messages: "the JSON argument of --container-definitions". */
  where: string;
}

/**
 * What may stand before the JSON in the same word: `--option=`, a short option's letter (`-d{…}`, as curl and
 * getopt read it), or `NAME=` (a form field, `--data-urlencode 'payload={…}'`; a variable, `env X='{…}' prog`).
 */
const ATTACHED = /^(--?[A-Za-z0-9][\w.-]*=|-[A-Za-z](?=\s*[{[])|[A-Za-z_][\w.-]*=)/;

/**
 * The JSON argument a word is (its templates' slots), or undefined when it is not one: the word, or what
 * follows an attached `--option=`, is a JSON object or array once each template is read as a value.
 * `option`: the option word before it, if any, for messages.
 */
export function jsonArgument(word: string, option?: string): JsonArgument | undefined {
  const attached = ATTACHED.exec(word);
  const body = attached ? word.slice(attached[0].length) : word;
  const prefix = attached?.[1]?.replace(/=$/, '');
  if (!/^\s*[{[]/.test(body) || !PLACEHOLDER_TEST.test(body)) return undefined;
  // `[{{x}}]` alone is as likely a label in a log line as JSON: JSON here has a string or a key.
  if (!/["]/.test(body.replace(new RegExp(PLACEHOLDER.source, 'g'), ''))) return undefined;
  if (attached && new RegExp(PLACEHOLDER.source).test(attached[0])) return undefined;
  // A template in a string reads as text, elsewhere as a number: both parse where the word is JSON. A shell
  // variable's reference reads as a value too: {"count": $N, "version": "{{v}}"}.
  const read = body.replace(new RegExp(PLACEHOLDER.source, 'g'), '0').replace(/\$(\{[^{}]*\}|\w+)/g, '0');
  // Newline-delimited JSON, or objects one after another (a bulk request's body), is JSON value by value.
  if (!isJsonStructure(read) && !isJsonSequence(read)) return undefined;
  const named = prefix?.startsWith('-') ? prefix : option?.startsWith('-') ? option : prefix;
  // aws codebuild start-build --environment-variables-override '[{"name":…,"value":…}]': the option names the
  // list the argument is.
  const list = named?.startsWith('--') ? named.slice(2) : undefined;
  const { slots, fields } = slotsOf(body, list !== undefined && isEnvironmentList(list) ? list : undefined);
  const where =
    named === undefined
      ? 'a JSON argument'
      : named.startsWith('-')
        ? `the JSON argument of ${named}`
        : `the JSON value of ${named}`;
  return { slots, fields, where };
}

const PLACEHOLDER_TEST = new RegExp(PLACEHOLDER.source);

/** Whether a text is JSON objects or arrays one after another, with only blanks between (NDJSON and the like). */
function isJsonSequence(text: string): boolean {
  let depth = 0;
  let inString = false;
  let start = -1;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      if (depth === 0) return false;
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth < 0) return false;
      if (depth === 0) {
        if (!isJsonStructure(text.slice(start, i + 1))) return false;
        values++;
      }
    } else if (depth === 0 && !/\s/.test(c)) return false;
  }
  return depth === 0 && !inString && values > 0;
}

/** Whether a text is one JSON object or array. */
function isJsonStructure(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object';
  } catch {
    return false;
  }
}

/** An object or array being read: the key it is the value of, and (an object) its last key and fixed strings. */
interface Frame {
  object: boolean;
  /** The key this object or array is the value of (for an item of an array, the array's). */
  key?: string;
  /** The keys around it, outermost first. */
  path: string[];
  /** An object's key being read or last read, until the next ",". */
  pending?: string;
  /** An object's fixed string values, by key (a JSON Patch operation's "path"). */
  strings: Map<string, string>;
  /** Templates whose field is this object's "value" (a JSON Patch operation's: its "path" names the field). */
  values: number[];
  /** Templates in this object's "path" or "from" (a JSON Patch operation's: they name the field set). */
  paths: number[];
  /** The object whose key names this array (an array's items fill that object's field). */
  owner?: Frame;
}

/**
 * Where each template of a JSON text is (inside a string, a key when a ":" follows it, or bare) and the field it
 * fills: the nearest key around it (for an array's item, the array's key). In a JSON Patch operation
 * ({"op":"replace","path":"/spec/template/spec/containers/0/image","value":"…"}) the field of "value" is the
 * last name of its "path".
 */
function slotsOf(text: string, root?: string): { slots: JsonSlot[]; fields: (JsonField | undefined)[] } {
  const slots: JsonSlot[] = [];
  const fields: (JsonField | undefined)[] = [];
  const placeholder = new RegExp(`^${PLACEHOLDER.source}`);
  const stack: Frame[] = [];
  let stringStart = -1;
  let pending: number[] = []; // slots of the string being read, decided when it closes
  // The field a value here fills, and the object whose key names it.
  const here = (): { field?: JsonField; owner?: Frame } => {
    const top = stack.at(-1);
    if (!top) return {};
    const key = top.object ? top.pending : top.key;
    if (key === undefined) return {};
    return {
      field: { key, path: top.object ? [...top.path, key] : top.path, ...(!top.object && { item: true }) },
      owner: top.object ? top : top.owner,
    };
  };
  const fill = (k: number, textOf?: string) => {
    const { field, owner } = here();
    fields[k] = field && { ...field, ...(textOf !== undefined && { text: textOf }) };
    if (field?.key.toLowerCase() === 'value' && owner) owner.values.push(k);
  };
  for (let i = 0; i < text.length; i++) {
    const match = placeholder.exec(text.slice(i));
    if (match) {
      if (stringStart >= 0) {
        pending.push(slots.length);
        slots.push('string');
      } else {
        fill(slots.length);
        slots.push('bare');
      }
      i += match[0].length - 1;
      continue;
    }
    const c = text[i]!;
    if (stringStart >= 0) {
      if (c === '\\') i++;
      else if (c === '"') {
        const content = text.slice(stringStart + 1, i);
        const top = stack.at(-1);
        if (/^\s*:/.test(text.slice(i + 1))) {
          for (const k of pending) slots[k] = 'key';
          if (top?.object) top.pending = content;
        } else {
          for (const k of pending) fill(k, content);
          if (top?.object && top.pending !== undefined && !pending.length)
            top.strings.set(top.pending, content);
          if (top?.object && (top.pending === 'path' || top.pending === 'from')) top.paths.push(...pending);
        }
        stringStart = -1;
        pending = [];
      }
    } else if (c === '"') stringStart = i;
    else if (c === '{' || c === '[') {
      const { field: inner, owner } = here();
      const field =
        inner ?? (root !== undefined && !stack.length && c === '[' ? { key: root, path: [root] } : undefined);
      const frame: Frame = {
        object: c === '{',
        ...(field && { key: field.key }),
        path: field?.path ?? stack.at(-1)?.path ?? [],
        strings: new Map(),
        values: [],
        paths: [],
      };
      if (c === '[' && owner) frame.owner = owner;
      stack.push(frame);
    } else if (c === '}' || c === ']') {
      const frame = stack.pop();
      if (frame?.object) patchFields(frame, fields, slots);
      if (frame?.object) environmentValues(frame, fields);
    } else if (c === ',' && stack.at(-1)?.object) stack.at(-1)!.pending = undefined;
  }
  return { slots, fields };
}

/**
 * A JSON Patch operation's "value": its field is the last name of its "path" (/containers/0/command/- → command);
 * a template in its "path" or "from" is a key's.
 */
function patchFields(frame: Frame, fields: (JsonField | undefined)[], slots: JsonSlot[]): void {
  // A template in an operation's "path" or "from" chooses the field it sets or copies, as one in a key does.
  if (frame.strings.has('op')) for (const k of frame.paths) slots[k] = 'path';
  const path = frame.strings.get('path');
  if (path === undefined || !frame.strings.has('op') || !frame.values.length) return;
  const names = path
    .split('/')
    .slice(1)
    .map((name) => name.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = names.filter((name) => !/^(\d+|-)$/.test(name)).at(-1);
  if (key === undefined) return;
  for (const k of frame.values) {
    const field = fields[k];
    if (field) fields[k] = { ...field, key, path: [...frame.path, ...names] };
  }
}

/**
 * The lists of a container's variables, each entry {"name": NAME, "value": VALUE} (keys compared ignoring case):
 * ECS's containerDefinitions and overrides and Batch's "environment", Kubernetes's "env", CodeBuild's
 * "environmentVariables" and start-build's "environmentVariablesOverride".
 */
const ENVIRONMENT_LISTS = new Set([
  'environment',
  'env',
  'environmentvariables',
  'environmentvariablesoverride',
]);

/** Whether a field is in an entry of an environment list (its path: …, LIST, KEY). */
const inEnvironmentEntry = (field: JsonField) => isEnvironmentList(field.path.at(-2) ?? '');

/** Whether a key (or an option naming the list: environment-variables-override) is an environment list's. */
export function isEnvironmentList(key: string): boolean {
  return ENVIRONMENT_LISTS.has(key.replaceAll('-', '').toLowerCase());
}

/**
 * An entry of an environment list whose fixed "name" (or "Name") is a variable that loads code: each template of
 * its "value" is that variable's (JsonField's `variable`).
 */
function environmentValues(frame: Frame, fields: (JsonField | undefined)[]): void {
  if (!isEnvironmentList(frame.key ?? '') || frame.strings.has('op')) return;
  const variable = frame.strings.get('name') ?? frame.strings.get('Name');
  if (variable === undefined || !setsCodeVariable(variable)) return;
  for (const k of frame.values) {
    const field = fields[k];
    if (field && field.key.toLowerCase() === 'value' && inEnvironmentEntry(field))
      fields[k] = { ...field, variable };
  }
}

/**
 * An item of Docker's "Env" list (["NAME=VALUE", …]), or of a Compose file's environment list, a template is in: the variable's fixed name when it loads
 * code, undefined as the name when the template is in the name (it would choose the variable), or undefined
 * when the field is no such item or its variable is data.
 */
function dockerEnvironmentEntry(field: JsonField): { name: string | undefined } | undefined {
  if (!field.item || field.text === undefined) return undefined;
  // Docker's Env is such a list whatever its items; a Compose file's environment, or an env list, when the
  // item is NAME=VALUE (["production", "{{x}}"] is a list of names of another kind).
  const list = field.key === 'Env' || (/^(env|environment)$/i.test(field.key) && field.text.includes('='));
  if (!list) return undefined;
  const equals = field.text.indexOf('=');
  const name = equals < 0 ? field.text : field.text.slice(0, equals);
  if (equals < 0 || PLACEHOLDER_TEST.test(name)) return { name: undefined };
  return setsCodeVariable(name) ? { name } : undefined;
}

/**
 * A value set to a variable's name in a map of variables (Lambda's Environment.Variables, App Runner's
 * RuntimeEnvironmentVariables, {"env": {"NODE_OPTIONS": …}}): that name when it loads code.
 */
function mappedVariable(field: JsonField): string | undefined {
  if (field.item || !/(^|environment)variables$|^env(ironment)?$/i.test(field.path.at(-2) ?? ''))
    return undefined;
  return setsCodeVariable(field.key) ? field.key : undefined;
}

/**
 * Whether an environment entry's name (as written) may be a variable that loads code: one (LD_PRELOAD), or a
 * name spelled through an expansion the shell or Compose makes ($N, ${N}, $(…), `…`), whose value no check here
 * reads: it may be LD_PRELOAD.
 */
export function setsCodeVariable(name: string): boolean {
  return isCodeVariable(name) || /[$`]/.test(name);
}

/**
 * Fields whose value is code or chooses what runs (keys compared ignoring case): ECS's containerDefinitions and
 * containerOverrides (command, entryPoint, healthCheck's command), Batch's containerOverrides (command),
 * Kubernetes containers (command, args; probes' and hooks' exec.command), Lambda's ImageConfig (EntryPoint,
 * Command, WorkingDirectory), the Docker Engine API's container config (Cmd, Entrypoint, Healthcheck.Test),
 * CodeBuild's buildspec (create-project's source.buildspec, start-build's buildspecOverride), EC2's UserData
 * (run-instances, launch templates), SSM documents' commands (AWS-RunShellScript) and CI steps' script; the
 * directory a command is found in (Kubernetes's workingDir, Docker's WorkingDir), Docker's Shell (the program
 * its shell-form commands run under) and OnBuild (instructions a later build runs), and ECS's environmentFiles
 * (a file of variables, which can set LD_PRELOAD).
 */
const CODE_FIELDS: ReadonlyMap<string, string> = new Map([
  ['command', "the command it runs (a container's, a task's, a probe's)"],
  ['commands', "the commands it runs (an SSM document's, a build phase's)"],
  ['entrypoint', 'the program a container runs (its entry point)'],
  ['cmd', 'the command a container runs'],
  [
    'workingdirectory',
    "the directory a function's container runs its command in (a relative command is found there)",
  ],
  ['workingdir', 'the directory a container runs its command in (a relative command is found there)'],
  ['onbuild', 'the instructions a build on top of this image runs'],
  ['buildspec', 'the build commands CodeBuild runs'],
  ['buildspecoverride', 'the build commands CodeBuild runs'],
  ['userdata', 'the script an instance runs when it starts'],
  ['script', 'the script a step runs'],
]);

/** Fields naming an image a container runs (ECS, Kubernetes, Batch, the Docker Engine API, CodeBuild). */
const IMAGE_FIELDS = new Set(['image', 'imageoverride']);

/**
 * Kubernetes's lists of containers, whose args are the arguments of the command they run, and the container
 * specs of workflow engines running on it: an Argo Workflows template's `container`, Tekton's `steps`, `sidecars`
 * and `stepTemplate`.
 */
const CONTAINER_LISTS = new Set([
  ...['containers', 'initcontainers', 'ephemeralcontainers'],
  ...['container', 'steps', 'sidecars', 'steptemplate'],
]);

/** What a field's value chooses: code (why), who acts, an image, or nothing known here. */
function fieldUse(
  field: JsonField,
): { use: 'code' | 'role' | 'secret' | 'rights'; what: string } | { use: 'image' } | undefined {
  const key = field.key.toLowerCase();
  // Compose spells them with "_" (working_dir), Kubernetes in camel case (workingDir).
  const code = CODE_FIELDS.get(key.replace(/[_-]/g, ''));
  if (code) return { use: 'code', what: code };
  if (key === 'args' && field.path.some((name) => CONTAINER_LISTS.has(name.toLowerCase())))
    return { use: 'code', what: "the arguments of the command a container runs (sh -c's code)" };
  // An Argo Workflows script template's source: the code its image's interpreter runs.
  if (key === 'source' && field.path.at(-2)?.toLowerCase() === 'script')
    return { use: 'code', what: "the code a workflow's script template runs" };
  if (key === 'test' && field.path.at(-2)?.toLowerCase() === 'healthcheck')
    return { use: 'code', what: "the command a container's health check runs" };
  // Docker's Shell (the program its shell-form commands run under); "shell" elsewhere is another API's.
  if (field.key === 'Shell') return { use: 'code', what: 'the shell a container runs its commands with' };
  if (key === 'value' && field.path.at(-2)?.toLowerCase() === 'environmentfiles')
    return {
      use: 'code',
      what: 'the file of variables a container starts with (it can set LD_PRELOAD or NODE_OPTIONS)',
    };
  // ECS's secrets ({"name": "DB", "valueFrom": ARN}) and repositoryCredentials, Kubernetes's secretKeyRef: which
  // secret a task is given.
  const path = field.path.map((name) => name.toLowerCase());
  if (key === 'valuefrom' || key === 'credentialsparameter' || path.includes('secretkeyref'))
    return {
      use: 'secret',
      what: 'which secret or parameter a container is given (any one these credentials may read)',
    };
  // Kubernetes's envFrom: the ConfigMap or Secret whose every key becomes a variable of the container.
  if (path.includes('envfrom'))
    return {
      use: 'code',
      what: "the ConfigMap or Secret whose keys become the container's variables (LD_PRELOAD among them)",
    };
  if (ROLE_FIELD.test(key))
    return {
      use: 'role',
      what: 'who acts: the IAM role it runs as (any role these credentials may pass, with its rights)',
    };
  if (IMAGE_FIELDS.has(key)) return { use: 'image' };
  const rights = trustFieldUse(field);
  if (rights !== undefined) return { use: 'rights', what: rights };
  return undefined;
}

/**
 * Why a template in a JSON argument's field is refused when the config loads, or undefined: in a command or
 * code field, or one choosing who acts, the value would choose what runs, even within its string; in an image
 * where it is the whole image or its registry or account (the image rule).
 */
export function jsonFieldMessage(
  name: string,
  field: JsonField | undefined,
  where: string,
): string | undefined {
  // {"name": "{{x}}", "value": …} in a container's environment: the value would choose the variable set.
  if (field && field.key.toLowerCase() === 'name' && inEnvironmentEntry(field))
    return `{{${name}}} is in the "${field.key}" field of an entry of "${field.path.at(-2)}" in ${where}, the name of the variable it sets in the container, where it would choose the variable (${ENVIRONMENT_NAME_WHY}): write the name in the config and let the value be its "value" ({"name": "VERSION", "value": "{{${name}}}"})`;
  const entry = field && dockerEnvironmentEntry(field);
  if (entry?.name === undefined && field && entry)
    return `{{${name}}} is in the name of an entry of "${field.key}" in ${where} (NAME=VALUE), the variable it sets in the container, where it would choose the variable (${ENVIRONMENT_NAME_WHY}): write the name in the config and let the value follow its "=" ("VERSION={{${name}}}")`;
  const variable = field?.variable ?? entry?.name ?? (field && mappedVariable(field));
  if (field && variable !== undefined && /[$`]/.test(variable))
    return `{{${name}}} is in the value of an environment entry in ${where} (its "${field.key}" field) whose name, ${variable}, is an expansion the check cannot read: it may name a variable that loads code (${ENVIRONMENT_NAME_WHY}), and the value would then choose that code; write the name in the config`;
  if (field && variable !== undefined)
    return `{{${name}}} is in the value of the variable ${variable} in ${where} (its "${field.key}" field), which programs read to load code or to choose the programs they run (or the config, packages or repository they use): its value would choose the code the container runs; write that value in the config, and pass the value in another variable`;
  const use = field && fieldUse(field);
  if (!use) return undefined;
  if (use.use === 'image') {
    const refusal = field.text === undefined ? 'the whole image' : imageTextRefusal(field.text);
    if (refusal === undefined) return undefined;
    return `{{${name}}} is in the "${field.key}" field of ${where}, the image a container runs, where the value would be ${refusal}: it would choose whose image runs; write the registry and name in the config and let the value be the tag ("${field.key}": "registry.example.com/app:{{${name}}}")`;
  }
  const chooses =
    use.use === 'secret'
      ? 'which secret the container reads'
      : use.use === 'rights'
        ? 'what the container may do and what of the host it sees'
        : `what runs${use.use === 'role' ? ' and as whom' : ''}`;
  return `{{${name}}} is in the "${field.key}" field of ${where}, which chooses ${use.what}: a value there chooses ${chooses} even inside its string, which no check of the value can make safe; write that field in the config, and pass the value as data (an environment variable's "value", a tag)`;
}

/** Whether a field names the image a container runs (its templates follow the image rule). */
export function isJsonImageField(field: JsonField): boolean {
  return fieldUse(field)?.use === 'image';
}

/** Why the image a JSON argument's "image" field names is refused once rendered, or undefined (the image rule). */
export function jsonFieldProblem(
  field: JsonField | undefined,
  where: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (!field || field.text === undefined || fieldUse(field)?.use !== 'image') return undefined;
  return imageTextProblem(field.text, `the image the "${field.key}" field of ${where} names`, values);
}

/** Why a value in a JSON argument's `slot` is refused once rendered, or undefined. */
export function jsonValueProblem(
  name: string,
  value: string,
  slot: JsonSlot,
  where: string,
): string | undefined {
  if (slot === 'bare') {
    if (/^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/.test(value)) return undefined;
    return `{{${name}}} is outside a string in ${where}, and its value ${JSON.stringify(value.slice(0, 40))} is not a number, true, false or null: in JSON it could add fields or items (a container's "command"); put the template in a string ("{{${name}}}") or pass the value another way`;
  }
  const bad = [...value].find((c) => c === '"' || c === '\\' || c.charCodeAt(0) < 0x20);
  if (bad === undefined) return undefined;
  return `{{${name}}} is in a string of ${where}, and its value holds ${JSON.stringify(bad)}: in JSON it could end the string and add fields (a container's "command", an "image"); a value in a JSON string may hold no double quote, backslash nor control character`;
}

/** Why a template in a key of a JSON argument is refused when the config loads. */
export function jsonKeyMessage(name: string, where: string, slot: JsonSlot = 'key'): string {
  if (slot === 'path')
    return `{{${name}}} is in the "path" or "from" of a JSON Patch operation in ${where}: its value would choose which field is set or copied (a container's "command", the source's "repoURL"), which no check of the value can make safe; write the path in the config and let the value be its "value"`;
  return `{{${name}}} is in a key of ${where}: its value would choose which field is set (a container's "command", a role), which no check of the value can make safe; write the key in the config and let the value be its value ({"version": "{{${name}}}"})`;
}

/**
 * A printf conversion (%s, %-10.3d, %ls, %*s, %(%F)T, …; or %%): each `*` takes an argument (a width or
 * precision), then the conversion takes one.
 */
const CONVERSION =
  /%(?:%|[-+ #0']*(\*|\d+)?(?:\.(\*|\d*))?(?:hh|h|ll|l|L|q|j|z|t)?(?:[diouxXfFeEgGaAcsbqQ]|\([^)]*\)T))/g;
const CONVERSION_MARK = '{{printf_conversion}}';

/** Programs run before printf that leave its words as they are (`command printf`, `env printf`). */
const PRINTF_PREFIXES = new Set(['command', 'builtin', 'env', 'exec', 'nohup']);

/**
 * printf writing JSON (`printf '{"version":"%s"}' {{v}} | curl -d @- …`): each argument lands where its
 * conversion is in the format (the arguments cycle through the conversions), so a template in an argument is
 * checked as one written there: by the index of each argument word, the JSON argument its templates fill. An
 * argument a `*` takes (a width) is a number. `words`: the command's words.
 */
export function printfJsonArguments(words: readonly string[]): Map<number, JsonArgument> {
  const found = new Map<number, JsonArgument>();
  let at = 0;
  while (at < words.length && (PRINTF_PREFIXES.has(programName(words[at]!)) || words[at]!.startsWith('-')))
    at++;
  if (programName(words[at] ?? '') !== 'printf') return found;
  for (at++; at < words.length && words[at]!.startsWith('-') && words[at] !== '--'; at++)
    if (words[at] === '-v') at++; // printf -v NAME FORMAT
  if (words[at] === '--') at++;
  const format = words[at] === undefined ? undefined : printfEscapes(words[at]!);
  if (format === undefined || !format.replaceAll('%%', '').includes('%')) return found;
  const marked = format.replace(CONVERSION, (c) => (c === '%%' ? c : CONVERSION_MARK));
  const json = jsonArgument(marked);
  if (!json) return found;
  // What each argument of a pass through the format fills: a width's number, or a conversion's slot (the
  // format's own templates are checked as written).
  const marks = [...marked.matchAll(PLACEHOLDER)];
  const conversions = [...format.matchAll(CONVERSION)].filter((c) => c[0] !== '%%');
  const takes: { slot: JsonSlot; field: JsonField | undefined }[] = [];
  let k = 0;
  marks.forEach((mark, index) => {
    if (mark[0] !== CONVERSION_MARK) return;
    const conversion = conversions[k++]!;
    for (const star of [conversion[1], conversion[2]])
      if (star === '*') takes.push({ slot: 'bare', field: undefined });
    takes.push({ slot: json.slots[index]!, field: json.fields[index] });
  });
  if (!takes.length) return found;
  for (let i = at + 1; i < words.length; i++) {
    const templates = [...words[i]!.matchAll(PLACEHOLDER)].length;
    if (!templates) continue;
    const { slot, field } = takes[(i - at - 1) % takes.length]!;
    found.set(i, {
      slots: Array<JsonSlot>(templates).fill(slot),
      fields: Array<JsonField | undefined>(templates).fill(field),
      where: 'the JSON printf writes',
    });
  }
  return found;
}

/** printf's format as it writes it: its backslash escapes (\n, \", \\, \101, \x41, \u0022) resolved. */
function printfEscapes(format: string): string {
  const named: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
  return format.replace(
    /\\(?:x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|.)/gs,
    (escape) => {
      const rest = escape.slice(1);
      if (/^[xuU][0-9A-Fa-f]/.test(rest))
        return String.fromCodePoint(Math.min(parseInt(rest.slice(1), 16), 0x10ffff));
      if (/^[0-7]/.test(rest)) return String.fromCharCode(parseInt(rest, 8));
      return named[rest] ?? rest;
    },
  );
}
