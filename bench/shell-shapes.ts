// Adversarial but ordinary shell scripts for the config validation benchmark (bench/config.ts): each shape
// repeats one construct a script may hold many of, so a check that reads the script again per use, per
// variable, per command or per word shows as time growing faster than the script. `script(shape, bytes)`
// repeats the shape's unit until the script is about `bytes` long; `config(script)` puts it in a config as
// `target.commands.deploy` (a block scalar), as a PR could.
import { CONFIG_LIMITS } from '../src/config/limits.ts';

export type Shape = {
  /** Written once before the units. */
  head?: string;
  /** The i-th unit (a line or a few). */
  unit: (i: number) => string;
  /** Written once after the units, given how many there were (closing what they opened). */
  tail?: (count: number) => string;
};

export const SHELL_SHAPES: Record<string, Shape> = {
  'uses of one program variable': {
    head: 'P=./deploy.sh\n',
    unit: (i) => `"$P" "{{version}}" ${i}\n`,
  },
  'distinct variables, each assigned and used': {
    unit: (i) => `V${i}=x${i}; echo "$V${i}" "{{version}}"\n`,
  },
  'distinct program variables, each run': {
    unit: (i) => `P${i}=./deploy${i}.sh; "$P${i}" "{{version}}"\n`,
  },
  'assignments of one variable from itself': {
    head: 'A=x\n',
    unit: (i) => `A="$A:${i}"\n`,
    tail: () => 'echo "$A" "{{version}}"\n',
  },
  'templates in assigned values': {
    unit: (i) => `V${i}="{{version}}"; echo "$V${i}"\n`,
  },
  'functions defined and called': {
    unit: (i) => `f${i}() { echo "$1" "{{version}}"; }\nf${i} a${i}\n`,
  },
  'here-documents': {
    unit: (i) => `cat <<EOF${i}\nline ${i} {{version}}\nEOF${i}\n`,
  },
  'nested if': {
    unit: (i) => `if [ -n "{{version}}" ]; then echo ${i}\n`,
    tail: (n) => 'fi\n'.repeat(n),
  },
  'nested for/while/case': {
    unit: (i) =>
      i % 3 === 0
        ? `for x${i} in a b; do\n`
        : i % 3 === 1
          ? `while [ -n "{{version}}" ]; do\n`
          : `case "{{version}}" in\nv*)\n`,
    tail: (n) =>
      Array.from({ length: n }, (_, k) => n - 1 - k)
        .map((i) => (i % 3 === 2 ? ';;\nesac\n' : 'done\n'))
        .join(''),
  },
  'nested subshells and groups': {
    unit: (i) => (i % 2 === 0 ? `( echo "{{version}}"\n` : `{ echo ${i}\n`),
    tail: (n) =>
      Array.from({ length: n }, (_, k) => n - 1 - k)
        .map((i) => (i % 2 === 0 ? ')\n' : '}\n'))
        .join(''),
  },
  'one long pipeline': {
    head: 'echo "{{version}}"',
    unit: (i) => ` | grep -v x${i}`,
    tail: () => '\n',
  },
  'one long command line': {
    head: './deploy.sh',
    unit: (i) => ` "{{version}}" a${i}`,
    tail: () => '\n',
  },
  'eval, trap and bash -c': {
    unit: (i) =>
      i % 3 === 0
        ? `eval "echo ${i}"\n`
        : i % 3 === 1
          ? `trap 'echo ${i}' EXIT\n`
          : `bash -c 'echo "$1"' _ "{{version}}"\n`,
  },
  'loops running functions defined later': {
    unit: (i) => `for x in a; do g${i} "{{version}}"; done\ng${i}() { echo "$1"; }\n`,
  },
  'cd, read and export': {
    unit: (i) =>
      i % 3 === 0
        ? `cd /srv/app${i}\n`
        : i % 3 === 1
          ? `read -r R${i} <<< "{{version}}"; echo "$R${i}"\n`
          : `export E${i}="{{version}}"\n`,
  },
  'tools with options': {
    unit: (i) =>
      [
        `docker run --rm img:${i} echo "{{version}}"\n`,
        `kubectl set image deploy/app${i} app="img:{{version}}"\n`,
        `ssh host${i} ./deploy.sh "{{version}}"\n`,
        `curl -fsS https://example.com/${i} -d "v={{version}}"\n`,
        `git tag "v{{version}}-${i}"\n`,
      ][i % 5]!,
  },
  'functions each calling the one before twice': {
    head: 'f0() { echo "$1"; }\n',
    unit: (i) => `f${i + 1}() { f${i} "$1"; f${i} "$1"; }\n`,
    tail: (n) => `f${n} "{{version}}"\n`,
  },
  'ssh running ssh running ssh': {
    unit: (i) => `ssh host${i} `,
    tail: () => './deploy.sh "{{version}}"\n',
  },
  'arithmetic and arrays': {
    unit: (i) => `N${i}=$(( ${i} + 1 )); A${i}=(a "{{version}}"); echo "\${A${i}[@]}" "$N${i}"\n`,
  },
};

/** The shape's script, about `bytes` long (whole units), and how many units it has. */
export function script(shape: Shape, bytes: number): { text: string; units: number } {
  const parts: string[] = [shape.head ?? ''];
  let length = parts[0]!.length;
  let units = 0;
  while (length < bytes) {
    const unit = shape.unit(units);
    parts.push(unit);
    length += unit.length;
    units++;
  }
  if (shape.tail) parts.push(shape.tail(units));
  return { text: parts.join(''), units };
}

/** The shape's script in a config (config below) of about `bytes`, at most CONFIG_LIMITS.bytes. */
export function shapeConfig(shape: Shape, bytes: number): { text: string; units: number } {
  let target = bytes;
  for (;;) {
    const made = script(shape, target);
    const text = config(made.text);
    if (Buffer.byteLength(text) <= Math.min(bytes, CONFIG_LIMITS.bytes) || target < 1024)
      return { text, units: made.units };
    target = Math.floor((target * Math.min(bytes, CONFIG_LIMITS.bytes)) / Buffer.byteLength(text)) - 64;
  }
}

/** A config whose deploy command is the script, as a block scalar. */
export function config(script: string): string {
  const body = script
    .split('\n')
    .map((line) => (line === '' ? '' : `      ${line}`))
    .join('\n');
  return `target:\n  shell: true\n  commands:\n    deploy: |\n${body}\nenvironments:\n  production: {}\n`;
}
