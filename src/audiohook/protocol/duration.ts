import { AudiohookError } from '../errors.js';
import { DURATION_PATTERN, type Duration } from './core.js';

const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Seconds from a `PT…S` duration; throws `audiohook.bad_duration` for anything else. */
export function parseDuration(value: string): number {
  if (typeof value !== 'string' || !DURATION_RE.test(value)) {
    throw new AudiohookError(
      'audiohook.bad_duration',
      `not an Audiohook duration: ${JSON.stringify(value)}`,
      {
        hint: 'write seconds as PT<number>S, e.g. PT1.5S',
        protocolCode: 400,
      },
    );
  }
  const seconds = Number(value.slice(2, -1));
  if (!Number.isFinite(seconds)) {
    throw new AudiohookError('audiohook.bad_duration', `duration out of range: ${value}`, {
      protocolCode: 400,
    });
  }
  return seconds;
}

/**
 * `PT…S` for a number of seconds, at most microsecond precision and without exponent notation
 * (which the receiving regex would reject), e.g. 0.2 → `PT0.2S`, 12 → `PT12S`.
 */
export function formatDuration(seconds: number): Duration {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds >= 1e15) {
    throw new AudiohookError(
      'audiohook.bad_duration',
      `cannot express ${seconds} s as an Audiohook duration`,
    );
  }
  const fixed = seconds.toFixed(6).replace(/\.?0+$/, '');
  return `PT${fixed === '' ? '0' : fixed}S`;
}

/** Seconds covered by a number of samples (per channel) at a rate. */
export function samplesToSeconds(samples: number, rate: number): number {
  return samples / rate;
}

export function secondsToSamples(seconds: number, rate: number): number {
  return Math.round(seconds * rate);
}
