// Where systemd's tools act, and what they read or run: -H/--host (another machine, reached over ssh with the
// runner's keys: ssh's destination, read by ssh-destinations.ts), -M/--machine (a container, or a user of this machine: root@.host), --root/--image (the tree or
// disk image whose files they read or write), journalctl's and coredumpctl's -D/--directory and --file (the
// journal read; journalctl's --namespace too), busctl's --address (a bus address: unixexec:path=… runs a program) and coredumpctl's debugger.
// Options are read as each tool's getopt_long reads them (option-words.ts: any unique prefix of a long option,
// short clusters, options after operands but for systemd-run's, which end at the program it runs). Tables from
// the tools' option arrays (systemd up to 257; 252's binaries checked with --NAME=x). Pure.
import { longOptions, type OptionGrammar, readOptions } from './option-words.ts';
import { lookupTable } from './lookup-table.ts';

/** How a value in an option of a systemd tool is refused: its kind, and what the option chooses (for messages). */
export interface SystemdWhere {
  index: number;
  /** 'host': -H's [USER@]HOST[:PORT][/CONTAINER], read as ssh's destination (ssh-destinations.ts). */
  kind: 'source' | 'directory' | 'program' | 'code' | 'host';
  how: string;
  /** Where the value starts in its word (after --host=, -H). */
  start?: number;
}

/**
 * systemctl's options as getopt_long reads them (systemd's src/systemctl/systemctl.c, up to 257): by any unique
 * prefix (--leg no is --legend no), the short letters C t p P s H M n o taking a value, options after operands too.
 */
export const SYSTEMCTL_GRAMMAR: OptionGrammar = {
  long: longOptions(
    [
      ...['type', 'property', 'job-mode', 'check-inhibitors', 'capsule', 'legend', 'root', 'image'],
      ...['image-policy', 'kill-whom', 'kill-value', 'signal', 'host', 'machine', 'lines', 'output', 'state'],
      ...['preset-mode', 'boot-loader-menu', 'boot-loader-entry', 'message', 'what', 'reboot-argument'],
      ...['timestamp', 'drop-in', 'when', 'kill-subgroup'],
    ],
    [
      ...['help', 'version', 'all', 'reverse', 'after', 'before', 'show-types', 'failed', 'full', 'fail'],
      ...['irreversible', 'ignore-dependencies', 'ignore-inhibitors', 'value', 'user', 'system', 'global'],
      ...['wait', 'no-block', 'no-legend', 'no-pager', 'no-wall', 'dry-run', 'quiet', 'verbose', 'no-warn'],
      ...['force', 'no-reload', 'no-ask-password', 'runtime', 'plain', 'recursive', 'with-dependencies'],
      ...['firmware-setup', 'now', 'show-transaction', 'read-only', 'mkdir', 'marked', 'stdin'],
    ],
  ),
  shortValues: 'CtpPsHMno',
  permute: true,
};

/** A tool's grammar, and what its --root/--image (and -D/--directory/--file) choose. */
interface SystemdTool {
  grammar: OptionGrammar;
  /** --root/--image: 'directory' where the tree's files are written or run, 'source' where only read. */
  tree?: { kind: 'directory' | 'source'; what: string };
  /** -D/--directory and --file name the journal files read (journalctl, coredumpctl). */
  journal?: boolean;
}

const tool = (
  required: readonly string[],
  none: readonly string[],
  shortValues: string,
  rest: Omit<SystemdTool, 'grammar'> & {
    optional?: readonly string[];
    shortOptional?: string;
    permute?: boolean;
  } = {},
): SystemdTool => ({
  grammar: {
    long: longOptions(required, none, rest.optional),
    shortValues,
    ...(rest.shortOptional && { shortOptional: rest.shortOptional }),
    permute: rest.permute ?? true,
  },
  ...(rest.tree && { tree: rest.tree }),
  ...(rest.journal && { journal: true }),
});

/** What -H/-M take, for the tools acting over the bus (their common options). */
const BUS = ['host', 'machine'];
const COMMON = ['help', 'version', 'no-pager', 'no-legend', 'no-ask-password'];
const JOURNAL_TREE = {
  kind: 'source',
  what: "whose journal it reads (another machine's or tree's logs, where what is checked is found)",
} as const;

const TOOLS: Record<string, SystemdTool> = lookupTable({
  systemctl: {
    grammar: SYSTEMCTL_GRAMMAR,
    tree: {
      kind: 'directory',
      what: 'whose unit files it reads and writes (the units it enables there run as root when that tree boots)',
    },
  },
  journalctl: tool(
    [
      ...['after-cursor', 'cursor', 'cursor-file', 'directory', 'facility', 'field', 'file', 'grep'],
      ...['identifier', 'exclude-identifier', 'image', 'image-policy', 'interval', 'machine', 'namespace'],
      ...['output', 'output-fields', 'priority', 'root', 'since', 'unit', 'until', 'user-unit', 'invocation'],
      ...['vacuum-files', 'vacuum-size', 'vacuum-time', 'verify-key', 'synchronize-on-exit'],
    ],
    [
      ...COMMON,
      ...['all', 'catalog', 'disk-usage', 'dmesg', 'dump-catalog', 'fields', 'flush', 'follow', 'force'],
      ...['full', 'header', 'list-boots', 'list-catalog', 'merge', 'no-full', 'no-hostname', 'no-tail'],
      ...['pager-end', 'quiet', 'relinquish-var', 'reverse', 'rotate', 'setup-keys', 'show-cursor'],
      ...['smart-relinquish-var', 'sync', 'system', 'update-catalog', 'user', 'utc', 'verify', 'new-id128'],
      ...['this-boot', 'list-namespaces', 'list-invocations', 'truncate-newline'],
    ],
    'cgoptuDFMSTU',
    {
      optional: ['boot', 'case-sensitive', 'lines'],
      shortOptional: 'bnI',
      tree: JOURNAL_TREE,
      journal: true,
    },
  ),
  coredumpctl: tool(
    [
      ...['debugger', 'debugger-arguments', 'output', 'field', 'file', 'directory', 'since', 'until', 'json'],
      ...['root', 'image', 'image-policy'],
    ],
    [...COMMON, 'reverse', 'quiet', 'all'],
    'AoFDSUn',
    { tree: JOURNAL_TREE, journal: true },
  ),
  busctl: tool(
    [
      ...BUS,
      ...['address', 'destination', 'json', 'match', 'size', 'timeout', 'augment-creds', 'auto-start'],
      ...['allow-interactive-authorization', 'expect-reply', 'watch-bind'],
    ],
    [
      ...COMMON,
      ...['acquired', 'activatable', 'full', 'list', 'quiet', 'show-machine', 'system', 'unique', 'user'],
      ...['verbose', 'xml-interface'],
    ],
    'HM',
  ),
  loginctl: tool(
    [...BUS, 'kill-whom', 'lines', 'output', 'property', 'signal'],
    [...COMMON, 'all', 'full', 'value'],
    'nopsHMP',
  ),
  machinectl: tool(
    [...BUS, 'property', 'kill-whom', 'signal', 'lines', 'output', 'verify', 'runner', 'format', 'uid'],
    [...COMMON, 'value', 'all', 'full', 'read-only', 'mkdir', 'quiet', 'now', 'force', 'user', 'system'],
    'pPsHMnoE',
  ),
  hostnamectl: tool([...BUS, 'json'], [...COMMON, 'pretty', 'static', 'transient'], 'HM'),
  portablectl: tool(
    [...BUS, 'profile', 'copy', 'extension'],
    [...COMMON, 'quiet', 'runtime', 'no-reload', 'cat', 'enable', 'now', 'no-block', 'force', 'clean'],
    'HMp',
  ),
  timedatectl: tool(
    [...BUS, 'property'],
    [...COMMON, 'adjust-system-clock', 'all', 'monitor', 'value'],
    'pHM',
  ),
  localectl: tool(BUS, [...COMMON, 'no-convert'], 'HM'),
  // systemd-run's options end at the program it runs (its optstring starts with "+").
  'systemd-run': tool(
    [
      ...BUS,
      ...[
        'description',
        'gid',
        'nice',
        'on-active',
        'on-boot',
        'on-calendar',
        'on-startup',
        'on-unit-active',
      ],
      ...['on-unit-inactive', 'path-property', 'property', 'service-type', 'setenv', 'slice'],
      ...['socket-property', 'timer-property', 'uid', 'unit', 'working-directory', 'expand-environment'],
    ],
    [
      ...COMMON,
      ...['collect', 'no-block', 'on-clock-change', 'on-timezone-change', 'pipe', 'pty', 'quiet', 'scope'],
      ...['remain-after-exit', 'same-dir', 'send-sighup', 'shell', 'slice-inherit', 'system', 'user', 'wait'],
    ],
    'puEHM',
    { permute: false },
  ),
  'systemd-analyze': tool(
    [
      ...BUS,
      ...['base-time', 'from-pattern', 'fuzz', 'image', 'image-policy', 'iterations', 'json', 'offline'],
      ...['profile', 'recursive-errors', 'root', 'security-policy', 'threshold', 'to-pattern', 'unit'],
    ],
    [...COMMON, 'global', 'order', 'quiet', 'require', 'system', 'user'],
    'HMU',
    {
      optional: ['generators', 'man'],
      tree: {
        kind: 'source',
        what: 'whose unit files and config it checks (verify, security, cat-config pass on another tree)',
      },
    },
  ),
  'systemd-cgls': tool(
    ['cgroup-id', 'machine', 'unit', 'user-unit', 'xattr'],
    [...COMMON, 'all', 'full'],
    'uM',
  ),
  'systemd-cgtop': tool(
    ['delay', 'depth', 'iterations', 'machine', 'order', 'recursive'],
    [...COMMON, 'batch', 'raw'],
    'dnM',
    { optional: ['cpu'] },
  ),
  'systemd-tmpfiles': tool(
    ['exclude-prefix', 'image', 'image-policy', 'prefix', 'replace', 'root'],
    [...COMMON, 'boot', 'cat-config', 'clean', 'create', 'remove', 'purge', 'user', 'graceful'],
    '',
    {
      tree: {
        kind: 'directory',
        what: "whose files it creates, removes and changes the owner and mode of (/ is this machine's own)",
      },
    },
  ),
  'systemd-sysusers': tool(
    ['image', 'image-policy', 'replace', 'root'],
    [...COMMON, 'cat-config', 'dry-run', 'inline'],
    '',
    { tree: { kind: 'directory', what: 'whose users and groups it adds (its /etc/passwd and /etc/group)' } },
  ),
  'systemd-firstboot': tool(
    [
      ...['hostname', 'image', 'image-policy', 'kernel-command-line', 'keymap', 'locale', 'locale-messages'],
      ...['machine-id', 'root', 'root-password', 'root-password-file', 'root-password-hashed', 'root-shell'],
      ...['timezone', 'welcome'],
    ],
    [
      ...COMMON,
      ...['copy', 'copy-keymap', 'copy-locale', 'copy-root-password', 'copy-root-shell', 'copy-timezone'],
      ...['delete-root-password', 'force', 'prompt', 'prompt-hostname', 'prompt-keymap', 'prompt-locale'],
      ...['prompt-root-password', 'prompt-root-shell', 'prompt-timezone', 'setup-machine-id', 'reset'],
    ],
    '',
    {
      tree: { kind: 'directory', what: 'whose settings it writes (its root password and shell among them)' },
    },
  ),
  'systemd-repart': tool(
    [
      ...[
        'certificate',
        'definitions',
        'discard',
        'dry-run',
        'empty',
        'factory-reset',
        'image',
        'json',
        'key-file',
      ],
      ...[
        'pretty',
        'private-key',
        'root',
        'seed',
        'size',
        'split',
        'tpm2-device',
        'tpm2-pcrs',
        'tpm2-public-key',
      ],
      ...['tpm2-public-key-pcrs', 'image-policy', 'copy-source', 'copy-from', 'exclude-partitions'],
      ...['include-partitions', 'defer-partitions', 'sector-size', 'architecture', 'offline'],
    ],
    [...COMMON, 'can-factory-reset'],
    '',
    {
      tree: { kind: 'directory', what: 'whose partition definitions it reads and whose files it copies in' },
    },
  ),
  bootctl: tool(
    [
      ...['esp-path', 'boot-path', 'root', 'image', 'image-policy', 'install-source', 'make-entry-directory'],
      ...['entry-token', 'json', 'efi-boot-option-description', 'random-seed', 'private-key'],
      ...['private-key-source', 'certificate', 'certificate-source', 'secure-boot-auto-enroll'],
    ],
    [...COMMON, 'print-esp-path', 'print-boot-path', 'print-root-device', 'no-variables', 'variables'],
    '',
    {
      tree: { kind: 'directory', what: 'whose boot loader it installs or updates (what the machine boots)' },
    },
  ),
  'systemd-sysext': tool(['json', 'root', 'image-policy', 'mutable'], [...COMMON, 'force', 'no-reload'], '', {
    tree: { kind: 'directory', what: 'whose system extensions it merges (their programs then run)' },
  }),
});
TOOLS['systemd-mount'] = tool(
  [
    ...BUS,
    ...['automount', 'automount-property', 'description', 'fsck', 'options', 'owner', 'property'],
    ...['timeout-idle-sec', 'type'],
  ],
  [
    ...COMMON,
    ...['bind-device', 'collect', 'discover', 'full', 'list', 'no-block', 'quiet', 'system', 'umount'],
    ...['unmount', 'user', 'tmpfs'],
  ],
  'optHM',
);
TOOLS['systemd-umount'] = TOOLS['systemd-mount'];

/**
 * Where the value of `option` starts in `words[index]`: 0 when it is the word after the option's own (-H VALUE,
 * --ho VALUE, -aH VALUE), after the "=" of a long option (--host=VALUE), after the letter of a short one (-aHVALUE).
 */
function valueStart(words: readonly string[], index: number, option: string): number {
  const before = words[index - 1] ?? '';
  const letter = option.slice(1);
  const apart = option.startsWith('--')
    ? /^--[^=]+$/.test(before) && option.startsWith(before)
    : /^-[A-Za-z]+$/.test(before) && before.endsWith(letter) && !before.startsWith('--');
  if (apart) return 0;
  const word = words[index]!;
  return option.startsWith('--') ? word.indexOf('=') + 1 : word.indexOf(letter, 1) + 1;
}

/** The words of a systemd tool's command (`words[at]`, named `name`) choosing where it acts, what it reads or runs. */
export function systemdWhere(words: readonly string[], at: number, name: string): SystemdWhere[] {
  const entry = TOOLS[name];
  if (!entry) return [];
  const found: SystemdWhere[] = [];
  const { options, operands } = readOptions(words, at + 1, entry.grammar);
  // machinectl shell/login [USER@]NAME: the container (or this machine, .host) and user it runs a shell as, as
  // -M's; pull-raw/pull-tar URL: the image it downloads, which the machine boots.
  const verb = words[operands[0] ?? -1];
  const operand = operands[1];
  if (name === 'machinectl' && operand !== undefined && /^(shell|login)$/.test(verb ?? ''))
    found.push({
      index: operand,
      kind: 'source',
      how: `the container and user machinectl ${verb} runs a shell in (another container, or root@.host: this machine as root)`,
    });
  if (name === 'machinectl' && operand !== undefined && /^pull-(raw|tar)$/.test(verb ?? ''))
    found.push({
      index: operand,
      kind: 'source',
      how: `the URL of the image machinectl ${verb} downloads (what the machine boots and runs)`,
    });
  // portablectl attach/reattach IMAGE, --extension IMAGE: the image whose unit files are attached (its services
  // run, with --now or at their next start); -p/--profile: their sandbox (trusted: none).
  if (name === 'portablectl' && operand !== undefined && /^(attach|reattach)$/.test(verb ?? ''))
    found.push({
      index: operand,
      kind: 'directory',
      how: `the portable image portablectl ${verb} attaches (its services run, as root unless their profile says otherwise)`,
    });
  for (const { option, index } of options) {
    if (index === undefined) continue;
    if (option === '-H' || option === '--host')
      found.push({
        index,
        kind: 'host',
        how: `the host ${name} ${option} acts on over ssh (another machine${name === 'systemctl' ? "'s units are started or stopped" : ''})`,
        start: valueStart(words, index, option),
      });
    else if (option === '-M' || option === '--machine')
      found.push({
        index,
        kind: 'source',
        how: `the container or user ${name} ${option} acts on (another container${name === 'systemctl' ? "'s units" : ''}, or root@.host: this machine${name === 'systemctl' ? "'s" : ''} as root)`,
      });
    else if ((option === '--root' || option === '--image') && entry.tree)
      found.push({
        index,
        kind: entry.tree.kind,
        how: `the value of ${name} ${option}, the ${option === '--root' ? 'directory tree' : 'disk image'} ${entry.tree.what}`,
      });
    else if (name === 'journalctl' && option === '--namespace')
      found.push({
        index,
        kind: 'source',
        how: "the journal namespace journalctl --namespace reads (another service's logs, or * and +NAME: every namespace's, where what is checked is found)",
      });
    else if (entry.journal && /^(-D|--directory|--file)$/.test(option))
      found.push({
        index,
        kind: 'source',
        how: `the value of ${name} ${option}, the journal ${option === '--file' ? 'files' : 'directory'} it reads (another machine's or tree's logs, where what is checked is found)`,
      });
    else if (name === 'portablectl' && option === '--extension')
      found.push({
        index,
        kind: 'directory',
        how: 'the value of portablectl --extension, an image laid over the portable image (its programs and units run)',
      });
    else if (name === 'portablectl' && (option === '-p' || option === '--profile'))
      found.push({
        index,
        kind: 'source',
        how: `the profile portablectl ${option} gives the attached services (trusted: no sandbox, every right of this machine)`,
      });
    else if (name === 'bootctl' && /^--(esp-path|boot-path|install-source)$/.test(option))
      found.push({
        index,
        kind: 'directory',
        how: `the value of bootctl ${option}, ${option === '--install-source' ? 'the tree the boot loader it installs is taken from' : 'the partition it installs the boot loader in'} (what the machine boots)`,
      });
    else if (name === 'busctl' && option === '--address')
      found.push({
        index,
        kind: 'code',
        how: 'the value of busctl --address, the bus it connects to (unixexec:path=PROGRAM runs a program of its choosing; another bus gets the calls)',
      });
    else if (name === 'coredumpctl' && option === '--debugger')
      found.push({ index, kind: 'program', how: 'the debugger coredumpctl --debugger runs' });
    else if (name === 'coredumpctl' && (option === '-A' || option === '--debugger-arguments'))
      found.push({
        index,
        kind: 'code',
        how: `the value of coredumpctl ${option}, the arguments its debugger runs with (gdb -ex runs a command)`,
      });
  }
  return found;
}
