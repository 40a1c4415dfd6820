/**
 * The identity key of the kit: the caller's ANI normalised to E.164. The backend, the IVR flows and
 * the agent widget all call this one function, so a voice registered in one place is found in the
 * others. It must run in a browser too: no Node-only APIs here (the hash lives in ./hash.ts).
 */
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { KitError } from '../errors.js';

export interface NormaliseAniOptions {
  /** ISO 3166 country (such as ES) used for numbers written in national format. */
  defaultCountry?: string | undefined;
}

/** What E.164 allows: a plus, a non-zero country code digit, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

/** Longer input is not a phone number; refusing it early keeps the parsing cheap. */
const MAX_INPUT_LENGTH = 256;

/** Words carriers and SIP stacks put where a withheld caller's number would be. */
const WITHHELD = new Set([
  'anonymous',
  'anonymous.invalid',
  'private',
  'withheld',
  'restricted',
  'unavailable',
  'unknown',
  'blocked',
  'unknown caller',
  'no caller id',
]);

/**
 * A bounded memo (least recently used) for pure functions of a string, such as normaliseAni. The
 * backend normalises the same few numbers over and over (a caller verified again and again, the
 * same number checked by the route, the conversation check and the store), and parsing one costs
 * more than the rest of a cached read's checks together. Bounded, because the keys come from
 * requests: anyone can send new ones. Here, beside normaliseAni, because this module
 * must stay free of imports a browser lacks.
 */
export class BoundedMemo<V> {
  readonly #max: number;
  /** A Map iterates in insertion order: the first key is the least recently used. */
  readonly #entries = new Map<string, V>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('a memo holds at least one entry');
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value remembered for key, or compute(key), remembered. A throw is not remembered. */
  get(key: string, compute: (key: string) => V): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Moved to the end: the most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const value = compute(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }
}

/**
 * Normalisations remembered (normaliseAni is pure): parsing with libphonenumber is the costliest
 * step of a cached credential read's checks, and the backend normalises the same number several
 * times per request (route, conversation check, store) and again at each verification of a caller.
 * 1 000 keys of at most 256 characters: well under a megabyte.
 */
const normalised = new BoundedMemo<string>(1000);

const E164_HINT = 'send the caller number in E.164 form, such as +34600000000';

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164_PATTERN.test(value);
}

/**
 * Normalises a caller number (`tel:+34 600-000-000`, `sip:+34600000000@host;user=phone`,
 * `0034 600 000 000`, or `600 000 000` with defaultCountry ES) to E.164 (`+34600000000`).
 * Throws KitError `ani.withheld` for anonymous or empty callers and `ani.invalid` (400) otherwise.
 */
export function normaliseAni(input: unknown, options: NormaliseAniOptions = {}): string {
  const country = options.defaultCountry;
  // Only a known country (a two-letter code) goes into a key, so no two (country, input) pairs share
  // one; an unknown country is refused by parseAni each time.
  if (
    typeof input !== 'string' ||
    input.length > MAX_INPUT_LENGTH ||
    (country !== undefined && !isSupportedCountry(country))
  ) {
    return parseAni(input, options);
  }
  // The result depends on the input and the default country only; failures are not remembered.
  return normalised.get(`${country ?? ''}\u0000${input}`, () => parseAni(input, options));
}

/**
 * The first half of normaliseAni, which needs no phone-number metadata: unwraps a tel:/sip: URI,
 * refuses a withheld caller, drops separators and turns `00` into `+`. The result is `+` and digits
 * (international) or digits only (national). The agent widget uses this half alone, because the
 * metadata would not fit its size budget; the backend then applies the whole of normaliseAni.
 * Throws KitError `ani.withheld` or `ani.invalid`, as normaliseAni does.
 */
export function aniDigits(input: unknown): string {
  if (input === undefined || input === null) throw withheld();
  if (typeof input !== 'string') throw invalid('the caller number is not a string');
  const raw = input.trim();
  if (raw.length > MAX_INPUT_LENGTH) throw invalid('the caller number is too long to be a phone number');
  if (raw === '') throw withheld();

  const { number, phoneContext } = unwrapUri(raw);
  if (number === '' || WITHHELD.has(number.toLowerCase())) throw withheld();
  if (!/^\+?[\d\s\-.()/]+$/.test(number)) {
    throw invalid('the caller number holds characters a phone number does not have');
  }

  let digits = number.replace(/[\s\-.()/]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  else if (!digits.startsWith('+') && phoneContext) digits = `${phoneContext}${digits}`;
  if (digits.lastIndexOf('+') > 0 || !/\d/.test(digits)) throw invalid('the caller number is malformed');
  return digits;
}

function parseAni(input: unknown, options: NormaliseAniOptions): string {
  const digits = aniDigits(input);

  const country = options.defaultCountry;
  if (country !== undefined && !isSupportedCountry(country)) {
    throw new KitError(
      'ani.bad_default_country',
      `"${country}" is not a country phone numbers are known for`,
      {
        hint: 'set backend.defaultCountry to a two-letter ISO 3166 code such as ES or US',
      },
    );
  }
  if (!digits.startsWith('+') && country === undefined) {
    throw invalid('the caller number has no country code and no default country is configured', {
      hint: `${E164_HINT}, or set backend.defaultCountry to accept national numbers`,
    });
  }

  const parsed = parsePhoneNumberFromString(digits, country);
  if (!parsed || !parsed.isValid() || !E164_PATTERN.test(parsed.number)) {
    throw invalid('the caller number is not a valid phone number');
  }
  return parsed.number;
}

/**
 * Strips what surrounds the number in a URI: a display name and angle brackets, the tel:/sip:
 * scheme, a SIP host, URI parameters. A tel: `phone-context` that is a global number prefix
 * (RFC 3966) completes a local number.
 */
function unwrapUri(value: string): { number: string; phoneContext?: string } {
  let v = value;
  const bracket = /<([^>]*)>/.exec(v);
  if (bracket) v = bracket[1]!.trim();

  const scheme = /^(tel|sips?):/i.exec(v);
  let params = '';
  if (scheme) {
    v = v.slice(scheme[0].length);
    if (scheme[1]!.toLowerCase() !== 'tel') {
      const at = v.indexOf('@');
      if (at >= 0) v = v.slice(0, at);
    }
  }
  const semicolon = v.indexOf(';');
  if (semicolon >= 0) {
    params = v.slice(semicolon + 1);
    v = v.slice(0, semicolon);
  }
  if (/%[0-9A-Fa-f]{2}/.test(v)) {
    try {
      v = decodeURIComponent(v);
    } catch {
      throw invalid('the caller number holds a broken percent-encoding');
    }
  }
  const context = /(?:^|;)phone-context=(\+[\d.()-]+)/i.exec(params)?.[1];
  const phoneContext = context ? context.replace(/[.()-]/g, '') : undefined;
  return { number: v.trim(), ...(phoneContext ? { phoneContext } : {}) };
}

function withheld(): KitError {
  return new KitError('ani.withheld', 'the caller withheld their number (anonymous caller)', {
    status: 400,
    hint: 'voice biometrics needs the caller number; offer another way to identify the caller',
  });
}

function invalid(message: string, options: { hint?: string } = {}): KitError {
  return new KitError('ani.invalid', message, { status: 400, hint: options.hint ?? E164_HINT });
}
