/**
 * The toy voiceprint engine of the das-Peak Streaming emulator: what the emulator calls to turn a
 * session's audio into a credential (register), a score (verify) and an anti-spoofing authenticity.
 * It is a stand-in, NOT biometrics: see docs/sandbox-voiceprint.md for what it can and cannot tell apart.
 *
 * Deterministic and stateless: the same audio gives the same voiceprint, the same voiceprint and clock
 * give the same credential, and the same credential and voiceprint give the same score and
 * authenticity. A replay is judged against the credential being verified: it carries a print of its
 * registration audio (replay.ts), so that audio played back to verify it is a spoof, while the same
 * voice may register on any number of calls and any instance of the emulator judges alike.
 */
import { VoiceprintAccumulator } from './accumulator.js';
import type { AccumulatorOptions, AccumulatorVadOptions } from './accumulator.js';
import { decodeCredential, encodeCredential } from './credential.js';
import type { CredentialContent } from './credential.js';
import { voiceprintError } from './errors.js';
import { AUTHENTICITY_MAX, FEATURE_VERSION, REPLAY_HALF_FRACTION, REPLAY_STEEPNESS } from './model.js';
import { matchedFraction, replayPrintOf } from './replay.js';
import { speakerScore } from './similarity.js';
import { VECTOR_LENGTH } from './statistics.js';
import type { Voiceprint } from './voiceprint.js';

/** The verification threshold the fixtures are calibrated for (das-Peak documents none). */
export const DEFAULT_VERIFICATION_THRESHOLD = 0.5;
/** das-Peak's example `authenticity_threshold`. */
export const DEFAULT_AUTHENTICITY_THRESHOLD = 0.8;

export interface VoiceprintEngineOptions {
  /** The model this engine claims to be (e.g. SANDBOX.daspeak.modelHash); 1..255 UTF-8 bytes. */
  modelHash: string;
  /** HMAC key that authenticates credentials; a sandbox secret, at least 16 bytes. */
  credentialKey: string | Uint8Array;
  /** Replay detection on (default) or off (every verification then rates its audio authentic). */
  replayCheck?: boolean;
  /** Milliseconds since the epoch, stamped (as seconds) into credentials; default Date.now. */
  now?: () => number;
  /** VAD tuning for the accumulators this engine hands out. */
  vad?: AccumulatorVadOptions;
}

export interface RegisterResult {
  credential: string;
  authenticity: number;
}

export interface VerifyResult {
  score: number;
  authenticity: number;
}

export interface AuthenticityResult {
  authenticity: number;
}

/** What `readCredential` tells about a credential without any audio. */
export interface CredentialInfo {
  formatVersion: number;
  featureVersion: number;
  modelHash: string;
  /** When it was issued, in milliseconds since the epoch (whole seconds). */
  issuedAt: number;
}

export interface VoiceprintEngine {
  readonly modelHash: string;
  /** A fresh accumulator for one session's audio (8 kHz, mono). */
  accumulator(): VoiceprintAccumulator;
  /**
   * Makes a credential of the voiceprint (with the replay print of its speech). A registration has no
   * credential to be a replay of, so its authenticity is always the highest.
   */
  register(voiceprint: Voiceprint): RegisterResult;
  /**
   * Scores the voiceprint against the credential and rates its authenticity (low when it is the
   * credential's registration audio played again); an unusable credential throws a
   * `voiceprint.credential_*` error before anything else happens.
   */
  verify(credential: string, voiceprint: Voiceprint): VerifyResult;
  /** Authenticity only: how far the voiceprint is from a replay of this credential's registration. */
  assess(credential: string, voiceprint: Voiceprint): AuthenticityResult;
  /** Checks a credential (authentic, this model, readable) without scoring; throws like `verify`. */
  readCredential(credential: string): CredentialInfo;
}

export type VerificationOutcome = 'success' | 'fail-score' | 'fail-spoof';
export type RegistrationOutcome = 'success' | 'fail-spoof';

/** The das-Peak outcome of a registration: only the authenticity check applies. */
export function registrationOutcome(
  result: AuthenticityResult,
  authenticityThreshold: number = DEFAULT_AUTHENTICITY_THRESHOLD,
): RegistrationOutcome {
  return result.authenticity < authenticityThreshold ? 'fail-spoof' : 'success';
}

/**
 * The das-Peak outcome of a verification: a spoof whatever the score (a replayed voice must not pass
 * because it matches), then the score.
 */
export function verificationOutcome(
  result: VerifyResult,
  thresholds: { verification?: number; authenticity?: number } = {},
): VerificationOutcome {
  if (result.authenticity < (thresholds.authenticity ?? DEFAULT_AUTHENTICITY_THRESHOLD)) return 'fail-spoof';
  if (result.score < (thresholds.verification ?? DEFAULT_VERIFICATION_THRESHOLD)) return 'fail-score';
  return 'success';
}

function invalidOption(message: string): never {
  throw voiceprintError('voiceprint.options_invalid', `createVoiceprintEngine: ${message}`);
}

function checkVoiceprint(voiceprint: Voiceprint): void {
  const ok =
    voiceprint.featureVersion === FEATURE_VERSION &&
    voiceprint.vector instanceof Float64Array &&
    voiceprint.vector.length === VECTOR_LENGTH &&
    voiceprint.vector.every(Number.isFinite) &&
    voiceprint.fingerprints.length === voiceprint.positions.length &&
    voiceprint.fingerprints.length === voiceprint.weakBits.length;
  if (!ok) {
    throw voiceprintError(
      'voiceprint.voiceprint_invalid',
      'the voiceprint was not made by this engine version',
    );
  }
}

export function createVoiceprintEngine(options: VoiceprintEngineOptions): VoiceprintEngine {
  const modelHash = options.modelHash;
  if (typeof modelHash !== 'string' || modelHash.length === 0 || Buffer.byteLength(modelHash, 'utf8') > 255) {
    invalidOption('modelHash must be a string of 1 to 255 UTF-8 bytes');
  }
  const key =
    typeof options.credentialKey === 'string'
      ? Buffer.from(options.credentialKey, 'utf8')
      : Buffer.from(options.credentialKey ?? []);
  if (key.length < 16) invalidOption('credentialKey must hold at least 16 bytes');
  const replayCheck = options.replayCheck ?? true;
  const now = options.now ?? Date.now;
  const accumulatorOptions: AccumulatorOptions = options.vad ? { vad: options.vad } : {};

  const authenticityOf = (content: CredentialContent, voiceprint: Voiceprint): number => {
    const fraction = replayCheck ? matchedFraction(content.replayPrint, voiceprint) : 0;
    return AUTHENTICITY_MAX / (1 + (fraction / REPLAY_HALF_FRACTION) ** REPLAY_STEEPNESS);
  };

  const open = (credential: string): CredentialContent => {
    const content = decodeCredential(key, credential);
    if (content.modelHash !== modelHash) {
      throw voiceprintError(
        'voiceprint.credential_model_mismatch',
        `the credential was made with model "${content.modelHash}", this engine is model "${modelHash}"`,
        { credentialModelHash: content.modelHash, modelHash },
      );
    }
    return content;
  };

  return {
    modelHash,
    accumulator: () => new VoiceprintAccumulator(accumulatorOptions),
    register(voiceprint) {
      checkVoiceprint(voiceprint);
      const issuedAt = Math.floor(now() / 1000);
      if (!Number.isInteger(issuedAt) || issuedAt < 0 || issuedAt > 0xffffffff) {
        throw voiceprintError(
          'voiceprint.options_invalid',
          `the clock returned ${issuedAt * 1000}, not a usable time`,
        );
      }
      const credential = encodeCredential(key, {
        modelHash,
        issuedAt,
        vector: voiceprint.vector,
        replayPrint: replayPrintOf(voiceprint),
      });
      return { credential, authenticity: AUTHENTICITY_MAX };
    },
    verify(credential, voiceprint) {
      const content = open(credential);
      checkVoiceprint(voiceprint);
      return {
        score: speakerScore(content.vector, voiceprint.vector),
        authenticity: authenticityOf(content, voiceprint),
      };
    },
    assess(credential, voiceprint) {
      const content = open(credential);
      checkVoiceprint(voiceprint);
      return { authenticity: authenticityOf(content, voiceprint) };
    },
    readCredential(credential) {
      const { formatVersion, featureVersion, modelHash: hash, issuedAt } = open(credential);
      return { formatVersion, featureVersion, modelHash: hash, issuedAt: issuedAt * 1000 };
    },
  };
}
