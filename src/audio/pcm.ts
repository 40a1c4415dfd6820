/**
 * 16-bit linear PCM helpers. WAV and Audiohook L16 carry little-endian bytes; the rest of the kit works on
 * Int16Array samples. Conversions copy, so a result never aliases a pooled Buffer or depends on the
 * input's byte alignment.
 */
import { KitError } from '../errors.js';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian 16-bit PCM bytes → samples. The byte count must be even. */
export function pcm16leToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.length % 2 !== 0) {
    throw new KitError(
      'audio.pcm_odd_length',
      `16-bit PCM needs an even number of bytes, got ${bytes.length}`,
    );
  }
  // new Uint8Array(view) copies into a fresh, exactly sized buffer (Buffer#slice would not copy).
  if (HOST_IS_LITTLE_ENDIAN) return new Int16Array(new Uint8Array(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Samples → little-endian 16-bit PCM bytes. */
export function int16ToPcm16le(samples: Int16Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(new Int16Array(samples).buffer);
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

/** Floats in [-1, 1] → 16-bit samples, rounded and clamped (values outside the range saturate). */
export function floatToInt16(samples: ArrayLike<number>): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i]! * 32767);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** 16-bit samples → floats in [-1, 1). */
export function int16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / 32768;
  return out;
}

/**
 * Turns a stream of little-endian PCM16 byte chunks of any size into samples, carrying an odd trailing
 * byte over to the next chunk (network chunks do not respect sample boundaries).
 */
export class Pcm16leStreamDecoder {
  private carry = -1;

  /** Whether half a sample is waiting for its second byte. */
  get hasPendingByte(): boolean {
    return this.carry >= 0;
  }

  decode(chunk: Uint8Array): Int16Array {
    const total = chunk.length + (this.carry >= 0 ? 1 : 0);
    const out = new Int16Array(total >> 1);
    let src = 0;
    let dst = 0;
    // Storing an unsigned 16-bit value into an Int16Array reinterprets it as signed.
    if (this.carry >= 0 && out.length > 0) {
      out[dst++] = (chunk[src++]! << 8) | this.carry;
      this.carry = -1;
    }
    for (; dst < out.length; dst++, src += 2) out[dst] = (chunk[src + 1]! << 8) | chunk[src]!;
    if (src < chunk.length) this.carry = chunk[src]!;
    return out;
  }
}
