import type { Logger } from '../log.js';

/** Runs a caller's hook; a hook that throws is the caller's bug and must not end the session. */
export function safely(logger: Logger, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.warn({ err }, 'a das-Peak session hook threw; ignored');
  }
}
