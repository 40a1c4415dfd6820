import { describe, expect, it } from 'vitest';
import {
  bytesPerSecond,
  durationSeconds,
  frameBytes,
  PCMU_8K_MONO,
  PCMU_8K_STEREO,
  sliceFrames,
} from '../../src/audio/frames.js';
import { kitErrorFrom } from './helpers.js';

describe('frame arithmetic', () => {
  it('knows the byte rates Audiohook uses', () => {
    expect(bytesPerSecond(PCMU_8K_MONO)).toBe(8000);
    expect(bytesPerSecond(PCMU_8K_STEREO)).toBe(16000);
    expect(frameBytes(PCMU_8K_STEREO, 200)).toBe(3200);
    expect(frameBytes({ sampleRate: 16000, channels: 1, bytesPerSample: 2 }, 20)).toBe(640);
    expect(frameBytes({ sampleRate: 22050, channels: 2, bytesPerSample: 2 }, 20)).toBe(441 * 4);
    expect(durationSeconds(4000, PCMU_8K_STEREO)).toBe(0.25);
  });

  it('refuses frame durations that are not whole samples, and broken formats', () => {
    for (const ms of [0, -20, Number.NaN, Infinity, 0.01]) {
      expect(kitErrorFrom(() => frameBytes(PCMU_8K_MONO, ms)).code).toBe('audio.frame_duration_invalid');
    }
    const error = kitErrorFrom(() => frameBytes({ sampleRate: 22050, channels: 1, bytesPerSample: 2 }, 15));
    expect(error.message).toContain('22050');
    expect(
      kitErrorFrom(() => frameBytes({ sampleRate: 8000, channels: 0, bytesPerSample: 1 }, 20)).code,
    ).toBe('audio.format_invalid');
  });
});

describe('sliceFrames', () => {
  it('cuts 200 ms stereo PCMU frames and keeps a partial last frame', () => {
    const bytes = Uint8Array.from({ length: 3200 * 2 + 1000 }, (_, i) => i & 0xff);
    const frames = sliceFrames(bytes, PCMU_8K_STEREO, 200);
    expect(frames.map((f) => f.length)).toEqual([3200, 3200, 1000]);
    expect(frames[2]![0]).toBe(6400 & 0xff);
    // views, not copies: nothing is allocated per frame
    expect(frames.every((f) => f.buffer === bytes.buffer)).toBe(true);
  });

  it('returns no frames for no audio, and one for less than a frame', () => {
    expect(sliceFrames(new Uint8Array(0), PCMU_8K_MONO, 20)).toEqual([]);
    expect(sliceFrames(new Uint8Array(10), PCMU_8K_MONO, 20).map((f) => f.length)).toEqual([10]);
  });

  it('refuses a buffer that ends inside a sample frame', () => {
    const error = kitErrorFrom(() => sliceFrames(new Uint8Array(3201), PCMU_8K_STEREO, 200));
    expect(error.code).toBe('audio.frame_misaligned');
  });
});
