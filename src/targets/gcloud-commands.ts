// gcloud: its global options, the commands naming images or giving rights (run deploy, functions, compute,
// Artifact Registry), and the reading of its config set, deploy releases, grants, packs and KEY=VALUE pairs.
import { WHOSE_CREDENTIALS } from './context-names.ts';
import { type ImageToolCommand, image } from './image-tool-types.ts';
import { type ContainerMounts, templates } from './container-sites.ts';
import { imageReference } from './image-references.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { optionValues } from './option-values.ts';
import { lookupTable } from './lookup-table.ts';

/** gcloud's global options that take a value written apart. */
export const GCLOUD_VALUES: readonly string[] = [
  ...['--project', '--account', '--configuration', '--region', '--impersonate-service-account', '--format'],
  ...[
    '--verbosity',
    '--billing-project',
    '--flags-file',
    '--access-token-file',
    '--trace-token',
    '--flatten',
  ],
  ...['--location', '--repository', '--filter', '--limit', '--page-size', '--sort-by', '--key-file'],
];

/** gcloud's options that take no value, for the commands read here. */
export const GCLOUD_FLAGS: readonly string[] = [
  ...['-q', '--quiet', '--log-http', '--user-output-enabled', '--no-user-output-enabled', '--async'],
  ...['--delete-tags', '--include-tags', '--force-delete-tags', '-h', '--help'],
];

/**
 * gcloud's global options taking an optional value (calliope: --user-output-enabled is nargs='?' with the choices
 * true and false): the next word is its value when it is one of them, else the option stands alone.
 */
export const GCLOUD_OPTIONAL: ReadonlyMap<string, readonly string[]> = new Map([
  ['--user-output-enabled', ['true', 'false']],
]);

/**
 * gcloud's options (anywhere: gcloud reads its global flags after the command too) choosing who it acts as, or
 * the flags it reads from a file (gcloud topic flags-file: any flag of the command, as YAML): a template there is
 * refused as docker -H is. auth activate-service-account --key-file: the key of the account it then acts as.
 */
export const GCLOUD_ENGINE = new Map([
  [
    '--impersonate-service-account',
    'the service account it acts as (any one the credentials may impersonate, with its rights)',
  ],
  ['--access-token-file', 'the access token it acts with (a file of this machine: whose token it sends)'],
  ['--account', "the account it acts as (any account of this machine's credentials, with its rights)"],
  ['--configuration', `the configuration it uses (its account and properties): ${WHOSE_CREDENTIALS}`],
  [
    '--flags-file',
    'the flags it reads from a file (YAML: any flag of the command, and so what it deploys and as whom)',
  ],
  ['--key-file', 'the service account key it authenticates with (a file of this machine: who it acts as)'],
  // auth login --cred-file: a service account key, or a workload identity federation config (which names the
  // token URL and the file or URL its subject token comes from).
  [
    '--cred-file',
    'the credential file it logs in with (a key, or a workload identity config naming a token server: who it acts as)',
  ],
  // The service account what it deploys or creates acts as (run deploy, functions deploy and its build and
  // trigger, compute instances create, builds submit, container clusters create, scheduler jobs' OIDC tokens),
  // and the one iam service-accounts keys create makes a key for: any account the credentials may attach.
  ...[
    '--service-account',
    '--build-service-account',
    '--run-service-account',
    '--trigger-service-account',
    '--service-account-email',
    '--oidc-service-account-email',
    '--oauth-service-account-email',
    '--iam-account',
  ].map(
    (option) =>
      [
        option,
        'the service account it (or what it deploys or creates) acts as, or makes a key for (any one the credentials may attach, with its rights)',
      ] as const,
  ),
  // compute instances create, instance-templates create, disks create: the project whose image the boot disk is
  // made from (any project's image: its code boots the VM).
  ...['--image-project', '--source-image-project'].map(
    (option) =>
      [
        option,
        "the project the boot disk's image comes from (another project's image: code of its choosing boots the VM)",
      ] as const,
  ),
]);

/** Why a gcloud project must be one project ID (plainNameProblem), for messages. */
export const PROJECT_WHY =
  'since anything else is no project ID (an option, a list, a path); write such a project in the config, a command per environment';

/**
 * The words of a gcloud command after its groups (gcloud reference: each group's commands), for the subcommand
 * rule: a word before one of these (after the first) is a group, whose next word chooses the command.
 */
const GCLOUD_VERBS: ReadonlySet<string> = new Set([
  ...['create', 'delete', 'describe', 'list', 'update', 'deploy', 'get', 'set', 'unset', 'add', 'remove'],
  ...['ssh', 'scp', 'submit', 'replace', 'cancel', 'start', 'stop', 'restart', 'reset', 'resize'],
  ...['get-credentials', 'get-iam-policy', 'set-iam-policy', 'add-iam-policy-binding', 'login', 'revoke'],
  ...['remove-iam-policy-binding', 'activate-service-account', 'print-access-token', 'print-identity-token'],
  ...['configure-docker', 'cp', 'mv', 'rm', 'ls', 'cat', 'rsync', 'du', 'read', 'publish', 'pull', 'tail'],
  ...['enable', 'disable', 'rollback', 'promote', 'approve', 'reject', 'execute', 'call', 'wait', 'attach'],
  ...['detach', 'move', 'clone', 'patch', 'failover', 'connect', 'add-tag', 'untag', 'list-tags', 'access'],
  ...['run', 'upload', 'download', 'apply', 'import', 'export', 'undelete', 'restore', 'activate', 'browse'],
  ...['migrate', 'suspend', 'resume', 'recreate', 'abandon', 'rename', 'generate', 'deactivate'],
]);

/** Whether a gcloud word is a command: a verb, or a verb and a hyphenated object (add-metadata, update-traffic). */
export const gcloudVerb = (word: string): boolean =>
  GCLOUD_VERBS.has(word) || GCLOUD_VERBS.has(word.split('-')[0]!);

/**
 * gcloud run's commands setting the image a service or job runs (--image), what it runs (--command, --args) and
 * the secrets it gets (--set-secrets, --update-secrets: any secret of the project, as a variable or a file);
 * gcloud app deploy --image-url and builds submit --tag (the image it deploys or builds); and the commands naming
 * images of Container Registry or Artifact Registry (container images add-tag SRC DEST…, delete; artifacts
 * docker images delete, docker tags add IMAGE TAG and delete), also under beta and alpha.
 */
export const GCLOUD_COMMANDS: Record<string, ImageToolCommand> = lookupTable({});
const GCLOUD_SECRETS = 'the secrets (any secret of the project, as a variable or a file of the container)';
const GCLOUD_VM_MOUNT =
  "the VM's directory or disk mounted into the container, or where (a host path such as / or the docker socket; a mount path laid over the container's programs)";
for (const track of ['', 'beta ', 'alpha ']) {
  for (const command of [
    'run deploy',
    'run services update',
    'run services replace',
    'run jobs create',
  ].concat(['run jobs update', 'run jobs deploy', 'run worker-pools deploy', 'run worker-pools update']))
    GCLOUD_COMMANDS[track + command] = {
      does: 'runs',
      options: { '--image': 'image' },
      programs: {
        '--command': 'the entrypoint of the container (the program it runs)',
        '--args': "the arguments of the container's entrypoint (the code a shell or interpreter there runs)",
      },
      rights: { '--set-secrets': GCLOUD_SECRETS, '--update-secrets': GCLOUD_SECRETS },
      operand: () => undefined,
    };
  // run jobs execute --args: the arguments of this execution's container (--update-env-vars: gcloudPairs).
  GCLOUD_COMMANDS[`${track}run jobs execute`] = {
    does: 'runs',
    programs: {
      '--args': "the arguments of the container's entrypoint (the code a shell or interpreter there runs)",
    },
    operand: () => undefined,
  };
  // Cloud Functions (2nd gen) --set-secrets, --update-secrets: any secret of the project, as run deploy's.
  // --entry-point: the function of the source that runs; --runtime: the language it runs in (which file of the
  // source is its code, and how it is built).
  GCLOUD_COMMANDS[`${track}functions deploy`] = {
    does: 'deploys',
    rights: { '--set-secrets': GCLOUD_SECRETS, '--update-secrets': GCLOUD_SECRETS },
    programs: {
      '--entry-point': 'the function of the source that runs (any function or class the source holds)',
      '--runtime':
        'the runtime the function runs in (nodejs22, python312, go123: which files of the source are its code)',
    },
    operand: () => undefined,
  };
  // Container-Optimized OS VMs (and templates of them) running --container-image, its command and arguments.
  for (const command of [
    'compute instances create-with-container',
    'compute instances update-container',
    'compute instance-templates create-with-container',
  ])
    GCLOUD_COMMANDS[track + command] = {
      does: 'runs',
      options: { '--container-image': 'image' },
      // The VM's directories the container gets (host-path=: / or the docker socket; mount-path=: which of the
      // container's own files a mount hides, as docker run -v's), and --container-privileged=VALUE.
      rights: {
        '--container-mount-host-path': GCLOUD_VM_MOUNT,
        '--container-mount-disk': GCLOUD_VM_MOUNT,
        '--container-mount-tmpfs': GCLOUD_VM_MOUNT,
        '--container-privileged':
          "every right over the VM (a privileged container: its devices, the host's root)",
      },
      flags: ['--container-privileged', '--container-stdin', '--container-tty'],
      programs: {
        '--container-command': 'the entrypoint of the container (the program it runs)',
        '--container-arg':
          "an argument of the container's entrypoint (the code a shell or interpreter there runs)",
      },
      operand: () => undefined,
    };
  GCLOUD_COMMANDS[`${track}app deploy`] = {
    does: 'deploys',
    options: { '--image-url': 'image' },
    operand: () => undefined,
  };
  GCLOUD_COMMANDS[`${track}builds submit`] = {
    does: 'builds',
    options: { '--tag': 'image', '-t': 'image' },
    operand: () => undefined,
  };
  for (const [command, does] of [
    ['container images add-tag', 'tags'],
    ['container images untag', 'untags'],
    ['container images delete', 'deletes'],
    ['artifacts docker images delete', 'deletes'],
    ['artifacts docker tags add', 'tags'],
    ['artifacts docker tags delete', 'untags'],
  ] as const)
    GCLOUD_COMMANDS[track + command] = { does, flags: [], operand: image };
}

/**
 * gcloud's commands read here besides GCLOUD_COMMANDS (`path`: the indexes of its leading words): config set and
 * unset, whose property (api_endpoint_overrides/run, core/account, proxy/address, auth/…) chooses the endpoint,
 * account or proxy later gcloud commands use, and whose value is that endpoint, account or proxy: a template in
 * either is refused; deploy releases create --images NAME=IMAGE,…: the image after a fixed NAME= (of the last
 * pair) takes the image rule, and a template elsewhere there is refused.
 */
export function gcloudCommand(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  path: readonly number[],
): void {
  gcloudPairs(found, words, at);
  const lead = path.findIndex((k) => !['alpha', 'beta', 'preview'].includes(words[k]!));
  if (lead < 0) return;
  const command = path.slice(lead).map((k) => words[k]!);
  if (command[0] === 'config' && (command[1] === 'set' || command[1] === 'unset')) {
    const label = `gcloud config ${command[1]}`;
    for (let k = path[lead + 1]! + 1; k < words.length; k++) {
      const names = templates(words[k]!);
      if (names.length)
        found.refused.push({
          index: k,
          names,
          how: `the property (or its value) ${label} sets, which chooses the endpoint, account, project or proxy later gcloud commands use (api_endpoint_overrides/*, core/account, proxy/*)`,
          kind: 'cloud',
        });
    }
    return;
  }
  if (command[0] === 'builds' && command[1] === 'submit') gcloudPack(found, words, path[lead + 1]! + 1);
  // auth print-access-token [ACCOUNT], print-identity-token [ACCOUNT]: the token of any account of this machine's
  // credentials (given to docker login, curl, a deploy tool).
  if (command[0] === 'auth' && /^print-(access|identity)-token$/.test(command[1] ?? '')) {
    const values = [...GCLOUD_VALUES, ...GCLOUD_ENGINE.keys()].concat(
      ...['--lifetime', '--scopes', '--audiences', '--token-format'],
    );
    for (let k = path[lead + 1]! + 1; k < words.length && words[k] !== '--'; k++) {
      const word = words[k]!;
      if (word.startsWith('-')) {
        if (
          !word.includes('=') &&
          (values.includes(word) || GCLOUD_OPTIONAL.get(word)?.includes(words[k + 1] ?? ''))
        )
          k++;
        continue;
      }
      const names = templates(word);
      if (names.length)
        found.refused.push({
          index: k,
          names,
          how: `the account whose token gcloud auth ${command[1]} prints (any account of this machine's credentials, with its rights)`,
          kind: 'cloud',
        });
    }
  }
  // The command's own words end at its verb (the words after it are its operands).
  const verb = command.findIndex((word, n) => n > 0 && gcloudVerb(word));
  if (verb > 0) gcloudGrants(found, words, command.slice(0, verb + 1), path[lead + verb]! + 1);
  if (verb > 0) gcloudImagesAndTokens(found, words, command.slice(0, verb + 1), path[lead + verb]! + 1);
  if (command.slice(0, 3).join(' ') !== 'deploy releases create') return;
  const label = 'gcloud deploy releases create --images';
  for (const { index, from: start } of optionValues(words, path[lead + 2]! + 1, ['--images'])) {
    const word = words[index]!;
    const value = word.slice(start);
    const names = templates(value);
    if (names.length === 0) continue;
    // The last NAME=IMAGE pair's image, after a fixed text: the image rule.
    const eq = value.lastIndexOf('=');
    const head = word.slice(0, start + eq + 1);
    if (eq > 0 && templates(head).length === 0)
      imageReference(found, index, word, head, 'gcloud', `the image ${label} names`);
    else
      found.refused.push({
        index,
        names,
        how: `the images ${label} names (NAME=IMAGE,…: a value in a name, or before another pair, chooses which image each container of the release runs, or adds pairs)`,
        kind: 'image',
      });
  }
}

/** Why a value in a compute image's name must be one plain name (plainNameProblem), for messages. */
const IMAGE_NAME_WHY =
  "since anything else could name another project's image (projects/P/global/images/I, a URL: its code boots the VM); write other projects' images in the config";

/**
 * gcloud compute instances create (instance-templates create, disks create, images create) --image,
 * --image-family, --source-image, --source-image-family: the image the boot disk is made from, which may be a
 * full path (projects/P/global/images/I, a URL) naming any project's image: a value there is checked once
 * rendered to be one plain name after a fixed text with no "/" or after a fixed .../images/ (or .../family/),
 * and refused elsewhere. --create-disk's image=, image-family=, image-project= (and source-image=…) likewise.
 * scheduler jobs create/update http --uri with --oauth- or --oidc-service-account-email: the server that gets
 * the account's token, which a value in the URI's scheme or host chooses (one after a fixed "/" is its path).
 */
function gcloudImagesAndTokens(
  found: ContainerMounts,
  words: readonly string[],
  command: string[],
  from: number,
): void {
  const label = `gcloud ${command.join(' ')}`;
  const joined = command.join(' ');
  const images = ['--image', '--image-family', '--source-image', '--source-image-family'];
  const imageCommand =
    /^compute (instances|instance-templates|disks|images) create$/.test(joined) ||
    /^compute instances create-with-container$/.test(joined);
  if (imageCommand)
    for (const read of gcloudWords(words, from, [...images, '--create-disk']))
      if (read.option !== undefined && images.includes(read.option)) {
        const word = words[read.index]!;
        const value = word.slice(read.prefix.length);
        const names = templates(value);
        if (!names.length) continue;
        const head = value.slice(0, value.search(PLACEHOLDER));
        const tail = value.slice(value.search(PLACEHOLDER)).replace(PLACEHOLDER, '');
        if (
          names.length === 1 &&
          (!head.includes('/') || /\/(images|family)\/[^/]*$/.test(head)) &&
          !head.includes(':') &&
          !tail.includes('/')
        )
          found.names.set(read.index, {
            kind: 'plain',
            prefix: read.prefix + head,
            suffix: tail,
            how: `the image ${label} ${read.option} makes the boot disk from (${word})`,
            why: IMAGE_NAME_WHY,
          });
        else
          found.refused.push({
            index: read.index,
            names,
            how: `the image ${label} ${read.option} makes the boot disk from, where the value would be in its project or path (projects/P/global/images/I: another project's image, whose code boots the VM)`,
            kind: 'cloud',
          });
      } else if (read.option === '--create-disk') {
        const fields = words[read.index]!.slice(read.prefix.length).split(',');
        const names = fields
          .filter(
            (f) =>
              /^(image|image-family|image-project|source-image|source-image-family|source-snapshot)=/.test(
                f,
              ) || !f.includes('='),
          )
          .flatMap(templates);
        if (names.length)
          found.refused.push({
            index: read.index,
            names,
            how: `the image ${label} --create-disk makes a disk from (image=, image-family=, image-project=: another project's image, whose code boots the VM)`,
            kind: 'cloud',
          });
      }
  if (/^scheduler jobs (create|update)$/.test(joined)) {
    const read = gcloudWords(words, from, [
      '--uri',
      '--oauth-service-account-email',
      '--oidc-service-account-email',
    ]);
    if (
      !read.some(
        (r) => r.option === '--oauth-service-account-email' || r.option === '--oidc-service-account-email',
      )
    )
      return;
    for (const r of read) {
      if (r.option !== '--uri') continue;
      const value = words[r.index]!.slice(r.prefix.length);
      const authority = /^[a-z]+:\/\/[^/{}]*\//i.exec(value.replace(PLACEHOLDER, '{}'))?.[0] ?? value;
      const names = templates(value.slice(0, authority.length));
      if (names.length)
        found.refused.push({
          index: r.index,
          names,
          how: `the server ${label} --uri sends the job's requests to, with the token of its --oauth- or --oidc-service-account-email (any server: it gets a token of that account)`,
          kind: 'cloud',
        });
    }
  }
}

/** The words of a gcloud command from `from` (before `--`): each option's value (`option`), or an operand. */
function gcloudWords(
  words: readonly string[],
  from: number,
  values: readonly string[],
): Array<{ index: number; option?: string; prefix: string }> {
  const takes = [...GCLOUD_VALUES, ...GCLOUD_ENGINE.keys(), ...values];
  const read: Array<{ index: number; option?: string; prefix: string }> = [];
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-') || word === '-') read.push({ index: k, prefix: '' });
    else if (word.startsWith('--') && word.includes('=')) {
      const option = word.slice(0, word.indexOf('='));
      read.push({ index: k, option, prefix: `${option}=` });
    } else if (takes.includes(word) || GCLOUD_OPTIONAL.get(word)?.includes(words[k + 1] ?? '')) {
      if (k + 1 < words.length) read.push({ index: ++k, option: word, prefix: '' });
    }
  }
  return read;
}

/**
 * gcloud's commands whose values choose a grant, a secret, a token or what runs (`command`: its words after the
 * track; its options and operands from `from`), refused into `found`: *-iam-policy-binding --member, --role and
 * --condition (who gets which rights: allUsers, roles/owner); secrets versions access (any secret of the project,
 * printed to the job's log or piped on); auth print-identity-token --audiences (a token for any service, sent
 * where the line sends it); builds triggers run TRIGGER (which trigger's build runs, with its service account);
 * config configurations activate NAME, checked once rendered as --configuration's (one plain name).
 */
function gcloudGrants(
  found: ContainerMounts,
  words: readonly string[],
  command: string[],
  from: number,
): void {
  const label = `gcloud ${command.join(' ')}`;
  const refuse = (index: number, prefix: string, how: string) => {
    const names = templates(words[index]!.slice(prefix.length));
    if (names.length) found.refused.push({ index, names, how, kind: 'cloud' });
  };
  const verb = command[command.length - 1] ?? '';
  if (/^(add|remove)-iam-policy-binding$/.test(verb)) {
    const grants = ['--member', '--role', '--condition', '--condition-from-file'];
    for (const read of gcloudWords(words, from, grants))
      if (read.option !== undefined && grants.includes(read.option))
        refuse(
          read.index,
          read.prefix,
          `the ${read.option.slice(2)} of the IAM binding ${label} ${verb.startsWith('add') ? 'grants' : 'removes'} (allUsers, any account; roles/owner, any role: who gets which rights)`,
        );
    return;
  }
  if (command.join(' ') === 'secrets versions access') {
    for (const read of gcloudWords(words, from, ['--secret', '--location', '--out-file']))
      if (read.option === undefined || read.option === '--secret')
        refuse(
          read.index,
          read.prefix,
          `the secret (or its version, which may name any secret, as projects/P/secrets/S/versions/1 does) ${label} reads (any secret of the project, printed to the job's log or piped on)`,
        );
    return;
  }
  if (command.join(' ') === 'auth print-identity-token') {
    for (const read of gcloudWords(words, from, ['--audiences', '--token-format']))
      if (read.option === '--audiences')
        refuse(
          read.index,
          read.prefix,
          `the audience of the identity token ${label} prints (any service or server: the token lets whoever gets it act as the account there)`,
        );
    return;
  }
  if (command.join(' ') === 'builds triggers run') {
    for (const read of gcloudWords(words, from, ['--branch', '--tag', '--sha', '--substitutions']))
      if (read.option === undefined)
        refuse(
          read.index,
          read.prefix,
          `the trigger whose build ${label} starts (any trigger of the project: its build config runs, with its service account)`,
        );
    return;
  }
  if (command.join(' ') === 'config configurations activate') {
    for (const read of gcloudWords(words, from, []))
      if (read.option === undefined && templates(words[read.index]!).length)
        refuse(
          read.index,
          read.prefix,
          `the configuration ${label} makes active for every later gcloud command (its account and properties): ${WHOSE_CREDENTIALS}`,
        );
  }
}

/**
 * gcloud builds submit --pack image=IMAGE,builder=BUILDER,env=…: the image it builds and pushes (as --tag), and
 * the buildpacks builder image that runs the build. The image after a fixed image= or builder= (of the last
 * field) takes the image rule; a template elsewhere there (a key, env=, a field before another) is refused.
 */
function gcloudPack(found: ContainerMounts, words: readonly string[], from: number): void {
  const label = 'gcloud builds submit --pack';
  for (const { index, from: start } of optionValues(words, from, ['--pack'])) {
    const word = words[index]!;
    const value = word.slice(start);
    const names = templates(value);
    if (names.length === 0) continue;
    const comma = value.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length)).lastIndexOf(',');
    const field = /^(image|builder)=/.exec(value.slice(comma + 1))?.[0];
    const head = word.slice(0, start + comma + 1 + (field?.length ?? 0));
    if (field !== undefined && templates(head).length === 0)
      imageReference(
        found,
        index,
        word,
        head,
        'gcloud',
        field === 'image='
          ? `${label} builds and pushes`
          : `${label} builds with (its builder runs the build)`,
      );
    else
      found.refused.push({
        index,
        names,
        how: `the fields of ${label} (image=, builder=, env=: the image built, the builder that runs the build, its variables), where the value would be a key, or before another field`,
        kind: 'image',
      });
  }
}

/**
 * gcloud's options taking a list of KEY=VALUE pairs (calliope's ArgDict): the variables of a Cloud Run service or
 * job, of a function or of its build, of a VM's container; labels; a build's substitutions. gcloud splits the
 * list on "," (or on the delimiter X of a list written ^X^…, gcloud topic escaping), and each pair at its first
 * "=".
 */
const GCLOUD_PAIRS: readonly string[] = [
  ...['--set-env-vars', '--update-env-vars', '--set-build-env-vars', '--update-build-env-vars'],
  ...['--set-labels', '--update-labels', '--labels', '--substitutions', '--container-env'],
  '--update-container-env',
];

/** The delimiter of a gcloud list (`^X^` at its start chooses X) and where its pairs start. */
function gcloudDelimiter(list: string): { delimiter: string; start: number } {
  const custom = /^\^([^^]+)\^/.exec(list);
  return custom ? { delimiter: custom[1]!, start: custom[0].length } : { delimiter: ',', start: 0 };
}

/**
 * gcloud's KEY=VALUE lists (GCLOUD_PAIRS), anywhere before `--`: a template in a key, or in the delimiter
 * (^X^), is refused into `found` (it would choose the variable: BASH_ENV, NODE_OPTIONS, LD_PRELOAD); one in a
 * value is checked once rendered (gcloudPairsProblem), since a value holding the delimiter would add pairs.
 */
function gcloudPairs(found: ContainerMounts, words: readonly string[], at: number): void {
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const option = eq > 0 ? word.slice(0, eq) : word;
    if (!GCLOUD_PAIRS.includes(option)) continue;
    const index = eq > 0 ? k : ++k;
    if (index >= words.length) return;
    const prefix = eq > 0 ? word.slice(0, eq + 1) : '';
    const list = words[index]!.slice(prefix.length);
    const names = templates(list);
    if (names.length === 0) continue;
    const how = `the pairs gcloud ${option} sets (KEY=VALUE,…: the variables or labels of the service, job, function, build or container)`;
    const masked = list.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
    const { delimiter, start } = gcloudDelimiter(masked);
    // Each pair's key: the text before its first "=", which must be fixed (as the delimiter).
    let keyed = templates(list.slice(0, start)).length === 0 && !masked.startsWith('\0');
    for (let from = start; keyed && from <= masked.length;) {
      const end = masked.indexOf(delimiter, from);
      const pair = masked.slice(from, end < 0 ? masked.length : end);
      const equals = pair.indexOf('=');
      if (pair.includes('\0') && (equals < 0 || pair.slice(0, equals).includes('\0'))) keyed = false;
      if (end < 0) break;
      from = end + delimiter.length;
    }
    if (keyed) found.names.set(index, { kind: 'pairs', prefix, how });
    else
      found.refused.push({
        index,
        names,
        how: `${how}, where the value would be a key, or the delimiter`,
        kind: 'pairs',
      });
  }
}

/**
 * Why values in a gcloud KEY=VALUE list (`check`, in `word`, templates unrendered) are refused, or undefined:
 * rendered, the list must split into the same pairs (no value holding the delimiter, "," unless ^X^ chose
 * another, which would add a pair: BASH_ENV=…), and keep its delimiter (a list starting with ^ chooses one).
 */
export function gcloudPairsProblem(
  check: { prefix: string; how: string },
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const list = word.slice(check.prefix.length);
  const { delimiter } = gcloudDelimiter(list);
  const why = `gcloud splits the list on ${JSON.stringify(delimiter)} (a list starting with ^X^ on X), so the value would add pairs of its own (BASH_ENV=… or NODE_OPTIONS=…: code the service or build runs); write other pairs in the config`;
  for (const match of list.matchAll(PLACEHOLDER))
    if (values[match[1]!]!.includes(delimiter))
      return `{{${match[1]}}} is in ${check.how}, and its value holds ${JSON.stringify(delimiter)}: ${why}`;
  // A delimiter of several characters made of a value's end and the text after it (^::^A={{x}}::B=1, x ending in ":").
  const rendered = list.replace(PLACEHOLDER, (_, name: string) => values[name]!);
  const masked = list.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
  if (rendered.split(delimiter).length !== masked.split(delimiter).length)
    return `${[...list.matchAll(PLACEHOLDER)].map((m) => m[0]).join(', ')} is in ${check.how}, and the list holds another ${JSON.stringify(delimiter)} once rendered: ${why}`;
  return undefined;
}
