// The demo infrastructure for end-to-end tests: a router (real haproxy or nginx, or the embedded one) in front of
// named service slots, driven by examples/demo/ctl.ts, everything on 127.0.0.1 and cleaned up after the test.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startHaproxy } from './haproxy.ts';
import { startNginx } from './nginx.ts';
import { freePorts } from './ports.ts';
import { NODE, startProcess } from './processes.ts';

export const DEMO = fileURLToPath(new URL('../../examples/demo/', import.meta.url));
export const CTL = join(DEMO, 'ctl.ts');

/**
 * The `target:` block of a deploy.yml whose commands drive the demo's ctl by absolute path (so the run works
 * from any workspace). `node` is the command that runs ctl; `switch: false` leaves out the switch command.
 */
export function demoTargetYaml(opts: { node?: string; switch?: boolean; baseline?: boolean } = {}): string {
  const ctl = (...args: string[]) => JSON.stringify([opts.node ?? NODE, CTL, ...args]);
  // A canary with a fresh baseline (issue 15) tells the router the third backend and its share.
  const baseline = opts.baseline
    ? ['--baseline', '{{baseline_slot}}', '--baseline-weight', '{{baseline_weight}}']
    : [];
  return `target:
  commands:
    deploy: ${ctl('deploy', '--slot', '{{slot}}', '--version', '{{version}}')}
${opts.switch === false ? '' : `    switch: ${ctl('switch', '--slot', '{{slot}}')}\n`}    set_weight: ${ctl('weight', '--slot', '{{slot}}', '--weight', '{{weight}}', '--stable', '{{stable_slot}}', ...baseline)}
    health: ${ctl('health', '--slot', '{{slot}}')}
    teardown: ${ctl('teardown', '--slot', '{{slot}}')}
    current: ${ctl('current')}
`;
}

export type RouterKind = 'haproxy' | 'nginx' | 'embedded';

export interface Demo {
  url: string;
  stateDir: string;
  /** Environment for ctl and for the deploy-action process (DEMO_*, and Node 24 first on PATH). */
  env: Record<string, string>;
  ctl(...args: string[]): Promise<string>;
}

export async function setupDemo(
  t: Pick<TestContext, 'after'>,
  kind: RouterKind,
  weights: Record<string, number>,
  options: { retryOn?: string; check?: 'http' | 'tcp'; balance?: string } = {},
): Promise<Demo> {
  const names = Object.keys(weights);
  const stateDir = await mkdtemp(join(tmpdir(), 'demo-e2e-'));
  const ports = await freePorts(names.length + 2);
  const portOf = Object.fromEntries(names.map((n, i) => [n, ports[i]!]));
  const env: Record<string, string> = {
    DEMO_STATE_DIR: stateDir,
    DEMO_PORTS: names.map((n) => `${n}=${portOf[n]}`).join(','),
    DEMO_ROUTER: kind,
    DEMO_START_TIMEOUT_MS: '8000',
    PATH: `${dirname(NODE)}:${process.env.PATH ?? ''}`,
  };
  const ctl = async (...args: string[]) => {
    const r = await execa(NODE, [CTL, ...args], { env, reject: false, timeout: 30_000 });
    assert.equal(r.exitCode, 0, `ctl ${args.join(' ')} failed (${r.exitCode}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  // Registered first so it runs even if starting the router fails; services outlive ctl, so stop them here.
  t.after(async () => {
    await execa(NODE, [CTL, 'down'], { env, reject: false, timeout: 30_000 });
    await rm(stateDir, { recursive: true, force: true });
  });

  let url: string;
  if (kind === 'haproxy') {
    const haproxy = await startHaproxy(t, {
      servers: portOf,
      weights,
      retryOn: options.retryOn,
      check: options.check,
      balance: options.balance,
    });
    env.DEMO_HAPROXY_SOCKET = haproxy.socketPath;
    url = haproxy.url;
  } else if (kind === 'nginx') {
    // retryOn and check are haproxy's: nginx retries a failed connect (proxy_next_upstream) and checks nothing.
    const nginx = await startNginx(t, { servers: portOf, weights });
    env.DEMO_NGINX_PREFIX = nginx.paths.prefix;
    env.DEMO_NGINX_BIN = nginx.bin;
    url = nginx.url;
  } else {
    const [port, adminPort] = ports.slice(names.length) as [number, number];
    await startProcess(t, {
      name: 'router',
      command: NODE,
      args: [
        join(DEMO, 'router.ts'),
        '--port',
        String(port),
        '--admin-port',
        String(adminPort),
        ...names.flatMap((n) => [
          '--backend',
          `${n}=127.0.0.1:${portOf[n]}`,
          '--weight',
          `${n}=${weights[n]}`,
        ]),
      ],
      ready: /listening on/,
      // A bound on a hung start, as ctl's 30 s: Node alone took over 10 s to start on a busy 2-core machine.
      readyTimeoutMs: 30_000,
    });
    env.DEMO_ROUTER_ADMIN = `127.0.0.1:${adminPort}`;
    url = `http://127.0.0.1:${port}/`;
  }
  return { url, stateDir, env, ctl };
}

/** What answers through the router now: the x-version of a few requests (each must answer 200). */
export async function servedVersions(url: string): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    seen.add(res.headers.get('x-version') ?? '(none)');
  }
  return [...seen];
}
