// The job log's plain lines. A line the Action prints may quote what someone else chose (a deployment's
// parameters, an error GitHub sent back, a repository name), and the runner reads a line on stdout as a
// workflow command when it starts with `::` (after white space) or holds `##[name]` anywhere: each line is
// made inert (plain-text.ts) first, and one starting with `::` gets a backslash. core.warning/error/notice are workflow commands already, their text escaped by core.
import * as core from '@actions/core';
import { notWorkflowCommand, plainRedacted } from '../util/plain-text.ts';

/**
 * Prints `text` as job-log lines, each one inert, with `redact` (the run's credentials) before and after
 * (plainRedacted): the whole text first, so a secret of several lines is found as written.
 */
export function logInfo(text: string, redact: (line: string) => string = (line) => line): void {
  for (const line of redact(text).split(/\r\n|\r|\n/))
    core.info(notWorkflowCommand(plainRedacted(line, redact)));
}
