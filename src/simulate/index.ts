/**
 * `daspeak-genesys simulate` as a library: Genesys calls played against any das-Peak endpoint, or
 * placed by a sandbox Genesys org (`genesysTarget`, `simulateGenesysCall`).
 */
export { SimulateError, badOption, isUsageError } from './errors.js';
export {
  DEFAULT_ANI,
  DEFAULT_HOLD_SECONDS,
  DEFAULT_VOICE,
  EXPECTATIONS,
  LIMITS,
  TARGETS,
  parseAni,
  parseHold,
  parseSimulateOptions,
  parseSpeed,
  type AudioChoice,
  type CredentialChoice,
  type Expectation,
  type RawSimulateOptions,
  type SimulateOptions,
  type Target,
} from './options.js';
export {
  MULAW_SILENCE,
  callAudioFromPcm,
  callAudioFromWav,
  mediaBytes,
  silenceBytes,
  speechReachedAt,
  type CallAudio,
} from './audio.js';
export {
  FIXTURE_VOICES_DIR,
  SYNTH_SPEAKERS,
  TAKES,
  fixtureSpeakers,
  parseVoiceName,
  voiceAudio,
  voiceNames,
  type Take,
} from './voices.js';
export { gitExposure, loadCallAudio, loadCredential, saveCredential } from './inputs.js';
export {
  AUDIO_LOST_GRACE_MS,
  SPEECH_FRAME_MS,
  buildReport,
  WAIT_FRAME_MS,
  meetsExpectation,
  simulateCall,
  type AudiohookSummary,
  type CallError,
  type CallPlan,
  type CallReport,
  type CallResult,
  type CallStep,
  type CallTarget,
  type CallTimings,
  type ErrorSource,
} from './call.js';
export { OUTCOME_KINDS, runPool, summariseCalls, type ErrorGroup, type LoadSummary } from './load.js';
export { percentile, summarise, type Percentiles } from './stats.js';
export {
  configTarget,
  genesysTarget,
  sandboxKitConfig,
  sandboxTarget,
  type GenesysCallTarget,
  type ResolvedTarget,
} from './target.js';
export {
  callAudioWav,
  simulateGenesysCall,
  type GenesysCallResult,
  type GenesysCallSummary,
  type GenesysSessionSummary,
} from './genesys-call.js';
export {
  inputWarnings,
  prepareInputs,
  runSimulation,
  type LoadResult,
  type SimulationControl,
  type SimulationInputs,
  type SimulationResult,
  type SingleCallResult,
} from './simulation.js';
export {
  describeOutcome,
  describeTimings,
  formatCall,
  formatLoad,
  formatMs,
  formatResult,
  formatSpeed,
} from './format.js';
