import { KitError } from '../../../errors.js';
import type { PlatformClient } from '../../platform/index.js';

export interface Named {
  id: string;
  name: string;
}

/** Who the kit provisions as, from `GET /api/v2/tokens/me`. */
export interface Identity {
  organizationId: string | undefined;
  clientId: string | undefined;
  grantType: string | undefined;
  /** Roles of a client-credentials client (a user token carries its user's roles instead). */
  roleIds: string[];
}

/**
 * Reads several kinds need (the home division, queue and group names, the caller's identity, the
 * integrations listing), made once per run and shared. A kind that writes what a lookup holds
 * forgets it, so the next read sees the change.
 */
export class OrgLookups {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(private readonly platform: PlatformClient) {}

  /** The cached result of `load` under `key`; a failed load is not kept. */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let found = this.cache.get(key) as Promise<T> | undefined;
    if (!found) {
      found = load();
      this.cache.set(key, found);
      found.catch(() => this.cache.delete(key));
    }
    return found;
  }

  forget(key: string): void {
    this.cache.delete(key);
  }

  homeDivisionId(): Promise<string> {
    return this.once('homeDivision', async () => {
      const home = await this.platform.call(
        () => this.platform.api.authorization.getAuthorizationDivisionsHome(),
        {
          description: 'read the home division',
        },
      );
      if (!home.id) throw new KitError('genesys.bad_response', 'the org answered no home division id');
      return home.id;
    });
  }

  queues(): Promise<Named[]> {
    return this.once('queues', async () => {
      const out: Named[] = [];
      for await (const q of this.platform.paginate(
        (pageNumber) => this.platform.api.routing.getRoutingQueues({ pageSize: 100, pageNumber }),
        { description: 'routing queues' },
      )) {
        if (q.id && q.name) out.push({ id: q.id, name: q.name });
      }
      return out;
    });
  }

  groups(): Promise<Named[]> {
    return this.once('groups', async () => {
      const out: Named[] = [];
      for await (const g of this.platform.paginate(
        (pageNumber) => this.platform.api.groups.getGroups({ pageSize: 100, pageNumber }),
        { description: 'groups' },
      )) {
        if (g.id && g.name) out.push({ id: g.id, name: g.name });
      }
      return out;
    });
  }

  identity(): Promise<Identity> {
    return this.once('identity', async () => {
      const info = await this.platform.call(() => this.platform.api.tokens.getTokensMe(), {
        description: 'read the token identity',
      });
      // The SDK model leaves roleDivisions out of TokenInfo's client; Genesys sends them for a
      // client-credentials token.
      const client = info.OAuthClient as
        { id?: string; authorizedGrantType?: string; roleDivisions?: { roleId?: string }[] } | undefined;
      return {
        organizationId: info.organization?.id,
        clientId: client?.id,
        grantType: client?.authorizedGrantType,
        roleIds: (client?.roleDivisions ?? []).flatMap((rd) => (rd.roleId ? [rd.roleId] : [])),
      };
    });
  }
}

/** Maps names to ids; names not found are listed in `missing`. Case-insensitive, as Genesys names are. */
export function idsForNames(all: Named[], wanted: string[]): { ids: string[]; missing: string[] } {
  const ids: string[] = [];
  const missing: string[] = [];
  for (const name of wanted) {
    const hit = all.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (hit) ids.push(hit.id);
    else missing.push(name);
  }
  return { ids, missing };
}

/** Maps ids to names for comparison with the config; an unknown id stays visible as `id:<id>`. */
export function namesForIds(all: Named[], ids: string[]): string[] {
  return ids.map((id) => all.find((x) => x.id === id)?.name ?? `id:${id}`);
}

export const sorted = (values: string[]) => [...values].sort((a, b) => a.localeCompare(b));
