/**
 * Keeping credentials out of the test record and error text: the record is printed by the CLI and
 * answered by the Genesys sandbox, and a web service may echo a request back.
 */

const SECRET_FIELD = /pass|secret|key|token|auth|credential|cert/i;
const REDACTED = '[redacted]';

/**
 * The values to hide: credential fields whose names say they are secret (`password`, `apiKey`,
 * `clientSecret`...) and every string of the auth response. A base URL kept as a credential stays
 * visible, so a resolved URL can still be read.
 */
export function secretValues(
  credentials: Readonly<Record<string, unknown>>,
  authResponse: Readonly<Record<string, unknown>> | undefined,
): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(credentials)) {
    if (typeof value === 'string' && SECRET_FIELD.test(name)) out.push(value);
  }
  for (const value of Object.values(authResponse ?? {})) if (typeof value === 'string') out.push(value);
  // Very short values would redact ordinary words; longest first so a secret containing another goes whole.
  return out.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

/** A header is shown as `[redacted]` when its template draws on the credentials or the auth response. */
export function headerUsesSecrets(template: string): boolean {
  return /\$!?\{?\s*(credentials|authResponse)\b/.test(template);
}

export const REDACTED_VALUE = REDACTED;

/** The start of a text for a one-line message: secrets hidden, control characters flattened, cut. */
export function excerpt(text: string, limit: number, secrets: readonly string[] = []): string {
  // eslint-disable-next-line no-control-regex
  const flat = redact(text, secrets).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}… (${flat.length - limit} more characters)` : flat;
}
