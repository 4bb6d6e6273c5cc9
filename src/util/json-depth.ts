// How deep a parsed JSON value nests. JSON.parse reads any depth (its parser does not recurse), but what walks
// the value afterwards does (JSON.stringify for a message, textOf, a structured clone): a value thousands of
// levels deep, from a broken or hostile server or command, overflows the stack there, a RangeError thrown far
// from where the text was read.

/** Whether `value` holds lists or objects nested more than `max` levels deep. Walked without recursion. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const nests = (node: unknown): node is object => node !== null && typeof node === 'object';
  if (!nests(value)) return false;
  // Lists and objects only, each with its depth (1: the value itself): a sample's numbers are not pushed.
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (nests(child)) stack.push([child, depth + 1]);
  }
  return false;
}
