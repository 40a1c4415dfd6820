import { systemClock, type Clock } from '../timers.js';

export interface NonceCacheOptions {
  clock?: Clock;
  /** Upper bound on remembered nonces; a full cache refuses new ones rather than forget live ones. */
  maxEntries?: number;
}

export type NonceAdmission = 'new' | 'replayed' | 'full';

/**
 * Remembers signature nonces until the signature they came with could no longer be accepted, so
 * a captured handshake cannot be replayed within its validity window.
 */
export class NonceCache {
  private readonly entries = new Map<string, number>();
  private readonly clock: Clock;
  private readonly maxEntries: number;

  constructor(options: NonceCacheOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** Records `nonce` (scoped by key id) until `keepUntilMs`; says whether it was new. */
  admit(keyId: string, nonce: string, keepUntilMs: number): NonceAdmission {
    const now = this.clock();
    this.pruneFront(now);
    const key = `${keyId.length}:${keyId}:${nonce}`;
    const until = this.entries.get(key);
    if (until !== undefined && until > now) return 'replayed';
    if (this.entries.size >= this.maxEntries) {
      this.pruneAll(now);
      if (this.entries.size >= this.maxEntries) return 'full';
    }
    // Re-insert so Map order stays close to expiry order for the cheap front pruning.
    this.entries.delete(key);
    this.entries.set(key, keepUntilMs);
    return 'new';
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private pruneFront(now: number): void {
    for (const [key, until] of this.entries) {
      if (until > now) return;
      this.entries.delete(key);
    }
  }

  private pruneAll(now: number): void {
    for (const [key, until] of this.entries) if (until <= now) this.entries.delete(key);
  }
}
