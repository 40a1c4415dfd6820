import { paginate, isGenesysApiError, type EntityListing } from '../../platform/index.js';
import type { GenesysOrg } from '../shared/org.js';
import type { DataActionDefinition } from './templates.js';

/**
 * The Platform API calls of the data-action kind. Raw requests, not the SDK's models: a contract's
 * JSON Schema carries keywords (`$schema`, `enum`, `title`…) the SDK's JsonSchemaDocument lacks
 * (Terraform drops the SDK types here for the same reason).
 */

const BASE = '/api/v2/integrations/actions';

export interface ActionRecord {
  id: string;
  name: string;
  integrationId: string;
  version: number;
  definition: DataActionDefinition;
}

interface ActionBody {
  id?: string;
  name?: string;
  category?: string;
  integrationId?: string;
  secure?: boolean;
  version?: number;
  config?: Record<string, unknown>;
  contract?: {
    input?: { inputSchema?: Record<string, unknown> };
    output?: { successSchema?: Record<string, unknown> };
  };
}

/** The definition as the kit wrote it: Genesys adds template and schema URIs to what it returns. */
function definitionOf(a: ActionBody): DataActionDefinition {
  const config = { ...(a.config ?? {}) };
  const request = config.request as Record<string, unknown> | undefined;
  const response = config.response as Record<string, unknown> | undefined;
  if (request) {
    const { requestTemplateUri: _r, ...rest } = request;
    config.request = rest;
  }
  if (response) {
    const { successTemplateUri: _s, ...rest } = response;
    config.response = rest;
  }
  return {
    name: a.name ?? '',
    category: a.category ?? '',
    secure: a.secure ?? false,
    config,
    contract: {
      input: { inputSchema: a.contract?.input?.inputSchema ?? {} },
      output: { successSchema: a.contract?.output?.successSchema ?? {} },
    },
  };
}

function record(a: ActionBody): ActionRecord {
  return {
    id: a.id ?? '',
    name: a.name ?? '',
    integrationId: a.integrationId ?? '',
    version: a.version ?? 1,
    definition: definitionOf(a),
  };
}

export async function listActions(org: GenesysOrg): Promise<ActionRecord[]> {
  const { platform } = org;
  const query = { pageSize: 100, includeConfig: true, expand: 'contract' };
  const out: ActionRecord[] = [];
  for await (const a of paginate<ActionBody>(
    {
      byNumber: (pageNumber) =>
        platform.request<EntityListing<ActionBody>>('GET', BASE, undefined, {
          query: { ...query, pageNumber },
          description: 'list data actions',
        }),
      byUri: (uri) =>
        platform.request<EntityListing<ActionBody>>('GET', uri, undefined, {
          description: 'list data actions',
        }),
    },
    { description: 'data actions' },
  )) {
    if (a.id) out.push(record(a));
  }
  return out;
}

export async function getAction(org: GenesysOrg, id: string): Promise<ActionRecord | undefined> {
  try {
    const a = await org.platform.request<ActionBody>('GET', `${BASE}/${encodeURIComponent(id)}`, undefined, {
      query: { includeConfig: true, expand: 'contract' },
      description: 'read a data action',
    });
    return record(a);
  } catch (err) {
    if (isGenesysApiError(err) && err.status === 404) return undefined;
    throw err;
  }
}

/** Creates and publishes in one step (`POST /actions`). */
export async function createAction(
  org: GenesysOrg,
  definition: DataActionDefinition,
  integrationId: string,
): Promise<string> {
  const { name, category, secure, config, contract } = definition;
  const a = await org.platform.request<ActionBody>(
    'POST',
    BASE,
    { name, category, integrationId, secure, config, contract },
    { description: `create data action ${name}` },
  );
  return a.id!;
}

/** Edits a published action's name, category and config; its contract cannot change. */
export async function patchAction(
  org: GenesysOrg,
  id: string,
  version: number,
  definition: DataActionDefinition,
): Promise<void> {
  const { name, category, config } = definition;
  await org.platform.request(
    'PATCH',
    `${BASE}/${encodeURIComponent(id)}`,
    { version, name, category, config },
    { description: `update data action ${name}` },
  );
}

export async function deleteAction(org: GenesysOrg, id: string): Promise<void> {
  try {
    await org.platform.request('DELETE', `${BASE}/${encodeURIComponent(id)}`, undefined, {
      description: 'delete a data action',
    });
  } catch (err) {
    if (isGenesysApiError(err) && err.status === 404) return;
    throw err;
  }
}
