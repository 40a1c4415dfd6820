/**
 * Time, pacing and randomness are injected so retry tests can record requested delays exactly
 * (Retry-After: 2 → a 2000 ms sleep) and run without waiting.
 */

/** Milliseconds since the Unix epoch. */
export type Clock = () => number;

/** Waits the given milliseconds. */
export type Sleep = (ms: number) => Promise<void>;

/** A number in [0, 1), as Math.random; used for backoff jitter. */
export type Random = () => number;

export const systemClock: Clock = () => Date.now();

export const systemSleep: Sleep = (ms) =>
  new Promise((resolve) => {
    // A retry pause must never keep a process alive on its own (a CLI that was told to stop).
    setTimeout(resolve, ms).unref();
  });

export const systemRandom: Random = () => Math.random();
