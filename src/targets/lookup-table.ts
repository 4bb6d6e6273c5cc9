// Tables the checks look up by a word of the command (a program's name, a subcommand, an option): with
// Object.prototype behind them, a word such as "constructor", "toString" or "__proto__" found its function
// there, and the check crashed (`deploy: valueOf {{version}}` stopped validate with a TypeError) instead of
// reading the word as the unknown name it is. The table and the plain objects in it lose their prototype; a
// getter (a table read lazily, launchers.ts) is kept as it is, never called here.
export function lookupTable<T extends object>(table: T): T {
  const seen = new Set<object>();
  const strip = (value: object): void => {
    if (seen.has(value)) return;
    seen.add(value);
    Object.setPrototypeOf(value, null);
    for (const key of Object.keys(value)) {
      const field = Object.getOwnPropertyDescriptor(value, key)!;
      if (!('value' in field)) continue;
      const inner: unknown = field.value;
      if (inner !== null && typeof inner === 'object' && Object.getPrototypeOf(inner) === Object.prototype)
        strip(inner);
    }
  };
  strip(table);
  return table;
}
