import type { Express } from 'express';
import { notAuthorized, notFound } from '../api-error.js';
import type { SandboxContext } from '../http/context.js';
import { api, requirePermission } from '../http/pipeline.js';
import { PERMISSIONS } from '../permissions.js';
import type { ConversationRecord, OrgState, ParticipantRecord } from '../state/model.js';

function participantView(state: OrgState, c: ConversationRecord, p: ParticipantRecord) {
  const queue = p.queueId ? state.queues.find((q) => q.id === p.queueId) : undefined;
  const call = {
    id: `${p.id.slice(0, 8)}-call`,
    state: p.state,
    direction: 'inbound',
    recording: false,
    recordingState: 'none',
    muted: false,
    confined: false,
    held: false,
    ...(p.purpose === 'customer' || p.purpose === 'agent'
      ? { self: { addressNormalized: p.address ?? '' } }
      : {}),
    provider: 'Edge',
    connectedTime: p.startTime,
    ...(p.endTime ? { disconnectedTime: p.endTime, disconnectType: 'endpoint' } : {}),
  };
  return {
    id: p.id,
    startTime: p.startTime,
    ...(p.endTime ? { endTime: p.endTime } : {}),
    connectedTime: p.startTime,
    ...(p.name ? { name: p.name } : {}),
    ...(p.userId ? { userId: p.userId, userUri: `/api/v2/users/${p.userId}` } : {}),
    ...(queue ? { queueId: queue.id, queueName: queue.name } : {}),
    purpose: p.purpose,
    participantType: p.purpose === 'customer' ? 'External' : 'Internal',
    ...(p.address ? { address: p.address } : {}),
    // An empty ANI (withheld caller) is shown as it came, not dropped.
    ...(p.ani !== undefined ? { ani: p.ani } : {}),
    ...(p.dnis ? { dnis: p.dnis } : {}),
    ...(p.purpose === 'customer' ? { aniName: p.name ?? '' } : {}),
    wrapupRequired: p.purpose === 'agent',
    attributes: { ...p.attributes },
    calls: [call],
    conversationId: c.id,
  };
}

export function conversationView(state: OrgState, c: ConversationRecord) {
  const home = state.divisions.find((d) => d.homeDivision);
  return {
    id: c.id,
    startTime: c.startTime,
    ...(c.endTime ? { endTime: c.endTime } : {}),
    participants: c.participants.map((p) => participantView(state, c, p)),
    recordingState: 'none',
    state: c.endTime ? 'disconnected' : 'connected',
    divisions: home
      ? [{ division: { id: home.id, selfUri: `/api/v2/authorization/divisions/${home.id}` }, entities: [] }]
      : [],
    selfUri: `/api/v2/conversations/${c.id}`,
  };
}

/**
 * Conversations: a user may read only conversations they are a participant of; a client-credentials
 * token needs `conversation:communication:view`.
 */
export function conversationRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const read = (path: string) =>
    app.get(
      path,
      ...api(ctx, null, (req, res, p) => {
        const id = String(req.params.conversationId);
        const c = state.conversations.find((x) => x.id === id);
        if (!c) throw notFound(`Conversation ${id} not found`, id);
        if (p.user) {
          const userId = p.user.id;
          if (!c.participants.some((x) => x.userId === userId)) {
            throw notAuthorized(
              `You are not authorized to view conversation ${id}: you are not one of its participants.`,
            );
          }
        } else requirePermission(p, PERMISSIONS.conversationView);
        res.json(conversationView(state, c));
      }),
    );
  read('/api/v2/conversations/calls/:conversationId');
  read('/api/v2/conversations/:conversationId');
}
