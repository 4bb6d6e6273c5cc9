// The field of a YAML manifest each template (or variable holding one) of a here-document's body fills, so that
// a manifest read by kubectl, helm or compose gets the checks a JSON argument's fields get (json-arguments.ts
// jsonFieldMessage): a value in a container's command, args or workingDir chooses what runs whatever its
// characters, a whole image chooses whose image runs, an environment entry's name or a code variable's value
// (LD_PRELOAD) chooses code. The body's values are also checked once rendered to add no structure
// (structuredValueProblem); that check cannot see which field a value is in.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Alias,
  type Document,
  type Node,
} from 'yaml';
import { isEnvironmentList, setsCodeVariable, type JsonField } from './json-arguments.ts';

/**
 * The most nodes a body's walk visits, aliases followed: anchors of anchors repeat a node exponentially (a YAML
 * "billion laughs"), which would hold the config's load. Past it, ManifestTooLarge.
 */
export const MANIFEST_VISITS = 100_000;

/** A body whose aliases repeat its nodes more than MANIFEST_VISITS times. */
export class ManifestTooLarge extends Error {}

/** A part of the body standing for a value: a template or a variable reference, by its script offsets. */
export interface BodySpot {
  start: number;
  end: number;
  /** How the spot shows in a field's text, when not as written: a variable as the template it holds ({{V}}). */
  shown?: string;
}

// Stands for spot k while the body is parsed: letters and digits only, one plain scalar in any YAML context.
const spotWord = (k: number) => `DEPLOYACTIONSPOT${k}X`;
export const SPOT_WORDS = /DEPLOYACTIONSPOT(\d+)X/g;

/**
 * The body as one text with each spot replaced by a word standing for it (spotWord), and how each spot is
 * spelled in a field's text; undefined when a spot starts inside another. `lines` are the body's lines with their
 * script offsets, `spots` in increasing order.
 */
export function spotText(
  lines: readonly { text: string; start: number }[],
  spots: readonly BodySpot[],
): { text: string; spelled: (k: number) => string } | undefined {
  let text = '';
  let next = 0;
  for (const line of lines) {
    let at = line.start;
    const end = line.start + line.text.length;
    for (; next < spots.length && spots[next]!.start < end; next++) {
      const spot = spots[next]!;
      if (spot.start < at) return undefined;
      text += line.text.slice(at - line.start, spot.start - line.start) + spotWord(next);
      at = Math.min(spot.end, end);
    }
    text += `${line.text.slice(at - line.start)}\n`;
  }
  const spelled = (k: number) => {
    if (spots[k]!.shown !== undefined) return spots[k]!.shown;
    const line = lines.find((l) => spots[k]!.start >= l.start && spots[k]!.start < l.start + l.text.length);
    return line ? line.text.slice(spots[k]!.start - line.start, spots[k]!.end - line.start) : '';
  };
  return { text, spelled };
}

/**
 * The fields each spot fills, in the order given: none for a spot in no value under a key (a key itself,
 * which the key rule refuses), or for all of them when the body, with the spots as plain words, is not YAML a
 * check can follow (then only the rendered-value check applies, as before). A spot in an anchored node fills
 * its field there and the field of each alias (or merge key, <<: *base) that repeats it: `x-env: &env` with
 * `value: {{x}}` under it is LD_PRELOAD's value where a container's `env: *env` uses it. `lines` are the body's lines with
 * their script offsets (a <<- body's leading tabs already taken off), `spots` in increasing order.
 */
export function manifestFields(
  lines: readonly { text: string; start: number }[],
  spots: readonly BodySpot[],
  // Filled with the spots an alias puts in a key ({*k : true} with k: &k {{x}}): the value would choose the key.
  keys?: Set<number>,
): JsonField[][] {
  const fields: JsonField[][] = spots.map(() => []);
  if (spots.length === 0) return fields;
  const body = spotText(lines, spots);
  if (body === undefined) return fields;
  const { text, spelled } = body;
  let documents;
  try {
    documents = parseAllDocuments(text, { uniqueKeys: false, strict: false });
  } catch {
    return fields;
  }
  if (!Array.isArray(documents) || documents.some((d) => d.errors.length > 0)) return fields;
  // The aliases being followed, so that one inside its own anchor ends.
  const following = new Set<Node>();
  let visits = 0;
  // Alias.resolve searches the document for its anchor each time: once per alias.
  const anchors = new Map<Node, unknown>();
  const resolved = (document: Document.Parsed, alias: Alias): unknown => {
    if (!anchors.has(alias)) anchors.set(alias, alias.resolve(document));
    return anchors.get(alias);
  };
  /** Adds the spots anywhere in `node`, a key (through the aliases in it, each once), to `keys`. */
  const markKey = (document: Document.Parsed, node: unknown, keys: Set<number>, seen: Set<Node>): void => {
    if (++visits > MANIFEST_VISITS) throw new ManifestTooLarge();
    if (isAlias(node)) {
      if (seen.has(node)) return;
      seen.add(node);
      markKey(document, resolved(document, node), keys, seen);
    } else if (isScalar(node))
      for (const m of String(node.value).matchAll(SPOT_WORDS)) keys.add(Number(m[1]));
    else if (isMap(node))
      for (const pair of node.items) {
        markKey(document, pair.key, keys, seen);
        markKey(document, pair.value, keys, seen);
      }
    else if (isSeq(node)) for (const item of node.items) markKey(document, item, keys, seen);
  };
  const visit = (
    document: Document.Parsed,
    node: unknown,
    key: string | undefined,
    path: string[],
    item: boolean,
    entry?: Node,
  ) => {
    if (node === null || node === undefined) return;
    if (++visits > MANIFEST_VISITS) throw new ManifestTooLarge();
    // *env repeats the anchored node here: its values fill this field too.
    if (isAlias(node)) {
      if (following.has(node)) return;
      following.add(node);
      visit(document, resolved(document, node), key, path, item, entry);
      following.delete(node);
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        // A spot anywhere in a key would choose the field: a flow key on a line before its ":", a complex key
        // (? [{{x}}]), or the scalar an alias key names ({*k : true} with k: &k {{x}}).
        if (isPair(pair) && keys) markKey(document, pair.key, keys, new Set());
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        if (/DEPLOYACTIONSPOT\d+X/.test(name)) continue;
        // <<: *base (or [*a, *b]) merges the anchored mappings' fields into this one.
        if (name === '<<' && (isAlias(pair.value) || isSeq(pair.value))) {
          for (const merged of isSeq(pair.value) ? pair.value.items : [pair.value])
            visit(document, merged, key, path, item, entry);
          continue;
        }
        visit(document, pair.value, name, [...path, name], false, node);
      }
      return;
    }
    if (isSeq(node)) {
      for (const element of node.items) visit(document, element, key, path, true);
      return;
    }
    if (!isScalar(node) || key === undefined || typeof node.value !== 'string') return;
    const value = node.value;
    const found = [...value.matchAll(SPOT_WORDS)].map((m) => Number(m[1]));
    if (found.length === 0) return;
    const shown = value.replace(SPOT_WORDS, (_, k: string) => spelled(Number(k)));
    const variable = entryVariable(entry, key, path);
    for (const k of found)
      fields[k]!.push({
        key,
        path,
        text: shown,
        ...(item ? { item: true as const } : {}),
        ...(variable !== undefined ? { variable } : {}),
      });
  };
  for (const document of documents) visit(document, document.contents, undefined, [], false);
  return fields;
}

/**
 * In an entry of a container's environment list ({name: LD_PRELOAD, value: …}), the variable a "value" sets
 * when it loads code, or its name as written when an expansion spells it ($N).
 */
function entryVariable(entry: Node | undefined, key: string, path: readonly string[]): string | undefined {
  if (!isMap(entry) || key.toLowerCase() !== 'value' || !isEnvironmentList(path.at(-2) ?? ''))
    return undefined;
  const name = entry.items.find((p) => isScalar(p.key) && /^name$/i.test(String(p.key.value)))?.value;
  if (!isScalar(name) || typeof name.value !== 'string') return undefined;
  return setsCodeVariable(name.value) ? name.value : undefined;
}
