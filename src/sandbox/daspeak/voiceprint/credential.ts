/**
 * Sandbox credentials: the speaker vector, quantised, and the replay print of the registration speech
 * (replay.ts), with the model hash and a version, authenticated with HMAC-SHA256 under the engine's
 * credential key and carried as standard base64 (das-Peak's own credentials are opaque base64 strings
 * too).
 *
 * Layout (big-endian):
 *   magic "DPSB" (4) · format version (1) · feature version (1) · model hash length L (1) ·
 *   model hash, UTF-8 (L) · issued at, Unix seconds (4) · vector length N (1) · scale, float32 (4) ·
 *   N × int16 (vector / scale) · [format 2: print length M (2) · M × (fingerprint uint32, position
 *   step uint16 from the previous entry)] · HMAC-SHA256 of everything before it (32)
 *
 * Format 1 (no print) is still read: such a credential has no replay print, so nothing is a replay of it.
 *
 * The vector is quantised to 16 bits with one scale per credential (its largest magnitude maps to
 * 32767): the rounding error is below 1/65000 of the largest value, far too small to move a score.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { voiceprintError } from './errors.js';
import { FEATURE_VERSION } from './model.js';
import { EMPTY_REPLAY_PRINT, type ReplayPrint } from './replay.js';

export const CREDENTIAL_FORMAT_VERSION = 2;
/** Formats this code reads. */
const READABLE_FORMATS = new Set([1, 2]);
const MAGIC = Buffer.from('DPSB', 'ascii');
const MAC_BYTES = 32;
/** Magic, format and feature versions, model hash length. */
const FIXED_HEAD = MAGIC.length + 3;
/** Issued-at, vector length, scale. */
const FIXED_MIDDLE = 4 + 1 + 4;
/** No credential this engine writes comes near this; longer input is refused before decoding. */
const MAX_CREDENTIAL_CHARS = 4096;
/** Bytes of one print entry. */
const PRINT_ENTRY = 6;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface CredentialContent {
  formatVersion: number;
  featureVersion: number;
  modelHash: string;
  /** Unix time in whole seconds. */
  issuedAt: number;
  vector: Float64Array;
  /** The sampled fingerprints of the registration speech (empty in a format 1 credential). */
  replayPrint: ReplayPrint;
}

function mac(key: Uint8Array, bytes: Uint8Array): Buffer {
  return createHmac('sha256', key).update(bytes).digest();
}

function malformed(reason: string): never {
  throw voiceprintError(
    'voiceprint.credential_malformed',
    `the credential is not a usable sandbox voiceprint credential: ${reason}`,
  );
}

export function encodeCredential(
  key: Uint8Array,
  content: Omit<CredentialContent, 'formatVersion' | 'featureVersion'>,
): string {
  const hash = Buffer.from(content.modelHash, 'utf8');
  const n = content.vector.length;
  const print = content.replayPrint;
  const m = print.fingerprints.length;
  const body = Buffer.alloc(FIXED_HEAD + hash.length + FIXED_MIDDLE + 2 * n + 2 + PRINT_ENTRY * m);
  let at = MAGIC.copy(body, 0);
  at = body.writeUInt8(CREDENTIAL_FORMAT_VERSION, at);
  at = body.writeUInt8(FEATURE_VERSION, at);
  at = body.writeUInt8(hash.length, at);
  at += hash.copy(body, at);
  at = body.writeUInt32BE(content.issuedAt, at);
  at = body.writeUInt8(n, at);
  let largest = 0;
  for (const v of content.vector) largest = Math.max(largest, Math.abs(v));
  const scale = Math.fround(largest > 0 ? largest / 32767 : 1);
  at = body.writeFloatBE(scale, at);
  for (const v of content.vector)
    at = body.writeInt16BE(Math.max(-32767, Math.min(32767, Math.round(v / scale))), at);
  at = body.writeUInt16BE(m, at);
  let previous = 0;
  for (let j = 0; j < m; j++) {
    at = body.writeUInt32BE(print.fingerprints[j]!, at);
    at = body.writeUInt16BE(Math.min(0xffff, print.positions[j]! - previous), at);
    previous = print.positions[j]!;
  }
  return Buffer.concat([body, mac(key, body)]).toString('base64');
}

/**
 * Decodes and authenticates a credential. Throws `voiceprint.credential_malformed` when it is not one of
 * ours (or was cut short), `voiceprint.credential_unauthentic` when the HMAC does not match and
 * `voiceprint.credential_version_unsupported` for a layout this code does not read. The model hash is
 * returned, not checked: that is the engine's business.
 */
export function decodeCredential(key: Uint8Array, credential: unknown): CredentialContent {
  if (typeof credential !== 'string')
    malformed(`expected a base64 string, got ${credential === null ? 'null' : typeof credential}`);
  if (credential.length === 0) malformed('it is empty');
  if (credential.length > MAX_CREDENTIAL_CHARS) malformed(`it is ${credential.length} characters long`);
  if (!BASE64.test(credential)) malformed('it is not standard base64');
  const bytes = Buffer.from(credential, 'base64');
  if (bytes.length < FIXED_HEAD + FIXED_MIDDLE + MAC_BYTES) malformed(`it is only ${bytes.length} bytes`);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC))
    malformed('it does not start with the sandbox credential marker');
  const hashLength = bytes.readUInt8(FIXED_HEAD - 1);
  const vectorAt = FIXED_HEAD + hashLength + 4;
  if (bytes.length < vectorAt + 1 + 4 + MAC_BYTES) malformed('it ends inside its header');
  const n = bytes.readUInt8(vectorAt);
  const printAt = vectorAt + 1 + 4 + 2 * n;
  const withPrint = bytes.readUInt8(MAGIC.length) >= 2;
  if (withPrint && bytes.length < printAt + 2 + MAC_BYTES) malformed('it ends inside its vector');
  const m = withPrint ? bytes.readUInt16BE(printAt) : 0;
  const expected = withPrint ? printAt + 2 + PRINT_ENTRY * m + MAC_BYTES : printAt + MAC_BYTES;
  if (bytes.length !== expected) malformed(`it is ${bytes.length} bytes, its header announces ${expected}`);

  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  if (!timingSafeEqual(mac(key, body), bytes.subarray(bytes.length - MAC_BYTES))) {
    throw voiceprintError(
      'voiceprint.credential_unauthentic',
      'the credential was not issued by this sandbox (altered, or made with another credential key)',
    );
  }
  const formatVersion = bytes.readUInt8(MAGIC.length);
  const featureVersion = bytes.readUInt8(MAGIC.length + 1);
  if (!READABLE_FORMATS.has(formatVersion) || featureVersion !== FEATURE_VERSION) {
    throw voiceprintError(
      'voiceprint.credential_version_unsupported',
      `the credential has format ${formatVersion} / features ${featureVersion}; ` +
        `this engine reads format ${CREDENTIAL_FORMAT_VERSION} / features ${FEATURE_VERSION}`,
      { formatVersion, featureVersion },
    );
  }
  const modelHash = bytes.toString('utf8', FIXED_HEAD, FIXED_HEAD + hashLength);
  const issuedAt = bytes.readUInt32BE(FIXED_HEAD + hashLength);
  const scale = bytes.readFloatBE(vectorAt + 1);
  const vector = new Float64Array(n);
  for (let i = 0; i < n; i++) vector[i] = bytes.readInt16BE(vectorAt + 5 + 2 * i) * scale;
  let replayPrint = EMPTY_REPLAY_PRINT;
  if (m > 0) {
    replayPrint = { fingerprints: new Uint32Array(m), positions: new Uint32Array(m) };
    let position = 0;
    for (let j = 0; j < m; j++) {
      const at = printAt + 2 + PRINT_ENTRY * j;
      replayPrint.fingerprints[j] = bytes.readUInt32BE(at);
      position += bytes.readUInt16BE(at + 4);
      replayPrint.positions[j] = position;
    }
  }
  return { formatVersion, featureVersion, modelHash, issuedAt, vector, replayPrint };
}
