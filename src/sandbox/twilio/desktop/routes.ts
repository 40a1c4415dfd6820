import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Response } from 'express';
import { badParameter, notFound, TwilioApiError } from '../errors.js';
import type { TwilioContext } from '../http/context.js';
import { flexDesktopScript } from './client.js';
import { renderFlexDesktopPage } from './page.js';
import { FLEX_DESKTOP_CSS } from './style.js';

/** widget/ of the package: four levels above this file in src/ and in dist/ alike. */
const DEFAULT_WIDGET_DIR = fileURLToPath(new URL('../../../../widget/', import.meta.url));
/** The plugin bundle `npm run build` writes (widget/build.ts: widget/dist/flex/<plugin name>.js). */
export const FLEX_PLUGIN_FILE = 'plugin-daspeak-voice.js';

export interface FlexDesktopOptions {
  /** The kit backend the plugin talks to (its config.js and utils.js); `?backend=` overrides. */
  backendUrl?: string;
  /** widget/ with the built dist/flex (tests build one into a temp folder). */
  widgetDir?: string;
}

const require = createRequire(import.meta.url);
/** React 17 as Flex UI 2 gives it to plugins (the unbundled-react Flex build uses these UMD files). */
const REACT_FILES: Record<string, string> = {
  'react.js': 'react/umd/react.production.min.js',
  'react-dom.js': 'react-dom/umd/react-dom.production.min.js',
};

function backendOf(raw: unknown, fallback: string | undefined): string | null {
  const value = typeof raw === 'string' && raw !== '' ? raw : fallback;
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badParameter(`backend must be the URL of daspeak-genesys serve, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badParameter(`backend must be an http(s) URL, got "${value}"`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/**
 * The Flex desktop at /flex: the stand-in's Flex agent desktop, hosting the kit's Flex plugin.
 * What it may load: its own scripts (React, the host, the plugin), the backend's config.js and
 * utils.js (imported by the widget), and connections to the backend (HTTP and the relay's WebSocket).
 */
export function flexDesktopRoutes(
  options: FlexDesktopOptions = {},
): (app: Express, ctx: TwilioContext) => void {
  const widgetDir = options.widgetDir ?? DEFAULT_WIDGET_DIR;
  return (app, ctx) => {
    app.get('/flex', (req, res) => {
      const backend = backendOf(req.query.backend, options.backendUrl);
      const backendOrigin = backend ? new URL(backend).origin : '';
      const wsOrigin = backendOrigin.replace(/^http/, 'ws');
      res.setHeader(
        'Content-Security-Policy',
        [
          "default-src 'none'",
          `script-src 'self' ${backendOrigin}`.trim(),
          // Flex UI styles itself with CSS-in-JS (emotion), and the widget binds style attributes:
          // a Flex page cannot forbid inline styles.
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data:",
          `connect-src 'self' ${backendOrigin} ${wsOrigin}`.trim(),
          "form-action 'none'",
          "base-uri 'none'",
          "frame-ancestors 'none'",
          "object-src 'none'",
        ].join('; '),
      );
      res.setHeader('Referrer-Policy', 'no-referrer');
      noStore(res);
      res.type('html').send(renderFlexDesktopPage(ctx.state.accountSid));
    });

    app.get('/flex/options', (req, res) => {
      const voices = ctx.voices?.list() ?? [];
      res.json({
        workers: ctx.state.workers.map((w) => ({
          sid: w.sid,
          identity: w.identity,
          friendlyName: w.friendlyName,
        })),
        voices,
        defaultVoice: voices[0]?.name ?? null,
        backendUrl: backendOf(req.query.backend, options.backendUrl),
        pluginUrl: `/flex/plugins/${FLEX_PLUGIN_FILE}`,
      });
    });

    app.get('/flex/assets/:name', (req, res) => {
      const name = String(req.params.name);
      noStore(res);
      if (name === 'flex-desktop.js') {
        res.type('text/javascript; charset=utf-8').send(flexDesktopScript());
      } else if (name === 'flex-desktop.css') {
        res.type('text/css; charset=utf-8').send(FLEX_DESKTOP_CSS);
      } else if (REACT_FILES[name]) {
        res.type('text/javascript; charset=utf-8').sendFile(require.resolve(REACT_FILES[name]));
      } else {
        throw notFound(`/flex/assets/${name}`);
      }
    });

    app.get(`/flex/plugins/:file`, (req, res, next) => {
      const file = String(req.params.file);
      if (file !== FLEX_PLUGIN_FILE && file !== `${FLEX_PLUGIN_FILE}.map`)
        throw notFound(`/flex/plugins/${file}`);
      noStore(res);
      res.sendFile(join(widgetDir, 'dist', 'flex', file), (err?: unknown) => {
        if (!err) return;
        next(
          res.headersSent
            ? err
            : new TwilioApiError(
                404,
                20404,
                `The Flex plugin is not built (widget/dist/flex/${file}): run npm run build`,
              ),
        );
      });
    });
  };
}
