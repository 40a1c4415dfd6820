import { describe, expect, it } from 'vitest';
import { durationSeconds, PCMU_8K_STEREO, sliceFrames } from '../../src/audio/frames.js';
import { pace, systemClock, VirtualClock, type Clock } from '../../src/audio/pacer.js';
import { kitErrorFromAsync } from './helpers.js';

/** Items that say how many milliseconds of audio they hold. */
const ms = (n: number) => ({ ms: n });
const duration = (item: { ms: number }) => item.ms / 1000;

async function releaseTimes<T>(
  source: Iterable<T> | AsyncIterable<T>,
  clock: VirtualClock,
  options: { speed?: number; duration: (item: T) => number },
): Promise<number[]> {
  const times: number[] = [];
  for await (const _ of pace(source, { ...options, clock })) times.push(clock.now());
  return times;
}

async function* asyncItems<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

describe('pace', () => {
  it('releases each frame when its audio would have been captured live (speed 1)', async () => {
    const clock = new VirtualClock(1000);
    const times = await releaseTimes([ms(200), ms(200), ms(200), ms(100)], clock, { duration });
    expect(times).toEqual([1200, 1400, 1600, 1700]);
  });

  it('runs N times faster with speed N', async () => {
    const clock = new VirtualClock();
    const times = await releaseTimes([ms(200), ms(200), ms(200)], clock, { duration, speed: 10 });
    expect(times).toEqual([20, 40, 60]);
  });

  it('does not wait at all with speed Infinity', async () => {
    const clock = new VirtualClock();
    const items = Array.from({ length: 1000 }, () => ms(200));
    const times = await releaseTimes(items, clock, { duration, speed: Infinity });
    expect(times.length).toBe(1000);
    expect(clock.sleeps).toEqual([]);
    expect(clock.now()).toBe(0);
  });

  it('paces async sources the same way', async () => {
    const clock = new VirtualClock();
    const times = await releaseTimes(asyncItems([ms(20), ms(20), ms(20)]), clock, { duration, speed: 2 });
    expect(times).toEqual([10, 20, 30]);
  });

  it('keeps an absolute schedule: a slow consumer gets overdue frames at once and no drift builds up', async () => {
    const clock = new VirtualClock();
    const times: number[] = [];
    for await (const item of pace([ms(100), ms(100), ms(100), ms(100), ms(100)], { duration, clock })) {
      times.push(clock.now());
      if (times.length === 1) clock.advance(250); // the consumer was busy for 250 ms after the first frame
      void item;
    }
    expect(times).toEqual([100, 350, 350, 400, 500]);
  });

  it('paces byte frames cut by sliceFrames by their duration', async () => {
    const clock = new VirtualClock();
    const frames = sliceFrames(new Uint8Array(16000 + 1600), PCMU_8K_STEREO, 200);
    const times = await releaseTimes(frames, clock, {
      duration: (f) => durationSeconds(f.length, PCMU_8K_STEREO),
    });
    expect(times).toEqual([200, 400, 600, 800, 1000, 1100]);
  });

  it('refuses a speed that is not above 0 and a bad item duration', async () => {
    for (const speed of [0, -1, Number.NaN]) {
      const error = await kitErrorFromAsync(async () => {
        for await (const _ of pace([ms(1)], { duration, speed, clock: new VirtualClock() })) void _;
      });
      expect(error.code).toBe('audio.pacer_invalid_speed');
    }
    const error = await kitErrorFromAsync(async () => {
      for await (const _ of pace([ms(Number.NaN)], { duration, clock: new VirtualClock() })) void _;
    });
    expect(error.code).toBe('audio.pacer_invalid_duration');
  });
});

describe('pace cancellation', () => {
  it('stops with audio.pacer_aborted when aborted between frames, and closes the source', async () => {
    const controller = new AbortController();
    let closed = false;
    function* source() {
      try {
        for (let i = 0; i < 100; i++) yield ms(20);
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    const error = await kitErrorFromAsync(async () => {
      for await (const _ of pace(source(), {
        duration,
        clock: new VirtualClock(),
        signal: controller.signal,
      })) {
        seen.push(seen.length);
        if (seen.length === 3) controller.abort();
      }
    });
    expect(error.code).toBe('audio.pacer_aborted');
    expect(seen.length).toBe(3);
    expect(closed).toBe(true);
  });

  it('refuses to start with an already aborted signal', async () => {
    const error = await kitErrorFromAsync(async () => {
      for await (const _ of pace([ms(1)], { duration, signal: AbortSignal.abort() })) void _;
    });
    expect(error.code).toBe('audio.pacer_aborted');
  });

  it('interrupts a real-time wait (system clock) as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const run = kitErrorFromAsync(async () => {
      for await (const _ of pace([ms(3_600_000)], {
        duration,
        clock: systemClock,
        signal: controller.signal,
      }))
        void _;
    });
    setImmediate(() => controller.abort(new Error('hang up')));
    const error = await run;
    expect(error.code).toBe('audio.pacer_aborted');
    expect((error.cause as Error).message).toBe('hang up');
  });

  it('interrupts a wait for a source that has stalled', async () => {
    const controller = new AbortController();
    const stalled: AsyncIterable<{ ms: number }> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<{ ms: number }>>(() => {}) }),
    };
    const run = kitErrorFromAsync(async () => {
      for await (const _ of pace(stalled, { duration, clock: new VirtualClock(), signal: controller.signal }))
        void _;
    });
    setImmediate(() => controller.abort());
    expect((await run).code).toBe('audio.pacer_aborted');
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    function* source() {
      try {
        for (;;) yield ms(20);
      } finally {
        closed = true;
      }
    }
    for await (const _ of pace(source(), { duration, clock: new VirtualClock() })) break;
    expect(closed).toBe(true);
  });

  it('a clock that rejects for another reason passes its error through', async () => {
    const failing: Clock = { now: () => 0, sleep: () => Promise.reject(new Error('clock broke')) };
    await expect(async () => {
      for await (const _ of pace([ms(10)], { duration, clock: failing })) void _;
    }).rejects.toThrow('clock broke');
  });
});
