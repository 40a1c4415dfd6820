import type { Clock } from '../clock.js';

const WINDOW_MS = 60_000;

/**
 * Requests per token per minute, in fixed one-minute windows that start at a token's first request
 * (Genesys: 300/min for a client-credentials token). A refusal carries the whole seconds until the
 * window ends, for `Retry-After`.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limitPerMinute: number,
    private readonly clock: Clock,
  ) {}

  /** Counts one request; undefined when allowed, else the seconds to wait. */
  take(key: string): number | undefined {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.windows.size > 10_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.limitPerMinute) return Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
    w.count += 1;
    return undefined;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
  }
}
