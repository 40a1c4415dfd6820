/**
 * Per-utterance statistics of the speech frames, turned into the fixed-size speaker vector:
 *
 * - the median pitch of the voiced frames. The median, not the mean: intonation and the odd octave
 *   error of the pitch tracker move a mean by several percent, a median hardly at all;
 * - the mean and standard deviation of cepstral coefficients c1..c12 (a DCT of the log-mel bands):
 *   the average spectral envelope (formant positions follow the length of the vocal tract) and how it
 *   moves. c0, the loudness, is left out, so the caller's distance to the microphone or the line's gain
 *   do not count; per-utterance cepstral mean normalisation is deliberately NOT done, because it would
 *   remove exactly the average envelope that carries the speaker.
 *
 * Everything is a running sum or a histogram, so memory does not grow with the call and the result does
 * not depend on how the audio was chunked.
 */
import type { KitError } from '../../../errors.js';
import { voiceprintError } from './errors.js';
import {
  CEPSTRA,
  FEATURE_VERSION,
  FRAME_SAMPLES,
  MEL_BANDS,
  MIN_SPEECH_FRAMES,
  MIN_VOICED_FRAMES,
  PITCH_BINS_PER_OCTAVE,
  PITCH_HIGH_HZ,
  PITCH_LOW_HZ,
  SAMPLE_RATE,
} from './model.js';

/** Vector layout: [median log2 pitch, c1..c12 means, c1..c12 standard deviations]. */
export const PITCH_INDEX = 0;
export const CEPSTRAL_MEAN_OFFSET = 1;
export const CEPSTRAL_DEVIATION_OFFSET = 1 + CEPSTRA;
export const VECTOR_LENGTH = 1 + 2 * CEPSTRA;

/** DCT-II basis (orthonormal scaling) for c1..c12 of MEL_BANDS log-mel values. */
const DCT = Array.from({ length: CEPSTRA }, (_, k) =>
  Float64Array.from(
    { length: MEL_BANDS },
    (_, b) => Math.sqrt(2 / MEL_BANDS) * Math.cos((Math.PI * (k + 1) * (b + 0.5)) / MEL_BANDS),
  ),
);

const PITCH_LOW_LOG2 = Math.log2(PITCH_LOW_HZ);
const PITCH_BINS = Math.ceil(Math.log2(PITCH_HIGH_HZ / PITCH_LOW_HZ) * PITCH_BINS_PER_OCTAVE);

function notEnoughSpeech(message: string, speechFrames: number, voicedFrames: number): KitError {
  return voiceprintError('voiceprint.not_enough_speech', message, { speechFrames, voicedFrames });
}

export class SpeakerStatistics {
  private readonly sum = new Float64Array(CEPSTRA);
  private readonly sumSquares = new Float64Array(CEPSTRA);
  private readonly pitchHistogram = new Uint32Array(PITCH_BINS);
  private count = 0;
  private voiced = 0;

  get frames(): number {
    return this.count;
  }

  get voicedFrames(): number {
    return this.voiced;
  }

  add(logMel: Float64Array, log2Pitch: number): void {
    for (let k = 0; k < CEPSTRA; k++) {
      const basis = DCT[k]!;
      let c = 0;
      for (let b = 0; b < MEL_BANDS; b++) c += basis[b]! * logMel[b]!;
      this.sum[k]! += c;
      this.sumSquares[k]! += c * c;
    }
    this.count++;
    if (!Number.isNaN(log2Pitch)) {
      const bin = Math.floor((log2Pitch - PITCH_LOW_LOG2) * PITCH_BINS_PER_OCTAVE);
      this.pitchHistogram[Math.max(0, Math.min(PITCH_BINS - 1, bin))]!++;
      this.voiced++;
    }
  }

  /** The speaker vector; throws `voiceprint.not_enough_speech` when there is too little to go on. */
  vector(): { version: number; values: Float64Array } {
    const seconds = (frames: number): string => ((frames * FRAME_SAMPLES) / SAMPLE_RATE).toFixed(2);
    if (this.count < MIN_SPEECH_FRAMES) {
      throw notEnoughSpeech(
        `a voiceprint needs at least ${seconds(MIN_SPEECH_FRAMES)} s of speech, ` +
          `the audio held ${seconds(this.count)} s`,
        this.count,
        this.voiced,
      );
    }
    if (this.voiced < MIN_VOICED_FRAMES) {
      throw notEnoughSpeech(
        `a voiceprint needs at least ${seconds(MIN_VOICED_FRAMES)} s of voiced speech, ` +
          `the audio held ${seconds(this.voiced)} s (noise or whisper?)`,
        this.count,
        this.voiced,
      );
    }
    const values = new Float64Array(VECTOR_LENGTH);
    values[PITCH_INDEX] = this.medianLog2Pitch();
    for (let k = 0; k < CEPSTRA; k++) {
      const mean = this.sum[k]! / this.count;
      values[CEPSTRAL_MEAN_OFFSET + k] = mean;
      values[CEPSTRAL_DEVIATION_OFFSET + k] = Math.sqrt(
        Math.max(0, this.sumSquares[k]! / this.count - mean * mean),
      );
    }
    return { version: FEATURE_VERSION, values };
  }

  /** Median of the histogram, interpolated inside its bin. */
  private medianLog2Pitch(): number {
    const half = this.voiced / 2;
    let below = 0;
    for (let bin = 0; bin < PITCH_BINS; bin++) {
      const n = this.pitchHistogram[bin]!;
      if (below + n >= half) {
        const fraction = n > 0 ? (half - below) / n : 0.5;
        return PITCH_LOW_LOG2 + (bin + fraction) / PITCH_BINS_PER_OCTAVE;
      }
      below += n;
    }
    return PITCH_LOW_LOG2 + PITCH_BINS / PITCH_BINS_PER_OCTAVE;
  }
}
