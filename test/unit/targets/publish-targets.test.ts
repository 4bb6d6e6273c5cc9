// Where a publish sends the package and the job's token, a package manager's settings for every later command,
// and clients whose arguments are code (sqlite3's SQL and dot-commands, redis-cli's command, vim's ex commands).
// Each refused form was accepted.
import { test } from 'node:test';
import { assertRefused, assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const SERVER = /is in the server .* sends the package and its token to: write the registry in the config/;

test('the server a publish sends the package and its token to takes no value', () => {
  for (const script of [
    'npm publish --registry {{x}}',
    'npm publish --registry={{x}}',
    'pnpm publish --registry https://{{x}}/',
    'yarn npm publish --registry {{x}}',
    'twine upload --repository-url {{x}} dist/*',
    'cargo publish --index {{x}}',
    'gem push --host {{x}} app.gem',
    'dotnet nuget push app.nupkg --source {{x}} --api-key "$KEY"',
    'dotnet nuget push app.nupkg -s {{x}}',
  ])
    assertScriptRefused(script, SERVER);
  assertRefused(['npm', 'publish', '--registry', '{{x}}'], SERVER);
  assertScriptRefused(
    'mvn deploy -DaltDeploymentRepository=releases::default::{{x}}',
    /in altDeploymentRepository, which chooses where mvn deploys with its credentials/,
  );
});

test("a package manager's setting: no value in the key, nor in a registry, proxy, shell or trust setting", () => {
  const KEY = /is in the key .* sets, which chooses any setting/;
  const VALUE = /which .* sets: a registry, proxy, shell or trust setting every later .* command uses/;
  for (const script of ['npm config set {{x}} true', 'pip config set {{x}} 1', 'poetry config {{x}} 1'])
    assertScriptRefused(script, KEY);
  for (const script of [
    'npm config set registry {{x}}',
    'npm config set @acme:registry {{x}}',
    'npm config set //{{x}}/:_authToken "$TOKEN"',
    'npm config set script-shell {{x}}',
    'npm set registry={{x}}',
    'pnpm config set https-proxy {{x}}',
    'yarn config set npmRegistryServer {{x}}',
    'pip config set global.index-url {{x}}',
    'pip3 config set global.trusted-host {{x}}',
    'poetry config repositories.acme {{x}}',
    'composer config repositories.acme vcs {{x}}',
  ])
    assertScriptRefused(script, script.includes('//{{x}}') ? KEY : VALUE);
  for (const script of ['mvn -D{{x}}=1 deploy', 'gradle -P{{x}}=1 build', 'gradlew -D{{x}}=1 build'])
    assertScriptRefused(script, /is in the name of a property .* sets, which chooses any setting/);
});

test('sqlite3 SQL, a redis-cli command and vim ex commands take no value', () => {
  assertScriptRefused('sqlite3 app.db "select {{x}}"', /in the SQL or dot-command sqlite3 runs \(\.shell/);
  assertScriptRefused('sqlite3 -cmd {{x}} app.db', /sqlite3 -cmd runs/);
  assertScriptRefused('redis-cli -h cache {{x}}', /in the command redis-cli sends/);
  assertScriptRefused('redis-cli --eval {{x}} k', /in the Lua script redis-cli --eval runs/);
  // Arguments that are code, a server or rights rather than data.
  for (const [script, message] of [
    ['redis-cli -h cache EVAL "{{x}}" 0', /in the Lua script EVAL runs/],
    ['redis-cli -h cache eval_ro {{x}} 0', /in the Lua script EVAL_RO runs/],
    ['redis-cli -h cache SCRIPT LOAD {{x}}', /in the Lua script SCRIPT LOAD stores/],
    ['redis-cli -h cache FUNCTION LOAD REPLACE {{x}}', /in the code FUNCTION LOAD stores/],
    ['redis-cli -h cache MODULE LOAD /opt/{{x}}.so', /the shared library MODULE LOAD loads/],
    ['redis-cli -h cache CONFIG SET dir {{x}}', /the server settings CONFIG SET changes/],
    ['redis-cli -h cache config set {{x}} /tmp', /the server settings CONFIG SET changes/],
    ['redis-cli -h cache REPLICAOF {{x}} 6379', /the server REPLICAOF replicates from/],
    ['redis-cli -h cache SLAVEOF {{x}} 6379', /the server SLAVEOF replicates from/],
    ['redis-cli -h cache MIGRATE {{x}} 6379 k 0 5000', /the server MIGRATE sends the keys to/],
    ['redis-cli -h cache ACL SETUSER app {{x}}', /the rights ACL SETUSER grants/],
  ] as const)
    assertScriptRefused(script, message);
  assertScriptRefused('vim -es -c {{x}} file', /in the ex command vim -c runs \(:! runs a program\)/);
  assertScriptRefused('nvim --headless +{{x}} file', /in the ex command nvim \+ runs/);
});

test('values as data beside them stay accepted', () => {
  for (const script of [
    'npm publish --tag {{x}}',
    'npm publish --registry=https://npm.pkg.github.com --tag {{x}}',
    'npm version {{x}} --no-git-tag-version',
    'npm config set init-author-name {{x}}',
    'twine upload -r testpypi dist/app-{{version}}.tar.gz',
    'dotnet nuget push app.{{version}}.nupkg -s https://api.nuget.org/v3/index.json -k "$KEY"',
    'mvn -Dversion={{x}} deploy',
    'mvn -Pprod-{{env}} deploy',
    'gradle -Pversion={{x}} publish',
    'sqlite3 app-{{env}}.db ".tables"',
    'redis-cli -h cache SET release {{x}}',
    'redis-cli -h cache EVAL "return redis.call(\'SET\', KEYS[1], ARGV[1])" 1 release {{x}}',
    'redis-cli -h cache HSET app:{{env}} version {{x}}',
    'redis-cli -h cache PUBLISH deploys {{x}}',
    'redis-cli -h cache MIGRATE redis2.internal 6379 {{x}} 0 5000',
    'vim -es -c "wq" notes-{{env}}.txt',
  ])
    assertScriptAccepted(script);
});
