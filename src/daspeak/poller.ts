import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { isTerminalStatus, type Operation, type SessionStatusBody, type TerminalStatus } from './contract.js';
import { DaspeakError, isDaspeakError } from './errors.js';
import type { Progress } from './outcome.js';
import type { RestClient } from './rest.js';
import { safely } from './safely.js';
import { realSleep, systemClock, type Clock, type Sleep } from './timing.js';

export interface PollOptions {
  /** Wait between polls; kept within POLL_INTERVAL_BOUNDS. */
  intervalMs: number;
  /** Epoch ms after which polling stops with `daspeak.timeout`. */
  deadline: number;
  /** Per-request timeout; never longer than what is left before the deadline. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called when net speech changes. */
  onProgress?: (progress: Progress) => void;
  /** Called once, when the status first shows the audio consumer connected. */
  onConsumerReady?: () => void;
  clock?: Clock;
  sleep?: Sleep;
  logger?: Logger;
}

export interface PolledSession {
  /** The status body carrying a terminal status. */
  final: SessionStatusBody & { status: TerminalStatus };
  /** Epoch ms of the first poll that showed the consumer connected. */
  consumerReadyAt?: number;
  lastProgress?: Progress;
}

/** A poll interval outside these bounds is clamped: too fast floods the service, too slow wastes the call. */
export const POLL_INTERVAL_BOUNDS = { minMs: 100, maxMs: 10_000 } as const;

const NOT_YET_CONNECTED = new Set(['waiting-consumer', 'error-consumer-not-ready']);

/**
 * Polls `GET /v1/{operation}_session/{id}` until a terminal status or the deadline. A failed poll
 * that may be temporary (timeout, connection, HTTP 5xx/429) is retried at the next interval; a refused
 * key, a 4xx or an answer that breaks the contract ends polling at once.
 */
export async function pollSession(
  rest: RestClient,
  operation: Operation,
  sessionId: string,
  options: PollOptions,
): Promise<PolledSession> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? silentLogger;
  const interval = Math.min(
    POLL_INTERVAL_BOUNDS.maxMs,
    Math.max(POLL_INTERVAL_BOUNDS.minMs, Number.isFinite(options.intervalMs) ? options.intervalMs : 0),
  );
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  let consumerReadyAt: number | undefined;
  let lastProgress: Progress | undefined;
  let lastStatus: string | undefined;
  let lastTransient: DaspeakError | undefined;

  for (;;) {
    throwIfAborted(options.signal);
    const left = options.deadline - clock.now();
    if (left <= 0) {
      const why = lastTransient ? `; last poll failed: ${lastTransient.message}` : '';
      throw new DaspeakError(
        'daspeak.timeout',
        `session ${sessionId} did not finish before the deadline (last status ${lastStatus ?? 'unknown'}${why})`,
        { operation: `GET ${operation}_session`, cause: lastTransient },
      );
    }

    let body: SessionStatusBody | undefined;
    try {
      body = await rest.getSession(operation, sessionId, {
        signal: options.signal,
        timeoutMs: Math.max(1, Math.min(requestTimeoutMs, left)),
      });
      lastTransient = undefined;
    } catch (err) {
      if (!isTransient(err)) throw err;
      lastTransient = err;
      logger.debug({ sessionId, code: err.code }, 'das-Peak status poll failed; retrying');
    }

    if (body) {
      lastStatus = body.status;
      if (consumerReadyAt === undefined && !NOT_YET_CONNECTED.has(body.status)) {
        consumerReadyAt = clock.now();
        safely(logger, () => options.onConsumerReady?.());
      }
      const progress: Progress = {
        netSpeechDuration: body.net_speech_duration,
        audioTotalDuration: body.audio_total_duration,
      };
      if (
        progress.netSpeechDuration !== lastProgress?.netSpeechDuration ||
        progress.audioTotalDuration !== lastProgress.audioTotalDuration
      ) {
        lastProgress = progress;
        safely(logger, () => options.onProgress?.(progress));
      }
      const { status } = body;
      if (isTerminalStatus(status)) return { final: { ...body, status }, consumerReadyAt, lastProgress };
    }

    const wait = Math.min(interval, options.deadline - clock.now());
    if (wait > 0) {
      try {
        await sleep(wait, options.signal);
      } catch (err) {
        throwIfAborted(options.signal);
        throw err;
      }
    }
  }
}

function isTransient(err: unknown): err is DaspeakError {
  if (!isDaspeakError(err)) return false;
  if (err.code === 'daspeak.timeout' || err.code === 'daspeak.connection') return true;
  const status = err.upstreamStatus;
  return err.code === 'daspeak.http_error' && status !== undefined && (status >= 500 || status === 429);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DaspeakError('daspeak.aborted', 'polling cancelled by the caller');
  }
}
