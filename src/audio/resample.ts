/**
 * Sample-rate conversion to the 8 kHz that telephony (and therefore Audiohook and das-Peak) uses, for
 * the rates test voices come in. A rational polyphase resampler: every output sample is a windowed-sinc
 * (Kaiser) low-pass interpolation of the input at its exact position, so content above the output's
 * Nyquist frequency is removed before it can alias instead of being folded in by dropping samples.
 */
import { KitError } from '../errors.js';
import { deinterleave, interleave } from './interleave.js';
import type { PcmAudio } from './wav.js';

/** Input rates the kit converts from (8000 is passed through). */
export const RESAMPLE_INPUT_RATES: readonly number[] = [8000, 16000, 22050, 44100, 48000];
/** The only output rate the kit needs. */
export const TELEPHONY_RATE = 8000;

/*
 * Filter design, in terms of the output rate: pass band to ~3.2 kHz (above the 3.4 kHz telephone band's
 * useful speech energy, with the roll-off inside the transition), stop band from 4 kHz (the output's
 * Nyquist frequency) at about -80 dB. Kaiser's estimate for that transition (0.1 of the output rate)
 * needs ~50 output periods of filter, i.e. 25 on each side.
 */
const CUTOFF_FRACTION = 0.45; // cutoff / output rate: 3.6 kHz at 8 kHz
const HALF_WIDTH_OUTPUT_PERIODS = 25;
const KAISER_BETA = 7.86; // 0.1102 * (80 - 8.7)

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β < 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

/** A converter for one (input rate, output rate) pair; build once, use for any number of buffers. */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Output samples per cycle (L) and input samples per cycle (M): out/in = L/M. */
  private readonly up: number;
  private readonly down: number;
  /** Taps per phase and the offset of the first tap relative to the integer input position. */
  private readonly tapCount: number;
  private readonly firstTap: number;
  /** `up` phases of `tapCount` taps each. */
  private readonly taps: Float64Array;

  constructor(fromRate: number, toRate: number = TELEPHONY_RATE) {
    if (toRate !== TELEPHONY_RATE) {
      throw new KitError('audio.resample_unsupported_rate', `resampling to ${toRate} Hz is not supported`, {
        hint: `the kit converts to ${TELEPHONY_RATE} Hz only`,
      });
    }
    if (!RESAMPLE_INPUT_RATES.includes(fromRate)) {
      throw new KitError('audio.resample_unsupported_rate', `cannot resample from ${fromRate} Hz`, {
        hint: `supported input rates: ${RESAMPLE_INPUT_RATES.join(', ')} Hz; convert the file first (e.g. \`sox in.wav -r 16000 out.wav\`)`,
      });
    }
    this.fromRate = fromRate;
    this.toRate = toRate;
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;

    const ratio = fromRate / toRate; // input samples per output sample (≥ 1)
    const halfWidth = HALF_WIDTH_OUTPUT_PERIODS * ratio; // in input samples
    const reach = Math.ceil(halfWidth);
    this.firstTap = -reach + 1;
    this.tapCount = 2 * reach;
    const cutoff = (CUTOFF_FRACTION * toRate) / fromRate; // cycles per input sample
    const norm = besselI0(KAISER_BETA);
    this.taps = new Float64Array(this.up * this.tapCount);
    for (let phase = 0; phase < this.up; phase++) {
      const base = phase * this.tapCount;
      let sum = 0;
      for (let k = 0; k < this.tapCount; k++) {
        const tau = phase / this.up - (this.firstTap + k); // distance from output position to input sample
        const x = tau / halfWidth;
        if (Math.abs(x) >= 1) continue;
        const arg = 2 * cutoff * tau;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        const weight = sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / norm);
        this.taps[base + k] = weight;
        sum += weight;
      }
      // Unit gain at DC for every phase, so a constant input stays constant (no phase-dependent ripple).
      for (let k = 0; k < this.tapCount; k++) this.taps[base + k]! /= sum;
    }
  }

  /** Number of output samples produced for `inputLength` input samples. */
  outputLength(inputLength: number): number {
    return Math.floor((inputLength * this.up) / this.down);
  }

  /** Converts one mono buffer. Samples before the start and after the end are taken as silence. */
  process(input: Int16Array): Int16Array {
    if (this.fromRate === this.toRate) return input.slice();
    const { up, down, tapCount, firstTap, taps } = this;
    const out = new Int16Array(this.outputLength(input.length));
    const last = input.length - 1;
    for (let n = 0; n < out.length; n++) {
      const position = n * down;
      const i = Math.floor(position / up);
      const base = (position - i * up) * tapCount;
      const start = i + firstTap;
      let acc = 0;
      if (start >= 0 && start + tapCount - 1 <= last) {
        for (let k = 0; k < tapCount; k++) acc += taps[base + k]! * input[start + k]!;
      } else {
        for (let k = 0; k < tapCount; k++) {
          const j = start + k;
          if (j >= 0 && j <= last) acc += taps[base + k]! * input[j]!;
        }
      }
      const v = Math.round(acc);
      out[n] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return out;
  }
}

/** Converts mono 16-bit samples from `fromRate` to 8000 Hz. */
export function resample(samples: Int16Array, fromRate: number, toRate: number = TELEPHONY_RATE): Int16Array {
  return new Resampler(fromRate, toRate).process(samples);
}

/** Converts interleaved audio of any channel count to 8000 Hz, channel by channel. */
export function resampleAudio(audio: PcmAudio, toRate: number = TELEPHONY_RATE): PcmAudio {
  const resampler = new Resampler(audio.sampleRate, toRate);
  const channels = deinterleave(audio.samples, audio.channels).map((c) => resampler.process(c));
  return { sampleRate: toRate, channels: audio.channels, samples: interleave(channels) };
}
