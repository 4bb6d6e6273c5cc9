// The one rule for a templated http(s) URL (health checks, warm-up, the analysis prober): javascript:, file: or
// data: URLs have no place there, and a template may fill any part after the scheme.
// Any case of scheme (fetch reads HTTP:// too), and a template may be written with spaces ({{ slot }}).
export const HTTP_URL = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/(?:\{\{[ \t]*[A-Za-z_]\w*[ \t]*\}\}|\S)+$/;
export const HTTP_URL_MESSAGE = 'must be an http:// or https:// URL (templates allowed)';
