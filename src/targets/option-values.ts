// Where an option's values are among a command's words, in the usual spellings.

/** `--opt VALUE`, `--opt=VALUE`, `-o VALUE` or `-oVALUE` for any of `names`: where each value is. */
export function optionValues(
  words: readonly string[],
  from: number,
  names: readonly string[],
): Array<{ index: number; from: number }> {
  const found: Array<{ index: number; from: number }> = [];
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    for (const name of names) {
      if (word === name && j + 1 < words.length) found.push({ index: ++j, from: 0 });
      else if (name.startsWith('--') && word.startsWith(`${name}=`))
        found.push({ index: j, from: name.length + 1 });
      else if (name.length === 2 && word.startsWith(name) && word.length > 2 && !word.startsWith('--'))
        found.push({ index: j, from: 2 });
      else continue;
      break;
    }
  }
  return found;
}
