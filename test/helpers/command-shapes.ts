// Builds the corpus of the argv / shell-line differential test (test/unit/targets/argv-line-parity.test.ts):
// the command shapes written in the tests of test/unit/targets, accepted and refused alike. A shape is an argv
// with a template in it: an array of string literals whose first word may name a program, or a string literal
// holding a template that splitCommand splits into such an argv (its text is kept as the line it was written
// as). At most PER_FILE shapes of each test file, spread over it, so that the test stays quick (every shape of
// every file, about 5,000, take a minute). Run it again when those tests change:
//   node test/helpers/command-shapes.ts > test/fixtures/targets/command-shapes.json
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { splitCommand } from '../../src/targets/command-line.ts';

export interface CommandShape {
  argv: string[];
  /** The command line the shape was written as, when it was written as one. */
  line?: string;
  /** The test file it comes from. */
  from: string;
}

const DIR = join(import.meta.dirname, '../unit/targets');
const TEMPLATE = /\{\{\s*[A-Za-z_]\w*\s*\}\}/;
const PROGRAM = /^[\w./+{}-]+$/;
const PER_FILE = 15;
const literal = (node: ts.Node): string | undefined =>
  ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
const argvOf = (node: ts.Node): string[] | undefined => {
  if (!ts.isArrayLiteralExpression(node) || node.elements.length === 0) return undefined;
  const words = node.elements.map(literal);
  return words.every((word) => word !== undefined) && PROGRAM.test(words[0]!)
    ? (words as string[])
    : undefined;
};

function shapes(): CommandShape[] {
  const seen = new Set<string>();
  const chosen: CommandShape[] = [];
  for (const file of readdirSync(DIR)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()) {
    const found: CommandShape[] = [];
    const add = (shape: CommandShape) => {
      const key = JSON.stringify(shape.argv);
      if (!seen.has(key)) found.push(shape);
      seen.add(key);
    };
    const source = ts.createSourceFile(
      file,
      readFileSync(join(DIR, file), 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node): void => {
      const argv = argvOf(node);
      if (argv?.some((word) => TEMPLATE.test(word))) add({ argv, from: file });
      const text = literal(node);
      if (text !== undefined && TEMPLATE.test(text) && !(node.parent && argvOf(node.parent))) {
        let split: ReturnType<typeof splitCommand> | undefined;
        try {
          split = splitCommand(text);
        } catch {
          split = undefined;
        }
        if (split?.ok && split.argv.length >= 2 && PROGRAM.test(split.argv[0]!))
          add({ argv: split.argv, line: text, from: file });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    const step = Math.max(1, found.length / PER_FILE);
    for (let k = 0; k < found.length; k += step) chosen.push(found[Math.floor(k)]!);
  }
  return chosen;
}

if (import.meta.main)
  process.stdout.write(
    `[\n${shapes()
      .map((shape) => JSON.stringify(shape))
      .join(',\n')}\n]\n`,
  );
