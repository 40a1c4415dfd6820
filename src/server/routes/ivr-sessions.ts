import { Type, type Static } from '@sinclair/typebox';
import type { Request, Response, Router } from 'express';
import {
  createRestClient,
  isDaspeakError,
  type RestClient,
  type SessionStatusBody,
} from '../../daspeak/index.js';
import { acceptBody } from '../body.js';
import { ApiError, methodNotAllowed } from '../errors.js';
import { stateOf } from '../locals.js';
import { ConversationId } from '../schemas.js';
import { parseInput } from '../validation.js';
import { auditAs, noStore, noteTarget, routeInput, storeCredential } from './common.js';
import type { RouteContext } from './context.js';
import { ivrCaller, type IvrCaller } from './ivr.js';

/**
 * The IVR's credential-bearing steps, run here so that no Genesys flow variable, data action or
 * execution log ever holds a voice credential (Architect keeps secure variables to secure call and
 * voice bot flows; see docs/flows.md):
 *
 * - `GET  /api/v1/ivr/register-sessions/{sessionId}`: a register session's status, read from
 *   das-Peak with the backend's API key, without the credential its result carries;
 * - `POST /api/v1/ivr/credentials/{ani}/registration` `{sessionId}`: the finished session's
 *   credential, read from das-Peak and stored for the caller (consent rule and audit as any store);
 * - `POST /api/v1/ivr/credentials/{ani}/verification` `{audioSettingsId}`: a das-Peak verify session
 *   for the conversation, created with the caller's stored credential.
 *
 * Same API key, limits and flat answers as the other data-action routes (ivr.ts).
 */

/** das-Peak ids go into a das-Peak URL path: nothing that could step out of it. */
const DaspeakId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,128}$',
  description: 'must be a das-Peak id (1 to 128 letters, digits, _ or -)',
});

const OptionalConversationId = Type.Optional(Type.Union([ConversationId, Type.Literal('')]));

export const RegistrationBody = Type.Object(
  { sessionId: DaspeakId, conversationId: OptionalConversationId },
  { additionalProperties: false },
);

export const VerificationBody = Type.Object(
  { audioSettingsId: DaspeakId, conversationId: OptionalConversationId },
  { additionalProperties: false },
);

const SessionParams = Type.Object({ sessionId: DaspeakId });

/** The backend answers before the data action (10 s) gives up on it. */
const DASPEAK_TIMEOUT_MS = 8_000;

/** What a das-Peak failure means to the flow that asked, without upstream detail. */
function upstream(err: unknown): unknown {
  if (!isDaspeakError(err)) return err;
  if (err.code === 'daspeak.connection')
    return new ApiError(
      503,
      'daspeak.unreachable',
      'das-Peak Streaming could not be reached from the backend',
      {
        retryAfterSeconds: 5,
        cause: err,
      },
    );
  if (err.code === 'daspeak.timeout')
    return new ApiError(504, 'daspeak.timeout', 'das-Peak Streaming did not answer in time', { cause: err });
  if (err.code === 'daspeak.auth_failed')
    return new ApiError(
      502,
      'daspeak.auth_failed',
      "das-Peak Streaming refused the backend's API key (daspeak.rest.apiKey)",
      {
        cause: err,
      },
    );
  if (err.code === 'daspeak.invalid_request')
    return new ApiError(400, 'request.invalid_field', err.message, { cause: err });
  if (err.upstreamStatus === 404)
    return new ApiError(404, 'daspeak.session_not_found', 'das-Peak Streaming has no such session', {
      cause: err,
    });
  return new ApiError(502, 'daspeak.failed', 'das-Peak Streaming failed the request', { cause: err });
}

async function daspeak<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw upstream(err);
  }
}

/** A status body as the flow reads it: flat, every field present, never the credential. */
function registrationStatusView(s: SessionStatusBody) {
  const e = s.error;
  const [errorCode, errorMessage] = !e
    ? ['', '']
    : 'code' in e
      ? [e.code, e.message]
      : [e.exception, e.error];
  return {
    sessionId: s.id,
    status: s.status,
    netSpeechDuration: s.net_speech_duration,
    audioTotalDuration: s.audio_total_duration,
    errorCode,
    errorMessage,
  };
}

export function ivrSessionRoutes(router: Router, ctx: RouteContext, rest?: RestClient): void {
  const ivr = [noStore, ctx.apiKeyAuth, ctx.limits.apiKey] as const;
  const client =
    rest ??
    createRestClient({
      baseUrl: ctx.config.daspeak.rest.baseUrl,
      apiKey: ctx.config.daspeak.rest.apiKey,
      timeoutMs: DASPEAK_TIMEOUT_MS,
      logger: ctx.logger,
    });

  function callerOf<S extends typeof RegistrationBody | typeof VerificationBody>(
    req: Request,
    res: Response,
    schema: S,
  ): { caller: IvrCaller; conversationId: string | undefined; body: Static<S> } {
    const { conversationId, body } = routeInput(req, schema);
    if (conversationId !== undefined) stateOf(res).conversationId = conversationId;
    const caller = ivrCaller(ctx, stateOf(res).actor!, String(req.params.ani), conversationId);
    return { caller, conversationId, body };
  }

  router
    .route('/api/v1/ivr/register-sessions/:sessionId')
    .get(...ivr, async (req, res) => {
      const { sessionId } = parseInput(SessionParams, { sessionId: req.params.sessionId }, 'query');
      const status = await daspeak(() => client.getSession('register', sessionId));
      res.json(registrationStatusView(status));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/api/v1/ivr/credentials/:ani/registration')
    .post(auditAs('credential.store'), ...acceptBody(['json']), noteTarget, ...ivr, async (req, res) => {
      const { caller, body } = callerOf(req, res, RegistrationBody);
      const session = await daspeak(() => client.getSession('register', body.sessionId));
      if (session.status !== 'success') {
        throw new ApiError(
          409,
          'ivr.registration_unfinished',
          `the register session is ${session.status}, not success: there is no credential to store`,
        );
      }
      const credential = session.result?.credential;
      if (!credential) {
        throw new ApiError(
          502,
          'daspeak.bad_response',
          'das-Peak reported a successful registration without a credential',
        );
      }
      const stored = await storeCredential(ctx, caller.access, caller.e164, {
        credential,
        ...(session.result?.model_hash ? { modelHash: session.result.model_hash } : {}),
      });
      res.json({ stored: true, created: stored.created, ani: caller.e164, modelHash: stored.modelHash });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/api/v1/ivr/credentials/:ani/verification')
    .post(auditAs('credential.read'), ...acceptBody(['json']), noteTarget, ...ivr, async (req, res) => {
      const { caller, conversationId, body } = callerOf(req, res, VerificationBody);
      if (conversationId === undefined) {
        throw new ApiError(
          400,
          'request.missing_field',
          'the query field "conversationId" is required: it is the call_id das-Peak joins the audio by',
        );
      }
      const none = { found: false, modelCurrent: false, sessionId: '', status: '', ani: caller.e164 };
      const stored = await ctx.store.getCredential(caller.access, caller.e164);
      if (!stored) {
        res.json(none);
        return;
      }
      const d = ctx.config.daspeak;
      if (stored.modelHash !== d.modelHash) {
        res.json({ ...none, found: true });
        return;
      }
      const session = await daspeak(() =>
        client.createVerifySession({
          audio_settings_id: body.audioSettingsId,
          authenticity_threshold: d.authenticityThreshold,
          audio_total_duration: d.audioTotalDuration.verify,
          call_id: conversationId,
          model_hash: d.modelHash,
          credential: stored.credential,
          verification_threshold: d.verificationThreshold,
        }),
      );
      res.json({
        found: true,
        modelCurrent: true,
        sessionId: session.id,
        status: session.status,
        ani: caller.e164,
      });
    })
    .all(methodNotAllowed(['POST']));
}
