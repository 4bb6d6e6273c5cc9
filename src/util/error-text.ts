// An unexpected error as text, as Node's report of an uncaught one shows it: shared by the CLI's internal
// error (cli/main.ts sayInternalError) and the Action's crash handler (action/index.ts).
import { inspect } from 'node:util';

/**
 * An error's stack (message included), then what it was caused by and an AggregateError's errors, as Node's
 * report of an uncaught error shows them (a wrapped error's own message is often the one that says why);
 * a value that is not an Error, inspected on one line.
 */
export function errorText(error: unknown, depth = 0): string {
  if (!(error instanceof Error))
    return typeof error === 'string' ? error : inspect(error, { breakLength: Infinity, depth: 4 });
  const lines = [error.stack ?? `${error.name}: ${error.message}`];
  if (depth >= 4) return lines[0]!;
  if (error instanceof AggregateError)
    for (const inner of error.errors) lines.push(`[errors]: ${errorText(inner, depth + 1)}`);
  if (error.cause !== undefined) lines.push(`[cause]: ${errorText(error.cause, depth + 1)}`);
  return lines.join('\n');
}
