// The field of an HCL body (a nomad job spec, `nomad job run - <<EOF`) each template (or variable holding one)
// fills, so that a job spec gets the field checks a YAML manifest gets (manifest-fields.ts): HCL is no YAML, and
// read as text alone `command = "{{x}}"` given /bin/sh passes a check of its characters. The scan follows HCL's
// structure (blocks, attributes, strings with ${…}, heredocs, lists, objects, comments) and nothing of its
// meaning; a body it cannot follow gives undefined, and the caller refuses every value there.
import type { JsonField } from './json-arguments.ts';
import { SPOT_WORDS, spotText, type BodySpot } from './manifest-fields.ts';

/** The body is not HCL this scan can follow. */
class NotHcl extends Error {}

/**
 * The fields each spot fills, in the order given (none for a spot in a block's label), with the spots in an
 * attribute's name or an object's key added to `keys`; undefined when the body is not HCL the scan can follow.
 */
export function hclFields(
  lines: readonly { text: string; start: number }[],
  spots: readonly BodySpot[],
  keys: Set<number>,
): JsonField[][] | undefined {
  const fields: JsonField[][] = spots.map(() => []);
  if (spots.length === 0) return fields;
  const body = spotText(lines, spots);
  if (body === undefined) return undefined;
  const { text, spelled } = body;
  let at = 0;
  const spotsIn = (part: string) => [...part.matchAll(SPOT_WORDS)].map((m) => Number(m[1]));
  const shown = (part: string) => part.replace(SPOT_WORDS, (_, k: string) => spelled(Number(k)));
  // The block being read: its path and its attributes so far.
  let block: { path: readonly string[]; attributes: Record<string, string> } | undefined;
  const fill = (part: string, key: string, path: readonly string[], item: boolean, whole?: string) => {
    for (const k of spotsIn(part))
      fields[k]!.push({
        key,
        path: [...path],
        ...(whole !== undefined ? { text: shown(whole) } : {}),
        ...(item ? { item: true as const } : {}),
        ...(block && path.length === block.path.length + 1 ? { siblings: block.attributes } : {}),
      });
  };
  const markKeys = (part: string) => {
    for (const k of spotsIn(part)) keys.add(k);
  };
  /** Runs `read` keeping what it fills out of the fields: a key's or a label's text is no value. */
  const unfilled = (read: () => void) => {
    const before = fields.map((f) => f.length);
    read();
    fields.forEach((f, k) => (f.length = before[k]!));
  };
  /** Skips spaces and comments; newlines too when `lines` (inside brackets, or between a body's items). */
  const skip = (newlines: boolean) => {
    for (;;) {
      const rest = /^(?:[ \t\r]+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(text.slice(at));
      if (rest) at += rest[0].length;
      else if (newlines && text[at] === '\n') at++;
      else return;
    }
  };
  const identifier = () => {
    const m = /^[A-Za-z_][\w-]*/.exec(text.slice(at));
    if (!m) throw new NotHcl();
    at += m[0].length;
    return m[0];
  };
  /** A quoted string from its opening quote; its ${…} and %{…} are expressions. Its text, quotes off. */
  const string = (key: string, path: readonly string[], item: boolean): string => {
    const open = at++;
    let literal = '';
    for (;;) {
      const c = text[at];
      if (c === undefined || c === '\n') throw new NotHcl();
      if (c === '"') break;
      if (c === '\\') {
        literal += text.slice(at, at + 2);
        at += 2;
      } else if ((c === '$' || c === '%') && text[at + 1] === '{') {
        at += 2;
        expression(key, path, item, '}');
        if (text[at] !== '}') throw new NotHcl();
        at++;
      } else {
        literal += c;
        at++;
      }
    }
    at++;
    fill(literal, key, path, item, text.slice(open + 1, at - 1));
    return literal;
  };
  /** A heredoc (<<EOT or <<-EOT) from its "<<", to the line holding its delimiter alone. */
  const heredoc = (key: string, path: readonly string[], item: boolean) => {
    const m = /^<<-?([A-Za-z_]\w*)[ \t]*\n/.exec(text.slice(at));
    if (!m) throw new NotHcl();
    at += m[0].length;
    const start = at;
    for (;;) {
      const newline = text.indexOf('\n', at);
      if (newline < 0) throw new NotHcl();
      const line = text.slice(at, newline);
      if (line.trim() === m[1]) {
        fill(text.slice(start, at), key, path, item, text.slice(start, at));
        at = newline;
        return;
      }
      at = newline + 1;
    }
  };
  /**
   * An expression, to one of `stops` outside brackets (a newline too at an attribute's top level), which is
   * not taken. Its spots fill `key`'s field (an item's when in a list).
   */
  const expression = (key: string, path: readonly string[], item: boolean, stops: string) => {
    for (;;) {
      skip(!stops.includes('\n'));
      const c = text[at];
      if (c === undefined) {
        if (stops.includes('\n')) return;
        throw new NotHcl();
      }
      if (stops.includes(c)) return;
      if (c === '"') string(key, path, item);
      else if (c === '<' && text[at + 1] === '<' && /^<<-?[A-Za-z_]/.test(text.slice(at)))
        heredoc(key, path, item);
      else if (c === '[') {
        at++;
        for (;;) {
          expression(key, path, true, ',]');
          if (text[at] === ']') break;
          at++;
        }
        at++;
      } else if (c === '(') {
        at++;
        expression(key, path, item, ')');
        at++;
      } else if (c === '{') {
        at++;
        object(path);
      } else if (/[\]})]/.test(c)) throw new NotHcl();
      else {
        // A bare word or an operator: a number, true, a reference (var.x), a function's name.
        const m = /^(?:[^\s"[\](){}#,]+|#)/.exec(text.slice(at))!;
        if (m[0].startsWith('/*') || m[0].startsWith('//')) throw new NotHcl();
        fill(m[0], key, path, item);
        at += m[0].length;
      }
    }
  };
  /** An object's items ({ k = v, "k": v }) from after its "{" to after its "}". */
  const object = (path: readonly string[]) => {
    for (;;) {
      skip(true);
      if (text[at] === '}') {
        at++;
        return;
      }
      if (text[at] === ',') {
        at++;
        continue;
      }
      const start = at;
      if (text[at] === '"') unfilled(() => string('', path, false));
      else if (text[at] === '(')
        unfilled(() => {
          at++;
          expression('', path, false, ')');
          at++;
        });
      else identifier();
      const name = text.slice(start, at).replace(/^"|"$/g, '');
      markKeys(text.slice(start, at));
      skip(false);
      if (text[at] !== '=' && text[at] !== ':') throw new NotHcl();
      at++;
      expression(name, [...path, name], false, ',}\n');
    }
  };
  /** A body's attributes and blocks, to `close` ("}" or the end). */
  const items = (path: readonly string[], close: string | undefined) => {
    // The block's attributes as written (env = true), given to the fields of its attributes (filled as it is read,
    // so an attribute after the field's is there too).
    const outer = block;
    const attributes: Record<string, string> = {};
    block = { path, attributes };
    for (;;) {
      skip(true);
      if (at >= text.length) {
        if (close === undefined) return;
        throw new NotHcl();
      }
      if (text[at] === close) {
        at++;
        block = outer;
        return;
      }
      const start = at;
      const name = identifier();
      markKeys(text.slice(start, at));
      skip(false);
      if (text[at] === '=' && text[at + 1] !== '=') {
        at++;
        const value = at;
        expression(name, [...path, name], false, close === undefined ? '\n' : '\n}');
        attributes[name] = text.slice(value, at).trim();
        continue;
      }
      // A block: its labels (quoted or bare names: a job's, a task's, not a field's value), then its body. A
      // dynamic block's label is the type of the blocks it makes: a key.
      while (text[at] !== '{') {
        const label = at;
        if (text[at] === '"') unfilled(() => string('', path, false));
        else identifier();
        if (name === 'dynamic') markKeys(text.slice(label, at));
        skip(false);
      }
      at++;
      items([...path, name], '}');
    }
  };
  try {
    items([], undefined);
  } catch (error) {
    if (error instanceof NotHcl || error instanceof RangeError) return undefined;
    throw error;
  }
  return fields;
}
