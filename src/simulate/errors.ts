import { KitError, type KitErrorOptions } from '../errors.js';

/**
 * A `simulate` failure as a value. `usage` marks a problem with the options themselves (the CLI exits 2
 * for those); everything else (an unreadable file, an unusable WAV) is bad input and exits 1.
 */
export class SimulateError extends KitError {
  readonly usage: boolean;

  constructor(code: string, message: string, options: KitErrorOptions & { usage?: boolean } = {}) {
    super(code, message, options);
    this.name = 'SimulateError';
    this.usage = options.usage ?? false;
  }
}

/** A bad option value or combination: `simulate.bad_option`, exit 2. */
export function badOption(message: string, hint?: string): SimulateError {
  return new SimulateError('simulate.bad_option', message, { usage: true, ...(hint ? { hint } : {}) });
}

export function isUsageError(value: unknown): value is SimulateError {
  return value instanceof SimulateError && value.usage;
}
