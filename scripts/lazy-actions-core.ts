// @actions/core requires ./oidc-utils at load, and with it @actions/http-client and undici (about 0.5 MB that
// load Node's http, tls and zlib), for getIDToken alone, which this project never calls; and ./platform,
// which loads @actions/exec and @actions/io, for `core.platform`. This esbuild plugin rewrites those two
// requires in @actions/core/lib/core.js so they happen on first use: getIDToken imports oidc-utils (a
// separate chunk, async like getIDToken itself), `core.platform` requires ./platform when read; and
// lib/file-command.js's node:crypto, loaded when an output is first written to its file. The API and its
// behaviour stay as they are. If an upgrade changes the text, the build fails rather than quietly
// loading undici again.
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** Each require as @actions/core 1.x writes it, and what it becomes, by file. */
const REWRITES: Record<'core.js' | 'file-command.js', ReadonlyArray<readonly [from: string, to: string]>> = {
  'core.js': [
    ['const oidc_utils_1 = require("./oidc-utils");', ''],
    [
      'return yield oidc_utils_1.OidcClient.getIDToken(aud);',
      'return yield (yield import("./oidc-utils.js")).OidcClient.getIDToken(aud);',
    ],
    [
      'exports.platform = __importStar(require("./platform"));',
      'let platform_1;\nObject.defineProperty(exports, "platform", { enumerable: true, get: function () { return (platform_1 ??= __importStar(require("./platform"))); } });',
    ],
  ],
  // node:crypto (about 10 ms and 3 MiB) for the delimiter of an output or a variable, when one is written.
  'file-command.js': [
    [
      'const crypto = __importStar(require("crypto"));',
      'const crypto = { randomUUID: () => require("crypto").randomUUID() };',
    ],
  ],
};

export function lazyActionsCore(
  source: string,
  path = '@actions/core/lib/core.js',
  file: keyof typeof REWRITES = path.endsWith('file-command.js') ? 'file-command.js' : 'core.js',
): string {
  let out = source;
  for (const [from, to] of REWRITES[file]) {
    if (!out.includes(from))
      throw new Error(
        `lazy-actions-core: "${from}" not found in ${path}; @actions/core changed, update scripts/lazy-actions-core.ts`,
      );
    out = out.replace(from, to);
  }
  return out;
}

export const lazyActionsCorePlugin: Plugin = {
  name: 'lazy-actions-core',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@actions[\\/]core[\\/]lib[\\/](core|file-command)\.js$/ },
      async ({ path }) => ({
        contents: lazyActionsCore(await readFile(path, 'utf8'), path),
        loader: 'js',
      }),
    );
  },
};
