// git in a test's own repository, with a fixed author and committer (a CI machine has no git identity).
import { execa } from 'execa';

const IDENTITY = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** Runs `git args` in `cwd`; resolves to its output, trimmed (throws on a failed command). */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execa('git', args, { cwd, env: IDENTITY });
  return stdout.trim();
}
