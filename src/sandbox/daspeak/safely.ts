import type { Logger } from '../../log.js';

/** Runs a listener; a throwing listener is logged, never allowed to break the emulator's own flow. */
export function safely(logger: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.warn({ err }, `das-Peak sandbox: ${what} failed; ignored`);
  }
}
