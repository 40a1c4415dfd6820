/**
 * What the accumulator produces and the engine consumes. A voiceprint holds two things: the speaker
 * vector (compared with a credential to give a score) and the replay fingerprints of its speech (compared
 * with audio already seen to give an authenticity).
 */
export interface Voiceprint {
  /** Layout of `vector` (FEATURE_VERSION of the model that made it). */
  readonly featureVersion: number;
  /** Fixed-size speaker vector: median log2 pitch, then means and standard deviations of cepstra c1..c12. */
  readonly vector: Float64Array;
  /** Net speech the VAD counted, in seconds. */
  readonly netSpeechSeconds: number;
  /** VAD speech frames (20 ms) that went into the vector. */
  readonly speechFrames: number;
  /** Those of them that were voiced (had a pitch). */
  readonly voicedFrames: number;
  /** 32-bit fingerprint of every 5 ms hop of speech, in stream order. */
  readonly fingerprints: Uint32Array;
  /** Stream position of each fingerprint, in hops from the start of the stream. */
  readonly positions: Uint32Array;
  /** For each fingerprint, the bits most likely to differ in a replay (looked up flipped as well). */
  readonly weakBits: Uint32Array;
}
