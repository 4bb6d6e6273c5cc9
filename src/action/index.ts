import * as core from '@actions/core';
import { installCrashGuard } from '../util/crash-guard.ts';
import { crashDeadlineFrom } from '../util/crash-decision.ts';
import { errorText } from '../util/error-text.ts';
import { run } from './run.ts';

// An uncaught error exits at once, failed; one while a deployment runs stops the run instead (its rollback
// puts traffic back on the stable version) and the action exits once it has ended (util/crash-guard.ts). Said
// through core (an ::error the runner masks: the secret inputs and the config's secrets are registered with
// core.setSecret), never as Node's own report on standard error, which printed a secret in a message as it was.
installCrashGuard(
  {
    sayError: (error) => core.error(`internal error: ${errorText(error)}`),
    say: (message) => core.error(message),
    // Loaded then, not at the start (test/unit/build/start-graph.test.ts): the same module the run's commands
    // were started by, so it holds them.
    stopCommands: async (lastWords) =>
      (await import('../util/process-group.ts')).stopAllCommandsAndWait('crash_deadline', lastWords),
    exit: (code) => process.exit(code),
  },
  { deadlineMs: crashDeadlineFrom(process.env) },
);

await run();
