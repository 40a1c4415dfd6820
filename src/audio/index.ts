/** The audio library: G.711 µ-law, PCM, WAV, resampling, channels, framing, pacing and net-speech VAD. */
export { decodeMulaw, encodeMulaw, linearToMulaw, mulawToLinear } from './mulaw.js';
export { floatToInt16, int16ToFloat, int16ToPcm16le, pcm16leToInt16, Pcm16leStreamDecoder } from './pcm.js';
export { decodeWav, encodeWav, readWav, wavToPcm, writeWav } from './wav.js';
export type { PcmAudio, WavAudio, WavEncoding } from './wav.js';
export { resample, resampleAudio, Resampler, RESAMPLE_INPUT_RATES, TELEPHONY_RATE } from './resample.js';
export { channelIndex, deinterleave, extractChannel, interleave } from './interleave.js';
export type { SampleArray } from './interleave.js';
export {
  blockAlign,
  bytesPerSecond,
  durationSeconds,
  frameBytes,
  PCMU_8K_MONO,
  PCMU_8K_STEREO,
  sliceFrames,
} from './frames.js';
export type { FrameFormat } from './frames.js';
export { pace, systemClock, VirtualClock } from './pacer.js';
export type { Clock, PaceOptions } from './pacer.js';
export { measureNetSpeech, VAD_DEFAULTS, VoiceActivityDetector } from './vad.js';
export type { SpeechSegment, VadFrame, VadOptions, VadSummary } from './vad.js';
export {
  concat,
  dbfsToAmplitude,
  mix,
  seededRandom,
  silence,
  syntheticVoice,
  tone,
  whiteNoise,
} from './synth.js';
export type { Random, VoiceOptions } from './synth.js';
