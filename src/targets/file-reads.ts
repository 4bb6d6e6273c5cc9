// Arguments a program reads as "the contents of this local file", which it then sends somewhere: curl's
// `-d @FILE`, `-F name=@FILE`, `-H @FILE`, `-T FILE`, `-K FILE`; az's `@FILE` in any argument (or after its
// first "="); aws's `file://FILE` and `fileb://FILE` parameter values; `gh api`/`gh workflow run -F key=@FILE` and
// `gh api --input FILE`; wget's `--post-file`/`--body-file`/`--config`/`-i`/`--load-cookies` and `-e` (a wgetrc
// command, which may name any of them); `kubectl`/`oc create secret|configmap --from-file`/`--from-env-file`,
// `create secret tls --cert`/`--key`; fly's `--file-local PATH=FILE`; sftp's `-b` batch file; and the sources of copy and upload tools. A
// templated value there would choose a file of the runner to send away (`@/home/runner/.ssh/id_rsa`,
// `@/proc/self/environ`, which holds the job's secrets). So a template that names the file, or starts its name,
// is refused when the config loads; a template that starts a value where the tool looks for its marker is
// checked once rendered (the value must not start with it); a template in a file name after a fixed directory
// or prefix (`@payload-{{env}}.json`) is checked once rendered to stay one plain name there. Pure.
import {
  settingChosenMessage,
  settingProblem,
  settingViaProblem,
  type FileSetting,
} from './file-settings.ts';
import {
  isCodespaceSsh,
  programName,
  shortOptions,
  SSH_SHORT,
  sshCommandStart,
  sshOptionsStart,
} from './programs.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { optionValues } from './option-values.ts';
import { GCLOUD_OPTIONAL, TRIVY_VALUES } from './container-mounts.ts';
import { GCLOUD_BUILD_WITH_VALUE, GCLOUD_WITH_VALUE } from './gcloud-options.ts';
import { remoteCommands, type RemoteCommand } from './remote-line.ts';
import { lookupTable } from './lookup-table.ts';

/**
 * How the tool finds a file in the argument (from `from` on, the option's value):
 * - at: a value starting with "@" (curl -d, --data-binary, --json, -H);
 * - az: any argument, split at its first "=": the part after it (or the whole) starting with "@";
 * - form: curl -F NAME=@FILE or NAME=<FILE, the file up to ";" (in an "@" part, each name after a "," too), and
 *   ";headers=@FILE" or ";headers=<FILE" in any part; a value there may hold no ";" (nor "," in an "@" part);
 * - field: gh api -F KEY=@FILE;
 * - urlencode: curl --data-urlencode @FILE or NAME@FILE, when the argument holds no "=";
 * - cookie: curl -b FILE, when the argument holds no "=";
 * - aws: a value starting with file:// or fileb://, or KEY@=file://… in shorthand;
 * - file: the whole value is a file (curl -T, -K, wget --post-file, gh api --input, --from-env-file);
 * - keyed-file: [KEY=]FILE (kubectl --from-file);
 * - local: an operand a copy tool uploads, unless it names a remote path (see RemoteKind);
 * - asset: FILE[#LABEL] (gh release upload/create), the file up to the first "#" after its first character;
 * - item: an httpie request item, whose separator ending with "@" (`@`, `=@`, `:=@`, `:@`, `==@`) reads a file;
 * - variable: curl --variable NAME@FILE, the name being letters, digits and "_";
 * - whole: a command of the tool that may name a file it reads (wget -e post_file=FILE): any value there.
 */
export type FileRule =
  | 'at'
  | 'az'
  | 'form'
  | 'field'
  | 'urlencode'
  | 'cookie'
  | 'aws'
  | 'file'
  | 'keyed-file'
  | 'local'
  | 'asset'
  | 'item'
  | 'variable'
  | 'whole';

/**
 * How a copy tool tells a remote operand from a local file (rule 'local'):
 * - scp: `[user@]host:path` (a ":" before any "/", not first), as scp and rsync read it (also scp://, rsync://),
 *   and rclone's `remote:path` (its `:backend:path`, `:local:` among them, counts as local);
 * - docker: `CONTAINER:PATH`, unless the operand starts with "/" or its part before the ":" with "." (docker cp,
 *   docker compose cp's `SERVICE:PATH`);
 * - kubectl: `[NAMESPACE/]POD:PATH`, any ":" (kubectl cp);
 * - s3: `s3://…` (aws s3, s3cmd);
 * - gs: `SCHEME://…` other than file:// (gsutil, gcloud storage, azcopy); `file://FILE` is local.
 */
export type RemoteKind = 'scp' | 'docker' | 'kubectl' | 's3' | 'gs';

export interface FileRead {
  /** The word's index in the command. */
  index: number;
  /** Where the option's value starts in the word (after `-d`, `--from-file=`). */
  from: number;
  rule: FileRule;
  /** The tool and option, for messages ("curl -d", "az"). */
  how: string;
  /** The safe way to pass a value there (a clause starting with a verb). */
  safe: string;
  /** Rule 'local': how the tool tells a remote operand. */
  remote?: RemoteKind;
  /** A second way the same argument is read (aws s3 cp's operand also takes file://; az's --file takes @FILE). */
  also?: FileRead;
  /** Read on the remote host ssh runs the command on (a file of that host is sent). */
  host?: boolean;
  /** The remote variables set from templates the word reads (`v={{x}}; curl -d $v`): not checked, refused. */
  held?: string[];
  /**
   * The option is a comma-separated list (pflag's StringSlice, read as CSV: kubectl --from-file): a value there
   * may hold no "," (another file) nor '"' (CSV quoting).
   */
  list?: boolean;
  /**
   * What the program does with the file when it does not read and send it (file-writes.ts: a file it writes,
   * deletes, prints): the messages say so. Unset: it reads the file and sends it.
   */
  act?: FileAct;
  /**
   * Not a file's name but what the program gives its files (chmod's mode, chown's owner, chgrp's group:
   * file-settings.ts): refused when a template starts it, checked once rendered otherwise.
   */
  setting?: FileSetting;
  /**
   * The word is a URL, and the file is named after the last part of its path (curl -O, wget, aria2c:
   * urlLastPart): once rendered, a value in that part must be a plain name there, and one elsewhere in the URL
   * (its host and port, a directory, the query) may hold no "/", "\", "?", "#", "%" nor space, which could
   * make another text that last part; anything else a URL holds (host:8080, user@host, [::1]) is fine there.
   * 'path': the tool names the file after the path alone, or escapes a "/" in the query it adds to the name
   * (wget: hook?v=a%2Fb), so a value after a fixed "?" or "#" may hold anything; 'query': it may add the query
   * as written (curl before 8.1 names the file after the last "/" of the whole URL).
   */
  url?: 'path' | 'query';
}

/**
 * Where the last part of a URL's path is in `fixed` (the URL from its start, each value's characters as
 * \u0001): after the last "/" of the path (which starts after "://" and ends at the first "?" or "#"), to the
 * path's end. Computed on the fixed text alone, as the config wrote it.
 */
export function urlLastPart(fixed: string): [number, number] {
  const scheme = fixed.indexOf('://');
  const path = scheme < 0 ? 0 : scheme + 3;
  const ends = [fixed.indexOf('?', path), fixed.indexOf('#', path)].filter((k) => k >= 0);
  const end = ends.length ? Math.min(...ends) : fixed.length;
  const slash = fixed.lastIndexOf('/', end - 1);
  return [slash < path ? path : slash + 1, end];
}

/** What a value elsewhere in a URL than its last part may not hold (urlLastPart): it could choose that part. */
const URL_PART_REFUSED = /[/\\?#%\s]/;

/** What a program does with a file a value may name (file-writes.ts), for messages. */
export interface FileAct {
  /** A verb phrase after the tool: "writes", "deletes", "prints to the job's log". */
  does: string;
  /** What a value could do there, "{of}" standing for "of the runner" or "of the remote host". */
  harm: string;
  /**
   * An empty value that is a whole component of the path (`rm -rf dist/{{x}}`) names the directory above it:
   * refused once rendered.
   */
  noEmpty?: boolean;
}

/** What the file's program does, as "may read a local file and send it" and "a file of the runner to send (…)". */
export function fileDoing(read: FileRead): { may: string; harm: string } {
  const { file, on, of, keys } = whose(read);
  if (!read.act)
    return { may: `may read a ${file}${on} and send it`, harm: `a file ${of} to send (${keys})` };
  return { may: `${read.act.does} a ${file}${on}`, harm: read.act.harm.replaceAll('{of}', of) };
}

/** A word of the line ssh runs remotely that a program there reads a file from and sends. */
export interface RemoteFileRead {
  read: FileRead;
  /** The word as the remote shell reads it, templates unrendered. */
  text: string;
  /** The words of ssh's it is made of. */
  words: number[];
}

/**
 * The words of the line ssh runs (its words from `model.remote`, joined and split again as the remote shell does,
 * remote-line.ts) that a program there reads a file from: `ssh host 'curl -d {{x}} …'`. A word that is one of
 * ssh's words whole, already in the command's own reads (`ssh host curl -d {{x}} …`), is not repeated.
 */
export function remoteFileReads(
  words: readonly string[],
  model: { remote?: { from: number; to: number }; fileReads: ReadonlyMap<number, FileRead> },
  find: (texts: readonly string[], command: RemoteCommand) => FileRead[] = (texts) =>
    texts.flatMap((_, at) => fileReadWords(texts, at)),
): RemoteFileRead[] {
  if (!model.remote) return [];
  const [{ from, to }, known] = [model.remote, model.fileReads];
  const found: RemoteFileRead[] = [];
  for (const command of remoteCommands(words, from, to)) {
    const texts = command.words.map((word) => word.text);
    // A finder may name the files of the command's redirections, after its words (file-writes.ts).
    const tokens = [...command.words, ...command.redirects.map((redirect) => redirect.word)];
    for (const read of find(texts, command)) {
      const word = tokens[read.index]!;
      const [k, text] = word.parts[0] ?? [-1, ''];
      if (word.parts.length === 1 && !word.via && text === words[k] && known.has(k)) continue;
      // A remote variable's templates stand where it is read (its fixed text is not known here).
      const held = word.via;
      const remote = (one: FileRead): FileRead => ({ ...one, host: true, ...(held && { held }) });
      found.push({
        read: { ...remote(read), also: read.also && remote(read.also) },
        text: held
          ? word.text.replace(/\$\{?(\w+)\}?/g, (ref, name: string) => (held.includes(name) ? '' : ref))
          : word.text,
        words: [...new Set(word.parts.map(([index]) => index))],
      });
    }
  }
  return found;
}

/** A template site in such an argument: its word (templates unrendered), or the variable it reaches it through. */
export type FileSite = { read: FileRead; word: string } | FileVia;
export interface FileVia {
  read: FileRead;
  via: string;
  /** Part of the file's name (checked as a plain name), or where a marker may start. */
  file: boolean;
  /**
   * The variable may start the value (where the tool looks for its marker): a value that begins a marker
   * (aws's "fi", the text after it finishing "file://") is refused there only. Unset: it may.
   */
  starts?: boolean;
}

const MARKERS: Record<FileRule, readonly string[]> = {
  at: ['@'],
  az: ['@'],
  form: ['@', '<'],
  field: ['@'],
  urlencode: ['@'],
  cookie: [],
  aws: ['file://', 'fileb://'],
  file: [],
  'keyed-file': [],
  local: [],
  asset: [],
  item: ['@'],
  variable: ['@'],
  whole: [],
};

export const CURL_WITH_VALUE = new Set('AbcCdDeEFHKmoPQrtTuUwxXyYz'.split(''));
// curl's long options (curl 7.88's --help all, and later ones), those taking a value marked "=": curl ≥ 8.16
// reads --opt=VALUE, and older curl (7.81 on ubuntu-22.04) a unique prefix of a long option (--data-b, --upload).
export const CURL_LONG_OPTIONS = new Map<string, boolean>(
  `abstract-unix-socket= alt-svc= anyauth append aws-sigv4= basic ca-native cacert= capath= cert= cert-status
  cert-type= ciphers= compressed compressed-ssh config= connect-timeout= connect-to= continue-at= cookie=
  cookie-jar= create-dirs create-file-mode= crlf crlfile= curves= data= data-ascii= data-binary= data-raw=
  data-urlencode= delegation= digest disable disable-eprt disable-epsv disallow-username-in-url dns-interface=
  dns-ipv4-addr= dns-ipv6-addr= dns-servers= doh-cert-status doh-insecure doh-url= dump-ca-embed dump-header=
  ech= egd-file= engine= etag-compare= etag-save= expand-data= expand-data-ascii= expand-data-binary=
  expand-data-raw= expand-data-urlencode= expand-form= expand-form-string= expand-header= expand-json=
  expand-proxy-header= expand-upload-file= expand-url= expand-url-query= expand-variable= expand-write-out=
  expand-config= expand-cookie= expand-output= expand-user= expect100-timeout= fail fail-early fail-with-body
  false-start follow form= form-escape form-string= ftp-account= ftp-alternative-to-user= ftp-create-dirs
  ftp-method= ftp-pasv ftp-port= ftp-pret ftp-skip-pasv-ip ftp-ssl-ccc ftp-ssl-ccc-mode= ftp-ssl-control get
  globoff happy-eyeballs-timeout-ms= haproxy-clientip= haproxy-protocol head header= help hostpubmd5=
  hostpubsha256= hsts= http0.9 http1.0 http1.1 http2 http2-prior-knowledge http3 http3-only
  ignore-content-length include insecure interface= ip-tos= ipfs-gateway= ipv4 ipv6 json= junk-session-cookies
  keepalive-cnt= keepalive-time= key= key-type= knownhosts= krb= libcurl= limit-rate= list-only local-port=
  location location-trusted login-options= mail-auth= mail-from= mail-rcpt= mail-rcpt-allowfails manual
  max-filesize= max-redirs= max-time= metalink mptcp negotiate netrc netrc-file= netrc-optional next no-alpn
  no-buffer no-clobber no-keepalive no-npn no-progress-meter no-sessionid noproxy= ntlm ntlm-wb oauth2-bearer=
  out-null output= output-dir= parallel parallel-immediate parallel-max= pass= path-as-is pinnedpubkey= post301
  post302 post303 preproxy= progress-bar proto= proto-default= proto-redir= proxy= proxy-anyauth proxy-basic
  proxy-ca-native proxy-cacert= proxy-capath= proxy-cert= proxy-cert-type= proxy-ciphers= proxy-crlfile=
  proxy-digest proxy-header= proxy-http2 proxy-insecure proxy-key= proxy-key-type= proxy-negotiate proxy-ntlm
  proxy-pass= proxy-pinnedpubkey= proxy-service-name= proxy-ssl-allow-beast proxy-ssl-auto-client-cert
  proxy-tls13-ciphers= proxy-tlsauthtype= proxy-tlspassword= proxy-tlsuser= proxy-tlsv1 proxy-user= proxy1.0=
  proxytunnel pubkey= quote= random-file= range= rate= raw referer= remote-header-name remote-name
  remote-name-all remote-time remove-on-error request= request-target= resolve= retry= retry-all-errors
  retry-connrefused retry-delay= retry-max-time= sasl-authzid= sasl-ir service-name= show-error show-headers
  sigalgs= silent skip-existing socks4= socks4a= socks5= socks5-basic socks5-gssapi socks5-gssapi-nec
  socks5-gssapi-service= socks5-hostname= speed-limit= speed-time= ssl ssl-allow-beast ssl-auto-client-cert
  ssl-no-revoke ssl-reqd ssl-revoke-best-effort ssl-sessions= sslv2 sslv3 stderr= styled-output
  suppress-connect-headers tcp-fastopen tcp-nodelay telnet-option= tftp-blksize= tftp-no-options time-cond=
  tls-earlydata tls-max= tls13-ciphers= tlsauthtype= tlspassword= tlsuser= tlsv1 tlsv1.0 tlsv1.1 tlsv1.2
  tlsv1.3 tr-encoding trace= trace-ascii= trace-config= trace-ids trace-time unix-socket= upload-file=
  upload-flags= url= url-query= use-ascii user= user-agent= variable= verbose version vlan-priority= write-out=
  xattr`
    .split(/\s+/)
    .map((o) => [`--${o.replace(/=$/, '')}`, o.endsWith('=')] as const),
);
const CURL_SAFE_DATA =
  'pass the value with --data-raw, which reads no file (--data-raw "version={{…}}"), or after fixed text (-d version={{…}})';
const CURL_FILES: Record<string, CurlFile> = lookupTable({
  d: { rule: 'at', safe: CURL_SAFE_DATA },
  '--data': { rule: 'at', safe: CURL_SAFE_DATA },
  '--data-ascii': { rule: 'at', safe: CURL_SAFE_DATA },
  '--data-binary': { rule: 'at', safe: CURL_SAFE_DATA },
  '--json': {
    rule: 'at',
    safe: 'write the JSON in the config with the value inside it (--json \'{"version":"{{…}}"}\')',
  },
  H: { rule: 'at', safe: 'write the header name in the config (-H "X-Version: {{…}}")' },
  '--header': { rule: 'at', safe: 'write the header name in the config (-H "X-Version: {{…}}")' },
  '--proxy-header': { rule: 'at', safe: 'write the header name in the config (--proxy-header "X-A: {{…}}")' },
  '--data-urlencode': {
    rule: 'urlencode',
    safe: 'give it a name in the config (--data-urlencode version={{…}}), which reads no file',
  },
  F: { rule: 'form', safe: 'use --form-string, which reads no file (--form-string version={{…}})' },
  '--form': { rule: 'form', safe: 'use --form-string, which reads no file (--form-string version={{…}})' },
  T: { rule: 'file', safe: 'pass the value in the URL (curl -T dist/app.tgz https://host/{{…}}/)' },
  '--upload-file': {
    rule: 'file',
    safe: 'pass the value in the URL (curl -T dist/app.tgz https://host/{{…}}/)',
  },
  K: { rule: 'file', safe: 'pass the value as an argument of its own (a config file holds options)' },
  '--config': {
    rule: 'file',
    safe: 'pass the value as an argument of its own (a config file holds options)',
  },
  '--url-query': {
    rule: 'urlencode',
    safe: 'give it a name in the config (--url-query version={{…}}), which reads no file',
  },
  '--variable': {
    rule: 'variable',
    safe: 'give the variable its value with "=" in the config (--variable version={{…}}), which reads no file',
  },
  // -w @FILE prints the file to the job's log.
  w: { rule: 'at', safe: 'write the format in the config (-w "%{http_code}"), the value after fixed text' },
  '--write-out': {
    rule: 'at',
    safe: 'write the format in the config (-w "%{http_code}"), the value after fixed text',
  },
  // The file's contents are sent as If-None-Match.
  '--etag-compare': { rule: 'file', safe: 'name the file in the config' },
  b: { rule: 'cookie', safe: 'write the cookie name in the config (-b session={{…}}), which reads no file' },
  '--cookie': {
    rule: 'cookie',
    safe: 'write the cookie name in the config (-b session={{…}}), which reads no file',
  },
});

/** Which rule reads more of an argument as a file, for an ambiguous prefix of curl's long options. */
const STRICT: Record<FileRule, number> = {
  file: 6,
  'keyed-file': 6,
  form: 5,
  urlencode: 4,
  at: 3,
  az: 3,
  field: 3,
  aws: 3,
  cookie: 2,
  // Not curl's: the upload tools' rules (never a curl option's).
  local: 6,
  asset: 6,
  item: 3,
  variable: 2,
  whole: 6,
};

/** An option of curl naming a file: how it is read, the safe form, and what curl does with it (file-writes.ts). */
export interface CurlFile {
  rule: FileRule;
  safe: string;
  act?: FileAct;
}

/**
 * curl: its options that read a file (or, given another `table`, those of that table), written apart, attached to
 * a short one, or ending a cluster (-sSd @f); --opt=VALUE, a unique prefix, --expand-OPT.
 */
export function curlReads(
  words: readonly string[],
  at: number,
  table: Readonly<Record<string, CurlFile>> = CURL_FILES,
): FileRead[] {
  const reads: FileRead[] = [];
  const push = (index: number, from: number, option: string) => {
    const found = table[option];
    if (found && index < words.length)
      reads.push({ index, from, how: `curl ${option.length === 1 ? `-${option}` : option}`, ...found });
  };
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (word.startsWith('--')) {
      // curl ≥ 8.3's --expand-OPT is OPT, its value's {{variables}} expanded first.
      const expanded = /^--expand-(.*)$/.exec(word.split('=')[0]!)?.[1];
      const plain = expanded && CURL_LONG_OPTIONS.has(`--${expanded}`) ? `--${word.slice(9)}` : word;
      // --opt=VALUE (curl ≥ 8.16), or a prefix of a long option (older curl): an exact name, else every option
      // it starts (an ambiguous prefix fails in curl, and counts here as the strictest of them).
      const eq = plain.indexOf('=');
      const name = eq < 0 ? plain : plain.slice(0, eq);
      const shift = word.length - plain.length;
      const options = CURL_LONG_OPTIONS.has(name)
        ? [name]
        : [...CURL_LONG_OPTIONS.keys()].filter((o) => o.startsWith(name));
      const reads = options
        .filter((o) => Object.hasOwn(table, o))
        .sort((a, b) => STRICT[table[b]!.rule] - STRICT[table[a]!.rule]);
      if (eq >= 0) {
        if (reads.length) push(j, eq + 1 + shift, reads[0]!);
      } else if (reads.length) push(++j, 0, reads[0]!);
      else if (options.some((o) => CURL_LONG_OPTIONS.get(o))) j++;
      continue;
    }
    if (!word.startsWith('-') || word === '-') continue;
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      if (!CURL_WITH_VALUE.has(letter)) continue;
      if (c + 1 < word.length) push(j, c + 1, letter);
      else push(++j, 0, letter);
      break;
    }
  }
  return reads;
}

/** `--opt VALUE` or `--opt=VALUE` (or a getopt prefix of it from `min`): the value's word and offset. */
function longValue(
  words: readonly string[],
  j: number,
  option: string,
  min = option.length,
): { index: number; from: number } | undefined {
  const word = words[j]!;
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  if (name.length < min || !option.startsWith(name)) return undefined;
  return eq < 0 ? { index: j + 1, from: 0 } : { index: j, from: eq + 1 };
}

// gh api's short flags taking a value (pflag): -X, -f, -F, -H, -p, -q, -t; others (-i) take none.
const GH_API_SHORT_WITH_VALUE = new Set('XfFHpqt'.split(''));

/**
 * gh api -F's value in the word at `j`, as pflag reads a cluster of short flags: -F VALUE, -FVALUE, -F=VALUE, after
 * flags taking no value (-iF VALUE, -iFVALUE); a letter it does not know counts as one taking none.
 */
function ghShortField(words: readonly string[], j: number): { index: number; from: number } | undefined {
  const word = words[j]!;
  if (!/^-[^-]/.test(word)) return undefined;
  for (let c = 1; c < word.length; c++) {
    const letter = word[c]!;
    if (!GH_API_SHORT_WITH_VALUE.has(letter)) continue;
    if (letter !== 'F') return undefined;
    if (c + 1 === word.length) return { index: j + 1, from: 0 };
    return { index: j, from: word[c + 1] === '=' ? c + 2 : c + 1 };
  }
  return undefined;
}

/** The arguments of the command at `at` that its program reads a local file from, if it is such a tool. */
export function fileReadWords(words: readonly string[], at: number): FileRead[] {
  // One read per word: a word read two ways (aws s3 cp's operand, az --file) carries the second as `also`.
  const byIndex = new Map<number, FileRead>();
  for (const read of [...toolReads(words, at), ...uploadReads(words, at)]) {
    const first = byIndex.get(read.index);
    byIndex.set(read.index, first ? { ...first, also: read } : read);
  }
  return [...byIndex.values()];
}

/** How a tool's options take values: short letters that take one, long options that take one written apart. */
export interface OptionTable {
  short: string;
  long: ReadonlySet<string>;
  /** Long options taking an optional value, and the values they take (gcloud --user-output-enabled [true|false]). */
  optional?: ReadonlyMap<string, readonly string[]>;
}

/**
 * The operands of a command from `from` on (getopt and cobra alike: options anywhere, `--` ends them), skipping
 * option values. An unknown long option is taken to have no value, so the word after it is checked as an operand
 * (a false refusal rather than a missed file).
 */
export function operandsOf(words: readonly string[], from: number, table: OptionTable): number[] {
  const found: number[] = [];
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < words.length; k++) found.push(k);
      break;
    }
    if (word.startsWith('--')) {
      if (!word.includes('=') && table.long.has(word)) j++;
      else if (table.optional?.get(word)?.includes(words[j + 1] ?? '')) j++;
    } else if (word.startsWith('-') && word !== '-') {
      for (let c = 1; c < word.length; c++)
        if (table.short.includes(word[c]!)) {
          if (c + 1 === word.length) j++;
          break;
        }
    } else found.push(j);
  }
  return found;
}

/** Options from a list written as one string. */
const optionSet = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));
const AWS_WITH_VALUE = optionSet(`
  --acl --storage-class --exclude --include --content-type --cache-control --expires
  --content-disposition --content-encoding --content-language --grants --website-redirect --sse
  --sse-c --sse-c-key --sse-kms-key-id --sse-c-copy-source --sse-c-copy-source-key --metadata
  --metadata-directive --expected-size --page-size --copy-props --source-region --checksum-algorithm
  --checksum-mode --region --profile --endpoint-url --output --query --color --ca-bundle
  --cli-read-timeout --cli-connect-timeout --cli-binary-format
`);
const RSYNC_WITH_VALUE = optionSet(`
  --backup-dir --suffix --chmod --chown --usermap --groupmap --block-size --rsh --rsync-path
  --max-delete --max-size --min-size --max-alloc --partial-dir --timeout --contimeout --modify-window
  --temp-dir --compare-dest --copy-dest --link-dest --compress-choice --compress-level --skip-compress
  --checksum-choice --filter --exclude --exclude-from --include --include-from --files-from --address
  --port --sockopts --out-format --log-file --log-file-format --password-file --bwlimit --stop-after
  --stop-at --write-batch --only-write-batch --read-batch --protocol --iconv --outbuf --info --debug
  --remote-option --early-input --copy-as
`);
/** rsync's options as operandsOf reads them (its short letters taking a value, its long ones). */
export const RSYNC_OPTIONS: OptionTable = { short: 'efTBM@', long: RSYNC_WITH_VALUE };
const KUBECTL_WITH_VALUE = optionSet(`
  --container --namespace --retries --context --kubeconfig --cluster --user --server --token --as
  --as-group --as-uid --request-timeout --certificate-authority --client-certificate --client-key
  --tls-server-name --cache-dir --profile --vmodule
`);
// docker's options, and docker compose's (before its subcommand) and compose cp's.
const DOCKER_WITH_VALUE = optionSet(`
  --host --context --config --log-level --tlscacert --tlscert --tlskey --file --project-name
  --project-directory --profile --env-file --ansi --progress --parallel --index
`);
const GH_WITH_VALUE = optionSet(`
  --repo --notes --notes-file --title --target --discussion-category --notes-start-tag --desc
  --filename --app --body --env --org --repos --visibility --env-file
`);
const GH_CODESPACE_CP_WITH_VALUE = optionSet('--codespace --profile --repo --repo-owner');
const HTTPIE_WITH_VALUE = optionSet(`
  --auth --auth-type --output --print --history-print --style --session --session-read-only --verify
  --cert --cert-key --cert-key-pass --proxy --timeout --max-redirects --max-headers --pretty
  --format-options --ssl --ciphers --default-scheme --boundary --raw --response-charset
  --response-mime
`);
const GCLOUD_SCP_PARENTS = ['compute', 'tpus', 'tpu-vm', 'workstations'];
// rclone's flags taking a value (pflag; its short flags take none).
const RCLONE_WITH_VALUE = optionSet(`
  --config --transfers --checkers --include --exclude --filter --include-from --exclude-from --filter-from
  --files-from --files-from-raw --min-size --max-size --min-age --max-age --max-depth --bwlimit --log-file
  --log-level --stats --stats-log-level --retries --retries-sleep --low-level-retries --timeout --contimeout
  --backup-dir --suffix --order-by --buffer-size --multi-thread-streams --multi-thread-cutoff --max-transfer
  --cutoff-mode --max-backlog --user-agent --header --header-upload --header-download --compare-dest
  --copy-dest --tpslimit --tpslimit-burst --track-renames-strategy --exclude-if-present --ca-cert
  --client-cert --client-key --bind --dump --password-command --metadata-set --s3-chunk-size
  --s3-upload-concurrency --s3-storage-class --s3-acl --drive-chunk-size --cache-dir --temp-dir
`);
// s3cmd's options taking a value (optparse: -c FILE, -m TYPE).
const S3CMD_WITH_VALUE = optionSet(`
  --config --access_key --secret_key --access_token --exclude --exclude-from --rexclude --rexclude-from
  --include --include-from --rinclude --rinclude-from --files-from --region --bucket-location --host
  --host-bucket --acl-grant --acl-revoke --mime-type --default-mime-type --add-header --remove-header
  --storage-class --encoding --add-encoding-exts --multipart-chunk-size-mb --limit-rate --cache-file
  --expiry-date --expiry-days --expiry-prefix --ca-certs --server-side-encryption-kms-id --max-delete
  --limit --website-index --website-error --proxy-host --proxy-port
`);
// azcopy's flags taking a value (cobra).
const AZCOPY_WITH_VALUE = optionSet(`
  --include-pattern --exclude-pattern --include-path --exclude-path --include-regex --exclude-regex
  --include-after --include-before --include-attributes --exclude-attributes --exclude-blob-type
  --from-to --log-level --output-level --output-type --overwrite --block-size-mb --cap-mbps --blob-type
  --block-blob-tier --page-blob-tier --content-type --content-encoding --content-disposition
  --content-language --cache-control --metadata --blob-tags --list-of-files --list-of-versions
  --delete-destination --compare-hash --check-md5 --cpk-by-name --trusted-microsoft-suffixes
  --s2s-handle-invalid-metadata --preserve-permissions --preserve-smb-info --preserve-posix-properties
`);

/** Sync and copy tools: their subcommands, options, how a remote operand looks, and option naming file lists. */
const SYNC_TOOLS: Record<
  string,
  {
    table: OptionTable;
    verbs: string[];
    both?: string[];
    remote: RemoteKind;
    lists: string[];
    example: string;
  }
> = lookupTable({
  // remote:path, as scp's host:path (a leading ":", rclone's :backend: such as :local:, counts as local).
  rclone: {
    table: { short: '', long: RCLONE_WITH_VALUE },
    verbs: ['copy', 'copyto', 'sync', 'move', 'moveto'],
    both: ['bisync'],
    remote: 'scp',
    lists: ['--files-from', '--files-from-raw'],
    example: 'rclone VERB dist/ remote:bucket/{{…}}/',
  },
  s3cmd: {
    table: { short: 'cm', long: S3CMD_WITH_VALUE },
    verbs: ['put', 'sync'],
    remote: 's3',
    lists: ['--files-from'],
    example: 's3cmd VERB dist/app.zip s3://bucket/{{…}}/',
  },
  // A URL (https://account.blob.core.windows.net/…) is remote.
  azcopy: {
    table: { short: '', long: AZCOPY_WITH_VALUE },
    verbs: ['copy', 'cp', 'sync'],
    remote: 'gs',
    lists: ['--list-of-files'],
    example: 'azcopy VERB dist/ "https://account.blob.core.windows.net/site/{{…}}/?SAS"',
  },
});

// az acr build/run's options taking a value, and az's own.
export const AZ_ACR_WITH_VALUE = optionSet(`
  --registry --image --file --build-arg --secret-build-arg --platform --target --timeout --agent-pool
  --resource-group --log-template --auth-mode --source-acr-auth-id --cmd --set --set-secret --values
  --output --query --subscription
`);

/** az commands that upload a local file or directory, and the options naming it (the long one first). */
const AZ_UPLOADS: ReadonlyArray<[string[], string[]]> = [
  [
    ['storage', 'blob', 'upload'],
    ['--file', '-f'],
  ],
  [
    ['storage', 'blob', 'upload-batch'],
    ['--source', '-s'],
  ],
  [
    ['storage', 'blob', 'sync'],
    ['--source', '-s'],
  ],
  // az storage file upload's -s is --share-name.
  [['storage', 'file', 'upload'], ['--source']],
  [
    ['storage', 'file', 'upload-batch'],
    ['--source', '-s'],
  ],
  [
    ['storage', 'fs', 'file', 'upload'],
    ['--source', '-s'],
  ],
  [
    ['storage', 'fs', 'directory', 'upload'],
    ['--source', '-s'],
  ],
  [['webapp', 'deploy'], ['--src-path']],
  [['functionapp', 'deploy'], ['--src-path']],
  [['webapp', 'deployment', 'source', 'config-zip'], ['--src']],
  [['functionapp', 'deployment', 'source', 'config-zip'], ['--src']],
];

const UPLOAD_SAFE = 'put the value in the destination, which names where the file goes, not what is sent';
const COPY_DESTINATION_SAFE =
  'write the local directory in the config, with the value only in a file name after it, where it must be one plain name (dist/app-{{…}}.tgz), or put the value in the remote source';

/**
 * The local destination of a copy tool whose sources uploadReads reads (aws s3 cp, gsutil, gcloud storage, scp,
 * rsync, docker cp, docker compose cp, kubectl cp, rclone, s3cmd, azcopy), rule 'local': a remote one is not a
 * file of the runner. It is where the tool writes (file-writes.ts sets what it does).
 */
export function copyDestinations(words: readonly string[], at: number): FileRead[] {
  return uploadReads(words, at, 'destination');
}

/**
 * Operands a copy or upload tool reads as local files and sends: the sources of aws s3 cp/mv/sync, gsutil cp/mv,
 * gcloud storage cp/mv/rsync, scp, rsync, docker cp, docker compose cp, kubectl/oc cp, rclone, s3cmd put/sync and
 * azcopy copy/sync, az acr build/run, gcloud builds submit and functions/run deploy --source (unless they name a
 * remote path); az's uploads (AZ_UPLOADS: storage blob upload --file, upload-batch and sync --source,
 * webapp/functionapp deploy --src-path…); gh release upload/create's assets and --notes-file, gh gist create's
 * files, gh secret/variable set --env-file; httpie's request items (`field@FILE`, `field=@FILE`, `field:=@FILE`,
 * `Header:@FILE`, `param==@FILE`, and a bare `@FILE`).
 */
function uploadReads(
  words: readonly string[],
  at: number,
  side: 'source' | 'destination' = 'source',
): FileRead[] {
  const name = programName(words[at]!);
  // The destination (side 'destination', for file-writes.ts): the operand it writes, unless it is remote.
  const destination = (index: number | undefined, how: string, remote: RemoteKind): FileRead[] =>
    index === undefined ? [] : [local(index, how, remote, COPY_DESTINATION_SAFE)];
  const local = (index: number, how: string, remote: RemoteKind, safe: string): FileRead => ({
    index,
    from: 0,
    rule: 'local',
    how,
    safe,
    remote,
  });
  /** The operands after a subcommand path (`s3 cp`) and its words, or undefined when the command is not it. */
  const after = (
    table: OptionTable,
    ...path: string[][]
  ): { operands: number[]; verb: string } | undefined => {
    const operands = operandsOf(words, at + 1, table);
    for (const [k, choices] of path.entries())
      if (!choices.includes(words[operands[k] ?? -1] ?? '')) return undefined;
    const verb = operands
      .slice(0, path.length)
      .map((k) => words[k])
      .join(' ');
    return { operands: operands.slice(path.length), verb: `${name} ${verb}` };
  };
  switch (name) {
    case 'aws': {
      const found = after({ short: '', long: AWS_WITH_VALUE }, ['s3'], ['cp', 'mv', 'sync']);
      if (!found || found.operands.length < 2) return [];
      if (side === 'destination') return destination(found.operands[1], found.verb, 's3');
      return [
        local(
          found.operands[0]!,
          found.verb,
          's3',
          `${UPLOAD_SAFE} (aws s3 cp dist/app.zip s3://bucket/{{…}}/)`,
        ),
      ];
    }
    case 'gsutil':
    case 'gcloud': {
      // gcloud builds submit [SOURCE] and gcloud functions|run deploy --source SOURCE: the directory (or archive)
      // they upload to build; gs:// and a git URL are remote.
      const table = { short: 't', long: GCLOUD_BUILD_WITH_VALUE, optional: GCLOUD_OPTIONAL };
      const submit = name === 'gcloud' ? after(table, ['builds'], ['submit']) : undefined;
      const deploy = name === 'gcloud' ? after(table, ['functions', 'run'], ['deploy']) : undefined;
      const build = `${UPLOAD_SAFE} (gcloud builds submit . --tag registry/app:{{…}})`;
      if ((submit || deploy) && side === 'destination') return [];
      if (submit) return submit.operands.map((k) => local(k, submit.verb, 'gs', build));
      if (deploy)
        return optionValues(words, at + 1, ['--source']).map((value) => ({
          ...local(value.index, `${deploy.verb} --source`, 'gs', build),
          from: value.from,
        }));
      // gsutil [-h H -o O -i SA -u P …] cp|mv|rsync [-a ACL -L LOG -s CLASS -z|-j EXTS -x|-y PATTERN …] SRC… DST:
      // its own options come before the command (getopt), the command's after it.
      const command = operandsOf(words, at + 1, { short: 'hoiu', long: new Set() })[0] ?? words.length;
      const found =
        name !== 'gsutil'
          ? after(
              { short: 'Lsajzx', long: GCLOUD_WITH_VALUE, optional: GCLOUD_OPTIONAL },
              ['storage'],
              ['cp', 'mv', 'rsync'],
            )
          : ['cp', 'mv', 'rsync'].includes(words[command] ?? '')
            ? {
                operands: operandsOf(words, command + 1, { short: 'aLszjxy', long: new Set() }),
                verb: `gsutil ${words[command]}`,
              }
            : undefined;
      if (!found || found.operands.length < 2) return [];
      if (side === 'destination') return destination(found.operands.at(-1), found.verb, 'gs');
      const safe = `${UPLOAD_SAFE} (${found.verb} dist/app.zip gs://bucket/{{…}}/)`;
      return found.operands.slice(0, -1).map((k) => local(k, found.verb, 'gs', safe));
    }
    case 'scp':
    case 'rsync': {
      // gcloud compute scp [[USER@]INSTANCE:]SRC… DEST (also tpus tpu-vm, workstations): scp's operands.
      const gcloud = name === 'scp' && GCLOUD_SCP_PARENTS.includes(words[at - 1] ?? '');
      // gsutil rsync, gcloud storage rsync: read as theirs (above).
      if (!gcloud && words.slice(0, at).some((word) => ['gsutil', 'gcloud'].includes(programName(word))))
        return [];
      const table = gcloud
        ? { short: '', long: GCLOUD_WITH_VALUE, optional: GCLOUD_OPTIONAL }
        : name === 'scp'
          ? { short: 'cDFiJlPSXo', long: new Set<string>() }
          : RSYNC_OPTIONS;
      const how = gcloud ? `gcloud ${words[at - 1]} scp` : name;
      if (side === 'destination') {
        const operands = operandsOf(words, at + 1, table);
        return operands.length < 2 ? [] : destination(operands.at(-1), how, 'scp');
      }
      const safe = `${UPLOAD_SAFE} (${how} dist/app.tgz host:/srv/{{…}}/)`;
      const reads = operandsOf(words, at + 1, table)
        .slice(0, -1)
        .map((k) => local(k, how, 'scp', safe));
      // rsync --files-from=FILE: the names of the files it sends (and prints when one is missing).
      if (name === 'rsync')
        for (const value of optionValues(words, at + 1, ['--files-from']))
          reads.push({
            ...value,
            rule: 'file',
            how: 'rsync --files-from',
            safe: 'name the list in the config, a command per environment if it differs',
          });
      return reads;
    }
    case 'docker':
    case 'docker-compose': {
      // docker compose cp and docker-compose cp read SERVICE:PATH as docker cp reads CONTAINER:PATH.
      const table = { short: 'Hclfp', long: DOCKER_WITH_VALUE };
      const found =
        name === 'docker-compose'
          ? after(table, ['cp'])
          : (after(table, ['cp']) ??
            after(table, ['container'], ['cp']) ??
            after(table, ['compose'], ['cp']));
      if (!found || found.operands.length < 2) return [];
      const how = found.verb === 'docker container cp' ? 'docker cp' : found.verb;
      if (side === 'destination') return destination(found.operands[1], how, 'docker');
      const safe = `${UPLOAD_SAFE} (${how} app.conf {{…}}:/etc/app.conf)`;
      return [local(found.operands[0]!, how, 'docker', safe)];
    }
    case 'rclone':
    case 's3cmd':
    case 'azcopy': {
      // rclone copy|copyto|sync|move|moveto SRC DST (bisync: both are read), s3cmd put|sync SRC… DST, azcopy
      // copy|sync SRC DST: every operand but the last is read, unless it is remote.
      const tool = SYNC_TOOLS[name]!;
      const found = after(tool.table, [...tool.verbs, ...(tool.both ?? [])]);
      if (!found || found.operands.length < 2) return [];
      const verb = found.verb.split(' ')[1]!;
      if (side === 'destination') return destination(found.operands.at(-1), found.verb, tool.remote);
      const safe = `${UPLOAD_SAFE} (${tool.example.replace('VERB', verb)})`;
      const sources = tool.both?.includes(verb) ? found.operands : found.operands.slice(0, -1);
      const reads = sources.map((k) => local(k, found.verb, tool.remote, safe));
      for (const option of tool.lists)
        for (const value of optionValues(words, at + 1, [option]))
          reads.push({
            ...value,
            rule: 'file',
            how: `${name} ${option}`,
            safe: 'name the list in the config, a command per environment if it differs',
          });
      return reads;
    }
    case 'kubectl':
    case 'oc': {
      const found = after({ short: 'cnsv', long: KUBECTL_WITH_VALUE }, ['cp']);
      if (!found || found.operands.length < 2) return [];
      if (side === 'destination') return destination(found.operands[1], found.verb, 'kubectl');
      const safe = `${UPLOAD_SAFE} (${name} cp app.tgz {{…}}/pod:/tmp/)`;
      return [local(found.operands[0]!, found.verb, 'kubectl', safe)];
    }
    case 'az': {
      if (side === 'destination') return [];
      const sub = operandsOf(words, at + 1, {
        short: 'o',
        long: new Set(['--output', '--query', '--subscription']),
      }).map((k) => words[k]);
      // az acr build SOURCE: the directory (or a file of it) it uploads to build; a URL (git, tar) is remote.
      const acr = after({ short: 'rtfgo', long: AZ_ACR_WITH_VALUE }, ['acr'], ['build', 'run']);
      if (acr)
        return acr.operands.map((k) =>
          local(k, acr.verb, 'gs', `${UPLOAD_SAFE} (az acr build -r registry -t app:{{…}} .)`),
        );
      const upload = AZ_UPLOADS.find(([path]) => path.every((word, k) => sub[k] === word));
      if (!upload) return [];
      const [path, options] = upload;
      const command = path.join(' ');
      return optionValues(words, at + 1, options).map((value) => ({
        ...value,
        rule: 'file' as const,
        how: `az ${command} ${options[0]}`,
        safe: command.startsWith('storage')
          ? "name the file in the config, and pass the value in the blob's name (--name app-{{…}}.zip)"
          : 'name the package in the config, a command per environment if it differs',
      }));
    }
    case 'gh': {
      // gh codespace cp [-e] [-r] [-- SCP-FLAGS…] SOURCE… DEST: scp's operands, "remote:PATH" the codespace's.
      const copy = after({ short: 'cpR', long: GH_CODESPACE_CP_WITH_VALUE }, ['codespace', 'cs'], ['cp']);
      if (copy) {
        if (copy.operands.length < 2) return [];
        if (side === 'destination') return destination(copy.operands.at(-1), copy.verb, 'scp');
        const safe = `${UPLOAD_SAFE} (gh codespace cp dist/app.tgz remote:/srv/{{…}}/)`;
        return copy.operands.slice(0, -1).map((k) => local(k, copy.verb, 'scp', safe));
      }
      if (side === 'destination') return [];
      const release = after({ short: 'RnFt', long: GH_WITH_VALUE }, ['release'], ['upload', 'create']);
      if (release) {
        const safe =
          'name the file in the config, and pass the value in the tag or title (gh release create v{{…}} dist/app.tgz)';
        const reads: FileRead[] = release.operands
          .slice(1)
          .map((index) => ({ index, from: 0, rule: 'asset', how: release.verb, safe }));
        if (release.verb === 'gh release create')
          for (const value of optionValues(words, at + 1, ['--notes-file', '-F']))
            reads.push({
              ...value,
              rule: 'file',
              how: 'gh release create --notes-file',
              safe: 'pass the value with --notes, which reads no file (--notes "Release {{…}}")',
            });
        return reads;
      }
      // gh issue|pr create|comment|edit|review|merge -F/--body-file FILE: the body it posts.
      const body = after(
        { short: 'R', long: GH_WITH_VALUE },
        ['issue', 'pr'],
        ['create', 'comment', 'edit', 'review', 'merge'],
      );
      if (body)
        return optionValues(words, at + 1, ['--body-file', '-F']).map((value) => ({
          ...value,
          rule: 'file' as const,
          how: `${body.verb} --body-file`,
          safe: 'pass the value with --body, which reads no file (--body "Deployed {{…}}")',
        }));
      // gh secret|variable set -f/--env-file FILE: each KEY=VALUE line of it is stored in the repository.
      const env = after({ short: 'abeorRvf', long: GH_WITH_VALUE }, ['secret', 'variable'], ['set']);
      if (env)
        return optionValues(words, at + 1, ['--env-file', '-f']).map((value) => ({
          ...value,
          rule: 'file' as const,
          how: `${env.verb} --env-file`,
          safe: 'name the file in the config, or pass the value with --body, which reads no file (--body "{{…}}")',
        }));
      const gist = after({ short: 'Rdf', long: GH_WITH_VALUE }, ['gist'], ['create']);
      return (gist?.operands ?? []).map((index) => ({
        index,
        from: 0,
        rule: 'file' as const,
        how: 'gh gist create',
        safe: 'name the file in the config, and pass the value with --desc, which reads no file',
      }));
    }
    case 'http':
    case 'https': {
      if (side === 'destination') return [];
      // http [METHOD] URL [ITEM…]: httpie takes a first operand of letters alone as the method (its
      // _guess_method); otherwise the first is the URL and the second an item (also when a value decides).
      const operands = operandsOf(words, at + 1, { short: 'aAopPs', long: HTTPIE_WITH_VALUE });
      const method = /^[A-Za-z]+$/.test(words[operands[0] ?? -1] ?? '');
      return operands.slice(method ? 2 : 1).map((index) => ({
        index,
        from: 0,
        rule: 'item' as const,
        how: name,
        safe: 'pass the value in a data field or header written in the config (name={{…}}, X-Version:{{…}}), with a value that does not start with "@"',
      }));
    }
  }
  return [];
}

/** An option whose value a tool reads as a local file (or, rule 'whole', as a command that may name one). */
export interface OptionRead {
  /** Its long name, if any (sftp has none). */
  long?: string;
  /** The shortest prefix getopt takes for it (wget); pflag (kubectl) takes the whole name only. */
  min?: number;
  /** Its short letter, if any (getopt: -iFILE, -i FILE, -qi FILE). */
  short?: string;
  rule: FileRule;
  /** A comma-separated list (pflag's StringSlice: kubectl --from-file). */
  list?: boolean;
  safe: string;
  /** What the tool does with the file, when it does not send it (file-writes.ts). */
  act?: FileAct;
}

/** Tools whose options read a file: the short letters that take a value (getopt clusters), and those options. */
export interface OptionReads {
  short: string;
  options: readonly OptionRead[];
}

const WGET_SAFE = 'pass the value in the URL, or with --post-data=version={{…}}, which reads no file';
const KUBECTL_READS: OptionReads = {
  short: '',
  options: [
    {
      long: '--from-file',
      rule: 'keyed-file',
      list: true,
      safe: 'pass the value with --from-literal=key={{…}}, which reads no file',
    },
    {
      long: '--from-env-file',
      rule: 'file',
      list: true,
      safe: 'pass the value with --from-literal=key={{…}}, which reads no file',
    },
    // create secret tls: the certificate and key it puts in the secret, sent to the cluster.
    {
      long: '--cert',
      rule: 'file',
      safe: 'name the certificate and key files in the config, a command per environment if they differ',
    },
    {
      long: '--key',
      rule: 'file',
      safe: 'name the certificate and key files in the config, a command per environment if they differ',
    },
  ],
};
/** --authfile and its source and destination forms (podman, buildah, skopeo): a credentials file read. */
const AUTHFILE_READS: OptionReads = {
  short: '',
  options: ['--authfile', '--src-authfile', '--dest-authfile'].map((long) => ({
    long,
    rule: 'file' as const,
    safe: 'name the credentials file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (--authfile auth/{{…}}.json)',
  })),
};

const OPTION_READS: Record<string, OptionReads> = lookupTable({
  // wget's getopt: the short letters taking a value (-nv is -n v), and unique prefixes of long options.
  wget: {
    short: 'oaeiBtOTwQPlARDIXUn',
    options: [
      { long: '--post-file', min: '--post-f'.length, rule: 'file', safe: WGET_SAFE },
      { long: '--body-file', min: '--body-f'.length, rule: 'file', safe: WGET_SAFE },
      // A wgetrc command (-e post_file=FILE, body_file=, input=, load_cookies=, use_askpass=): any value there.
      {
        long: '--execute',
        min: '--exe'.length,
        short: 'e',
        rule: 'whole',
        safe: 'write the wgetrc command whole in the config, and pass the value in the URL or with --post-data=version={{…}}',
      },
      // A wgetrc file, which may set any of those.
      { long: '--config', min: '--conf'.length, rule: 'file', safe: 'name the wgetrc file in the config' },
      // The URLs it fetches, one a line: a line that is no URL is printed to the log.
      {
        long: '--input-file',
        min: '--input-f'.length,
        short: 'i',
        rule: 'file',
        safe: 'pass the value in the URL, which is an argument of its own',
      },
      // Its cookies are sent with each request (as curl -b FILE's).
      { long: '--load-cookies', min: '--loa'.length, rule: 'file', safe: WGET_SAFE },
    ],
  },
  kubectl: KUBECTL_READS,
  oc: KUBECTL_READS,
  // fly deploy, machine run/create/update and console --file-local /PATH/IN/MACHINE=LOCALPATH: a file of the
  // runner fly uploads into the app's machines (fly deploy --help); cobra takes the whole name only.
  fly: {
    short: '',
    options: [
      {
        long: '--file-local',
        rule: 'keyed-file',
        safe: 'name the local file in the config, or pass the value as content with --file-literal /PATH={{…}} (base64), which reads no file',
      },
    ],
  },
  // The registry credentials file of podman, buildah and skopeo (its credentials sent to the registry).
  podman: AUTHFILE_READS,
  buildah: AUTHFILE_READS,
  skopeo: AUTHFILE_READS,
  // cosign --key FILE: the key it signs or verifies with (a reference, env:// or k8s://, is refused in
  // container-mounts.ts).
  cosign: {
    short: 'aot',
    options: [
      // What it uploads to the registry or sends to the signing services: an attestation's predicate, an SBOM, a
      // signature and its payload, the certificate attached, the identity token (or the file holding it).
      ...[
        '--predicate',
        '--sbom',
        '--attestation',
        '--signature',
        '--payload',
        '--certificate',
        '--cert',
        '--identity-token',
        '--oidc-client-secret-file',
      ].map((long) => ({
        long,
        rule: 'file' as const,
        safe: 'name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (--predicate dist/provenance-{{…}}.json)',
      })),
      {
        long: '--key',
        rule: 'file',
        act: {
          does: 'signs or verifies with the key in',
          harm: 'a file {of} used as the key (the key that signs, or the one trusted to verify: a file the value picks)',
        },
        safe: 'name the key file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (--key keys/{{…}}.pub)',
      },
    ],
  },
  // trivy image --input FILE: the image archive it scans, instead of an image name; -t/--template @FILE: the
  // report's template (a file with no template actions is printed whole); its config, ignore and VEX files and
  // policies (what it reports or lets pass).
  trivy: {
    short: 'fostc',
    options: [
      {
        long: '--template',
        short: 't',
        rule: 'at',
        act: {
          does: 'prints as the report (a file with no template actions, whole)',
          harm: 'a file {of} printed into the report or the log (its keys, /proc/self/environ)',
        },
        safe: 'name the template file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (--template @contrib/{{…}}.tpl)',
      },
      ...[
        ['--config', 'c'],
        ['--ignorefile'],
        ['--ignore-policy'],
        ['--vex', undefined, true],
        ['--secret-config'],
        ['--policy', undefined, true],
        ['--config-policy', undefined, true],
        ['--config-data', undefined, true],
        ['--config-check', undefined, true],
      ].map(([long, short, list]) => ({
        long: long as string,
        ...(short && { short: short as string }),
        rule: 'file' as const,
        ...(list && { list: true }),
        act: {
          does: 'reads its settings, or what it reports or lets pass, from',
          harm: 'a file {of} read as its settings or policies (one that turns findings off, or is printed in an error)',
        },
        safe: 'name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (--ignorefile policies/{{…}}.trivyignore)',
      })),
      {
        long: '--input',
        rule: 'file',
        act: {
          does: 'scans (an image archive, its contents in the report)',
          harm: 'a file {of} read as an image archive, whose contents the report shows',
        },
        safe: 'name the archive in the config, with the value only in a file name after a fixed directory, where it must be one plain name (--input dist/app-{{…}}.tar)',
      },
    ],
  },
  // sftp -b FILE: a batch of commands it runs (put FILE sends one) and echoes to the log.
  sftp: {
    short: 'cDilosSbBFJPRX',
    options: [
      {
        short: 'b',
        rule: 'file',
        safe: "name the batch file in the config, or write the commands, with no value in them, in a here-document (sftp -b - host <<EOF): a value in sftp's commands is refused, as a newline in it would add a command; pass the value where it is checked (scp dist/app-{{…}}.tgz host:/srv/)",
      },
    ],
  },
});

/**
 * The values of the options of `reads` in a command (`words[at]` is the program, `name`): `--opt VALUE`,
 * `--opt=VALUE` or a prefix (min), `-o VALUE`, `-oVALUE`, and a short option ending a cluster (`-qo VALUE`).
 */
export function optionReads(
  words: readonly string[],
  at: number,
  name: string,
  reads: OptionReads,
): FileRead[] {
  const found: FileRead[] = [];
  const push = (value: { index: number; from: number }, option: OptionRead, short = false) => {
    if (value.index >= words.length) return;
    found.push({
      ...value,
      rule: option.rule,
      ...(option.list && { list: true }),
      ...(option.act && { act: option.act }),
      how: `${name} ${short || !option.long ? `-${option.short}` : option.long}`,
      safe: option.safe,
    });
  };
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (word.startsWith('--')) {
      for (const option of reads.options) {
        const value = option.long ? longValue(words, j, option.long, option.min) : undefined;
        if (!value) continue;
        push(value, option);
        if (value.index === j + 1) j++;
        break;
      }
      continue;
    }
    if (!word.startsWith('-') || word === '-') continue;
    for (let c = 1; c < word.length; c++) {
      if (!reads.short.includes(word[c]!)) continue;
      const value = c + 1 < word.length ? { index: j, from: c + 1 } : { index: j + 1, from: 0 };
      const option = reads.options.find((o) => o.short === word[c]);
      if (option) push(value, option, true);
      if (value.index === j + 1) j++;
      break;
    }
  }
  return found;
}

/** The tools of toolReads: options and markers that read a file. */
function toolReads(words: readonly string[], at: number): FileRead[] {
  const name = programName(words[at]!);
  const after = (k: number) => k > at && k < words.length;
  switch (name) {
    case 'curl':
      return curlReads(words, at);
    case 'az':
      // azure-cli expands "@FILE" in every argument, or in the part after its first "=", before parsing them.
      return words.flatMap((_, k) =>
        after(k)
          ? [
              {
                index: k,
                from: 0,
                rule: 'az' as const,
                how: 'az',
                safe: 'pass the value in an argument of its own (--settings VERSION={{…}}), with a value that does not start with "@" (az has no way to pass a leading "@" as text)',
              },
            ]
          : [],
      );
    case 'aws':
      // A parameter's value (--opt VALUE, --opt=VALUE) starting with file:// or fileb://.
      return words
        .flatMap((word, k): FileRead[] => {
          if (!after(k) || (word.startsWith('--') && !word.includes('='))) return [];
          const name = word.slice(0, word.indexOf('='));
          const from = word.startsWith('--') && !name.includes('{{') ? name.length + 1 : 0;
          const safe =
            'pass the value in a parameter of its own, with a value that does not start with file:// or fileb://';
          return [{ index: k, from, rule: 'aws' as const, how: 'aws', safe }];
        })
        .concat(specFiles(words, at, name));
    case 'gh': {
      // gh api and gh workflow run: -F/--field KEY=@FILE (gh's "@" syntax); gh api --input FILE.
      const api = words.findIndex((w, k) => after(k) && w === 'api');
      const run = words.findIndex(
        (w, k) => after(k) && w === 'run' && words.slice(at + 1, k).includes('workflow'),
      );
      const verb = api >= 0 ? 'api' : 'workflow run';
      const start = api >= 0 ? api : run;
      if (start < 0) return [];
      const reads: FileRead[] = [];
      for (let j = start + 1; j < words.length; j++) {
        const word = words[j]!;
        if (word === '--') break;
        const field = word.startsWith('--field') ? longValue(words, j, '--field') : ghShortField(words, j);
        const input =
          verb === 'api' && word.startsWith('--input') ? longValue(words, j, '--input') : undefined;
        if (field && field.index < words.length)
          reads.push({
            ...field,
            rule: 'field',
            how: `gh ${verb} -F`,
            safe: 'use -f/--raw-field, which reads no file (-f version={{…}})',
          });
        if (input && input.index < words.length)
          reads.push({
            ...input,
            rule: 'file',
            how: 'gh api --input',
            safe: 'pass the value with -f key={{…}}, which reads no file',
          });
        if ((field ?? input)?.index === j + 1) j++;
      }
      return reads;
    }
    case 'fly':
    case 'flyctl':
      return optionReads(words, at, name, OPTION_READS.fly!);
    case 'wget':
    case 'kubectl':
    case 'oc':
    case 'podman':
    case 'buildah':
    case 'skopeo':
      return optionReads(words, at, name, OPTION_READS[name]!);
    case 'cosign':
      return [...optionReads(words, at, name, OPTION_READS[name]!), ...cosignUploads(words, at)];
    case 'trivy':
      return [...optionReads(words, at, name, OPTION_READS[name]!), ...trivyPaths(words, at)];
    case 'sftp':
      return [...optionReads(words, at, name, OPTION_READS[name]!), ...sshFiles(words, at, name)];
    case 'crictl':
      return crictlConfigs(words, at);
    case 'gcloud':
      return gcloudFiles(words, at);
    case 'terraform':
    case 'tofu':
    case 'terragrunt':
    case 'docker':
    case 'nomad':
      return specFiles(words, at, name);
    case 'ssh':
    case 'scp':
    case 'ssh-copy-id':
      return sshFiles(words, at, name);
  }
  return [];
}

/** crictl's global options that take a value written apart (before its subcommand). */
const CRICTL_GLOBAL_VALUES = new Set(
  ['-r', '--runtime-endpoint', '-i', '--image-endpoint', '-t', '--timeout', '-c', '--config'].concat([
    '--tracing-endpoint',
    '--tracing-sampling-rate-per-million',
  ]),
);

/**
 * crictl run, runp and create: which operands are container or pod config files (run CONTAINER-CONFIG
 * POD-CONFIG, runp POD-CONFIG, create POD-ID CONTAINER-CONFIG POD-CONFIG), and the options taking a value.
 */
const CRICTL_CONFIGS: Readonly<Record<string, readonly number[]>> = lookupTable({
  run: [0, 1],
  runp: [0],
  create: [1, 2],
});
const CRICTL_RUN_OPTIONS: OptionTable = {
  short: 'rT',
  long: new Set(['--runtime', '--cancel-timeout', '--pull-timeout', '--creds', '--auth', '--username']),
};

/**
 * The container and pod config files crictl run, runp and create read: what they say runs (the command, the
 * image, its mounts of this machine, privileged, the host's namespaces).
 */
function crictlConfigs(words: readonly string[], at: number): FileRead[] {
  let j = at + 1;
  for (; j < words.length && words[j]!.startsWith('-') && words[j] !== '-'; j++)
    if (CRICTL_GLOBAL_VALUES.has(words[j]!)) j++;
  const sub = words[j];
  const configs = sub === undefined ? undefined : CRICTL_CONFIGS[sub];
  if (!configs) return [];
  const operands = operandsOf(words, j + 1, CRICTL_RUN_OPTIONS);
  return configs
    .filter((p) => operands[p] !== undefined)
    .map((p) => ({
      index: operands[p]!,
      from: 0,
      rule: 'file' as const,
      how: `crictl ${sub}`,
      act: {
        does:
          sub === 'create' ? 'creates the container described in' : 'runs the container or pod described in',
        harm: 'a file {of} read as a container or pod config, which chooses what runs (its command, its image, the directories of this machine it mounts, privileged)',
      },
      safe: 'name the config file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (crictl run k8s/container-{{…}}.json k8s/pod.json)',
    }));
}

/**
 * The files gcloud reads whose contents say what runs or what it is given: run services|jobs replace FILE (the
 * service's or job's YAML: its image, command, secrets and service account) and --env-vars-file FILE (of any
 * command: the variables of the service or function, sent to it).
 */
function gcloudFiles(words: readonly string[], at: number): FileRead[] {
  const table = { short: 't', long: GCLOUD_BUILD_WITH_VALUE, optional: GCLOUD_OPTIONAL };
  const operands = operandsOf(words, at + 1, table);
  const track = ['alpha', 'beta', 'preview'].includes(words[operands[0] ?? -1] ?? '') ? 1 : 0;
  const path = operands.slice(track, track + 3).map((k) => words[k]);
  const found: FileRead[] = [];
  if (path[0] === 'run' && (path[1] === 'services' || path[1] === 'jobs') && path[2] === 'replace') {
    const file = operands[track + 3];
    if (file !== undefined)
      found.push({
        index: file,
        from: 0,
        rule: 'file',
        how: `gcloud run ${path[1]} replace`,
        act: {
          does: `deploys the ${path[1] === 'jobs' ? 'job' : 'service'} described in`,
          harm: 'a file {of} read as the YAML of a service or job, which chooses what runs (its image, its command, the secrets it gets, the account it runs as)',
        },
        safe: 'name the YAML file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (gcloud run services replace deploy/service-{{…}}.yaml)',
      });
  }
  // Cloud Deploy: the skaffold file and the manifests a release renders and deploys (their images and commands).
  if (path[0] === 'deploy' && path[1] === 'releases' && path[2] === 'create')
    for (const option of ['--skaffold-file', '--from-k8s-manifest', '--from-run-manifest'])
      for (const value of optionValues(words, at + 1, [option]))
        found.push({
          ...value,
          rule: 'file',
          how: `gcloud deploy releases create ${option}`,
          act: {
            does: 'deploys what is described in',
            harm: 'a file {of} read as the skaffold config or the manifests of a release, which choose what is deployed (its images, its commands, the accounts they run as)',
          },
          safe: `name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (gcloud deploy releases create … ${option} deploy/app-{{…}}.yaml)`,
        });
  for (const value of optionValues(words, at + 1, ['--env-vars-file']))
    found.push({
      ...value,
      rule: 'file',
      how: 'gcloud --env-vars-file',
      safe: 'pass the value with --set-env-vars or --update-env-vars, which read no file (--set-env-vars VERSION={{…}})',
    });
  return found;
}

/**
 * terraform's (tofu's) options that take the next word as their value (one dash or two), and terragrunt's own
 * (terragrunt passes the others on to terraform).
 */
const TERRAFORM_VALUES =
  /^--?(var|var-file|target|replace|lock-timeout|parallelism|state|state-out|backup|backend-config|chdir|out|(terragrunt-)?(working-dir|config|iam-role|source|log-level|tfpath|download-dir)|tf-path)$/;

/**
 * The operand of `verb` (apply's saved plan, show's plan or state file) of terraform, tofu or terragrunt
 * (`words[at]`): the first word after the verb that is no option nor an option's value, if any. terragrunt's
 * run-all VERB, run VERB and run -- VERB name the verb after run.
 */
function verbOperand(words: readonly string[], at: number, verb: string): number[] {
  let k = at + 1;
  const skip = () => {
    while (k < words.length && words[k]!.startsWith('-') && words[k] !== '--')
      k += TERRAFORM_VALUES.test(words[k]!) ? 2 : 1;
  };
  skip();
  if (programName(words[at]!) === 'terragrunt' && /^(run-all|run)$/.test(words[k] ?? '')) {
    k++;
    skip();
    if (words[k] === '--') k++;
  }
  if (words[k] !== verb) return [];
  for (let j = k + 1; j < words.length; j++) {
    if (!words[j]!.startsWith('-')) return [j];
    if (TERRAFORM_VALUES.test(words[j]!)) j++;
  }
  return [];
}

/**
 * Files whose contents say what is deployed: terraform's (tofu's, terragrunt's) -var-file (the variables of the
 * plan: any resource's settings), apply's saved plan (every change made), -state (the local state changed),
 * -state-out/-backup/plan -out (the state and plan written), show's file (printed) and -backend-config FILE (where the state, with its secrets, is kept), aws cloudformation
 * deploy/package --template-file (the stack's resources), docker stack deploy -c/--compose-file (the services
 * and their images, mounts and rights) and nomad job run/plan FILE (the job). The file rule: a template naming the
 * file or starting its name is refused, one in a file name after a fixed directory checked once rendered.
 */
function specFiles(words: readonly string[], at: number, tool: string): FileRead[] {
  const file = (
    value: { index: number; from: number },
    how: string,
    does: string,
    harm: string,
  ): FileRead => ({
    ...value,
    rule: 'file',
    how,
    act: { does, harm },
    safe: `name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (${how} deploy/{{…}}.…)`,
  });
  const has = (word: string) => words.slice(at + 1).includes(word);
  // terraform's options: -name VALUE or -name=VALUE (one dash or two).
  const dashed = (name: string) => {
    const found: Array<{ index: number; from: number }> = [];
    for (let j = at + 1; j < words.length; j++) {
      const word = words[j]!;
      const bare = word.replace(/^--/, '-');
      if (bare === name && j + 1 < words.length) found.push({ index: ++j, from: 0 });
      else if (bare.startsWith(`${name}=`)) found.push({ index: j, from: word.indexOf('=') + 1 });
    }
    return found;
  };
  switch (tool) {
    case 'terraform':
    case 'tofu':
    case 'terragrunt':
      return [
        ...dashed('-var-file').map((v) =>
          file(
            v,
            `${tool} -var-file`,
            'plans with the variables of',
            'a file {of} read as the variables of the plan, which set what every resource is',
          ),
        ),
        // apply PLANFILE: the saved plan applied, which says every change made.
        ...verbOperand(words, at, 'apply').map((index) =>
          file(
            { index, from: 0 },
            `${tool} apply`,
            'applies the saved plan in',
            'a file {of} read as the saved plan, which says every change that is made',
          ),
        ),
        // show FILE: the plan or state it prints, with the secrets in it, to the job's log.
        ...verbOperand(words, at, 'show').map((index) =>
          file(
            { index, from: 0 },
            `${tool} show`,
            "prints to the job's log",
            "a file {of} to show (a state's or plan's secrets, or the lines of any file in its error)",
          ),
        ),
        // -state FILE (the local backend's): the state plan and apply read and change, another environment's
        // among them. -state-out and -backup FILE: where they write the new state and the old one, -out FILE
        // where plan writes the saved plan (which a later apply applies): files overwritten, secrets in them.
        ...dashed('-state').map((v) =>
          file(
            v,
            `${tool} -state`,
            'reads and changes the state in',
            "a file {of} read and written as the state, which chooses whose resources are changed (another environment's state)",
          ),
        ),
        ...(
          [
            ['-state-out', 'writes the new state to', 'the state'],
            ['-backup', 'writes the backup of the state to', 'the state before the change'],
            [
              '-out',
              'writes the saved plan to',
              "the saved plan a later apply applies (another environment's plan overwritten)",
            ],
          ] as const
        ).flatMap(([option, does, what]) =>
          dashed(option).map((v) =>
            file(
              v,
              `${tool} ${option}`,
              does,
              `a file {of} to overwrite with ${what}, secrets in it (a script a later step runs, or a file the job serves or uploads)`,
            ),
          ),
        ),
        // -backend-config=FILE, not -backend-config=KEY=VALUE (a setting of the backend, checked as data).
        ...dashed('-backend-config')
          .filter((v) => !words[v.index]!.slice(v.from).includes('='))
          .map((v) =>
            file(
              v,
              `${tool} -backend-config`,
              'keeps its state where it is told by',
              "a file {of} read as the backend's settings, which choose where the state, with its secrets, is read and written",
            ),
          ),
      ];
    case 'aws':
      if (!has('cloudformation') || !(has('deploy') || has('package'))) return [];
      return optionValues(words, at + 1, ['--template-file']).map((v) =>
        file(
          v,
          'aws cloudformation --template-file',
          'deploys the stack described in',
          "a file {of} read as the stack's template, which chooses its resources, their code and their rights",
        ),
      );
    case 'docker':
      if (!has('stack') || !has('deploy')) return [];
      return optionValues(words, at + 1, ['-c', '--compose-file']).map((v) =>
        file(
          v,
          'docker stack deploy -c',
          'deploys the services described in',
          "a file {of} read as the stack's services, which chooses their images, mounts and rights",
        ),
      );
    case 'nomad': {
      const run = words.findIndex((w, k) => k > at && (w === 'run' || w === 'plan'));
      if (run < 0) return [];
      // nomad's flags are single-dash (-var k=v, -var-file f): those with a value take the next word.
      const valued =
        /^--?(var|var-file|check-index|namespace|region|address|token|consul-token|vault-token|vault-namespace|output|eval-priority)$/;
      let operand: number | undefined;
      for (let j = run + 1; j < words.length && operand === undefined; j++)
        if (valued.test(words[j]!)) j++;
        else if (!words[j]!.startsWith('-')) operand = j;
      return operand === undefined
        ? []
        : [
            file(
              { index: operand, from: 0 },
              `nomad job ${words[run]}`,
              'runs the job described in',
              'a file {of} read as the job, which chooses the programs it runs and their rights',
            ),
          ];
    }
  }
  return [];
}

/**
 * cosign upload blob -f/--files FILE[:PLATFORM] (a list) and upload wasm -f/--file FILE: the file it uploads to
 * the registry. Elsewhere cosign's -f is --force, which takes no value.
 */
function cosignUploads(words: readonly string[], at: number): FileRead[] {
  const upload = words.indexOf('upload', at + 1);
  const sub = words[upload + 1];
  if (upload < 0 || (sub !== 'blob' && sub !== 'wasm')) return [];
  const found: FileRead[] = [];
  for (let j = upload + 2; j < words.length && words[j] !== '--'; j++) {
    const word = words[j]!;
    const long = sub === 'blob' ? '--files' : '--file';
    let value: { index: number; from: number } | undefined;
    let how = '-f';
    if (word === '-f' || word === long) value = { index: j + 1, from: 0 };
    else if (word.startsWith('-f')) value = { index: j, from: word[2] === '=' ? 3 : 2 };
    else if (word.startsWith(`${long}=`)) value = { index: j, from: long.length + 1 };
    if (!value) continue;
    if (word.startsWith('--')) how = long;
    if (value.index < words.length)
      found.push({
        ...value,
        rule: 'file',
        ...(sub === 'blob' && { list: true }),
        how: `cosign upload ${sub} ${how}`,
        safe: 'name the file in the config, with the value only in a file name after a fixed directory, where it must be one plain name (-f dist/app-{{…}}.tgz)',
      });
    if (value.index === j + 1) j++;
  }
  return found;
}

/** trivy's subcommands scanning a path of this machine (repo: a URL, or a local repository). */
const TRIVY_PATHS = new Set([
  'fs',
  'filesystem',
  'rootfs',
  'config',
  'conf',
  'repo',
  'repository',
  'sbom',
  'vm',
]);

/**
 * trivy fs, rootfs, config, repo, sbom and vm PATH: the file or directory scanned, whose contents the report
 * shows (secrets it finds, a config's lines); a repository's URL (scheme://…) is none.
 */
function trivyPaths(words: readonly string[], at: number): FileRead[] {
  const operands: number[] = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < words.length; k++) operands.push(k);
      break;
    }
    if (word.startsWith('-') && word !== '-') {
      if (!word.includes('=') && TRIVY_VALUES.includes(word)) j++;
      continue;
    }
    operands.push(j);
  }
  if (!TRIVY_PATHS.has(words[operands[0] ?? -1] ?? '')) return [];
  return operands
    .slice(1)
    .filter((k) => !/^[A-Za-z][\w+.-]*:\/\//.test(words[k]!))
    .map((index) => ({
      index,
      from: 0,
      rule: 'file' as const,
      how: `trivy ${words[operands[0]!]!}`,
      act: {
        does: 'scans (its contents in the report)',
        harm: "a file or directory {of} scanned, whose contents the report shows (the secrets it finds, a config's lines)",
      },
      safe: 'name the path in the config, with the value only in a name after a fixed directory, where it must be one plain name (trivy fs services/{{…}})',
    }));
}

/** What ssh (scp, sftp) does with a file an option of its names, for messages (fileDoing). */
const SSH_ACTS = {
  config: {
    does: 'reads its options from',
    harm: "a file {of} whose lines set ssh's options (ProxyCommand and LocalCommand run commands, IdentityFile picks a key)",
  },
  key: {
    does: 'logs in with the key or certificate in',
    harm: "a key {of} to log in with (another deploy key, or a user's own)",
  },
  known: {
    does: 'trusts the host keys listed in',
    harm: "a file {of} whose keys ssh trusts for the host (a man in the middle's)",
  },
  socket: {
    does: 'connects through the socket',
    harm: 'a socket {of} leading to another connection or agent (its logged-in session, its keys)',
  },
  write: {
    does: 'writes (appends to)',
    harm: 'a file {of} to create or add lines to (~/.bashrc, a script a later step runs: code that runs later)',
    noEmpty: true,
  },
} satisfies Record<string, FileAct>;

/** ssh's short options naming a file it reads, writes or connects through (ssh(1); scp and sftp take -F and -i). */
const SSH_FILE_FLAGS: Record<string, keyof typeof SSH_ACTS> = lookupTable({
  F: 'config',
  i: 'key',
  S: 'socket',
  E: 'write',
});

/**
 * Its -o options naming one (ssh_config(5)): the known hosts file is written too (ssh adds a new host's key to
 * the first), ControlPath and IdentityAgent are sockets. ProxyCommand and the like run commands (programs.ts).
 */
const SSH_FILE_OPTIONS: Record<string, keyof typeof SSH_ACTS> = lookupTable({
  identityfile: 'key',
  certificatefile: 'key',
  userknownhostsfile: 'write',
  globalknownhostsfile: 'known',
  revokedhostkeys: 'known',
  controlpath: 'socket',
  identityagent: 'socket',
});

/**
 * The files ssh, scp and sftp take from their options: -F (the config), -i (a key), ssh's -S (the control
 * socket) and -E (the log it writes), and -o KEY=FILE for the keys of SSH_FILE_OPTIONS (also -oKEY=FILE,
 * -o "KEY FILE"). ssh's options end at the command it hands the remote host; scp's -S and sftp's -S name a
 * program (launchers.ts), not a socket.
 */
function sshFiles(words: readonly string[], at: number, name: string): FileRead[] {
  const end = name === 'ssh' ? sshCommandStart(words, at) : words.length;
  const found: FileRead[] = [];
  const push = (index: number, from: number, option: string, act: keyof typeof SSH_ACTS) => {
    if (index >= words.length) return;
    found.push({
      index,
      from,
      rule: 'file',
      how: `${name} ${option}`,
      act: SSH_ACTS[act],
      safe: `name the ${act === 'config' ? 'config file' : act === 'socket' ? 'socket' : act === 'write' ? 'file' : 'key file'} in the config (${name} ${option.startsWith('-o') ? `${option}=` : `${option} `}${act === 'config' ? './deploy.ssh_config' : act === 'key' ? '~/.ssh/deploy_key' : act === 'socket' ? '~/.ssh/deploy.sock' : 'logs/ssh.log'} …), a command per environment if they differ`,
    });
  };
  // gh codespace ssh: its own --debug-file is the log it writes; ssh's options come after its `--`.
  const codespace = name === 'ssh' && isCodespaceSsh(words, at);
  if (codespace)
    for (let j = at + 1; j < end && words[j] !== '--'; j++)
      if (words[j] === '--debug-file') push(j + 1, 0, '--debug-file', 'write');
      else if (words[j]!.startsWith('--debug-file='))
        push(j, '--debug-file='.length, '--debug-file=', 'write');
  const start = name === 'ssh' ? sshOptionsStart(words, at) : at + 1;
  for (const { letter, index, from } of shortOptions(words, start, end, SSH_SHORT[name]!).values) {
    const act = SSH_FILE_FLAGS[letter];
    if (letter === 'o') {
      // ssh skips blanks before the option's name.
      const key = /^\s*(\w+)(?:\s*=\s*|\s+)/.exec((words[index] ?? '').slice(from));
      const option = key && SSH_FILE_OPTIONS[key[1]!.toLowerCase()];
      if (option) push(index, from + key[0].length, `-o ${key[1]}`, option);
    } else if (act && (letter !== 'S' || name === 'ssh') && (letter !== 'E' || name === 'ssh'))
      push(index, from, `-${letter}`, act);
  }
  return found;
}

/** A character of an argument: fixed text (-1), from the template at this occurrence (≥ 0), or unknown (-2). */
interface Char {
  c: string;
  from: number;
}

/** Whether a copy tool reads `operand` as a remote path rather than a local file (see RemoteKind). */
export function isRemoteOperand(kind: RemoteKind, operand: string): boolean {
  switch (kind) {
    case 'scp':
      // scp's colon() and rsync alike: a ":" before any "/"; a leading ":" is part of a file's name.
      return /^[^/]*:/.test(operand) && !operand.startsWith(':');
    case 'docker':
      return operand.includes(':') && !operand.startsWith('/') && !operand.startsWith('.');
    case 'kubectl':
      return operand.includes(':');
    case 's3':
      return operand.startsWith('s3://');
    case 'gs':
      return /^[A-Za-z0-9]+:\/\//.test(operand) && !/^file:\/\//i.test(operand);
  }
}

/** httpie's request-item separators, longest first at one place (httpie's KeyValueArgType). */
const ITEM_SEPARATORS = [':=@', '==@', '=@', ':@', ':=', '==', ':', '=', '@', ';'];

/** The separator of an httpie request item: the first one in it (a backslash escapes a character), longest. */
function itemSeparator(text: string): { at: number; separator: string } | undefined {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (':=@;'.includes(text[i]!))
      return { at: i, separator: ITEM_SEPARATORS.find((sep) => text.startsWith(sep, i))! };
  }
  return undefined;
}

/** Where the tool finds its marker and the file's name in `region`, or undefined: it reads no file there. */
function locate(
  read: FileRead,
  text: string,
): { marker?: [number, number]; file: [number, number] } | undefined {
  const eq = text.indexOf('=');
  switch (read.rule) {
    case 'local':
      if (isRemoteOperand(read.remote!, text)) return undefined;
      return { file: [read.remote === 'gs' && /^file:\/\//i.test(text) ? 7 : 0, text.length] };
    case 'asset': {
      const hash = text.indexOf('#');
      return { file: [0, hash > 0 ? hash : text.length] };
    }
    case 'item': {
      const found = itemSeparator(text);
      if (!found?.separator.endsWith('@')) return undefined;
      const start = found.at + found.separator.length;
      const type = found.separator === '@' ? text.indexOf(';type=', start) : -1;
      return { marker: [start - 1, start], file: [start, type < 0 ? text.length : type] };
    }
    case 'at':
      return text.startsWith('@') ? { marker: [0, 1], file: [1, text.length] } : undefined;
    case 'file':
    case 'whole':
      return { file: [0, text.length] };
    case 'cookie':
      return eq < 0 ? { file: [0, text.length] } : undefined;
    case 'keyed-file':
      return { file: [eq + 1, text.length] };
    case 'az': {
      const p = eq + 1;
      return text[p] === '@' && text.length > p + 1
        ? { marker: [p, p + 1], file: [p + 1, text.length] }
        : undefined;
    }
    case 'field':
    case 'form': {
      if (eq < 0 || !MARKERS[read.rule].includes(text[eq + 1] ?? '')) return undefined;
      const semicolon = read.rule === 'form' ? text.indexOf(';', eq + 2) : -1;
      return { marker: [eq + 1, eq + 2], file: [eq + 2, semicolon < 0 ? text.length : semicolon] };
    }
    case 'variable': {
      // NAME@FILE, or NAME[N-M]@FILE (a byte range of the file, curl 8.12).
      const name = /^[A-Za-z0-9_]+(\[[0-9]*-?[0-9]*\])?@/.exec(text);
      return name
        ? { marker: [name[0].length - 1, name[0].length], file: [name[0].length, text.length] }
        : undefined;
    }
    case 'urlencode': {
      const at = text.indexOf('@');
      return eq >= 0 || at < 0 ? undefined : { marker: [at, at + 1], file: [at + 1, text.length] };
    }
    case 'aws': {
      const start = MARKERS.aws.find((m) => text.startsWith(m));
      if (start) return { marker: [0, start.length], file: [start.length, text.length] };
      const shorthand = /@=(fileb?:\/\/)/.exec(text);
      if (!shorthand) return undefined;
      const begin = shorthand.index + 2;
      const comma = text.indexOf(',', begin);
      return {
        marker: [begin, begin + shorthand[1]!.length],
        file: [begin + shorthand[1]!.length, comma < 0 ? text.length : comma],
      };
    }
  }
}

/**
 * The local files curl -F reads in `text` (its first "=" at `eq`), as curl's formparse() and get_param_part()
 * read them: after "=@" each name up to ";" or "," (a "," starts another file), after "=<" the name up to ";",
 * and in any part a parameter ";headers=@FILE" or ";headers=<FILE" (case aside, spaces allowed around the
 * marker). Its parameters' other values (;type=, ;filename=) are not files. `text` holds no value's ";" or ","
 * (fileReadProblem refuses them first; fileClasses passes templates as one other character).
 */
function formFiles(text: string, eq: number): Array<[number, number]> {
  const at = text[eq + 1] === '@';
  const files: Array<[number, number]> = [];
  let isFile = at || text[eq + 1] === '<';
  let start = isFile ? eq + 2 : eq + 1;
  for (let k = start; k <= text.length; k++) {
    const c = text[k];
    if (k < text.length && c !== ';' && !(at && c === ',')) continue;
    if (isFile) files.push([start, k]);
    if (c === ';') {
      const headers = /^\s*headers=[@<]\s*/i.exec(text.slice(k + 1));
      isFile = headers !== null;
      start = k + 1 + (headers?.[0].length ?? 0);
      k = start - 1;
    } else [isFile, start] = [true, k + 1];
  }
  return files;
}

/** The characters of `word` from `from` on, each template rendered by `render` (undefined: unknown, one char). */
function charsOf(word: string, from: number, render: (name: string) => string | undefined): Char[] {
  const chars: Char[] = [];
  let last = 0;
  let occurrence = 0;
  const fixed = (text: string) => chars.push(...[...text].map((c) => ({ c, from: -1 })));
  for (const match of word.matchAll(PLACEHOLDER)) {
    fixed(word.slice(last, match.index));
    const value = render(match[1]!);
    if (value === undefined) chars.push({ c: '\u0001', from: -2 });
    else chars.push(...[...value].map((c) => ({ c, from: occurrence })));
    occurrence++;
    last = match.index + match[0].length;
  }
  fixed(word.slice(last));
  // `from` counts the fixed text of the option before the value (`-d`, `--from-file=`): no template is there.
  return chars.slice(from);
}

/** No offset of a word whose "$" is a character: each starts an expansion (expansions). */
const NONE: ReadonlySet<number> = new Set();

/** What the value of a template does there: nothing, start a marker, name part of a file, or choose the file. */
export type FileClass = 'safe' | 'inner' | 'marker' | 'file' | 'chooses' | 'unknown';
const RANK: Record<FileClass, number> = { safe: 0, inner: 1, marker: 2, file: 3, chooses: 4, unknown: 5 };

/**
 * The shell expansions in `word` (a word of a script as its program reads it, quotes removed, templates and
 * variables holding a value written as templates) from `from` on: $name, $1, $@, ${…}, $(…), $((…)), `…`.
 * `literal`: the offsets in `word` of the "$" and "`" the script quoted or escaped, where none starts.
 */
function expansions(word: string, from: number, literal: ReadonlySet<number>): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let i = from; i < word.length; i++) {
    const placeholder = new RegExp(PLACEHOLDER.source, 'y');
    placeholder.lastIndex = i;
    if (placeholder.exec(word)) {
      i = placeholder.lastIndex - 1;
      continue;
    }
    if (literal.has(i)) continue;
    const c = word[i]!;
    const next = word[i + 1] ?? '';
    let end = -1;
    if (c === '`') end = word.indexOf('`', i + 1) + 1 || word.length;
    else if (c !== '$') continue;
    else if ((next === '{' && word[i + 2] !== '{') || next === '(') {
      const close = next === '{' ? '}' : ')';
      let depth = 0;
      for (end = i + 1; end < word.length; end++)
        if (word[end] === next) depth++;
        else if (word[end] === close && --depth === 0) break;
      end = Math.min(end + 1, word.length);
    } else if (/[A-Za-z_]/.test(next)) end = i + 1 + /^\w+/.exec(word.slice(i + 1))![0].length;
    else if (/[0-9@*#?$!-]/.test(next)) end = i + 2;
    if (end < 0) continue;
    spans.push([i, end]);
    i = end - 1;
  }
  return spans;
}

/**
 * fileClasses for a word of a `shell: true` script: an expansion that is not a template ($P, ${P}, $(…)) holds
 * text not known here, which may be empty or hold the marker. Each template's class is taken with every
 * expansion read as each of several texts (empty, plain, a key, the markers): one whose class changes with
 * them, or a template inside an expansion where a value is checked, is 'unknown' (refused at load: no check
 * once rendered can see what the expansion holds). `literal`: as for expansions.
 */
export function shellFileClasses(
  read: FileRead,
  word: string,
  literal: ReadonlySet<number> = NONE,
): Map<string, FileClass> {
  const spans = expansions(word, read.from, literal);
  const base = fileClasses(read, word);
  if (!spans.length) return base;
  const markers = MARKERS[read.rule];
  // Empty, plain text, a key's end, a name's end (NAME@FILE) or a marker; not "k=@": an expansion after fixed
  // text holding an "=" and a marker (rg-$P-{{x}} given P=k=@/etc/) is the config's own file read. In a list, a
  // "," too: it ends the item, and what follows starts the next (-f "a.tgz$P{{x}}" given P=, names {{x}}).
  const texts = ['', 'x', 'k=', 'k@', ...(read.list ? [','] : []), ...markers];
  const inside = new Set(
    spans.flatMap(([start, end]) => [...word.slice(start, end).matchAll(PLACEHOLDER)].map((m) => m[1]!)),
  );
  const seen = new Map<string, FileClass[]>();
  for (const text of texts) {
    let variant = word;
    for (const [start, end] of [...spans].reverse()) {
      const held = [...word.slice(start, end).matchAll(PLACEHOLDER)].map((m) => m[0]).join('');
      variant = variant.slice(0, start) + text + held + variant.slice(end);
    }
    const classes = fileClasses(read, variant);
    for (const name of new Set([...word.matchAll(PLACEHOLDER)].map((m) => m[1]!)))
      seen.set(name, [...(seen.get(name) ?? []), classes.get(name) ?? 'safe']);
  }
  const result = new Map(base);
  for (const [name, classes] of seen) {
    const top = classes.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
    if (RANK[top] <= RANK.inner) continue;
    if (inside.has(name) || classes.some((cls) => cls !== top)) result.set(name, 'unknown');
  }
  return result;
}

/** The message for a template after an expansion not known here where a marker may start (shellFileClasses). */
export function fileUnknownMessage(
  name: string,
  read: FileRead,
  word: string,
  literal: ReadonlySet<number> = NONE,
): string {
  const [start, end] = expansions(word, read.from, literal)[0] ?? [read.from, read.from];
  return `{{${name}}} comes with ${word.slice(start, end)} in an argument where ${read.how} ${fileDoing(read).may} (${word.slice(read.from)}), and what ${word.slice(start, end)} holds is not known here: empty, or holding a marker (${markersSaid(read.rule)}) or the start of a file's name, it would let the value start or name the file; write the template first (before any $…), or ${read.safe}`;
}

/**
 * For each template name in `word` (templates unrendered, whatever their values): 'chooses' when it starts the
 * name of the file read (or follows only "." and "/"), refused when the config loads; 'file' when it is part of
 * that name after fixed text; 'marker' when its value could start a marker; 'inner' when it could add one after
 * fixed text (an "=" and a marker after it, aws's KEY@=file://…); 'safe' otherwise.
 */
export function fileClasses(read: FileRead, word: string): Map<string, FileClass> {
  const classes = ownClasses(read, word);
  if (read.also)
    for (const [name, cls] of ownClasses(read.also, word))
      if (RANK[cls] > RANK[classes.get(name) ?? 'safe']) classes.set(name, cls);
  // Through a remote variable, where in the word the value lands is not known: refused wherever it matters.
  if (read.held) for (const [name, cls] of classes) if (cls !== 'safe') classes.set(name, 'chooses');
  return classes;
}

function ownClasses(read: FileRead, word: string): Map<string, FileClass> {
  const names = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const region = charsOf(word, read.from, () => '\u0001');
  const classes = new Map<string, FileClass>();
  const set = (k: number, cls: FileClass) => {
    const name = names[k]!;
    if (RANK[cls] > RANK[classes.get(name) ?? 'safe']) classes.set(name, cls);
  };
  const isValue = (i: number) => region[i] !== undefined && region[i].from >= 0;
  const fixedAt = (c: string, from = 0) =>
    region.findIndex((ch, i) => i >= from && ch.from < 0 && ch.c === c);
  const startsFixed = (i: number, marker: string) =>
    [...marker].every((m, k) => region[i + k] !== undefined && !isValue(i + k) && region[i + k]!.c === m);
  const leading = (i: number) => {
    for (let k = i; isValue(k); k++) set(region[k]!.from, 'marker');
  };
  const all = (cls: FileClass, to = region.length) => {
    for (let k = 0; k < to; k++) if (isValue(k)) set(region[k]!.from, cls);
  };
  // In a list (cosign upload blob -f a.tgz,{{x}}, kubectl --from-file=a,{{x}}), each item names a file of its own:
  // a value starting an item (or, in a list of [KEY=]FILE, its file after the item's "=") starts that name.
  const fileRange = (start: number, end = region.length) => {
    let named = false;
    let keyed = false;
    for (let k = start; k < end; k++)
      if (isValue(k)) set(region[k]!.from, named ? 'file' : 'chooses');
      else if (read.list && region[k]!.c === ',') [named, keyed] = [false, read.rule === 'keyed-file'];
      else if (keyed && region[k]!.c === '=') [named, keyed] = [false, false];
      else if (!/[./\s]/.test(region[k]!.c)) named = true;
  };
  const eq = fixedAt('=');
  switch (read.rule) {
    case 'at':
      if (startsFixed(0, '@')) fileRange(1);
      else leading(0);
      break;
    case 'file':
      fileRange(0);
      break;
    case 'whole':
      all('chooses');
      break;
    case 'cookie':
      if (eq < 0) fileRange(0);
      break;
    case 'keyed-file':
      // A value before the "=" could add one, and so start the file's name (or, in a list, a "," another file).
      if (read.list)
        // Each item has its own optional KEY= (--from-file=a.yaml,{{x}},k=b.yaml: the first "=" is k's, not the
        // end of a key of the whole list).
        for (let start = 0; start <= region.length;) {
          const comma = fixedAt(',', start);
          const end = comma < 0 ? region.length : comma;
          const itemEq = fixedAt('=', start);
          if (itemEq < 0 || itemEq > end) fileRange(start, end);
          else {
            for (let k = start; k < itemEq; k++) if (isValue(k)) set(region[k]!.from, 'marker');
            fileRange(itemEq + 1, end);
          }
          start = end + 1;
        }
      else if (eq < 0) fileRange(0);
      else {
        all(read.list ? 'marker' : 'inner', eq);
        fileRange(eq + 1);
      }
      break;
    case 'form': {
      // curl's formparse: a ";" anywhere starts a parameter (;headers=@FILE reads one), and in an "@" part a ","
      // another file: every value is checked once rendered, and one no check can see is refused.
      all('marker');
      if (eq < 0) break;
      for (const [start, end] of formFiles(region.map((ch) => (ch.from < 0 ? ch.c : '\u0001')).join(''), eq))
        fileRange(start, end);
      break;
    }
    case 'az':
    case 'field': {
      // A value anywhere could add the first "=" and a marker after it.
      all('inner', eq < 0 ? region.length : eq);
      const p = eq + 1;
      if (eq < 0 && read.rule !== 'az') {
        leading(0);
        break;
      }
      const marker = MARKERS[read.rule].find((m) => startsFixed(p, m));
      if (marker === undefined) leading(p);
      else fileRange(p + 1);
      break;
    }
    case 'variable': {
      // A value in the name could end it with "@" and name the file; after a fixed "@", it names the file.
      const end = region.findIndex((ch, i) => !isValue(i) && !/[A-Za-z0-9_]/.test(ch.c));
      for (let k = 0; k < (end < 0 ? region.length : end); k++)
        if (isValue(k)) set(region[k]!.from, 'marker');
      // A fixed byte range after the name (curl 8.12: NAME[0-99]@FILE); a value in it could end it with "]@".
      let at = end;
      if (at >= 0 && region[at]!.c === '[') {
        const close = region.findIndex((ch, i) => i > at && !isValue(i) && !/[0-9-]/.test(ch.c));
        for (let k = at + 1; k < (close < 0 ? region.length : close); k++)
          if (isValue(k)) set(region[k]!.from, 'marker');
        at = close >= 0 && region[close]!.c === ']' ? close + 1 : -1;
      }
      if (at >= 0 && region[at]?.c === '@') fileRange(at + 1);
      break;
    }
    case 'urlencode': {
      if (eq >= 0) break;
      const at = fixedAt('@');
      all('inner', at < 0 ? region.length : at);
      leading(0);
      if (at >= 0) fileRange(at + 1);
      break;
    }
    case 'local': {
      const kind = read.remote!;
      const colon = fixedAt(':');
      const slash = fixedAt('/');
      const first = region[0]?.from === -1 ? region[0].c : undefined;
      if (kind === 's3') {
        if (!startsFixed(0, 's3://')) fileRange(0);
      } else if (kind === 'gs') {
        const fixed = region.map((ch) => (ch.from < 0 ? ch.c : '\u0001')).join('');
        if (/^file:\/\//i.test(fixed)) fileRange(7);
        else if (!/^[A-Za-z0-9]+:\/\//.test(fixed)) fileRange(0);
      } else if (kind === 'kubectl') {
        if (colon < 0) fileRange(0);
      } else if (
        colon < 0 ||
        (kind === 'scp' && ((slash >= 0 && slash < colon) || first === ':')) ||
        (kind === 'docker' && (first === '/' || first === '.'))
      )
        fileRange(0);
      // A fixed ":" after a value: the value could make the operand local (scp: with a "/"; docker: starting
      // it with "/" or "."), and is checked once rendered. After the ":" it is the remote path.
      else if (kind === 'scp' || first === undefined) all('marker', colon);
      break;
    }
    case 'asset': {
      const hash = fixedAt('#');
      fileRange(0, hash > 0 ? hash : region.length);
      break;
    }
    case 'item': {
      // A value before the first fixed separator could add one, and a marker after it.
      const at = region.findIndex((ch) => ch.from < 0 && ':=@;'.includes(ch.c));
      all('inner', at < 0 ? region.length : at);
      if (at < 0) {
        leading(0);
        break;
      }
      const separator = ITEM_SEPARATORS.find((sep) => startsFixed(at, sep))!;
      // name={{x}}: a value starting with "@" (or "=@") makes it read a file.
      if (!separator.endsWith('@')) leading(at + separator.length);
      else {
        const semicolon = separator === '@' ? fixedAt(';', at + 1) : -1;
        fileRange(at + separator.length, semicolon < 0 ? region.length : semicolon);
      }
      break;
    }
    case 'aws': {
      // Shorthand (KEY@=file://…): a value anywhere could add a key read from a file.
      all('inner');
      leading(0);
      const marker = MARKERS.aws.find((m) => startsFixed(0, m));
      if (marker !== undefined) fileRange(marker.length);
      const text = region.map((ch) => (ch.from < 0 ? ch.c : '\u0001')).join('');
      for (const match of text.matchAll(/@=(fileb?:\/\/)/g)) {
        const begin = match.index + 2 + match[1]!.length;
        const comma = fixedAt(',', begin);
        fileRange(begin, comma < 0 ? region.length : comma);
      }
      break;
    }
  }
  return classes;
}

const PLAIN_NAME = /^[A-Za-z0-9._+-]$/;

function markersSaid(rule: FileRule): string {
  switch (rule) {
    case 'form':
      return '"@FILE" or "<FILE"';
    case 'aws':
      return '"file://FILE" or "fileb://FILE"';
    case 'item':
      return '"@FILE" after its separator (field@FILE, field=@FILE, field:=@FILE, Header:@FILE, param==@FILE)';
    default:
      return '"@FILE"';
  }
}

/** The message for a template in the name of a file read, refused when the config loads. */
/** Whose file is read: the runner's, or the remote host's (a command ssh runs). */
function whose(read: FileRead): { file: string; on: string; of: string; keys: string } {
  return read.host
    ? { file: 'file', on: ' on the remote host', of: 'of the remote host', keys: 'its keys, or its secrets' }
    : {
        file: 'local file',
        on: '',
        of: 'of the runner',
        keys: "its keys, or the job's secrets in /proc/self/environ",
      };
}

export function fileChosenMessage(name: string, both: FileRead, word: string): string {
  const read = both.also && ownClasses(both, word).get(name) !== 'chooses' ? both.also : both;
  const { file, on, of, keys } = whose(read);
  const { may, harm } = fileDoing(read);
  if (read.held && read.act)
    return `{{${name}}} reaches, through the remote variable ${read.held.map((v) => `$${v}`).join(', ')} set from it, where ${read.how} ${may} (${harm}), and a value through a remote variable is not checked: write the template itself there`;
  if (read.held)
    return `{{${name}}} reaches, through the remote variable ${read.held.map((v) => `$${v}`).join(', ')} set from it, where ${read.how} may read a ${file}${on} and send it (a file ${of}: ${keys}), and a value through a remote variable is not checked: write the template itself there`;
  if (read.setting)
    return settingChosenMessage(name, read.setting, read.how, word.slice(read.from) || word, of);
  if (read.act)
    return `{{${name}}} is in the name of the ${file} ${read.how} ${read.act.does}${on} (${word.slice(read.from) || word}): its value would choose ${harm}; ${read.safe}`;
  if (read.rule === 'whole')
    return `{{${name}}} is in a command ${read.how} runs${on} (${word.slice(read.from) || word}), which can name a ${file} it reads and sends (post_file=, body_file=, input=, load_cookies=): its value could choose a file ${of} to send (${keys}); ${read.safe}`;
  // A safe form that names the file in the config itself says so (cosign upload blob -f, --authfile).
  const safe = /^name the /.test(read.safe)
    ? read.safe
    : `name the file in the config, a command per environment if it differs, and ${read.safe}`;
  return `{{${name}}} is in the name of the ${file} ${read.how} reads and sends${on} (${word.slice(read.from) || word}): its value would choose a file ${of} to send (${keys}); ${safe}`;
}

function markerMessage(name: string, read: FileRead, marker: string, through = ''): string {
  const { file, on, of, keys } = whose(read);
  return `the value of {{${name}}}${through} starts with "${marker}" where ${read.how} reads ${markersSaid(read.rule)} as a ${file}${on}, whose contents it sends: a value never names a file a program reads (it could send a file ${of}: ${keys}); ${read.safe}`;
}

function listMessage(name: string, read: FileRead, found: string, through = ''): string {
  return `the value of {{${name}}}${through} holds ${JSON.stringify(found)} in the argument of ${read.how}, which ${read.how.split(' ')[0]} splits at "," into a list of local files to read and send (and reads '"' as CSV quoting): it could add a file of the runner; a value there may hold no "," nor '"'; ${read.safe}`;
}

function formMessage(name: string, read: FileRead, found: string, through = ''): string {
  return found === ';'
    ? `the value of {{${name}}}${through} holds ";" in an argument of ${read.how}, where curl reads ";type=", ";filename=" and ";headers=@FILE" after it (a local file whose contents it sends): it could send a file of the runner; ${read.safe}`
    : `the value of {{${name}}}${through} holds "," in an "@" part of ${read.how}, where a "," starts another local file curl reads and sends: it could send a file of the runner; ${read.safe}`;
}

function pathMessage(name: string, read: FileRead, word: string, found: string, through = ''): string {
  const { file, on, of } = whose(read);
  if (found === '')
    return `the value of {{${name}}}${through} is empty, and is a whole part of the path ${read.how} ${read.act?.does ?? 'reads and sends'}${on} (${word.slice(read.from) || word}): the path would name the directory it is in, not a file in it; give the value a plain name (letters, digits and . _ + -)`;
  return `the value of {{${name}}}${through} is part of the name of the ${file} ${read.how} ${read.act?.does ?? 'reads and sends'}${on} (${word.slice(read.from) || word}), and ${found === '..' || found === '.' ? `is "${found}"` : `holds ${JSON.stringify(found)}`}: it could name another file ${of}; a value in a file name may hold only letters, digits and . _ + - (not ".."), or name the file in the config`;
}

function urlPartMessage(name: string, read: FileRead, word: string, found: string): string {
  return `the value of {{${name}}} holds ${JSON.stringify(found)} in the URL of ${read.how} (${word.slice(read.from) || word}), outside the last part of its path, which names the local file it writes: it could make another text that last part (x/Makefile? names Makefile), and so choose a file of the runner to overwrite or create; a value elsewhere in the URL may hold no "/", "\\", "?", "#", "%" nor space, or name the file in the config (-o app.tgz, -O app.tgz)`;
}

/**
 * Why the argument `word` (templates unrendered) of a tool that reads a file is refused once rendered with
 * `values`, or undefined. Templates with no value in `values` (a shell variable's stand-in) are unknown.
 */
export function fileReadProblem(
  read: FileRead,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return ownProblem(read, word, values) ?? (read.also && ownProblem(read.also, word, values));
}

function ownProblem(
  read: FileRead,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (read.setting)
    return settingProblem(read.setting, read.how, word.slice(read.from), values, whose(read).of);
  const names = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const region = charsOf(word, read.from, (name) => values[name]);
  const text = region.map((ch) => ch.c).join('');
  // rm -rf "dist/{{x}}" given "": the path names dist itself.
  if (read.act?.noEmpty && locate(read, text))
    for (const match of word.slice(read.from).matchAll(PLACEHOLDER)) {
      const [before, after] = [
        word[read.from + match.index - 1],
        word[read.from + match.index + match[0].length],
      ];
      const alone =
        (before === undefined || before === '/' || match.index === 0) &&
        (after === undefined || after === '/');
      const value = values[match[1]!];
      if (alone && (value === '' || value === '.')) return pathMessage(match[1]!, read, word, value);
    }
  const list = read.list ? region.find((ch) => ch.from >= 0 && (ch.c === ',' || ch.c === '"')) : undefined;
  if (list) return listMessage(names[list.from]!, read, list.c);
  if (read.rule === 'form') {
    const semicolon = region.find((ch) => ch.from >= 0 && ch.c === ';');
    if (semicolon) return formMessage(names[semicolon.from]!, read, ';');
    const eq = text.indexOf('=');
    if (eq < 0) return undefined;
    if (MARKERS.form.includes(text[eq + 1] ?? '') && region[eq + 1]!.from >= 0)
      return markerMessage(names[region[eq + 1]!.from]!, read, text[eq + 1]!);
    const comma = region.find((ch, i) => i > eq && ch.from >= 0 && ch.c === ',');
    if (comma && text[eq + 1] === '@') return formMessage(names[comma.from]!, read, ',');
    for (const range of formFiles(text, eq)) {
      const problem = fileNameProblem(region.slice(...range), names, read, word);
      if (problem) return problem;
    }
    return undefined;
  }
  if (read.url) {
    // The last part of the path names the file: a value there is part of its name; one elsewhere must not be
    // able to move where that part starts or ends (curl -O https://{{host}}/app.tgz given x/Makefile?).
    const [start, end] = urlLastPart(region.map((ch) => (ch.from < 0 ? ch.c : '\u0001')).join(''));
    const free = (i: number) => read.url === 'path' && i >= end;
    const moved = region.find(
      (ch, i) => ch.from >= 0 && (i < start || i >= end) && !free(i) && URL_PART_REFUSED.test(ch.c),
    );
    if (moved) return urlPartMessage(names[moved.from]!, read, word, moved.c);
    return fileNameProblem(region.slice(start, end), names, read, word);
  }
  if (read.rule === 'keyed-file' && read.list) {
    // kubectl --from-file=a.yaml,dir/{{x}},k=b.yaml: each item is a [KEY=]FILE of its own (a value's "," was
    // refused above), its file after its own first "=".
    let start = 0;
    for (const item of text.split(',')) {
      const problem = fileNameProblem(
        region.slice(start + item.indexOf('=') + 1, start + item.length),
        names,
        read,
        word,
      );
      if (problem) return problem;
      start += item.length + 1;
    }
    return undefined;
  }
  const found = locate(read, text);
  if (!found) return undefined;
  if (found.marker) {
    const from = region.slice(...found.marker).find((ch) => ch.from >= 0);
    if (from) return markerMessage(names[from.from]!, read, text.slice(...found.marker));
  }
  return fileNameProblem(region.slice(...found.file), names, read, word);
}

/** Why the value in the local file's name `file` (its characters) is refused, or undefined. */
function fileNameProblem(
  file: readonly Char[],
  names: readonly string[],
  read: FileRead,
  word: string,
): string | undefined {
  const first = file.findIndex((ch) => ch.from >= 0);
  if (first < 0) return undefined;
  const before = file
    .slice(0, first)
    .map((ch) => ch.c)
    .join('');
  if (!/[^./\s\u0001]/.test(before)) return fileChosenMessage(names[file[first]!.from]!, read, word);
  const bad = file.find((ch) => ch.from >= 0 && !PLAIN_NAME.test(ch.c));
  if (bad) return pathMessage(names[bad.from]!, read, word, bad.c);
  let component: Char[] = [];
  for (const ch of [...file, { c: '/', from: -1 }]) {
    if (ch.c !== '/') {
      component.push(ch);
      continue;
    }
    const value = component.find((c) => c.from >= 0);
    // A shell expansion in the component ("dist/$V{{x}}/app.tgz") may be empty: ".." with it gone leaves too.
    const fixed = component.map((c) => (c.from >= 0 ? c.c : c.c.replace('$', '\u0002'))).join('');
    const text = component.map((c) => c.c).join('');
    if (value && (text === '..' || fixed.replace(/\u0002(\w+|\{[^{}]*\})/g, '') === '..'))
      return pathMessage(names[value.from]!, read, word, '..');
    component = [];
  }
  return undefined;
}

/**
 * A value reaching such an argument through a shell variable set from fixed text and templates (`v={{x}}; curl
 * -d "$v"`): where in the variable it lands is not known, so each value is checked on its own, as if it started
 * the value (`file`: as part of a file's name). Why it is refused, or undefined.
 */
export function fileViaProblem(name: string, value: string, site: FileVia): string | undefined {
  return (
    ownViaProblem(name, value, site) ??
    (site.read.also && ownViaProblem(name, value, { ...site, read: site.read.also }))
  );
}

function ownViaProblem(name: string, value: string, site: FileVia): string | undefined {
  const { read } = site;
  const through = ` (through $${site.via}, set from it)`;
  const said = `$${site.via}`;
  if (read.setting) return settingViaProblem(read.setting, read.how, name, value, said, through);
  if (site.file) {
    const bad = [...value].find((c) => !PLAIN_NAME.test(c)) ?? (value === '..' ? '..' : undefined);
    return bad === undefined ? undefined : pathMessage(name, read, said, bad, through);
  }
  const list = read.list ? [...value].find((c) => c === ',' || c === '"') : undefined;
  if (list) return listMessage(name, read, list, through);
  // curl -F: where in the argument the variable lands is not known: no ";" and no ",".
  const form = read.rule === 'form' ? [...value].find((c) => c === ';' || c === ',') : undefined;
  if (form) return formMessage(name, read, form, through);
  // In the key of kubectl --from-file=KEY=FILE: an "=" would start the file's name with the value.
  if (read.rule === 'keyed-file')
    return value.includes('=') ? pathMessage(name, read, said, '=', through) : undefined;
  // Before the ":" of a remote operand: a value could make it a local file (scp: "/"; docker: also a first ".").
  if (read.rule === 'local') {
    const bad = value.includes('/')
      ? '/'
      : read.remote === 'docker' && value.startsWith('.')
        ? '.'
        : undefined;
    return bad === undefined ? undefined : pathMessage(name, read, said, bad, through);
  }
  // The value alone, after a key's "=", or cut short before the text that follows it (file: then ://).
  // The value alone, after a key's "=", after a name (curl --variable "N$V", --data-urlencode "q$V": N@FILE).
  for (const text of [value, `x=${value}`, `x${value}`]) {
    const found = locate(read, text);
    if (found?.marker) return markerMessage(name, read, text.slice(...found.marker), through);
  }
  const prefix = MARKERS[read.rule].find(
    (m) => site.starts !== false && value !== '' && m.length > value.length && m.startsWith(value),
  );
  return prefix === undefined ? undefined : markerMessage(name, read, value, through);
}

/** Whether `literal` (the fixed text of a variable) could make a marker with its values: refused, not checked. */
export function holdsMarker(read: FileRead, literal: string): boolean {
  return ownHoldsMarker(read, literal) || (read.also !== undefined && ownHoldsMarker(read.also, literal));
}

function ownHoldsMarker(read: FileRead, literal: string): boolean {
  if (read.rule === 'local') return literal.includes('/') || literal.startsWith('.');
  if (read.rule === 'aws') return /fileb?:|:\/\/|@=/.test(literal);
  if (read.rule === 'keyed-file') return literal.includes('=');
  return MARKERS[read.rule].some((m) => literal.includes(m));
}
