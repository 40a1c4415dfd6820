import type { SessionResult, TerminalStatus } from '../../daspeak/contract.js';
import { isKitError } from '../../errors.js';
import type { AnalysisPool } from './analysis-pool.js';
import type { BiometricEngine, Judgement, VoiceAnalysis } from './biometrics.js';
import type { SessionParams } from './session.js';
import {
  createVoiceprintEngine,
  isCredentialError,
  registrationOutcome,
  verificationOutcome,
  type Voiceprint,
  type VoiceprintEngine,
} from './voiceprint/index.js';

/**
 * The emulator's biometrics on top of the toy voiceprint engine (src/sandbox/daspeak/voiceprint):
 * register → credential and authenticity; verify → score against the credential and authenticity;
 * authenticity below `authenticity_threshold` → `fail-spoof` (the verification audio is the
 * credential's own registration audio played again); score below `verification_threshold` → `fail-score`.
 */

export interface BiometricsOptions {
  /** HMAC key of the sandbox credentials (≥ 16 bytes). The default is fixed, so credentials survive a restart. */
  credentialKey?: string;
  /** Replay detection (default on); off, no verification is ever a spoof. */
  replayCheck?: boolean;
}

/** A sandbox secret: it authenticates toy credentials of a local emulator and protects nothing. */
export const DEFAULT_CREDENTIAL_KEY = 'daspeak-sandbox-credential-key-v1';

const FORCED_MESSAGE = 'outcome forced by a test hook (call_id prefix or faults.forcedOutcome)';

/** An analysis this module made: it can be finished into a voiceprint. */
interface EngineAnalysis extends VoiceAnalysis {
  finish(): Promise<Voiceprint>;
}

export function createBiometrics(
  modelHash: string,
  options: BiometricsOptions = {},
  now: () => number = Date.now,
  pool?: AnalysisPool,
): BiometricEngine {
  const engine: VoiceprintEngine = createVoiceprintEngine({
    modelHash,
    credentialKey: options.credentialKey ?? DEFAULT_CREDENTIAL_KEY,
    ...(options.replayCheck !== undefined ? { replayCheck: options.replayCheck } : {}),
    now,
  });
  const analyses = new WeakSet<VoiceAnalysis>();

  /** On the main thread: the accumulator itself. */
  function inlineAnalysis(): EngineAnalysis {
    const accumulator = engine.accumulator();
    let disposed = false;
    return {
      push: (samples) => {
        if (!disposed) accumulator.pushPcm(samples);
      },
      get netSpeechSeconds() {
        return accumulator.netSpeechSeconds;
      },
      finish: async () => accumulator.finish(),
      dispose: () => {
        disposed = true;
      },
    };
  }

  return {
    startAnalysis() {
      // A pool whose workers all died falls back to the main thread.
      const analysis: EngineAnalysis = pool?.open() ?? inlineAnalysis();
      analyses.add(analysis);
      return analysis;
    },

    close: async () => {
      await pool?.close();
    },

    credentialProblem(credential) {
      try {
        engine.readCredential(credential);
        return null;
      } catch (err) {
        if (isCredentialError(err)) return err.message;
        throw err;
      }
    },

    async judge(params, analysis, forced) {
      if (forced !== undefined && forced.startsWith('error-')) {
        return { status: forced, error: { code: 'forced', message: FORCED_MESSAGE } };
      }
      if (!analyses.has(analysis)) throw new Error('the analysis was not started by this engine');
      let voiceprint: Voiceprint;
      try {
        voiceprint = await (analysis as EngineAnalysis).finish();
      } catch (err) {
        if (isKitError(err) && err.code === 'voiceprint.not_enough_speech') {
          return { status: 'error-audio', error: { code: 'not-enough-speech', message: err.message } };
        }
        throw err;
      }
      return params.operation === 'register'
        ? judgeRegister(engine, params, engine.register(voiceprint), forced)
        : judgeVerify(params, verify(engine, params, voiceprint), forced);
    },
  };
}

type Verified = { score: number; authenticity: number } | Judgement;

function verify(engine: VoiceprintEngine, params: SessionParams, voiceprint: Voiceprint): Verified {
  try {
    return engine.verify(params.credential ?? '', voiceprint);
  } catch (err) {
    // Checked at creation already; a credential can only fail here if the engine changed under it.
    if (isCredentialError(err))
      return { status: 'error-parameters', error: { code: 'bad-credential', message: err.message } };
    throw err;
  }
}

function judgeRegister(
  engine: VoiceprintEngine,
  params: SessionParams,
  registered: { credential: string; authenticity: number },
  forced: TerminalStatus | undefined,
): Judgement {
  const threshold = params.authenticityThreshold;
  let { authenticity } = registered;
  if (forced === 'fail-spoof') authenticity = Math.min(authenticity, threshold / 2);
  if (forced === 'success') authenticity = Math.max(authenticity, threshold);
  if (registrationOutcome({ authenticity }, threshold) === 'fail-spoof') {
    return { status: 'fail-spoof', result: { authenticity, authenticity_threshold: threshold } };
  }
  return {
    status: 'success',
    result: { credential: registered.credential, model_hash: engine.modelHash, authenticity },
  };
}

function judgeVerify(
  params: SessionParams,
  verified: Verified,
  forced: TerminalStatus | undefined,
): Judgement {
  if ('status' in verified) return verified;
  const threshold = params.verificationThreshold ?? 0.5;
  const authenticityThreshold = params.authenticityThreshold;
  let { score, authenticity } = verified;
  if (forced === 'fail-spoof') authenticity = Math.min(authenticity, authenticityThreshold / 2);
  if (forced === 'fail-score') score = Math.min(score, threshold / 2);
  if (forced === 'success') {
    score = Math.max(score, threshold);
    authenticity = Math.max(authenticity, authenticityThreshold);
  }
  const status = verificationOutcome(
    { score, authenticity },
    { verification: threshold, authenticity: authenticityThreshold },
  );
  const result: SessionResult =
    status === 'fail-spoof'
      ? { authenticity, authenticity_threshold: authenticityThreshold }
      : { score, authenticity, threshold };
  return { status, result };
}
