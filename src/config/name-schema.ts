// A name in the config that someone may have copied from a job summary (src/config/invisible.ts): refused
// first, and only for that, when it holds an invisible character; its own rule (letters, digits, ...) after.
import * as z from 'zod';
import { invisibleCharacter, invisibleNameProblem } from './invisible.ts';

/** A string that holds no invisible character; `what` names it in the refusal ("metric name"). */
export function visibleName(what: string) {
  return z.string().refine((value) => invisibleCharacter(value) === undefined, {
    error: (issue) => invisibleNameProblem(String(issue.input), what),
    abort: true,
  });
}
