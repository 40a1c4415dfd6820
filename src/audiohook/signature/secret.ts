import { AudiohookError } from '../errors.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * The HMAC key: the client secret as Genesys stores it is base64, and the key is its decoded bytes.
 * Throws `audiohook.bad_client_secret` (the error never contains the secret).
 */
export function decodeClientSecret(secret: string): Uint8Array {
  if (typeof secret !== 'string' || secret.length === 0 || !BASE64.test(secret)) {
    throw new AudiohookError(
      'audiohook.bad_client_secret',
      'the Audiohook client secret is not valid base64',
      {
        hint: 'Genesys keeps the client secret base64-encoded; store base64 of the raw secret bytes',
      },
    );
  }
  return new Uint8Array(Buffer.from(secret, 'base64'));
}

/** `^[a-zA-Z0-9+/_-]+={0,2}$`, the shape Genesys' reference client accepts for an API key. */
export const API_KEY_PATTERN = /^[a-zA-Z0-9+/_-]+={0,2}$/;

export function checkApiKey(apiKey: string): void {
  if (typeof apiKey !== 'string' || !API_KEY_PATTERN.test(apiKey)) {
    throw new AudiohookError(
      'audiohook.bad_api_key',
      'the Audiohook API key has characters Genesys does not allow',
      {
        hint: 'use letters, digits, + / _ - and at most two trailing =',
      },
    );
  }
}
