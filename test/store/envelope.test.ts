import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KitError } from '../../src/errors.js';
import { KeyRing, type Sealed } from '../../src/store/index.js';

const k1 = { id: 'k1', key: randomBytes(32).toString('base64') };
const k2 = { id: 'k2', key: randomBytes(32).toString('base64') };
const binding = { purpose: 'credential' as const, subject: 'a'.repeat(64) };
const secret = Buffer.from('the credential');

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KitError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('envelope encryption', () => {
  it('seals under the first key with a fresh data key and IV each time, and opens with any configured key', () => {
    const ring = KeyRing.fromConfig([k1, k2]);
    const a = ring.seal(secret, binding);
    const b = ring.seal(secret, binding);
    expect(a.keyId).toBe('k1');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
    expect(a.ciphertext.includes(secret)).toBe(false);
    expect(ring.open(a, binding).equals(secret)).toBe(true);
    expect(KeyRing.fromConfig([k2, k1]).open(a, binding).equals(secret)).toBe(true);
  });

  it('fails as store.corrupt when the subject, purpose, key id or any byte differs', () => {
    const ring = KeyRing.fromConfig([k1, k2]);
    const sealed = ring.seal(secret, binding);
    const flip = (buf: Buffer, i: number) => {
      const copy = Buffer.from(buf);
      copy[i]! ^= 0x01;
      return copy;
    };
    const variants: [Sealed, typeof binding][] = [
      [sealed, { ...binding, subject: 'b'.repeat(64) }],
      [sealed, { ...binding, purpose: 'other' as 'credential' }],
      [{ ...sealed, keyId: 'k2' }, binding],
      [{ ...sealed, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) }, binding],
      [{ ...sealed, ciphertext: flip(sealed.ciphertext, 5) }, binding],
      [{ ...sealed, wrappedKey: flip(sealed.wrappedKey, 20) }, binding],
      [{ ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) }, binding],
      [{ ...sealed, ciphertext: flip(sealed.ciphertext, 0) }, binding],
    ];
    for (const [s, b] of variants) expect(code(() => ring.open(s, b))).toBe('store.corrupt');
  });

  it('names a key that is not configured as store.unknown_key', () => {
    const sealed = KeyRing.fromConfig([k1]).seal(secret, binding);
    expect(code(() => KeyRing.fromConfig([k2]).open(sealed, binding))).toBe('store.unknown_key');
  });

  it('uses the injected randomness for data keys and IVs', () => {
    let calls = 0;
    const ring = KeyRing.fromConfig([k1], (n) => {
      calls++;
      return Buffer.alloc(n, 7);
    });
    const a = ring.seal(secret, binding);
    const b = ring.seal(secret, binding);
    expect(calls).toBe(6);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(true);
  });

  it('never shows key bytes when logged or serialised', () => {
    const ring = KeyRing.fromConfig([k1, k2]);
    const shown = `${JSON.stringify(ring)} ${inspect(ring, { showHidden: true, depth: 5 })} ${JSON.stringify({ ...ring })}`;
    expect(shown).not.toContain(k1.key);
    expect(shown).not.toContain(Buffer.from(k1.key, 'base64').toString('hex'));
    expect(JSON.stringify(ring)).toBe('{"currentId":"k1","ids":["k1","k2"]}');
  });

  it('rejects keys that are not 32 bytes of base64, duplicate ids and an empty list', () => {
    expect(code(() => KeyRing.fromConfig([]))).toBe('store.bad_config');
    expect(code(() => KeyRing.fromConfig([{ id: 'k', key: randomBytes(16).toString('base64') }]))).toBe(
      'store.bad_config',
    );
    expect(
      code(() => KeyRing.fromConfig([{ id: 'k', key: 'not base64 at all, not at all!!!!!!!!!!!!!=' }])),
    ).toBe('store.bad_config');
    expect(code(() => KeyRing.fromConfig([k1, { ...k2, id: 'k1' }]))).toBe('store.bad_config');
  });
});

describe('keys derived from the configured keys', () => {
  const digest = createHash('sha256').update('+34600000000').digest('hex');

  it('key a caller hash with HMAC: stable per key, different under each key and from the plain digest', () => {
    const ring = KeyRing.fromConfig([k1, k2]);
    const h1 = ring.callerHash(digest);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(ring.callerHash(digest, 'k1')).toBe(h1);
    expect(KeyRing.fromConfig([k1]).callerHash(digest)).toBe(h1);
    expect(ring.callerHash(digest, 'k2')).not.toBe(h1);
    expect(h1).not.toBe(digest);
    // HMAC-SHA-256 of the digest's bytes under HKDF(key, "…caller-hash"): not the key itself.
    const raw = createHmac('sha256', Buffer.from(k1.key, 'base64'))
      .update(Buffer.from(digest, 'hex'))
      .digest('hex');
    expect(h1).not.toBe(raw);
    const derived = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(k1.key, 'base64'),
        'daspeak-genesys',
        'daspeak-genesys/v1 caller-hash',
        32,
      ),
    );
    expect(h1).toBe(createHmac('sha256', derived).update(Buffer.from(digest, 'hex')).digest('hex'));
    expect(code(() => ring.callerHash(digest, 'k9'))).toBe('store.unknown_key');
  });

  it('seal a caller reference bound to its row hash and key id', () => {
    const ring = KeyRing.fromConfig([k1, k2]);
    const hash = ring.callerHash(digest);
    const sealed = ring.sealCaller(Buffer.from('e164:+34600000000'), 'k1', hash);
    expect(sealed.includes(Buffer.from('+34600000000'))).toBe(false);
    expect(ring.openCaller(sealed, 'k1', hash).toString()).toBe('e164:+34600000000');
    expect(code(() => ring.openCaller(sealed, 'k1', ring.callerHash(digest, 'k2')))).toBe('store.corrupt');
    expect(code(() => ring.openCaller(sealed, 'k2', hash))).toBe('store.corrupt');
    expect(code(() => ring.openCaller(sealed, 'k9', hash))).toBe('store.unknown_key');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(code(() => ring.openCaller(flipped, 'k1', hash))).toBe('store.corrupt');
  });

  it('fingerprint a secret with a key id, and match it under any configured key only', () => {
    const ring = KeyRing.fromConfig([k2, k1]);
    const old = KeyRing.fromConfig([k1]).fingerprint('s3cret');
    expect(old).toMatch(/^hmac-sha256:k1:[0-9a-f]{64}$/);
    expect(old).not.toContain(createHash('sha256').update('s3cret').digest('hex'));
    expect(ring.fingerprint('s3cret')).toMatch(/^hmac-sha256:k2:/);
    expect(ring.fingerprintMatches(old, 's3cret')).toBe(true);
    expect(ring.fingerprintMatches(old, 's3cret!')).toBe(false);
    expect(KeyRing.fromConfig([k2]).fingerprintMatches(old, 's3cret')).toBe(false);
    expect(ring.fingerprintMatches(createHash('sha256').update('s3cret').digest('hex'), 's3cret')).toBe(
      false,
    );
  });
});
