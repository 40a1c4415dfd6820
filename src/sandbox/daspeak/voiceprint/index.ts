/**
 * The das-Peak emulator's toy voiceprint engine (a stand-in, NOT biometrics; see
 * docs/sandbox-voiceprint.md).
 */
export {
  createVoiceprintEngine,
  DEFAULT_AUTHENTICITY_THRESHOLD,
  DEFAULT_VERIFICATION_THRESHOLD,
  registrationOutcome,
  verificationOutcome,
} from './engine.js';
export type {
  AuthenticityResult,
  CredentialInfo,
  RegisterResult,
  RegistrationOutcome,
  VerificationOutcome,
  VerifyResult,
  VoiceprintEngine,
  VoiceprintEngineOptions,
} from './engine.js';
export { VoiceprintAccumulator } from './accumulator.js';
export type { AccumulatorOptions, AccumulatorVadOptions } from './accumulator.js';
export type { Voiceprint } from './voiceprint.js';
export { isCredentialError, VOICEPRINT_ERROR_CODES } from './errors.js';
export type { VoiceprintErrorCode } from './errors.js';
