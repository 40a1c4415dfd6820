import type { Static } from '@sinclair/typebox';
import type { Express, Request, Response } from 'express';
import { badRequest, conflict, GenesysApiError, notFound } from '../api-error.js';
import { parseBody } from '../body.js';
import { authActionId } from '../actions/auth-action.js';
import { contractProblems, flattenValue } from '../actions/contract.js';
import type { ActionOperation } from '../actions/executor.js';
import { runAction } from '../actions/run.js';
import {
  ActionInputSchema,
  type ContractSchema,
  PostActionSchema,
  PostDraftSchema,
  PublishDraftSchema,
  UpdateActionSchema,
  UpdateDraftSchema,
} from '../actions/schemas.js';
import type { SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { newId } from '../ids.js';
import { integrationCatalog } from '../integrations/catalog.js';
import { pageOf } from '../paging.js';
import { PERMISSIONS } from '../permissions.js';
import { queryBoolean, queryList, queryValue } from '../query.js';
import type { ActionBody, ActionContract, ActionRecord, IntegrationRecord } from '../state/model.js';

type Version = ActionBody & { version: number };
type ContractBody = Static<typeof ContractSchema>;

const BASE = '/api/v2/integrations/actions';

/** Keeps only the schemas of a contract body (the URIs and flattened forms are derived). */
function contractOf(c: ContractBody): ActionContract {
  return { input: { inputSchema: c.input.inputSchema }, output: { successSchema: c.output.successSchema } };
}

/** A 400 naming the first problem; every problem is a detail, its field taken from the sentence. */
function contractFailure(problems: string[]): GenesysApiError {
  return badRequest(problems[0] ?? 'The action is invalid.', {
    details: problems.map((p) => ({
      errorCode: 'invalid.action',
      fieldName: /^Failed Validation of ([\w.[\]$-]+)/.exec(p)?.[1] ?? 'contract',
    })),
  });
}

/** What a version still lacks before it can be published (Genesys' draft validation). */
function publishProblems(v: Version): string[] {
  const problems: string[] = [];
  const request = (v.config?.request ?? {}) as Record<string, unknown>;
  if (!v.config) problems.push('Failed Validation of config: it is required');
  else {
    if (typeof request.requestUrlTemplate !== 'string')
      problems.push('Failed Validation of config.request.requestUrlTemplate: it is required');
    if (typeof request.requestType !== 'string')
      problems.push('Failed Validation of config.request.requestType: it is required');
  }
  if (!v.contract) problems.push('Failed Validation of contract: it is required');
  else problems.push(...contractProblems(v.contract));
  const response = (v.config?.response ?? {}) as {
    translationMap?: Record<string, string>;
    translationMapDefaults?: Record<string, string>;
  };
  for (const key of Object.keys(response.translationMapDefaults ?? {})) {
    if (!(key in (response.translationMap ?? {}))) {
      problems.push(
        `Failed Validation of config.response.translationMapDefaults: '${key}' is not a key of translationMap`,
      );
    }
  }
  return problems;
}

function sameContract(a: ActionContract | undefined, b: ActionContract | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function actionRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const catalog = integrationCatalog(ctx.settings.integrationLimits);

  const actionIntegration = (id: string): IntegrationRecord => {
    const i = state.integrations.find((x) => x.id === id);
    if (!i)
      throw badRequest(`Integration ${id} does not exist`, {
        details: [{ errorCode: 'invalid.value', fieldName: 'integrationId' }],
      });
    if (!catalog.find((t) => t.id === i.integrationTypeId)?.dataActions) {
      throw badRequest(`Integration ${id} is of type ${i.integrationTypeId}, which has no data actions`, {
        details: [{ errorCode: 'invalid.value', fieldName: 'integrationId' }],
      });
    }
    return i;
  };
  const find = (id: string): ActionRecord => {
    const a = state.actions.find((x) => x.id === id);
    if (!a) throw notFound(`Action ${id} not found`, id);
    return a;
  };
  const published = (id: string) => {
    const a = find(id);
    if (!a.published) throw notFound(`Action ${id} has no published version`, id);
    return { a, v: a.published };
  };
  const draftOf = (id: string) => {
    const a = find(id);
    if (!a.draft) throw notFound(`Action ${id} has no draft`, id);
    return { a, v: a.draft };
  };
  /** Architect finds an action by category and name, so the pair is unique. */
  const assertUnique = (integrationId: string, category: string, name: string, exceptId?: string) => {
    const clash = state.actions.find(
      (a) =>
        a.id !== exceptId &&
        a.integrationId === integrationId &&
        [a.published, a.draft].some(
          (v) => v && v.category === category && v.name.toLowerCase() === name.toLowerCase(),
        ),
    );
    if (clash) throw conflict(`An action named "${name}" already exists in category "${category}".`);
  };

  const shown = (req: Request) => ({
    contract: queryList(req, 'expand').includes('contract'),
    config: queryBoolean(req, 'includeConfig') ?? false,
  });
  const everything = { contract: true, config: true };
  const view = (
    a: ActionRecord,
    v: Version,
    show: { contract: boolean; config: boolean },
    draft: boolean,
  ) => {
    const expand = show.contract;
    const includeConfig = show.config;
    const self = draft ? `${BASE}/${a.id}/draft` : `${BASE}/${a.id}`;
    return {
      id: a.id,
      name: v.name,
      integrationId: a.integrationId,
      category: v.category,
      ...(expand && v.contract
        ? {
            contract: {
              input: {
                inputSchema: v.contract.input.inputSchema,
                inputSchemaUri: `${self}/schemas/inputschema.json`,
              },
              output: {
                successSchema: v.contract.output.successSchema,
                successSchemaUri: `${self}/schemas/successschema.json`,
              },
            },
          }
        : {}),
      version: v.version,
      secure: v.secure,
      ...(includeConfig && v.config ? { config: configView(self, v.config) } : {}),
      selfUri: self,
    };
  };
  const configView = (self: string, config: Record<string, unknown>) => {
    const request = config.request as Record<string, unknown> | undefined;
    const response = config.response as Record<string, unknown> | undefined;
    return {
      ...config,
      ...(request
        ? { request: { ...request, requestTemplateUri: `${self}/templates/requesttemplate.vm` } }
        : {}),
      ...(response
        ? { response: { ...response, successTemplateUri: `${self}/templates/successtemplate.vm` } }
        : {}),
    };
  };
  const list = (
    req: Request,
    pick: (a: ActionRecord) => Version | undefined,
    path: string,
    draft: boolean,
  ) => {
    const category = queryValue(req, 'category');
    const name = queryValue(req, 'name')?.toLowerCase();
    const ids = queryList(req, 'ids');
    const secure = queryBoolean(req, 'secure');
    const auth = queryBoolean(req, 'includeAuthActions') ?? false;
    const items = state.actions
      .filter((a) => auth || !a.authAction)
      .filter((a) => ids.length === 0 || ids.includes(a.id))
      .flatMap((a) => {
        const v = pick(a);
        return v ? [{ a, v }] : [];
      })
      .filter(({ v }) => category === undefined || v.category === category)
      .filter(({ v }) => name === undefined || v.name.toLowerCase().includes(name))
      .filter(({ v }) => secure === undefined || v.secure === secure)
      .sort((x, y) => x.v.name.localeCompare(y.v.name));
    return pageOf(
      req,
      path,
      items.map(({ a, v }) => view(a, v, shown(req), draft)),
    );
  };

  app.get(
    BASE,
    ...api(ctx, PERMISSIONS.actionView, (req, res) => {
      res.json(list(req, (a) => a.published, BASE, false));
    }),
  );

  app.get(
    `${BASE}/drafts`,
    ...api(ctx, PERMISSIONS.actionView, (req, res) => {
      res.json(list(req, (a) => a.draft, `${BASE}/drafts`, true));
    }),
  );

  app.post(
    BASE,
    ...api(ctx, PERMISSIONS.actionAdd, (req, res) => {
      const body = parseBody(PostActionSchema, req.body);
      actionIntegration(body.integrationId);
      const version: Version = {
        version: 1,
        name: body.name,
        category: body.category,
        secure: body.secure ?? false,
        config: body.config,
        contract: contractOf(body.contract),
      };
      const problems = publishProblems(version);
      if (problems.length > 0) throw contractFailure(problems);
      assertUnique(body.integrationId, body.category, body.name);
      const record: ActionRecord = {
        id: `custom_-_${newId()}`,
        integrationId: body.integrationId,
        authAction: false,
        published: { ...version, config: body.config, contract: contractOf(body.contract) },
        dateCreated: ctx.store.iso(),
      };
      state.actions.push(record);
      ctx.store.changed();
      res.json(view(record, record.published!, everything, false));
    }),
  );

  app.post(
    `${BASE}/drafts`,
    ...api(ctx, PERMISSIONS.actionAdd, (req, res) => {
      const body = parseBody(PostDraftSchema, req.body);
      const integration = actionIntegration(body.integrationId);
      if (body.contract) {
        const problems = contractProblems(contractOf(body.contract));
        if (problems.length > 0) throw contractFailure(problems);
      }
      const category = body.category ?? integration.config.name;
      assertUnique(body.integrationId, category, body.name);
      const record: ActionRecord = {
        id: `custom_-_${newId()}`,
        integrationId: body.integrationId,
        authAction: false,
        draft: {
          version: 1,
          name: body.name,
          category,
          secure: body.secure ?? false,
          ...(body.config ? { config: body.config } : {}),
          ...(body.contract ? { contract: contractOf(body.contract) } : {}),
        },
        dateCreated: ctx.store.iso(),
      };
      state.actions.push(record);
      ctx.store.changed();
      res.json(view(record, record.draft!, everything, true));
    }),
  );

  app.get(
    `${BASE}/:actionId`,
    ...api(ctx, PERMISSIONS.actionView, (req, res) => {
      const { a, v } = published(String(req.params.actionId));
      res.json(view(a, v, shown(req), false));
    }),
  );

  app.patch(
    `${BASE}/:actionId`,
    ...api(ctx, PERMISSIONS.actionEdit, (req, res) => {
      const { a, v } = published(String(req.params.actionId));
      const body = parseBody(UpdateActionSchema, req.body);
      if (body.version !== v.version) {
        throw conflict(
          `The version supplied (${body.version}) does not match the current version (${v.version}) of the action.`,
        );
      }
      const next = {
        ...v,
        name: body.name ?? v.name,
        category: body.category ?? v.category,
        config: body.config ?? v.config,
      };
      const problems = publishProblems(next);
      if (problems.length > 0) throw contractFailure(problems);
      assertUnique(a.integrationId, next.category, next.name, a.id);
      a.published = { ...next, version: v.version + 1 };
      ctx.store.changed();
      res.json(view(a, a.published, everything, false));
    }),
  );

  app.delete(
    `${BASE}/:actionId`,
    ...api(ctx, PERMISSIONS.actionDelete, (req, res) => {
      const a = find(String(req.params.actionId));
      if (a.authAction)
        throw badRequest('The custom authentication action of an integration cannot be deleted.');
      state.actions = state.actions.filter((x) => x.id !== a.id);
      ctx.store.changed();
      res.status(204).end();
    }),
  );

  app.get(
    `${BASE}/:actionId/draft`,
    ...api(ctx, PERMISSIONS.actionView, (req, res) => {
      const { a, v } = draftOf(String(req.params.actionId));
      res.json(view(a, v, shown(req), true));
    }),
  );

  // A new draft of a published action starts as a copy of it.
  app.post(
    `${BASE}/:actionId/draft`,
    ...api(ctx, PERMISSIONS.actionEdit, (req, res) => {
      const a = find(String(req.params.actionId));
      if (a.draft) throw conflict(`Action ${a.id} already has a draft.`);
      if (!a.published) throw notFound(`Action ${a.id} has no published version`, a.id);
      const p = a.published;
      a.draft = {
        version: 1,
        name: p.name,
        category: p.category,
        secure: p.secure,
        config: p.config,
        contract: p.contract,
      };
      ctx.store.changed();
      res.json(view(a, a.draft, everything, true));
    }),
  );

  app.patch(
    `${BASE}/:actionId/draft`,
    ...api(ctx, PERMISSIONS.actionEdit, (req, res) => {
      const { a, v } = draftOf(String(req.params.actionId));
      const body = parseBody(UpdateDraftSchema, req.body);
      if (body.version !== v.version) {
        throw conflict(
          `The version supplied (${body.version}) does not match the current version (${v.version}) of the draft.`,
        );
      }
      const contract = body.contract ? contractOf(body.contract) : v.contract;
      if (body.contract) {
        const problems = contractProblems(contract!);
        if (problems.length > 0) throw contractFailure(problems);
        if (a.published && !sameContract(contract, a.published.contract)) {
          throw badRequest(
            'The contract of a published action cannot be changed; create a new action instead.',
            {
              details: [{ errorCode: 'contract.immutable', fieldName: 'contract' }],
            },
          );
        }
      }
      const authAction = a.id === authActionId(a.integrationId);
      const next: Version = {
        version: v.version + 1,
        name: authAction ? v.name : (body.name ?? v.name),
        category: body.category ?? v.category,
        secure: body.secure ?? v.secure,
        ...((body.config ?? v.config) ? { config: body.config ?? v.config } : {}),
        ...(contract ? { contract } : {}),
      };
      assertUnique(a.integrationId, next.category, next.name, a.id);
      a.draft = next;
      ctx.store.changed();
      res.json(view(a, a.draft, everything, true));
    }),
  );

  app.delete(
    `${BASE}/:actionId/draft`,
    ...api(ctx, PERMISSIONS.actionEdit, (req, res) => {
      const { a } = draftOf(String(req.params.actionId));
      delete a.draft;
      if (!a.published) state.actions = state.actions.filter((x) => x.id !== a.id);
      ctx.store.changed();
      res.status(204).end();
    }),
  );

  app.get(
    `${BASE}/:actionId/draft/validation`,
    ...api(ctx, PERMISSIONS.actionView, (req, res) => {
      const { a, v } = draftOf(String(req.params.actionId));
      const problems = publishProblems(v);
      if (a.published && v.contract && !sameContract(v.contract, a.published.contract)) {
        problems.push('The contract of a published action cannot be changed; create a new action instead.');
      }
      res.json({
        valid: problems.length === 0,
        errors: problems.map((message) => ({ message, code: 'bad.request', status: 400 })),
      });
    }),
  );

  app.post(
    `${BASE}/:actionId/draft/publish`,
    ...api(ctx, PERMISSIONS.actionEdit, (req, res) => {
      const { a, v } = draftOf(String(req.params.actionId));
      const body = parseBody(PublishDraftSchema, req.body);
      if (body.version !== v.version) {
        throw conflict(
          `The version supplied (${body.version}) does not match the current version (${v.version}) of the draft.`,
        );
      }
      const problems = publishProblems(v);
      if (problems.length > 0) throw contractFailure(problems);
      if (a.published && !sameContract(v.contract, a.published.contract)) {
        throw badRequest(
          'The contract of a published action cannot be changed; create a new action instead.',
          {
            details: [{ errorCode: 'contract.immutable', fieldName: 'contract' }],
          },
        );
      }
      a.published = {
        version: (a.published?.version ?? 0) + 1,
        name: v.name,
        category: v.category,
        secure: v.secure,
        config: v.config!,
        contract: v.contract!,
      };
      delete a.draft;
      ctx.store.changed();
      res.json(view(a, a.published, everything, false));
    }),
  );

  const templateRoute = (draft: boolean) => (req: Request, res: Response) => {
    const { v } = draft ? draftOf(String(req.params.actionId)) : published(String(req.params.actionId));
    const file = String(req.params.fileName);
    const request = (v.config?.request ?? {}) as { requestTemplate?: string };
    const response = (v.config?.response ?? {}) as { successTemplate?: string };
    const text =
      file === 'requesttemplate.vm'
        ? request.requestTemplate
        : file === 'successtemplate.vm'
          ? response.successTemplate
          : undefined;
    if (text === undefined) throw notFound(`Template ${file} not found`);
    res.type('text/plain').send(text);
  };
  app.get(`${BASE}/:actionId/templates/:fileName`, ...api(ctx, PERMISSIONS.actionView, templateRoute(false)));
  app.get(
    `${BASE}/:actionId/draft/templates/:fileName`,
    ...api(ctx, PERMISSIONS.actionView, templateRoute(true)),
  );

  const testRoute = (which: 'draft' | 'published') => async (req: Request, res: Response) => {
    const a =
      which === 'draft' ? draftOf(String(req.params.actionId)).a : published(String(req.params.actionId)).a;
    const input = parseBody(ActionInputSchema, req.body ?? {});
    const outcome = await runAction(ctx, a, which, input);
    if (outcome.kind === 'input-invalid') {
      const error = {
        message: `Failed validation of input: ${outcome.problems.join('; ')}`,
        code: 'bad.request',
        status: 400,
      };
      res.json({
        operations: [{ step: 1, name: 'Resolve inputs', success: false, error }],
        error,
        success: false,
      });
      return;
    }
    const r = outcome.result;
    const flatten = queryBoolean(req, 'flatten') ?? false;
    if (r.ok) {
      const finalResult = flatten ? flattenValue(r.output) : r.output;
      const operations: ActionOperation[] = r.operations ?? [
        { step: 1, name: 'Execute', success: true, result: r.output },
      ];
      res.json({ operations, finalResult, success: true });
    } else {
      const error = { message: r.message, code: r.code ?? 'bad.request', status: r.status };
      const operations: ActionOperation[] = r.operations ?? [
        { step: 1, name: 'Execute', success: false, error },
      ];
      res.json({ operations, error, success: false });
    }
  };
  app.post(`${BASE}/:actionId/test`, ...api(ctx, PERMISSIONS.actionExecute, testRoute('published')));
  app.post(`${BASE}/:actionId/draft/test`, ...api(ctx, PERMISSIONS.actionExecute, testRoute('draft')));

  app.post(
    `${BASE}/:actionId/execute`,
    ...api(ctx, PERMISSIONS.actionExecute, async (req, res) => {
      const { a } = published(String(req.params.actionId));
      if (a.authAction) throw badRequest('An authentication action cannot be executed directly.');
      const input = parseBody(ActionInputSchema, req.body ?? {});
      const outcome = await runAction(ctx, a, 'published', input);
      if (outcome.kind === 'input-invalid') {
        throw badRequest(`Failed validation of input: ${outcome.problems.join('; ')}`);
      }
      const r = outcome.result;
      if (!r.ok)
        throw new GenesysApiError(
          r.status,
          r.code ?? (r.status >= 500 ? 'internal.server.error' : 'bad.request'),
          r.message,
        );
      res.json((queryBoolean(req, 'flatten') ?? false) ? flattenValue(r.output) : r.output);
    }),
  );
}
