import { createHash } from 'node:crypto';
import { KitError } from '../errors.js';
import { BoundedMemo, isE164 } from './ani.js';

/** Digests remembered: the store digests the number of every read, mostly of the same callers. */
const digested = new BoundedMemo<string>(1000);

/**
 * SHA-256 (hex) of an E.164 number. Never stored, logged or shown: phone numbers are few enough to
 * be enumerated, so this digest is as good as the number to anyone who has it. The store keys its
 * rows by an HMAC of it under a configured key (KeyRing.callerHash), and binds each sealed
 * credential to it. (Version 1 of the store keyed rows by this digest itself; migration 3 replaced
 * every such key by its HMAC.)
 */
export function aniDigest(e164: string): string {
  if (!isE164(e164)) {
    throw new KitError('ani.invalid', 'only a normalised (E.164) caller number can be hashed', {
      status: 400,
      hint: 'normalise the number with normaliseAni() first',
    });
  }
  return digested.get(e164, (value) => createHash('sha256').update(value, 'utf8').digest('hex'));
}
