/**
 * Score between two speaker vectors. Each part of the vector (pitch, mean envelope, envelope movement)
 * is measured in units of its typical same-speaker spread, the three are combined into one distance d,
 * and the score is 1 / (1 + (d / d½)^k): 1 for identical vectors, 0.5 at d½, towards 0 far away. The
 * constants are in model.ts; their calibration is documented in docs/sandbox-voiceprint.md.
 */
import {
  CEPSTRA,
  CEPSTRAL_DEVIATION_SPREAD,
  CEPSTRAL_MEAN_SPREAD,
  PITCH_SPREAD_OCTAVES,
  SCORE_HALF_DISTANCE,
  SCORE_STEEPNESS,
} from './model.js';
import { CEPSTRAL_DEVIATION_OFFSET, CEPSTRAL_MEAN_OFFSET, PITCH_INDEX } from './statistics.js';

/** The distance's three parts, each in units of the same-speaker spread. */
export interface DistanceParts {
  pitch: number;
  envelope: number;
  movement: number;
  total: number;
}

function partNorm(a: ArrayLike<number>, b: ArrayLike<number>, offset: number): number {
  let sum = 0;
  for (let k = 0; k < CEPSTRA; k++) sum += (a[offset + k]! - b[offset + k]!) ** 2;
  return Math.sqrt(sum);
}

export function speakerDistance(a: ArrayLike<number>, b: ArrayLike<number>): DistanceParts {
  const pitch = Math.abs(a[PITCH_INDEX]! - b[PITCH_INDEX]!) / PITCH_SPREAD_OCTAVES;
  const envelope = partNorm(a, b, CEPSTRAL_MEAN_OFFSET) / CEPSTRAL_MEAN_SPREAD;
  const movement = partNorm(a, b, CEPSTRAL_DEVIATION_OFFSET) / CEPSTRAL_DEVIATION_SPREAD;
  return { pitch, envelope, movement, total: Math.hypot(pitch, envelope, movement) };
}

/** Similarity score in 0..1 (higher: more likely the same speaker). */
export function speakerScore(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = speakerDistance(a, b).total;
  return 1 / (1 + (d / SCORE_HALF_DISTANCE) ** SCORE_STEEPNESS);
}
