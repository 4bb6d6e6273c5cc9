// The optional tag on a successful production deployment: a lightweight tag created through the API (the
// runner's checkout may be shallow or read-only). An existing tag is left alone and reported, never moved.
import { didYouMean } from '../config/suggest.ts';
import { PLACEHOLDER } from '../targets/placeholder.ts';
import { writeOnce } from '../github/write-once.ts';

/** Checks a tag name against git's ref-name rules (git check-ref-format), so GitHub is never sent junk. */
export function tagName(name: string): string {
  const problems = [
    [/^$/, 'it is empty'],
    [/[\x00-\x20\x7f~^:?*[\\]/, 'it contains a space, a control character or one of ~ ^ : ? * [ \\'],
    [/\.\./, 'it contains ".."'],
    [/@\{/, 'it contains "@{"'],
    [/(^|\/)\./, 'a component starts with "."'],
    [/\.lock(\/|$)/, 'a component ends with ".lock"'],
    [/(^\/|\/$|\/\/)/, 'it has an empty component'],
    [/\.$/, 'it ends with "."'],
  ] as const;
  for (const [rule, why] of problems)
    if (rule.test(name)) throw new Error(`"${name}" is not a valid tag name: ${why}`);
  if (name === '@') throw new Error('"@" is not a valid tag name');
  return name;
}

/** The variables a tag input may use; action-run.ts renders it with exactly these. */
export const TAG_VARIABLES = ['environment', 'version', 'sha'] as const;

/**
 * Why a tag template cannot work, checked when the inputs are read: at the tag's turn, after a successful
 * production deployment, a misspelt {{variable}} or a space only gave a warning and no tag. Rendered with
 * valid sample values, so what the check finds is in the template itself.
 */
export function tagTemplateProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1]!)
    .filter((name) => !(TAG_VARIABLES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    const name = unknown[0]!;
    return `{{${name}}} is not a tag variable${didYouMean(name, TAG_VARIABLES, (v) => `{{${v}}}`)} (use {{environment}}, {{version}} and {{sha}})`;
  }
  const sample: Record<string, string> = { environment: 'production', version: '1.0.0', sha: 'a'.repeat(40) };
  try {
    tagName(template.replace(PLACEHOLDER, (_, name: string) => sample[name]!));
  } catch (error) {
    return (error as Error).message.replace(
      /^"[^"]*" is not a valid tag name/,
      'it does not make a valid tag name',
    );
  }
  return undefined;
}

export interface TagApi {
  git: {
    createRef(p: { owner: string; repo: string; ref: string; sha: string }): Promise<unknown>;
    getRef(p: {
      owner: string;
      repo: string;
      ref: string;
    }): Promise<{ data: { object: { sha: string; type: string } } }>;
  };
}

/**
 * Creates the tag at `sha`, once. A create whose answer was lost (5xx, no answer) is looked up before it is
 * sent again; a tag that exists already is never moved: at `sha` (a re-run of this deployment) it is this
 * run's, at another commit it is reported.
 */
export async function createTag(
  api: TagApi,
  p: { owner: string; repo: string; name: string; sha: string },
): Promise<{ ok: true; existed?: true } | { ok: false; reason: string }> {
  /** The commit (or tag object) the tag names now; undefined when there is no such tag. */
  const existing = async (): Promise<{ sha: string; type: string } | undefined> => {
    try {
      const { data } = await api.git.getRef({ owner: p.owner, repo: p.repo, ref: `tags/${p.name}` });
      return data.object;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  };
  const atSha = (o: { sha: string; type: string } | undefined) => o?.type === 'commit' && o.sha === p.sha;
  try {
    await writeOnce({
      landed: async () => (atSha(await existing()) ? true : undefined),
      async write() {
        await api.git.createRef({ owner: p.owner, repo: p.repo, ref: `refs/tags/${p.name}`, sha: p.sha });
        return true;
      },
    });
    return { ok: true };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 422) {
      const found = await existing().catch(() => undefined);
      if (atSha(found)) return { ok: true, existed: true };
      return {
        ok: false,
        reason:
          found?.type === 'commit'
            ? `the tag already exists on ${found.sha.slice(0, 12)} (it is never moved)`
            : 'the tag already exists (it is never moved)',
      };
    }
    if (status === 403 || status === 404)
      return { ok: false, reason: `GitHub refused it (HTTP ${status}); the token needs contents: write` };
    return { ok: false, reason: (error as Error).message };
  }
}
