import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { ApiError } from './errors.js';

export interface SecurityOptions {
  /** Origin of the backend itself (backend.publicUrl). */
  selfOrigin: string;
  /** Origin of the Genesys agent UI that frames the widget (apps.<region> or the sandbox). */
  genesysAppsOrigin: string;
  /** Origin of the Platform API the widget calls with the agent's token. */
  genesysApiOrigin: string;
  /** Origin of the das-Peak Socket.IO service. */
  daspeakSocketOrigin: string;
  /** backend.allowedOrigins. */
  extraOrigins: readonly string[];
}

export function originOf(url: string): string {
  return new URL(url).origin;
}

/** The ws:/wss: twin of an http:/https: origin (Socket.IO upgrades to WebSocket). */
function websocketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}

/** Origins whose pages may call the backend from a browser. */
export function allowedOrigins(options: SecurityOptions): Set<string> {
  return new Set(
    [options.selfOrigin, options.genesysAppsOrigin, ...options.extraOrigins].map((o) => originOf(o)),
  );
}

/**
 * Security headers of every answer. The CSP lets only the Genesys agent UI (and the configured
 * extra origins) frame the widget (frame-ancestors), lets the page load only its own scripts, and lets it connect only to itself,
 * the das-Peak Socket.IO service (http and ws) and the Genesys Platform API. X-Frame-Options is
 * left out: its only values would forbid the framing Genesys needs, and frame-ancestors supersedes it.
 */
export function securityHeaders(options: SecurityOptions): ReturnType<typeof helmet> {
  const daspeak = originOf(options.daspeakSocketOrigin);
  const secure = options.selfOrigin.startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        // Web components put <style> in their shadow roots.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'", daspeak, websocketOrigin(daspeak), originOf(options.genesysApiOrigin)],
        // backend.allowedOrigins too: a CRM that embeds the Genesys agent UI is an ancestor of the widget.
        'frame-ancestors': [
          ...new Set([options.genesysAppsOrigin, ...options.extraOrigins].map((o) => originOf(o))),
        ],
        'form-action': ["'self'"],
        'base-uri': ["'self'"],
        'object-src': ["'none'"],
        ...(secure ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    xFrameOptions: false,
    // The widget signs in through a popup, which Genesys' iframe sandbox makes a sandboxed popup, and
    // browsers refuse to load a page with any other COOP into one (HTML: a sandboxed navigable with a
    // COOP other than unsafe-none is a navigation error). The popup's redirect page must also keep
    // its opener to hand the code back.
    crossOriginOpenerPolicy: { policy: 'unsafe-none' },
    strictTransportSecurity: secure ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/**
 * CORS for the configured origins only. A request that carries any other Origin (a page elsewhere
 * holding an agent's token) is refused with 403 rather than answered without CORS headers, so the
 * reason is visible. Server-to-server callers (data actions) send no Origin and pass.
 */
export function corsFor(origins: Set<string>): RequestHandler[] {
  const guard: RequestHandler = (req, _res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      throw new ApiError(403, 'cors.origin_not_allowed', 'pages of this origin may not call the backend');
    }
    next();
  };
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && origins.has(origin)),
    methods: ['GET', 'PUT', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Conversation-Id', 'X-API-Key', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
    credentials: false,
  });
  return [guard, handler];
}

/**
 * CORS for the widget's public files (config.js, utils.js): a plugin that runs in the agent UI's
 * origin (the Flex plugin on https://flex.twilio.com) loads them with a cross-origin `import()`, and
 * module scripts are always fetched in CORS mode. The allowed origins get the header; any other
 * origin gets the file without it (it is public, and its browser will not run it), never a 403.
 */
export function publicFileCors(origins: Set<string>): RequestHandler {
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && origins.has(origin)),
    methods: ['GET'],
    maxAge: 600,
    credentials: false,
  });
}
