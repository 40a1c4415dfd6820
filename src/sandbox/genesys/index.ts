export { startGenesysSandbox } from './sandbox.js';
export type { GenesysSandbox, GenesysSandboxOptions, SandboxAgent } from './sandbox.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export type { FaultSettings } from './http/faults.js';
export type { RequestCounts, RouteCount } from './http/request-counter.js';
export type { ErrorBody } from './api-error.js';
export type {
  ActionExecutor,
  ActionExecutionResult,
  ActionOperation,
  ExecutableAction,
} from './actions/executor.js';
export type { OrgState } from './state/model.js';
export type { AdminGrantRequest, AdminGrantResult } from './routes/admin-grants.js';
export type { VoiceCatalog, CallAudio } from './calls/audio.js';
export type { CallReport } from './calls/calls.js';
