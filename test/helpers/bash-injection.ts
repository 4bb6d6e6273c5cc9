// Whether real bash runs a command hidden in a value: every {{name}} of a script is written as renderShellScript
// writes it ("${DEPLOY_NAME}" alone, ${DEPLOY_NAME} inside double quotes), and DEPLOY_X holds a[$(touch …)], a
// value that runs touch wherever bash evaluates it as an expression, a prompt or code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `prelude` runs first (a=(1 2) gives an indexed array whose subscripts bash evaluates). */
export function bashRunsInjectedCommand(
  script: string,
  prelude = 'a=(1 2); s=abc;',
  value = (marker: string) => `a[$(touch ${marker})]`,
): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'inject-'));
  try {
    const marker = join(dir, 'ran');
    const rendered = script.replace(/\{\{(\w+)\}\}/g, (_, name: string, at: number) => {
      const quoted = (script.slice(0, at).match(/(?<!\\)"/g) ?? []).length % 2 === 1;
      return quoted ? `\${DEPLOY_${name.toUpperCase()}}` : `"\${DEPLOY_${name.toUpperCase()}}"`;
    });
    spawnSync('bash', ['-c', `${prelude} ${rendered}`], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        DEPLOY_X: value(marker),
        DEPLOY_WEIGHT: '5',
      },
      stdio: 'ignore',
      timeout: 10_000,
    });
    return existsSync(marker);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
