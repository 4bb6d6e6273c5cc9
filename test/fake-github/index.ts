// Public entry point of the fake GitHub used by tests.
export { createFakeGitHub } from './server.ts';
export type {
  DownMode,
  FailNextOptions,
  FakeGitHub,
  FakeGitHubOptions,
  HoldOptions,
  RecordedRequest,
  RepoSelector,
  SeedPull,
  SeedRepoOptions,
  SeedReview,
  SeedReviewThread,
  Violation,
  ViolationKind,
} from './server.ts';
export { fakeSha, openCheckSuites } from './state.ts';
export type {
  CheckSuiteRecord,
  FakeState,
  Permission,
  RepoState,
  WorkflowDispatch,
  WorkflowRunRecord,
} from './state.ts';
export {
  mergePayload,
  pullRequestCommentPayload,
  validateWebhook,
  webhookPayload,
  workflowRunPayload,
} from './webhooks.ts';
export type { WebhookTarget } from './webhooks.ts';
