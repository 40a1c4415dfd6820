import type platformClient from 'purecloud-platform-client-v2';
import { isGenesysApiError } from '../../platform/index.js';
import type { GenesysOrg } from '../shared/org.js';

/** The Platform API calls of the oauth-client kind (OAuthApi), and nothing else. */

export interface RoleGrant {
  roleId: string;
  divisionId: string;
}

/** An `OAuthClientRequest`: what a PUT must carry in full (Genesys replaces the whole client). */
export interface ClientBody {
  name: string;
  description: string;
  authorizedGrantType: string;
  accessTokenValiditySeconds: number;
  registeredRedirectUri: string[];
  scope: string[];
  roleDivisions: RoleGrant[];
  state: string;
}

export interface ClientRecord extends ClientBody {
  id: string;
}

function record(c: platformClient.Models.OAuthClient): ClientRecord {
  return {
    id: c.id ?? '',
    name: c.name,
    description: c.description ?? '',
    authorizedGrantType: c.authorizedGrantType,
    accessTokenValiditySeconds: c.accessTokenValiditySeconds ?? 86400,
    registeredRedirectUri: c.registeredRedirectUri ?? [],
    scope: c.scope ?? [],
    roleDivisions: (c.roleDivisions ?? []).flatMap((rd) =>
      rd.roleId && rd.divisionId ? [{ roleId: rd.roleId, divisionId: rd.divisionId }] : [],
    ),
    state: c.state ?? 'active',
  };
}

/** Only the request fields: a GET body sent back would also carry `roleIds`, which grant roles again. */
function request(body: ClientBody): platformClient.Models.OAuthClientRequest {
  const grantsRoles = body.authorizedGrantType === 'CLIENT-CREDENTIALS';
  return {
    name: body.name,
    description: body.description,
    authorizedGrantType: body.authorizedGrantType,
    accessTokenValiditySeconds: body.accessTokenValiditySeconds,
    registeredRedirectUri: body.registeredRedirectUri,
    // Genesys refuses scopes on a client-credentials client and roles on the others.
    ...(grantsRoles ? { roleDivisions: body.roleDivisions } : { scope: body.scope }),
    state: body.state,
  };
}

export async function listClients(org: GenesysOrg): Promise<ClientRecord[]> {
  const { platform } = org;
  const out: ClientRecord[] = [];
  for await (const c of platform.paginate(
    // The listing takes no page parameters; later pages come through nextUri.
    () => platform.api.oauth.getOauthClients(),
    { description: 'OAuth clients' },
  )) {
    if (c.id) out.push(record(c));
  }
  return out;
}

export async function getClient(org: GenesysOrg, id: string): Promise<ClientRecord | undefined> {
  try {
    return record(
      await org.platform.call(() => org.platform.api.oauth.getOauthClient(id), {
        description: 'read an OAuth client',
      }),
    );
  } catch (err) {
    if (isGenesysApiError(err) && err.status === 404) return undefined;
    throw err;
  }
}

/** Creates a client; the answer is the only place its secret ever appears. */
export async function createClient(
  org: GenesysOrg,
  body: ClientBody,
): Promise<{ id: string; secret?: string }> {
  const c = await org.platform.call(() => org.platform.api.oauth.postOauthClients(request(body)), {
    description: `create OAuth client ${body.name}`,
  });
  return { id: c.id!, ...(c.secret ? { secret: c.secret } : {}) };
}

export async function putClient(org: GenesysOrg, id: string, body: ClientBody): Promise<void> {
  await org.platform.call(() => org.platform.api.oauth.putOauthClient(id, request(body)), {
    description: `update OAuth client ${body.name}`,
  });
}

export async function regenerateSecret(org: GenesysOrg, id: string): Promise<string> {
  const c = await org.platform.call(() => org.platform.api.oauth.postOauthClientSecret(id), {
    description: 'regenerate an OAuth client secret',
  });
  return c.secret!;
}

export async function deleteClient(org: GenesysOrg, id: string): Promise<void> {
  await org.platform.call(() => org.platform.api.oauth.deleteOauthClient(id), {
    description: 'delete an OAuth client',
  });
}

/**
 * Takes a role away from a client (keeping every other field). Nothing is written when the client
 * does not hold it or is gone; a client-credentials client keeps at least its other roles.
 */
export async function detachRoleFromClient(
  org: GenesysOrg,
  clientId: string,
  roleId: string,
): Promise<boolean> {
  const c = await getClient(org, clientId);
  if (!c || !c.roleDivisions.some((rd) => rd.roleId === roleId)) return false;
  const rest = c.roleDivisions.filter((rd) => rd.roleId !== roleId);
  if (rest.length === 0 && c.authorizedGrantType === 'CLIENT-CREDENTIALS') return false;
  await putClient(org, clientId, { ...c, roleDivisions: rest });
  org.lookups.forget('identity');
  return true;
}
