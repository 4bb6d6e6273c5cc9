import { installCrashGuard } from '../util/crash-guard.ts';
import { crashDeadlineFrom } from '../util/crash-decision.ts';
import { main, maskingIo, processIo, sayInternalError } from './main.ts';
import { routeThroughEnvProxy } from '../util/env-proxy.ts';

// One masking writer for the process: main() fills it with the config's secrets, and an error thrown
// outside it (background work's rejection, the stream error below) is said through it too. Node's own
// report of an uncaught error printed its message as it was, a URL or config value holding a secret in it.
const io = Object.assign(maskingIo(processIo), {
  // A run's outcome is written: a signal from then on (the runner's SIGTERM 7.5 s after its SIGINT, a second
  // Ctrl-C) while the process lingers (a notification's socket the reporting deadline cut) ends it with the
  // outcome's code. The run's listeners go once it has settled, and the signal killed the process: its exit
  // said SIGTERM, not the outcome.
  settled: (exitCode: number) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
      process.on(signal, () => process.exit(exitCode));
  },
});
// An uncaught error exits at once, failed; one while `run` deploys stops the run instead (its rollback puts
// traffic back on the stable version) and the CLI exits once it has ended (util/crash-guard.ts).
installCrashGuard(
  {
    sayError: (error) => sayInternalError(io, error),
    say: (message) => io.err(`deploy-action: ${message}\n`),
    // Loaded then, not at the start (test/unit/build/start-graph.test.ts): the same module the run's commands
    // were started by, so it holds them.
    stopCommands: async (lastWords) =>
      (await import('../util/process-group.ts')).stopAllCommandsAndWait('crash_deadline', lastWords),
    exit: (code) => process.exit(code),
  },
  { deadlineMs: crashDeadlineFrom(process.env) },
);

// A reader that goes away (`deploy-action run | head`, a closed terminal, a log collector that died) must
// not kill a deployment half-way: an unhandled EPIPE on stdout crashed the CLI wherever it was, a canary
// left live. Output to a reader that is gone is dropped; the run goes on to its end, rollback included.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

// Behind a proxy (HTTPS_PROXY and NO_PROXY in the environment), GitHub, notifications and metrics outside the
// network are reached through it.
const proxy = routeThroughEnvProxy(process.env);
if (proxy.kind === 'unsupported') io.err(`deploy-action: warning: ${proxy.message}\n`);

process.exitCode = await main(process.argv.slice(2), io);
