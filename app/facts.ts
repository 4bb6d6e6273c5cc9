// The facts every handler decides on now live in app/facts/, one file per thing read. This re-export keeps
// imports of the old path working while other work moves over; import from app/facts/* in new code.
export * from './facts/github.ts';
export * from './facts/config.ts';
export * from './facts/pull-request.ts';
export * from './facts/own-comments.ts';
export * from './facts/deployments.ts';
