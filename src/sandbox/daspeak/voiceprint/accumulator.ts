/**
 * The streaming side of the engine: audio goes in, in chunks of any size, and a voiceprint comes out.
 * Only frames the VAD (src/audio) decides are speech contribute, so silence, hold music gaps and line
 * noise between words neither dilute the speaker statistics nor count as net speech.
 */
import { decodeMulaw, Pcm16leStreamDecoder, VoiceActivityDetector } from '../../../audio/index.js';
import type { VadOptions } from '../../../audio/index.js';
import { voiceprintError } from './errors.js';
import { FrameAnalyser } from './analyser.js';
import type { AnalysedFrame } from './analyser.js';
import { FRAME_SAMPLES, HOPS_PER_FRAME, MAX_FINGERPRINTS, SAMPLE_RATE } from './model.js';
import { SpeakerStatistics } from './statistics.js';
import type { Voiceprint } from './voiceprint.js';

/** VAD settings the accumulator may tune; rate and frame length are fixed by the engine. */
export type AccumulatorVadOptions = Omit<VadOptions, 'sampleRate' | 'frameMs'>;

export interface AccumulatorOptions {
  vad?: AccumulatorVadOptions;
}

export class VoiceprintAccumulator {
  private readonly vad: VoiceActivityDetector;
  private readonly analyser = new FrameAnalyser();
  private readonly pcm16 = new Pcm16leStreamDecoder();
  /** Frames analysed and waiting for the VAD's final decision, oldest first. */
  private pending: AnalysedFrame[] = [];
  private readonly statistics = new SpeakerStatistics();
  private fingerprints = new Uint32Array(1024);
  private positions = new Uint32Array(1024);
  private weakBits = new Uint32Array(1024);
  private fingerprintCount = 0;
  private result: Voiceprint | undefined;
  /** Set by finish(), even when it fails: the VAD has been ended and takes no more audio. */
  private closed = false;

  constructor(options: AccumulatorOptions = {}) {
    this.vad = new VoiceActivityDetector({
      ...options.vad,
      sampleRate: SAMPLE_RATE,
      frameMs: (FRAME_SAMPLES * 1000) / SAMPLE_RATE,
    });
  }

  /** Net speech so far (VAD frames whose decision is final), in seconds. */
  get netSpeechSeconds(): number {
    return this.vad.netSpeechSeconds;
  }

  /** Seconds of audio pushed so far. */
  get processedSeconds(): number {
    return this.vad.processedSeconds;
  }

  /** Whether `finish()` has been called. */
  get finished(): boolean {
    return this.closed;
  }

  /** Pushes 16-bit samples at 8 kHz, mono. */
  pushPcm(samples: Int16Array): void {
    this.assertOpen();
    for (const frame of this.analyser.push(samples)) this.pending.push(frame);
    this.consume(this.vad.push(samples));
  }

  /** Pushes G.711 µ-law bytes at 8 kHz, mono. */
  pushMulaw(bytes: Uint8Array): void {
    this.assertOpen();
    this.pushPcm(decodeMulaw(bytes));
  }

  /** Pushes little-endian 16-bit PCM bytes at 8 kHz, mono; a chunk may end in the middle of a sample. */
  pushPcm16le(bytes: Uint8Array): void {
    this.assertOpen();
    this.pushPcm(this.pcm16.decode(bytes));
  }

  /**
   * Ends the stream and returns the voiceprint of its speech. Calling it again returns the same
   * voiceprint. Throws `voiceprint.not_enough_speech` when the stream held less than 0.5 s of speech.
   */
  finish(): Voiceprint {
    if (this.result) return this.result;
    this.closed = true;
    this.consume(this.vad.end());
    this.pending = [];
    const vector = this.statistics.vector(); // throws when there was too little speech
    this.result = {
      featureVersion: vector.version,
      vector: vector.values,
      netSpeechSeconds: this.vad.netSpeechSeconds,
      speechFrames: this.statistics.frames,
      voicedFrames: this.statistics.voicedFrames,
      fingerprints: this.fingerprints.slice(0, this.fingerprintCount),
      positions: this.positions.slice(0, this.fingerprintCount),
      weakBits: this.weakBits.slice(0, this.fingerprintCount),
    };
    return this.result;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw voiceprintError(
        'voiceprint.accumulator_finished',
        'audio was pushed to a voiceprint accumulator after finish()',
      );
    }
  }

  /** Applies the VAD's final decisions (they come in frame order) to the analysed frames. */
  private consume(decisions: readonly { index: number; speech: boolean }[]): void {
    let next = 0;
    for (const decision of decisions) {
      while (next < this.pending.length && this.pending[next]!.index < decision.index) next++;
      const frame = this.pending[next];
      if (frame?.index !== decision.index) continue;
      next++;
      if (decision.speech) this.addSpeechFrame(frame);
    }
    if (next > 0) this.pending = this.pending.slice(next);
  }

  private addSpeechFrame(frame: AnalysedFrame): void {
    this.statistics.add(frame.logMel, frame.log2Pitch);
    for (let h = 0; h < HOPS_PER_FRAME && this.fingerprintCount < MAX_FINGERPRINTS; h++) {
      if (this.fingerprintCount === this.fingerprints.length) this.grow();
      this.fingerprints[this.fingerprintCount] = frame.fingerprints[h]!;
      this.positions[this.fingerprintCount] = frame.index * HOPS_PER_FRAME + h;
      this.weakBits[this.fingerprintCount] = frame.weakBits[h]!;
      this.fingerprintCount++;
    }
  }

  private grow(): void {
    const size = Math.min(MAX_FINGERPRINTS, this.fingerprints.length * 2);
    const fingerprints = new Uint32Array(size);
    fingerprints.set(this.fingerprints);
    const positions = new Uint32Array(size);
    positions.set(this.positions);
    const weakBits = new Uint32Array(size);
    weakBits.set(this.weakBits);
    this.fingerprints = fingerprints;
    this.positions = positions;
    this.weakBits = weakBits;
  }
}
