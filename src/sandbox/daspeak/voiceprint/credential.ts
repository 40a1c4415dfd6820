/**
 * Sandbox credentials: the speaker vector, quantised, with the model hash and a version, authenticated
 * with HMAC-SHA256 under the engine's credential key and carried as standard base64 (das-Peak's own
 * credentials are opaque base64 strings too).
 *
 * Layout (big-endian):
 *   magic "DPSB" (4) · format version (1) · feature version (1) · model hash length L (1) ·
 *   model hash, UTF-8 (L) · issued at, Unix seconds (4) · vector length N (1) · scale, float32 (4) ·
 *   N × int16 (vector / scale) · HMAC-SHA256 of everything before it (32)
 *
 * The vector is quantised to 16 bits with one scale per credential (its largest magnitude maps to
 * 32767): the rounding error is below 1/65000 of the largest value, far too small to move a score.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { voiceprintError } from './errors.js';
import { FEATURE_VERSION } from './model.js';

export const CREDENTIAL_FORMAT_VERSION = 1;
const MAGIC = Buffer.from('DPSB', 'ascii');
const MAC_BYTES = 32;
/** Magic, format and feature versions, model hash length. */
const FIXED_HEAD = MAGIC.length + 3;
/** Issued-at, vector length, scale. */
const FIXED_MIDDLE = 4 + 1 + 4;
/** No credential this engine writes comes near this; longer input is refused before decoding. */
const MAX_CREDENTIAL_CHARS = 2048;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface CredentialContent {
  formatVersion: number;
  featureVersion: number;
  modelHash: string;
  /** Unix time in whole seconds. */
  issuedAt: number;
  vector: Float64Array;
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
  const body = Buffer.alloc(FIXED_HEAD + hash.length + FIXED_MIDDLE + 2 * n);
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
  const expected = vectorAt + 1 + 4 + 2 * n + MAC_BYTES;
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
  if (formatVersion !== CREDENTIAL_FORMAT_VERSION || featureVersion !== FEATURE_VERSION) {
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
  return { formatVersion, featureVersion, modelHash, issuedAt, vector };
}
