// What a value would choose in a field of a structure a tool reads (a JSON argument, aws shorthand), shared by
// json-arguments.ts and deploy-sources.ts without either importing the other. Pure.

/** Fields whose value chooses who acts: the IAM role a task, a job or a build runs as. */
export const ROLE_FIELD = /^(\w*rolearn|servicerole(override)?)$/i;

/** What a value in a variable's name could choose, for messages (environmentName's, a JSON environment entry's). */
export const ENVIRONMENT_NAME_WHY =
  'LD_PRELOAD, NODE_OPTIONS or PATH make the program load or run other code';
