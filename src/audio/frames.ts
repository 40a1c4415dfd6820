/**
 * Byte-level audio framing: how long a buffer of a given format plays, and cutting a buffer into frames
 * of a fixed duration (Audiohook's reference client sends 200 ms frames; the last one may be shorter).
 */
import { KitError } from '../errors.js';

export interface FrameFormat {
  sampleRate: number;
  channels: number;
  /** Bytes per sample of one channel: 1 for PCMU, 2 for L16. */
  bytesPerSample: number;
}

export const PCMU_8K_MONO: Readonly<FrameFormat> = Object.freeze({
  sampleRate: 8000,
  channels: 1,
  bytesPerSample: 1,
});
export const PCMU_8K_STEREO: Readonly<FrameFormat> = Object.freeze({
  sampleRate: 8000,
  channels: 2,
  bytesPerSample: 1,
});

function checkFormat(format: FrameFormat): void {
  const fields: [string, number][] = [
    ['sampleRate', format.sampleRate],
    ['channels', format.channels],
    ['bytesPerSample', format.bytesPerSample],
  ];
  for (const [name, value] of fields) {
    if (!Number.isInteger(value) || value < 1) {
      throw new KitError(
        'audio.format_invalid',
        `audio format ${name} must be a positive integer, got ${value}`,
      );
    }
  }
}

/** Bytes of one sample frame (one sample of every channel). */
export function blockAlign(format: FrameFormat): number {
  checkFormat(format);
  return format.channels * format.bytesPerSample;
}

export function bytesPerSecond(format: FrameFormat): number {
  return blockAlign(format) * format.sampleRate;
}

/** Playing time of `byteLength` bytes of this format, in seconds. */
export function durationSeconds(byteLength: number, format: FrameFormat): number {
  return byteLength / bytesPerSecond(format);
}

/** Bytes in a frame of `frameMs` milliseconds; the duration must hold a whole number of samples. */
export function frameBytes(format: FrameFormat, frameMs: number): number {
  const align = blockAlign(format);
  const samples = (format.sampleRate * frameMs) / 1000;
  const whole = Math.round(samples);
  if (!Number.isFinite(frameMs) || frameMs <= 0 || whole < 1 || Math.abs(samples - whole) > 1e-9) {
    throw new KitError(
      'audio.frame_duration_invalid',
      `a ${frameMs} ms frame at ${format.sampleRate} Hz is not a whole, positive number of samples`,
    );
  }
  return whole * align;
}

/**
 * Cuts `bytes` into consecutive frames of `frameMs` (views into `bytes`, no copies); the last frame keeps
 * whatever is left, so nothing is dropped. The buffer must hold whole sample frames.
 */
export function sliceFrames(bytes: Uint8Array, format: FrameFormat, frameMs: number): Uint8Array[] {
  const size = frameBytes(format, frameMs);
  const align = blockAlign(format);
  if (bytes.length % align !== 0) {
    throw new KitError(
      'audio.frame_misaligned',
      `${bytes.length} bytes are not whole sample frames of ${align} bytes (${format.channels} channel(s) × ${format.bytesPerSample} byte(s))`,
    );
  }
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    frames.push(bytes.subarray(offset, offset + size));
  return frames;
}
