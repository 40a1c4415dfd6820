import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * RFC 7636: a verifier is 43–128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`; an
 * S256 challenge is BASE64URL(SHA-256(verifier)) without padding, so always 43 characters.
 */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export function isValidVerifier(verifier: string): boolean {
  return VERIFIER.test(verifier);
}

export function isValidS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge);
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether the verifier hashes to the challenge; compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  const a = Buffer.from(s256Challenge(verifier));
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
