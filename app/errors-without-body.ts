// A handler's error must not carry the webhook's body into the log. @octokit/webhooks attaches the whole
// event (payload included) to every error a handler throws, as `error.event`, and Probot logs that error with
// all its fields: a comment's text, a repository's details. Wrapped here, a handler's error keeps only the
// event's id and name there.
import type { ApplicationFunction, Probot } from 'probot';

type Handler = (context: unknown) => unknown;

function keepOnlyIds(error: unknown): unknown {
  if (error === null || typeof error !== 'object') return error;
  let kept: { id?: unknown; name?: unknown } | undefined;
  // A setter, because the event is assigned after the handler has thrown.
  Object.defineProperty(error, 'event', {
    configurable: true,
    enumerable: true,
    get: () => kept,
    set: (event: { id?: unknown; name?: unknown } | undefined) => {
      kept = event ? { id: event.id, name: event.name } : undefined;
    },
  });
  return error;
}

/** `appFn` whose handlers' errors name the event by id and name only. */
export function errorsWithoutBody(appFn: ApplicationFunction): ApplicationFunction {
  return (app, options) => {
    const on = ((name: unknown, handler: Handler) =>
      (app.on as (n: unknown, h: Handler) => void)(name, async (context) => {
        try {
          return await handler(context);
        } catch (error) {
          throw keepOnlyIds(error);
        }
      })) as Probot['on'];
    // Probot keeps its state in private fields: every other member is read from the instance itself.
    const wrapped = new Proxy(app, {
      get(target, property) {
        if (property === 'on') return on;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return appFn(wrapped, options);
  };
}
