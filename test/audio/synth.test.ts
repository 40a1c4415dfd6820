import { describe, expect, it } from 'vitest';
import {
  concat,
  dbfsToAmplitude,
  mix,
  seededRandom,
  silence,
  syntheticVoice,
  tone,
  whiteNoise,
} from '../../src/audio/synth.js';
import { db, kitErrorFrom, rms, toneAmplitude } from './helpers.js';

describe('test signals', () => {
  it('gives the same random sequence for the same seed, in [0, 1)', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(6)()).not.toBe(xs[0]);
  });

  it('makes white noise at the requested RMS level', () => {
    const noise = whiteNoise(2, 8000, -30, seededRandom(1));
    expect(noise.length).toBe(16000);
    expect(Math.abs(db(rms(noise) / dbfsToAmplitude(-30)))).toBeLessThan(0.2);
  });

  it('makes a tone at its frequency and a silence of zeros', () => {
    const t = tone(440, 1, 8000, 0.25);
    expect(toneAmplitude(t, 440, 8000)).toBeCloseTo(0.25, 3);
    expect(silence(0.5, 8000).every((v) => v === 0)).toBe(true);
  });

  it('makes a voice whose energy sits at its pitch harmonics and is modulated by syllables', () => {
    const voice = syntheticVoice(1, 8000, { pitchHz: 100, syllableRate: 4, levelDbfs: -20 });
    // |sin| envelope halves the power: about 3 dB under the carrier level
    expect(db(rms(voice) / dbfsToAmplitude(-20))).toBeCloseTo(-3, 0);
    expect(voice[0]).toBe(0);
    expect(toneAmplitude(voice, 700, 8000)).toBeGreaterThan(20 * toneAmplitude(voice, 750, 8000));
    // quiet between syllables (t = 0.25 s), loud in the middle of one (t = 0.125 s)
    expect(rms(voice, 1980, 2020)).toBeLessThan(rms(voice, 980, 1020) / 10);
  });

  it('joins and mixes signals', () => {
    expect(Array.from(concat(Float64Array.of(1), Float64Array.of(2, 3)))).toEqual([1, 2, 3]);
    expect(Array.from(mix(Float64Array.of(1, 1, 1), Float64Array.of(2)))).toEqual([3, 1, 1]);
  });

  it('refuses impossible durations', () => {
    expect(kitErrorFrom(() => silence(-1, 8000)).code).toBe('audio.synth_invalid');
    expect(kitErrorFrom(() => tone(440, 1, 0)).code).toBe('audio.synth_invalid');
  });
});
