/**
 * What can go wrong in the widget, sorted into the seed's four kinds of error the agent sees
 * (spoof, authentication, configuration, connection) plus the ones that need the agent to act
 * (sign in again). Each carries a stable code and, for the console, the details.
 */
export type ErrorKind = 'spoof' | 'authentication' | 'configuration' | 'connection';

export class WidgetError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'WidgetError';
  }
}

/** The platform refused the agent's token (expired, revoked): sign in again, keep the call's state. */
export class SignInRequiredError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignInRequiredError';
  }
}

export function configurationError(code: string, message: string, details?: unknown): WidgetError {
  return new WidgetError('configuration', code, message, details);
}

export function connectionError(code: string, message: string, details?: unknown): WidgetError {
  return new WidgetError('connection', code, message, details);
}

/** Codes of the backend and the relay that mean "this token is no good any more". */
const TOKEN_REFUSALS = new Set(['auth.invalid_token', 'auth.missing_token', 'auth.malformed_token']);

export function isTokenRefusal(code: unknown): boolean {
  return typeof code === 'string' && TOKEN_REFUSALS.has(code);
}

/** `code` of an error thrown by utils.js (the kit's BackendError has one), if any. */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
