/**
 * The das-Peak Streaming emulator: token endpoint, REST and Socket.IO signalling, Audiohook and
 * Twilio audio consumers, one session state machine, and the toy voiceprint engine behind it.
 */
export {
  startDaspeakSandbox,
  type DaspeakSandbox,
  type DaspeakSandboxStats,
  type DaspeakSandboxUrls,
  type StartDaspeakSandboxOptions,
} from './sandbox.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type DaspeakSandboxOptions,
  type SandboxCredentials,
  type SandboxFaults,
  type SandboxLimits,
  type SandboxPaths,
  type SandboxTimeouts,
} from './options.js';
export { CALL_ID_PREFIXES } from './outcome-hooks.js';
export { DEFAULT_CREDENTIAL_KEY, type BiometricsOptions } from './voice-biometrics.js';
export type { SandboxClock, SandboxTimers } from './timing.js';
export type * from './session.js';
