// The string formats the fake GitHub's validators check (openapi.ts, webhooks.ts), in a module of their own:
// a validator kept on disk between test processes (kept-validators.ts) loads its formats from this module,
// so it checks exactly these.
import { fullFormats } from 'ajv-formats/dist/formats.js';

const fullUri = fullFormats.uri;
if (typeof fullUri !== 'function') throw new Error('ajv-formats: the uri format is no longer a function');

/**
 * ajv-formats' uri check, its answers kept: a pure function of the string, and its regular expression was
 * the costliest single step of checking the fake's answers, which repeat the same few URLs thousands of times.
 */
const uriAnswers = new Map<string, boolean>();
const uri = (value: string): boolean => {
  let answer = uriAnswers.get(value);
  if (answer === undefined) {
    answer = fullUri(value);
    if (uriAnswers.size >= 10_000) uriAnswers.clear();
    uriAnswers.set(value, answer);
  }
  return answer;
};

/** ajv-formats' full formats, as addFormats registers them (path and query values, webhook payloads). */
export const FULL_FORMATS = { ...fullFormats, uri };

/**
 * The formats request and response bodies are checked with: ajv-formats' full formats, except that a uri
 * may be exactly "". GitHub's description gives "" as the default of several `format: uri` fields (a
 * deployment status's target_url, log_url and environment_url), and GitHub answers "" when they were not
 * set; anything else still has to be a URI.
 */
export const BODY_FORMATS = {
  ...fullFormats,
  uri: { type: 'string' as const, validate: (value: string): boolean => value === '' || uri(value) },
};
