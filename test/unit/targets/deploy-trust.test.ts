// What deploy tools trust and run, read as the tools read their options (deploy-sources.ts, option-words.ts):
// openssl's -opt and --opt alike and its other trust options, gpg's and man's unique prefixes and clusters, gpg's
// programs, trust and imported keys (also piped into gpg --import), gpgv's keyring, systemctl's options taking a
// value before its verb, service and invoke-rc.d's units, systemctl set-environment's variable names, helm
// --ca-file, trivy's VEX and dev-dependency switches and --image-src, and the variables doing the same
// (MANPAGER, MANOPT, BROWSER, GNUPGHOME, SSL_CERT_FILE, SSL_CERT_DIR, …). Each refused form was first checked
// against the real tool where it is installed (openssl 3.0, gpg 2.2, man-db, systemd 252).
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  checkedOnceRendered,
  CREDENTIAL,
  SOURCE,
} from '../../helpers/command-checks.ts';

const CODE = /its value would choose the code that runs/;

test('openssl: --opt is -opt, and -trusted, -verifyCAfile, -chainCAfile, dgst -verify, -verify_hostname are refused', () => {
  for (const argv of [
    ['openssl', 'verify', '--CAfile', '{{x}}', 'cert.pem'],
    ['openssl', 'verify', '--CApath={{x}}', 'cert.pem'],
    ['openssl', 'verify', '-CAfile={{x}}', 'cert.pem'],
    ['openssl', 'verify', '-trusted', '{{x}}', 'cert.pem'],
    ['openssl', 'verify', '-verify_hostname', '{{x}}', 'cert.pem'],
    ['openssl', 's_client', '-connect', 'api.example.com:443', '-verifyCAfile', '{{x}}'],
    ['openssl', 's_client', '-connect', 'api.example.com:443', '-chainCAfile', 'certs/{{x}}.pem'],
    ['openssl', 'dgst', '-sha256', '-verify', '{{x}}', '-signature', 'app.sig', 'app.tgz'],
    ['openssl', 'dgst', '-sha256', '--verify=keys/{{x}}.pem', '-signature', 'app.sig', 'app.tgz'],
    ['openssl', 'sha256', '-prverify', '{{x}}', '-signature', 'app.sig', 'app.tgz'],
    ['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', '{{x}}', '-sigfile', 's', '-in', 'f'],
    ['openssl', 'cmp', '-cmd', 'ir', '-server', '{{x}}', '-ref', 'r', '-secret', 'pass:p'],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['openssl', 'req', '--config', '{{x}}'],
    ['openssl', 'req', '--provider-path={{x}}'],
  ])
    assertRefused(argv, /what runs is read from there/);
  for (const argv of [
    ['openssl', 'req', '--engine', '{{x}}'],
    ['openssl', 'req', '-provider', '{{x}}'],
    ['openssl', 's_client', '-ssl_client_engine', '{{x}}'],
  ]) {
    assertRefused(argv, /a shared library it runs in its own process/);
    assertRefused(argv, CODE);
  }
  for (const argv of [
    ['openssl', 'dgst', '-sha256', '{{x}}'],
    [
      'openssl',
      'dgst',
      '-sha256',
      '-verify',
      'keys/release.pem',
      '-signature',
      'app-{{x}}.sig',
      'app-{{x}}.tgz',
    ],
    ['openssl', 's_client', '-connect', '{{x}}:443', '-verify', '2', '-CAfile', 'ca.pem'],
    ['openssl', 'smime', '-verify', '-in', 'mail-{{x}}.msg', '-CAfile', 'ca.pem'],
    ['openssl', 'pkeyutl', '-sign', '-inkey', 'k.pem', '-in', 'digest-{{x}}'],
    ['openssl', 'req', '-new', '-subj', '/CN={{x}}', '-key', 'k.pem'],
  ])
    assertAccepted(argv);
});

test('gpg: unique prefixes of its options, its programs, trust, imported and certified keys are refused', () => {
  for (const argv of [
    ['gpg', '--recv', '{{x}}'],
    ['gpg', '--recv-key', '{{x}}'],
    ['gpg', '--fetch', 'https://{{x}}/key.asc'],
    ['gpg', '--home', '{{x}}', '--verify', 'app.sig', 'app.tgz'],
    ['gpg', '--trusted', '{{x}}', '--verify', 'app.sig', 'app.tgz'],
    ['gpg', '--keyserver={{x}}', '--recv-keys', 'ABCDEF'],
    ['gpg', '--trust-model', '{{x}}', '--verify', 'app.sig', 'app.tgz'],
    ['gpg', '--trustdb-name', '{{x}}', '--verify', 'app.sig', 'app.tgz'],
    ['gpg', '--locate-keys', '{{x}}'],
    ['gpg', '--locate-external-keys', '{{x}}'],
    ['gpg', '--quick-set-ownertrust', '{{x}}', 'ultimate'],
    ['gpg', '--quick-set-ownertrust', 'ABCDEF', '{{x}}'],
    ['gpg', '--lsign-key', '{{x}}'],
    ['gpg', '--batch', '--yes', '--quick-sign-key', '{{x}}'],
    ['gpgv', '--keyring', '{{x}}', 'app.sig', 'app.tgz'],
    ['gpgv', '--keyr={{x}}', 'app.sig', 'app.tgz'],
    // How keys are fetched, and who it signs as.
    ['gpg', '--keyserver-options', '{{x}}', '--recv-keys', 'ABCDEF'],
    ['gpg', '--keyserver-o={{x}}', '--recv-keys', 'ABCDEF'],
    ['gpg', '-u', '{{x}}', '--detach-sign', 'app.tgz'],
    ['gpg', '-au', '{{x}}', '--detach-sign', 'app.tgz'],
    ['gpg', '--local-user={{x}}', '--sign', 'app.tgz'],
    ['gpg', '--default-key', '{{x}}', '--clearsign', 'notes.txt'],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['gpg', '--agent-program', '{{x}}', '--verify', 'app.sig', 'app.tgz'],
    ['gpg', '--agent-prog={{x}}', '--verify', 'app.sig', 'app.tgz'],
    ['gpg', '--dirmngr-program', '{{x}}', '--recv-keys', 'ABCDEF'],
  ])
    assertRefused(argv, CODE);
  assertRefused(['gpg', '--options', '{{x}}', '--verify', 'a.sig', 'a'], /what runs is read from there/);
  for (const argv of [
    ['gpg', '--verify', 'sig-{{env}}.asc', 'app-{{env}}.tgz'],
    ['gpg', '--batch', '--import', 'keys/release.asc'],
    ['gpg', '--with-colons', '--list-keys', '{{x}}'],
    ['gpg', '-u', 'release@example.com', '--detach-sign', 'dist/app-{{x}}.tgz'],
    ['gpg', '-r', '{{x}}', '--encrypt', 'notes.txt'],
    ['gpg', '--batch', '-ao', 'out-{{x}}.asc', '--export', 'ABCDEF'],
    // The first operand ends gpg's options: --recv-keys there is a file gpg --verify reads.
    ['gpg', '--verify', 'app.sig', 'app-{{x}}.tgz', '--recv-keys'],
    ['gpgv', '--keyring', 'keys/trusted.kbx', 'sig-{{env}}.asc', 'app-{{env}}.tgz'],
  ])
    assertAccepted(argv);
});

test('gpg --import reading its keys on standard input: a value piped or fed there is refused', () => {
  for (const script of [
    'echo {{x}} | gpg --import',
    'curl -fsSL https://{{x}}/release.asc | gpg --batch --import',
    'curl -fsSL https://keys.example.com/{{x}}.asc | gpg --import -',
    'gpg --import <<< {{x}}',
    'printf "%s:6:\\n" {{x}} | gpg --import-ownertrust',
  ])
    assertScriptRefused(script, /which gpg imports as keys/);
  for (const script of [
    'curl -fsSL https://keys.example.com/release.asc | gpg --import',
    'echo {{x}} | gpg --import keys/release.asc',
    'gpg --verify app-{{x}}.tgz.asc app-{{x}}.tgz',
  ])
    assertScriptAccepted(script);
});

test("man: a cluster's or an abbreviation's pager, browser and config are refused", () => {
  for (const argv of [
    ['man', '-aP', '{{x}}', 'ls'],
    ['man', '-aPless{{x}}', 'ls'],
    ['man', '--pag={{x}}', 'ls'],
    ['man', '--pag', '{{x}}', 'ls'],
    ['man', 'ls', '-P', '{{x}}'],
    ['man', '-aH{{x}}', 'ls'],
    ['man', '--htm={{x}}', 'ls'],
  ])
    assertRefused(argv, /which program runs/);
  for (const argv of [
    ['man', '--config={{x}}', 'ls'],
    ['man', '-aC', '{{x}}', 'ls'],
  ])
    assertRefused(argv, /what runs is read from there/);
  for (const argv of [
    ['man', '{{x}}'],
    ['man', '5', '{{x}}'],
    ['man', '-k', '{{x}}'],
    ['man', '-a', '-H', '{{x}}'],
    ['man', '-P', 'cat', '{{x}}'],
  ])
    assertAccepted(argv);
});

test("systemctl: options taking a value before the verb, service and invoke-rc.d's units, set-environment's names", () => {
  for (const argv of [
    ['systemctl', '--legend', 'no', 'restart', '{{x}}'],
    ['systemctl', '--leg', 'no', 'restart', '{{x}}'],
    ['systemctl', '--boot-loader-menu', '5', 'restart', '{{x}}'],
    ['systemctl', '-C', 'capsule', 'restart', '{{x}}'],
    ['systemctl', '-pActiveState', 'restart', '{{x}}'],
    ['systemctl', 'reload-or-restart', '--marked', '{{x}}'],
    ['service', '{{x}}', 'restart'],
    ['sudo', 'service', '{{x}}', 'restart'],
    ['service', '{{x}}.service', 'restart'],
    ['invoke-rc.d', '{{x}}', 'restart'],
    ['invoke-rc.d', '--quiet', '{{x}}', 'restart'],
  ])
    assertRefused(
      argv,
      /is in the unit [a-z.-]+( [a-z-]+)? acts on, where the value would be the whole name or its start/,
    );
  // The safe form offered comes without "which no check of the value can make safe" before it.
  assertRefused(
    ['systemctl', 'restart', '{{x}}'],
    /any unit or init script of this machine\) \(\{\{x\}\}\): [^;]*; write the unit in the config, or put the value after a fixed prefix ending in - _ @ \. or : \(app-\{\{x\}\}\.service, app@\{\{x\}\}\), where it is checked when the command runs to be one plain name, or write a command per environment/,
  );
  for (const argv of [
    ['systemctl', 'set-environment', '{{x}}'],
    ['systemctl', 'set-environment', 'PATH{{x}}=/usr/bin'],
    ['systemctl', 'set-environment', 'VERSION=1', '{{x}}=1'],
    ['systemctl', '--user', 'import-environment', '{{x}}'],
  ])
    assertRefused(argv, /is in the name of the variable systemctl [a-z-]+ sets in the service manager/);
  // Its verb after an option's value: set-environment's values are still the manager's variables.
  for (const argv of [
    ['systemctl', '--legend', 'no', 'set-environment', 'LD_PRELOAD={{x}}'],
    ['sudo', 'systemctl', '-M', 'box', 'set-environment', 'LD_PRELOAD={{x}}'],
  ])
    assertRefused(argv, /variable LD_PRELOAD/);
  for (const argv of [
    ['systemctl', 'set-environment', 'VERSION={{x}}'],
    ['systemctl', '--legend', 'no', 'set-environment', 'VERSION={{x}}'],
    ['systemctl', '--legend', 'no', 'status', '{{x}}'],
    ['systemctl', 'restart', 'app-{{env}}'],
    ['service', 'nginx', 'reload'],
  ])
    assertAccepted(argv);
  for (const argv of [
    ['service', 'app-{{x}}', 'restart'],
    ['sudo', 'invoke-rc.d', 'worker_{{x}}', 'restart'],
    ['systemctl', '--legend', 'no', 'restart', 'app@{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      ['*', 'a b', '../../tmp/x', 'a?'],
      ['blue', 'v1.2', 'green-2'],
      /is in the unit/,
    );
});

test('helm --ca-file is refused, in repo add, install/upgrade --repo and push', () => {
  for (const argv of [
    ['helm', 'repo', 'add', 'r', 'https://charts.example.com', '--ca-file', '{{x}}'],
    ['helm', 'upgrade', '--install', 'app', 'app', '--repo', 'https://charts.example.com', '--ca-file={{x}}'],
    ['helm', 'push', 'app-1.tgz', 'oci://reg.example.com/charts', '--ca-file', 'certs/{{x}}.pem'],
  ])
    assertRefused(argv, SOURCE);
  assertAccepted([
    'helm',
    'repo',
    'add',
    'r',
    'https://charts.example.com',
    '--ca-file',
    'certs/ca.pem',
    '--username',
    '{{x}}',
  ]);
});

test('trivy --skip-vex-repo-update=, --include-dev-deps= and --image-src are refused; the switches alone accepted', () => {
  for (const argv of [
    ['trivy', 'image', '--skip-vex-repo-update={{x}}', 'app:1'],
    ['trivy', 'fs', '--include-dev-deps={{x}}', '.'],
    ['trivy', 'image', '--image-src', '{{x}}', 'app:1'],
  ])
    assertRefused(argv, /what the scan finds or trusts/);
  for (const argv of [
    ['trivy', 'image', '--skip-vex-repo-update', 'app:{{x}}'],
    ['trivy', 'fs', '--include-dev-deps', '--exit-code', '1', 'services/{{x}}'],
    ['trivy', 'image', '--image-src', 'remote', 'app:{{x}}'],
  ])
    assertAccepted(argv);
});

test("variables doing the same: man's pager and options, the browser, gpg's home, the certificates trusted", () => {
  for (const variable of [
    ...['MANPAGER', 'MANOPT', 'BROWSER', 'GNUPGHOME', 'SYSTEMD_PAGER', 'SYSTEMD_EDITOR', 'CURL_HOME'],
    ...['WGETRC', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'],
  ])
    for (const script of [
      `${variable}={{x}} man ls`,
      `export ${variable}={{x}}`,
      `env ${variable}=/srv/{{x}} gpg --verify a.sig a`,
    ])
      assertScriptRefused(script, new RegExp(`variable ${variable}, which programs read to load code`));
  for (const variable of [
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'REQUESTS_CA_BUNDLE',
    'NODE_TLS_REJECT_UNAUTHORIZED',
    'AWS_CA_BUNDLE',
  ])
    for (const script of [
      `${variable}={{x}} curl -fsS https://api.example.com/health`,
      `export ${variable}={{x}}`,
      `sudo ${variable}=/etc/{{x}} ./deploy.sh`,
    ])
      assertScriptRefused(
        script,
        new RegExp(`variable ${variable}, which programs read to choose the certificates they trust`),
      );
  for (const script of [
    'SSL_CERT_FILE=/etc/ssl/certs/ca.pem curl -fsS https://{{x}}.example.com/health',
    'MANPAGER=cat man {{x}}',
    'SYSTEMD_PAGER=cat systemctl status app-{{x}}',
    'AWS_REGION={{x}} aws s3 ls',
    'export VERSION={{x}}',
  ])
    assertScriptAccepted(script);
});

test('systemctl: where it acts takes no template (--root, --image, -H/--host over ssh, -M/--machine)', () => {
  for (const argv of [
    ['systemctl', '--root={{x}}', 'enable', 'app'],
    ['systemctl', '--root', '/srv/{{x}}', 'preset', 'app'],
    ['systemctl', 'enable', 'app', '--ro={{x}}'],
    ['systemctl', '--image={{x}}', 'enable', 'app'],
  ])
    assertRefused(
      argv,
      /the value of systemctl --(root|image), the (directory tree|disk image) whose unit files/,
    );
  for (const argv of [
    ['systemctl', '-H', '{{x}}', 'restart', 'app'],
    ['systemctl', '--host=deploy@{{x}}', 'restart', 'app'],
    ['systemctl', 'restart', 'app', '-H{{x}}'],
    ['systemctl', '-qH', '{{x}}', 'restart', 'app'],
  ])
    assertRefused(argv, /the host systemctl (-H|--host) acts on over ssh/);
  for (const argv of [
    ['systemctl', '-M', '{{x}}', 'restart', 'app'],
    ['systemctl', '--machine={{x}}', 'restart', 'app'],
    ['systemctl', '--user', '-M', '{{x}}@', 'restart', 'app'],
  ])
    assertRefused(argv, /the container or user systemctl (-M|--machine) acts on/);
  // The host is ssh's destination: refused as ssh's is (who acts, where the keys go).
  assertRefused(['systemctl', '-H', '{{x}}', 'restart', 'app'], CREDENTIAL);
  // The unit after fixed text, the lines shown, the signal's value stay as before.
  assertAccepted(['systemctl', '-n', '{{x}}', 'status', 'app']);
  assertAccepted(['systemctl', '-H', 'deploy@web1', 'restart', 'app']);
});
