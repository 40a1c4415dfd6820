/**
 * Time as a dependency of the emulator. Token expiry, session deadlines, retention and the early-audio
 * window all read `clock` and schedule with `timers`, so tests can move time instead of waiting.
 */

/** Milliseconds since the epoch. */
export interface SandboxClock {
  now(): number;
}

/** The shape of the Audiohook server's `Timers`, so the same object drives both. */
export interface SandboxTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SandboxClock = { now: () => Date.now() };

export const systemTimers: SandboxTimers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, Math.max(0, ms));
    // A pending sandbox timer never keeps a process alive on its own; stop() clears them anyway.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One cancellable timer; starting it again replaces the pending one. */
export class Timer {
  private handle: unknown;
  private armed = false;

  constructor(private readonly timers: SandboxTimers) {}

  start(ms: number, fn: () => void): void {
    this.cancel();
    this.armed = true;
    const handle = this.timers.setTimeout(() => {
      if (this.handle !== handle) return;
      this.armed = false;
      fn();
    }, ms);
    this.handle = handle;
  }

  cancel(): void {
    if (this.armed) this.timers.clearTimeout(this.handle);
    this.armed = false;
    this.handle = undefined;
  }

  get pending(): boolean {
    return this.armed;
  }
}

/** Resolves after `ms` on the injected timers (0 resolves on the next timer turn). */
export function delay(timers: SandboxTimers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}
