import { describe, expect, it } from 'vitest';
import { channelIndex, deinterleave, extractChannel, interleave } from '../../src/audio/interleave.js';
import { kitErrorFrom } from './helpers.js';

describe('deinterleave', () => {
  it('splits Audiohook stereo PCMU in the order of the channel list', () => {
    // [external0, internal0, external1, internal1, ...]
    const frame = Uint8Array.from([10, 20, 11, 21, 12, 22]);
    const [external, internal] = deinterleave(frame, 2);
    expect(external).toBeInstanceOf(Uint8Array);
    expect(Array.from(external!)).toEqual([10, 11, 12]);
    expect(Array.from(internal!)).toEqual([20, 21, 22]);
  });

  it('keeps the sample type of linear PCM and handles more channels', () => {
    const data = Int16Array.from([-1, 2, 300, -4, 5, 600]);
    const channels = deinterleave(data, 3);
    expect(channels.every((c) => c instanceof Int16Array)).toBe(true);
    expect(channels.map((c) => Array.from(c))).toEqual([
      [-1, -4],
      [2, 5],
      [300, 600],
    ]);
  });

  it('copies mono instead of aliasing it', () => {
    const data = Uint8Array.from([1, 2]);
    const [only] = deinterleave(data, 1);
    data[0] = 9;
    expect(Array.from(only!)).toEqual([1, 2]);
  });

  it('refuses data that is not whole frames, and nonsense channel counts', () => {
    expect(kitErrorFrom(() => deinterleave(new Uint8Array(5), 2)).code).toBe('audio.frame_misaligned');
    expect(kitErrorFrom(() => deinterleave(new Uint8Array(4), 0)).code).toBe('audio.channels_invalid');
    expect(kitErrorFrom(() => deinterleave(new Uint8Array(4), 1.5)).code).toBe('audio.channels_invalid');
  });
});

describe('interleave', () => {
  it('is the inverse of deinterleave', () => {
    const data = Int16Array.from({ length: 600 }, (_, i) => (i * 37) % 1000);
    expect(interleave(deinterleave(data, 2))).toEqual(data);
    expect(interleave(deinterleave(data, 3))).toEqual(data);
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i);
    expect(interleave(deinterleave(bytes, 2))).toEqual(bytes);
  });

  it('refuses channels of different lengths or types, and an empty list', () => {
    expect(kitErrorFrom(() => interleave([new Uint8Array(2), new Uint8Array(3)])).code).toBe(
      'audio.channels_mismatch',
    );
    expect(
      kitErrorFrom(() => interleave<Uint8Array | Int16Array>([new Uint8Array(2), new Int16Array(2)])).code,
    ).toBe('audio.channels_mismatch');
    expect(kitErrorFrom(() => interleave([])).code).toBe('audio.channels_invalid');
  });
});

describe('extractChannel and channelIndex', () => {
  it('takes one channel by its Audiohook name', () => {
    const names = ['external', 'internal'];
    const frame = Uint8Array.from([10, 20, 11, 21]);
    expect(Array.from(extractChannel(frame, 2, channelIndex(names, 'internal')))).toEqual([20, 21]);
    expect(Array.from(extractChannel(frame, 2, channelIndex(names, 'external')))).toEqual([10, 11]);
  });

  it('names what is there when a channel is missing or out of range', () => {
    const error = kitErrorFrom(() => channelIndex(['internal'], 'external'));
    expect(error.code).toBe('audio.channel_missing');
    expect(error.message).toContain('internal');
    expect(kitErrorFrom(() => extractChannel(new Uint8Array(4), 2, 2)).code).toBe(
      'audio.channel_out_of_range',
    );
  });
});
