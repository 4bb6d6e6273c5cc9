// Starts a real Prometheus (/usr/bin/prometheus) on 127.0.0.1 with a temp storage dir, scraping the given
// targets every second, and a tiny metrics HTTP server tests can update. Everything is stopped by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnFreshPort } from './ports.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

/** Kept here for the tests that import it from this file. */
export { freePort } from './ports.ts';

export interface MetricsServer {
  url: string;
  port: number;
  /** Replaces the exposition text served at /metrics. */
  set(text: string): void;
  close(): Promise<void>;
}

export async function startMetricsServer(initial = ''): Promise<MetricsServer> {
  let body = initial;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    set: (text) => void (body = text),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  /** A reason to stop waiting at once (the process being waited for has exited). */
  hopeless: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    const reason = hopeless();
    if (reason) throw new Error(`${reason} while waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}

/**
 * `history`: OpenMetrics text (ending in `# EOF`) written into the TSDB with promtool before Prometheus
 * starts (backfilling), so tests can query days of past data.
 */
export async function startPrometheus(
  targets: string[],
  /**
   * `features`: `--enable-feature` names (`native-histograms`: a protobuf scrape, native histograms kept).
   * `ruleFiles`: rule files it loads (`rule_files:`), evaluated at each group's own interval.
   */
  options: { history?: string; features?: string[]; ruleFiles?: string[] } = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-test-'));
  if (options.history !== undefined) {
    writeFileSync(join(dir, 'history.om'), options.history);
    const result = spawnSync(
      PROMTOOL_BIN,
      ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', join(dir, 'history.om'), join(dir, 'data')],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`promtool could not backfill: ${result.stderr || result.stdout || result.error}`);
    }
  }
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: app',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `"${t}"`).join(', ')}]`,
    ...(options.ruleFiles?.length
      ? ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)]
      : []),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  // Its port is on its command line: one taken all the same ("address already in use") means a fresh start.
  const started = await startOnFreshPort(async (port) => {
    let output = '';
    const child: ChildProcess = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=30d',
        '--log.level=warn',
        ...(options.features?.length ? [`--enable-feature=${options.features.join(',')}`] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    const stopChild = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    };
    try {
      await waitFor(
        async () => (await fetch(`${url}/-/ready`)).ok,
        60_000,
        `Prometheus ready at ${url}`,
        () => (child.exitCode === null ? undefined : `Prometheus exited (${child.exitCode})`),
      );
    } catch (error) {
      await stopChild();
      throw new Error(`${(error as Error).message}: ${output}`);
    }
    return { url, stopChild };
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const { url } = started;
  const stop = async () => {
    await started.stopChild();
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop };
}

/**
 * Waits until an instant query returns at least one series (Prometheus has scraped). Prometheus throttles
 * target discovery (5 s) and a busy 2-core machine delays the first scrape further, so the wait is long; it
 * ends as soon as the series is there. On a timeout the message carries what Prometheus says of its
 * targets (health, last error), so a scrape that failed is told from one that never ran.
 */
export async function waitForSeries(prometheusUrl: string, query: string, timeoutMs = 60_000): Promise<void> {
  try {
    await waitFor(
      async () => {
        const r = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
        const body = (await r.json()) as { data?: { result?: unknown[] } };
        return (body.data?.result?.length ?? 0) > 0;
      },
      timeoutMs,
      `series for ${query}`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; targets: ${await describeTargets(prometheusUrl)}`);
  }
}

async function describeTargets(prometheusUrl: string): Promise<string> {
  try {
    const r = await fetch(`${prometheusUrl}/api/v1/targets`);
    const body = (await r.json()) as {
      data?: {
        activeTargets?: { scrapeUrl?: string; health?: string; lastError?: string; lastScrape?: string }[];
      };
    };
    const targets = body.data?.activeTargets ?? [];
    if (targets.length === 0) return 'none discovered yet';
    return targets
      .map(
        (t) =>
          `${t.scrapeUrl} ${t.health} (last scrape ${t.lastScrape}${t.lastError ? `, error: ${t.lastError}` : ''})`,
      )
      .join('; ');
  } catch (error) {
    return `could not be read (${(error as Error).message})`;
  }
}
