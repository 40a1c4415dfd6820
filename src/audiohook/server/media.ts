import type { MediaChannel } from '../protocol/core.js';
import { bytesPerSample } from '../protocol/media.js';
import type { AudioFrame, MediaSelector } from './session.js';

/**
 * Default media choice for voice biometrics: the caller alone (mono `external` PCMU 8 kHz) when
 * offered, otherwise the first offer as Genesys' reference server does.
 */
export const selectCallerMedia: MediaSelector = (offers) =>
  offers.find(
    (m) =>
      m.type === 'audio' &&
      m.format === 'PCMU' &&
      m.rate === 8000 &&
      m.channels.length === 1 &&
      m.channels[0] === 'external',
  ) ??
  offers[0] ??
  null;

/** The samples of one channel of a frame (de-interleaved), or null when the frame lacks that channel. */
export function channelSamples(
  frame: Pick<AudioFrame, 'data' | 'media'>,
  channel: MediaChannel,
): Uint8Array | null {
  const { media, data } = frame;
  const index = media.channels.indexOf(channel);
  if (index < 0) return null;
  const count = media.channels.length;
  if (count === 1) return data;
  const width = bytesPerSample(media);
  const stride = width * count;
  const out = new Uint8Array(data.byteLength / count);
  for (let src = index * width, dst = 0; src < data.byteLength; src += stride, dst += width) {
    for (let b = 0; b < width; b++) out[dst + b] = data[src + b]!;
  }
  return out;
}
