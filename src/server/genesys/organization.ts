import { GenesysTokenAnswer, TokenInfo } from '../schemas.js';
import { ApiError } from '../errors.js';
import { expectShape, genesysRequest, genesysUnavailable } from './http.js';
import type { GenesysOrigins } from './origins.js';

/** Answers the id of the org agent tokens must belong to. */
export type OrganizationSource = () => Promise<string>;

export function fixedOrganization(id: string): OrganizationSource {
  const lower = id.toLowerCase();
  return () => Promise.resolve(lower);
}

/**
 * With no `genesys.organizationId`, the org is the one the kit's own client-credentials client
 * belongs to. It is asked once (one request however many agents arrive together) and then kept; a
 * failure is not kept, so the next request asks again.
 */
export function organizationOfClient(
  origins: GenesysOrigins,
  client: { clientId: string; clientSecret: string },
  timeoutMs = 10_000,
): OrganizationSource {
  let known: Promise<string> | undefined;
  const ask = async (): Promise<string> => {
    const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`, 'utf8').toString('base64');
    const login = await genesysRequest(`${origins.loginUrl}/oauth/token`, {
      method: 'POST',
      basic,
      form: 'grant_type=client_credentials',
      timeoutMs,
      what: "for the kit's own organization",
    });
    if (login.status === 400 || login.status === 401) {
      throw new ApiError(
        500,
        'genesys.client_refused',
        "Genesys refused the kit's own client (genesys.clientId/clientSecret), so the backend cannot tell which organization to accept; set genesys.organizationId or fix the client",
      );
    }
    if (login.status < 200 || login.status > 299) throw genesysUnavailable("for the kit's own organization");
    const token = expectShape(GenesysTokenAnswer, login.body, 'the login').access_token;
    const me = await genesysRequest(`${origins.apiUrl}/api/v2/tokens/me`, {
      token,
      timeoutMs,
      what: "for the kit's own organization",
    });
    if (me.status < 200 || me.status > 299) throw genesysUnavailable("for the kit's own organization");
    return expectShape(TokenInfo, me.body, 'tokens/me').organization.id.toLowerCase();
  };
  return () => {
    known ??= ask().catch((err: unknown) => {
      known = undefined;
      throw err;
    });
    return known;
  };
}
