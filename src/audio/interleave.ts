/**
 * Interleaved multi-channel audio, as Audiohook sends it: sample frames of one value per channel, in the
 * order of `opened.media[0].channels` (e.g. `[external0, internal0, external1, ...]`). For PCMU a value is
 * one byte (Uint8Array); for linear PCM one Int16Array element.
 */
import { KitError } from '../errors.js';

export type SampleArray = Uint8Array | Int16Array;

function checkLayout(length: number, channels: number): void {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new KitError('audio.channels_invalid', `channel count must be a positive integer, got ${channels}`);
  }
  if (length % channels !== 0) {
    throw new KitError(
      'audio.frame_misaligned',
      `${length} interleaved samples do not split into whole frames of ${channels} channels`,
    );
  }
}

function allocLike<T extends SampleArray>(like: T, length: number): T {
  return (like instanceof Uint8Array ? new Uint8Array(length) : new Int16Array(length)) as T;
}

/** Splits interleaved samples into one array per channel. */
export function deinterleave<T extends SampleArray>(data: T, channels: number): T[] {
  checkLayout(data.length, channels);
  const frames = data.length / channels;
  if (channels === 1) {
    const copy = allocLike(data, frames);
    copy.set(data);
    return [copy];
  }
  const out: T[] = [];
  for (let c = 0; c < channels; c++) out.push(allocLike(data, frames));
  if (channels === 2) {
    const left = out[0]!;
    const right = out[1]!;
    for (let f = 0, i = 0; f < frames; f++, i += 2) {
      left[f] = data[i]!;
      right[f] = data[i + 1]!;
    }
    return out;
  }
  for (let c = 0; c < channels; c++) {
    const channel = out[c]!;
    for (let f = 0, i = c; f < frames; f++, i += channels) channel[f] = data[i]!;
  }
  return out;
}

/** Copies one channel out of interleaved samples without touching the others. */
export function extractChannel<T extends SampleArray>(data: T, channels: number, index: number): T {
  checkLayout(data.length, channels);
  if (!Number.isInteger(index) || index < 0 || index >= channels) {
    throw new KitError(
      'audio.channel_out_of_range',
      `channel ${index} does not exist in ${channels}-channel audio`,
    );
  }
  const frames = data.length / channels;
  const out = allocLike(data, frames);
  for (let f = 0, i = index; f < frames; f++, i += channels) out[f] = data[i]!;
  return out;
}

/** Joins per-channel arrays (all the same length and type) into one interleaved array. */
export function interleave<T extends SampleArray>(channels: readonly T[]): T {
  const first = channels[0];
  if (first === undefined)
    throw new KitError('audio.channels_invalid', 'interleave needs at least one channel');
  const frames = first.length;
  for (const [c, channel] of channels.entries()) {
    if (channel.length !== frames || channel.constructor !== first.constructor) {
      throw new KitError(
        'audio.channels_mismatch',
        `channel ${c} has ${channel.length} ${channel.constructor.name} samples, channel 0 has ${frames} ${first.constructor.name}`,
      );
    }
  }
  const count = channels.length;
  const out = allocLike(first, frames * count);
  for (let c = 0; c < count; c++) {
    const channel = channels[c]!;
    for (let f = 0, i = c; f < frames; f++, i += count) out[i] = channel[f]!;
  }
  return out;
}

/**
 * Position of a named Audiohook channel (`external` = the caller, `internal` = agent/IVR) in the
 * negotiated channel list, or an error naming the channels that are there.
 */
export function channelIndex(channelNames: readonly string[], name: string): number {
  const index = channelNames.indexOf(name);
  if (index < 0) {
    throw new KitError(
      'audio.channel_missing',
      `the audio has no "${name}" channel (channels: ${channelNames.join(', ') || 'none'})`,
    );
  }
  return index;
}
