/**
 * Fundamental frequency of a frame by normalised autocorrelation: the lag (between 2.5 and 20 ms, i.e.
 * 400..50 Hz) at which the frame best matches a shifted copy of itself. The first lag that comes within
 * 10 % of the best match wins, so a frame is not read an octave low because two periods matched
 * slightly better than one. Frames whose best match is weak are unvoiced (fricatives, noise).
 *
 * The search runs at half rate (pairs of samples averaged, which also low-passes) over all lags, then
 * at full rate around the lag it found: a quarter of the work of a full-rate search, and the pitch range
 * of speech sits far below the half-rate Nyquist frequency of 2 kHz.
 */
import { SAMPLE_RATE } from './model.js';

const MIN_LAG = Math.round(SAMPLE_RATE / 400);
const MAX_LAG = Math.round(SAMPLE_RATE / 50);
/** Below this normalised correlation a frame is not periodic enough to have a pitch. */
const VOICING_THRESHOLD = 0.6;
const FIRST_PEAK_TOLERANCE = 0.9;
/** Frames quieter than -60 dBFS (mean square in 16-bit units) are never voiced speech; skip the search. */
const SILENT_MEAN_SQUARE = (32768 * 1e-3) ** 2;
/** Full-rate lags examined on each side of twice the half-rate lag. */
const REFINE_SPAN = 2;

interface Scratch {
  size: number;
  decimated: Float64Array;
  prefix: Float64Array;
  decimatedPrefix: Float64Array;
  coarse: Float64Array;
  fine: Float64Array;
}
let scratch: Scratch | undefined;

function scratchFor(size: number): Scratch {
  if (scratch?.size !== size) {
    scratch = {
      size,
      decimated: new Float64Array(size >> 1),
      prefix: new Float64Array(size + 1),
      decimatedPrefix: new Float64Array((size >> 1) + 1),
      coarse: new Float64Array((MAX_LAG >> 1) + 3),
      fine: new Float64Array(MAX_LAG + REFINE_SPAN + 3),
    };
  }
  return scratch;
}

/** Normalised correlation of `x` with itself shifted by `lag`; `prefix[i]` is the energy of x[0..i). */
function correlationAt(x: Float64Array, prefix: Float64Array, lag: number): number {
  const n = x.length;
  let xy = 0;
  for (let i = 0; i + lag < n; i++) xy += x[i]! * x[i + lag]!;
  const xx = prefix[n - lag]!;
  const yy = prefix[n]! - prefix[lag]!;
  return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
}

function fillPrefix(x: Float64Array, prefix: Float64Array): void {
  prefix[0] = 0;
  for (let i = 0; i < x.length; i++) prefix[i + 1] = prefix[i]! + x[i]! * x[i]!;
}

/** log2 of the frame's F0 in Hz, or NaN for an unvoiced frame. */
export function log2Pitch(frame: Float64Array): number {
  const n = frame.length;
  const s = scratchFor(n);
  fillPrefix(frame, s.prefix);
  if (s.prefix[n]! / n < SILENT_MEAN_SQUARE) return NaN;

  const half = s.decimated;
  for (let i = 0; i < half.length; i++) half[i] = (frame[2 * i]! + frame[2 * i + 1]!) / 2;
  fillPrefix(half, s.decimatedPrefix);
  const low = MIN_LAG >> 1;
  const high = (MAX_LAG + 1) >> 1;
  let best = -1;
  let coarseLag = 0;
  for (let lag = low - 1; lag <= high + 1; lag++) {
    const r = correlationAt(half, s.decimatedPrefix, lag);
    s.coarse[lag] = r;
    if (lag >= low && lag <= high && r > best) {
      best = r;
      coarseLag = lag;
    }
  }
  if (best < VOICING_THRESHOLD * 0.9) return NaN;
  for (let lag = low; lag < coarseLag; lag++) {
    const r = s.coarse[lag]!;
    if (r >= FIRST_PEAK_TOLERANCE * best && r >= s.coarse[lag - 1]! && r >= s.coarse[lag + 1]!) {
      coarseLag = lag;
      break;
    }
  }

  const from = Math.max(MIN_LAG, 2 * coarseLag - REFINE_SPAN);
  const to = Math.min(MAX_LAG, 2 * coarseLag + REFINE_SPAN);
  let fineBest = -1;
  let lag = from;
  for (let l = from - 1; l <= to + 1; l++) {
    const r = correlationAt(frame, s.prefix, l);
    s.fine[l] = r;
    if (l >= from && l <= to && r > fineBest) {
      fineBest = r;
      lag = l;
    }
  }
  if (fineBest < VOICING_THRESHOLD) return NaN;
  // A parabola through the peak and its neighbours gives the period to a fraction of a sample.
  const left = s.fine[lag - 1]!;
  const centre = s.fine[lag]!;
  const right = s.fine[lag + 1]!;
  const curvature = left - 2 * centre + right;
  const offset = curvature < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / curvature)) : 0;
  return Math.log2(SAMPLE_RATE / (lag + offset));
}
