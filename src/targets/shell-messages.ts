// Why a template in a shell script or an argv command is refused, and the safe form: the messages for a refused
// quoting context, a word some program runs as code, a word that chooses what runs, and code read on standard
// input. Pure text, apart from the decisions that call them.
import { type ShellTemplateRefusal, envNameFor, NUMERIC_VARIABLES } from './shell-sites.ts';
import { TOO_COMPLEX_MESSAGE } from './budget.ts';
import {
  type CodeOperand,
  programName,
  CREDENTIAL_VARIABLES,
  STATE_VARIABLES,
  TRUST_VARIABLES,
} from './programs.ts';
import type { ChosenKind, ChosenWord } from './launchers.ts';
import { pinExample } from './package-installs.ts';
import { PLACEHOLDER } from './template.ts';
import { CONFIG_CHOSEN_KINDS, CONFIG_CHOSEN_VARIABLES } from './placeholder.ts';

export function refusalMessage(reason: ShellTemplateRefusal, name: string, offset: number): string {
  const at = `{{${name}}} (character ${offset + 1})`;
  const env = `"$${envNameFor(name)}"`;
  switch (reason) {
    case 'backticks':
      return `${at} is inside backticks, where quoting cannot protect a value: write $(…) instead of \`…\``;
    case 'parameter_expansion':
      return `${at} is inside \${…}, where its quoting would be taken literally: use the exported ${env} there instead`;
    case 'arithmetic':
      return `${at} is inside $((…)) or ((…)), which evaluate a value as an expression: only ${NUMERIC_VARIABLES.join(', ')} may be used there; compare other values as strings (${env})`;
    case 'after_dollar':
      return `${at} follows a "$": write {{${name}}} alone, it is substituted as one quoted word`;
    case 'after_backslash':
      return `${at} follows a backslash, which would escape its quoting: remove the backslash`;
    case 'quoted_heredoc':
      return `${at} is inside a quoted here-document (<<'EOF'), where nothing is substituted: use an unquoted delimiter (<<EOF) or read ${env}`;
    case 'heredoc_substitution':
      return `${at} is inside a command substitution in a here-document, where its quoting is not known: use ${env} there instead`;
    case 'heredoc_delimiter':
      return `${at} is a here-document delimiter: write a fixed delimiter`;
    case 'unterminated':
      return `the command has an unterminated quote, $(…), \${…} or \`…\`, so the quoting around ${at} is unknown: close it`;
    case 'code':
    case 'stdin_code':
      return `${at} is where a program would run its value as code`;
    case 'chooses':
      return `${at} would choose which program or script runs`;
    case 'substitution':
      return `${at} is inside a command substitution whose output no check can see`;
    case 'indirect':
      return `${at} is read through \${!…}, which reads the variable its value names`;
    case 'too_complex':
      return TOO_COMPLEX_MESSAGE;
  }
}

/**
 * Why a template in a word some program runs as code is refused, and the safe form. `starter`: how the shell
 * that program is was started, for a shell's -c script (undefined when the command itself is that shell).
 */
export function codeOperandMessage(operand: CodeOperand, words: readonly string[], name: string): string {
  const at = `{{${name}}}`;
  const program = words[operand.program]!;
  switch (operand.kind) {
    case 'shell':
      return operand.program > 0
        ? `${at} is inside the script of "${operand.how}", which ${words[0]} starts: a shell would run code in its value, and the DEPLOY_* variables may not reach it; ${operand.safe(name)}`
        : `${at} is inside the script of "${operand.how}": that shell would run code in its value; ${operand.safe(name)}`;
    case 'foreign-shell':
      return `${at} is inside the script of "${operand.how}", a shell whose quoting this tool does not write: a shell would run code in its value; ${operand.safe(name)}`;
    case 'interpreter':
      return `${at} is inside the code "${operand.how}" runs: ${programName(program)} would run code in its value; ${operand.safe(name)}`;
    case 'shell-wrapper':
      return `${at} is inside the command "${operand.how}" hands to a shell: that shell would run code in its value; ${operand.safe(name)}`;
    case 'split':
      return `${at} is inside the string "${operand.how}" splits into words: its value could add words and options; ${operand.safe(name)}`;
    case 'remote-option':
      return `${at} is inside the value of "${operand.how}", a command that is run: ${operand.safe(name)}`;
    case 'trust-option':
      return `${at} is in the value of "${operand.how}", which chooses what ${programName(program)} trusts or gives the host: ${operand.safe(name)}`;
    case 'eval':
      return `${at} is in the arguments of ${operand.how}, which the shell runs as code: ${operand.safe(name)}`;
    case 'builtin':
    case 'setting':
      return `${at} is ${operand.how}: ${operand.safe(name)}`;
    case 'variable':
      if (CREDENTIAL_VARIABLES.has(operand.how))
        return `${at} is in the value of the variable ${operand.how}, which programs read as ${CREDENTIAL_VARIABLES.get(operand.how)!}: its value would choose who acts (whoever's credentials it names or holds, on servers this runner reaches) or send the runner's credentials to a server of its choosing, which no check of the value can make safe; ${operand.safe(name)}`;
      if (STATE_VARIABLES.has(operand.how))
        return `${at} is in the value of the variable ${operand.how}, which programs read as ${STATE_VARIABLES.get(operand.how)!}: its value would choose which state is changed (another environment's), which no check of the value can make safe; ${operand.safe(name)}`;
      if (TRUST_VARIABLES.has(operand.how))
        return `${at} is in the value of the variable ${operand.how}, which programs read to choose the certificates they trust, or whether they check them: its value would choose what is trusted (a server of its choosing then passes for the real one, and gets what is sent); ${operand.safe(name)}`;
      return `${at} is in the value of the variable ${operand.how}, which programs read to load code or to choose the programs they run (or the config, packages or repository they use): its value would choose the code that runs; ${operand.safe(name)}`;
  }
}

/** The kinds of chosen word whose file is read as code or config: what a <(…) there writes is that code. */
const SUBSTITUTED_CODE: ReadonlySet<ChosenKind> = new Set([
  'program',
  'script',
  'project',
  'deployed',
  'configuration',
  'playbook',
  'build',
  'remote-code',
]);

/** Whether `word` is <(…) (or an option's value glued to it) with every `at` of it inside the <(…). */
function inSubstitution(word: string, at: string): boolean {
  const head = /^(?:-[^=<]*=?)?<\(/.exec(word);
  if (!head) return false;
  let depth = 1;
  let close = head[0].length;
  for (; close < word.length && depth > 0; close++)
    if (word[close] === '(') depth++;
    else if (word[close] === ')') depth--;
  const rest = word.slice(close);
  return word.includes(at) && !rest.includes(at);
}

/**
 * Why a template in a word that chooses what runs (launchers.ts) is refused, and the safe form. A value there
 * is refused whatever it is: even one plain word picks a program on PATH or a file of the checkout.
 */
export function chosenWordMessage(chosen: ChosenWord, words: readonly string[], name: string): string {
  const at = `{{${name}}}`;
  const where = `${at} is in ${chosen.kind === 'program' ? 'the word naming ' : ''}${chosen.how} (${words[chosen.index]})`;
  // <(…), or an option's value glued to it (--values=<(…), -f<(…)), where the word is code or config and the
  // template is inside the <(…) (docker -H<(echo {{x}}), kubectl apply -f<(echo a){{x}}: the kind's message).
  if (inSubstitution(words[chosen.index]!, at) && SUBSTITUTED_CODE.has(chosen.kind))
    return `${where}: what <(…) writes is that code, so the value would be run as code; pass the value as an argument of a fixed script instead (${programName(words[chosen.program]!)} FILE ${at})`;
  const never = 'which no check of the value can make safe';
  const perEnvironment = 'or write a command per environment under environments.<name>.target';
  const safe = chosen.safe?.replaceAll('VALUE', at);
  switch (chosen.kind) {
    case 'target':
      return `${where}: its value would choose which target or task runs (even a plain word picks any one, such as a clean or a release that was not meant), ${never}; write the target in the config and pass the value to it instead: ${safe ?? `${programName(words[chosen.program]!)} deploy ENV=${at}`}, ${perEnvironment}`;
    case 'program':
      return `${where}: its value would choose which program runs (even a plain word picks any program on PATH), ${never}; name the program in the config and pass the value as an argument (${safe ?? `./deploy.sh ${at}`}), ${perEnvironment}`;
    case 'subcommand':
      return `${where}: its value would choose what ${programName(words[chosen.program]!)} does, and a subcommand may be a program of its own (a plugin or an extension on PATH, an alias, a package script), ${never}; write the subcommand in the config and pass the value as its argument (${programName(words[chosen.program]!)} SUBCOMMAND ${at}), ${perEnvironment}`;
    case 'script':
      return `${where}: its value would choose the code that runs (even a plain word picks any file of the checkout), ${never}; name the file in the config and pass the value as an argument (${safe ?? `${programName(words[chosen.program]!)} FILE ${at}`}), ${perEnvironment}`;
    case 'deployed':
      return `${where}: its value would choose what is deployed (the manifests, chart, values, kustomization, compose, helmfile or skaffold file read: even a plain word picks any file or directory of the checkout, such as another environment's or one running a privileged workload), ${never}; write the file in the config and pass the value where it is data (${safe ?? `${programName(words[chosen.program]!)} … ${at}`}), ${perEnvironment}`;
    case 'configuration':
      return `${where}: its value would choose the configuration that is applied (the resources it creates, changes or destroys, and the providers, modules, provisioners or program that run with the deployer's credentials: even a plain word picks any directory of the checkout, such as another environment's), ${never}; write the directory in the config and pass the value as a variable of the configuration (${safe ?? `${programName(words[chosen.program]!)} … ${at}`}), ${perEnvironment}`;
    case 'playbook':
      return `${where}: its value would choose the playbook, inventory or modules that run (tasks run on the hosts with the deployer's credentials; an inventory script or an executable vault password file runs here: even a plain word picks any file or directory of the checkout, such as another environment's), ${never}; write the playbook and inventory in the config and pass the value as a variable (${safe ?? `ansible-playbook deploy.yml -e version=${at}`}), ${perEnvironment}`;
    case 'build':
      return `${where}: its value would choose what is built (the Dockerfile whose RUN steps run, its context, stage or bake file: even a plain word picks any file or directory of the checkout, and so the code that runs in the build and ends in the image), ${never}; write the context and Dockerfile in the config and pass the value as a build argument or a tag (${safe ?? `docker build --build-arg VERSION=${at} -t app:${at} .`}), ${perEnvironment}`;
    case 'project':
      return `${where}: its value would choose the project whose scripts, dependencies and build code run (even a plain word picks any directory, workspace or environment of the checkout, and so which package.json, pyproject.toml or Cargo.toml says what runs), ${never}; write the project in the config and pass the value as an argument (${safe ?? `${programName(words[chosen.program]!)} … ${at}`}), ${perEnvironment}`;
    case 'directory':
      return `${where}: what runs is read from there (a ./script or bin/ program, a Makefile, package.json or pyproject.toml, a repository's config and hooks, a kubeconfig's exec plugin), so its value would choose the code that runs (even a plain word picks any directory or file of the checkout), ${never}; write the directory or file in the config and pass the value as an argument (${programName(words[chosen.program]!)} … ./deploy.sh ${at}), ${perEnvironment}`;
    case 'remote-program':
      return `${where}: its value would choose what runs there, ${never}; name the remote program in the config and pass the value as its argument, where it must be one plain word (ssh HOST ./deploy.sh ${at})`;
    case 'remote-code':
      return `${where}: the remote host would run its value as code; pass the value as an argument of a script on the remote host, where it must be one plain word (ssh HOST ./deploy.sh ${at})`;
    case 'package': {
      // An option choosing where packages come from, or the tree dpkg --root runs scripts in: its value fixed.
      if (/^the value of /.test(chosen.how))
        return `${where}: its value would choose where packages come from, or the programs that run their install scripts, and so the code that runs, ${never}; write that value in the config, ${perEnvironment}`;
      return `${where}: its value would choose the package that is installed, and so the code its install or build scripts run (a plain word picks any package; npm:other@1, a git URL or a path pick others), ${never}; ${pinExample(words, chosen.program, chosen.index, at)}`;
    }
    case 'mount':
      return `${where}: its value would choose what of this machine the container gets (a host directory such as /etc or the docker socket, a device, another container's mounts) or which of the container's own files a mount hides (its programs, or the code its entrypoint runs, laid over by a directory the value picks), ${never}; write the mount in the config (${programName(words[chosen.program]!)} run -v /srv/app/data:/data …, or a named volume -v data-${at}:/data) and pass the value to the container as data (-e VERSION=${at}), ${perEnvironment}`;
    case 'container-rights':
      return `${where}: its value would choose the rights the container has over this machine (every capability, no seccomp profile, the host's processes, users or IPC, another runtime) or the variables it starts with (LD_PRELOAD from a file the value picks), ${never}; write the option's value in the config and pass the value to the container as data (-e VERSION=${at}), ${perEnvironment}`;
    case 'build-host':
      return `${where}: its value would choose what of this machine the build gets (a local file it reads as a secret, which its RUN steps can send: /proc/self/environ holds the job's secrets; an SSH key; a directory it writes; the host's network or an insecure sandbox), ${never}; write that value in the config, and pass the value where it is data (${safe ?? `${programName(words[chosen.program]!)} build --build-arg VERSION=${at} -t app:${at} .`}), ${perEnvironment}`;
    case 'container-engine':
      return `${where}: its value would choose the engine that runs the containers, what it trusts, who it acts as or a file it reads (a daemon, service or API server elsewhere, which gets the credentials, the build context and the -e values; a user or group to impersonate; a runtime, storage root, hooks or plugin directory of this machine, whose programs run as root), ${never}; write the option's value in the config, ${perEnvironment}`;
    case 'tool-trust':
      return `${where}: its value would choose what ${programName(words[chosen.program]!)} trusts or signs with, or a file, directory or server of its own (a key, certificate, signer or policy of its choosing lets another image pass, or signs as another; a directory or file it picks for layers, a cache or temporary files is written to or read back; a server elsewhere gives the image or gets what is sent), ${never}; write the option's value in the config, ${perEnvironment}`;
    case 'deploy-source': {
      const chooses = `${where}: its value would choose where what is deployed comes from or goes, what is trusted or which server gets a secret (a chart repository, git repository, bucket, state backend, unit, key or server of its choosing: its code then runs, or it gets the artifact, the state or the password)`;
      // A safe form with the value in it (a unit after a fixed prefix): no "no check can make safe" before it.
      return safe
        ? `${chooses}; ${safe}, ${perEnvironment}`
        : `${chooses}, ${never}; write that value in the config, ${perEnvironment}`;
    }
    case 'tool-code':
      return `${where}: its value would choose the code that runs, ${never}; write that value in the config, ${perEnvironment}`;
    case 'tool-deletes':
      return `${where}: its value would choose what is deleted (all: the image's signatures, attestations and SBOMs, and so what its verification needs, where a fixed type was meant), ${never}; write the type in the config, ${perEnvironment}`;
    case 'login-server': {
      const login = /^the registry (.+?) (?:sends|has docker)/.exec(chosen.how)?.[1] ?? 'docker login';
      const example = login.startsWith('gcloud')
        ? `${login} us-docker.pkg.dev`
        : `${login} registry.example.com -u ${at} --password-stdin`;
      return `${where}: its value would choose the server the credentials are sent to (a server of its own would get the password or token, and could use it at the real registry), ${never}; write the registry in the config (${example}), ${perEnvironment}`;
    }
    case 'credential': {
      const chooses = `${where}: its value would choose who ${programName(words[chosen.program]!)} acts as or where it sends its credentials (a token, password or key of its choosing acts with its owner's rights on the servers this runner reaches, a private cluster or store among them; a server of its choosing gets the runner's token), as a context or profile would`;
      // A safe form with the value in it (a host's first label after a fixed prefix): said instead.
      return safe
        ? `${chooses}; ${safe}, ${perEnvironment}`
        : `${chooses}, ${never}; write the credential or server in the config (a token from the job's secrets, in the variable the tool reads), ${perEnvironment}`;
    }
    case 'rights-grant':
      return `${where}: its value would choose who is granted rights or which ones (any role, user or group of the account, or a policy such as AdministratorAccess: whoever may act as that principal then has them), ${never}; write the principal and the policy in the config, ${perEnvironment}`;
    case 'cloud-identity':
      return `${where}: its value would choose who gcloud acts as, the servers it talks to or the flags it reads, or who what it deploys acts as, the rights it grants, the secret or token it gets, the trigger it runs or the image a VM boots (any account or service account this machine's credentials reach, with its rights; a credential file of this machine, or one naming a token server elsewhere; an API endpoint or proxy elsewhere, which gets its access token; a flags file setting any flag of the command; allUsers or roles/owner in a binding; any secret of the project; a token for another service; another project's image), ${never}; write the account, file, endpoint, property, member, role, secret, audience, trigger or project in the config, ${perEnvironment}`;
    case 'cloud-program':
      return `${where}: its value would choose what the container runs (its program, or the arguments a shell or interpreter there runs as code: sh -c, node -e), with the service's account, secrets and network, ${never}; write the command and its arguments in the config and pass the value to the container as data, in a variable its program reads (--set-env-vars VERSION=${at}, checked when the command runs), ${perEnvironment}`;
    case 'cloud-pairs':
      return `${where}: its value would choose which variable or label it sets, or add pairs of its own (BASH_ENV, NODE_OPTIONS or LD_PRELOAD make the service, function or build run other code), ${never}; write the keys in the config and template only the values (--set-env-vars VERSION=${at}), each checked when the command runs to hold no ",", ${perEnvironment}`;
    case 'scanner-option':
      return `${where}: its value would choose what the scan finds or trusts, or whether a finding fails the step (an exit code of 0 never fails; a report template of its choosing, or read from a file; a vulnerability database, checks or a server elsewhere, which decide what is found), ${never}; write the option's value in the config, ${perEnvironment}`;
    case 'container-selector':
      return `${where}: its value would choose which containers the command runs in (a regular expression: .* matches every container of the node; -n/--last 0 is every one; a label, pod, image or state picks others), ${never}; write the container's name in the config, or pass the container's id (crictl exec CONTAINER ./run.sh ${at}), ${perEnvironment}`;
    case 'container-write':
      return `${where}: its value would choose the file written, of this machine (a shell's startup file, an authorized_keys, a program on PATH) or of the container (CONTAINER:PATH: its programs, the code its entrypoint runs), ${never}; write the destination in the config and pass the value to the container as data (-e VERSION=${at}), ${perEnvironment}`;
    case 'container-image':
      return `${where}: its value would choose whose image it is (any image of any registry, run with this command's mounts and options, or the built image pushed to a registry it picks), ${never}; write the registry and the image's name in the config and template only the tag or the digest (registry.example.com/app:${at}, app@sha256:${at}), each checked when the command runs, ${perEnvironment}`;
    case 'unknown-option': {
      const option = chosen.how.replace(/^.*'s option /, '');
      return `${at} (${words[chosen.index]}) comes after ${chosen.how}, which is not known here: read as the option's value or as an operand, the word is something else each way (an image, a file of this machine, the program that runs), so what the value chooses is not known; write the option with its value attached (${option}=VALUE, or ${option}=true for a flag that takes none), or without a template after it`;
    }
    case 'after-unknown-option':
      return `${at} (${words[chosen.index]}) comes after ${chosen.how}, which this tool does not know: if it takes a value, the image and the program that runs are one word further, and the value could choose what runs; attach the option's value (--option=VALUE), or write the image and the program without a template`;
  }
}

/** The templates of a word that a chosen word refuses: those of its part, or all of them. */
export function chosenNames(chosen: ChosenWord, word: string): string[] {
  const names = chosen.names ?? [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  return CONFIG_CHOSEN_KINDS.has(chosen.kind)
    ? names.filter((name) => !CONFIG_CHOSEN_VARIABLES.has(name))
    : names;
}

/** Why a template in what a program reads as code on its standard input is refused, and the safe form. */
export function stdinCodeMessage(
  name: string,
  offset: number,
  reader: string,
  how: 'here-document' | 'here-string' | 'pipe',
  why?: string,
): string {
  const where = `{{${name}}} (character ${offset + 1})`;
  const what =
    how === 'pipe' ? `is in the output of a command piped into ${reader}` : `is in a ${how} fed to ${reader}`;
  if (why !== undefined) return `${where} ${what}, ${why.replaceAll('VALUE', `{{${name}}}`)}`;
  if (programName(reader) === 'xargs')
    return `${where} ${what}, which would make it the program, subcommand or script xargs runs, or its code: name what runs after xargs and let the value be its argument (xargs -I{} ./deploy.sh {}), or read the value from the environment variable ${envNameFor(name)}`;
  if (programName(reader) === 'patch' || programName(reader) === 'git')
    return `${where} ${what}, which applies it as a patch: it would rewrite the checkout's files, the scripts later steps run among them. Keep the patch in the repository and name it (patch -p1 -i fixes/{{…}}.patch, git apply fixes/app.patch)`;
  if (programName(reader) === 'ssh')
    return `${where} ${what}, which the remote host's shell runs as code: pass the value as an argument of the remote script instead, where it must be one plain word (ssh HOST bash -s {{${name}}} <<'EOF' … "$1" … EOF)`;
  return `${where} ${what}, which runs it as code: use a quoted here-document (<<'EOF') and read the value from the environment variable ${envNameFor(name)} in it`;
}

/** A message of a line's checks without its offsets, for a line the config does not hold as such. Pure. */
export function withoutOffsets(message: string): string {
  return message.replace(/ \(character \d+\)/g, '').replace(/, character \d+\)/g, ')');
}
