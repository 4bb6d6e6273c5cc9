// kubectl's, oc's and helm's options choosing the API server, the user acted as or the rights of a pod, and the
// names and images they take (contexts, namespaces, --image, set image, oc new-app).
import { type MountWord, templates, type ContainerMounts } from './container-sites.ts';
import { namespaceName, contextName } from './context-names.ts';
import { imageReference } from './image-references.ts';
import { toolCommand } from './tool-commands.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { environmentName } from './deploy-sources.ts';
import { isCodeVariable } from './programs.ts';
import type { ImageToolCommand } from './image-tool-types.ts';
import { lookupTable } from './lookup-table.ts';

/**
 * kubectl's and oc's options (anywhere before `--`: global ones may follow the subcommand) and helm's global ones
 * whose value chooses the API server the credentials go to, the user acted as, what is trusted or a file read,
 * or the rights of the pod that runs: kubectl run --overrides (a pod spec merged in: privileged, hostPath,
 * hostPID) and --privileged=, kubectl debug --profile (sysadmin: privileged) and --custom (a container spec
 * read from a file). Kind 'engine' or 'rights', as a container runner's.
 */
const CLUSTER_OPTIONS: Record<
  string,
  ReadonlyMap<string, [string, NonNullable<MountWord['kind']>, RegExp?]>
> = lookupTable({
  kubectl: new Map([
    ['-s', ['the API server (a server elsewhere gets the token or client certificate)', 'engine']],
    ['--server', ['the API server (a server elsewhere gets the token or client certificate)', 'engine']],
    ['--as', ['the user acted as (system:admin, a cluster administrator)', 'engine']],
    ['--as-group', ['the group acted as (system:masters: every right of the cluster)', 'engine']],
    ['--as-uid', ['the user acted as', 'engine']],
    // The credentials themselves, as the selectors above: whoever's token (or basic-auth user and password) it
    // is acts, with the rights of that identity, on the API server this runner reaches (a private one too), and
    // config set-credentials writes it into the kubeconfig for every later command.
    ['--token', ['the bearer token presented to the API server (whose it is: who acts)', 'credential']],
    ['--username', ['the user name presented to the API server (who acts)', 'credential']],
    ['--password', ['the password presented to the API server (whose it is: who acts)', 'credential']],
    ['--certificate-authority', ['the certificate authority trusted for the API server', 'engine']],
    ['--client-certificate', ['the client certificate presented to the API server', 'engine']],
    ['--client-key', ['the client key presented to the API server', 'engine']],
    ['--tls-server-name', ['the name the API server certificate is checked for', 'engine']],
    ['--insecure-skip-tls-verify', ['whether the API server certificate is checked', 'engine']],
    ['--cache-dir', ['the cache of the API discovery it trusts', 'engine']],
    // A switch: --all-namespaces=VALUE (true: what it gets, changes or deletes, in every namespace).
    ['--all-namespaces', ['whether it acts in every namespace (a delete in all of them)', 'engine']],
    ['-A', ['whether it acts in every namespace (a delete in all of them)', 'engine']],
    ['--profile-output', ['the file the profile is written to (any file of this machine)', 'engine']],
    [
      '--overrides',
      ['the pod spec merged in (privileged, hostPath mounts, hostPID: the node)', 'rights', /^run$/],
    ],
    ['--privileged', ['every right of the node (--privileged=true)', 'rights', /^run$/]],
    ['--profile', ['the profile (sysadmin: a privileged container on the node)', 'rights', /^debug$/]],
    ['--custom', ['the container spec read from a file (privileged, the node)', 'rights', /^debug$/]],
    ['--patch-file', ['the patch read from a file (privileged, hostPath: the node)', 'rights', /^patch$/]],
    // kubectl config set-credentials: a program written into the kubeconfig, which kubectl runs from then on.
    ['--exec-command', ['the credential plugin written into the kubeconfig', 'program', /^set-credentials$/]],
    [
      '--auth-provider-arg',
      ['the auth provider settings (cmd-path: a program it runs)', 'program', /^set-credentials$/],
    ],
  ]),
  helm: new Map([
    ['--kube-apiserver', ['the API server (a server elsewhere gets the token)', 'engine']],
    ['--kube-as-user', ['the user acted as (a cluster administrator)', 'engine']],
    ['--kube-token', ['the bearer token presented to the API server (whose it is: who acts)', 'credential']],
    ['--kube-as-group', ['the group acted as (system:masters: every right of the cluster)', 'engine']],
    ['--kube-ca-file', ['the certificate authority trusted for the API server', 'engine']],
    ['--kube-tls-server-name', ['the name the API server certificate is checked for', 'engine']],
    ['--kube-insecure-skip-tls-verify', ['whether the API server certificate is checked', 'engine']],
    // helm install, upgrade, pull, push, repo add: the chart repository or registry.
    ['--insecure-skip-tls-verify', ['whether the certificate of the chart repository is checked', 'engine']],
    ['--plain-http', ['whether the chart registry is reached without TLS', 'engine']],
  ]),
});

/** Options of CLUSTER_OPTIONS that take no value written apart, only --option=VALUE (a switch). */
const CLUSTER_SWITCHES = new Set([
  '--all-namespaces',
  '-A',
  '--privileged',
  '--insecure-skip-tls-verify',
  '--kube-insecure-skip-tls-verify',
  '--plain-http',
]);
CLUSTER_OPTIONS.oc = CLUSTER_OPTIONS.kubectl!;

/**
 * The words of a kubectl, oc or helm command (`words[at]`, named `name`) holding a template in an option of
 * CLUSTER_OPTIONS: refused when the config loads.
 */
export function clusterOptions(words: readonly string[], at: number, name: string): MountWord[] {
  const table = CLUSTER_OPTIONS[name];
  if (!table) return [];
  const found: MountWord[] = [];
  // The subcommand: one of the first two words that are no option (the first may be an option's value).
  const operands = words.slice(at + 1).filter((w) => !w.startsWith('-'));
  const scoped = (only: RegExp) => {
    const k = operands.slice(0, 2).findIndex((w) => only.test(w));
    if (k < 0) return undefined;
    return k === 1 && operands[0] === 'config' ? `config ${operands[1]}` : operands[k];
  };
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = eq > 0 ? word.slice(0, eq) : /^-[a-zA-Z]./.test(word) ? word.slice(0, 2) : word;
    const entry = table.get(option);
    const subcommand = entry?.[2] && scoped(entry[2]);
    if (!entry || (entry[2] && !subcommand)) continue;
    // --opt=VALUE, -sVALUE, or the next word (not for a flag that may stand alone: --privileged).
    const index = eq > 0 || option !== word ? k : CLUSTER_SWITCHES.has(option) ? -1 : k + 1;
    if (index < 0 || index >= words.length) continue;
    const value = index === k ? word.slice(eq > 0 ? eq + 1 : 2) : words[index]!;
    const names = templates(value);
    if (names.length)
      found.push({
        index,
        names,
        how: `${entry[0]}, which ${name}${subcommand ? ` ${subcommand}` : ''} ${option} chooses`,
        kind: entry[1],
      });
    if (index > k) k++;
  }
  return found;
}

/**
 * kubectl/oc patch -p/--patch PATCH and argocd app patch/patch-resource --patch PATCH (`words[at]`, named
 * `name`): the words holding the patch, read as JSON or YAML (argocd app patch's, a JSON patch or a merge patch
 * of the Application: its source, destination and project; patch-resource's, of a resource it manages). A value
 * in it is checked once rendered to add no structure (`"image":"app:{{x}}"` given
 * `1","securityContext":{"privileged":true},"x":"` would make the pod privileged).
 */
export function kubectlPatchWords(words: readonly string[], at: number, name: string): number[] {
  const operands = words.slice(at + 1).filter((w) => !w.startsWith('-'));
  // argocd app patch APP --patch PATCH (argocd app patch --help: --patch, no short form); kubectl's -p/--patch.
  const options =
    name === 'kubectl' || name === 'oc'
      ? operands.slice(0, 2).includes('patch') && ['-p', '--patch']
      : name === 'argocd' &&
        operands.some((w, k) => w === 'app' && /^patch(-resource)?$/.test(operands[k + 1] ?? '')) && [
          '--patch',
        ];
  if (!options) return [];
  const found: number[] = [];
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++)
    if (options.includes(words[k]!) && k + 1 < words.length) found.push(++k);
    else if (options.some((o) => words[k]!.startsWith(`${o}=`))) found.push(k);
  return found;
}

/** kubectl's and oc's options choosing an entry of the kubeconfig, helm's; what they are, for messages. */
const CONTEXT_OPTIONS: Record<string, ReadonlyMap<string, string>> = lookupTable({
  kubectl: new Map([
    ['--context', 'the context'],
    ['--cluster', 'the kubeconfig cluster'],
    ['--user', 'the kubeconfig user'],
  ]),
  helm: new Map([['--kube-context', 'the context']]),
});
CONTEXT_OPTIONS.oc = CONTEXT_OPTIONS.kubectl!;

/** kubectl and oc options that take a value written apart, before the words of kubectl set image. */
const SET_IMAGE_VALUES = new Set(
  ['-l', '--selector', '-f', '--filename', '-k', '--kustomize', '-n', '--namespace', '-o', '--output'].concat(
    ['--template', '--field-manager', '--context', '--cluster', '--user', '--kubeconfig', '-s', '--server'],
    ['--as', '--as-group', '--as-uid', '--token', '--request-timeout', '--cache-dir'],
    ['--username', '--password'],
  ),
);

/**
 * kubectl's, oc's and helm's names checked once rendered, and their image references: the context (cluster,
 * user) an option or `config use-context` chooses, one plain name; the image of `--image` (run, create
 * deployment|job|cronjob, debug) and of `set image … CONTAINER=IMAGE`.
 */
export function clusterNames(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  name: string,
): void {
  const contexts = CONTEXT_OPTIONS[name]!;
  const end = words.indexOf('--', at + 1) < 0 ? words.length : words.indexOf('--', at + 1);
  const operands = words
    .slice(at + 1, end)
    .map((w, k) => [w, at + 1 + k] as const)
    .filter(([w]) => !w.startsWith('-'));
  const verb = operands.find(([w]) => /^(run|create|debug|set|config)$/.test(w));
  const sub = verb
    ? words.slice(verb[1], verb[1] + (verb[0] === 'run' || verb[0] === 'debug' ? 1 : 2)).join(' ')
    : '';
  const command = [name, sub].filter(Boolean).join(' ');
  for (let k = at + 1; k < end; k++) {
    const word = words[k]!;
    // -n NAMESPACE, -nNAMESPACE, -n=NAMESPACE (pflag drops a short option's "="), --namespace[=]NAMESPACE; also
    // last of a cluster of flags (-itn NAMESPACE, -itnNAMESPACE: the flags before it take no value; logs' -f and
    // -p too, but elsewhere they take one, so -fnVALUE is read as -f's).
    const cluster = /^-([itqAwRhfp]+)n/.exec(word);
    if (cluster && (cluster[0].length === word.length || !/[fp]/.test(cluster[1]!))) {
      const option = cluster[0];
      const index = option.length < word.length ? k : k + 1;
      if (index >= end) continue;
      const value =
        index === k ? word.slice(option.length + (word[option.length] === '=' ? 1 : 0)) : words[index]!;
      namespaceName(found, index, words[index]!, value, `the namespace ${name} -n (in ${option}) chooses`);
      if (index > k) k++;
      continue;
    }
    const attached = /^-n(?!=)./.test(word) ? 2 : -1;
    const eq = attached > 0 ? 1 : word.indexOf('=');
    const option = attached > 0 ? '-n' : eq > 0 ? word.slice(0, eq) : word;
    const index = eq > 0 ? k : k + 1;
    if (index >= end) continue;
    const value = attached > 0 ? word.slice(2) : eq > 0 ? word.slice(eq + 1) : words[index]!;
    const what = contexts.get(option);
    if (what) contextName(found, index, words[index]!, value, `${what} ${name} ${option} chooses`);
    else if (option === '-n' || option === '--namespace')
      namespaceName(found, index, words[index]!, value, `the namespace ${name} ${option} chooses`);
    else if (option === '--image' && name !== 'helm')
      imageReference(
        found,
        index,
        words[index]!,
        eq > 0 ? '--image=' : '',
        name,
        `the image ${command} runs`,
      );
  }
  // oc project NAME: the project (a namespace) later commands work in.
  const project = operands.slice(0, 2).find(([w]) => w === 'project');
  const projectName = project && operands[operands.indexOf(project) + 1];
  if (name === 'oc' && projectName)
    namespaceName(
      found,
      projectName[1],
      projectName[0],
      projectName[0],
      `the project ${name} project chooses`,
    );
  // oc new-app IMAGE…: each operand an image (its --image is read above).
  const newApp = operands.slice(0, 2).find(([w]) => w === 'new-app');
  if (name === 'oc' && newApp) toolCommand(found, words, newApp[1] + 1, 'oc new-app', name, [], OC_NEW_APP);
  if (name === 'helm' || !verb) return;
  const next = operands[operands.indexOf(verb) + 1];
  // kubectl config use-context NAME (use): the context later commands use.
  if (verb[0] === 'config' && next && /^(use-context|use)$/.test(next[0])) {
    const target = operands[operands.indexOf(next) + 1];
    if (target)
      contextName(found, target[1], target[0], target[0], `the context ${name} config ${next[0]} chooses`);
  }
  // kubectl set image RESOURCE CONTAINER=IMAGE …: each image after a fixed "=".
  if (verb[0] === 'set' && next?.[0] === 'image')
    for (let k = next[1] + 1; k < end; k++) {
      const word = words[k]!;
      if (word.startsWith('-')) {
        if (!word.includes('=') && SET_IMAGE_VALUES.has(word)) k++;
        continue;
      }
      const eq = word.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length)).indexOf('=');
      if (eq > 0)
        imageReference(found, k, word, word.slice(0, eq + 1), name, `the image ${name} set image sets`);
    }
  // kubectl run --env NAME=VALUE, kubectl set env … -e/--env NAME=VALUE and its operands RESOURCE… NAME=VALUE…
  // (NAME- removes one): a value in a name chooses the variable the object's containers get (LD_PRELOAD). kubectl
  // reads every operand holding a "=" (or ending in "-") from the first such on as a variable, so a value in
  // any operand but after a fixed TYPE/ (a name holding "/" is no variable's) may make one: deployment {{x}}
  // given LD_PRELOAD=/x sets it. --from (the secret or config map whose keys it imports) and --prefix (put
  // before their names) choose the variables too.
  const setEnv = verb[0] === 'set' && next?.[0] === 'env';
  if (verb[0] !== 'run' && !setEnv) return;
  const envCommand = `${name} ${setEnv ? 'set env' : 'run'}`;
  const refuse = (index: number, text: string) => {
    const refusal = environmentName(
      index,
      text,
      `the variable ${envCommand} sets in the containers of the object`,
    );
    if (refusal) found.refused.push(refusal);
  };
  const codeValue = (index: number, text: string) => {
    // kubectl set env OBJECT LD_PRELOAD={{x}}: the value of a variable that loads code (isCodeVariable) in the
    // object's containers, which then run code of the value's choosing, as docker run -e LD_PRELOAD={{x}}'s
    // container does. (kubectl run --env's is refused where the runner's -e is: programs.ts.)
    const variable = /^([A-Za-z_][\w.-]*)=/.exec(text)?.[1];
    const names = variable === undefined ? [] : templates(text.slice(variable.length + 1));
    if (setEnv && variable !== undefined && isCodeVariable(variable) && names.length)
      found.refused.push({
        index,
        names,
        how: `the value of the variable ${variable} ${envCommand} sets in the containers of the object (which programs read to load code or to choose the programs they run, or the config, packages or repository they use: the object's containers would run code of the value's choosing)`,
        kind: 'code',
      });
  };
  for (let k = (setEnv ? next[1] : verb[1]) + 1; k < end; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : /^-e./.test(word) ? '-e' : word;
    const value = option === word ? k + 1 : k;
    const text =
      option === word
        ? (words[k + 1] ?? '')
        : word.slice(option === '-e' ? (word[2] === '=' ? 3 : 2) : eq + 1);
    if (!word.startsWith('-') || word === '-') {
      if (setEnv && !/\//.test(word.slice(0, Math.max(0, word.search(PLACEHOLDER))))) refuse(k, word);
      codeValue(k, word);
      continue;
    }
    if (option === '--env' || (setEnv && option === '-e')) {
      refuse(value, text);
      codeValue(value, text);
    } else if (setEnv && (option === '--from' || option === '--prefix')) {
      const names = templates(text);
      if (names.length)
        found.refused.push({
          index: value,
          names,
          how: `${option === '--from' ? 'the secret or config map whose keys' : 'the prefix of the names of the variables'} ${envCommand} --from imports into the containers of the object, which ${envCommand} ${option} chooses (so the variables they get: LD_PRELOAD, NODE_OPTIONS or PATH make them load or run other code)`,
          kind: 'code',
        });
    } else if (!SET_IMAGE_VALUES.has(word) && !/^(-c|--containers|--keys|--resource-version)$/.test(word))
      continue;
    if (option === word) k++;
  }
}

/** oc new-app: its operands are images (NAME=VALUE a variable, IMAGE~SOURCE a source built on an image). */
const OC_NEW_APP: ImageToolCommand = {
  does: 'deploys',
  values: [
    ...['--name', '-l', '--labels', '-e', '--env', '-p', '--param', '--env-file', '--param-file', '-i'],
    ...['--image-stream', '--image', '--template', '--code', '--context-dir', '--strategy', '-o', '--output'],
    ...['--build-env', '--build-env-file', '--source-secret', '--import-mode', '-f', '--file', '--sort-by'],
    ...SET_IMAGE_VALUES,
  ],
  options: { '--docker-image': 'image' },
  operand: (_p, _c, _given, word) => {
    const fixed = word.replace(PLACEHOLDER, '');
    return fixed.includes('=') ? undefined : fixed.includes('~') ? 'source' : 'image';
  },
};
