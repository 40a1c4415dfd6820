/**
 * Time and timers are injected so tests can run sessions with short timeouts and a fixed clock
 * (signature `created`, nonce expiry) without touching globals.
 */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Milliseconds since the Unix epoch. Used for signature times, nonce expiry and round-trip times. */
export type Clock = () => number;

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A pending protocol timer must never keep a process alive on its own.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Sub-millisecond wall clock, so round-trip times on a local socket are not all zero. */
export const systemClock: Clock = () => performance.timeOrigin + performance.now();

/** One cancellable timer slot: starting it again replaces the pending one. */
export class TimerSlot {
  private slot: { handle: TimerHandle } | undefined;

  constructor(private readonly timers: Timers) {}

  start(ms: number, fn: () => void): void {
    this.cancel();
    const slot: { handle: TimerHandle } = { handle: undefined };
    slot.handle = this.timers.setTimeout(() => {
      if (this.slot === slot) this.slot = undefined;
      fn();
    }, ms);
    this.slot = slot;
  }

  cancel(): void {
    if (this.slot) this.timers.clearTimeout(this.slot.handle);
    this.slot = undefined;
  }

  get pending(): boolean {
    return this.slot !== undefined;
  }
}
