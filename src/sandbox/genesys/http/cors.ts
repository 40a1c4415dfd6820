import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS as the Platform API and the login service answer it for browser apps: any origin may call
 * `/api/v2/*` and `POST /oauth/token` (the widget is served from its own origin), with a bearer token
 * or a PKCE body and never with cookies, so no credentials are allowed. Request headers are
 * reflected on a preflight; the headers a client reads on errors are exposed.
 */
export function browserCors(): RequestHandler {
  const handler = cors({
    origin: '*',
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
    exposedHeaders: ['inin-correlation-id', 'Retry-After', 'Content-Type'],
    credentials: false,
    maxAge: 600,
  });
  return (req, res, next) => {
    if (req.path.startsWith('/api/v2/') || req.path === '/oauth/token') handler(req, res, next);
    else next();
  };
}
