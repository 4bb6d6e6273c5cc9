// Start-up of the built action and CLI beside github/branch-deploy v12 (its committed bundle, timed load-only
// as ../shared/anchors/branch-deploy-v12/README.md says) and bare node, with issue 16's targets. Figures
// only; nothing is asserted. Needs `npm run build` first.
//   node bench/startup.ts [rounds]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const anchor = resolve(root, '..', 'shared', 'anchors', 'branch-deploy-v12', 'dist', 'index.js');
const MiB = 1024 * 1024;

/**
 * An entry and the chunks it imports statically, transitively: the code a start compiles. Chunks behind a
 * dynamic import() load when a run gets there and are not counted.
 */
export function loadedAtStart(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const match of source.matchAll(/\b(?:import|export)\s*(?:[\w$*{}\s,]+from\s*)?"(\.{1,2}\/[^"]+)"/g))
    loadedAtStart(resolve(dirname(entry), match[1]!), seen);
  return seen;
}

const bytesOf = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + statSync(f).size, 0);

interface Subject {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

interface Sample {
  ms: number;
  /** Peak resident set size of the process, bytes (from a second run with an exit hook). */
  rss: number;
  /**
   * CPU time of the process, user and system, ms (from the same second run). Far steadier than `ms` on a
   * shared machine: another process's load stretches a start's wall time, not the work the start does.
   */
  cpu: number;
}

/** What a run with the exit hook reports of itself. */
interface Usage {
  rss: number;
  cpu: number;
}

/**
 * A child's own peak RSS in KiB, as a JavaScript expression for an exit hook: VmHWM of /proc/self/status (Linux).
 * Not resourceUsage().maxRSS: the kernel keeps that across exec, so a child forked from a large process
 * (bench/config.ts after its 1 MB inputs, npm run bench after the pipeline bench) reported the parent's
 * resident memory, `node -e 0` 95 MiB instead of 42. maxRSS only where there is no /proc.
 */
export const PEAK_RSS_KIB =
  '(()=>{try{const m=/VmHWM:\\s*(\\d+)/.exec(process.getBuiltinModule("node:fs").readFileSync("/proc/self/status","utf8"));' +
  'if(m)return Number(m[1])}catch{}return process.resourceUsage().maxRSS})()';

/** Spawn to exit, ms; with `rss`, the child reports its own peak RSS and CPU time on exit instead. */
function once(subject: Subject, rss: false): Promise<number>;
function once(subject: Subject, rss: true): Promise<Usage>;
function once(subject: Subject, rss: boolean): Promise<number | Usage> {
  const hook =
    'process.on("exit",()=>{const u=process.resourceUsage();' +
    `process.stderr.write("\\n@@maxrss "+${PEAK_RSS_KIB}+" "+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;
  const argv = rss
    ? ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, ...subject.argv]
    : subject.argv;
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: subject.env,
      cwd: subject.cwd,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', () => {
      const ms = performance.now() - started;
      if (!rss) return done(ms);
      const [, kb, us] = /@@maxrss (\d+) (\d+)/.exec(stderr) ?? [];
      if (kb === undefined || us === undefined)
        fail(new Error(`${subject.name} did not report its peak RSS:\n${stderr.slice(-2000)}`));
      else done({ rss: Number(kb) * 1024, cpu: Number(us) / 1000 });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** Every subject once per round, in the same order (A B C A B C ...), so load on the machine hits all alike. */
async function interleaved(subjects: Subject[], rounds: number): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]));
  for (const s of subjects) await once(s, false); // warm the file cache
  for (let i = 0; i < rounds; i++)
    for (const s of subjects)
      samples.get(s.name)!.push({ ms: await once(s, false), ...(await once(s, true)) });
  return samples;
}

/** Median of the per-round ratios a/b (of wall time, or of CPU time), with their range. */
function ratio(
  a: Sample[],
  b: Sample[],
  of: 'ms' | 'cpu' = 'ms',
): { median: number; min: number; max: number } {
  const rs = a.map((s, i) => s[of] / b[i]![of]);
  return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) };
}

export async function benchStartup(rounds = 10): Promise<void> {
  console.log('## Start-up (issue 16)');
  const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const config = join(work, 'deploy.yml');
    writeFileSync(
      config,
      'target:\n  commands:\n    deploy: ./deploy.sh {{version}}\nenvironments:\n  production: {}\n',
    );
    const comment = join(work, 'issue_comment.json');
    writeFileSync(comment, '{}');
    const dispatch = join(work, 'workflow_dispatch.json');
    writeFileSync(dispatch, '{"inputs":{}}');
    // The anchor's load-only environment (its README): no CI, so it evaluates and exits. Our action with the
    // same environment evaluates what it loads statically, then stops at the missing commit (GITHUB_SHA).
    const loadOnly = {
      PATH: '/usr/bin:/bin',
      GITHUB_EVENT_NAME: 'issue_comment',
      GITHUB_EVENT_PATH: comment,
      GITHUB_REPOSITORY: 'o/r',
    };
    const subjects: Subject[] = [
      { name: 'action, load-only', argv: [join(root, 'dist/action/index.js')], env: loadOnly },
      {
        // A start that does real work: inputs, event, the config read and validated, the plan printed.
        name: 'action, dry run of a 1-environment config',
        argv: [join(root, 'dist/action/index.js')],
        cwd: work,
        env: {
          PATH: '/usr/bin:/bin',
          GITHUB_EVENT_NAME: 'workflow_dispatch',
          GITHUB_EVENT_PATH: dispatch,
          GITHUB_REPOSITORY: 'o/r',
          GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
          GITHUB_REF: 'refs/heads/main',
          INPUT_ENVIRONMENT: 'production',
          'INPUT_DRY-RUN': 'true',
          INPUT_CONFIG: config,
        },
      },
      { name: 'branch-deploy v12, load-only', argv: [anchor], env: loadOnly },
      { name: 'bare node (-e 0)', argv: ['-e', '0'], env: { PATH: '/usr/bin:/bin' } },
      {
        name: 'CLI validate (1 environment)',
        argv: [join(root, 'dist/cli/index.js'), 'validate', '--config', config],
        env: { PATH: '/usr/bin:/bin', NO_COLOR: '1' },
      },
    ];
    if (!existsSync(anchor)) {
      console.log(`(branch-deploy's bundle is not at ${anchor}: its column is left out)\n`);
      subjects.splice(2, 1);
    }
    const samples = await interleaved(subjects, rounds);
    const of = (name: string) => samples.get(name);
    const action = of('action, load-only')!;
    const bd = of('branch-deploy v12, load-only');
    const bare = of('bare node (-e 0)')!;

    console.log(
      `Each row's process spawned to exit, ${rounds} rounds run A B C A B C (ratios: median of the per-round ` +
        'ratios, range in brackets; absolute times on a shared machine are noise). Peak RSS and CPU time (user ' +
        "and system) from a second run of each with an exit hook reading the process's own usage; the hook " +
        'costs every row the same few ms of CPU, bare node included.\n',
    );
    console.log(
      '| process | cold start (median) | vs branch-deploy | vs bare node | CPU time (median) | CPU vs bare node | peak RSS (median) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, s] of samples) {
      const vs = (base: Sample[] | undefined, of: 'ms' | 'cpu' = 'ms') => {
        if (!base || base === s) return '';
        const r = ratio(s, base, of);
        return `${r.median.toFixed(2)}x (${r.min.toFixed(2)}-${r.max.toFixed(2)})`;
      };
      console.log(
        `| ${name} | ${median(s.map((x) => x.ms)).toFixed(0)} ms | ${vs(bd)} | ${vs(bare)} | ` +
          `${median(s.map((x) => x.cpu)).toFixed(0)} ms | ${vs(bare, 'cpu')} | ${mib(median(s.map((x) => x.rss)))} |`,
      );
    }

    const actionStart = loadedAtStart(join(root, 'dist/action/index.js'));
    // The CLI binary loads cli/main.js through a computed import() once the Node release is checked.
    const cliStart = loadedAtStart(
      join(root, 'dist/cli/main.js'),
      loadedAtStart(join(root, 'dist/cli/index.js')),
    );
    console.log('\n| figure | measured | branch-deploy v12 | target | met |');
    console.log('|---|---:|---:|---:|---|');
    const row = (figure: string, measured: string, base: string, target: string, met: boolean | undefined) =>
      console.log(
        `| ${figure} | ${measured} | ${base} | ${target} | ${met === undefined ? 'n/a' : met ? 'yes' : 'no'} |`,
      );
    const coldBd = bd ? ratio(action, bd).median : undefined;
    row(
      'action cold start, load-only',
      `${median(action.map((x) => x.ms)).toFixed(0)} ms${coldBd === undefined ? '' : ` (${coldBd.toFixed(2)}x)`}`,
      bd ? `${median(bd.map((x) => x.ms)).toFixed(0)} ms` : '',
      '≤ 0.8x branch-deploy',
      coldBd === undefined ? undefined : coldBd <= 0.8,
    );
    const cli = of('CLI validate (1 environment)')!;
    const cliBare = ratio(cli, bare).median;
    row('CLI `validate` cold start', `${cliBare.toFixed(2)}x bare node`, '', '≤ 3x bare node', cliBare <= 3);
    // The same start by the work it does: what a change to the start moves, however loaded the machine is.
    const cpuOver = median(cli.map((x, i) => x.cpu - bare[i]!.cpu));
    row(
      'CLI `validate` CPU time',
      `${median(cli.map((x) => x.cpu)).toFixed(0)} ms, ${ratio(cli, bare, 'cpu').median.toFixed(2)}x bare node (+${cpuOver.toFixed(0)} ms)`,
      '',
      '',
      undefined,
    );
    const actionBytes = bytesOf(actionStart);
    row(
      `action code compiled at start (${actionStart.size} files)`,
      mb(actionBytes),
      bd ? mb(statSync(anchor).size) : '',
      '≤ 1.00 MB',
      actionBytes <= 1e6,
    );
    row(`CLI code compiled at start (${cliStart.size} files)`, mb(bytesOf(cliStart)), '', '', undefined);
    const rss = median(action.map((x) => x.rss));
    row(
      'action peak RSS at start',
      mib(rss),
      bd ? mib(median(bd.map((x) => x.rss))) : '',
      '≤ 60 MiB',
      rss <= 60 * MiB,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchStartup(Number(process.argv[2]) || 10);
