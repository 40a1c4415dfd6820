import { describe, expect, it } from 'vitest';
import {
  concat,
  floatToInt16,
  int16ToPcm16le,
  measureNetSpeech,
  seededRandom,
  silence,
  syntheticVoice,
  whiteNoise,
} from '../../../../src/audio/index.js';
import { VoiceprintAccumulator, type Voiceprint } from '../../../../src/sandbox/daspeak/voiceprint/index.js';
import { PITCH_INDEX, VECTOR_LENGTH } from '../../../../src/sandbox/daspeak/voiceprint/statistics.js';
import { expectKitError, MONO_VOICES, pushMulawChunks, randomSizes, voice } from './fixtures.js';

function fromMulaw(bytes: Uint8Array, sizes: readonly number[] = [bytes.length]): Voiceprint {
  const accumulator = new VoiceprintAccumulator();
  pushMulawChunks(accumulator, bytes, sizes);
  return accumulator.finish();
}

function fromSamples(samples: Int16Array): Voiceprint {
  const accumulator = new VoiceprintAccumulator();
  accumulator.pushPcm(samples);
  return accumulator.finish();
}

describe('VoiceprintAccumulator', () => {
  it.each(MONO_VOICES)('counts the net speech of %s exactly as the VAD of src/audio does', (name) => {
    const { mulaw, samples } = voice(name);
    const voiceprint = fromMulaw(mulaw);
    const vad = measureNetSpeech(samples);
    expect(voiceprint.netSpeechSeconds).toBe(vad.netSpeechSeconds);
    expect(voiceprint.speechFrames).toBe(Math.round(vad.netSpeechSeconds / 0.02));
    expect(voiceprint.vector).toHaveLength(VECTOR_LENGTH);
    expect(voiceprint.fingerprints).toHaveLength(4 * voiceprint.speechFrames);
  });

  it('reports net speech while the audio streams in, growing to the final figure', () => {
    const { mulaw } = voice('bruno-register');
    const accumulator = new VoiceprintAccumulator();
    const seen: number[] = [];
    for (let at = 0; at < mulaw.length; at += 1600) {
      accumulator.pushMulaw(mulaw.subarray(at, at + 1600)); // Audiohook's 200 ms frames
      seen.push(accumulator.netSpeechSeconds);
    }
    const final = accumulator.finish().netSpeechSeconds;
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBeGreaterThan(final - 0.5); // only the VAD's look-ahead is still undecided
    expect(seen.at(-1)).toBeLessThanOrEqual(final);
    expect(accumulator.processedSeconds).toBe(mulaw.length / 8000);
  });

  it('gives the same voiceprint however the stream is chunked', () => {
    const { mulaw } = voice('chen-verify-1');
    const whole = fromMulaw(mulaw);
    for (const sizes of [[1], [7], [160], [1600], [3331], randomSizes(500, 900, 42)]) {
      expect(fromMulaw(mulaw, sizes)).toStrictEqual(whole);
    }
  });

  it('gives the same voiceprint from µ-law bytes, decoded samples and PCM16 bytes split mid-sample', () => {
    const { mulaw, samples } = voice('dora-verify-2');
    const expected = fromMulaw(mulaw);
    expect(fromSamples(samples)).toStrictEqual(expected);
    const pcm = int16ToPcm16le(samples);
    const accumulator = new VoiceprintAccumulator();
    for (let at = 0; at < pcm.length; at += 333) accumulator.pushPcm16le(pcm.subarray(at, at + 333));
    expect(accumulator.finish()).toStrictEqual(expected);
  });

  it('is deterministic: the same audio always gives the same voiceprint', () => {
    const { samples } = voice('alice-register');
    const first = fromSamples(samples);
    const second = fromSamples(new Int16Array(samples));
    expect(second).toStrictEqual(first);
    expect(Array.from(second.vector)).toEqual(Array.from(first.vector));
  });

  it('finds the pitch of the synthetic voice of src/audio (median over voiced frames)', () => {
    const samples = floatToInt16(
      concat(silence(0.3, 8000), syntheticVoice(3, 8000, { pitchHz: 140 }), silence(0.3, 8000)),
    );
    const voiceprint = fromSamples(samples);
    const pitchHz = 2 ** voiceprint.vector[PITCH_INDEX]!;
    expect(Math.abs(pitchHz - 140) / 140).toBeLessThan(0.02);
    expect(voiceprint.voicedFrames).toBeGreaterThan(0.5 * voiceprint.speechFrames);
  });

  it('returns the same voiceprint from a second finish() and refuses audio after it', () => {
    const accumulator = new VoiceprintAccumulator();
    accumulator.pushMulaw(voice('alice-verify-1').mulaw);
    const voiceprint = accumulator.finish();
    expect(accumulator.finished).toBe(true);
    expect(accumulator.finish()).toBe(voiceprint);
    expectKitError(() => accumulator.pushMulaw(new Uint8Array(160)), 'voiceprint.accumulator_finished');
    expectKitError(() => accumulator.pushPcm(new Int16Array(160)), 'voiceprint.accumulator_finished');
  });

  it('refuses to make a voiceprint of silence, of a too short word or of unvoiced noise', () => {
    const silent = new VoiceprintAccumulator();
    silent.pushPcm(new Int16Array(3 * 8000));
    expectKitError(() => silent.finish(), 'voiceprint.not_enough_speech');
    expectKitError(() => silent.finish(), 'voiceprint.not_enough_speech');
    expectKitError(() => silent.pushPcm(new Int16Array(8000)), 'voiceprint.accumulator_finished');
    const short = floatToInt16(concat(silence(1, 8000), syntheticVoice(0.25, 8000), silence(1, 8000)));
    const tooShort = expectKitError(() => fromSamples(short), 'voiceprint.not_enough_speech');
    expect(tooShort.status).toBe(422);
    const random = seededRandom(7);
    const bursts = concat(
      ...Array.from({ length: 4 }, () => concat(silence(0.6, 8000), whiteNoise(0.5, 8000, -20, random))),
      silence(0.6, 8000),
    );
    const samples = floatToInt16(bursts);
    expect(measureNetSpeech(samples).netSpeechSeconds).toBeGreaterThan(1); // the VAD hears "speech"…
    const unvoiced = expectKitError(() => fromSamples(samples), 'voiceprint.not_enough_speech');
    expect(unvoiced.details).toMatchObject({ voicedFrames: 0 }); // …but nothing has a pitch
  });
});
