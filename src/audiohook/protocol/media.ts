import type { MediaParameter } from './core.js';

/** Bytes per sample per channel: µ-law is one byte, L16 two. */
export function bytesPerSample(media: Pick<MediaParameter, 'format'>): number {
  return media.format === 'L16' ? 2 : 1;
}

/** Bytes one sample instant takes over all channels (the frame alignment unit). */
export function bytesPerInstant(media: Pick<MediaParameter, 'format' | 'channels'>): number {
  return bytesPerSample(media) * media.channels.length;
}

/** Samples per channel in a frame, or null when the frame does not hold whole samples of every channel. */
export function frameSampleCount(
  byteLength: number,
  media: Pick<MediaParameter, 'format' | 'channels'>,
): number | null {
  const unit = bytesPerInstant(media);
  return byteLength % unit === 0 ? byteLength / unit : null;
}

/** Same media parameter, channel order included (the order fixes the interleaving). */
export function sameMedia(a: MediaParameter, b: MediaParameter): boolean {
  return (
    a.type === b.type &&
    a.format === b.format &&
    a.rate === b.rate &&
    a.channels.length === b.channels.length &&
    a.channels.every((c, i) => c === b.channels[i])
  );
}

/** The offers Genesys' reference client makes: stereo, then each side mono, PCMU 8 kHz. */
export const DEFAULT_MEDIA_OFFERS: MediaParameter[] = [
  { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
  { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
  { type: 'audio', format: 'PCMU', channels: ['internal'], rate: 8000 },
];
