// Report paths made repository-relative. Tools often write absolute paths of the checkout they ran in; on a
// runner that is GITHUB_WORKSPACE, which need not be the directory the gate runs in (a monorepo package, a
// working-directory step). Findings and changed-line matches need the path inside the repository.
import { isAbsolute, relative, sep } from 'node:path';
import type { GateContext } from './types.ts';

/** Where repository-relative paths start: the runner's checkout when there is one, then the gate's directory. */
export function repositoryRoots(ctx: Pick<GateContext, 'cwd' | 'env'>): string[] {
  const workspace = ctx.env.GITHUB_WORKSPACE;
  return workspace && workspace !== ctx.cwd ? [workspace, ctx.cwd] : [ctx.cwd];
}

/** `absolute` relative to the first root containing it (forward slashes), or undefined when none does. */
export function relativeToRoots(absolute: string, roots: readonly string[]): string | undefined {
  for (const root of roots) {
    const rel = relative(root, absolute);
    // `..` as a whole first segment leaves the root; a name that starts with dots ("..data") does not.
    const leaves = rel === '..' || rel.startsWith(`..${sep}`);
    if (rel !== '' && !leaves && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return undefined;
}
