// The host ssh, scp, sftp, rsync, mosh and ssh-copy-id connect to, who they log in as there, and the forwards ssh opens. The host
// gets the commands and what is sent, and the runner's ssh keys log in there (another host one of them is
// authorized on, or a host of the value's choosing reading the session), as a database client's host gets its
// password: a value in it is refused (kind 'credential') but in the host's first label after a fixed prefix or
// before a fixed domain (host-label.ts: web-{{env}}.internal), checked once rendered to be one DNS label. The
// user (user@, ssh -l, -o User=) picks the account the runner's key logs in to, root among them, and is refused;
// so are -o HostName=, CanonicalDomains= (the domain a name is completed with) and SendEnv= (which of the job's
// variables the host gets), and -o SetEnv (the host's variables) as code. -L/-R/-D/-W and -o
// LocalForward/RemoteForward/DynamicForward choose which ports of this machine or of the host are opened, on
// which address, to where (-R 8080:169.254.169.254:80 hands the host this runner's cloud credentials): refused
// (kind 'source'). The remote path of scp and rsync is read elsewhere (remotePathProblem), as are ssh's -J,
// ProxyCommand and the other options that run code (programs.ts). Pure.
import type { ContainerMounts } from './container-mounts.ts';
import { operandsOf, RSYNC_OPTIONS } from './file-reads.ts';
import { HOST_LABEL_WHY, hostPlace } from './host-label.ts';
import { moshWords } from './mosh.ts';
import { PLACEHOLDER } from './placeholder.ts';
import {
  isCodespaceSsh,
  SSH_SHORT,
  shortOptions,
  sshCommandStart,
  sshOptionsStart,
  sshValueLetters,
} from './programs.ts';
import { lookupTable } from './lookup-table.ts';

/** The templates in `text`. */
function templates(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** What a forward option opens, for messages. */
const FORWARDS: Record<string, string> = lookupTable({
  L: 'the forward ssh -L opens (a port of this machine, on any of its addresses, to any host the remote host reaches: another machine of the network may then use it)',
  R: "the forward ssh -R opens (a port of the remote host into any host this runner reaches: its cloud metadata service, with the runner's credentials, or a private service of its network)",
  D: 'the SOCKS proxy ssh -D opens (on any address of this machine: another machine of the network may then reach what the remote host reaches)',
  W: "where ssh -W connects this runner's standard input and output (any host and port the remote host reaches)",
});
const FORWARD_OPTIONS = /^(localforward|remoteforward|dynamicforward)(?=[\s=])/i;

const USER_WHY =
  "the account of the host the runner's ssh key logs in to: it may be authorized for another, root among them";

/**
 * Refuses a value in the user or host of a destination: `words[index]` from character `start` on is
 * `[user@]host…` or `ssh://[user@]host[:port]…` (scp://, sftp://, rsync://), the host ending at `end` (a
 * regular expression: ":" for scp's host:path) or at the word's end; a value in the host's first label after a
 * fixed prefix is checked once rendered to be one DNS label instead. `how` says what the host is.
 */
function destination(
  found: ContainerMounts,
  words: readonly string[],
  index: number,
  start: number,
  tool: string,
  how: string,
  end?: RegExp,
): void {
  const word = words[index]!;
  const text = word.slice(start);
  // A URI's host ends at ":" (its port) or "/" (its path).
  const uri = /^(ssh|scp|sftp|rsync):\/\//i.exec(text)?.[0] ?? '';
  const stop = uri ? /[:/]|$/ : (end ?? /$/);
  const rest = text.slice(uri.length);
  // The user is what precedes the host's last "@" (OpenSSH's strrchr).
  const hostEnd = rest.search(stop);
  const at = rest.lastIndexOf('@', hostEnd - 1);
  const user = rest.slice(0, Math.max(0, at));
  const hostText = rest.slice(at + 1, hostEnd);
  if (templates(uri + user).length)
    found.refused.push({
      index,
      names: templates(uri + user),
      how: `the user ${tool} logs in as (${USER_WHY})`,
      kind: 'credential',
    });
  if (!templates(hostText).length) return;
  const label = hostPlace(hostText);
  const before = word.slice(0, start) + uri + (at < 0 ? '' : `${user}@`);
  if (label && templates(hostText).length === 1)
    found.names.set(index, {
      kind: 'plain',
      label: true,
      prefix: before + label.prefix,
      suffix: label.suffix + word.slice(before.length + hostText.length),
      how,
      why: HOST_LABEL_WHY,
    });
  else
    found.refused.push({
      index,
      names: templates(hostText),
      how: /^rsync:\/\/|^[^/]*::/i.test(text)
        ? `${how}, the rsync daemon that gets what is sent (and the password of RSYNC_PASSWORD or --password-file)`
        : `${how}, which gets the commands and what is sent, the runner's ssh keys logging in there (another host one of them is authorized on, or one of the value's choosing)`,
      kind: 'credential',
      safe: 'write the host in the config, or put the value in its first label after a fixed prefix (web-VALUE.internal), where it is checked when the command runs to be one DNS label',
    });
}

/**
 * The host a systemd tool's -H reaches over ssh, `[USER@]HOST[:PORT][/CONTAINER]` from character `start` of
 * `words[index]`: ssh's destination (its user refused, its host's first label checked once rendered); a value after
 * the host (the port, or the container of that host it acts in) or before the value is refused with the host's
 * kind.
 */
export function sshHost(
  found: ContainerMounts,
  words: readonly string[],
  index: number,
  start: number,
  tool: string,
  how: string,
): void {
  const word = words[index]!;
  destination(found, words, index, start, tool, how, /[:/]|$/);
  const rest = word.slice(start);
  const names = templates(word.slice(0, start) + rest.slice(rest.search(/[:/]|$/)));
  if (names.length)
    found.refused.push({
      index,
      names,
      how: `${how}, after its host (a port, or /CONTAINER: a container of that host it acts in)`,
      kind: 'credential',
    });
}

/** ssh's (scp's, sftp's) -o values: HostName, User, the forwards, the variables sent or set, the domains tried. */
function sshConfigOption(found: ContainerMounts, index: number, value: string, tool: string): void {
  const option = value.trimStart();
  if (!templates(option).length) return;
  const forward = FORWARD_OPTIONS.exec(option)?.[1];
  if (forward)
    found.refused.push({
      index,
      names: templates(option),
      how: `the forward ${tool} -o ${forward} opens (which port of this machine or of the remote host is opened, on which address, to where)`,
      kind: 'source',
    });
  else if (/^sendenv(?=[\s=])/i.test(option))
    found.refused.push({
      index,
      names: templates(option),
      how: `which of the job's variables ${tool} -o SendEnv sends to the host (SendEnv=* sends every one, its secrets among them, where the host accepts them)`,
      kind: 'credential',
    });
  else if (/^setenv(?=[\s=])/i.test(option))
    found.refused.push({
      index,
      names: templates(option),
      how: `the variables ${tool} -o SetEnv sets on the host (a value in a name, or a space in one after a fixed NAME=, sets another: LD_PRELOAD, BASH_ENV)`,
      kind: 'code',
    });
  else if (/^(canonicaldomains|canonicalizehostname)(?=[\s=])/i.test(option))
    found.refused.push({
      index,
      names: templates(option),
      how: `the domain ${tool} -o ${/^canonicald/i.test(option) ? 'CanonicalDomains' : 'CanonicalizeHostname'} completes the host's name with (another domain's host gets the commands and the runner's ssh keys)`,
      kind: 'credential',
    });
  else if (/^(hostname|user)(?=[\s=])/i.test(option))
    found.refused.push({
      index,
      names: templates(option),
      how: /^user/i.test(option)
        ? `the user ${tool} -o User logs in as (${USER_WHY})`
        : `the host ${tool} -o HostName connects to, which gets the commands and what is sent, the runner's ssh keys logging in there`,
      kind: 'credential',
    });
}

/** A remote operand of scp or rsync (`[user@]host:path`, `host::module`, `scp://…`, `rsync://…`): its host part. */
function remoteOperand(found: ContainerMounts, words: readonly string[], index: number, tool: string): void {
  const word = words[index]!;
  // A remote path: a URI, or a ":" before any "/" (outside an IPv6 address's brackets).
  if (/^(scp|rsync|sftp):\/\//i.test(word) || /^(?:\[[^\]]*\]|[^/:[])*:/.test(word))
    destination(found, words, index, 0, tool, `the host ${tool} copies to or from (${word})`, /:|$/);
}

/** The words of `name`'s command (`words[at]`: ssh, scp, sftp, rsync) naming where it connects, as who, or a forward. */
export function sshDestinations(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  name: string,
): void {
  if (name === 'rsync') {
    for (const k of operandsOf(words, at + 1, RSYNC_OPTIONS)) remoteOperand(found, words, k, 'rsync');
    return;
  }
  if (name === 'mosh') {
    // mosh [USER@]HOST: ssh's destination (mosh.ts).
    const { host } = moshWords(words, at);
    if (host !== undefined) destination(found, words, host, 0, 'mosh', 'the host mosh logs in to');
    return;
  }
  if (name !== 'ssh' && name !== 'scp' && name !== 'sftp' && name !== 'ssh-copy-id') return;
  const end = name === 'ssh' ? sshCommandStart(words, at) : words.length;
  // (autossh is read as ssh, its -M PORT besides: sshValueLetters.)
  const letters = name === 'ssh' ? sshValueLetters(words[at]!) : SSH_SHORT[name]!;
  const { values, operands } = shortOptions(
    words,
    name === 'ssh' ? sshOptionsStart(words, at) : at + 1,
    end,
    letters,
  );
  for (const v of values) {
    if (v.index >= words.length) continue;
    const value = words[v.index]!.slice(v.from);
    if (v.letter === 'o') sshConfigOption(found, v.index, value, name);
    else if (name === 'ssh' && v.letter === 'l' && templates(value).length)
      found.refused.push({
        index: v.index,
        names: templates(value),
        how: `the user ssh -l logs in as (${USER_WHY})`,
        kind: 'credential',
      });
    else if (name === 'ssh' && v.letter in FORWARDS && templates(value).length)
      found.refused.push({
        index: v.index,
        names: templates(value),
        how: FORWARDS[v.letter]!,
        kind: 'source',
      });
  }
  if (name === 'ssh' && isCodespaceSsh(words, at)) {
    // gh codespace ssh --profile NAME: the destination ssh connects to instead of the codespace's tunnel.
    for (let j = at + 1; j < words.length && words[j] !== '--'; j++)
      if (words[j] === '--profile' && j + 1 < words.length)
        destination(found, words, j + 1, 0, 'ssh', 'the host gh codespace ssh --profile connects to');
      else if (words[j]!.startsWith('--profile='))
        destination(
          found,
          words,
          j,
          '--profile='.length,
          'ssh',
          'the host gh codespace ssh --profile connects to',
        );
    return;
  }
  if (name === 'ssh') {
    // The destination: the first operand before the command ([user@]host, ssh://[user@]host[:port]).
    const k = operands[0];
    if (k !== undefined) destination(found, words, k, 0, 'ssh', 'the host ssh logs in to');
    return;
  }
  if (name === 'ssh-copy-id') {
    // ssh-copy-id [USER@]HOST: where the key is installed, ssh's destination.
    const k = operands[0];
    if (k !== undefined)
      destination(found, words, k, 0, 'ssh-copy-id', 'the host ssh-copy-id installs the key on');
    return;
  }
  if (name === 'sftp') {
    // sftp [user@]host[:path], sftp://[user@]host[:port][/path].
    const k = operands[0];
    if (k !== undefined) destination(found, words, k, 0, 'sftp', 'the host sftp connects to', /:|$/);
    return;
  }
  for (const k of operands) remoteOperand(found, words, k, 'scp');
}
