// The workspace the CLI's crash tests share: a directory removed after the test, a recorded target in it, the
// preload that makes the CLI crash where the test wants (passed as NODE_OPTIONS=--import <preload>), and a
// deploy.yml whose production deploys a canary of three steps with `pause` between them, its state in <dir>/state.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordedTarget, type RecordedTarget } from './recorded-target.ts';

export function crashWorkspace(
  t: { after(fn: () => void): void },
  o: { prefix: string; preload: string; pause: string },
): { dir: string; target: RecordedTarget; preload: string } {
  const dir = mkdtempSync(join(tmpdir(), o.prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const preload = join(dir, 'crash.mjs');
  writeFileSync(preload, o.preload);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
state_dir: ${dir}/state
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [10, 50, 100], pause: ${o.pause} }
`,
  );
  return { dir, target, preload };
}
