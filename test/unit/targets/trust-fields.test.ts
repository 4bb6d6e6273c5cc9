// A value in a field choosing what a container may do or sees (its rights, its user, its service account, the
// host's paths it mounts, where a mount lands, the file of variables it starts with, what Compose builds) is
// refused when the config loads, in a manifest here-document and in a JSON argument alike: `privileged: {{x}}`
// given true, or `- "{{x}}:/data"` given /var/run/docker.sock, passes any check of its characters.
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const compose = (fields: string) =>
  `docker compose -f - up -d <<EOF\nservices:\n  web:\n    image: reg.example.com/web:1\n${fields.replace(/^/gm, '    ')}\nEOF`;

const pod = (podFields: string, containerFields = '') =>
  `kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nspec:\n${podFields.replace(/^/gm, '  ')}\n  containers:\n  - name: web\n    image: reg.example.com/web:1\n${containerFields.replace(/^/gm, '    ')}\nEOF`;

/** The same pod as a JSON patch argument. */
const patch = (json: string) => `kubectl patch deploy web --type merge -p '${json}'`;

test('compose: a working directory, a file of variables, a mount, rights and what it builds take no value', () => {
  for (const [fields, message] of [
    ['working_dir: /srv/{{x}}', /"working_dir" field.*directory/],
    ['env_file: {{x}}', /"env_file" field.*file of variables/],
    ['env_file: ["{{x}}"]', /"env_file" field/],
    ['volumes:\n  - "{{x}}:/data"', /"volumes" field.*path of the host/],
    ['volumes:\n  - /srv/data:/data/{{x}}', /"volumes" field/],
    ['volumes:\n  - type: bind\n    source: "{{x}}"\n    target: /data', /"source" field/],
    ['devices: ["{{x}}:/dev/x"]', /"devices" field/],
    ['privileged: {{x}}', /"privileged" field.*rights/],
    ['user: "{{x}}"', /"user" field.*runs as/],
    ['network_mode: {{x}}', /"network_mode" field/],
    ['pid: {{x}}', /"pid" field/],
    ['cap_add: ["{{x}}"]', /"cap_add" field/],
    ['security_opt: ["{{x}}"]', /"security_opt" field/],
    ['build: ./{{x}}', /"build" field.*builds/],
    ['build:\n  context: .\n  dockerfile: "{{x}}"', /"dockerfile" field/],
    ['entrypoint: ./run {{x}}', /"entrypoint" field/],
  ] as const)
    assertScriptRefused(compose(fields), message);
  assertScriptRefused(
    `docker compose -f - up <<EOF\nservices:\n  web:\n    image: reg/web:1\nsecrets:\n  s:\n    file: ./{{x}}\nEOF`,
    /"file" field.*secret/,
  );
});

test('kubernetes: a hostPath, a mount path, the securityContext and the service account take no value', () => {
  for (const [spec, message] of [
    [pod('', 'volumeMounts:\n- name: d\n  mountPath: {{x}}'), /"mountPath" field/],
    [pod('', 'volumeMounts:\n- name: d\n  mountPath: /data\n  subPath: {{x}}'), /"subPath" field/],
    [pod('', 'securityContext:\n  privileged: {{x}}'), /"privileged" field.*rights/],
    [pod('', 'securityContext:\n  runAsUser: {{x}}'), /"runAsUser" field/],
    [pod('', 'securityContext:\n  capabilities:\n    add: ["{{x}}"]'), /"add" field/],
    [pod('serviceAccountName: {{x}}'), /"serviceAccountName" field/],
    [pod('hostNetwork: {{x}}'), /"hostNetwork" field/],
    [pod('volumes:\n- name: d\n  hostPath:\n    path: {{x}}'), /"path" field.*host/],
    [
      patch('{"spec":{"template":{"spec":{"serviceAccountName":"{{x}}"}}}}'),
      /"serviceAccountName" field of the JSON argument/,
    ],
    [
      patch(
        '{"spec":{"template":{"spec":{"containers":[{"name":"web","securityContext":{"privileged":{{x}}}}]}}}}',
      ),
      /"privileged" field of the JSON argument/,
    ],
    [
      patch('{"spec":{"template":{"spec":{"volumes":[{"name":"d","hostPath":{"path":"{{x}}"}}]}}}}'),
      /"path" field of the JSON argument/,
    ],
    [
      `curl --unix-socket /var/run/docker.sock -d '{"Image":"reg/web:1","HostConfig":{"Binds":["{{x}}:/data"]}}' http://localhost/containers/create`,
      /"Binds" field/,
    ],
  ] as const)
    assertScriptRefused(spec, message);
});

test('data stays accepted: names, labels, an environment value, a named volume, a node, build args', () => {
  assertScriptAccepted(
    compose(
      'labels: [version={{x}}]\nenvironment:\n  VERSION: "{{x}}"\nbuild:\n  context: .\n  args:\n    VERSION: "{{x}}"',
    ),
  );
  assertScriptAccepted(
    `docker compose -f - up <<EOF\nservices:\n  web:\n    image: reg/web:{{x}}\nvolumes:\n  data:\n    name: data-{{x}}\nEOF`,
  );
  assertScriptAccepted(
    pod(
      'nodeSelector:\n  pool: "{{x}}"\nvolumes:\n- name: d\n  configMap:\n    name: app-{{x}}',
      'env:\n- name: VERSION\n  value: "{{x}}"\nvolumeMounts:\n- name: d\n  mountPath: /etc/app',
    ),
  );
  assertScriptAccepted(patch('{"metadata":{"labels":{"version":"{{x}}"}},"spec":{"replicas":{{x}}}}'));
  assertScriptAccepted(`curl -d '{"user":"{{x}}","source":"{{x}}"}' https://api.example.com/v1/events`);
});

test("compose: a build arg giving the build's RUN steps a proxy, or naming one, takes no value", () => {
  for (const args of ['args:\n  HTTP_PROXY: "{{x}}"', 'args:\n  - https_proxy={{x}}', 'args:\n  - "{{x}}=1"'])
    assertScriptRefused(compose(`build:\n  context: .\n${args.replace(/^/gm, '  ')}`), /build argument/);
});
