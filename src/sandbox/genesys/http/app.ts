import express, { type Express } from 'express';
import type { SandboxContext } from './context.js';
import { browserCors } from './cors.js';
import { correlate, countRequests, errorHandler, notFoundRoute } from './pipeline.js';

/** One route module: registers its routes on the app. */
export type RouteModule = (app: Express, ctx: SandboxContext) => void;

/** The Express app of one sandbox: correlation ids, counting, JSON bodies, the routes, Genesys errors. */
export function createApp(ctx: SandboxContext, modules: RouteModule[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(correlate());
  // Before counting: a preflight is the browser's question, not a request of the API.
  app.use(browserCors());
  app.use(countRequests(ctx));
  app.use(express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }));
  for (const register of modules) register(app, ctx);
  app.use(notFoundRoute());
  app.use(errorHandler(ctx));
  return app;
}
