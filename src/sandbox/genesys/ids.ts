import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

/** A UUID derived from a namespace and a name, so seeded objects keep their ids across restarts. */
export function stableId(namespace: string, name: string): string {
  const h = createHash('sha256').update(`${namespace}/${name}`).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A random secret, URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hashSecret(secret: string, salt: string): string {
  return sha256(`${salt}:${secret}`);
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(presented: string, salt: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented, salt), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
