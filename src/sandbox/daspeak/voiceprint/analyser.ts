/**
 * Frame analysis on the 8 kHz sample stream: every 5 ms a windowed power spectrum, from which come
 * (a) one replay fingerprint per 5 ms hop and (b) per 20 ms VAD frame, a log-mel vector and a pitch.
 * Frames are counted from the first sample of the stream exactly as the VAD counts them, so frame `i`
 * here is frame `i` there and the VAD's decision can be applied to it.
 */
import {
  FINGERPRINT_BANDS,
  FINGERPRINT_HIGH_HZ,
  FINGERPRINT_LOW_HZ,
  HOP_SAMPLES,
  HOPS_PER_FRAME,
  MEL_BANDS,
  MEL_HIGH_HZ,
  MEL_LOW_HZ,
  POWER_FLOOR,
  SAMPLE_RATE,
  WEAK_BITS,
  WINDOW_SAMPLES,
} from './model.js';
import { log2Pitch } from './pitch.js';
import { applyFilters, PowerSpectrum, rectangularMelBands, triangularMelFilters } from './spectrum.js';

/** What the analyser knows about one 20 ms frame once its last hop is in. */
export interface AnalysedFrame {
  index: number;
  /** Natural log of the mel band powers, averaged over the frame's hops. */
  logMel: Float64Array;
  /** log2 of the pitch in Hz, NaN when the frame is unvoiced. */
  log2Pitch: number;
  /** One 32-bit fingerprint per hop of the frame. */
  fingerprints: Uint32Array;
  /** Per hop, the fingerprint bits most likely to flip (the smallest energy changes). */
  weakBits: Uint32Array;
}

const spectrum = new PowerSpectrum(WINDOW_SAMPLES);
const melFilters = triangularMelFilters(MEL_BANDS, MEL_LOW_HZ, MEL_HIGH_HZ, spectrum.bins, SAMPLE_RATE);
const fingerprintBands = rectangularMelBands(
  FINGERPRINT_BANDS,
  FINGERPRINT_LOW_HZ,
  FINGERPRINT_HIGH_HZ,
  spectrum.bins,
  SAMPLE_RATE,
);

/** Mask of the `count` bits whose change was closest to zero (ties: the lower bit). */
function weakestBits(changes: Float64Array, count: number): number {
  let mask = 0;
  for (let n = 0; n < count; n++) {
    let weakest = -1;
    for (let b = 0; b < changes.length; b++) {
      if (mask & (1 << b)) continue;
      if (weakest < 0 || Math.abs(changes[b]!) < Math.abs(changes[weakest]!)) weakest = b;
    }
    mask |= 1 << weakest;
  }
  return mask >>> 0;
}

export class FrameAnalyser {
  /** The latest WINDOW_SAMPLES samples, oldest first (zeros before the stream started). */
  private readonly window = new Float64Array(WINDOW_SAMPLES);
  private hopFill = 0;
  private hopCount = 0;
  private readonly power = new Float64Array(spectrum.bins);
  private readonly bandLog = new Float64Array(FINGERPRINT_BANDS);
  private readonly previousBandLog = new Float64Array(FINGERPRINT_BANDS);
  private readonly mel = new Float64Array(MEL_BANDS);
  private readonly melSum = new Float64Array(MEL_BANDS);
  private frameFingerprints = new Uint32Array(HOPS_PER_FRAME);
  private frameWeakBits = new Uint32Array(HOPS_PER_FRAME);
  private readonly changes = new Float64Array(FINGERPRINT_BANDS - 1);

  /** Feeds samples; returns the frames completed by them, in order. */
  push(samples: Int16Array): AnalysedFrame[] {
    const out: AnalysedFrame[] = [];
    const window = this.window;
    // Locals, not the imported constants: this loop runs per sample, and transpiled module imports
    // (tsx, vitest) are property reads through getters.
    const hop = HOP_SAMPLES;
    const tail = WINDOW_SAMPLES - hop;
    let fill = this.hopFill;
    for (let i = 0; i < samples.length; i++) {
      window[tail + fill] = samples[i]!;
      if (++fill === hop) {
        fill = 0;
        this.analyseHop(out);
        window.copyWithin(0, hop);
      }
    }
    this.hopFill = fill;
    return out;
  }

  private analyseHop(out: AnalysedFrame[]): void {
    spectrum.compute(this.window, this.power);
    const hopInFrame = this.hopCount % HOPS_PER_FRAME;

    const bandLog = this.bandLog;
    const previous = this.previousBandLog;
    const changes = this.changes;
    const bands = bandLog.length;
    const floor = POWER_FLOOR;
    applyFilters(this.power, fingerprintBands, bandLog);
    let bits = 0;
    for (let b = 0; b < bands; b++) bandLog[b] = Math.log(bandLog[b]! + floor);
    for (let b = 0; b < bands - 1; b++) {
      const change = bandLog[b]! - bandLog[b + 1]! - (previous[b]! - previous[b + 1]!);
      changes[b] = change;
      if (change > 0) bits |= 1 << b;
    }
    previous.set(bandLog);
    this.frameFingerprints[hopInFrame] = bits >>> 0;
    this.frameWeakBits[hopInFrame] = weakestBits(changes, WEAK_BITS);

    const mel = this.mel;
    const melSum = this.melSum;
    applyFilters(this.power, melFilters, mel);
    for (let b = 0; b < mel.length; b++) melSum[b]! += mel[b]!;

    this.hopCount++;
    if (hopInFrame === HOPS_PER_FRAME - 1) {
      const logMel = new Float64Array(MEL_BANDS);
      for (let b = 0; b < MEL_BANDS; b++)
        logMel[b] = Math.log(this.melSum[b]! / HOPS_PER_FRAME + POWER_FLOOR);
      this.melSum.fill(0);
      out.push({
        index: this.hopCount / HOPS_PER_FRAME - 1,
        logMel,
        log2Pitch: log2Pitch(this.window),
        fingerprints: this.frameFingerprints,
        weakBits: this.frameWeakBits,
      });
      this.frameFingerprints = new Uint32Array(HOPS_PER_FRAME);
      this.frameWeakBits = new Uint32Array(HOPS_PER_FRAME);
    }
  }
}
