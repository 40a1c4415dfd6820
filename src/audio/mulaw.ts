/**
 * G.711 µ-law (PCMU), as Genesys Audiohook sends it: one byte per sample, 8000 Hz.
 *
 * The arithmetic follows the ITU-T G.191 reference (`ulaw_compress` / `ulaw_expand`): a 16-bit sample is
 * reduced to 14 bits, negative values use the one's complement so the quantiser is symmetric
 * (encode(-x - 1) === encode(x) ^ 0x80), and 0xFF / 0x7F are +0 / -0. Decoding goes through a 256-entry
 * table; encoding through a 16384-entry table indexed by the 14-bit value, because both run per sample
 * on every frame of every call.
 */

import { KitError } from '../errors.js';

/** The bias G.711 adds in the 14-bit domain. */
const BIAS_14 = 33;
const CLIP_14 = 0x1fff;

function expand(code: number): number {
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * BIAS_14;
  return code & 0x80 ? magnitude : -magnitude;
}

/** Encodes a 14-bit magnitude class (the 16-bit sample shifted right by 2) to a µ-law byte. */
function compress(shifted: number): number {
  const negative = shifted < 0;
  let magnitude = (negative ? ~shifted : shifted) + BIAS_14;
  if (magnitude > CLIP_14) magnitude = CLIP_14;
  let segment = 1;
  for (let i = magnitude >> 6; i !== 0; i >>= 1) segment++;
  const high = 8 - segment;
  const low = 0x0f - ((magnitude >> segment) & 0x0f);
  const code = (high << 4) | low;
  return negative ? code : code | 0x80;
}

/** µ-law byte → 16-bit linear sample. Kept private so no caller can corrupt it. */
const DECODE_TABLE = (() => {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = expand(code);
  return table;
})();

/** Indexed by (sample >> 2) + 8192. */
const ENCODE_TABLE = (() => {
  const table = new Uint8Array(16384);
  for (let shifted = -8192; shifted < 8192; shifted++) table[shifted + 8192] = compress(shifted);
  return table;
})();

/** Decodes one µ-law byte (0..255; higher bits are ignored) to a 16-bit linear sample. */
export function mulawToLinear(code: number): number {
  return DECODE_TABLE[code & 0xff]!;
}

/** Encodes one 16-bit linear sample (clamped to -32768..32767) to a µ-law byte. */
export function linearToMulaw(sample: number): number {
  const s = sample > 32767 ? 32767 : sample < -32768 ? -32768 : Math.trunc(sample);
  return ENCODE_TABLE[(s >> 2) + 8192]!;
}

/** Decodes µ-law bytes to 16-bit samples; writes into `out` when given (it must be long enough). */
export function decodeMulaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  const target = out ?? new Int16Array(bytes.length);
  if (target.length < bytes.length) {
    throw new KitError(
      'audio.buffer_too_small',
      `decodeMulaw: the output holds ${target.length} samples but the input has ${bytes.length}`,
    );
  }
  const table = DECODE_TABLE;
  for (let i = 0; i < bytes.length; i++) target[i] = table[bytes[i]!]!;
  return target;
}

/** Encodes 16-bit samples to µ-law bytes; writes into `out` when given (it must be long enough). */
export function encodeMulaw(samples: Int16Array, out?: Uint8Array): Uint8Array {
  const target = out ?? new Uint8Array(samples.length);
  if (target.length < samples.length) {
    throw new KitError(
      'audio.buffer_too_small',
      `encodeMulaw: the output holds ${target.length} bytes but the input has ${samples.length}`,
    );
  }
  const table = ENCODE_TABLE;
  for (let i = 0; i < samples.length; i++) target[i] = table[(samples[i]! >> 2) + 8192]!;
  return target;
}
