// For tests that give every field of an input another kind of value, one at a time: the paths to every value
// of a parsed document, and a copy of it with one of them replaced.

export type ValuePath = (string | number)[];

/** The path of every value in `value` (mapping values and list items, nested ones too), parents first. */
export function valuePaths(value: unknown, at: ValuePath = []): ValuePath[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...at, i], ...valuePaths(item, [...at, i])]);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [[...at, key], ...valuePaths(item, [...at, key])]);
  return [];
}

/** A deep copy of `doc` whose value at `path` is `value` (defined as an own property, whatever its key). */
export function withValueAt<T>(doc: T, path: ValuePath, value: unknown): T {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  Object.defineProperty(node, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
  return copy as T;
}
