/**
 * Envelope encryption of stored secrets. Each row gets its own random data key; the secret is
 * sealed with AES-256-GCM under the data key, and the data key is sealed (wrapped) with AES-256-GCM
 * under a configured key whose id is stored with the row. Both seals bind the row's purpose and
 * subject (the caller's ANI hash) as additional authenticated data, so a ciphertext copied to
 * another row, or to another purpose, fails to open.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes as nodeRandomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { KitError } from '../errors.js';
import { StoreErrorCode, storeCorrupt, storeUnknownKey } from './errors.js';

export type RandomBytes = (size: number) => Buffer;

/**
 * What a sealed credential is bound to. `subject` must identify the caller: the SHA-256 hex of the
 * E.164 number (aniDigest), which is never stored, so the binding survives re-keying the row's
 * keyed hash.
 */
export interface Binding {
  purpose: 'credential';
  subject: string;
}

/** Keys derived (HKDF-SHA-256) from one configured key, one per use, so no two uses share a key. */
interface DerivedKeys {
  /** HMAC key of the keyed caller hash. */
  callerHash: Buffer;
  /** AES-256-GCM key sealing the caller reference (the number) in the callers table. */
  callerSeal: Buffer;
  /** HMAC key of the secret fingerprints in the provisioning state file. */
  fingerprint: Buffer;
}

const HKDF_SALT = Buffer.from('daspeak-genesys', 'utf8');

function derive(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, HKDF_SALT, Buffer.from(info, 'utf8'), KEY_BYTES));
}

export interface Sealed {
  keyId: string;
  /** format byte · IV · GCM tag · encrypted data key */
  wrappedKey: Buffer;
  /** format byte · IV · GCM tag · encrypted secret */
  ciphertext: Buffer;
}

export interface KeySpec {
  id: string;
  /** Base64 of 32 bytes. */
  key: string;
}

const FORMAT_V1 = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * The configured keys. The first one seals new rows; every one of them opens. Key bytes live in a
 * private field so that logging or serialising a KeyRing cannot show them.
 */
export class KeyRing {
  readonly #keys: Map<string, Buffer>;
  readonly #derived: Map<string, DerivedKeys>;
  readonly #currentId: string;
  readonly #random: RandomBytes;

  private constructor(keys: Map<string, Buffer>, currentId: string, random: RandomBytes) {
    this.#keys = keys;
    this.#currentId = currentId;
    this.#random = random;
    this.#derived = new Map(
      [...keys].map(([id, key]) => [
        id,
        {
          callerHash: derive(key, 'daspeak-genesys/v1 caller-hash'),
          callerSeal: derive(key, 'daspeak-genesys/v1 caller-seal'),
          fingerprint: derive(key, 'daspeak-genesys/v1 state-fingerprint'),
        },
      ]),
    );
  }

  static fromConfig(specs: readonly KeySpec[], random: RandomBytes = nodeRandomBytes): KeyRing {
    if (specs.length === 0) {
      throw badKeys('no encryption key is configured', 'add one to backend.encryptionKeys');
    }
    const keys = new Map<string, Buffer>();
    specs.forEach((spec, i) => {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(spec.id)) {
        throw badKeys(`encryptionKeys[${i}] has an id that is not 1 to 32 letters, digits, _ or -`);
      }
      if (keys.has(spec.id)) throw badKeys(`encryption key id "${spec.id}" is used twice`);
      const bytes = Buffer.from(spec.key, 'base64');
      if (bytes.length !== KEY_BYTES || bytes.toString('base64') !== spec.key) {
        throw badKeys(
          `encryption key "${spec.id}" is not the base64 of exactly 32 bytes`,
          'generate one with: openssl rand -base64 32',
        );
      }
      keys.set(spec.id, bytes);
    });
    return new KeyRing(keys, specs[0]!.id, random);
  }

  /** Id of the key that seals new rows. */
  get currentId(): string {
    return this.#currentId;
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  seal(secret: Buffer, binding: Binding): Sealed {
    const keyId = this.#currentId;
    const dataKey = this.#random(KEY_BYTES);
    try {
      const ciphertext = gcmSeal(dataKey, secret, dataAad(binding), this.#random);
      const wrappedKey = gcmSeal(this.#keys.get(keyId)!, dataKey, wrapAad(binding, keyId), this.#random);
      return { keyId, wrappedKey, ciphertext };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Throws store.unknown_key when the row's key is not configured, store.corrupt when it does not authenticate. */
  open(sealed: Sealed, binding: Binding): Buffer {
    const key = this.#keys.get(sealed.keyId);
    if (!key) throw storeUnknownKey(sealed.keyId);
    const dataKey = gcmOpen(key, sealed.wrappedKey, wrapAad(binding, sealed.keyId));
    try {
      if (dataKey.length !== KEY_BYTES) throw storeCorrupt();
      return gcmOpen(dataKey, sealed.ciphertext, dataAad(binding));
    } finally {
      dataKey.fill(0);
    }
  }

  #derivedOf(keyId: string): DerivedKeys {
    const derived = this.#derived.get(keyId);
    if (!derived) throw storeUnknownKey(keyId);
    return derived;
  }

  /**
   * The keyed hash that names a caller in the database: HMAC-SHA-256, under a key derived from the
   * configured key `keyId` (default: the current one), of the caller's SHA-256 digest (64 hex digits,
   * see aniDigest). Hex. Without the key, trying every phone number no longer reverses it.
   */
  callerHash(digestHex: string, keyId: string = this.#currentId): string {
    return createHmac('sha256', this.#derivedOf(keyId).callerHash)
      .update(Buffer.from(digestHex, 'hex'))
      .digest('hex');
  }

  /** Seals a caller reference (the number, or a legacy digest) under `keyId`, bound to the row's keyed hash. */
  sealCaller(reference: Buffer, keyId: string, callerHash: string): Buffer {
    return gcmSeal(this.#derivedOf(keyId).callerSeal, reference, callerAad(keyId, callerHash), this.#random);
  }

  /** Throws store.unknown_key when `keyId` is not configured, store.corrupt when the value does not authenticate. */
  openCaller(sealed: Buffer, keyId: string, callerHash: string): Buffer {
    return gcmOpen(this.#derivedOf(keyId).callerSeal, sealed, callerAad(keyId, callerHash));
  }

  /**
   * A keyed fingerprint of a secret (`hmac-sha256:<keyId>:<hex>`), so that a file recording which
   * secret was last written (the provisioning state) cannot be used to guess it.
   */
  fingerprint(text: string, keyId: string = this.#currentId): string {
    const mac = createHmac('sha256', this.#derivedOf(keyId).fingerprint).update(text, 'utf8').digest('hex');
    return `hmac-sha256:${keyId}:${mac}`;
  }

  /** Whether `fingerprint` is this text's, under whichever configured key it names. */
  fingerprintMatches(fingerprint: string, text: string): boolean {
    const m = /^hmac-sha256:([A-Za-z0-9_-]{1,32}):[0-9a-f]{64}$/.exec(fingerprint);
    if (!m || !this.#derived.has(m[1]!)) return false;
    return timingSafeEqualText(this.fingerprint(text, m[1]), fingerprint);
  }

  toJSON(): { currentId: string; ids: string[] } {
    return { currentId: this.#currentId, ids: this.ids };
  }
}

function dataAad(b: Binding): Buffer {
  return Buffer.from(`daspeak-genesys/v1\0${b.purpose}\0${b.subject}\0data`, 'utf8');
}

function wrapAad(b: Binding, keyId: string): Buffer {
  return Buffer.from(`daspeak-genesys/v1\0${b.purpose}\0${b.subject}\0key\0${keyId}`, 'utf8');
}

function callerAad(keyId: string, callerHash: string): Buffer {
  return Buffer.from(`daspeak-genesys/v1\0caller\0${callerHash}\0${keyId}`, 'utf8');
}

function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer, random: RandomBytes): Buffer {
  const iv = random(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < HEADER_BYTES || sealed[0] !== FORMAT_V1) throw storeCorrupt();
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, HEADER_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
  } catch (err) {
    // Node reports a failed tag check as a generic Error; the cause carries no secret.
    throw storeCorrupt(err);
  }
}

function badKeys(message: string, hint = 'fix backend.encryptionKeys'): KitError {
  return new KitError(StoreErrorCode.badConfig, message, { hint });
}
