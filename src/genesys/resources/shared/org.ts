import type { PlatformClient } from '../../platform/index.js';
import { OrgLookups } from './lookups.js';

/**
 * What every resource kind is handed as `ctx.org`: the platform client of the org, the reads kinds
 * share (cached for one run), and what the kit knows about its own identity and files.
 */
export interface GenesysOrg {
  platform: PlatformClient;
  lookups: OrgLookups;
  /** The OAuth client the CLI provisions with (config.genesys.clientId). */
  provisionerClientId: string;
  /** The 0600 file one-time secrets go to; the oauth-client kind checks a secret reached it. */
  secretsFile?: string | undefined;
}

export function createOrg(
  platform: PlatformClient,
  options: { provisionerClientId: string; secretsFile?: string | undefined },
): GenesysOrg {
  return { platform, lookups: new OrgLookups(platform), ...options };
}
