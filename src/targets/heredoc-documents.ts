// A here-document's body read as a document: the manifest or job spec fields (YAML, HCL) or the JSON slots its
// templates and variables fill, and the messages for values there. Pure; the reading decides which body is one.
import { type JsonSlot, type JsonField, jsonArgument, isJsonImageField } from './json-arguments.ts';
import { joinedBody } from './heredoc-substitution.ts';
import { PLACEHOLDER } from './template.ts';
import { type BodySpot, manifestFields, ManifestTooLarge } from './manifest-fields.ts';
import { pseudoName } from './held-values.ts';
import { hclFields } from './hcl-fields.ts';

/** Why a template (or a variable holding one) in a key of a manifest here-document is refused at load. */
export function manifestKeyMessage(name: string, manifest: string): string {
  return `{{${name}}} is in a key of the here-document "${manifest}" reads as a manifest: its value would choose which field is set (privileged, command), in a block or a flow mapping alike ({{${name}}}: v, - {{${name}}}: v, { {{${name}}}: v }, "{{${name}}}":v, ? {{${name}}}), which no check of the value can make safe; write the key in the config and let the value be its value (key: {{${name}}})`;
}

/** Where a value in a here-document `reader` reads as a manifest is, for messages. */
export function manifestWhere(reader: string): string {
  return `a here-document "${reader}" reads as a manifest`;
}

/**
 * The JSON a here-document's body is (its templates' slots, in order), read from `from` (the body's first line)
 * to its delimiter, or undefined when the body is not JSON.
 */
export function jsonHeredoc(
  script: string,
  from: number,
  doc: { delimiter: string; stripTabs: boolean },
): { slots: JsonSlot[]; fields: (JsonField | undefined)[]; where: string; body: string } | undefined {
  let body = '';
  for (let i = from; i < script.length;) {
    const lineEnd = script.indexOf('\n', i) === -1 ? script.length : script.indexOf('\n', i);
    const line = doc.stripTabs ? script.slice(i, lineEnd).replace(/^\t+/, '') : script.slice(i, lineEnd);
    if (line === doc.delimiter) break;
    body += `${line}\n`;
    i = lineEnd + 1;
  }
  // Its templates' slots; a body whose values are all variables' ({"v": "$V"}) is JSON too, with no template. It
  // is read as bash hands it on, each backslash-newline dropped ({"command"\ then : […]} is JSON).
  const joined = joinedBody(body).joined;
  const json =
    jsonArgument(joined) ??
    (jsonArgument(joined.replace(/\$(\{[^{}]*\}|\w+)/g, '{{heredoc_reference}}')) && {
      slots: [],
      fields: [],
    });
  return json && { slots: json.slots, fields: json.fields, where: 'a here-document written as JSON', body };
}

/** Why a variable's value in a JSON argument is refused: only a template or a variable of fixed text and templates is checked. */
export const jsonVariableMessage = (name: string, where: string) =>
  `{{${name}}} is in ${where}, and only a template written there or a variable set from fixed text and templates alone (v=app-{{x}}) is checked: write the template itself there`;

/** Why a variable's value in a JSON "image" field is refused: the image rule checks a template written there. */
export const jsonImageVariableMessage = (name: string, key: string, where: string) =>
  `{{${name}}} is in the "${key}" field of ${where}, the image a container runs, and only a template written there is checked by the image rule: write the template itself there`;

/**
 * Where a variable's reference at `at` in a JSON here-document's `body` sits (`spelled` as written): the slot and
 * field a template written there would have.
 */
export function jsonHeredocRef(
  body: string,
  at: number,
  spelled: string,
): { slot?: JsonSlot; field?: JsonField } {
  const json = jsonArgument(`${body.slice(0, at)}{{heredoc_reference}}${body.slice(at + spelled.length)}`);
  const k = [...body.slice(0, at).matchAll(PLACEHOLDER)].length;
  return {
    ...(json?.slots[k] && { slot: json.slots[k] }),
    ...(json?.fields[k] && { field: json.fields[k] }),
  };
}

/** The fixed text a variable holding a value may add in a JSON argument's string, or outside one. */
export const JSON_LITERAL = { string: /^[^"\\\x00-\x1f]*$/, bare: /^[\w.-]*$/ } as const;

/** The index of a body's first backslash-newline (\\<newline> is a backslash and a line break), or -1. */
export function continuationAt(body: string): number {
  for (let k = 0; k < body.length; k++) {
    if (body[k] !== '\\') continue;
    if (body[k + 1] === '\n') return k;
    k++;
  }
  return -1;
}

/**
 * The fields of the manifest a here-document's body is that each template and each variable `refs` finds
 * (one holding a value) fills, by its script offset (manifest-fields.ts).
 */
export function manifestFieldsOf(
  script: string,
  start: number,
  end: number,
  stripTabs: boolean,
  refs: (
    line: string,
    start: number,
  ) => readonly { start: number; end: number; variable: string; text?: string | undefined }[],
  // Read by nomad: a job spec, HCL unless it is JSON (hcl-fields.ts).
  hcl = false,
): {
  at: (at: number) => JsonField[];
  /** Whether an alias puts the value at `at` in a key. */
  key: (at: number) => boolean;
  image: (at: number) => JsonField | 'unknown' | undefined;
  /** Its aliases repeat its nodes past MANIFEST_VISITS: no field can be told, every value is refused. */
  tooLarge?: true;
  /** An HCL body the scan cannot follow: no field can be told, every value is refused. */
  notHcl?: true;
} {
  const lines: { text: string; start: number }[] = [];
  for (let at = start; at < end;) {
    const newline = script.indexOf('\n', at);
    const lineEnd = newline === -1 || newline > end ? end : newline;
    const tabs = stripTabs ? /^\t*/.exec(script.slice(at, lineEnd))![0].length : 0;
    lines.push({ text: script.slice(at + tabs, lineEnd), start: at + tabs });
    at = lineEnd + 1;
  }
  const spots: BodySpot[] = [];
  // Each variable's stand-in ({{__var_V}}), and the fixed text and templates it holds, when one assignment sets it.
  const held = new Map<string, string | undefined>();
  for (const line of lines) {
    for (const m of line.text.matchAll(new RegExp(PLACEHOLDER.source, 'g')))
      spots.push({ start: line.start + m.index, end: line.start + m.index + m[0].length });
    // A variable shows as the template it stands for, so that the image rule sees where it is (a tag or the image).
    for (const ref of refs(line.text, line.start)) {
      spots.push({ start: ref.start, end: ref.end, shown: `{{${pseudoName(ref.variable)}}}` });
      held.set(`{{${pseudoName(ref.variable)}}}`, ref.text);
    }
  }
  spots.sort((a, b) => a.start - b.start);
  const keys = new Set<number>();
  let fields: JsonField[][];
  try {
    const json =
      lines
        .find((line) => line.text.trim() !== '')
        ?.text.trim()
        .startsWith('{') === true;
    const read = hcl && !json ? hclFields(lines, spots, keys) : manifestFields(lines, spots, keys);
    if (read === undefined) return { at: () => [], key: () => false, image: () => undefined, notHcl: true };
    fields = read;
  } catch (error) {
    if (!(error instanceof ManifestTooLarge)) throw error;
    return { at: () => [], key: () => false, image: () => undefined, tooLarge: true };
  }
  const keyStarts = new Set([...keys].map((k) => spots[k]!.start));
  const byStart = new Map(spots.map((spot, k) => [spot.start, fields[k]]));
  const at = (start: number) => byStart.get(start) ?? [];
  return {
    at,
    key: (start) => keyStarts.has(start),
    // The image field a value fills, its variables written as what they hold, for the image rule once rendered.
    image: (start) => {
      const field = at(start).find(isJsonImageField);
      if (field?.text === undefined) return undefined;
      let unknown = false;
      const text = field.text.replace(/\{\{__var_\w+\}\}/g, (shown) => {
        const value = held.get(shown);
        if (value === undefined) unknown = true;
        return value ?? shown;
      });
      return unknown ? 'unknown' : { ...field, text };
    },
  };
}
