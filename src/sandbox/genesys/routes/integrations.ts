import { Type, type Static } from '@sinclair/typebox';
import type { Express } from 'express';
import { badRequest, conflict, notFound } from '../api-error.js';
import { checkAgainst, parseBody, StringEnum } from '../body.js';
import type { SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { newId } from '../ids.js';
import { syncAuthAction } from '../actions/auth-action.js';
import {
  COMMUNICATION_TYPES,
  configSchemaDocument,
  integrationCatalog,
  integrationTypeView,
  LOOPBACK_HOSTS,
  type IntegrationTypeSpec,
} from '../integrations/catalog.js';
import { pageOf } from '../paging.js';
import { PERMISSIONS } from '../permissions.js';
import { queryList, queryValue } from '../query.js';
import type { IntegrationRecord, OrgState } from '../state/model.js';
import type { SandboxStore } from '../state/store.js';

const ReadOnly = Type.Optional(Type.Unknown());

/** `CreateIntegrationRequest`; `integrationType` may be a whole IntegrationType as a GET returns it. */
export const CreateIntegrationSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    integrationType: Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
    notes: Type.Optional(Type.String()),
    id: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);

export const PatchIntegrationSchema = Type.Object(
  { intendedState: StringEnum(['ENABLED', 'DISABLED'] as const) },
  { additionalProperties: false },
);

const CredentialRef = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    name: ReadOnly,
    type: ReadOnly,
    createdDate: ReadOnly,
    modifiedDate: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);

/** `IntegrationConfiguration` as PUT to `config/current`. */
export const IntegrationConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    version: Type.Integer({ minimum: 1 }),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    advanced: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    notes: Type.Optional(Type.String()),
    credentials: Type.Optional(Type.Record(Type.String(), CredentialRef)),
    id: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);
type IntegrationConfigBody = Static<typeof IntegrationConfigSchema>;

const STATE_TEXT = { ACTIVE: 'Active', INACTIVE: 'Inactive', ERROR: 'Error' } as const;

export function configView(i: IntegrationRecord) {
  const credentials = Object.fromEntries(
    Object.entries(i.config.credentials).map(([k, v]) => [
      k,
      { id: v.id, selfUri: `/api/v2/integrations/credentials/${v.id}` },
    ]),
  );
  return {
    id: i.id,
    name: i.config.name,
    version: i.config.version,
    properties: i.config.properties,
    advanced: i.config.advanced,
    notes: i.config.notes,
    credentials,
    selfUri: `/api/v2/integrations/${i.id}/config/current`,
  };
}

export function integrationView(
  spec: IntegrationTypeSpec | undefined,
  i: IntegrationRecord,
  expandConfig: boolean,
) {
  return {
    id: i.id,
    name: i.config.name,
    integrationType: spec
      ? {
          id: spec.id,
          name: spec.name,
          description: spec.description,
          provider: spec.provider,
          category: spec.category,
          selfUri: `/api/v2/integrations/types/${spec.id}`,
        }
      : { id: i.integrationTypeId },
    notes: i.config.notes,
    intendedState: i.intendedState,
    config: {
      current: expandConfig
        ? configView(i)
        : { id: i.id, selfUri: `/api/v2/integrations/${i.id}/config/current` },
    },
    reportedState: {
      code: i.reportedState.code,
      effective: STATE_TEXT[i.reportedState.code],
      ...(i.reportedState.message
        ? {
            detail: {
              localizableMessageCode: 'integration.configuration.error',
              message: i.reportedState.message,
            },
          }
        : {}),
      lastUpdated: i.reportedState.lastUpdated,
    },
    attributes: i.attributes,
    selfUri: `/api/v2/integrations/${i.id}`,
  };
}

const propField = (name: string) => ({ details: [{ errorCode: 'invalid.value', fieldName: name }] });

function isLoopbackOrSecure(uri: string, secure: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === secure || LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/** Checks a config PUT against the type: schema of properties/advanced, credential slots, references. */
function checkConfig(state: OrgState, spec: IntegrationTypeSpec, body: IntegrationConfigBody): void {
  const properties = body.properties ?? {};
  const problems = [
    ...checkAgainst(spec.properties, properties, 'properties'),
    ...checkAgainst(spec.advanced, body.advanced ?? {}, 'advanced'),
  ];
  if (problems.length > 0) {
    throw badRequest(`Input validation error: ${problems[0]?.text}`, {
      details: problems.map((p) => p.detail),
    });
  }
  if (spec.id === 'audiohook' && typeof properties.connectionUri === 'string') {
    if (!isLoopbackOrSecure(properties.connectionUri, 'wss:')) {
      throw badRequest(
        'Input validation error: properties.connectionUri must be a wss:// URI',
        propField('properties.connectionUri'),
      );
    }
  }
  if (spec.id === 'embedded-client-app-interaction-widget') {
    if (typeof properties.url === 'string' && !isLoopbackOrSecure(properties.url, 'https:')) {
      throw badRequest(
        'Input validation error: properties.url must be an https:// URL',
        propField('properties.url'),
      );
    }
    if (
      typeof properties.communicationTypeFilter === 'string' &&
      properties.communicationTypeFilter.trim() !== ''
    ) {
      for (const t of properties.communicationTypeFilter.split(',').map((x) => x.trim())) {
        if (!COMMUNICATION_TYPES.includes(t)) {
          throw badRequest(
            `Input validation error: properties.communicationTypeFilter has an unknown type "${t}" (allowed: ${COMMUNICATION_TYPES.join(', ')})`,
            propField('properties.communicationTypeFilter'),
          );
        }
      }
    }
    for (const id of Array.isArray(properties.groups) ? (properties.groups as string[]) : []) {
      if (!state.groups.some((g) => g.id === id)) {
        throw badRequest(
          `Input validation error: properties.groups names group ${id}, which does not exist`,
          propField('properties.groups'),
        );
      }
    }
    for (const id of Array.isArray(properties.queueIdFilterList)
      ? (properties.queueIdFilterList as string[])
      : []) {
      if (!state.queues.some((q) => q.id === id)) {
        throw badRequest(
          `Input validation error: properties.queueIdFilterList names queue ${id}, which does not exist`,
          propField('properties.queueIdFilterList'),
        );
      }
    }
  }
  for (const [key, ref] of Object.entries(body.credentials ?? {})) {
    const slot = spec.credentials[key];
    if (!slot) {
      throw badRequest(
        `Input validation error: credentials.${key} is not a credential of integration type ${spec.id}` +
          (Object.keys(spec.credentials).length
            ? ` (expected ${Object.keys(spec.credentials).join(', ')})`
            : ''),
        propField(`credentials.${key}`),
      );
    }
    const cred = state.credentials.find((c) => c.id === ref.id);
    if (!cred) throw badRequest(`Credential ${ref.id} does not exist`, propField(`credentials.${key}.id`));
    if (!slot.credentialTypes.includes(cred.typeName)) {
      throw badRequest(
        `Credential ${ref.id} is of type ${cred.typeName}; credentials.${key} takes ${slot.credentialTypes.join(' or ')}`,
        propField(`credentials.${key}.id`),
      );
    }
  }
}

/** Recomputes `reportedState` from the intended state and the config's completeness. */
export function evaluateState(
  store: SandboxStore,
  spec: IntegrationTypeSpec | undefined,
  i: IntegrationRecord,
): void {
  const previous = `${i.reportedState.code}/${i.reportedState.message ?? ''}`;
  let next: IntegrationRecord['reportedState'] = {
    code: 'INACTIVE',
    lastUpdated: i.reportedState.lastUpdated,
  };
  if (i.intendedState === 'ENABLED') {
    const missingProps = (spec?.requiredToActivate ?? []).filter((p) => {
      const v = i.config.properties[p];
      return v === undefined || v === '';
    });
    const missingCreds = Object.entries(spec?.credentials ?? {})
      .filter(
        ([key, slot]) =>
          slot.required && !store.state.credentials.some((c) => c.id === i.config.credentials[key]?.id),
      )
      .map(([key]) => key);
    if (missingProps.length > 0) {
      next = {
        code: 'ERROR',
        message: `Missing required properties: ${missingProps.join(', ')}`,
        lastUpdated: '',
      };
    } else if (missingCreds.length > 0) {
      next = {
        code: 'ERROR',
        message: `Missing required credentials: ${missingCreds.join(', ')}`,
        lastUpdated: '',
      };
    } else {
      next = { code: 'ACTIVE', lastUpdated: '' };
    }
  }
  if (`${next.code}/${next.message ?? ''}` !== previous) next.lastUpdated = store.iso();
  else next.lastUpdated = i.reportedState.lastUpdated;
  i.reportedState = next;
}

export function integrationRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const catalog = integrationCatalog(ctx.settings.integrationLimits);
  const specOf = (id: string) => catalog.find((t) => t.id === id);
  const findType = (id: string) => {
    const t = specOf(id);
    if (!t) throw notFound(`Integration type ${id} not found`, id);
    return t;
  };
  const find = (id: string) => {
    const i = state.integrations.find((x) => x.id === id);
    if (!i) throw notFound(`Integration ${id} not found`, id);
    return i;
  };

  app.get(
    '/api/v2/integrations/types',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      res.json(pageOf(req, '/api/v2/integrations/types', catalog.map(integrationTypeView)));
    }),
  );

  app.get(
    '/api/v2/integrations/types/:typeId',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      res.json(integrationTypeView(findType(String(req.params.typeId))));
    }),
  );

  app.get(
    '/api/v2/integrations/types/:typeId/configschemas/:configType',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      const spec = findType(String(req.params.typeId));
      const kind = String(req.params.configType);
      if (kind !== 'properties' && kind !== 'advanced') {
        throw badRequest(`configType must be properties or advanced, not ${kind}`, propField('configType'));
      }
      res.json(configSchemaDocument(spec, kind));
    }),
  );

  app.get(
    '/api/v2/integrations',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      const expand = queryList(req, 'expand').includes('config.current');
      const type = queryValue(req, 'integrationType');
      const ids = queryList(req, 'ids');
      const reported = queryValue(req, 'reportedState');
      const credentialId = queryValue(req, 'credentialId');
      const items = state.integrations
        .filter((i) => !type || i.integrationTypeId === type)
        .filter((i) => ids.length === 0 || ids.includes(i.id))
        .filter((i) => !reported || i.reportedState.code === reported)
        .filter(
          (i) => !credentialId || Object.values(i.config.credentials).some((c) => c.id === credentialId),
        );
      res.json(
        pageOf(
          req,
          '/api/v2/integrations',
          items.map((i) => integrationView(specOf(i.integrationTypeId), i, expand)),
        ),
      );
    }),
  );

  app.post(
    '/api/v2/integrations',
    ...api(ctx, PERMISSIONS.integrationAdd, (req, res) => {
      const body = parseBody(CreateIntegrationSchema, req.body);
      const spec = specOf(body.integrationType.id);
      if (!spec) {
        throw badRequest(
          `Integration type ${body.integrationType.id} does not exist`,
          propField('integrationType.id'),
        );
      }
      const count = state.integrations.filter((i) => i.integrationTypeId === spec.id).length;
      if (count >= spec.maxInstances) {
        throw badRequest(
          `The maximum number of ${spec.id} integrations (${spec.maxInstances}) has been reached.`,
          { details: [{ errorCode: 'integration.instance.limit', fieldName: 'integrationType.id' }] },
        );
      }
      const at = ctx.store.iso();
      const record: IntegrationRecord = {
        id: newId(),
        integrationTypeId: spec.id,
        intendedState: 'DISABLED',
        attributes: {},
        config: {
          name: body.name ?? spec.name,
          version: 1,
          properties: {},
          advanced: {},
          notes: body.notes ?? '',
          credentials: {},
        },
        reportedState: { code: 'INACTIVE', lastUpdated: at },
        dateCreated: at,
      };
      state.integrations.push(record);
      ctx.store.changed();
      res.json(integrationView(spec, record, false));
    }),
  );

  app.get(
    '/api/v2/integrations/:integrationId',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      const i = find(String(req.params.integrationId));
      res.json(
        integrationView(specOf(i.integrationTypeId), i, queryList(req, 'expand').includes('config.current')),
      );
    }),
  );

  app.patch(
    '/api/v2/integrations/:integrationId',
    ...api(ctx, PERMISSIONS.integrationEdit, (req, res) => {
      const i = find(String(req.params.integrationId));
      const body = parseBody(PatchIntegrationSchema, req.body);
      i.intendedState = body.intendedState;
      evaluateState(ctx.store, specOf(i.integrationTypeId), i);
      ctx.store.changed();
      res.json(integrationView(specOf(i.integrationTypeId), i, false));
    }),
  );

  app.delete(
    '/api/v2/integrations/:integrationId',
    ...api(ctx, PERMISSIONS.integrationDelete, (req, res) => {
      const i = find(String(req.params.integrationId));
      state.integrations = state.integrations.filter((x) => x.id !== i.id);
      // Its data actions go with it.
      state.actions = state.actions.filter((a) => a.integrationId !== i.id);
      ctx.store.changed();
      res.json(integrationView(specOf(i.integrationTypeId), i, false));
    }),
  );

  app.get(
    '/api/v2/integrations/:integrationId/config/current',
    ...api(ctx, PERMISSIONS.integrationView, (req, res) => {
      res.json(configView(find(String(req.params.integrationId))));
    }),
  );

  app.put(
    '/api/v2/integrations/:integrationId/config/current',
    ...api(ctx, PERMISSIONS.integrationEdit, (req, res) => {
      const i = find(String(req.params.integrationId));
      const body = parseBody(IntegrationConfigSchema, req.body);
      if (body.version !== i.config.version) {
        throw conflict(
          `The version supplied (${body.version}) does not match the current version (${i.config.version}) of the configuration.`,
          { details: [{ errorCode: 'version.mismatch', fieldName: 'version' }] },
        );
      }
      const spec = specOf(i.integrationTypeId);
      if (spec) checkConfig(state, spec, body);
      i.config = {
        name: body.name,
        version: i.config.version + 1,
        properties: body.properties ?? {},
        advanced: body.advanced ?? {},
        notes: body.notes ?? '',
        credentials: Object.fromEntries(
          Object.entries(body.credentials ?? {}).map(([k, v]) => [k, { id: v.id }]),
        ),
      };
      evaluateState(ctx.store, spec, i);
      if (spec?.dataActions) syncAuthAction(ctx.store, i);
      ctx.store.changed();
      res.json(configView(i));
    }),
  );
}
