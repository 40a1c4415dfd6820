/**
 * Time, pacing and randomness are injected so retry tests can record requested delays exactly
 * (Retry-After: 2 → a 2000 ms sleep) and run without waiting.
 */

/** Milliseconds since the Unix epoch. */
export type Clock = () => number;

/**
 * Waits the given milliseconds, or less when `signal` aborts (it then resolves: the caller checks
 * why it woke up).
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A number in [0, 1), as Math.random; used for backoff jitter. */
export type Random = () => number;

export const systemClock: Clock = () => Date.now();

/**
 * The timer is referenced on purpose: a retry pause is work in progress, and when it is the only
 * thing left Node must wait for it, not exit 0 in the middle of a run (it did, with an unreferenced
 * timer, after one 429). A client that is closed aborts the pause through `signal` instead.
 */
export const systemSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, Math.max(0, ms));
    signal?.addEventListener('abort', wake, { once: true });
  });

export const systemRandom: Random = () => Math.random();
