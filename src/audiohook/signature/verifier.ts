import { createHmac, timingSafeEqual } from 'node:crypto';
import { AudiohookError } from '../errors.js';
import { systemClock, type Clock } from '../timers.js';
import {
  AUDIOHOOK_SIGNED_COMPONENTS,
  SIGNATURE_ALGORITHM,
  SIGNATURE_LABEL,
  buildSignatureBase,
  canonicalFieldValue,
} from './components.js';
import type { NonceCache } from './nonce-cache.js';
import { decodeClientSecret } from './secret.js';
import { isInnerList, parseDictionary, type SfDictionary, type SfInnerList } from './structured-fields.js';

/** Reference-server policy: a signature older than this is refused. */
export const DEFAULT_MAX_SIGNATURE_AGE_SECONDS = 10;
/** Reference-server policy: tolerated difference between the signer's and our clock. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 3;
/** Reference-server policy: shorter nonces are refused (the reference signer makes 24 characters). */
export const DEFAULT_MIN_NONCE_LENGTH = 22;

export type HeaderFields = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyRequest {
  /** Request headers with lower-case names, as Node's `IncomingMessage.headers`. */
  headers: HeaderFields;
  /** Path and query of the request line (`IncomingMessage.url`). */
  requestTarget: string;
  /** `@authority` as the signer saw it; defaults to the Host header (set it behind a rewriting proxy). */
  authority?: string;
}

export interface VerifyOptions {
  /** Base64 client secret configured for the API key. */
  clientSecret: string;
  maxSignatureAgeSeconds?: number;
  clockSkewSeconds?: number;
  minNonceLength?: number;
  /** Refuses a nonce seen before; without a cache replays are not detected. */
  nonceCache?: NonceCache;
  clock?: Clock;
}

export interface VerifiedSignature {
  label: string;
  keyid: string;
  nonce: string;
  created: number;
  expires: number | undefined;
}

export type VerifyResult = { ok: true; signature: VerifiedSignature } | { ok: false; error: AudiohookError };

const SUPPORTED_DERIVED = new Set(['@request-target', '@authority', '@method', '@path', '@query']);

function failure(code: string, message: string): { ok: false; error: AudiohookError } {
  return { ok: false, error: new AudiohookError(`audiohook.${code}`, message, { status: 401 }) };
}

function header(headers: HeaderFields, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return canonicalFieldValue(value);
}

/**
 * Verifies an Audiohook upgrade request's RFC 9421 signature: every Genesys component covered,
 * `alg` hmac-sha256, `keyid` equal to X-API-KEY, a long enough nonce, `created`/`expires` within
 * age and skew, the HMAC (constant time), and the nonce not seen before.
 */
export function verifyAudiohookSignature(request: VerifyRequest, options: VerifyOptions): VerifyResult {
  const { headers } = request;
  const input = headers['signature-input'];
  const sig = headers['signature'];
  if (input === undefined && sig === undefined) {
    return failure('signature_missing', 'the request is not signed (no Signature-Input / Signature headers)');
  }
  if (input === undefined || sig === undefined) {
    return failure('signature_malformed', 'Signature-Input and Signature must both be present');
  }

  let inputs: SfDictionary;
  let signatures: SfDictionary;
  try {
    inputs = parseDictionary(input);
    signatures = parseDictionary(sig);
  } catch (err) {
    return failure(
      'signature_malformed',
      `signature header is not a structured-field dictionary: ${(err as Error).message}`,
    );
  }

  const label = inputs.has(SIGNATURE_LABEL) ? SIGNATURE_LABEL : inputs.keys().next().value;
  if (label === undefined) return failure('signature_malformed', 'Signature-Input has no signature');
  const covered = inputs.get(label);
  const signature = signatures.get(label);
  if (!covered || !isInnerList(covered)) {
    return failure('signature_malformed', `Signature-Input "${label}" is not an inner list`);
  }
  if (!signature || isInnerList(signature) || !(signature.value instanceof Uint8Array)) {
    return failure('signature_malformed', `Signature has no byte sequence labelled "${label}"`);
  }

  const params = readParams(covered);
  if ('error' in params) return failure('signature_malformed', params.error);

  // Components: known kinds only, no duplicates, no parameters, all of Genesys' six present.
  const components: Array<{ name: string; value: string }> = [];
  const seen = new Set<string>();
  for (const item of covered.items) {
    if (typeof item.value !== 'string')
      return failure('signature_malformed', 'covered components must be strings');
    const name = item.value;
    if (item.params.size > 0)
      return failure('signature_components', `component parameters are not supported ("${name}")`);
    if (seen.has(name)) return failure('signature_components', `component "${name}" is listed twice`);
    seen.add(name);
    const value = componentValue(name, request);
    if (value === undefined)
      return failure('signature_components', `cannot resolve covered component "${name}"`);
    components.push({ name, value });
  }
  const missing = AUDIOHOOK_SIGNED_COMPONENTS.filter((c) => !seen.has(c));
  if (missing.length > 0) {
    return failure(
      'signature_components',
      `signature does not cover ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  }

  const { keyid, nonce, alg, created, expires } = params;
  if (alg !== SIGNATURE_ALGORITHM) {
    return failure('signature_alg', `signature algorithm must be "${SIGNATURE_ALGORITHM}"`);
  }
  if (keyid === undefined) return failure('signature_keyid', 'signature has no keyid');
  if (keyid !== header(headers, 'x-api-key'))
    return failure('signature_keyid', 'signature keyid is not the X-API-KEY');
  const minNonce = options.minNonceLength ?? DEFAULT_MIN_NONCE_LENGTH;
  if (nonce === undefined || nonce.length < minNonce) {
    return failure('signature_nonce', `signature nonce missing or shorter than ${minNonce} characters`);
  }
  if (created === undefined) return failure('signature_malformed', 'signature has no created time');

  const now = (options.clock ?? systemClock)() / 1000;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const maxAge = options.maxSignatureAgeSeconds ?? DEFAULT_MAX_SIGNATURE_AGE_SECONDS;
  if (created > now + skew) return failure('signature_future', 'signature created time is in the future');
  if (now - created > maxAge + skew)
    return failure('signature_expired', `signature is older than ${maxAge} s`);
  if (expires !== undefined && expires < now - skew)
    return failure('signature_expired', 'signature has expired');

  let key: Uint8Array;
  try {
    key = decodeClientSecret(options.clientSecret);
  } catch (err) {
    return { ok: false, error: err as AudiohookError };
  }
  const base = buildSignatureBase(components, covered);
  const expected = createHmac('sha256', key).update(base, 'utf8').digest();
  const given = Buffer.from(signature.value);
  // timingSafeEqual needs equal lengths; a wrong-length signature is compared with itself and fails.
  const lengthOk = given.length === expected.length;
  const same = timingSafeEqual(lengthOk ? given : expected, expected) && lengthOk;
  if (!same) return failure('signature_mismatch', 'signature does not match');

  if (options.nonceCache) {
    const keepUntil = 1000 * Math.min(created + maxAge + skew, (expires ?? Infinity) + skew);
    const admission = options.nonceCache.admit(keyid, nonce, keepUntil);
    if (admission === 'replayed') return failure('signature_replayed', 'signature nonce was already used');
    if (admission === 'full')
      return failure('nonce_cache_full', 'too many recent signatures to check for replay');
  }
  return { ok: true, signature: { label, keyid, nonce, created, expires } };
}

type SignatureParams = { keyid?: string; nonce?: string; alg?: string; created?: number; expires?: number };

function readParams(list: SfInnerList): SignatureParams | { error: string } {
  const out: SignatureParams = {};
  for (const [key, value] of list.params) {
    switch (key) {
      case 'keyid':
      case 'nonce':
      case 'alg':
        if (typeof value !== 'string') return { error: `signature parameter ${key} must be a string` };
        out[key] = value;
        break;
      case 'created':
      case 'expires':
        if (typeof value !== 'number' || value < 0)
          return { error: `signature parameter ${key} must be an integer` };
        out[key] = value;
        break;
      default:
        return { error: `unknown signature parameter "${key}"` };
    }
  }
  return out;
}

function componentValue(name: string, request: VerifyRequest): string | undefined {
  if (name.startsWith('@')) {
    if (!SUPPORTED_DERIVED.has(name)) return undefined;
    const target = request.requestTarget;
    const q = target.indexOf('?');
    switch (name) {
      case '@request-target':
        return target;
      case '@authority': {
        const authority = request.authority ?? header(request.headers, 'host');
        return authority?.toLowerCase();
      }
      case '@method':
        return 'GET';
      case '@path':
        return q < 0 ? target : target.slice(0, q);
      default:
        return q < 0 ? '?' : target.slice(q);
    }
  }
  if (name === 'signature' || name === 'signature-input') return undefined;
  return header(request.headers, name);
}
