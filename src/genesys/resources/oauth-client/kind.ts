import type { KitConfig } from '../../../config/schema.js';
import { KitError } from '../../../errors.js';
import { ownerFromText, withMarker } from '../../engine/ownership.js';
import {
  ref,
  type ActualObject,
  type DesiredObject,
  type KindContext,
  type ResourceKind,
} from '../../engine/resource.js';
import { readSecrets } from '../../engine/secrets-file.js';
import { stateKey } from '../../engine/state.js';
import { authPopupUrl, inNamespace, names, widgetPageUrl } from '../names.js';
import { listRoles } from '../role/api.js';
import { ROLE_KIND } from '../role/kind.js';
import { sorted } from '../shared/lookups.js';
import type { GenesysOrg } from '../shared/org.js';
import { PKCE_GRANT_TYPE } from './grant-types.js';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  putClient,
  regenerateSecret,
  type ClientBody,
  type ClientRecord,
} from './api.js';

export const OAUTH_CLIENT_KIND = 'oauth-client';

/**
 * What the widget's agent sign-in asks for: the conversation it sits next to (GET
 * /api/v2/conversations/{id}) and who the agent is (GET /api/v2/users/me, /api/v2/tokens/me).
 */
export const WIDGET_SCOPES: readonly string[] = ['conversations:readonly', 'user-basic-info'];
/**
 * The widget signs agents in with the authorization code grant and PKCE in a popup (issue 10): a
 * public client, no secret in the browser, no token in a URL. See grant-types.ts for the string.
 */
export const WIDGET_GRANT_TYPE = PKCE_GRANT_TYPE;
const TOKEN_SECONDS = 86400;
const DESCRIPTIONS: Record<string, string> = {
  [PKCE_GRANT_TYPE]:
    'Agent sign-in of the daspeak-genesys Interaction Widget (authorization code with PKCE).',
  TOKEN: 'Agent login of the daspeak-genesys Interaction Widget (implicit grant).',
  'CLIENT-CREDENTIALS': 'daspeak-genesys backend and flow publishing (client credentials).',
};

interface RoleSpec {
  roleId: string;
  /** `home` for the org's home division, else a division id. */
  division: string;
}

type Spec = Record<string, unknown>;

export const oauthClientKind: ResourceKind<KitConfig, GenesysOrg> = {
  kind: OAUTH_CLIENT_KIND,
  dependsOn: [ROLE_KIND],

  desired(config): DesiredObject[] {
    const n = names(config);
    const out: DesiredObject[] = [];
    // A widget client named in the config is the user's own; the kit then creates none.
    if (!config.widget.clientId) {
      out.push({
        kind: OAUTH_CLIENT_KIND,
        name: n.widgetClient,
        spec: {
          ownershipMarker: true,
          authorizedGrantType: WIDGET_GRANT_TYPE,
          // The popup's redirect page (what the widget signs in with) and the widget page (a full-page
          // sign-in); sorted, as read() sorts what the org holds.
          registeredRedirectUri: sorted([authPopupUrl(config), widgetPageUrl(config)]),
          scope: sorted([...WIDGET_SCOPES]),
          accessTokenValiditySeconds: TOKEN_SECONDS,
          state: 'active',
        },
      });
    }
    // Last, because it is the one write Genesys may refuse until the provisioning client holds the role.
    out.push({
      kind: OAUTH_CLIENT_KIND,
      name: n.backendClient,
      spec: {
        ownershipMarker: true,
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roles: [{ roleId: ref(ROLE_KIND, n.role), division: 'home' }],
        accessTokenValiditySeconds: TOKEN_SECONDS,
        state: 'active',
        secretStored: true,
      },
    });
    return out;
  },

  async read(ctx, prefix): Promise<ActualObject[]> {
    const clients = (await listClients(ctx.org)).filter((c) => inNamespace(c.name, prefix));
    if (clients.length === 0) return [];
    const home = await ctx.org.lookups.homeDivisionId();
    return clients.map((c) => {
      const owner = ownerFromText(c.description);
      const spec: Spec = {
        ownershipMarker: owner === ctx.deploymentId,
        authorizedGrantType: c.authorizedGrantType,
        accessTokenValiditySeconds: c.accessTokenValiditySeconds,
        state: c.state,
      };
      if (c.authorizedGrantType === 'CLIENT-CREDENTIALS') {
        spec.roles = c.roleDivisions.map((rd) => ({
          roleId: rd.roleId,
          division: rd.divisionId === home ? 'home' : rd.divisionId,
        }));
        spec.secretStored = secretStored(ctx, c);
      } else {
        // Compared as a set: the order Genesys keeps them in means nothing.
        spec.registeredRedirectUri = sorted(c.registeredRedirectUri);
        spec.scope = sorted(c.scope);
      }
      return { kind: OAUTH_CLIENT_KIND, name: c.name, id: c.id, spec, owner };
    });
  },

  async create(ctx, desired) {
    const body = await bodyOf(ctx, desired);
    await assertRolesHeld(ctx, body.roleDivisions);
    const created = await createClient(ctx.org, body);
    const cc = body.authorizedGrantType === 'CLIENT-CREDENTIALS';
    return {
      id: created.id,
      outputs: { clientId: created.id },
      ...(cc && created.secret ? { secrets: { clientId: created.id, clientSecret: created.secret } } : {}),
    };
  },

  async update(ctx, desired, actual) {
    const body = await bodyOf(ctx, desired);
    const { secretStored: wantSecret, ...wanted } = desired.spec;
    const { secretStored: hasSecret, ...current } = actual.spec;
    if (JSON.stringify(wanted) !== JSON.stringify(pick(current, Object.keys(wanted)))) {
      const held = new Set(((actual.spec.roles as RoleSpec[] | undefined) ?? []).map((r) => r.roleId));
      await assertRolesHeld(
        ctx,
        body.roleDivisions.filter((rd) => !held.has(rd.roleId)),
      );
      await putClient(ctx.org, actual.id, body);
    }
    // A client adopted after a run died between its creation and the secrets file has no usable
    // secret anywhere: a new one is the only way to hand it over.
    if (wantSecret === true && hasSecret !== true) {
      const secret = await regenerateSecret(ctx.org, actual.id);
      return {
        id: actual.id,
        outputs: { clientId: actual.id },
        secrets: { clientId: actual.id, clientSecret: secret },
      };
    }
    return { id: actual.id, outputs: { clientId: actual.id } };
  },

  async remove(ctx, actual) {
    const c = await getClient(ctx.org, actual.id);
    if (!c) return;
    // Genesys deletes only an inactive client (Terraform deactivates first, too).
    if (c.state === 'active') await putClient(ctx.org, c.id, { ...c, state: 'inactive' });
    await deleteClient(ctx.org, c.id);
  },
};

function pick(obj: Spec, keys: string[]): Spec {
  return Object.fromEntries(keys.filter((k) => k in obj).map((k) => [k, obj[k]]));
}

function secretStored(ctx: KindContext<GenesysOrg>, c: ClientRecord): boolean {
  // The engine writes a new secret to the secrets file before it records the client in state.
  if (ctx.outputOf(OAUTH_CLIENT_KIND, c.name) === c.id) return true;
  const file = ctx.org.secretsFile;
  if (!file) return false;
  return readSecrets(file)?.secrets[stateKey(OAUTH_CLIENT_KIND, c.name)]?.clientId === c.id;
}

async function bodyOf(ctx: KindContext<GenesysOrg>, desired: DesiredObject): Promise<ClientBody> {
  const s = desired.spec;
  const grantType = s.authorizedGrantType as string;
  const roles = (s.roles as RoleSpec[] | undefined) ?? [];
  const home = roles.some((r) => r.division === 'home') ? await ctx.org.lookups.homeDivisionId() : '';
  return {
    name: desired.name,
    description: withMarker(DESCRIPTIONS[grantType], ctx.deploymentId),
    authorizedGrantType: grantType,
    accessTokenValiditySeconds: s.accessTokenValiditySeconds as number,
    registeredRedirectUri: (s.registeredRedirectUri as string[] | undefined) ?? [],
    scope: (s.scope as string[] | undefined) ?? [],
    roleDivisions: roles.map((r) => ({
      roleId: r.roleId,
      divisionId: r.division === 'home' ? home : r.division,
    })),
    state: s.state as string,
  };
}

/**
 * Genesys lets a caller give an OAuth client only roles the caller holds (Terraform warns of the same
 * for client-credentials callers). Checked before the write, so the run stops with the fix instead of
 * a refused POST.
 */
async function assertRolesHeld(ctx: KindContext<GenesysOrg>, grants: { roleId: string }[]): Promise<void> {
  if (grants.length === 0) return;
  const me = await ctx.org.lookups.identity();
  // A user's token carries its user's roles, which this check cannot see; Genesys will say.
  if (me.grantType !== 'CLIENT-CREDENTIALS') return;
  const missing = grants.filter((g) => !me.roleIds.includes(g.roleId));
  if (missing.length === 0) return;
  const roles = await listRoles(ctx.org);
  const shown = missing.map((g) => `"${roles.find((r) => r.id === g.roleId)?.name ?? g.roleId}"`).join(', ');
  throw new KitError(
    'provision.role_not_held',
    `Genesys lets an OAuth client give another client only roles it holds itself, and the provisioning client ${ctx.org.provisionerClientId} does not hold ${shown}`,
    {
      hint: `in Genesys Cloud open Admin > OAuth > client ${ctx.org.provisionerClientId} > Roles and add ${shown} in the Home division (a one-time step)`,
      details: { clientId: ctx.org.provisionerClientId, roleIds: missing.map((g) => g.roleId) },
    },
  );
}
