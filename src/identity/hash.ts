import { createHash } from 'node:crypto';
import { KitError } from '../errors.js';
import { BoundedMemo, isE164 } from './ani.js';

/** Hashes remembered: the store hashes the number of every read, mostly of the same callers. */
const hashed = new BoundedMemo<string>(1000);

/**
 * SHA-256 (hex) of an E.164 number: the form in which audit rows, logs and the store's keys name a
 * caller. It hides the number from a casual reader but is not anonymisation: phone numbers are few
 * enough to be enumerated, so treat the hash as personal data all the same.
 */
export function aniHash(e164: string): string {
  if (!isE164(e164)) {
    throw new KitError('ani.invalid', 'only a normalised (E.164) caller number can be hashed', {
      status: 400,
      hint: 'normalise the number with normaliseAni() first',
    });
  }
  return hashed.get(e164, (value) => createHash('sha256').update(value, 'utf8').digest('hex'));
}
