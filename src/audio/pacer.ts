/**
 * Releases audio frames on a schedule: in real time (as a live call would produce them), `speed` times
 * faster, or as fast as the consumer takes them. The schedule is absolute (frame k is due when the audio
 * of frames 0..k has been "captured", measured from the start), so timer jitter never accumulates into
 * drift. Time comes from an injected Clock, which lets tests run a minute of audio in microseconds.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { KitError } from '../errors.js';

export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time: performance.now() and Node timers. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  sleep: async (ms: number, signal?: AbortSignal) => {
    await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
  },
});

/** A clock whose sleep returns at once and moves time forward by exactly the requested amount. */
export class VirtualClock implements Clock {
  private time: number;
  /** Every sleep requested, in order, for tests that check the schedule. */
  readonly sleeps: number[] = [];

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  /** Moves time forward, as if the consumer had been busy for `ms`. */
  advance(ms: number): void {
    this.time += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.time += Math.max(0, ms);
  }
}

export interface PaceOptions<T> {
  /** Seconds of audio an item holds. */
  duration: (item: T) => number;
  /** 1 = real time (default), N = N times faster, Infinity = no waiting at all. */
  speed?: number;
  clock?: Clock;
  /** Aborting ends the iteration with KitError `audio.pacer_aborted`, also while waiting. */
  signal?: AbortSignal;
}

function aborted(signal: AbortSignal): KitError {
  return new KitError('audio.pacer_aborted', 'audio pacing was cancelled', { cause: signal.reason });
}

/** Rejects when `signal` aborts; the listener is removed by `dispose` so nothing leaks per item. */
function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {}); // only observed when raced
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Yields the items of `source` (sync or async) paced by their audio duration. An item is due once the
 * audio up to and including it would have been captured live: with 200 ms frames at speed 1, the first
 * comes after 200 ms, and when the last has been released the elapsed time equals the total duration.
 * A consumer that falls behind gets the overdue items without waiting until it has caught up.
 */
export async function* pace<T>(
  source: Iterable<T> | AsyncIterable<T>,
  options: PaceOptions<T>,
): AsyncGenerator<T, void, undefined> {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) {
    throw new KitError('audio.pacer_invalid_speed', `pacing speed must be a number above 0, got ${speed}`, {
      hint: 'use 1 for real time, 10 for ten times faster, Infinity for no waiting',
    });
  }
  const clock = options.clock ?? systemClock;
  const { signal } = options;
  if (signal?.aborted) throw aborted(signal);

  const iterator =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const abort = signal ? abortPromise(signal) : undefined;
  let finished = false;
  try {
    const start = clock.now();
    let audioMs = 0;
    for (;;) {
      const next = iterator.next();
      const result =
        abort && next instanceof Promise ? await Promise.race([next, abort.promise]) : await next;
      if (result.done) {
        finished = true;
        return;
      }
      const item = result.value;
      const seconds = options.duration(item);
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new KitError('audio.pacer_invalid_duration', `an item reported a duration of ${seconds} s`);
      }
      audioMs += seconds * 1000;
      if (Number.isFinite(speed)) {
        const wait = start + audioMs / speed - clock.now();
        if (wait > 0) {
          try {
            await clock.sleep(wait, signal);
          } catch (error) {
            if (signal?.aborted) throw aborted(signal);
            throw error;
          }
        }
      }
      if (signal?.aborted) throw aborted(signal);
      yield item;
    }
  } finally {
    abort?.dispose();
    // Close the source when we stop early; do not wait for it, it may be stuck in a pending next().
    if (!finished && iterator.return) {
      void Promise.resolve(iterator.return()).catch(() => {});
    }
  }
}
