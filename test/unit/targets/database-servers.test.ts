// The server a database client connects to gets the password (given, in PGPASSWORD or MYSQL_PWD, or stored for
// it in ~/.pgpass), so a value there, in what it trusts, in a password, or in psql's user (which picks a stored
// password) is refused, as redis-cli's host is; a value in the first label of a host before a fixed domain, or
// in the database's name, is checked once rendered (a "=" or "?host=" would make another server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import { assertAccepted, assertRefused, assertScriptRefused } from '../../helpers/command-checks.ts';

const WHERE =
  /its value would choose who (psql|mysql|mongosh|mariadb) acts as or where it sends its credentials/;

test('the server a database client connects to, its password and what it trusts take no template', () => {
  for (const [argv, what] of [
    [
      ['psql', '-h', '{{x}}', '-d', 'app', '-f', 'm.sql'],
      /the host psql -h connects to, which gets the password/,
    ],
    [['psql', '--host={{x}}.evil', 'app'], /the host psql --host connects to/],
    [['psql', 'host={{x}} dbname=app', '-f', 'm.sql'], /the connection string psql connects to/],
    [['psql', 'postgresql://deploy@{{x}}/app', '-f', 'm.sql'], /the host of the URI psql connects to/],
    [['psql', 'postgresql://deploy@db.internal/app?sslmode={{x}}'], /the connection URI psql connects to/],
    [['psql', '-U', '{{x}}', '-h', 'db', 'app'], /psql -U, which chooses who it logs in as/],
    [['mysql', '-h', '{{x}}', 'app'], /the host mysql -h connects to/],
    [['mysql', '-p{{x}}', '-h', 'db', 'app'], /the password mysql -p logs in with/],
    [['mysql', '--ssl-ca', '{{x}}', '-h', 'db', 'app'], /mysql --ssl-ca/],
    [['mariadb', '--host={{x}}', 'app'], /the host mariadb --host connects to/],
    [['mongosh', 'mongodb://{{x}}/app', '-f', 'm.js'], /the host of the URI mongosh connects to/],
    [['mongosh', '--host', '{{x}}', 'app', '-f', 'm.js'], /the host mongosh --host connects to/],
    [['mongosh', 'mongodb://db/app', '--tlsCAFile', '{{x}}', '-f', 'm.js'], /mongosh --tlsCAFile/],
    [
      ['mongosh', '--tlsAllowInvalidCertificates={{x}}', 'mongodb://db/app'],
      /whether mongosh checks the server's certificate/,
    ],
  ] as const)
    assertRefused([...argv], new RegExp(`${what.source}.*${WHERE.source}`));
  assertScriptRefused('PGPASSWORD={{x}} psql -h db app', /the variable PGPASSWORD, which programs read as/);
  assertScriptRefused('export PGHOST={{x}}; psql app', /the variable PGHOST/);
  for (const argv of [
    ['psql', '-h', 'db.internal', '-d', 'app', '-v', 'version={{x}}', '-f', 'm.sql'],
    ['psql', '-h', 'db-{{x}}.internal', 'app', '-f', 'm.sql'],
    ['mysql', '-u', '{{x}}', '-h', 'db', 'app'],
    ['mongosh', '--username', '{{x}}', 'mongodb://db/app', '-f', 'm.js'],
    ['mongosh', 'mongodb+srv://{{x}}.example.net/app', '-f', 'm.js'],
    ['mongosh', 'mongodb://db/{{x}}', '-f', 'm.js'],
  ])
    assertAccepted(argv);
});

test("a value in a host's label or a database's name is checked once rendered", () => {
  for (const [script, bad, good] of [
    ['psql -h db-{{x}}.internal app -f m.sql', 'evil.com', 'blue'],
    ['psql {{x}} -f m.sql', 'host=evil.com', 'app_prod'],
    ['psql -d {{x}} -f m.sql', 'postgresql://evil.com/app', 'app'],
    ['psql postgresql://deploy@db.internal/{{x}} -f m.sql', 'app?host=evil.com', 'app'],
    ['mongosh mongodb+srv://{{x}}.example.net/app -f m.js', 'evil.com#', 'blue'],
  ]) {
    assert.throws(
      () => renderShellScript(script!, { x: bad! }),
      (e: unknown) =>
        e instanceof TemplateError && /once rendered: a value there must make one/.test(e.message),
      script,
    );
    assert.doesNotThrow(() => renderShellScript(script!, { x: good! }), script);
  }
});
