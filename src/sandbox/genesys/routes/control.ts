import type { Express } from 'express';
import { parseBody } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import { FaultSettingsSchema } from '../http/faults.js';

/**
 * Sandbox-only control routes under `/sandbox/`: no token, never counted, not part of Genesys.
 * The sandbox listens on 127.0.0.1; these routes are the test harness's handle on it.
 */
export function controlRoutes(app: Express, ctx: SandboxContext): void {
  app.get('/sandbox/health', (_req, res) => {
    res.json({ ok: true, organizationId: ctx.store.state.organization.id });
  });

  app.get('/sandbox/requests', (_req, res) => {
    res.json(ctx.counter.snapshot());
  });

  app.delete('/sandbox/requests', (_req, res) => {
    ctx.counter.reset();
    res.status(204).end();
  });

  app.get('/sandbox/faults', (_req, res) => {
    res.json(ctx.faults.get());
  });

  app.post('/sandbox/faults', (req, res) => {
    ctx.faults.set(parseBody(FaultSettingsSchema, req.body));
    res.json(ctx.faults.get());
  });

  app.delete('/sandbox/faults', (_req, res) => {
    ctx.faults.set({});
    res.status(204).end();
  });
}
