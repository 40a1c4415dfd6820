/**
 * Errors are values with a stable code. Every layer throws KitError (or a subclass); the CLI prints
 * `message` and `hint` on one line, the server maps `status` and answers `{ error: { code, message } }`.
 */
export interface KitErrorOptions {
  hint?: string;
  status?: number;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class KitError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: KitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KitError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.details = options.details;
  }

  /** One line for a person: the message, then the hint when there is one. */
  toLine(): string {
    return this.hint ? `${this.message} (hint: ${this.hint})` : this.message;
  }
}

export function isKitError(value: unknown): value is KitError {
  return value instanceof KitError;
}

/** Wraps anything thrown into a KitError so callers can rely on `code`. */
export function toKitError(value: unknown, code = 'internal'): KitError {
  if (value instanceof KitError) return value;
  if (value instanceof Error) return new KitError(code, value.message, { cause: value });
  return new KitError(code, String(value));
}
