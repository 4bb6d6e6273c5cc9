// Config validation benchmark: prints figures, asserts nothing. Run with Node 24: `node bench/config.ts`.
// Validation must grow linearly with the input (10,000 entries well under a second once warm) and refuse
// input over the caps (src/config/limits.ts) in milliseconds.
import { CONFIG_LIMITS } from '../src/config/limits.ts';
import { parseConfig } from '../src/config/load.ts';
import { SHELL_SHAPES, shapeConfig } from './shell-shapes.ts';

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

// ---- environments sharing one analysis: each environment is checked with the top-level analysis, whose
// templates, checks and metrics used to be parsed and walked again per environment (environments x metrics:
// 2,000 x 1,000 took 12 s in the CLI, 5,000 x 2,000 over a minute). Every fourth environment is another's staging.
const sharedAnalysis = (environments: number, metrics: number): string =>
  `${TARGET}    switch: ./switch.sh {{slot}}
analysis:
  providers: { prom: { type: prometheus, url: "http://prometheus:9090" } }
  metrics:
${Array.from({ length: metrics }, (_, i) => `    m${i}: { provider: prom, query: 'sum(increase(x_total{version="{{version}}"}[1m]))' }\n`).join('')}  checks:
${Array.from({ length: metrics }, (_, i) => `    - check: "m${i} < 100"\n`).join('')}environments:
${Array.from({ length: environments }, (_, i) => `  e${i}: { strategy: ${i % 2 ? 'blue-green' : 'direct'}${i % 4 === 0 && i + 1 < environments ? `, staging: e${i + 1}` : ''} }\n`).join('')}`;

console.log('environments sharing one analysis (environments x metrics)');
for (const [environments, metrics] of [
  [200, 100],
  [2_000, 1_000],
  [5_000, 2_000],
] as const) {
  const text = sharedAnalysis(environments, metrics);
  const { ms, result } = time(text);
  console.log(
    `  ${`${environments.toLocaleString('en')} x ${metrics.toLocaleString('en')}`.padStart(13)}, ${(text.length / 1024).toFixed(0).padStart(4)} KB: ${ms.toFixed(0).padStart(5)} ms (${result})`,
  );
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

// ---- adversarial shell scripts: a `shell: true` deploy command of each shape (bench/shell-shapes.ts) --------
// A check that reads the script again per use, variable, command or word shows as time growing faster than
// the script; past the bound on the work of a check (src/targets/budget.ts) the script is refused as too
// complex, in about the time the bound allows. A shape stops growing once a size takes more than 20 s.
console.log(
  '\nshell scripts (target.commands.deploy with shell: true; "too complex": refused past the work bound)',
);
for (const [name, shape] of Object.entries(SHELL_SHAPES)) {
  console.log(`  ${name}`);
  for (const kb of [10, 40, 100, 200, 1024]) {
    const { text, units } = shapeConfig(shape, kb * 1024);
    const started = performance.now();
    const parsed = parseConfig(text, 'deploy.yml');
    const ms = performance.now() - started;
    const result = parsed.ok
      ? 'valid'
      : parsed.errors.some((e) => e.message.includes('too complex to check'))
        ? 'too complex'
        : `${parsed.errors.length} error(s)`;
    console.log(
      `    ${(text.length / 1024).toFixed(0).padStart(5)} KB, ${String(units).padStart(6)} units: ${ms.toFixed(0).padStart(6)} ms (${result})`,
    );
    if (ms > 20_000) break;
  }
}

// ---- the environments curve (issue 16): in process, then the CLI's `validate` as a user starts it -----------

/** One realistic environment: a strategy, approvals, a window, variables, analysis thresholds. */
const environment = (i: number, total: number): string =>
  `  env${i}:
    strategy: { type: canary, steps: [5, 25, 50, 100], pause: 1m }
${i + 1 < total ? `    staging: env${i + 1}\n` : ''}    approvals:
      approvers: [alice, bob, acme/sre]
      required: 2
      windows:
        - { days: [mon, tue, wed, thu], start: "09:00", end: "16:00" }
    variables:
      region: eu-west-${i}
      replicas: "${3 + (i % 5)}"
    monitor: 5m
`;
const ENV_TARGET = `${TARGET}    set_weight: ./weight.sh {{weight}}\n`;
const withEnvironments = (n: number): string =>
  `${ENV_TARGET}environments:\n${Array.from({ length: n }, (_, i) => environment(i, n)).join('')}`;
const COUNTS = [2, 200];

console.log('\nenvironments (in process, warm: median of 5; memory: the CLI figures below)');
for (const n of COUNTS) {
  const text = withEnvironments(n);
  const first = time(text);
  if (first.result !== 'valid')
    throw new Error(`the ${n}-environment bench config is not valid: ${first.result}`);
  const runs = Array.from({ length: 5 }, () => time(text).ms).sort((a, b) => a - b);
  console.log(
    `  ${String(n).padStart(4)} environments, ${(text.length / 1024).toFixed(0).padStart(3)} KB: ${runs[2]!.toFixed(1).padStart(6)} ms`,
  );
}

// The CLI cold: `deploy-action validate` in a new process (the built launcher, dist/cli/index.js) against bare
// `node -e 0`, alternating A B A B; wall time to exit and peak RSS (reported by the process as it exits).
const { spawnSync } = await import('node:child_process');
const { existsSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const cli = new URL('../dist/cli/index.js', import.meta.url).pathname;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const { PEAK_RSS_KIB } = await import('./startup.ts');
const reportRss = `data:text/javascript,${encodeURIComponent(`process.on('exit',()=>process.stderr.write('\\nmaxrss='+${PEAK_RSS_KIB}+'\\n'))`)}`;

function cold(args: string[]): { ms: number; rssMiB: number; status: number | null } {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', reportRss, ...args], { encoding: 'utf8' });
  const ms = performance.now() - started;
  const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, rssMiB: kb / 1024, status: r.status };
}

if (!existsSync(cli))
  console.log('\n(dist/cli/index.js is missing: `npm run build` first for the CLI figures)');
else {
  const dir = mkdtempSync(join(tmpdir(), 'bench-config-'));
  try {
    const cases: Array<[string, string[]]> = [['bare node -e 0', ['-e', '0']]];
    for (const n of COUNTS) {
      const file = join(dir, `deploy-${n}.yml`);
      writeFileSync(file, withEnvironments(n));
      cases.push([`validate, ${n} environments`, [cli, 'validate', '--config', file]]);
    }
    const samples = new Map<string, Array<ReturnType<typeof cold>>>(cases.map(([name]) => [name, []]));
    for (let i = 0; i < REPEATS; i++)
      for (const [name, args] of cases) {
        const run = cold(args);
        if (run.status !== 0) throw new Error(`${name} exited with ${run.status}`);
        samples.get(name)!.push(run);
      }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const bare = median(samples.get('bare node -e 0')!.map((s) => s.ms));
    console.log(`\nCLI cold start (median of ${REPEATS}, alternating; target: validate <= 3x bare node)`);
    for (const [name] of cases) {
      const runs = samples.get(name)!;
      const ms = median(runs.map((s) => s.ms));
      const rss = median(runs.map((s) => s.rssMiB));
      const ratio = ms / bare;
      const verdict = name.startsWith('validate') ? `  ${ratio <= 3 ? 'met' : 'NOT met'}` : '';
      console.log(
        `  ${name.padEnd(28)} ${ms.toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)}x bare${verdict}  peak RSS ${rss.toFixed(0)} MiB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
