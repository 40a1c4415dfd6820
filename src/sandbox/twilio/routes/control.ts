/**
 * The stand-in's own control routes under /sandbox (JSON, no auth, not Twilio's): place an inbound
 * call that runs the number's TwiML, let the caller speak again or hang up, work a task as the Flex
 * agent would, issue and expire Flex tokens, inject faults. Tests, `simulate --platform twilio` and the
 * Flex desktop page drive the stand-in through them. It listens on 127.0.0.1 only.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Express } from 'express';
import { parseBody as parseGenesysBody } from '../../genesys/body.js';
import { GenesysApiError } from '../../genesys/api-error.js';
import { callAudio, CallAudioSchema, type CallAudioRequest } from '../../genesys/calls/audio.js';
import { badParameter, notFound } from '../errors.js';
import type { TwilioContext } from '../http/context.js';
import { FaultRuleSchema } from '../http/faults.js';
import { expireFlexTokens, issueFlexToken } from '../flex.js';
import type { TaskBoard } from '../tasks.js';
import type { CallRecord, TaskRecord } from '../state.js';
import { callView, streamView } from '../views.js';

const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164, e.g. +34600000000' });

export const PlaceCallSchema = Type.Object(
  {
    from: E164,
    to: Type.Optional(E164),
    /** A voice of the catalogue (as the Genesys sandbox takes it); shorthand for `audio.voice`. */
    voice: Type.Optional(Type.String({ minLength: 1 })),
    audio: Type.Optional(CallAudioSchema),
    /** 1 = real time (default), N = N times faster, 'max' = no pacing. */
    speed: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }), Type.Literal('max')]),
    ),
    /** The worker (identity or WK SID) the task is reserved to; default the first worker. */
    worker: Type.Optional(Type.String({ minLength: 1 })),
    /** The worker accepts the reservation at once (the call is live for them). */
    accept: Type.Optional(Type.Boolean()),
    /** Nothing is said when the call starts (the caller speaks later, `…/speak`). */
    silent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PlaceCallBody = Static<typeof PlaceCallSchema>;

const SpeakSchema = Type.Object(
  { voice: Type.Optional(Type.String({ minLength: 1 })), audio: Type.Optional(CallAudioSchema) },
  { additionalProperties: false },
);
const TokenSchema = Type.Object(
  { worker: Type.Optional(Type.String({ minLength: 1 })) },
  { additionalProperties: false },
);
const ExpireSchema = Type.Object(
  { token: Type.Optional(Type.String({ minLength: 1 })) },
  { additionalProperties: false },
);

/** Validates a control body; a refusal is Twilio-shaped (400, code 20001) and names the field. */
export function parseBody<T extends TSchema>(schema: T, body: unknown): Static<T> {
  try {
    return parseGenesysBody(schema, body ?? {});
  } catch (err) {
    if (err instanceof GenesysApiError) throw badParameter(err.message);
    throw err;
  }
}

/** The caller's audio (μ-law 8 kHz) from a voice name or `audio`; 400 naming the problem. */
export function callerAudio(
  ctx: TwilioContext,
  voice: string | undefined,
  audio: CallAudioRequest | undefined,
): Uint8Array {
  if (voice !== undefined && audio !== undefined) throw badParameter('Give voice or audio, not both');
  try {
    return callAudio(voice !== undefined ? { voice } : audio, ctx.voices).external;
  } catch (err) {
    if (err instanceof GenesysApiError) throw badParameter(err.message);
    throw err;
  }
}

export interface ControlDeps {
  tasks: TaskBoard;
  /** The number's TwiML for a new inbound call (its voice URL, as Twilio would fetch it). */
  incomingTwiml: (call: { from: string; to: string }) => string;
}

export function controlRoutes(app: Express, ctx: TwilioContext, deps: ControlDeps): void {
  const { state, calls } = ctx;
  const { tasks } = deps;

  const callReport = (call: CallRecord) => ({
    ...callView(state, call),
    voice: call.voice ?? null,
    streams: calls.streamsOf(call.sid).map((s) => ({
      ...streamView(state, s),
      url: s.url,
      origin: s.origin,
      parameters: s.parameters,
      socket: s.socket,
    })),
    tasks: [...state.tasks.values()].filter((t) => t.callSid === call.sid).map((t) => taskSummary(t)),
  });
  const taskSummary = (t: TaskRecord) => {
    const r = tasks.reservationOf(t.sid);
    const call = state.calls.get(t.callSid);
    return {
      taskSid: t.sid,
      callSid: t.callSid,
      from: typeof t.attributes.from === 'string' ? t.attributes.from : '',
      to: typeof t.attributes.to === 'string' ? t.attributes.to : '',
      assignmentStatus: t.assignmentStatus,
      reservationSid: r?.sid ?? null,
      reservationStatus: r?.status ?? null,
      workerSid: r?.workerSid ?? null,
      attributes: t.attributes,
      call: call ? { status: call.status, voice: call.voice ?? null } : null,
      dateCreated: new Date(t.createdAt).toISOString(),
    };
  };
  const callOf = (sid: string) => {
    const call = calls.get(sid);
    if (!call) throw notFound(`/sandbox/calls/${sid}`);
    return call;
  };

  app.get('/sandbox/health', (_req, res) => {
    res.json({
      ok: true,
      accountSid: state.accountSid,
      workspaceSid: state.workspaceSid,
      phoneNumber: state.phoneNumber,
    });
  });

  app.get('/sandbox/voices', (_req, res) => {
    res.json({ voices: ctx.voices?.list() ?? [] });
  });

  app.post('/sandbox/calls', (req, res) => {
    const body = parseBody(PlaceCallSchema, req.body);
    const audio = body.silent ? undefined : callerAudio(ctx, body.voice, body.audio);
    const worker = tasks.worker(body.worker);
    const to = body.to ?? state.phoneNumber;
    const voice = body.voice ?? body.audio?.voice;
    const call = calls.create(
      {
        from: body.from,
        to,
        direction: 'inbound',
        speed: body.speed === 'max' ? Infinity : (body.speed ?? 1),
        ...(voice !== undefined ? { voice } : {}),
      },
      deps.incomingTwiml({ from: body.from, to }),
    );
    const { task, reservation } = tasks.createForCall(call, worker, body.accept === true);
    if (audio) calls.speak(call.sid, audio);
    res.status(201).json({
      callSid: call.sid,
      taskSid: task.sid,
      reservationSid: reservation.sid,
      workerSid: worker.sid,
      call: callReport(call),
    });
  });

  app.get('/sandbox/calls', (_req, res) => {
    res.json({ calls: [...state.calls.values()].reverse().map(callReport) });
  });

  app.get('/sandbox/calls/:callSid', async (req, res) => {
    const call = callOf(String(req.params.callSid));
    if (req.query.wait === 'true') await calls.wait(call.sid);
    res.json(callReport(call));
  });

  app.post('/sandbox/calls/:callSid/speak', (req, res) => {
    const call = callOf(String(req.params.callSid));
    const body = parseBody(SpeakSchema, req.body);
    calls.speak(call.sid, callerAudio(ctx, body.voice, body.audio));
    res.json(callReport(call));
  });

  app.post('/sandbox/calls/:callSid/hangup', async (req, res) => {
    const call = callOf(String(req.params.callSid));
    await calls.hangup(call.sid);
    res.json(callReport(call));
  });

  app.get('/sandbox/tasks', (req, res) => {
    const key = typeof req.query.worker === 'string' ? req.query.worker : undefined;
    const worker = key === undefined ? undefined : tasks.worker(key);
    res.json({ tasks: tasks.tasksOf(worker?.sid).map(taskSummary) });
  });

  app.post('/sandbox/tasks/:taskSid/accept', (req, res) => {
    res.json(taskSummary(tasks.accept(String(req.params.taskSid))));
  });

  app.post('/sandbox/tasks/:taskSid/complete', (req, res) => {
    res.json(taskSummary(tasks.complete(String(req.params.taskSid))));
  });

  app.get('/sandbox/workers', (_req, res) => {
    res.json({
      workers: state.workers.map((w) => ({ sid: w.sid, identity: w.identity, friendlyName: w.friendlyName })),
    });
  });

  app.post('/sandbox/flex/tokens', (req, res) => {
    const body = parseBody(TokenSchema, req.body);
    const t = issueFlexToken(state, tasks.worker(body.worker), ctx.now(), ctx.flexTokenSeconds);
    res.status(201).json({
      token: t.token,
      workerSid: t.workerSid,
      identity: t.identity,
      expiresAt: new Date(t.expiresAt).toISOString(),
    });
  });

  app.post('/sandbox/flex/tokens/expire', (req, res) => {
    const body = parseBody(ExpireSchema, req.body);
    res.json({ expired: expireFlexTokens(state, ctx.now(), body.token) });
  });

  app.get('/sandbox/faults', (_req, res) => {
    res.json(ctx.faults.snapshot());
  });

  app.post('/sandbox/faults', (req, res) => {
    ctx.faults.add(parseBody(FaultRuleSchema, req.body));
    res.status(201).json(ctx.faults.snapshot());
  });

  app.delete('/sandbox/faults', (_req, res) => {
    ctx.faults.clear();
    res.status(204).end();
  });
}
