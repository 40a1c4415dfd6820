import { describe, expect, it } from 'vitest';
import { decodeMulaw, encodeMulaw, linearToMulaw, mulawToLinear } from '../../src/audio/mulaw.js';
import { kitErrorFrom } from './helpers.js';

/** The classic Sun/CCITT reference decoder (g711.c `ulaw2linear`), written independently of ours. */
function referenceDecode(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** Quantisation step of the segment a code belongs to, in 16-bit units. */
function stepOf(code: number): number {
  return 8 << ((~code >> 4) & 0x07);
}

describe('G.711 µ-law decoding', () => {
  it('maps the codes the standard fixes', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0x00)).toBe(-32124);
    expect(mulawToLinear(0x80)).toBe(32124);
  });

  it('starts and ends each of the 8 segments at the table values', () => {
    const firsts = [0, 132, 396, 924, 1980, 4092, 8316, 16764];
    const lasts = [120, 372, 876, 1884, 3900, 7932, 15996, 32124];
    for (let segment = 0; segment < 8; segment++) {
      const first = 0xff - 16 * segment;
      const last = 0xf0 - 16 * segment;
      expect(mulawToLinear(first)).toBe(firsts[segment]);
      expect(mulawToLinear(last)).toBe(lasts[segment]);
      expect(mulawToLinear(first & 0x7f)).toBe(0 - firsts[segment]!);
      expect(mulawToLinear(last & 0x7f)).toBe(0 - lasts[segment]!);
      // inside a segment the levels are evenly spaced by the segment's step
      expect(mulawToLinear(first - 1) - mulawToLinear(first)).toBe(8 << segment);
    }
  });

  it('agrees with the reference decoder on all 256 codes', () => {
    for (let code = 0; code < 256; code++) expect(mulawToLinear(code)).toBe(referenceDecode(code));
  });

  it('is symmetric in the sign bit and strictly increasing within each sign', () => {
    for (let code = 0; code < 256; code++) expect(mulawToLinear(code ^ 0x80)).toBe(0 - mulawToLinear(code));
    for (let code = 0xff; code > 0x80; code--)
      expect(mulawToLinear(code - 1)).toBeGreaterThan(mulawToLinear(code));
    for (let code = 0x7f; code > 0x00; code--)
      expect(mulawToLinear(code - 1)).toBeLessThan(mulawToLinear(code));
  });

  it('decodes buffers like the per-sample function, into a given output when asked', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const decoded = decodeMulaw(bytes);
    expect(Array.from(decoded)).toEqual(Array.from(bytes, mulawToLinear));
    const out = new Int16Array(300);
    expect(decodeMulaw(bytes, out)).toBe(out);
    expect(Array.from(out.subarray(0, 256))).toEqual(Array.from(decoded));
    expect(kitErrorFrom(() => decodeMulaw(bytes, new Int16Array(10))).code).toBe('audio.buffer_too_small');
  });
});

describe('G.711 µ-law encoding', () => {
  it('re-encodes every decoded level to its own code (the two zeros both to 0xFF)', () => {
    for (let code = 0; code < 256; code++) {
      expect(linearToMulaw(mulawToLinear(code))).toBe(code === 0x7f ? 0xff : code);
    }
  });

  it('encodes the decision boundaries of segment 0 and 1 as G.711 does', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(3)).toBe(0xff);
    expect(linearToMulaw(4)).toBe(0xfe);
    expect(linearToMulaw(123)).toBe(0xf0);
    expect(linearToMulaw(124)).toBe(0xef); // first level of segment 1
    expect(linearToMulaw(-1)).toBe(0x7f);
    expect(linearToMulaw(-4)).toBe(0x7f);
    expect(linearToMulaw(-5)).toBe(0x7e);
  });

  it('quantises every 16-bit value to within half a step, monotonically, symmetrically', () => {
    // Collect violations instead of asserting 65536 times, so a failure names the first bad inputs.
    const violations: string[] = [];
    let previous = -Infinity;
    for (let x = -32768; x <= 32767; x++) {
      const code = linearToMulaw(x);
      const y = mulawToLinear(code);
      const bounded = Math.abs(x) <= 32635 ? Math.abs(y - x) <= stepOf(code) / 2 : Math.abs(y) === 32124;
      if (!bounded) violations.push(`error: ${x} -> ${y}`);
      if (y < previous) violations.push(`not monotonic at ${x}`);
      if (linearToMulaw(-x - 1) !== (code ^ 0x80)) violations.push(`asymmetric at ${x}`);
      previous = y;
    }
    expect(violations.slice(0, 5)).toEqual([]);
  });

  it('clamps out-of-range input and truncates fractions', () => {
    expect(linearToMulaw(40000)).toBe(0x80);
    expect(linearToMulaw(-40000)).toBe(0x00);
    expect(linearToMulaw(4.9)).toBe(linearToMulaw(4));
  });

  it('encodes buffers like the per-sample function and round-trips decoded audio exactly', () => {
    const samples = Int16Array.from({ length: 2000 }, (_, i) => Math.round(30000 * Math.sin(i / 7)));
    const encoded = encodeMulaw(samples);
    expect(Array.from(encoded)).toEqual(Array.from(samples, linearToMulaw));
    const decoded = decodeMulaw(encoded);
    expect(Array.from(decodeMulaw(encodeMulaw(decoded)))).toEqual(Array.from(decoded));
    expect(kitErrorFrom(() => encodeMulaw(samples, new Uint8Array(1))).code).toBe('audio.buffer_too_small');
  });
});
