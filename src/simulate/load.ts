/**
 * Load mode: N calls with at most C at once, and what they add up to (outcome counts, grouped errors,
 * latency percentiles).
 */
import type { OutcomeKind } from '../daspeak/outcome.js';
import type { CallReport, ErrorSource } from './call.js';
import { summarise, type Percentiles } from './stats.js';

/**
 * Runs `task(0..count-1)` with at most `concurrency` in flight. Once `signal` aborts no new task starts;
 * the ones running finish (they get the signal themselves). Results come back in index order, only for
 * tasks that ran.
 */
export async function runPool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T[]> {
  const results: (T | undefined)[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count && !signal?.aborted) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  const workers = Math.max(1, Math.min(concurrency, count));
  await Promise.all(Array.from({ length: workers }, worker));
  return results.filter((r): r is T => r !== undefined);
}

export const OUTCOME_KINDS: readonly OutcomeKind[] = ['registered', 'verified', 'no-match', 'spoof', 'error'];

export interface ErrorGroup {
  source: ErrorSource;
  code: string;
  /** The first message seen for this code (messages of one code differ only in details). */
  message: string;
  count: number;
}

export interface LoadSummary {
  requested: number;
  completed: number;
  concurrency: number;
  /** Every completed call ended as `--expect` asked. */
  expected: number;
  unexpected: number;
  outcomes: Record<OutcomeKind, number>;
  /** Over the calls that ended in a result (not an error). */
  latency: {
    /** From the required net speech on the line to the result (das-Peak's own latency). */
    speechToResultMs?: Percentiles;
    /** From the start of the call (Audiohook connect) to the result. */
    resultMs?: Percentiles;
    /** From the start of the call to das-Peak's audio consumer being ready. */
    consumerReadyMs?: Percentiles;
  };
  errors: ErrorGroup[];
  /** Wall time of the whole run. */
  wallMs: number;
  /** Calls per second completed over the run. */
  callsPerSecond: number;
}

export function summariseCalls(
  reports: readonly CallReport[],
  requested: number,
  concurrency: number,
  wallMs: number,
): LoadSummary {
  const outcomes = Object.fromEntries(OUTCOME_KINDS.map((k) => [k, 0])) as Record<OutcomeKind, number>;
  const groups = new Map<string, ErrorGroup>();
  for (const r of reports) {
    outcomes[r.kind]++;
    if (r.error) {
      const key = `${r.error.source} ${r.error.code}`;
      const group = groups.get(key);
      if (group) group.count++;
      else
        groups.set(key, { source: r.error.source, code: r.error.code, message: r.error.message, count: 1 });
    }
  }
  // Latency is a property of answers: a call cut short by an error (or Ctrl-C) has no result time.
  const answered = reports.filter((r) => r.kind !== 'error');
  const latency: LoadSummary['latency'] = {};
  const speech = summarise(answered.map((r) => r.timings.speechToResultMs));
  const result = summarise(answered.map((r) => r.timings.resultMs));
  const ready = summarise(answered.map((r) => r.timings.consumerReadyMs));
  if (speech) latency.speechToResultMs = speech;
  if (result) latency.resultMs = result;
  if (ready) latency.consumerReadyMs = ready;
  const expected = reports.filter((r) => r.expected).length;
  return {
    requested,
    completed: reports.length,
    concurrency,
    expected,
    unexpected: reports.length - expected,
    outcomes,
    latency,
    errors: [...groups.values()].sort((a, b) => b.count - a.count),
    wallMs: Math.round(wallMs),
    callsPerSecond: wallMs > 0 ? Math.round((reports.length / (wallMs / 1000)) * 100) / 100 : 0,
  };
}
