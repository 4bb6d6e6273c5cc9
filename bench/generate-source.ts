// Generated source-like files for the secrets benches (bench/gates.ts, bench/secrets.ts); imports nothing,
// so a bench child that measures memory loads only what it measures.

/** Source-like text: identifiers, comments, some secret-like names and a few real-looking secrets. */
export function generateFile(seed: number, targetBytes: number): string {
  const lines: string[] = [];
  let size = 0;
  let state = seed;
  const rand = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const word = () => Math.floor(rand() * 36 ** 6).toString(36);
  while (size < targetBytes) {
    const pick = rand();
    let line: string;
    if (pick < 0.5)
      line = `  const ${word()}Value = compute${word()}(${word()}, ${word()}, options.${word()});`;
    else if (pick < 0.7)
      line = `  // ${word()} ${word()} ${word()} handles the ${word()} case before ${word()}`;
    else if (pick < 0.8)
      line = `  if (${word()}.length > ${Math.floor(rand() * 100)}) return ${word()}.map((x) => x.${word()});`;
    else if (pick < 0.85) line = `  const token = await getToken(${word()}); // auth header for ${word()}`;
    else if (pick < 0.9) line = `  password: process.env.${word().toUpperCase()}_PASSWORD,`;
    else if (pick < 0.9005)
      line = `  apiKey: '${['sk', 'live', word() + word() + word() + word()].join('_')}',`;
    else line = `  data = '${Buffer.from(word() + word() + word()).toString('base64')}';`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}
