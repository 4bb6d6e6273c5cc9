// An argument written as JSON (`aws ecs register-task-definition --container-definitions '[{"image":
// "app:{{v}}"}]'`, `curl -d '{"version":"{{v}}"}'`, `argocd app patch --patch '{…}'`) is read by its program as
// structure: a value `x","command":["sh","-c","…"]` ends its string and adds fields, such as the command a
// container runs. Any program's argument that is a JSON object or array (with its templates standing for a
// value) is read so, whatever the program: a value in one of its strings may hold no `"`, `\` nor control
// character (it stays that string), a value outside a string must be a number, true, false or null, and a
// template in a key is refused when the config loads (it would choose the field set). Pure.

import { PLACEHOLDER } from './placeholder.ts';

/** Where a template of a JSON argument sits: in a string value, in a key, or bare (a number, say). */
export type JsonSlot = 'string' | 'key' | 'bare';

export interface JsonArgument {
  /** One per template of the word, in order. */
  slots: JsonSlot[];
  /** Where the argument is, for messages: "the JSON argument of --container-definitions". */
  where: string;
}

/** `--option=` before an attached argument. */
const ATTACHED = /^(--?[A-Za-z0-9][\w.-]*)=/;

/**
 * The JSON argument a word is (its templates' slots), or undefined when it is not one: the word, or what
 * follows an attached `--option=`, is a JSON object or array once each template is read as a value.
 * `option`: the option word before it, if any, for messages.
 */
export function jsonArgument(word: string, option?: string): JsonArgument | undefined {
  const attached = ATTACHED.exec(word);
  const body = attached ? word.slice(attached[0].length) : word;
  if (!/^\s*[{[]/.test(body) || !PLACEHOLDER_TEST.test(body)) return undefined;
  // `[{{x}}]` alone is as likely a label in a log line as JSON: JSON here has a string or a key.
  if (!/["]/.test(body.replace(new RegExp(PLACEHOLDER.source, 'g'), ''))) return undefined;
  if (attached && new RegExp(PLACEHOLDER.source).test(attached[0])) return undefined;
  // A template in a string reads as text, elsewhere as a number: both parse where the word is JSON.
  try {
    const parsed: unknown = JSON.parse(body.replace(new RegExp(PLACEHOLDER.source, 'g'), '0'));
    if (parsed === null || typeof parsed !== 'object') return undefined;
  } catch {
    return undefined;
  }
  const slots = slotsOf(body);
  const named = attached?.[1] ?? (option?.startsWith('-') ? option : undefined);
  return { slots, where: named ? `the JSON argument of ${named}` : 'a JSON argument' };
}

const PLACEHOLDER_TEST = new RegExp(PLACEHOLDER.source);

/** Where each template of a JSON text is: inside a string (a key when a ":" follows it) or bare. */
function slotsOf(text: string): JsonSlot[] {
  const slots: JsonSlot[] = [];
  const placeholder = new RegExp(`^${PLACEHOLDER.source}`);
  let stringStart = -1;
  let pending: number[] = []; // slots of the string being read, decided when it closes
  for (let i = 0; i < text.length; i++) {
    const match = placeholder.exec(text.slice(i));
    if (match) {
      if (stringStart >= 0) {
        pending.push(slots.length);
        slots.push('string');
      } else slots.push('bare');
      i += match[0].length - 1;
      continue;
    }
    const c = text[i]!;
    if (stringStart >= 0) {
      if (c === '\\') i++;
      else if (c === '"') {
        if (/^\s*:/.test(text.slice(i + 1))) for (const k of pending) slots[k] = 'key';
        stringStart = -1;
        pending = [];
      }
    } else if (c === '"') stringStart = i;
  }
  return slots;
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
export function jsonKeyMessage(name: string, where: string): string {
  return `{{${name}}} is in a key of ${where}: its value would choose which field is set (a container's "command", a role), which no check of the value can make safe; write the key in the config and let the value be its value ({"version": "{{${name}}}"})`;
}
