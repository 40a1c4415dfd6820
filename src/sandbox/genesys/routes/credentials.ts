import { Type, type Static } from '@sinclair/typebox';
import type { Express } from 'express';
import { badRequest, conflict, notFound } from '../api-error.js';
import { parseBody } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { newId } from '../ids.js';
import {
  CREDENTIAL_TYPES,
  credentialFieldProblems,
  credentialTypeView,
} from '../integrations/credential-types.js';
import { pageOf } from '../paging.js';
import { PERMISSIONS } from '../permissions.js';
import type { CredentialRecord } from '../state/model.js';

const ReadOnly = Type.Optional(Type.Unknown());

/** `Credential`; `type` is `{name}` (the model) or a bare string (what the premium-app wizard sends). */
export const CredentialSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    type: Type.Union([
      Type.String({ minLength: 1 }),
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          id: ReadOnly,
          properties: ReadOnly,
          displayOrder: ReadOnly,
          required: ReadOnly,
        },
        { additionalProperties: false },
      ),
    ]),
    credentialFields: Type.Record(Type.String(), Type.String()),
    id: ReadOnly,
    createdDate: ReadOnly,
    modifiedDate: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);
type CredentialBody = Static<typeof CredentialSchema>;

/** What the API shows of a credential: never its fields. */
export function credentialView(c: CredentialRecord) {
  return {
    id: c.id,
    name: c.name,
    type: { name: c.typeName },
    createdDate: c.createdDate,
    modifiedDate: c.modifiedDate,
    selfUri: `/api/v2/integrations/credentials/${c.id}`,
  };
}

function checked(body: CredentialBody): { typeName: string; fields: Record<string, string> } {
  const typeName = typeof body.type === 'string' ? body.type : body.type.name;
  const spec = CREDENTIAL_TYPES.find((t) => t.name === typeName);
  if (!spec) {
    throw badRequest(
      `Credential type ${typeName} does not exist (known: ${CREDENTIAL_TYPES.map((t) => t.name).join(', ')})`,
      { details: [{ errorCode: 'invalid.value', fieldName: 'type.name' }] },
    );
  }
  const problems = credentialFieldProblems(spec, body.credentialFields);
  if (problems.length > 0) {
    throw badRequest(`Invalid credential: ${problems[0]}`, {
      details: problems.map((p) => ({ errorCode: 'invalid.value', fieldName: p.split(' ')[0] })),
    });
  }
  return { typeName, fields: { ...body.credentialFields } };
}

export function credentialRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const find = (id: string) => {
    const c = state.credentials.find((x) => x.id === id);
    if (!c) throw notFound(`Credential ${id} not found`, id);
    return c;
  };

  app.get(
    '/api/v2/integrations/credentials',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      res.json(pageOf(req, '/api/v2/integrations/credentials', state.credentials.map(credentialView)));
    }),
  );

  app.get(
    '/api/v2/integrations/credentials/types',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      res.json(
        pageOf(req, '/api/v2/integrations/credentials/types', CREDENTIAL_TYPES.map(credentialTypeView)),
      );
    }),
  );

  app.post(
    '/api/v2/integrations/credentials',
    ...api(ctx, PERMISSIONS.integrationAdd, (req, res) => {
      const body = parseBody(CredentialSchema, req.body);
      const { typeName, fields } = checked(body);
      const at = ctx.store.iso();
      const record: CredentialRecord = {
        id: newId(),
        name: body.name ?? `${typeName} credential`,
        typeName,
        fields,
        createdDate: at,
        modifiedDate: at,
      };
      state.credentials.push(record);
      ctx.store.changed();
      res.json(credentialView(record));
    }),
  );

  app.get(
    '/api/v2/integrations/credentials/:credentialId',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      res.json(credentialView(find(String(req.params.credentialId))));
    }),
  );

  app.put(
    '/api/v2/integrations/credentials/:credentialId',
    ...api(ctx, PERMISSIONS.integrationEdit, (req, res) => {
      const c = find(String(req.params.credentialId));
      const body = parseBody(CredentialSchema, req.body);
      const { typeName, fields } = checked(body);
      const users = state.integrations.filter((i) =>
        Object.values(i.config.credentials).some((r) => r.id === c.id),
      );
      if (typeName !== c.typeName && users.length > 0) {
        throw badRequest(
          `Credential ${c.id} is used by integration(s); its type cannot change from ${c.typeName}.`,
        );
      }
      c.name = body.name ?? c.name;
      c.typeName = typeName;
      c.fields = fields;
      c.modifiedDate = ctx.store.iso();
      ctx.store.changed();
      res.json(credentialView(c));
    }),
  );

  // The premium-app wizard deletes the integration, waits, then the credential: one in use is refused.
  app.delete(
    '/api/v2/integrations/credentials/:credentialId',
    ...api(ctx, PERMISSIONS.integrationDelete, (req, res) => {
      const c = find(String(req.params.credentialId));
      const users = state.integrations.filter((i) =>
        Object.values(i.config.credentials).some((r) => r.id === c.id),
      );
      if (users.length > 0) {
        throw conflict(
          `Credential ${c.id} is in use by integration(s) [${users.map((i) => i.config.name).join(', ')}]; delete or reconfigure them first.`,
        );
      }
      state.credentials = state.credentials.filter((x) => x.id !== c.id);
      ctx.store.changed();
      res.status(204).end();
    }),
  );
}
