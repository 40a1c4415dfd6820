import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { KitConfig } from '../config/schema.js';
import { KitError } from '../errors.js';
import type { AppliedStep, ApplyFailureDetails } from '../genesys/engine/engine.js';
import {
  createPlatformClient,
  isGenesysApiError,
  type GenesysConnection,
  type PlatformClientOptions,
} from '../genesys/platform/index.js';
import type { Logger } from '../log.js';
import type { OnProgress } from '../progress.js';
import { genesysOf } from '../config/platform.js';

/**
 * The one step of a first provision that needs an admin: Genesys lets an OAuth client give another
 * client only roles it holds, so the provisioning client must be given the kit role it just created
 * before it can create the backend's client with it.
 */
export interface AdminGrant {
  /** The provisioning client (genesys.clientId), who must hold the role. */
  clientId: string;
  roleName: string;
  /** Known once provision has created the role. */
  roleId: string | undefined;
  /** The home division, where the grant goes. */
  divisionId: string | undefined;
  /** The client whose creation waits for the grant. */
  blocks: string;
  /** Base URL of the org's Platform API (`…/api/v2/…` follows). */
  apiBase: string;
}

/** The Admin UI path, the single API call, and the kit's own way, for a person to choose from. */
export function grantInstructions(g: AdminGrant): { ui: string; api: string; kit: string } {
  const role = g.roleId ?? '<id of role "' + g.roleName + '">';
  const division = g.divisionId ?? '<home division id>';
  return {
    ui: `in Genesys Cloud, Admin > Integrations > OAuth > client ${g.clientId} > Roles: add "${g.roleName}" in the Home division and save`,
    api:
      `POST ${g.apiBase}/api/v2/authorization/subjects/${g.clientId}/divisions/${division}/roles/${role}?subjectType=PC_OAUTH_CLIENT` +
      ' with an admin token allowed to grant roles (authorization:grant:add)',
    kit: 'daspeak-genesys provision --grant-with <admin client file | env:PREFIX> does the grant and finishes in one run',
  };
}

/**
 * A first provision stopped at the admin grant. Its code is `provision.role_not_held`, as the
 * resource kind's own refusal; details say what the run did and what waits.
 */
export class AdminGrantNeeded extends KitError {
  constructor(
    readonly grant: AdminGrant,
    readonly failure: ApplyFailureDetails,
    cause: unknown,
  ) {
    super(
      'provision.role_not_held',
      `the provisioning client ${grant.clientId} does not hold "${grant.roleName}", which Genesys requires before it can create "${grant.blocks}"`,
      {
        hint: `${grantInstructions(grant).ui}, or ${grantInstructions(grant).kit}; then run provision again`,
        cause,
        // clientId and roleIds as the resource kind's own refusal carries them, for callers that grant.
        details: { clientId: grant.clientId, roleIds: grant.roleId ? [grant.roleId] : [], grant, ...failure },
      },
    );
  }

  get applied(): AppliedStep[] {
    return this.failure.applied;
  }
}

/**
 * `--grant-with`: an admin client's credentials, from `env:PREFIX` (PREFIX_CLIENT_ID and
 * PREFIX_CLIENT_SECRET) or a YAML/JSON file `{clientId, clientSecret}`. It logs in to the same org
 * as `genesys.*`.
 */
export function readGrantCredentials(
  spec: string,
  config: KitConfig,
  io: { env: NodeJS.ProcessEnv; cwd: string },
): GenesysConnection {
  const location = { region: genesysOf(config).region, baseUrl: genesysOf(config).baseUrl };
  const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(spec);
  if (env) {
    const prefix = env[1]!;
    const id = io.env[`${prefix}_CLIENT_ID`];
    const secret = io.env[`${prefix}_CLIENT_SECRET`];
    const unset = [!id && `${prefix}_CLIENT_ID`, !secret && `${prefix}_CLIENT_SECRET`].filter(Boolean);
    if (unset.length > 0) {
      throw new KitError(
        'provision.grant_credentials',
        `--grant-with ${spec}: ${unset.join(' and ')} not set`,
        {
          hint: `export the admin client's id and secret as ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET`,
        },
      );
    }
    return { ...location, clientId: id!, clientSecret: secret! };
  }
  const file = resolve(io.cwd, spec);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new KitError(
      'provision.grant_credentials',
      `--grant-with ${spec}: ${missing ? 'no such file' : `cannot read it (${(err as Error).message})`}`,
      {
        hint: 'give a YAML or JSON file with clientId and clientSecret of an admin client, or env:PREFIX for PREFIX_CLIENT_ID and PREFIX_CLIENT_SECRET',
      },
    );
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  if (
    typeof o.clientId !== 'string' ||
    !o.clientId ||
    typeof o.clientSecret !== 'string' ||
    !o.clientSecret
  ) {
    throw new KitError(
      'provision.grant_credentials',
      `--grant-with ${spec}: clientId and clientSecret are required`,
      {
        hint: 'write the admin client as {clientId: …, clientSecret: …}',
      },
    );
  }
  return { ...location, clientId: o.clientId, clientSecret: o.clientSecret };
}

/**
 * Gives the provisioning client the kit role in the home division, as the admin client: the single
 * Platform API call of `grantInstructions().api` (AuthorizationApi.postAuthorizationSubjectDivisionRole).
 * Granting twice changes nothing, so the call is retried like a PUT.
 */
export async function performGrant(
  grant: AdminGrant,
  admin: GenesysConnection,
  options: { logger?: Logger; onProgress?: OnProgress; platform?: PlatformClientOptions },
): Promise<void> {
  if (!grant.roleId || !grant.divisionId) {
    throw new KitError(
      'provision.grant_unknown_role',
      `cannot grant "${grant.roleName}": its id is not known yet`,
      {
        hint: 'run provision once without --grant-with so it creates the role, then again with it',
      },
    );
  }
  const client = createPlatformClient(admin, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...options.platform,
  });
  try {
    await client.request(
      'POST',
      `/api/v2/authorization/subjects/${encodeURIComponent(grant.clientId)}/divisions/${encodeURIComponent(grant.divisionId)}/roles/${encodeURIComponent(grant.roleId)}`,
      undefined,
      { query: { subjectType: 'PC_OAUTH_CLIENT' }, idempotent: true, description: 'grant the kit role' },
    );
  } catch (err) {
    if (
      isGenesysApiError(err) &&
      (err.status === 401 || err.status === 403 || err.code === 'genesys.login_failed')
    ) {
      throw new KitError(
        'provision.grant_refused',
        `the admin client ${admin.clientId} could not grant "${grant.roleName}" to ${grant.clientId}: ${err.message}`,
        {
          cause: err,
          hint: `use a client of this org allowed to grant roles (authorization:grant:add), or ${grantInstructions(grant).ui}`,
        },
      );
    }
    throw err;
  } finally {
    client.close();
  }
  options.onProgress?.({
    type: 'step',
    action: 'granted',
    kind: 'role',
    name: grant.roleName,
    id: grant.roleId,
    detail: `to OAuth client ${grant.clientId}, as ${admin.clientId}`,
  });
}
