import { createHmac, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../timers.js';
import {
  AUDIOHOOK_SIGNED_COMPONENTS,
  SIGNATURE_ALGORITHM,
  SIGNATURE_LABEL,
  buildSignatureBase,
  canonicalFieldValue,
} from './components.js';
import { decodeClientSecret } from './secret.js';
import { serializeDictionary, type SfInnerList } from './structured-fields.js';

/** Lifetime Genesys' reference signer gives a signature (`expires = created + 30`). */
export const DEFAULT_SIGNATURE_LIFETIME_SECONDS = 30;
/** 18 random bytes → 24 base64 characters, as the reference signer. */
export const DEFAULT_NONCE_BYTES = 18;

export interface AudiohookHandshake {
  /** The WebSocket URL; `@request-target` is its path and query, `@authority` its host[:port]. */
  url: string | URL;
  organizationId: string;
  sessionId: string;
  correlationId: string;
  apiKey: string;
}

export interface SignOptions extends AudiohookHandshake {
  /** Base64 client secret; the HMAC key is its decoded bytes. */
  clientSecret: string;
  /** Fixed values for tests and vectors; otherwise taken from the clock and randomness. */
  nonce?: string;
  created?: number;
  expires?: number;
  lifetimeSeconds?: number;
  clock?: Clock;
  randomBytes?: (size: number) => Uint8Array;
}

export interface SignatureHeaders {
  'Signature-Input': string;
  Signature: string;
}

/** Values of the six signed components for a handshake. */
export function handshakeComponentValues(h: AudiohookHandshake): Array<{ name: string; value: string }> {
  const url = typeof h.url === 'string' ? new URL(h.url) : h.url;
  const values: Record<(typeof AUDIOHOOK_SIGNED_COMPONENTS)[number], string> = {
    '@request-target': `${url.pathname}${url.search}`,
    // WHATWG URL.host is lower-case and drops the scheme's default port, as @authority requires.
    '@authority': url.host,
    'audiohook-organization-id': h.organizationId,
    'audiohook-session-id': h.sessionId,
    'audiohook-correlation-id': h.correlationId,
    'x-api-key': h.apiKey,
  };
  return AUDIOHOOK_SIGNED_COMPONENTS.map((name) => ({ name, value: canonicalFieldValue(values[name]) }));
}

/**
 * RFC 9421 signature headers for an Audiohook upgrade request, the way Genesys signs: HMAC-SHA256,
 * label `sig1`, params keyid/nonce/alg/created/expires in that order.
 */
export function signAudiohookRequest(options: SignOptions): SignatureHeaders {
  const key = decodeClientSecret(options.clientSecret);
  const created = options.created ?? Math.floor((options.clock ?? systemClock)() / 1000);
  const expires =
    options.expires ?? created + (options.lifetimeSeconds ?? DEFAULT_SIGNATURE_LIFETIME_SECONDS);
  const nonce =
    options.nonce ??
    Buffer.from((options.randomBytes ?? randomBytes)(DEFAULT_NONCE_BYTES)).toString('base64');

  const params: SfInnerList = {
    items: AUDIOHOOK_SIGNED_COMPONENTS.map((name) => ({ value: name, params: new Map() })),
    params: new Map<string, string | number>([
      ['keyid', options.apiKey],
      ['nonce', nonce],
      ['alg', SIGNATURE_ALGORITHM],
      ['created', created],
      ['expires', expires],
    ]),
  };
  const base = buildSignatureBase(handshakeComponentValues(options), params);
  const mac = createHmac('sha256', key).update(base, 'utf8').digest();
  return {
    'Signature-Input': serializeDictionary(new Map([[SIGNATURE_LABEL, params]])),
    Signature: serializeDictionary(
      new Map([[SIGNATURE_LABEL, { value: new Uint8Array(mac), params: new Map() }]]),
    ),
  };
}
