import { describe, expect, it } from 'vitest';
import {
  describeOutcome,
  formatLoad,
  formatMs,
  formatSpeed,
  meetsExpectation,
  percentile,
  runPool,
  summarise,
  summariseCalls,
  type CallReport,
  type LoadResult,
} from '../../src/simulate/index.js';

function call(overrides: Partial<CallReport>): CallReport {
  return {
    callId: 'c',
    ani: '+34600000000',
    operation: 'verify',
    channel: 'rest',
    audio: { source: 'x.wav', seconds: 5, netSpeechSeconds: 4, sampleRate: 8000, channels: 1 },
    kind: 'verified',
    expected: true,
    requiredNetSpeechSeconds: 3,
    timings: {},
    audiohook: {
      sessionId: 's',
      media: ['external'],
      secondsSent: 5,
      closeReason: 'end',
      closedByServer: true,
      disconnectReason: null,
      httpStatus: null,
      errors: [],
    },
    ...overrides,
  };
}

describe('percentiles (nearest rank)', () => {
  it('are values some call really had', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 90)).toBe(90);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarise ignores calls without the figure and sorts the rest', () => {
    expect(summarise([undefined, NaN])).toBeUndefined();
    expect(summarise([30, undefined, 10, 20, 40, 1000])).toEqual({
      count: 5,
      min: 10,
      p50: 30,
      p90: 1000,
      p99: 1000,
      max: 1000,
      mean: 220,
    });
  });
});

describe('load summary', () => {
  it('counts outcomes, groups errors by source and code, and takes percentiles per figure', () => {
    const reports = [
      call({ timings: { resultMs: 900, speechToResultMs: 100, consumerReadyMs: 20 } }),
      call({ timings: { resultMs: 1000, speechToResultMs: 200, consumerReadyMs: 30 } }),
      call({
        kind: 'no-match',
        score: 0.1,
        expected: false,
        timings: { resultMs: 1100, speechToResultMs: 300 },
      }),
      call({
        kind: 'error',
        expected: false,
        error: { source: 'daspeak', code: 'timeout', message: 'the session deadline passed' },
        timings: { resultMs: 90_000, consumerReadyMs: 5 }, // an error has no latency worth counting
      }),
      call({
        kind: 'error',
        expected: false,
        error: { source: 'daspeak', code: 'timeout', message: 'the session deadline passed (2)' },
      }),
      call({
        kind: 'error',
        expected: false,
        error: { source: 'audiohook', code: 'audiohook.http_rejected', message: 'refused', status: 401 },
      }),
    ];
    const s = summariseCalls(reports, 8, 4, 2000);
    expect(s).toMatchObject({
      requested: 8,
      completed: 6,
      concurrency: 4,
      expected: 2,
      unexpected: 4,
      outcomes: { registered: 0, verified: 2, 'no-match': 1, spoof: 0, error: 3 },
      wallMs: 2000,
      callsPerSecond: 3,
    });
    expect(s.errors).toEqual([
      { source: 'daspeak', code: 'timeout', message: 'the session deadline passed', count: 2 },
      { source: 'audiohook', code: 'audiohook.http_rejected', message: 'refused', count: 1 },
    ]);
    expect(s.latency.speechToResultMs).toMatchObject({ count: 3, p50: 200, max: 300 });
    expect(s.latency.resultMs).toMatchObject({ count: 3, p50: 1000, p99: 1100 });
    expect(s.latency.consumerReadyMs).toMatchObject({ count: 2, p50: 20, max: 30 });

    const result: LoadResult = {
      mode: 'load',
      ok: false,
      target: 'sandbox',
      operation: 'verify',
      channel: 'rest',
      expect: 'verified',
      speed: 50,
      organizationId: 'o',
      interrupted: true,
      summary: s,
      calls: reports,
    };
    const text = formatLoad(result).join('\n');
    expect(text).toMatch(/^6 of 8 calls: verify over rest, concurrency 4, 50× real time, target sandbox$/m);
    expect(text).toMatch(/^outcomes: 2 verified, 1 no-match, 3 error$/m);
    expect(text).toMatch(
      /^latency, net speech → result: p50 200 ms {2}p90 300 ms {2}p99 300 ms {2}max 300 ms {2}\(3 calls\)$/m,
    );
    expect(text).toMatch(/^ {2}2× daspeak timeout: the session deadline passed$/m);
    expect(text).toMatch(/^interrupted: not every call ran$/m);
  });

  it('expectations: any accepts every result but an error', () => {
    expect(meetsExpectation('spoof', 'any')).toBe(true);
    expect(meetsExpectation('error', 'any')).toBe(false);
    expect(meetsExpectation('no-match', 'verified')).toBe(false);
    expect(meetsExpectation('no-match', 'no-match')).toBe(true);
  });

  it('outcome and duration wording', () => {
    expect(describeOutcome(call({ score: 0.91234, threshold: 0.5, authenticity: 0.99 }))).toBe(
      'verified, score 0.912 (threshold 0.500), authenticity 0.990',
    );
    expect(describeOutcome(call({ kind: 'spoof', authenticity: 0.2, threshold: 0.8 }))).toBe(
      'spoof, authenticity 0.200 (threshold 0.800)',
    );
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(1420)).toBe('1.42 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
    expect(formatMs(undefined)).toBe('-');
    expect(formatSpeed(1)).toBe('real time');
    expect(formatSpeed(Infinity)).toBe('max speed');
  });
});

describe('call pool', () => {
  it('never runs more than the concurrency at once and returns results in call order', async () => {
    let running = 0;
    let peak = 0;
    const results = await runPool(10, 3, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return i * 2;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  it('starts no call after the signal aborted; the ones running finish', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const results = await runPool(
      10,
      2,
      async (i) => {
        started.push(i);
        if (i === 2) controller.abort();
        await new Promise((r) => setImmediate(r));
        return i;
      },
      controller.signal,
    );
    // 0 and 1 start; 2 starts when 0 ends and aborts; when 1 and 2 end nothing else starts.
    expect(started).toEqual([0, 1, 2]);
    expect(results).toEqual([0, 1, 2]);
  });
});
