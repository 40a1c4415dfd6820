/** Shared helpers for the audio tests (not a test file itself). */
import { expect } from 'vitest';
import { KitError } from '../../src/errors.js';

/** Runs `fn`, asserts it threw a KitError (never a RangeError or TypeError) and returns it. */
export function kitErrorFrom(fn: () => unknown): KitError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KitError);
    return error as KitError;
  }
  throw new Error('expected a KitError, nothing was thrown');
}

export async function kitErrorFromAsync(fn: () => Promise<unknown>): Promise<KitError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KitError);
    return error as KitError;
  }
  throw new Error('expected a KitError, nothing was rejected');
}

/** RMS of a sample range, in sample units. */
export function rms(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** Amplitude of the `frequency` component of a range (Goertzel), in sample units. */
export function toneAmplitude(
  samples: ArrayLike<number>,
  frequency: number,
  sampleRate: number,
  from = 0,
  to = samples.length,
): number {
  const w = (2 * Math.PI * frequency) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / (to - from);
}

export function db(ratio: number): number {
  return 20 * Math.log10(ratio);
}
