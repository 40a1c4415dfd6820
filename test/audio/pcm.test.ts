import { describe, expect, it } from 'vitest';
import {
  floatToInt16,
  int16ToFloat,
  int16ToPcm16le,
  Pcm16leStreamDecoder,
  pcm16leToInt16,
} from '../../src/audio/pcm.js';
import { seededRandom } from '../../src/audio/synth.js';
import { kitErrorFrom } from './helpers.js';

describe('16-bit PCM bytes', () => {
  it('reads little-endian signed samples', () => {
    const bytes = Uint8Array.from([0x34, 0x12, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f]);
    expect(Array.from(pcm16leToInt16(bytes))).toEqual([0x1234, -1, -32768, 32767]);
  });

  it('writes little-endian bytes and round-trips every value', () => {
    expect(Array.from(int16ToPcm16le(Int16Array.from([0x1234, -2])))).toEqual([0x34, 0x12, 0xfe, 0xff]);
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const back = pcm16leToInt16(int16ToPcm16le(all));
    expect(back.length).toBe(all.length);
    expect(back.every((v, i) => v === all[i])).toBe(true);
  });

  it('reads from a view at an odd byte offset (as Buffers from a pool can be)', () => {
    const backing = new Uint8Array([0xaa, 0x01, 0x00, 0x02, 0x00]);
    expect(Array.from(pcm16leToInt16(backing.subarray(1)))).toEqual([1, 2]);
  });

  it('returns a copy that does not alias the input, also for pooled Buffers', () => {
    const bytes = Uint8Array.from([1, 0]);
    const samples = pcm16leToInt16(bytes);
    bytes[0] = 9;
    expect(samples[0]).toBe(1);
    const pooled = Buffer.from([2, 0, 3, 0]);
    const fromBuffer = pcm16leToInt16(pooled);
    expect(fromBuffer.buffer.byteLength).toBe(4);
    expect(Array.from(fromBuffer)).toEqual([2, 3]);
  });

  it('refuses an odd number of bytes with a typed error', () => {
    const error = kitErrorFrom(() => pcm16leToInt16(new Uint8Array(3)));
    expect(error.code).toBe('audio.pcm_odd_length');
    expect(error.message).toContain('3');
  });
});

describe('float conversion', () => {
  it('rounds and saturates floats to 16 bits', () => {
    expect(Array.from(floatToInt16([0, 1, -1, 2, -2, 0.5]))).toEqual([
      0, 32767, -32767, 32767, -32768, 16384,
    ]);
  });

  it('maps 16-bit samples into [-1, 1)', () => {
    expect(Array.from(int16ToFloat(Int16Array.from([-32768, 0, 16384])))).toEqual([-1, 0, 0.5]);
  });
});

describe('Pcm16leStreamDecoder', () => {
  it('gives the same samples whatever the chunk boundaries, carrying half samples over', () => {
    const random = seededRandom(7);
    const samples = Int16Array.from({ length: 1001 }, () => Math.floor(random() * 65536) - 32768);
    const bytes = int16ToPcm16le(samples);
    for (const sizes of [[1], [137], [3, 0, 5, 2], [bytes.length]]) {
      const decoder = new Pcm16leStreamDecoder();
      const parts: number[] = [];
      for (let offset = 0, k = 0; offset < bytes.length; k++) {
        const size = sizes[k % sizes.length]!;
        parts.push(...decoder.decode(bytes.subarray(offset, offset + size)));
        offset += size;
      }
      expect(parts).toEqual(Array.from(samples));
      expect(decoder.hasPendingByte).toBe(false);
    }
  });

  it('reports a pending byte until its partner arrives', () => {
    const decoder = new Pcm16leStreamDecoder();
    expect(decoder.decode(Uint8Array.from([0x01, 0x02, 0x03])).length).toBe(1);
    expect(decoder.hasPendingByte).toBe(true);
    expect(decoder.decode(new Uint8Array(0)).length).toBe(0);
    expect(Array.from(decoder.decode(Uint8Array.from([0x80])))).toEqual([-32765]);
    expect(decoder.hasPendingByte).toBe(false);
  });
});
