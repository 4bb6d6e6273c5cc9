// What the CLI and the Action say of a reconcile an internal error stopped that was still going at the crash
// deadline (util/crash-guard.ts): the process exits 3 with whatever it was doing unfinished.

/**
 * What is known of a reconcile still going at the crash deadline (`after`: "15 min"): a rollback it had begun
 * did not finish.
 */
export function unfinishedAtDeadline(after: string): string {
  return (
    `it had not ended ${after} after the internal error, so what it was doing did not finish (a rollback ` +
    'among it): traffic may not be back on the stable version; check the environments now, then run ' +
    'deploy-action reconcile again (the records keep what is unfinished)'
  );
}
