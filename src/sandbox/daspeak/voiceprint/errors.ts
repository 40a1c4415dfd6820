/**
 * Typed errors of the voiceprint engine. Every way a credential can be wrong has a code starting with
 * `voiceprint.credential_`, so the emulator maps them all to `error-parameters` with one test
 * (`isCredentialError`); `voiceprint.not_enough_speech` is an audio problem (`error-audio`).
 */
import { KitError } from '../../../errors.js';

export const VOICEPRINT_ERROR_CODES = [
  /** Not base64, not a sandbox credential, or cut short / padded (structure does not add up). */
  'voiceprint.credential_malformed',
  /** The HMAC does not match: tampered with, or made with another credential key. */
  'voiceprint.credential_unauthentic',
  /** Authentic, but in a credential or feature layout this engine does not read. */
  'voiceprint.credential_version_unsupported',
  /** Authentic, but made with another biometric model (model_hash). */
  'voiceprint.credential_model_mismatch',
  /** The audio held too little (voiced) speech to make a voiceprint. */
  'voiceprint.not_enough_speech',
  /** A voiceprint that this engine did not make (wrong layout or non-finite values). */
  'voiceprint.voiceprint_invalid',
  /** Audio was pushed after finish(). */
  'voiceprint.accumulator_finished',
  /** createVoiceprintEngine was given unusable options. */
  'voiceprint.options_invalid',
] as const;
export type VoiceprintErrorCode = (typeof VOICEPRINT_ERROR_CODES)[number];

export function voiceprintError(
  code: VoiceprintErrorCode,
  message: string,
  details?: Record<string, unknown>,
): KitError {
  const status = code.startsWith('voiceprint.credential_')
    ? 400
    : code === 'voiceprint.not_enough_speech'
      ? 422
      : 500;
  return new KitError(code, message, details === undefined ? { status } : { status, details });
}

/** Whether `error` says the credential given to `verify` (or `readCredential`) is unusable. */
export function isCredentialError(error: unknown): error is KitError {
  return error instanceof KitError && error.code.startsWith('voiceprint.credential_');
}
