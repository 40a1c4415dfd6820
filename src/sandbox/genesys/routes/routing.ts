import { Type } from '@sinclair/typebox';
import type { Express } from 'express';
import { badRequest, conflict, notFound } from '../api-error.js';
import { parseBody, StringEnum } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { pageOf } from '../paging.js';
import { PERMISSIONS } from '../permissions.js';
import { nameMatcher, queryList, queryValue } from '../query.js';
import type { OrgState, QueueRecord } from '../state/model.js';
import { divisionRef } from '../views.js';

const Ref = Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: true });
const ReadOnly = Type.Optional(Type.Unknown());

/**
 * `PUT /api/v2/routing/queues/{id}` body (QueueRequest subset the sandbox keeps). Fields a GET
 * returns are accepted back and ignored when read-only; anything else is refused.
 */
export const QueueRequestSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    division: Type.Optional(Ref),
    enableAudioMonitoring: Type.Optional(Type.Boolean()),
    enableTranscription: Type.Optional(Type.Boolean()),
    enableManualAssignment: Type.Optional(Type.Boolean()),
    autoAnswerOnly: Type.Optional(Type.Boolean()),
    skillEvaluationMethod: Type.Optional(StringEnum(['NONE', 'BEST', 'ALL'] as const)),
    callingPartyName: Type.Optional(Type.String()),
    callingPartyNumber: Type.Optional(Type.String()),
    defaultMediaLanguage: Type.Optional(Type.String()),
    acwSettings: Type.Optional(
      Type.Object(
        {
          wrapupPrompt: StringEnum([
            'MANDATORY',
            'OPTIONAL',
            'MANDATORY_TIMEOUT',
            'MANDATORY_FORCED_TIMEOUT',
            'AGENT_REQUESTED',
          ] as const),
          timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    mediaSettings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    id: ReadOnly,
    dateCreated: ReadOnly,
    dateModified: ReadOnly,
    modifiedBy: ReadOnly,
    createdBy: ReadOnly,
    memberCount: ReadOnly,
    userMemberCount: ReadOnly,
    joinedMemberCount: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);

export function queueView(state: OrgState, q: QueueRecord) {
  return {
    id: q.id,
    name: q.name,
    description: q.description,
    division: divisionRef(state, q.divisionId),
    dateCreated: q.dateCreated,
    dateModified: q.dateModified,
    modifiedBy: q.modifiedBy,
    createdBy: q.createdBy,
    memberCount: q.memberIds.length,
    userMemberCount: q.memberIds.length,
    joinedMemberCount: q.memberIds.length,
    mediaSettings: q.mediaSettings,
    acwSettings: q.acwSettings,
    skillEvaluationMethod: q.skillEvaluationMethod,
    autoAnswerOnly: q.autoAnswerOnly,
    enableTranscription: q.enableTranscription,
    enableAudioMonitoring: q.enableAudioMonitoring,
    enableManualAssignment: q.enableManualAssignment,
    ...(q.callingPartyName !== undefined ? { callingPartyName: q.callingPartyName } : {}),
    ...(q.callingPartyNumber !== undefined ? { callingPartyNumber: q.callingPartyNumber } : {}),
    ...(q.defaultMediaLanguage !== undefined ? { defaultMediaLanguage: q.defaultMediaLanguage } : {}),
    selfUri: `/api/v2/routing/queues/${q.id}`,
  };
}

export function routingRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;

  app.get(
    '/api/v2/routing/queues',
    ...api(ctx, PERMISSIONS.queueView, (req, res) => {
      const matches = nameMatcher(queryValue(req, 'name'));
      const ids = queryList(req, 'id');
      const divisions = queryList(req, 'divisionId');
      const queues = state.queues
        .filter((q) => matches(q.name))
        .filter((q) => ids.length === 0 || ids.includes(q.id))
        .filter((q) => divisions.length === 0 || divisions.includes(q.divisionId))
        .sort((a, b) => a.name.localeCompare(b.name));
      if (queryValue(req, 'sortOrder') === 'desc') queues.reverse();
      res.json(
        pageOf(
          req,
          '/api/v2/routing/queues',
          queues.map((q) => queueView(state, q)),
        ),
      );
    }),
  );

  const findQueue = (id: string) => {
    const q = state.queues.find((x) => x.id === id);
    if (!q) throw notFound(`Queue ${id} not found`, id);
    return q;
  };

  app.get(
    '/api/v2/routing/queues/:queueId',
    ...api(ctx, PERMISSIONS.queueView, (req, res) => {
      res.json(queueView(state, findQueue(String(req.params.queueId))));
    }),
  );

  // PUT replaces the queue: writable fields left out go back to their defaults, as on Genesys.
  app.put(
    '/api/v2/routing/queues/:queueId',
    ...api(ctx, PERMISSIONS.queueEdit, (req, res, p) => {
      const q = findQueue(String(req.params.queueId));
      const body = parseBody(QueueRequestSchema, req.body);
      if (state.queues.some((x) => x.id !== q.id && x.name.toLowerCase() === body.name.toLowerCase())) {
        throw conflict(`A queue named ${body.name} already exists`);
      }
      const divisionId = body.division?.id ?? q.divisionId;
      if (!state.divisions.some((d) => d.id === divisionId)) {
        throw badRequest(`Division ${divisionId} does not exist`, {
          details: [{ errorCode: 'invalid.value', fieldName: 'division.id' }],
        });
      }
      Object.assign(q, {
        name: body.name,
        description: body.description ?? '',
        divisionId,
        enableAudioMonitoring: body.enableAudioMonitoring ?? false,
        enableTranscription: body.enableTranscription ?? false,
        enableManualAssignment: body.enableManualAssignment ?? false,
        autoAnswerOnly: body.autoAnswerOnly ?? false,
        skillEvaluationMethod: body.skillEvaluationMethod ?? 'ALL',
        callingPartyName: body.callingPartyName,
        callingPartyNumber: body.callingPartyNumber,
        defaultMediaLanguage: body.defaultMediaLanguage,
        acwSettings: body.acwSettings ?? { wrapupPrompt: 'OPTIONAL' },
        mediaSettings: body.mediaSettings ?? q.mediaSettings,
        dateModified: ctx.store.iso(),
        modifiedBy: p.user?.id ?? p.client.id,
      } satisfies Partial<QueueRecord>);
      ctx.store.changed();
      res.json(queueView(state, q));
    }),
  );
}
