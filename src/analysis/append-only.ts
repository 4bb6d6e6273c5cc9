// An append-only list of numbers that successive judge states share. The judge is pure (a state, once made,
// never changes), so copying a window's list at every interval made a replay quadratic in the window's length
// (20 000 one-minute samples: 40 s; 100 000: hours). A linked list from the newest item back: appending makes
// one node and leaves every older state's list as it was.

export type AppendOnly = {
  readonly last: number;
  readonly before: AppendOnly;
  readonly length: number;
} | null;

export const append = (list: AppendOnly, value: number): AppendOnly => ({
  last: value,
  before: list,
  length: (list?.length ?? 0) + 1,
});

/** The items, oldest first (a new array: the caller may sort it). */
export function itemsOf(list: AppendOnly): number[] {
  const items = new Array<number>(list?.length ?? 0);
  for (let node = list, i = items.length - 1; node; node = node.before, i--) items[i] = node.last;
  return items;
}
