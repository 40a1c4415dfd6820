import { describe, expect, it } from 'vitest';
import { interleave } from '../../src/audio/interleave.js';
import { floatToInt16 } from '../../src/audio/pcm.js';
import { resample, resampleAudio, Resampler } from '../../src/audio/resample.js';
import { tone } from '../../src/audio/synth.js';
import { db, kitErrorFrom, rms, toneAmplitude } from './helpers.js';

const RATES = [16000, 22050, 44100, 48000];
/** Output samples at each end left out of level checks (the filter sees silence beyond the edges). */
const EDGE = 200;

function toneAt(frequency: number, rate: number, amplitude = 0.5): Int16Array {
  return floatToInt16(tone(frequency, 0.5, rate, amplitude));
}

describe.each(RATES)('resampling %i Hz to 8000 Hz', (rate) => {
  it('produces the right number of samples', () => {
    expect(resample(new Int16Array(rate / 2), rate).length).toBe(4000);
    expect(new Resampler(rate).outputLength(rate * 3 + 1)).toBe(24000);
  });

  it('keeps a 1 kHz tone at its level and frequency', () => {
    const out = resample(toneAt(1000, rate), rate);
    const expected = 0.5 * 32767;
    expect(Math.abs(db(toneAmplitude(out, 1000, 8000, EDGE, out.length - EDGE) / expected))).toBeLessThan(
      0.1,
    );
    // and nothing else: the tone holds all of the energy
    expect(Math.abs(db(rms(out, EDGE, out.length - EDGE) / (expected / Math.SQRT2)))).toBeLessThan(0.1);
  });

  it('keeps a 300 Hz and a 3 kHz tone within 0.5 dB (the telephone band)', () => {
    for (const f of [300, 3000]) {
      const out = resample(toneAt(f, rate), rate);
      expect(Math.abs(db(rms(out, EDGE, out.length - EDGE) / ((0.5 * 32767) / Math.SQRT2)))).toBeLessThan(
        0.5,
      );
    }
  });

  it('removes a 6 kHz tone instead of folding it to 2 kHz (≥ 60 dB down)', () => {
    const out = resample(toneAt(6000, rate, 0.9), rate);
    const level = rms(out, EDGE, out.length - EDGE) / ((0.9 * 32767) / Math.SQRT2);
    expect(level === 0 || db(level) < -60).toBe(true);
  });

  it('removes a 4.5 kHz tone just above the new Nyquist frequency (≥ 60 dB down)', () => {
    const out = resample(toneAt(4500, rate, 0.9), rate);
    expect(db(rms(out, EDGE, out.length - EDGE) / ((0.9 * 32767) / Math.SQRT2))).toBeLessThan(-60);
  });

  it('keeps a constant level constant', () => {
    const out = resample(new Int16Array(rate / 4).fill(1000), rate);
    for (let i = EDGE; i < out.length - EDGE; i++) expect(out[i]).toBe(1000);
  });
});

describe('resampling, other cases', () => {
  it('passes 8000 Hz through as a copy', () => {
    const input = Int16Array.from([1, 2, 3]);
    const out = resample(input, 8000);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });

  it('refuses other input rates and output rates with a typed error and a hint', () => {
    for (const rate of [11025, 32000, 96000, 0, -8000, Number.NaN]) {
      const error = kitErrorFrom(() => resample(new Int16Array(10), rate));
      expect(error.code).toBe('audio.resample_unsupported_rate');
      expect(error.hint).toContain('16000');
    }
    expect(kitErrorFrom(() => resample(new Int16Array(10), 16000, 16000)).code).toBe(
      'audio.resample_unsupported_rate',
    );
  });

  it('resamples each channel of interleaved audio on its own', () => {
    const left = toneAt(1000, 16000);
    const right = new Int16Array(left.length);
    const out = resampleAudio({ sampleRate: 16000, channels: 2, samples: interleave([left, right]) });
    expect(out.sampleRate).toBe(8000);
    expect(out.channels).toBe(2);
    expect(out.samples.length).toBe(left.length);
    const outRight = out.samples.filter((_, i) => i % 2 === 1);
    const outLeft = out.samples.filter((_, i) => i % 2 === 0);
    expect(outRight.every((v) => v === 0)).toBe(true);
    expect(rms(outLeft)).toBeGreaterThan(10000);
  });

  it('saturates instead of wrapping when the filter overshoots a full-scale square wave', () => {
    const square = Int16Array.from({ length: 4800 }, (_, i) => (Math.floor(i / 60) % 2 ? 32767 : -32768));
    const out = resample(square, 48000);
    // a wrapped sample would flip sign in the middle of a half-period
    for (let i = EDGE; i < out.length - EDGE; i++) {
      const expectedSign = Math.floor((i * 6) / 60) % 2 ? 1 : -1;
      const mid = (i * 6) % 60 > 15 && (i * 6) % 60 < 45;
      if (mid) expect(Math.sign(out[i]!)).toBe(expectedSign);
    }
  });
});
