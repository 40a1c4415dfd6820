import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { authenticationRequired, badCredentials, GenesysApiError, missingPermissions } from '../api-error.js';
import { sha256 } from '../ids.js';
import { grants } from '../permissions.js';
import type { SandboxContext, Principal } from './context.js';

export type ApiHandler = (req: Request, res: Response, principal: Principal) => unknown;

/** The correlation id of a request (also the error body's `contextId`). */
export function correlationId(res: Response): string {
  return (res.locals as { correlationId?: string }).correlationId ?? '';
}

export function principalOf(res: Response): Principal {
  const p = (res.locals as { principal?: Principal }).principal;
  if (!p) throw new Error('route used without authentication');
  return p;
}

/** Every answer carries `inin-correlation-id`, as the Platform API's do. */
export function correlate(): RequestHandler {
  return (_req, res, next) => {
    const id = randomUUID();
    (res.locals as { correlationId?: string }).correlationId = id;
    res.setHeader('inin-correlation-id', id);
    next();
  };
}

/** Records each Platform API request under its route pattern once answered; sandbox routes are not counted. */
export function countRequests(ctx: SandboxContext): RequestHandler {
  return (req, res, next) => {
    // The sandbox's own routes (control, assets, the agent desktop) are not Platform API requests.
    if (!req.path.startsWith('/sandbox/') && req.path !== '/desktop') {
      res.on('finish', () => {
        const route = (req.route as { path?: unknown } | undefined)?.path;
        const pattern = typeof route === 'string' ? `${req.baseUrl}${route}` : '(unmatched)';
        ctx.counter.record(req.method, pattern, res.statusCode);
      });
    }
    res.on('finish', () => ctx.store.flush());
    next();
  };
}

export function sendError(res: Response, err: GenesysApiError): void {
  for (const [k, v] of Object.entries(err.options.headers ?? {})) res.setHeader(k, v);
  res.status(err.httpStatus).json(err.body(correlationId(res)));
}

/** Injected faults for one route (see FaultSettings); the login route uses it too. */
export function faults(ctx: SandboxContext): RequestHandler {
  return (req, res, next) => {
    const d = ctx.faults.decide(req.method, req.path);
    const act = () => {
      if (d.kind === 'error') {
        const text =
          d.status === 503
            ? 'Service Unavailable'
            : d.status === 504
              ? 'Gateway Timeout'
              : 'Internal Server Error';
        const code =
          d.status === 503
            ? 'service.unavailable'
            : d.status === 504
              ? 'gateway.timeout'
              : 'internal.server.error';
        sendError(res, new GenesysApiError(d.status, code, `${text} (injected by the sandbox)`));
        return;
      }
      if (d.kind === 'rate-limit') {
        sendError(res, tooManyRequests(ctx.limiter.limitPerMinute, d.retryAfterSeconds));
        return;
      }
      next();
    };
    if (d.delayMs > 0) setTimeout(act, d.delayMs);
    else act();
  };
}

export function tooManyRequests(limit: number, retryAfterSeconds: number): GenesysApiError {
  return new GenesysApiError(
    429,
    'too.many.requests',
    `Rate limit exceeded the maximum. [${limit}] requests for [60] seconds`,
    {
      headers: { 'Retry-After': String(retryAfterSeconds) },
      limit: { key: 'client.credentials.token.rate.per.minute', namespace: 'platform.api', value: limit },
    },
  );
}

/** Resolves the bearer token into a principal; 401 when missing, unknown, expired or revoked. */
export function resolvePrincipal(ctx: SandboxContext, header: string | undefined): Principal {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw authenticationRequired();
  const hash = sha256(match[1]);
  const { state } = ctx.store;
  const token = state.tokens.find((t) => t.hash === hash);
  if (!token || token.expiresAt <= ctx.store.now()) throw badCredentials();
  const client = state.oauthClients.find((c) => c.id === token.clientId);
  if (!client || client.state !== 'active') throw badCredentials();
  const user = token.userId ? state.users.find((u) => u.id === token.userId) : undefined;
  if (token.userId && !user) throw badCredentials();
  const roleIds = user ? user.roleIds : client.roleDivisions.map((rd) => rd.roleId);
  const roles = state.roles.filter((r) => roleIds.includes(r.id));
  return { token, client, user, roles, policies: roles.flatMap((r) => r.permissionPolicies) };
}

function authenticate(ctx: SandboxContext): RequestHandler {
  return (req, res, next) => {
    const principal = resolvePrincipal(ctx, req.header('authorization'));
    (res.locals as { principal?: Principal }).principal = principal;
    const wait = ctx.limiter.take(principal.token.hash);
    if (wait !== undefined) throw tooManyRequests(ctx.limiter.limitPerMinute, wait);
    next();
  };
}

/**
 * The handler chain of one Platform API route: injected faults, bearer check, rate limit,
 * permission check, then the handler. `permission` null = any valid token.
 */
export function api(
  ctx: SandboxContext,
  permission: string | string[] | null,
  handler: ApiHandler,
): RequestHandler[] {
  const needed = permission === null ? [] : Array.isArray(permission) ? permission : [permission];
  const run: RequestHandler = async (req: Request, res: Response, _next: NextFunction) => {
    const principal = principalOf(res);
    const missing = needed.filter((p) => !grants(principal.policies, p));
    if (missing.length > 0) throw missingPermissions(missing);
    await handler(req, res, principal);
  };
  return [faults(ctx), authenticate(ctx), run];
}

/** Checks a permission inside a handler (when it depends on the body). */
export function requirePermission(principal: Principal, permission: string): void {
  if (!grants(principal.policies, permission)) throw missingPermissions([permission]);
}

export function notFoundRoute(): RequestHandler {
  return (req, res) => {
    sendError(res, new GenesysApiError(404, 'not.found', `HTTP 404 Not Found: ${req.method} ${req.path}`));
  };
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps anything thrown into a Genesys error body; bad input never takes the process down. */
export function errorHandler(ctx: SandboxContext): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof GenesysApiError) {
      sendError(res, err);
      return;
    }
    const bp = err as BodyParserError;
    if (bp.type === 'entity.parse.failed') {
      sendError(
        res,
        new GenesysApiError(
          400,
          'bad.request',
          'The request could not be understood by the server due to malformed syntax.',
        ),
      );
      return;
    }
    if (bp.type === 'entity.too.large') {
      sendError(res, new GenesysApiError(413, 'request.entity.too.large', 'The request is too large.'));
      return;
    }
    if (typeof bp.type === 'string' && typeof bp.status === 'number' && bp.status < 500) {
      sendError(res, new GenesysApiError(bp.status, 'bad.request', 'The request body could not be read.'));
      return;
    }
    ctx.logger.error({ err }, 'sandbox route failed');
    sendError(
      res,
      new GenesysApiError(500, 'internal.server.error', 'The server encountered an unexpected error.'),
    );
  };
}
