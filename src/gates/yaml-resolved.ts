// A manifest's YAML read as Kubernetes reads it: through aliases (`resources: *defaults`) and merge keys
// (`<<: *base`), which its YAML reader resolves. The yaml library's node API (get, getIn, has) follows
// neither (it resolves them only when it converts to plain values), so a container whose resources were an
// alias read as one without limits or requests. Lookups by key on the parsed nodes, kept for their lines.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';

/** Merge keys followed at most from one mapping (a merge of a merge of …); one that merges itself ends. */
const MAX_MERGE_DEPTH = 16;

const ABSENT = Symbol('absent');

export interface ResolvedYaml {
  /** `node` itself, or what it refers to when it is an alias (undefined: an anchor never defined). */
  deref(node: unknown): unknown;
  /** The node at `path` under `node`, aliases followed and merge keys read; undefined when a key is absent. */
  nodeAt(node: unknown, path: readonly string[]): unknown;
  /** As nodeAt, a scalar's plain value (YAMLMap.getIn's answer). */
  valueAt(node: unknown, path: readonly string[]): unknown;
  /** Whether the path's last key is there, even without a value (YAMLMap.hasIn's answer). */
  hasAt(node: unknown, path: readonly string[]): boolean;
  /**
   * The aliases naming no anchor defined before them in the document: Kubernetes refuses the file ("unknown
   * anchor"), and the yaml library says nothing of them until it converts them.
   */
  unknownAliases(): Alias[];
}

/** The lookups for one parsed document. */
export function resolvedYaml(document: Document.Parsed): ResolvedYaml {
  let targets: Map<unknown, Node | undefined> | undefined;
  // One pass in document order: an alias refers to the last node anchored by its name before it.
  const aliasTargets = () => {
    if (targets) return targets;
    const found = new Map<unknown, Node | undefined>();
    const anchored = new Map<string, Node>();
    visit(document, {
      Node: (_key, node) => {
        if (isAlias(node)) found.set(node, anchored.get(node.source));
        else if (node.anchor) anchored.set(node.anchor, node);
      },
    });
    targets = found;
    return found;
  };
  const deref = (node: unknown): unknown => (isAlias(node) ? aliasTargets().get(node) : node);

  const isMergeKey = (key: unknown) =>
    isScalar(key) && key.value === '<<' && (key.type === undefined || key.type === 'PLAIN');

  /** The value of `key` in `map`: its own pair first, then the maps its merge keys name, in their order. */
  function valueOf(map: YAMLMap, key: string, seen: Set<YAMLMap>): unknown {
    if (seen.has(map) || seen.size > MAX_MERGE_DEPTH) return ABSENT;
    seen.add(map);
    for (const pair of map.items) {
      const name = isScalar(pair.key) ? pair.key.value : pair.key;
      if (name === key && !isMergeKey(pair.key)) return pair.value;
    }
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const source = deref(pair.value);
      const sources = isSeq(source) ? source.items.map(deref) : [source];
      for (const merged of sources) {
        if (!isMap(merged)) continue;
        const value = valueOf(merged, key, seen);
        if (value !== ABSENT) return value;
      }
    }
    return ABSENT;
  }

  function lookup(node: unknown, path: readonly string[]): unknown {
    let current = deref(node);
    for (const key of path) {
      if (!isMap(current)) return ABSENT;
      const value = valueOf(current, key, new Set());
      if (value === ABSENT) return ABSENT;
      current = deref(value);
    }
    return current;
  }

  return {
    deref,
    nodeAt: (node, path) => {
      const found = lookup(node, path);
      return found === ABSENT ? undefined : found;
    },
    valueAt: (node, path) => {
      const found = lookup(node, path);
      if (found === ABSENT) return undefined;
      return isScalar(found) ? found.value : found;
    },
    hasAt: (node, path) => lookup(node, path) !== ABSENT,
    unknownAliases: () =>
      [...aliasTargets()].filter(([, target]) => target === undefined).map(([alias]) => alias as Alias),
  };
}
