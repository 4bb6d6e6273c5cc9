// Reads an image tool's command (IMAGE_TOOLS) into what it finds: its global options, its subcommand, cosign's
// certificate refs, crictl's runtime; the words themselves are sorted by tool-commands.ts.
import { PLACEHOLDER } from './placeholder.ts';
import { templates, type ContainerMounts } from './container-sites.ts';
import { IMAGE_TOOLS } from './image-tools.ts';
import { TRUST_SWITCHES, trustSwitch } from './container-options.ts';
import { HELP_FLAGS, type ImageTool } from './image-tool-types.ts';
import { gcloudCommand } from './gcloud-commands.ts';
import { toolCommand } from './tool-commands.ts';

/** A cosign key reference other than a file (env://VAR, k8s://NS/NAME, awskms://, gcpkms://, hashivault://, …). */
const KEY_REFERENCE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Where the ref starts in a signer identity naming a workflow's ref (`https://HOST/…@refs/heads/{{branch}}`,
 * templates unrendered), when every template of the value is in that ref after its fixed `refs/heads/` or
 * `refs/tags/`, and the fixed text there has a ref's characters only; otherwise undefined (refused: a value in
 * the host, the account, the repository or the workflow chooses whose signature is trusted).
 */
function certificateRefStart(value: string): number | undefined {
  const masked = value.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
  const match = /^https:\/\/[^\0@]+@refs\/(heads|tags)\//.exec(masked);
  if (!match) return undefined;
  const ref = value.slice(match[0].length);
  if (!/^[A-Za-z0-9_./-]*$/.test(ref.replace(PLACEHOLDER, '')) || ref.search(PLACEHOLDER) < 0)
    return undefined;
  return match[0].length;
}

/** A ref's path: plain names (letters, digits and _ . -, not starting with "." or "-") joined by single "/". */
const REF_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/**
 * Why the ref of a signer identity (`word` after `check.prefix`, templates unrendered) is refused rendered with
 * these values, or undefined: it must stay a ref's path, with no space, "@", ":" or empty or dot part, which
 * would make another identity.
 */
export function certificateRefProblem(
  check: { prefix: string; how: string; why?: string },
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const ref = word.slice(check.prefix.length);
  const rendered = ref.replace(PLACEHOLDER, (_, n: string) => values[n]!);
  if (REF_PATH.test(rendered) && !rendered.includes('..') && !rendered.endsWith('.lock')) return undefined;
  const list = templates(ref)
    .map((n) => `{{${n}}}`)
    .join(', ');
  return `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must keep it one ref's path (letters, digits and _ . -, parts joined by single "/", none starting with "." or "-"), ${check.why ?? 'since anything else would name another identity or none; write other identities in the config'}`;
}

/**
 * A single-dash word read as pflag reads it (-s{{x}}, -qs, -qt=…): its flags, then the first letter taking a value
 * (`values`), as [that option, the index of the last character before its value in the word, or -1 when its
 * value is the next word]; undefined when the word is one option as written, or a letter is not known.
 */
function shortCluster(
  word: string,
  values: readonly string[],
  flags: readonly string[] | undefined,
): [string, number] | undefined {
  if (!/^-[A-Za-z]./.test(word) || word.startsWith('--')) return undefined;
  for (let c = 1; c < word.length; c++) {
    const option = `-${word[c]!}`;
    if (values.includes(option)) {
      if (c + 1 === word.length) return [option, -1];
      return [option, word[c + 1] === '=' ? c + 1 : c];
    }
    if (!flags?.includes(option)) return undefined;
  }
  return undefined;
}

/** The images of an image tool's command (`words[at]`, named `name`, in IMAGE_TOOLS), sorted into `found`. */
export function imageTool(found: ContainerMounts, words: readonly string[], at: number, name: string): void {
  const tool = IMAGE_TOOLS[name]!;
  // Its options choosing the engine, what it trusts or a file it reads, whatever the subcommand; its switches
  // choosing what it trusts, written --switch=VALUE.
  const switches = TRUST_SWITCHES[name];
  const end = name === 'crictl' ? crictlGlobalsEnd(words, at) : words.length;
  for (let k = at + 1; (tool.engine || switches) && k < end && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) {
      if (tool.leading) break;
      continue;
    }
    let eq = word.indexOf('=');
    let option = eq > 0 ? word.slice(0, eq) : word;
    // trivy -s{{x}}, -qs {{x}}, -qt{{x}}: short flags, up to the first letter taking a value, which is the rest
    // of the word (pflag drops an "=" after the letter) or the next word, as toolWords reads crane's -vc.
    const cluster = name === 'trivy' ? shortCluster(word, tool.globals, tool.flags) : undefined;
    if (cluster) [option, eq] = cluster;
    if (switches?.has(option)) {
      if (eq > 0) trustSwitch(found, k, option, word.slice(eq + 1), switches, name);
      continue;
    }
    const what = tool.engine?.get(option);
    const plain = tool.names?.[option];
    if (plain !== undefined) {
      const index = eq > 0 ? k : ++k;
      if (index < words.length && templates(words[index]!.slice(eq > 0 ? eq + 1 : 0)).length)
        found.names.set(index, { kind: 'plain', prefix: eq > 0 ? word.slice(0, eq + 1) : '', ...plain });
      continue;
    }
    if (what === undefined) {
      // Another global option's value (ctr --timeout 5 -a …): not the subcommand.
      if (eq < 0 && tool.globals.includes(option)) k++;
      continue;
    }
    const index = eq > 0 ? k : ++k;
    const value = index < words.length ? (eq > 0 ? word.slice(eq + 1) : words[index]!) : '';
    const names = templates(value);
    // cosign --key FILE: a key file takes the file rule (file-reads.ts); a reference (env://, k8s://, a KMS)
    // takes no template.
    if (name === 'cosign' && option === '--key' && !KEY_REFERENCE.test(value)) continue;
    // cosign clean --type: what it deletes from the registry, not a type it verifies or attests.
    if (name === 'cosign' && option === '--type' && cosignSubcommand(words, at, tool) === 'clean') {
      if (names.length)
        found.refused.push({
          index,
          names,
          how: `what cosign clean --type deletes from the registry (signature, attestation, sbom or all)`,
          kind: 'deletes',
        });
      continue;
    }
    if (name === 'trivy' && (option === '--template' || option === '-t') && value.startsWith('@')) continue;
    // cosign --certificate-identity https://github.com/ORG/REPO/.github/workflows/F.yml@refs/heads/{{branch}}:
    // the ref of a fixed workflow, checked once rendered (certificateRefProblem).
    // --certificate-github-workflow-ref refs/heads/{{branch}}: the same, the claim being the ref alone.
    const claim = /^refs\/(heads|tags)\//.exec(value)?.[0];
    if (name === 'cosign' && option === '--certificate-github-workflow-ref' && claim && names.length) {
      const ref = value.slice(claim.length);
      if (/^[A-Za-z0-9_./-]*$/.test(ref.replace(PLACEHOLDER, ''))) {
        const prefix = words[index]!.slice(0, words[index]!.length - ref.length);
        found.names.set(index, {
          kind: 'ref',
          prefix,
          how: `the ref of the workflow ${name} ${option} trusts`,
        });
        continue;
      }
    }
    // --certificate-github-workflow-sha {{sha}}: checked once rendered to be a commit's SHA.
    if (
      name === 'cosign' &&
      option === '--certificate-github-workflow-sha' &&
      value === names.map((n) => `{{${n}}}`).join('') &&
      names.length === 1
    ) {
      found.names.set(index, {
        kind: 'plain',
        prefix: words[index]!.slice(0, words[index]!.length - value.length),
        how: `the commit of the workflow ${name} ${option} trusts`,
        why: 'since anything else names no commit (an empty value checks none at all); write other claims in the config',
        sha: true,
      });
      continue;
    }
    if (name === 'cosign' && option === '--certificate-identity' && names.length) {
      const at = certificateRefStart(value);
      if (at !== undefined) {
        const prefix = words[index]!.slice(0, words[index]!.length - value.length + at);
        found.names.set(index, {
          kind: 'ref',
          prefix,
          how: `the ref of the signer identity ${name} ${option} trusts`,
        });
        continue;
      }
    }
    if (names.length)
      found.refused.push({
        index,
        names,
        how: `${what}, which ${name} ${option} chooses`,
        kind: tool.scanner?.includes(option)
          ? 'scanner'
          : name === 'gcloud'
            ? 'cloud'
            : !tool.engines || tool.engines.includes(option)
              ? 'engine'
              : 'trust',
      });
  }
  // crictl run/runp -r/--runtime HANDLER: the runtime handler the runtime's config defines (kata, runc, gVisor,
  // a privileged one), before the config files.
  if (name === 'crictl') crictlRuntime(found, words, at);
  // The subcommand: its first words that are no option (global options may come before). An option before it
  // known neither to take a value nor to take none (`takes`: read as taking the next word) is noted in `unknown`.
  const known = new Set([...HELP_FLAGS, ...(tool.flags ?? []), ...(switches?.keys() ?? [])]);
  const takesValue = (option: string) =>
    tool.globals.includes(option) ||
    tool.engine?.has(option) === true ||
    Object.hasOwn(tool.names ?? {}, option);
  const subcommand = (takes?: number, unknown: number[] = []) => {
    const subWords: number[] = [];
    for (let k = at + 1; k < words.length && subWords.length < 8 && words[k] !== '--'; k++) {
      const word = words[k]!;
      if (!word.startsWith('-') || word === '-') subWords.push(k);
      else if (word.includes('=')) continue;
      else if (takesValue(word) || k === takes || tool.optional?.get(word)?.includes(words[k + 1] ?? '')) k++;
      else if (
        !known.has(word) &&
        !(/^-[^-]/.test(word) && [...word.slice(1)].every((c) => known.has(`-${c}`)))
      )
        unknown.push(k);
    }
    for (let n = subWords.length; n > 0; n--) {
      const sub = subWords.slice(0, n).map((k) => words[k]!);
      if (tool.commands[sub.join(' ')]) return { sub, from: subWords[n - 1]! + 1, subWords };
    }
    return { subWords };
  };
  const unknown: number[] = [];
  const first = subcommand(undefined, unknown);
  // Read both ways, the subcommand differs (cosign --frob sign IMAGE: sign is --frob's value, or the subcommand):
  // a template after that option may be an image, a file or the option's value.
  const moved = unknown.find((u) => {
    if (first.from !== undefined && u >= first.from) return false;
    const other = subcommand(u);
    return other.from !== first.from || other.sub?.join(' ') !== first.sub?.join(' ');
  });
  if (moved !== undefined) {
    for (let k = moved + 1; k < words.length; k++) {
      const names = templates(words[k]!);
      if (names.length)
        found.refused.push({ index: k, names, how: `${name}'s option ${words[moved]}`, kind: 'unknown' });
    }
    return;
  }
  // A template in the subcommand (trivy {{x}} fs ., cosign -d {{x}} verify …), or in a word of it after a group
  // (ctr images {{x}} reg/app:1, cosign upload {{x}}, kind delete {{x}}, gcloud compute instances {{x}}): its
  // value would choose what the tool does (trivy runs a plugin of that name; ctr images rm as well as pull). A
  // group is a path some command read here starts with, one of the tool's `groups`, or, for gcloud, any path
  // of leading words (up to an option not known here) with no verb after its first word.
  const commands = Object.keys(tool.commands);
  const optionsFrom = Math.min(...unknown, words.length);
  const isGroup = (path: string[], index: number) => {
    const text = path.join(' ');
    if (commands.some((command) => command.startsWith(`${text} `))) return true;
    if (tool.commands[text] || index > optionsFrom) return false;
    if (tool.groups?.includes(text)) return true;
    if (tool.verbs === undefined) return false;
    // gcloud beta {{x}}: the words after a track are the path's own.
    const lead = path.findIndex((word) => !tool.tracks?.includes(word));
    return lead < 0 || !path.slice(lead + 1).some(tool.verbs);
  };
  for (let n = 0; n < first.subWords.length; n++) {
    const group = first.subWords.slice(0, n).map((k) => words[k]!);
    if (n > 0 && !isGroup(group, first.subWords[n]!)) break;
    const index = first.subWords[n]!;
    const names = templates(words[index]!);
    if (names.length) {
      found.refused.push({
        index,
        names,
        how: `the subcommand ${[name, ...group].join(' ')} runs`,
        kind: 'subcommand',
      });
      return;
    }
  }
  if (name === 'gcloud') gcloudCommand(found, words, at, first.subWords);
  if (first.sub && first.from !== undefined)
    toolCommand(
      found,
      words,
      first.from,
      [name, ...first.sub].join(' '),
      name,
      tool.globals,
      tool.commands[first.sub.join(' ')]!,
      tool.flags,
      tool.argparse === true,
    );
}

/** cosign's subcommand: its first word that is no option (or global option's value) after `at`. */
function cosignSubcommand(words: readonly string[], at: number, tool: ImageTool): string | undefined {
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) return word;
    if (!word.includes('=') && tool.globals.includes(word)) k++;
  }
  return undefined;
}

/** crictl run's and runp's options that take a value written apart (container.go runPullFlags, sandbox.go). */
const CRICTL_RUN_VALUES = new Set([
  '-r',
  '--runtime',
  '-T',
  '--cancel-timeout',
  '--pull-timeout',
  '--creds',
  '--auth',
  '--username',
]);

/**
 * Where crictl's global options end when its subcommand is exec, run or runp (`words[at]` is crictl): at the
 * subcommand, whose own options are no global ones (exec's -r transport and -i stdin, run's -r runtime handler)
 * and, for exec, whose command is the container's (`crictl exec c ./run.sh -c {{x}}`: -c is run.sh's).
 * words.length for another subcommand (a global option after it is refused as one).
 */
function crictlGlobalsEnd(words: readonly string[], at: number): number {
  let j = at + 1;
  for (; j < words.length && words[j]!.startsWith('-'); j++)
    if (IMAGE_TOOLS.crictl!.globals.includes(words[j]!)) j++;
  return /^(exec|run|runp)$/.test(words[j] ?? '') ? j : words.length;
}

/** crictl run/runp -r/--runtime HANDLER (`words[at]` is crictl): a template there is refused into `found`. */
function crictlRuntime(found: ContainerMounts, words: readonly string[], at: number): void {
  let j = at + 1;
  for (; j < words.length && words[j]!.startsWith('-'); j++)
    if (IMAGE_TOOLS.crictl!.globals.includes(words[j]!)) j++;
  const sub = words[j];
  if (sub !== 'run' && sub !== 'runp') return;
  // Its options, up to the first config file (urfave/cli reads none after it).
  for (let k = j + 1; k < words.length && words[k]!.startsWith('-') && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = eq > 0 ? word.slice(0, eq) : /^-r./.test(word) ? '-r' : word;
    const index = eq > 0 || option !== word ? k : k + 1;
    if (option === '-r' || option === '--runtime') {
      const value = index === k ? word.slice(eq > 0 ? eq + 1 : 2) : (words[index] ?? '');
      const names = templates(value);
      if (names.length)
        found.refused.push({
          index,
          names,
          how: `the runtime handler (kata, runc, gVisor: one the runtime's config defines, privileged or not), which crictl ${sub} ${option} chooses`,
          kind: 'engine',
        });
    }
    if (index > k || (eq < 0 && CRICTL_RUN_VALUES.has(word) && option === word)) k++;
  }
}
