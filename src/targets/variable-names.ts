// The words of a bash builtin that name a variable: unset's, read's, printf -v's, mapfile's, wait -p's, getopts',
// test -v's, and the names (and nameref targets) of declare and its kin. A value there chooses the variable,
// any one (a secret read back, PATH unset), and bash evaluates the subscript of a name such as a[$(id)] as an
// arithmetic expression, which runs the $(…) in it. Pure.

export interface NamedVariable {
  /** The word naming the variable. */
  index: number;
  /** Only the part before the word's first `=` names it (declare NAME=VALUE); `value`: only the part after. */
  part: 'whole' | 'name' | 'value';
  /** What names it there, for messages: `unset`, `printf -v`, `declare -n`, … */
  how: string;
}

const DECLARATIONS = new Set(['declare', 'typeset', 'local', 'readonly', 'export']);

/**
 * The words naming variables in the simple command `texts` (as the program reads them) whose program is at
 * `at`. Options with a value of their own are passed over; `--` ends the options.
 */
export function namedVariables(texts: readonly string[], at: number): NamedVariable[] {
  const program = texts[at];
  const named: NamedVariable[] = [];
  if (program === undefined) return named;
  /** The operands after the options; `valued` are the options' letters taking a value apart or attached. */
  const scan = (valued: string, onOption: (letter: string, value: number) => void): number[] => {
    const operands: number[] = [];
    let options = true;
    for (let j = at + 1; j < texts.length; j++) {
      const text = texts[j]!;
      if (options && text === '--') {
        options = false;
        continue;
      }
      if (options && /^-[A-Za-z]/.test(text)) {
        for (let k = 1; k < text.length; k++) {
          const letter = text[k]!;
          if (!valued.includes(letter)) continue;
          if (k + 1 < text.length)
            onOption(letter, -(j + 1)); // attached: the rest of this word
          else onOption(letter, ++j);
          break;
        }
        continue;
      }
      options = false;
      operands.push(j);
    }
    return operands;
  };
  const whole = (index: number, how: string) => {
    if (index >= 0 && index < texts.length) named.push({ index, part: 'whole', how });
    // An option's value attached to it (printf -vNAME): the word itself, its option letters fixed text.
    else if (index < 0) named.push({ index: -index - 1, part: 'whole', how });
  };
  switch (program) {
    case 'unset': {
      const functions = texts.slice(at + 1).some((t) => /^-[a-z]*f/.test(t));
      const operands = scan('', () => {});
      if (!functions) for (const j of operands) whole(j, 'unset');
      break;
    }
    case 'read': {
      const operands = scan('dinNptua', (letter, value) => {
        if (letter === 'a') whole(value, 'read -a');
      });
      for (const j of operands) whole(j, 'read');
      break;
    }
    case 'mapfile':
    case 'readarray': {
      const operands = scan('dnOsuCc', () => {});
      for (const j of operands) whole(j, program);
      break;
    }
    case 'printf':
      scan('v', (_, value) => whole(value, 'printf -v'));
      break;
    case 'wait':
      scan('p', (_, value) => whole(value, 'wait -p'));
      break;
    case 'getopts': {
      const operands = scan('', () => {});
      if (operands[1] !== undefined) whole(operands[1], 'getopts');
      break;
    }
    case 'test':
    case '[':
    case '[[':
      for (let j = at + 1; j + 1 < texts.length; j++) if (texts[j] === '-v') whole(j + 1, `${program} -v`);
      break;
    default:
      if (DECLARATIONS.has(program)) {
        const nameref = texts.slice(at + 1).some((t) => /^-[A-Za-z]*n/.test(t));
        // Which of them only print or name functions, assigning nothing: declare/typeset/local -p, -f, -F,
        // and export/readonly -f. export -p NAME=VALUE and readonly -p NAME=VALUE assign (bash 5.2).
        const printing = program === 'export' || program === 'readonly' ? /^-[A-Za-z]*f/ : /^-[A-Za-z]*[pfF]/;
        const reading = texts.slice(at + 1).some((t) => printing.test(t));
        for (const j of scan('', () => {})) {
          // declare NAME=VALUE: the part before the first fixed `=` is the name, and bash evaluates a subscript
          // of it (a[$(id)]=1). A word without one takes its `=` from the value: export {{x}} given
          // BASH_ENV=/tmp/x or PATH=/tmp/evil sets that variable, so then the whole word names it.
          if (!reading) named.push({ index: j, part: 'name', how: program });
          // declare -p NAME prints the variable it names, a secret among them.
          else if (texts.slice(at + 1).some((t) => /^-[A-Za-z]*p/.test(t)))
            named.push({ index: j, part: 'whole', how: `${program} -p` });
          // declare -n r=TARGET: r names TARGET, any variable.
          if (nameref && texts[j]!.includes('='))
            named.push({ index: j, part: 'value', how: `${program} -n` });
          else if (nameref) named.push({ index: j, part: 'whole', how: `${program} -n` });
        }
      }
  }
  return named;
}
