// A name with an invisible character in it: one a person typed back from what the product showed. The job
// summary breaks long names with a zero-width space so its tables wrap (src/report/markdown.ts, wrappable),
// and a name copied from it carries that character, which no terminal or editor shows: "unknown environment
// "production"" for a name that reads exactly like one defined. Every format character (Unicode category Cf:
// zero-width space, joiners, word joiner, byte order mark, soft hyphen, bidirectional controls) counts: none
// belongs in a name, and none can be seen. No imports: the config, the CLI and the App use it.

const FORMAT = /\p{Cf}/u;
const FORMATS = /\p{Cf}/gu;

/** The first invisible character of `name`: its position (1-based, in characters) and code; how many. */
export function invisibleCharacter(
  name: string,
): { position: number; code: string; count: number; without: string } | undefined {
  if (!FORMAT.test(name)) return undefined;
  const chars = [...name];
  const index = chars.findIndex((char) => FORMAT.test(char));
  return {
    position: index + 1,
    code: `U+${chars[index]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
    count: chars.filter((char) => FORMAT.test(char)).length,
    without: name.replace(FORMATS, ''),
  };
}

/** `name` with every invisible character written as an escape (`\u200b`), so a message shows where it is. */
export function showInvisible(name: string): string {
  return name.replace(FORMATS, (char) => {
    const code = char.codePointAt(0)!;
    // Past U+FFFF (a tag character) as \u{e0001}: "\ue0001" would read as \ue000 and a "1".
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Why `name` is refused when it holds an invisible character, in words: which, where, where it likely came
 * from and what the name reads without it; undefined when it holds none. `what`: "environment name", ...
 */
export function invisibleNameProblem(name: string, what = 'name'): string | undefined {
  const found = invisibleCharacter(name);
  if (!found) return undefined;
  const more = found.count > 1 ? ` (and ${found.count - 1} more)` : '';
  return (
    `the ${what} "${showInvisible(name)}" contains an invisible character (${found.code}) at position ` +
    `${found.position}${more}, probably copied from a job summary, which breaks long names with one: ` +
    `without it, it reads "${found.without}"`
  );
}
