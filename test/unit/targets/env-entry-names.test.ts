// An environment entry whose name is spelled through an expansion ($N, ${N}) names a variable no check reads: it
// may be LD_PRELOAD or NODE_OPTIONS, so a template (or a variable holding one) in its value is refused when the
// config loads, as in the value of an entry named LD_PRELOAD; a name holding a template stays refused as a name.
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const pod = (env: string, before = '') =>
  `${before}kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: reg/web:1\n${env.replace(/^/gm, '    ')}\nEOF`;

const compose = (environment: string, before = '') =>
  `${before}docker compose -f - up -d <<EOF\nservices:\n  web:\n    image: reg/web:1\n    environment:\n${environment.replace(/^/gm, '      ')}\nEOF`;

const UNREAD = /whose name, \$\{?N\}?, is an expansion the check cannot read/;

test('a value in an entry named through an expansion is refused: the name may load code', () => {
  for (const before of ['N=LD_PRELOAD\n', 'N=$1\n', ''])
    for (const script of [
      pod('env:\n- name: $N\n  value: "{{x}}"', before),
      pod('env:\n- name: "${N}"\n  value: /opt/{{x}}', before),
      pod('env: [{name: $N, value: "{{x}}"}]', before),
      pod('env:\n- name: $N\n  value: $V', `${before}V={{x}}\n`),
      compose('- $N={{x}}', before),
      compose('$N: "{{x}}"', before),
      `${before}curl -d @- https://api.example.com/tasks <<EOF\n{"environment": [{"name": "$N", "value": "{{x}}"}]}\nEOF`,
    ])
      assertScriptRefused(script, UNREAD);
});

test('a name holding a template stays refused as a name; a fixed name with a data value stays accepted', () => {
  assertScriptRefused(
    pod('env:\n- name: $N\n  value: "1"', 'N={{x}}\n'),
    /"name" field of an entry of "env"/,
  );
  assertScriptAccepted(
    pod('env:\n- name: VERSION\n  value: "{{x}}"\n- name: $N\n  value: "1"', 'N=LD_PRELOAD\n'),
  );
  assertScriptAccepted(compose('- VERSION={{x}}\n- HOME_DIR=$HOME'));
});
