import express, { type Express } from 'express';
import type { TwilioContext } from './context.js';
import { errorHandler, faults, notFoundRoute } from './pipeline.js';

/** One route module: registers its routes on the app. */
export type RouteModule = (app: Express, ctx: TwilioContext) => void;

/**
 * The stand-in's Express app: form-encoded bodies (Twilio's REST APIs), JSON (IAM's validate, the
 * /sandbox routes), injected faults, the routes, then Twilio's 20404 and error bodies.
 */
export function createApp(ctx: TwilioContext, modules: RouteModule[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(express.json({ limit: '10mb' }));
  app.use(faults(ctx));
  for (const register of modules) register(app, ctx);
  app.use(notFoundRoute());
  app.use(errorHandler(ctx));
  return app;
}
