import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../src/audio/index.js';
import {
  hzToMel,
  melToHz,
  PowerSpectrum,
  rectangularMelBands,
  triangularMelFilters,
} from '../../../../src/sandbox/daspeak/voiceprint/spectrum.js';

/** The textbook DFT of the Hann-windowed frame, normalised like PowerSpectrum. */
function naivePowerSpectrum(frame: Float64Array): Float64Array {
  const n = frame.length;
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const x = frame[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
      re += x * Math.cos((2 * Math.PI * k * i) / n);
      im -= x * Math.sin((2 * Math.PI * k * i) / n);
    }
    out[k] = (re * re + im * im) / (n * 0.375);
  }
  return out;
}

describe('PowerSpectrum (real FFT through a half-size complex FFT)', () => {
  it.each([4, 8, 64, 512])('matches the textbook DFT for %i samples', (size) => {
    const random = seededRandom(size);
    const frame = Float64Array.from({ length: size }, () => (random() - 0.5) * 20000);
    const out = new Float64Array(size / 2 + 1);
    new PowerSpectrum(size).compute(frame, out);
    const expected = naivePowerSpectrum(frame);
    const scale = Math.max(...expected);
    for (let k = 0; k < out.length; k++) expect(Math.abs(out[k]! - expected[k]!) / scale).toBeLessThan(1e-9);
  });

  it('puts a tone in its bin and gives white noise its mean square per bin', () => {
    const spectrum = new PowerSpectrum(512);
    const out = new Float64Array(spectrum.bins);
    const tone = Float64Array.from({ length: 512 }, (_, i) => 10000 * Math.sin((2 * Math.PI * 40 * i) / 512));
    spectrum.compute(tone, out);
    expect(out.indexOf(Math.max(...out))).toBe(40);

    const random = seededRandom(5);
    let total = 0;
    const rounds = 200;
    for (let r = 0; r < rounds; r++) {
      const noise = Float64Array.from({ length: 512 }, () => (random() - 0.5) * 2000); // mean square 2000²/12
      spectrum.compute(noise, out);
      for (let k = 1; k < 256; k++) total += out[k]!;
    }
    expect(total / rounds / 255 / (2000 ** 2 / 12)).toBeCloseTo(1, 1);
  });

  it('refuses sizes that are not powers of two', () => {
    expect(() => new PowerSpectrum(500)).toThrow(RangeError);
    expect(() => new PowerSpectrum(2)).toThrow(RangeError);
  });
});

describe('mel filters', () => {
  it('converts between hertz and mel both ways', () => {
    expect(hzToMel(1000)).toBeCloseTo(1000, -1);
    for (const hz of [100, 440, 3800]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 9);
  });

  it('cover the band with triangles that peak at 1 and stay inside the spectrum', () => {
    const filters = triangularMelFilters(24, 100, 3800, 257, 8000);
    expect(filters).toHaveLength(24);
    for (const { first, weights } of filters) {
      expect(weights.length).toBeGreaterThan(0);
      expect(first + weights.length).toBeLessThanOrEqual(257);
      expect(Math.max(...weights)).toBeGreaterThan(0.5);
      expect(Math.max(...weights)).toBeLessThanOrEqual(1);
      expect(Math.min(...weights)).toBeGreaterThanOrEqual(0);
    }
  });

  it('give the fingerprint contiguous, non-empty bands', () => {
    const bands = rectangularMelBands(33, 300, 3400, 257, 8000);
    expect(bands).toHaveLength(33);
    for (let b = 1; b < bands.length; b++) {
      expect(bands[b]!.weights.length).toBeGreaterThan(0);
      expect(bands[b]!.first).toBe(bands[b - 1]!.first + bands[b - 1]!.weights.length);
    }
  });
});
