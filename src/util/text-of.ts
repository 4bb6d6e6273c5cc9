// The text of a value read from outside (a server's JSON answer, a report, a tool's output). String() of an
// object whose toString or valueOf is a key rather than a method (`{"toString": "x"}`, which any JSON may
// hold) throws a TypeError; such a value is shown as its JSON instead.

/**
 * `value` as text: strings as they are, other primitives as String() writes them, a list as String() joins
 * it (its items by textOf, empty for null and undefined), any other object as its JSON.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  if (Array.isArray(value)) return textOfList(value, new Set());
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    // A cycle or a BigInt inside: the kind is all that can be said.
    return Object.prototype.toString.call(value);
  }
}

function textOfList(list: readonly unknown[], seen: Set<unknown>): string {
  // A list holding itself is joined as String() does it: the inner occurrence is empty.
  if (seen.has(list)) return '';
  seen.add(list);
  const text = list
    .map((item) =>
      item === null || item === undefined ? '' : Array.isArray(item) ? textOfList(item, seen) : textOf(item),
    )
    .join(',');
  seen.delete(list);
  return text;
}
