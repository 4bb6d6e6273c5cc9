import { main } from './main.ts';

// A reader that goes away (`deploy-action run | head`, a closed terminal, a log collector that died) must
// not kill a deployment half-way: an unhandled EPIPE on stdout crashed the CLI wherever it was, a canary
// left live. Output to a reader that is gone is dropped; the run goes on to its end, rollback included.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
