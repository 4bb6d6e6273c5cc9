// postinstall: node_modules/.bin/node must be Node 24, the runtime the Action declares and the tests run on.
// The dev dependencies carry two Node binaries (node@24, and node@22 as "node22" to test the CLI on the
// other maintained release line); both packages name their binary "node", and npm links whichever it
// installs last. Point the link at node@24 so `npm test` never runs on 22 by accident.
import { existsSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'node_modules', '.bin');
const link = join(bin, 'node');
const target = join('..', 'node', 'bin', 'node');
if (existsSync(join(bin, target))) {
  let current;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== target) {
    rmSync(link, { force: true });
    symlinkSync(target, link);
  }
}
