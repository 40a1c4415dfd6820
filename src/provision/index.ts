/**
 * Provisioning a Genesys Cloud org for the kit: what the CLI commands plan, provision, destroy and
 * doctor call. See docs/provisioning.md.
 */
export {
  DEFAULT_STATE_DIR,
  deploymentPaths,
  derivedDeploymentId,
  newDeploymentId,
  openDeployment,
  type Deployment,
  type DeploymentOptions,
  type DeploymentPaths,
} from './deployment.js';
export {
  destroyDeployment,
  planDestroy,
  planDeployment,
  planOn,
  provisionDeployment,
  type DestroyOutcome,
  type ProvisionOptions,
  type PlanOutcome,
  type PlanReport,
  type ProvisionOutcome,
} from './operations.js';
export {
  applySummary,
  changeLines,
  formatDestroy,
  formatGrantStop,
  formatPlan,
  formatProvision,
  grantNextLines,
  grantStepLines,
  shortValue,
} from './format.js';
export {
  AdminGrantNeeded,
  grantInstructions,
  performGrant,
  readGrantCredentials,
  type AdminGrant,
} from './grant.js';
export type { Blocker } from './checks.js';
export {
  formatDoctor,
  grants,
  PROVISIONER_PERMISSIONS,
  runDoctor,
  type CheckResult,
  type CheckStatus,
  type DoctorOptions,
} from './doctor.js';
export { provisionedOutputs, type ProvisionedOutputs } from './outputs.js';
