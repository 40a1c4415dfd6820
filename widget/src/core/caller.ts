import { aniDigits, E164_PATTERN } from '../../../src/identity/ani.js';

/**
 * The caller's number as the widget sends it to utils.js: the first half of the kit's normaliseAni
 * (the same code the backend runs: tel:/sip: unwrapped, withheld callers refused, separators and
 * `00` dropped). The second half, checking the number against phone-number metadata, is the
 * backend's: every route normalises what it is given, so both sides land on one E.164 key.
 */
export type CallerNumber =
  { ok: true; ani: string } | { ok: false; problem: 'withheld' | 'invalid'; raw: string };

export function callerNumber(raw: string | null | undefined): CallerNumber {
  let digits: string;
  try {
    digits = aniDigits(raw);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ok: false, problem: code === 'ani.withheld' ? 'withheld' : 'invalid', raw: String(raw ?? '') };
  }
  // An international number must have E.164's shape; a national one is left to the backend's
  // default country (backend.defaultCountry).
  if (digits.startsWith('+') && !E164_PATTERN.test(digits)) {
    return { ok: false, problem: 'invalid', raw: String(raw) };
  }
  return { ok: true, ani: digits };
}
