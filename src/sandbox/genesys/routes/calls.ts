import { Type, type Static } from '@sinclair/typebox';
import type { Express } from 'express';
import { badRequest, notFound } from '../api-error.js';
import { parseBody } from '../body.js';
import { CallAudioSchema } from '../calls/audio.js';
import type { CallManager, CallReport } from '../calls/calls.js';
import type { SandboxContext } from '../http/context.js';
import type { OrgState } from '../state/model.js';
import { conversationView } from './conversations.js';

const E164 = Type.String({
  pattern: '^(tel:)?\\+[1-9][0-9]{6,14}$',
  description: 'E.164, e.g. +34600000000',
});

/**
 * The caller: an E.164 number, or a withheld one as Genesys is assumed to present it (`anonymous`,
 * shown as `tel:anonymous`, or an empty ANI), so the backend's no-caller-number path can be tested.
 */
const CallerAni = Type.String({
  pattern: '^((tel:)?\\+[1-9][0-9]{6,14}|(tel:)?anonymous|)$',
  description: 'E.164, e.g. +34600000000; "anonymous" or "" for a withheld number',
});

const Routing = {
  ani: CallerAni,
  aniName: Type.Optional(Type.String()),
  dnis: Type.Optional(E164),
  queue: Type.Optional(Type.String({ minLength: 1, description: 'Queue name or id.' })),
  flow: Type.Optional(Type.String({ minLength: 1, description: 'Inbound call flow name or id.' })),
  agent: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
};

/** `POST /sandbox/conversations`: a connected conversation without audio. */
export const ConversationRequestSchema = Type.Object(Routing, { additionalProperties: false });

/** `POST /sandbox/calls`: a call whose audio is streamed to the org's Audiohook integrations. */
export const CallRequestSchema = Type.Object(
  {
    ...Routing,
    audio: Type.Optional(CallAudioSchema),
    speed: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Literal('max')])),
    frameMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 1000 })),
    language: Type.Optional(Type.String({ minLength: 2 })),
    keepConnected: Type.Optional(Type.Boolean()),
    continuous: Type.Optional(Type.Boolean()),
    dtmf: Type.Optional(
      Type.Array(Type.String({ pattern: '^[0-9*#]+$' }), {
        maxItems: 50,
        description: "The caller's key presses in the flow's IVR, one entry per Collect Input, in order.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CallRequestBody = Static<typeof CallRequestSchema>;

/** Resolves queue, flow and agent names to ids; 400 for anything that does not exist. */
export function resolveRouting(state: OrgState, body: Static<typeof ConversationRequestSchema>) {
  const field = (name: string) => ({ details: [{ errorCode: 'invalid.value', fieldName: name }] });
  if (body.queue === undefined && body.flow === undefined) {
    throw badRequest('Give the queue or the flow the call goes to', field('queue'));
  }
  const byNameOrId = <T extends { id: string; name: string }>(list: T[], key: string) =>
    list.find((x) => x.id === key || x.name.toLowerCase() === key.toLowerCase());
  const queue = body.queue === undefined ? undefined : byNameOrId(state.queues, body.queue);
  if (body.queue !== undefined && !queue) throw badRequest(`Queue ${body.queue} not found`, field('queue'));
  const flow =
    body.flow === undefined
      ? undefined
      : byNameOrId(
          state.flows.filter((f) => f.type === 'inboundcall'),
          body.flow,
        );
  if (body.flow !== undefined && !flow)
    throw badRequest(`Inbound call flow ${body.flow} not found`, field('flow'));
  let agentUserId: string | undefined;
  if (body.agent !== null) {
    const key = body.agent?.toLowerCase();
    const agent =
      key === undefined
        ? state.users[0]
        : state.users.find((u) => u.id === body.agent || u.email.toLowerCase() === key);
    if (!agent) throw badRequest(`Agent ${body.agent ?? ''} not found`, field('agent'));
    agentUserId = agent.id;
  }
  return {
    ...(queue ? { queueId: queue.id } : {}),
    ...(flow ? { flowId: flow.id } : {}),
    ...(agentUserId ? { agentUserId } : {}),
  };
}

const SpeakSchema = Type.Object(
  { audio: Type.Optional(CallRequestSchema.properties.audio) },
  {
    additionalProperties: false,
  },
);

const AnswerSchema = Type.Object(
  { agent: Type.String({ minLength: 1, description: 'Agent user id or email.' }) },
  { additionalProperties: false },
);

/** An agent (id or email) answers a call waiting in its queue; 404 unknown call, 400 unknown agent. */
export function answerCall(state: OrgState, calls: CallManager, callId: string, agentKey: string) {
  const key = agentKey.toLowerCase();
  const agent = state.users.find((u) => u.id === agentKey || u.email.toLowerCase() === key);
  if (!agent) {
    throw badRequest(`Agent ${agentKey} not found`, {
      details: [{ errorCode: 'invalid.value', fieldName: 'agent' }],
    });
  }
  const report = calls.answer(callId, agent.id);
  if (!report) throw notFound(`Call ${callId} not found`);
  return report;
}

/** A call report with what a person reading a list of calls wants to see next to it. */
function callSummary(state: OrgState, report: CallReport) {
  const conversation = state.conversations.find((c) => c.id === report.conversationId);
  const agent = conversation?.participants.findLast((p) => p.purpose === 'agent');
  const queue = report.queueId ? state.queues.find((q) => q.id === report.queueId) : undefined;
  const flow = report.flowId ? state.flows.find((f) => f.id === report.flowId) : undefined;
  return {
    ...report,
    ...(queue ? { queueName: queue.name } : {}),
    ...(flow ? { flowName: flow.name } : {}),
    agent: agent?.userId ? { id: agent.userId, name: agent.name ?? '', state: agent.state } : null,
  };
}

/** Sandbox-only routes that make conversations and calls happen. */
export function callRoutes(app: Express, ctx: SandboxContext, calls: CallManager): void {
  const { state } = ctx.store;

  app.post('/sandbox/conversations', (req, res) => {
    const body = parseBody(ConversationRequestSchema, req.body);
    const c = calls.createConversation(body, resolveRouting(state, body));
    res.json(conversationView(state, c));
  });

  app.post('/sandbox/conversations/:conversationId/disconnect', (req, res) => {
    const c = state.conversations.find((x) => x.id === String(req.params.conversationId));
    if (!c) throw notFound(`Conversation ${String(req.params.conversationId)} not found`);
    calls.disconnect(c);
    res.json(conversationView(state, c));
  });

  app.post('/sandbox/calls', (req, res) => {
    const body = parseBody(CallRequestSchema, req.body);
    res.json(callSummary(state, calls.start(body, resolveRouting(state, body))));
  });

  app.get('/sandbox/calls', (_req, res) => {
    res.json({ entities: calls.list().map((r) => callSummary(state, r)) });
  });

  app.post('/sandbox/calls/:callId/answer', (req, res) => {
    const body = parseBody(AnswerSchema, req.body ?? {});
    res.json(callSummary(state, answerCall(state, calls, String(req.params.callId), body.agent)));
  });

  app.post('/sandbox/calls/:callId/speak', (req, res) => {
    const id = String(req.params.callId);
    const body = parseBody(SpeakSchema, req.body ?? {});
    const report = calls.speak(id, body.audio);
    if (!report) throw notFound(`Call ${id} not found`);
    res.json(callSummary(state, report));
  });

  app.get('/sandbox/calls/:callId', async (req, res) => {
    const id = String(req.params.callId);
    const report = calls.get(id);
    if (!report) throw notFound(`Call ${id} not found`);
    res.json(callSummary(state, req.query.wait === 'true' ? ((await calls.wait(id)) ?? report) : report));
  });

  app.post('/sandbox/calls/:callId/hangup', async (req, res) => {
    const id = String(req.params.callId);
    const done = calls.hangup(id);
    if (!done) throw notFound(`Call ${id} not found`);
    res.json(callSummary(state, await done));
  });
}
