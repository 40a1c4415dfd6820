/**
 * Voice activity detection that measures NET SPEECH: the seconds of a stream that hold voice, which is
 * what das-Peak Streaming accumulates before it produces a result (`audio_total_duration`).
 *
 * Method, per frame (20 ms by default):
 * - energy in dB relative to full scale (a full-scale square wave is 0 dBFS, a full-scale sine -3 dBFS);
 * - a noise floor that is the minimum frame energy over the last second ("minimum statistics"): speech
 *   always dips between syllables, so the minimum follows the background and not the voice, and it
 *   adapts to a new background within one window. The first window is judged against its own minimum
 *   once it is complete (warm-up), so neither speech at the very start is missed nor steady noise at
 *   the start taken for speech;
 * - a frame is active when it is `thresholdDb` above that floor and above the absolute `minEnergyDbfs`;
 * - minimum speech: a burst of active frames shorter than `minSpeechMs` (a click, a cough) is not
 *   speech; hangover: a gap of up to `hangoverMs` between speech frames (the pause between syllables)
 *   is counted as speech, a longer one is not (and neither is the trailing hangover itself, which would
 *   inflate net speech by one hangover per utterance).
 * These rules look ahead, so a frame's decision is final up to max(minSpeech, hangover) later (and the
 * first window's frames once the window is complete); the detector reports frames when their decision
 * is final and counts only final speech.
 */
import { KitError } from '../errors.js';
import { decodeMulaw } from './mulaw.js';
import { Pcm16leStreamDecoder } from './pcm.js';

export interface VadOptions {
  /** Hz; default 8000. */
  sampleRate?: number;
  /** Frame length; default 20 ms. Must be a whole number of samples. */
  frameMs?: number;
  /** How far above the noise floor a frame must be to be active; default 9 dB. */
  thresholdDb?: number;
  /** Frames quieter than this are never active, whatever the floor; default -50 dBFS. */
  minEnergyDbfs?: number;
  /** Window of the minimum tracker; default 1000 ms. */
  noiseWindowMs?: number;
  /** Longest gap inside speech that still counts as speech; default 200 ms. */
  hangoverMs?: number;
  /** Shortest burst of active frames that counts as speech; default 60 ms. */
  minSpeechMs?: number;
}

export interface VadFrame {
  /** 0-based frame number in the stream. */
  index: number;
  startSeconds: number;
  energyDbfs: number;
  noiseFloorDbfs: number;
  /** Final decision: this frame counts towards net speech. */
  speech: boolean;
}

export interface SpeechSegment {
  startSeconds: number;
  endSeconds: number;
}

export interface VadSummary {
  netSpeechSeconds: number;
  /** Audio seen, including a trailing partial frame. */
  totalSeconds: number;
  segments: SpeechSegment[];
}

export const VAD_DEFAULTS: Readonly<Required<VadOptions>> = Object.freeze({
  sampleRate: 8000,
  frameMs: 20,
  thresholdDb: 9,
  minEnergyDbfs: -50,
  noiseWindowMs: 1000,
  hangoverMs: 200,
  minSpeechMs: 60,
});

/** Energy reported for digital silence instead of -Infinity. */
const SILENCE_DBFS = -120;
const FULL_SCALE_SQUARED = 32768 * 32768;

type State = 'silence' | 'onset' | 'speech' | 'gap';

function invalidOption(name: string, value: unknown, rule: string): KitError {
  return new KitError('audio.vad_options_invalid', `VAD option ${name} = ${String(value)}: ${rule}`);
}

function resolveOptions(options: VadOptions): Required<VadOptions> {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  const o: Required<VadOptions> = { ...VAD_DEFAULTS, ...Object.fromEntries(given) };
  for (const [name, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidOption(name, value, 'must be a finite number');
    }
  }
  if (!Number.isInteger(o.sampleRate) || o.sampleRate < 1) {
    throw invalidOption('sampleRate', o.sampleRate, 'must be a positive integer');
  }
  const frameSamples = (o.sampleRate * o.frameMs) / 1000;
  if (
    o.frameMs <= 0 ||
    Math.abs(frameSamples - Math.round(frameSamples)) > 1e-9 ||
    Math.round(frameSamples) < 1
  ) {
    throw invalidOption(
      'frameMs',
      o.frameMs,
      `must be a whole, positive number of samples at ${o.sampleRate} Hz`,
    );
  }
  if (o.thresholdDb < 0) throw invalidOption('thresholdDb', o.thresholdDb, 'must not be negative');
  if (o.hangoverMs < 0) throw invalidOption('hangoverMs', o.hangoverMs, 'must not be negative');
  if (o.minSpeechMs < 0) throw invalidOption('minSpeechMs', o.minSpeechMs, 'must not be negative');
  if (o.noiseWindowMs < o.frameMs) {
    throw invalidOption('noiseWindowMs', o.noiseWindowMs, `must be at least one frame (${o.frameMs} ms)`);
  }
  return o;
}

/**
 * Streaming detector: push audio in chunks of any size (the result does not depend on how the stream
 * was cut), read `netSpeechSeconds` at any time, call `end()` when the stream ends.
 */
export class VoiceActivityDetector {
  readonly options: Readonly<Required<VadOptions>>;
  readonly frameSamples: number;
  readonly frameSeconds: number;

  private readonly minSpeechFrames: number;
  private readonly hangoverFrames: number;
  private readonly floorWindow: Float64Array;
  private floorCursor = 0;
  /** Frames of the first window, waiting for its minimum; null once warm-up is over. */
  private warmup: VadFrame[] | null = [];

  private frameSum = 0;
  private frameFill = 0;
  private frameCount = 0;
  private samplesSeen = 0;
  private speechFrames = 0;

  private state: State = 'silence';
  private pending: VadFrame[] = [];
  private segmentStart = -1;
  private readonly closedSegments: SpeechSegment[] = [];

  private readonly pcm16 = new Pcm16leStreamDecoder();
  private scratch = new Int16Array(0);
  private ended = false;

  constructor(options: VadOptions = {}) {
    this.options = Object.freeze(resolveOptions(options));
    const o = this.options;
    this.frameSamples = Math.round((o.sampleRate * o.frameMs) / 1000);
    this.frameSeconds = this.frameSamples / o.sampleRate;
    this.minSpeechFrames = Math.max(1, Math.round(o.minSpeechMs / o.frameMs));
    this.hangoverFrames = Math.round(o.hangoverMs / o.frameMs);
    this.floorWindow = new Float64Array(Math.round(o.noiseWindowMs / o.frameMs)).fill(Infinity);
  }

  /** Net speech so far, in seconds, counting only frames whose decision is final. */
  get netSpeechSeconds(): number {
    return this.speechFrames * this.frameSeconds;
  }

  /** Seconds of audio pushed so far. */
  get processedSeconds(): number {
    return this.samplesSeen / this.options.sampleRate;
  }

  /** Frames analysed but not yet decided (waiting for the minimum-speech or hangover rule). */
  get pendingFrames(): number {
    return this.pending.length + (this.warmup?.length ?? 0);
  }

  /** Speech segments that have ended (plus, after `end()`, the last one). */
  get segments(): readonly SpeechSegment[] {
    return this.closedSegments;
  }

  /** Pushes 16-bit samples; returns the frames whose decision became final. */
  push(samples: Int16Array): VadFrame[] {
    this.assertOpen();
    const out: VadFrame[] = [];
    const size = this.frameSamples;
    let sum = this.frameSum;
    let fill = this.frameFill;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      sum += s * s;
      if (++fill === size) {
        this.analyseFrame(sum / size, out);
        sum = 0;
        fill = 0;
      }
    }
    this.frameSum = sum;
    this.frameFill = fill;
    this.samplesSeen += samples.length;
    return out;
  }

  /** Pushes µ-law bytes (one channel). */
  pushMulaw(bytes: Uint8Array): VadFrame[] {
    this.assertOpen();
    if (this.scratch.length < bytes.length) this.scratch = new Int16Array(bytes.length);
    return this.push(decodeMulaw(bytes, this.scratch).subarray(0, bytes.length));
  }

  /** Pushes little-endian 16-bit PCM bytes (one channel); a chunk may end in the middle of a sample. */
  pushPcm16le(bytes: Uint8Array): VadFrame[] {
    this.assertOpen();
    return this.push(this.pcm16.decode(bytes));
  }

  /**
   * Ends the stream: undecided frames are settled (a trailing gap or a too-short burst is not speech), an
   * open segment is closed, and a trailing partial frame is left out of net speech (at most one frame).
   */
  end(): VadFrame[] {
    if (this.ended) return [];
    this.ended = true;
    const out: VadFrame[] = [];
    this.finishWarmup(out);
    if (this.state === 'speech') {
      this.closeSegment(this.frameCount);
    } else if (this.state === 'gap') {
      this.closeSegment(this.pending[0]!.index);
      this.settle(false, out);
    } else if (this.state === 'onset') {
      this.settle(false, out);
    }
    this.state = 'silence';
    return out;
  }

  /** Summary of everything pushed so far (call after `end()` for final figures). */
  summary(): VadSummary {
    return {
      netSpeechSeconds: this.netSpeechSeconds,
      totalSeconds: this.processedSeconds,
      segments: [...this.closedSegments],
    };
  }

  private assertOpen(): void {
    if (this.ended)
      throw new KitError('audio.vad_ended', 'audio was pushed to a voice activity detector after end()');
  }

  private analyseFrame(meanSquare: number, out: VadFrame[]): void {
    const energy =
      meanSquare > 0
        ? Math.max(SILENCE_DBFS, 10 * Math.log10(meanSquare / FULL_SCALE_SQUARED))
        : SILENCE_DBFS;
    const window = this.floorWindow;
    window[this.floorCursor] = energy;
    this.floorCursor = (this.floorCursor + 1) % window.length;
    let floor = Infinity;
    for (let i = 0; i < window.length; i++) if (window[i]! < floor) floor = window[i]!;

    const index = this.frameCount++;
    const frame: VadFrame = {
      index,
      startSeconds: index * this.frameSeconds,
      energyDbfs: energy,
      noiseFloorDbfs: floor,
      speech: false,
    };
    if (this.warmup) {
      this.warmup.push(frame);
      if (this.warmup.length === window.length) this.finishWarmup(out);
      return;
    }
    this.decide(frame, out);
  }

  /** Judges the first window's frames against the window's minimum, then leaves warm-up for good. */
  private finishWarmup(out: VadFrame[]): void {
    const frames = this.warmup;
    if (!frames) return;
    this.warmup = null;
    const floor = frames.reduce((min, f) => Math.min(min, f.energyDbfs), Infinity);
    for (const frame of frames) {
      frame.noiseFloorDbfs = floor;
      this.decide(frame, out);
    }
  }

  private decide(frame: VadFrame, out: VadFrame[]): void {
    const o = this.options;
    const active =
      frame.energyDbfs >= frame.noiseFloorDbfs + o.thresholdDb && frame.energyDbfs >= o.minEnergyDbfs;
    switch (this.state) {
      case 'silence':
        if (active) {
          this.pending.push(frame);
          this.state = 'onset';
          this.confirmOnsetIfLongEnough(out);
        } else {
          out.push(frame);
        }
        break;
      case 'onset':
        if (active) {
          this.pending.push(frame);
          this.confirmOnsetIfLongEnough(out);
        } else {
          this.settle(false, out);
          out.push(frame);
          this.state = 'silence';
        }
        break;
      case 'speech':
        if (active) {
          this.emitSpeech(frame, out);
        } else {
          this.pending.push(frame);
          this.state = 'gap';
          this.expireGapIfTooLong(out);
        }
        break;
      case 'gap':
        if (active) {
          this.settle(true, out);
          this.emitSpeech(frame, out);
          this.state = 'speech';
        } else {
          this.pending.push(frame);
          this.expireGapIfTooLong(out);
        }
        break;
    }
  }

  private confirmOnsetIfLongEnough(out: VadFrame[]): void {
    if (this.pending.length < this.minSpeechFrames) return;
    this.segmentStart = this.pending[0]!.index;
    this.settle(true, out);
    this.state = 'speech';
  }

  private expireGapIfTooLong(out: VadFrame[]): void {
    if (this.pending.length <= this.hangoverFrames) return;
    this.closeSegment(this.pending[0]!.index);
    this.settle(false, out);
    this.state = 'silence';
  }

  private emitSpeech(frame: VadFrame, out: VadFrame[]): void {
    frame.speech = true;
    this.speechFrames++;
    out.push(frame);
  }

  /** Decides every pending frame the same way and emits them in order. */
  private settle(speech: boolean, out: VadFrame[]): void {
    for (const frame of this.pending) {
      if (speech) this.emitSpeech(frame, out);
      else out.push(frame);
    }
    this.pending = [];
  }

  private closeSegment(endFrame: number): void {
    this.closedSegments.push({
      startSeconds: this.segmentStart * this.frameSeconds,
      endSeconds: endFrame * this.frameSeconds,
    });
    this.segmentStart = -1;
  }
}

/** One-shot: net speech of a whole mono buffer of 16-bit samples. */
export function measureNetSpeech(samples: Int16Array, options: VadOptions = {}): VadSummary {
  const vad = new VoiceActivityDetector(options);
  vad.push(samples);
  vad.end();
  return vad.summary();
}
