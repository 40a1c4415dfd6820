/**
 * Deterministic test signals: tones, white noise and a synthetic "voice" (a harmonic series shaped by
 * fixed formants, with syllable-like amplitude modulation). Tests and benchmarks use them instead of
 * recordings; the sandbox can use `syntheticVoice` with different pitches as distinct callers.
 * Randomness is injected (`seededRandom`), so every signal is reproducible.
 */
import { KitError } from '../errors.js';

/** A uniform [0, 1) generator. */
export type Random = () => number;

/** mulberry32: small, fast, good enough for noise; the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Linear amplitude of a level in dBFS (relative to full scale, 1.0). */
export function dbfsToAmplitude(dbfs: number): number {
  return 10 ** (dbfs / 20);
}

function sampleCount(seconds: number, sampleRate: number): number {
  if (!Number.isFinite(seconds) || seconds < 0 || !Number.isInteger(sampleRate) || sampleRate < 1) {
    throw new KitError('audio.synth_invalid', `cannot make ${seconds} s of audio at ${sampleRate} Hz`);
  }
  return Math.round(seconds * sampleRate);
}

/** A sine tone with peak amplitude `amplitude` (1.0 = full scale), as floats. */
export function tone(frequency: number, seconds: number, sampleRate: number, amplitude = 0.5): Float64Array {
  const out = new Float64Array(sampleCount(seconds, sampleRate));
  const w = (2 * Math.PI * frequency) / sampleRate;
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin(w * i);
  return out;
}

/** Silence, as floats. */
export function silence(seconds: number, sampleRate: number): Float64Array {
  return new Float64Array(sampleCount(seconds, sampleRate));
}

/** Gaussian white noise with RMS level `rmsDbfs`, as floats. */
export function whiteNoise(
  seconds: number,
  sampleRate: number,
  rmsDbfs: number,
  random: Random,
): Float64Array {
  const out = new Float64Array(sampleCount(seconds, sampleRate));
  const sigma = dbfsToAmplitude(rmsDbfs);
  for (let i = 0; i < out.length; i += 2) {
    // Box-Muller: two independent normals per pair of uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    out[i] = sigma * r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = sigma * r * Math.sin(theta);
  }
  return out;
}

export interface VoiceOptions {
  /** Fundamental frequency; default 130 Hz. */
  pitchHz?: number;
  /** Syllables per second (the amplitude modulation rate); default 4. */
  syllableRate?: number;
  /** RMS level of the voiced signal before modulation; default -20 dBFS. */
  levelDbfs?: number;
  /** Formant centre frequencies; default an /a/-like vowel (700, 1200, 2600 Hz). */
  formantsHz?: readonly number[];
}

/**
 * A voiced, speech-like signal: harmonics of `pitchHz` up to 3.6 kHz weighted by resonances at the
 * formants, with a slight vibrato, and an envelope of `syllableRate` syllables per second that falls to
 * zero between syllables and at both ends.
 */
export function syntheticVoice(
  seconds: number,
  sampleRate: number,
  options: VoiceOptions = {},
): Float64Array {
  const pitch = options.pitchHz ?? 130;
  const syllableRate = options.syllableRate ?? 4;
  const formants = options.formantsHz ?? [700, 1200, 2600];
  const out = new Float64Array(sampleCount(seconds, sampleRate));
  const maxHarmonic = Math.floor(Math.min(3600, sampleRate / 2 - 100) / pitch);
  const weights: number[] = [];
  for (let h = 1; h <= maxHarmonic; h++) {
    const f = h * pitch;
    let w = 0;
    for (const formant of formants) w += 1 / (1 + ((f - formant) / 150) ** 2);
    weights.push(w / h);
  }
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / sampleRate;
    const f0 = pitch * (1 + 0.02 * Math.sin(2 * Math.PI * 5 * t));
    phase += (2 * Math.PI * f0) / sampleRate;
    let v = 0;
    for (let h = 0; h < weights.length; h++) v += weights[h]! * Math.sin((h + 1) * phase);
    out[i] = v;
  }
  // Normalise the carrier to the requested RMS, then apply the syllable envelope (|sin|, zero at the ends
  // when the duration is a whole number of syllables).
  let sumSquares = 0;
  for (const v of out) sumSquares += v * v;
  const rms = Math.sqrt(sumSquares / Math.max(1, out.length));
  const gain = rms > 0 ? dbfsToAmplitude(options.levelDbfs ?? -20) / rms : 0;
  for (let i = 0; i < out.length; i++) {
    const envelope = Math.abs(Math.sin(Math.PI * syllableRate * (i / sampleRate)));
    out[i] = out[i]! * gain * envelope;
  }
  return out;
}

/** Joins float signals end to end. */
export function concat(...parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Adds float signals sample by sample; the result is as long as the longest. */
export function mix(...parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(Math.max(0, ...parts.map((p) => p.length)));
  for (const p of parts) for (let i = 0; i < p.length; i++) out[i]! += p[i]!;
  return out;
}
