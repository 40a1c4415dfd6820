/**
 * IAM's Flex token check (iam.twilio.com): `POST /v1/Accounts/{AccountSid}/Tokens/validate` with
 * Basic `AccountSid:AuthToken` and the JSON body `{"token": "<Flex JWE>"}` — what
 * twilio-flex-token-validator sends. 200 `{valid: true, worker_sid, identity, roles, …}` or
 * `{valid: false, message}`.
 */
import type { Express } from 'express';
import { badParameter } from '../errors.js';
import type { TwilioContext } from '../http/context.js';
import { basicAuth } from '../http/pipeline.js';
import { validateFlexToken } from '../flex.js';

export function iamRoutes(app: Express, ctx: TwilioContext): void {
  app.post('/v1/Accounts/:accountSid/Tokens/validate', basicAuth(ctx), (req, res) => {
    const body = (req.body ?? {}) as { token?: unknown; Token?: unknown };
    const token = body.token ?? body.Token;
    if (typeof token !== 'string' || token === '') {
      throw badParameter('Missing required parameter token in the post body');
    }
    res.json(validateFlexToken(ctx.state, token, ctx.now()));
  });
}
