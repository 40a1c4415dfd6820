import { KitError } from '../../errors.js';

/** One entry of `ErrorBody.details` (Genesys `Detail`). */
export interface ErrorDetail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

/** The Genesys `ErrorBody` every refusal is answered with. */
export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  entityId?: string;
  entityName?: string;
  contextId: string;
  details: ErrorDetail[];
  errors: ErrorBody[];
  limit?: { key: string; namespace: string; value: number };
}

export interface ApiErrorOptions {
  details?: ErrorDetail[];
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  entityId?: string;
  entityName?: string;
  limit?: ErrorBody['limit'];
  /** Extra response headers, such as Retry-After. */
  headers?: Record<string, string>;
}

/** A refusal the way the Platform API answers it: HTTP status, dotted code, sentence, details. */
export class GenesysApiError extends KitError {
  readonly httpStatus: number;
  readonly options: ApiErrorOptions;

  constructor(status: number, code: string, message: string, options: ApiErrorOptions = {}) {
    super(code, message, { status });
    this.name = 'GenesysApiError';
    this.httpStatus = status;
    this.options = options;
  }

  body(contextId: string): ErrorBody {
    const o = this.options;
    return {
      message: this.message,
      code: this.code,
      status: this.httpStatus,
      ...(o.messageWithParams ? { messageWithParams: o.messageWithParams } : {}),
      ...(o.messageParams ? { messageParams: o.messageParams } : {}),
      ...(o.entityId ? { entityId: o.entityId } : {}),
      ...(o.entityName ? { entityName: o.entityName } : {}),
      contextId,
      details: o.details ?? [],
      errors: [],
      ...(o.limit ? { limit: o.limit } : {}),
    };
  }
}

export const badRequest = (message: string, options?: ApiErrorOptions) =>
  new GenesysApiError(400, 'bad.request', message, options);

export const notFound = (message: string, entityId?: string) =>
  new GenesysApiError(404, 'not.found', message, entityId ? { entityId } : {});

export const conflict = (message: string, options?: ApiErrorOptions) =>
  new GenesysApiError(409, 'general.conflict', message, options);

export const notAuthorized = (message = 'You are not authorized to perform the requested action.') =>
  new GenesysApiError(403, 'not.authorized', message);

export function missingPermissions(permissions: string[]): GenesysApiError {
  const list = `[${permissions.join(', ')}]`;
  return new GenesysApiError(
    403,
    'missing.permissions',
    `Unable to perform the requested action. You are missing the following permission(s): ${list}`,
    {
      messageWithParams:
        'Unable to perform the requested action. You are missing the following permission(s): {permissions}',
      messageParams: { permissions: list },
    },
  );
}

export const authenticationRequired = () =>
  new GenesysApiError(
    401,
    'authentication.required',
    'No authentication bearer token specified in authorization header.',
  );

export const badCredentials = () => new GenesysApiError(401, 'bad.credentials', 'Invalid login credentials.');

export const userContextRequired = () =>
  new GenesysApiError(
    400,
    'bad.request',
    'This request requires a user context. Client credentials cannot be used for requests to this resource.',
  );
