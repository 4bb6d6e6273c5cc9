// What tells several series apart, for the message of a query that returned more than the one series a
// metric reads: the labels whose values differ between them (or that only some have), each with a few of its
// values, so the author can see what to aggregate away (`sum without (instance)`) or select on.

/** Labels named at most, and values shown per label. */
const MAX_LABELS = 5;
const MAX_VALUES = 3;

/** A label value as shown in a message: quoted, control characters escaped, cut short. */
function quoted(value: string | undefined): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
  // JSON.stringify escapes C0 controls and quotes; DEL, C1 and the line separators are escaped too.
  return text.replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A label name as shown: names Prometheus accepts are plain; anything else is quoted. */
function named(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,59}$/.test(name) ? name : quoted(name);
}

/**
 * The labels that differ between the series (absent counts as a value), in name order, e.g.
 * `code ("200", "500") and instance ("a:9090", "b:9090", 1 more)`; `no label` when none differs (series
 * with the same labels: a broken answer).
 */
export function differingLabels(series: ReadonlyArray<Record<string, string>>): string {
  const names = [...new Set(series.flatMap((labels) => Object.keys(labels)))].sort();
  const differing: string[] = [];
  for (const name of names) {
    const values = [
      ...new Set(series.map((labels) => (Object.hasOwn(labels, name) ? labels[name] : undefined))),
    ];
    if (values.length < 2) continue;
    // Present values first in their order; "absent" last.
    values.sort((a, b) => (a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : a > b ? 1 : 0));
    const shownValues = values.slice(0, MAX_VALUES).map(quoted);
    if (values.length > MAX_VALUES) shownValues.push(`${values.length - MAX_VALUES} more`);
    differing.push(`${named(name)} (${shownValues.join(', ')})`);
  }
  if (differing.length === 0) return 'no label';
  const listed = differing.slice(0, MAX_LABELS);
  if (differing.length > MAX_LABELS) listed.push(`${differing.length - MAX_LABELS} more labels`);
  return listed.length === 1 ? listed[0]! : `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}`;
}

/** `differing in <labels>`, or `all with the same labels` when none differs. */
export function howSeriesDiffer(series: ReadonlyArray<Record<string, string>>): string {
  const differ = differingLabels(series);
  return differ === 'no label' ? 'all with the same labels' : `differing in ${differ}`;
}

/**
 * The message for several series where one is expected (`at`: the time read, for a read back in time;
 * `count`: how many there were, when `series` lists only some of them).
 */
export function manySeriesMessage(
  series: ReadonlyArray<Record<string, string>>,
  query: string,
  at?: number,
  count = series.length,
): string {
  const how = howSeriesDiffer(series);
  const when = at === undefined ? '' : ` at ${new Date(at).toISOString()}`;
  return `${count} series returned${when} where one is read, ${how}: aggregate them (sum(), max() or avg(), e.g. sum without (<those labels>) (...)) or select one with a label matcher: ${query}`;
}
