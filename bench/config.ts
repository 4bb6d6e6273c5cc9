// Config validation benchmark: prints figures, asserts nothing. Run with Node 24: `node bench/config.ts`.
// Validation must grow linearly with the input (10,000 entries well under a second once warm) and refuse
// input over the caps (src/config/limits.ts) in milliseconds.
import { CONFIG_LIMITS } from '../src/config/limits.ts';
import { parseConfig } from '../src/config/load.ts';

const TARGET = 'target:\n  commands:\n    deploy: ./deploy.sh {{version}}\n';

const shapes: Record<string, (n: number) => string> = {
  'environments chained by staging': (n) =>
    `${TARGET}environments:\n${Array.from({ length: n }, (_, i) => `  e${i}: { staging: e${i + 1} }\n`).join('')}  e${n}: {}\n`,
  'variables of one environment': (n) =>
    `${TARGET}environments:\n  p:\n    variables:\n${Array.from({ length: n }, (_, i) => `      v${i}: x\n`).join('')}`,
  'rolling instances': (n) =>
    `${TARGET}environments:\n  p:\n    strategy: { type: rolling, instances: [${Array.from({ length: n }, (_, i) => `i${i}`).join(', ')}] }\n`,
  'environments with a misspelt key (errors)': (n) =>
    `${TARGET}environments:\n${Array.from({ length: n }, (_, i) => `  e${i}: { tpye: x }\n`).join('')}`,
};

function time(text: string): { ms: number; result: string } {
  const started = performance.now();
  const parsed = parseConfig(text, 'deploy.yml');
  const ms = performance.now() - started;
  return { ms, result: parsed.ok ? 'valid' : `${parsed.errors.length} error(s)` };
}

const warm = shapes['variables of one environment']!(1000);
for (let i = 0; i < 3; i++) time(warm);

for (const [name, make] of Object.entries(shapes)) {
  console.log(name);
  for (const n of [1_000, 10_000, 20_000]) {
    const text = make(n);
    const { ms, result } = time(text);
    console.log(
      `  ${String(n).padStart(6)} entries, ${(text.length / 1024).toFixed(0).padStart(4)} KB: ${ms.toFixed(0).padStart(5)} ms (${result})`,
    );
  }
}

console.log('over the caps');
for (const [name, text] of Object.entries({
  '5 MB of "["': '['.repeat(5 * 1024 * 1024),
  [`${CONFIG_LIMITS.bytes} bytes of "["`]: '['.repeat(CONFIG_LIMITS.bytes),
  [`${CONFIG_LIMITS.nodes + 1} list items`]: `x: [${Array.from({ length: CONFIG_LIMITS.nodes + 1 }, () => '1').join(',')}]\n`,
})) {
  const { ms, result } = time(text);
  console.log(`  ${name}: ${ms.toFixed(0)} ms (${result})`);
}
