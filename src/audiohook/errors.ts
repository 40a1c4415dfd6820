import { KitError, type KitErrorOptions } from '../errors.js';

/**
 * Audiohook failures as values. `protocolCode` is the Audiohook `error.code` (400, 408, 409, 413, 415…)
 * the client sends for it, when it maps to one; `status` is an HTTP status when one was involved.
 */
export class AudiohookError extends KitError {
  readonly protocolCode: number | undefined;

  constructor(code: string, message: string, options: KitErrorOptions & { protocolCode?: number } = {}) {
    super(code, message, options);
    this.name = 'AudiohookError';
    this.protocolCode = options.protocolCode;
  }
}

export function isAudiohookError(value: unknown): value is AudiohookError {
  return value instanceof AudiohookError;
}
