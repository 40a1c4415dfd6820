/**
 * The data-action executor: runs Genesys Web Services Data Action definitions offline, the way
 * Genesys runs them. See docs/data-actions.md for what is reproduced and what is assumed.
 */
export {
  ActionDefinitionSchema,
  DEFAULT_REQUEST_TEMPLATE,
  DEFAULT_SUCCESS_TEMPLATE,
  DEFAULT_TIMEOUT_SECONDS,
  REQUEST_TYPES,
  type ActionDefinition,
  type RequestType,
} from './definition.js';
export {
  INPUT_PROPERTY_NAME,
  MAX_JSON_DEPTH,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
  RESERVED_INPUT_NAMES,
  validateActionDefinition,
  type ActionDefinitionIssue,
} from './contract-rules.js';
export {
  DATA_ACTION_ERROR_CODES,
  DataActionError,
  isDataActionError,
  type DataActionErrorCode,
  type DataActionFailure,
} from './errors.js';
export {
  EXECUTOR_STEPS,
  STEP_NAMES,
  type DataActionOutcome,
  type DataActionRun,
  type ExecutorStep,
  type JsonValue,
  type TestExecutionResult,
  type TestOperation,
} from './result.js';
export { executeDataAction, runDataAction, type CredentialType, type DataActionRunOptions } from './run.js';
export { flattenOutputSchema, flattenOutputValue, type FlatOutput } from './flatten.js';
export { renderVelocity, type RenderResult } from './velocity.js';
export { applyTranslationMap, type TranslationResult } from './translation.js';
