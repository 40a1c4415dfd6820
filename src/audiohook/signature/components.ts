import { serializeInnerList, type SfInnerList } from './structured-fields.js';

/** The components Genesys signs, in its order; a verifier requires all of them. */
export const AUDIOHOOK_SIGNED_COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
] as const;

export const SIGNATURE_ALGORITHM = 'hmac-sha256';
export const SIGNATURE_LABEL = 'sig1';

/** Canonical header field value (RFC 9421 §2.1): trimmed, obs-fold collapsed, repeated lines joined. */
export function canonicalFieldValue(value: string | readonly string[]): string {
  const one = (v: string) => v.trim().replace(/[ \t]*\r\n[ \t]+/g, ' ');
  return typeof value === 'string' ? one(value) : value.map(one).join(', ');
}

/**
 * The signature base (RFC 9421 §2.5): one `"name": value` line per covered component, then the
 * `@signature-params` line; joined with LF, no trailing newline.
 */
export function buildSignatureBase(
  components: ReadonlyArray<{ name: string; value: string }>,
  signatureParams: SfInnerList,
): string {
  return components
    .map(({ name, value }) => `"${name}": ${value}`)
    .concat(`"@signature-params": ${serializeInnerList(signatureParams)}`)
    .join('\n');
}
