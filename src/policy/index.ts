// The deployment policy of the GitHub App, as pure functions: the app collects the facts, these decide.
export { approvalsSchema, type ApprovalsConfig } from './schema.ts';
export {
  resolvePolicy,
  policyIssues,
  PolicyError,
  normalizePrincipal,
  requiredCheckLabel,
  type Policy,
  type RequiredCheck,
  type PolicyIssue,
  type Principal,
  type ApprovalRule,
} from './resolve.ts';
export { configEnvironment } from './environment-key.ts';
export {
  changedEnvironments,
  changedPolicies,
  stagingChanged,
  stagedThrough,
} from './changed-environments.ts';
export { PERMISSIONS, isBot, sameLogin, type Permission, type Actor } from './actors.ts';
export {
  evaluatePolicy,
  isDeploymentApproved,
  mayDeploy,
  mayApprove,
  approvalRule,
  DECISION_CODES,
  type PolicyInput,
  type PolicyDecision,
  type PolicyRefusal,
  type PolicyRefusalCode,
  type DeployerDecision,
  type ApproverDecision,
  type PullRequestFacts,
  type CheckResult,
  type SuccessfulDeployment,
  type PriorEnvironmentIssue,
} from './evaluate.ts';
export type { DeploymentType } from '../github/deployment-payload.ts';
export {
  tallyApprovals,
  tallyOrder,
  serializeApprovalMarker,
  parseApprovalMarkers,
  unreadableApprovalMarkers,
  APPROVAL_MARKER,
  DROP_REASONS,
  type ApprovalRecord,
  type ApprovalTally,
  type DroppedRecord,
  type DropReason,
} from './approvals.ts';
export {
  isWithinWindows,
  nextWindowOpening,
  nextDeployableInstant,
  activeFreeze,
  wallClockText,
  inZoneSuffix,
} from './windows.ts';
export {
  explainDecision,
  explainRefusal,
  explainApprover,
  explainDropped,
  explainLockRefusal,
  explainApprovalScope,
  stagingPrefix,
} from './messages.ts';
export {
  mayLock,
  globalLockers,
  LOCK_REFUSAL_CODES,
  type LockDecision,
  type LockInput,
  type LockScope,
} from './locks.ts';
