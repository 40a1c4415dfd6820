import { Type } from '@sinclair/typebox';
import type { Express } from 'express';
import { notFound } from '../api-error.js';
import { parseBody } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import { FaultSettingsSchema } from '../http/faults.js';

const ExpireTokensSchema = Type.Object(
  { userId: Type.Optional(Type.String({ minLength: 1 })) },
  { additionalProperties: false },
);

/**
 * Expires user tokens now (all, or one user's, by id or email): what an expired agent session looks
 * like mid-call. Client-credentials tokens (the backend's, the provisioner's) are left alone.
 */
export function expireUserTokens(ctx: SandboxContext, userKey?: string): number {
  const { state } = ctx.store;
  let userId: string | undefined;
  if (userKey !== undefined) {
    const key = userKey.toLowerCase();
    const user = state.users.find((u) => u.id === userKey || u.email.toLowerCase() === key);
    if (!user) throw notFound(`User ${userKey} not found`, userKey);
    userId = user.id;
  }
  const now = ctx.store.now();
  let n = 0;
  for (const t of state.tokens) {
    if (t.userId === undefined || t.expiresAt <= now) continue;
    if (userId !== undefined && t.userId !== userId) continue;
    t.expiresAt = now;
    n += 1;
  }
  if (n > 0) ctx.store.changed();
  return n;
}

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

  app.post('/sandbox/tokens/expire', (req, res) => {
    const body = parseBody(ExpireTokensSchema, req.body ?? {});
    res.json({ expired: expireUserTokens(ctx, body.userId) });
  });
}
