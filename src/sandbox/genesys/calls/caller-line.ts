import { framesFor, type CallAudio } from './audio.js';

/**
 * The caller's side of a call placed with `continuous: true`: what the caller says first, then more
 * on demand (`say`), on a line that stays open until hang-up. Between utterances nothing is sent
 * (Genesys would send the line's silence): das-Peak keeps audio that arrives before a session for a
 * while, and a stream of silence, faster than real time, would push the caller's words out of it.
 * Each Audiohook session of the call reads its own copy, so every integration hears everything.
 */
export class CallerLine {
  private readonly listeners = new Set<{ queue: CallAudio[]; wake: () => void }>();

  /** The caller says `audio` now, on every session of the call. */
  say(audio: CallAudio): void {
    for (const l of this.listeners) {
      l.queue.push(audio);
      l.wake();
    }
  }

  /** Frames in the order of `channels`, for one session, until `signal` aborts. */
  async *frames(
    first: CallAudio,
    channels: readonly string[],
    frameMs: number,
    signal: AbortSignal,
  ): AsyncGenerator<Uint8Array> {
    const listener = { queue: [first], wake: () => {} };
    this.listeners.add(listener);
    const stop = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    try {
      while (!signal.aborted) {
        const next = listener.queue.shift();
        if (next) {
          yield* framesFor(next, channels, frameMs);
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (listener.wake = resolve)), stop]);
        listener.wake = () => {};
      }
    } finally {
      this.listeners.delete(listener);
    }
  }
}
