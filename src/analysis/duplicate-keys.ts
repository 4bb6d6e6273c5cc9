// A key written twice in one object of a JSON text. JSON.parse keeps the last value without a word, so a
// recording edited by hand with `"error_rate": 0.9, "error_rate": 0.01` would be judged on whichever came
// last. Pure; the text is one JSON.parse has already read (valid JSON).

/** Where in the text's value a key is written a second time: the object's path and the key. */
export interface DuplicateKey {
  path: Array<string | number>;
  key: string;
}

interface Frame {
  /** An object's keys so far; undefined for an array. */
  keys?: Set<string>;
  /** The key or index the frame's current value sits under in its parent. */
  at: string | number | undefined;
  /** An object: the next string is a key. An array: the index of the current element. */
  expectKey: boolean;
  index: number;
  /** The key whose value is being read (objects). */
  current?: string;
}

const pathOf = (stack: Frame[]): Array<string | number> => stack.slice(1).map((f) => f.at!);

/** The first key written twice in one object of `text` (valid JSON), or undefined. Linear in the text. */
export function duplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = stack.at(-1);
      const at = parent === undefined ? undefined : parent.keys ? parent.current : parent.index;
      stack.push(
        c === 0x7b ? { keys: new Set(), at, expectKey: true, index: 0 } : { at, expectKey: false, index: 0 },
      );
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; text.charCodeAt(j) !== 0x22; j++)
        if (text.charCodeAt(j) === 0x5c /* \ */) {
          escaped = true;
          j++;
        }
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        // Unescaped, so "a" and "\u0061" are one key, as JSON.parse reads them.
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key)) return { path: pathOf(stack), key };
        top.keys.add(key);
        top.current = key;
        top.expectKey = false;
      }
      i = j;
    }
  }
  return undefined;
}
