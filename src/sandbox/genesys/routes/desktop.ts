import type { Express } from 'express';
import { badRequest } from '../api-error.js';
import type { SandboxContext } from '../http/context.js';
import { queryValue } from '../query.js';
import { SANDBOX_AGENT_PASSWORD } from '../state/seed.js';
import { DESKTOP_LANGUAGES, renderDesktopPage } from '../desktop/page.js';
import { widgetFrame } from '../desktop/widget-frame.js';

/**
 * What the desktop may load: its own script, style and API, and frames from any https origin or a
 * loopback http one (the only URLs an Interaction Widget may have, see the integration catalogue).
 */
const DESKTOP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The agent desktop (`GET /desktop`): the sandbox's stand-in for Genesys' agent UI. It places calls
 * with a chosen voice, lets an agent answer them, and frames the org's Interaction Widget for the
 * answered call. Its data routes live under /sandbox/ (not Genesys, not counted).
 */
export function desktopRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;

  app.get('/desktop', (_req, res) => {
    res.setHeader('Content-Security-Policy', DESKTOP_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(renderDesktopPage(state.organization.name, SANDBOX_AGENT_PASSWORD));
  });

  app.get('/sandbox/desktop/options', (_req, res) => {
    const voices = ctx.voices?.list() ?? [];
    res.json({
      org: { name: state.organization.name, id: state.organization.id, url: ctx.baseUrl() },
      agents: state.users.map((u) => ({ id: u.id, label: u.name, email: u.email })),
      voices,
      defaultVoice: voices[0]?.name ?? null,
      queues: state.queues.map((q) => ({ id: q.id, name: q.name, monitored: q.enableAudioMonitoring })),
      flows: state.flows.filter((f) => f.type === 'inboundcall').map((f) => ({ id: f.id, name: f.name })),
      languages: DESKTOP_LANGUAGES,
    });
  });

  app.get('/sandbox/desktop/widget', (req, res) => {
    const conversationId = queryValue(req, 'conversationId');
    const agentKey = queryValue(req, 'agent');
    if (!conversationId) throw badRequest('conversationId is required');
    const key = agentKey?.toLowerCase();
    const agent = state.users.find((u) => u.id === agentKey || u.email.toLowerCase() === key);
    if (!agent) throw badRequest(`Agent ${agentKey ?? ''} not found`);
    const popups = queryValue(req, 'popups') ?? 'allowed';
    if (popups !== 'allowed' && popups !== 'blocked') throw badRequest('popups must be allowed or blocked');
    res.json(
      widgetFrame(state, {
        conversationId,
        agentId: agent.id,
        language: queryValue(req, 'language') || 'en-us',
        popupsBlocked: popups === 'blocked',
        hostOrigin: new URL(ctx.baseUrl()).origin,
        targetEnv: queryValue(req, 'targetEnv') || 'sandbox',
      }),
    );
  });
}
