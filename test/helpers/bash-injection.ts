// Whether real bash runs a command hidden in a value: every {{name}} of a script is written as renderShellScript
// writes it ("${DEPLOY_NAME}" alone, ${DEPLOY_NAME} inside double quotes), and DEPLOY_X holds a[$(touch …)], a
// value that runs touch wherever bash evaluates it as an expression, a prompt or code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A script as bash runs it: its text and the DEPLOY_* variables it reads. */
export interface BashRun {
  script: string;
  env: Record<string, string>;
}

/**
 * Runs `bash -c` in a fresh directory on what `prepare` makes of it (given the directory and the path of a
 * marker file that does not exist yet), and says whether the marker exists afterwards.
 */
export function bashLeavesMarker(prepare: (dir: string, marker: string) => BashRun): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'inject-'));
  try {
    const marker = join(dir, 'ran');
    const run = prepare(dir, marker);
    spawnSync('bash', ['-c', run.script], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...run.env },
      stdio: 'ignore',
      timeout: 10_000,
    });
    return existsSync(marker);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `script` with each {{name}} written as renderShellScript writes it: quoted alone, bare inside double quotes. */
export function referencesByHand(script: string, bareAfter = Infinity): string {
  return script.replace(/\{\{(\w+)\}\}/g, (_, name: string, at: number) => {
    const quoted = (script.slice(0, at).match(/(?<!\\)"/g) ?? []).length % 2 === 1;
    const variable = `\${DEPLOY_${name.toUpperCase()}}`;
    return quoted || at > bareAfter ? variable : `"${variable}"`;
  });
}

/** `prelude` runs first (a=(1 2) gives an indexed array whose subscripts bash evaluates). */
export function bashRunsInjectedCommand(
  script: string,
  prelude = 'a=(1 2); s=abc;',
  value = (marker: string) => `a[$(touch ${marker})]`,
): boolean {
  return bashLeavesMarker((_, marker) => ({
    script: `${prelude} ${referencesByHand(script)}`,
    env: { DEPLOY_X: value(marker), DEPLOY_WEIGHT: '5' },
  }));
}
