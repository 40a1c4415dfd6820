import { newSecret, sha256 } from '../ids.js';
import type { Clock } from '../clock.js';

/** What an authorization code stands for until it is exchanged. */
export interface CodeGrant {
  clientId: string;
  userId: string;
  /** The redirect URI of the authorize request; the token request must send the same one. */
  redirectUri: string;
  /** S256 challenge; absent only for a confidential CODE client that did not use PKCE. */
  codeChallenge?: string;
}

interface CodeRecord extends CodeGrant {
  expiresAt: number;
  /** Set once exchanged: a second use is refused and revokes what the first one issued. */
  usedAt?: number;
  /** Hash of the token the code was exchanged for. */
  tokenHash?: string;
}

export type TakeResult =
  | { ok: true; grant: CodeGrant; redeem(tokenHash: string): void }
  | { ok: false; reason: 'unknown' | 'expired' | 'used'; revoke?: string };

/**
 * Authorization codes of one org, kept in memory only (a restart invalidates them, as a lost login
 * session would). Codes are random, stored by hash, short-lived and single-use.
 */
export class AuthorizationCodes {
  private readonly codes = new Map<string, CodeRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeSeconds: number,
  ) {}

  issue(grant: CodeGrant): string {
    this.prune();
    const code = newSecret(24);
    this.codes.set(sha256(code), { ...grant, expiresAt: this.clock.now() + this.lifetimeSeconds * 1000 });
    return code;
  }

  /**
   * Looks a code up for an exchange. A used code answers `used` with the hash of the token it was
   * exchanged for (RFC 6749 §4.1.2: the server should revoke it); the caller decides what else fails.
   */
  take(code: string): TakeResult {
    const record = this.codes.get(sha256(code));
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.usedAt !== undefined) {
      return { ok: false, reason: 'used', ...(record.tokenHash ? { revoke: record.tokenHash } : {}) };
    }
    if (record.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
    const { expiresAt: _e, usedAt: _u, tokenHash: _t, ...grant } = record;
    // Spent now, whatever the rest of the exchange decides: a code is tried once.
    record.usedAt = this.clock.now();
    return { ok: true, grant, redeem: (tokenHash) => (record.tokenHash = tokenHash) };
  }

  /** Forgets codes long past their lifetime (a used code is remembered as long, to catch a replay). */
  private prune(): void {
    const horizon = this.clock.now() - this.lifetimeSeconds * 1000 * 10;
    for (const [key, record] of this.codes) if (record.expiresAt < horizon) this.codes.delete(key);
  }
}
