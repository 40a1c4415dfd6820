import { describe, expect, it } from 'vitest';
import { encodeMulaw } from '../../src/audio/mulaw.js';
import { floatToInt16, int16ToPcm16le } from '../../src/audio/pcm.js';
import {
  concat,
  mix,
  seededRandom,
  silence,
  syntheticVoice,
  tone,
  whiteNoise,
} from '../../src/audio/synth.js';
import {
  measureNetSpeech,
  VoiceActivityDetector,
  type VadFrame,
  type VadOptions,
} from '../../src/audio/vad.js';
import { kitErrorFrom } from './helpers.js';

const SR = 8000;

/** Voiced stretches separated by pauses, over a noise bed: [voice 1 s, pause, voice 1.5 s, pause, voice 0.5 s]. */
function conversation(noiseDbfs: number, voiceDbfs = -20, seed = 1): { samples: Int16Array; speech: number } {
  const voice = concat(
    silence(0.5, SR),
    syntheticVoice(1, SR, { levelDbfs: voiceDbfs }),
    silence(0.7, SR),
    syntheticVoice(1.5, SR, { levelDbfs: voiceDbfs, pitchHz: 210 }),
    silence(1, SR),
    syntheticVoice(0.5, SR, { levelDbfs: voiceDbfs, pitchHz: 95 }),
    silence(0.4, SR),
  );
  const noise = whiteNoise(voice.length / SR, SR, noiseDbfs, seededRandom(seed));
  return { samples: floatToInt16(mix(voice, noise)), speech: 3 };
}

/** Feeds `bytes` in chunks of `size` through `push`, then ends; returns every frame reported. */
function feed(
  vad: VoiceActivityDetector,
  bytes: Uint8Array,
  size: number,
  push: 'pushMulaw' | 'pushPcm16le',
) {
  const frames: VadFrame[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) {
    frames.push(...vad[push](bytes.subarray(offset, offset + size)));
  }
  frames.push(...vad.end());
  return frames;
}

describe('net speech of generated signals', () => {
  it('is 0 for digital silence', () => {
    const result = measureNetSpeech(new Int16Array(5 * SR));
    expect(result.netSpeechSeconds).toBe(0);
    expect(result.segments).toEqual([]);
    expect(result.totalSeconds).toBe(5);
  });

  it('is 0 for white noise at low and moderate levels', () => {
    for (const level of [-70, -55, -45, -35]) {
      const noise = floatToInt16(whiteNoise(10, SR, level, seededRandom(level)));
      expect(measureNetSpeech(noise).netSpeechSeconds).toBe(0);
    }
  });

  it('is 0 for a steady tone: stationary sound is not speech', () => {
    expect(measureNetSpeech(floatToInt16(tone(1000, 5, SR, 0.3))).netSpeechSeconds).toBe(0);
  });

  it('measures about N seconds for N seconds of voice between pauses, in quiet and in noise', () => {
    for (const [noise, voice] of [
      [-70, -20],
      [-50, -20],
      [-40, -20],
      [-50, -30],
    ] as const) {
      const { samples, speech } = conversation(noise, voice);
      const result = measureNetSpeech(samples);
      expect(
        Math.abs(result.netSpeechSeconds - speech),
        `noise ${noise}, voice ${voice}`,
      ).toBeLessThanOrEqual(0.3);
      expect(result.segments.length).toBe(3);
      const starts = result.segments.map((s) => s.startSeconds);
      const ends = result.segments.map((s) => s.endSeconds);
      [0.5, 2.2, 4.7].forEach((t, i) => expect(Math.abs(starts[i]! - t)).toBeLessThanOrEqual(0.1));
      [1.5, 3.7, 5.2].forEach((t, i) => expect(Math.abs(ends[i]! - t)).toBeLessThanOrEqual(0.1));
    }
  });

  it('counts speech that starts with the very first frame', () => {
    const samples = floatToInt16(concat(syntheticVoice(3, SR), silence(1, SR)));
    expect(Math.abs(measureNetSpeech(samples).netSpeechSeconds - 3)).toBeLessThanOrEqual(0.1);
  });

  it('ignores a click shorter than the minimum speech duration', () => {
    const click = floatToInt16(concat(silence(1, SR), tone(800, 0.04, SR, 0.5), silence(1, SR)));
    expect(measureNetSpeech(click).netSpeechSeconds).toBe(0);
    const burst = floatToInt16(concat(silence(1, SR), tone(800, 0.1, SR, 0.5), silence(1, SR)));
    expect(measureNetSpeech(burst).netSpeechSeconds).toBeCloseTo(0.1, 5);
  });

  it('bridges a short pause inside speech and not a long one', () => {
    const withPause = (pause: number) =>
      floatToInt16(
        concat(
          silence(0.5, SR),
          syntheticVoice(1, SR),
          silence(pause, SR),
          syntheticVoice(1, SR),
          silence(0.5, SR),
        ),
      );
    const short = measureNetSpeech(withPause(0.12));
    expect(short.segments.length).toBe(1);
    expect(Math.abs(short.netSpeechSeconds - 2.12)).toBeLessThanOrEqual(0.1);
    const long = measureNetSpeech(withPause(0.5));
    expect(long.segments.length).toBe(2);
    expect(Math.abs(long.netSpeechSeconds - 2)).toBeLessThanOrEqual(0.1);
  });

  it('adapts to a louder background within about one noise window', () => {
    const samples = floatToInt16(
      concat(whiteNoise(3, SR, -65, seededRandom(3)), whiteNoise(6, SR, -35, seededRandom(4))),
    );
    expect(measureNetSpeech(samples).netSpeechSeconds).toBeLessThanOrEqual(1.1);
  });

  it('works at 16 kHz with the same result as at 8 kHz', () => {
    const at = (rate: number) =>
      floatToInt16(concat(silence(0.5, rate), syntheticVoice(2, rate), silence(0.5, rate)));
    const wide = measureNetSpeech(at(16000), { sampleRate: 16000 }).netSpeechSeconds;
    expect(Math.abs(wide - measureNetSpeech(at(8000)).netSpeechSeconds)).toBeLessThanOrEqual(0.04);
  });
});

describe('streaming', () => {
  const { samples } = conversation(-50);

  it('gives identical decisions whether fed in one chunk or in 137-byte chunks (PCM16 and µ-law)', () => {
    const pcm = int16ToPcm16le(samples);
    const whole = feed(new VoiceActivityDetector(), pcm, pcm.length, 'pushPcm16le');
    const chunked = feed(new VoiceActivityDetector(), pcm, 137, 'pushPcm16le');
    expect(chunked).toEqual(whole);
    const mulaw = encodeMulaw(samples);
    const vadWhole = new VoiceActivityDetector();
    const vadChunked = new VoiceActivityDetector();
    expect(feed(vadChunked, mulaw, 137, 'pushMulaw')).toEqual(
      feed(vadWhole, mulaw, mulaw.length, 'pushMulaw'),
    );
    expect(vadChunked.netSpeechSeconds).toBe(vadWhole.netSpeechSeconds);
    expect(vadChunked.netSpeechSeconds).toBeGreaterThan(2.7);
  });

  it('reports every frame exactly once, in order, and net speech that only grows', () => {
    const vad = new VoiceActivityDetector();
    const frames: VadFrame[] = [];
    let previous = 0;
    let maxPending = 0;
    for (let offset = 0; offset < samples.length; offset += 160 * 7) {
      frames.push(...vad.push(samples.subarray(offset, offset + 160 * 7)));
      expect(vad.netSpeechSeconds).toBeGreaterThanOrEqual(previous);
      previous = vad.netSpeechSeconds;
      if (frames.length > 0) maxPending = Math.max(maxPending, vad.pendingFrames);
    }
    frames.push(...vad.end());
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: samples.length / 160 }, (_, i) => i));
    expect(frames.filter((f) => f.speech).length * 0.02).toBeCloseTo(vad.netSpeechSeconds, 9);
    // after warm-up, decisions wait at most the hangover (10 frames) plus one frame
    expect(maxPending).toBeLessThanOrEqual(11 + 7);
    expect(vad.pendingFrames).toBe(0);
  });

  it('can be read before the end: frames pending in the first window are decided once it is full', () => {
    const vad = new VoiceActivityDetector();
    vad.push(floatToInt16(syntheticVoice(0.9, SR)));
    expect(vad.netSpeechSeconds).toBe(0);
    expect(vad.pendingFrames).toBe(45);
    vad.push(floatToInt16(syntheticVoice(1, SR)));
    expect(vad.netSpeechSeconds).toBeGreaterThan(1.5);
    expect(vad.processedSeconds).toBeCloseTo(1.9, 9);
  });

  it('settles a stream shorter than one window at the end', () => {
    const vad = new VoiceActivityDetector();
    vad.push(floatToInt16(concat(silence(0.1, SR), syntheticVoice(0.5, SR), silence(0.1, SR))));
    expect(vad.netSpeechSeconds).toBe(0);
    const settled = vad.end();
    expect(settled.length).toBe(35);
    expect(Math.abs(vad.netSpeechSeconds - 0.5)).toBeLessThanOrEqual(0.1);
    expect(vad.summary().segments.length).toBe(1);
  });

  it('refuses audio after end() and makes a second end() a no-op', () => {
    const vad = new VoiceActivityDetector();
    vad.end();
    expect(vad.end()).toEqual([]);
    expect(kitErrorFrom(() => vad.push(new Int16Array(10))).code).toBe('audio.vad_ended');
  });
});

describe('options', () => {
  it('refuses options that cannot work, naming the option', () => {
    const bad: VadOptions[] = [
      { frameMs: 0 },
      { frameMs: 0.1 },
      { sampleRate: 0 },
      { sampleRate: 22050, frameMs: 15 },
      { thresholdDb: -1 },
      { hangoverMs: -20 },
      { minSpeechMs: Number.NaN },
      { noiseWindowMs: 10 },
    ];
    for (const options of bad) {
      const error = kitErrorFrom(() => new VoiceActivityDetector(options));
      expect(error.code).toBe('audio.vad_options_invalid');
      expect(error.message).toContain(Object.keys(options)[1] ?? Object.keys(options)[0]!);
    }
  });

  it('takes options left undefined as the defaults', () => {
    const vad = new VoiceActivityDetector({ frameMs: undefined, hangoverMs: undefined });
    expect(vad.frameSamples).toBe(160);
    expect(vad.options.hangoverMs).toBe(200);
  });

  it('follows the threshold: a very high threshold finds no speech', () => {
    const { samples } = conversation(-50);
    expect(measureNetSpeech(samples, { thresholdDb: 80 }).netSpeechSeconds).toBe(0);
  });
});
