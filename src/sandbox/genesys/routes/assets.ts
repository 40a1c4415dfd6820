import type { Express } from 'express';
import { notFound } from '../api-error.js';
import type { SandboxContext } from '../http/context.js';
import { SIGN_IN_CSS } from '../pages/sign-in-css.js';
import { desktopScript } from '../desktop/client.js';
import { DESKTOP_CSS } from '../desktop/style.js';

/** Files the sandbox's own pages load (their CSPs allow no inline script or style). */
const ASSETS: Readonly<Record<string, { type: string; body: () => string }>> = {
  'sign-in.css': { type: 'text/css; charset=utf-8', body: () => SIGN_IN_CSS },
  'desktop.css': { type: 'text/css; charset=utf-8', body: () => DESKTOP_CSS },
  'desktop.js': { type: 'text/javascript; charset=utf-8', body: desktopScript },
};

export function assetRoutes(app: Express, _ctx: SandboxContext): void {
  app.get('/sandbox/assets/:name', (req, res) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) throw notFound(`Asset ${String(req.params.name)} not found`);
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(asset.body());
  });
}
