// JSON text read back from somewhere anyone may have written (a tag message, a deployment payload): its
// value, or undefined when it is no JSON. The caller checks the shape.
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
