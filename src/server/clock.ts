/** Milliseconds since the epoch; injected so caches and token lifetimes can be tested without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
