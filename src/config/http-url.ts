// The one rule for a templated http(s) URL (health checks, warm-up, the analysis prober): javascript:, file: or
// data: URLs have no place there, and a template may fill any part after the scheme.
export const HTTP_URL = /^https?:\/\/\S+$/;
export const HTTP_URL_MESSAGE = 'must be an http:// or https:// URL (templates allowed)';
