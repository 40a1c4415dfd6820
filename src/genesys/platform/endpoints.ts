import type platformClient from 'purecloud-platform-client-v2';
import { KitError } from '../../errors.js';

type SdkClient = platformClient.ApiClientClass;

/** Where the org is: a Genesys Cloud region, or a gateway base URL (a local sandbox org). */
export type OrgLocation =
  | { kind: 'region'; region: string }
  | { kind: 'gateway'; gateway: { protocol: string; host: string; port?: number; pathPrefix: string } };

/** The base URLs the SDK will use, for logs, `doctor` and tests. */
export interface Endpoints {
  /** Prefix of Platform API paths (`/api/v2/…` is appended). */
  api: string;
  /** Prefix of the OAuth token endpoint (`/oauth/token` is appended). */
  login: string;
}

/**
 * Reads `genesys.region` or `genesys.baseUrl`. A base URL's path becomes the gateway's path prefix,
 * applied to both login and API requests, so `http://127.0.0.1:4010/genesys` serves
 * `/genesys/oauth/token` and `/genesys/api/v2/…`.
 */
export function resolveLocation(config: {
  region?: string | undefined;
  baseUrl?: string | undefined;
}): OrgLocation {
  if (config.region !== undefined && config.baseUrl !== undefined) {
    throw new KitError('genesys.location_ambiguous', 'genesys.region and genesys.baseUrl are both set', {
      hint: 'keep region for a real org or baseUrl for a sandbox, not both',
    });
  }
  if (config.region !== undefined) {
    const region = config.region.trim();
    if (!/^[a-z0-9.-]+$/i.test(region)) {
      throw new KitError('genesys.region_invalid', `"${config.region}" is not a Genesys Cloud region host`, {
        hint: 'write a region host such as mypurecloud.ie or usw2.pure.cloud',
      });
    }
    return { kind: 'region', region: region.toLowerCase() };
  }
  if (config.baseUrl !== undefined) return { kind: 'gateway', gateway: parseBaseUrl(config.baseUrl) };
  throw new KitError('genesys.location_missing', 'neither genesys.region nor genesys.baseUrl is set', {
    hint: 'add region: mypurecloud.ie (or your region), or baseUrl for a sandbox org',
  });
}

function parseBaseUrl(baseUrl: string): Extract<OrgLocation, { kind: 'gateway' }>['gateway'] {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new KitError('genesys.base_url_invalid', `genesys.baseUrl "${baseUrl}" is not a URL`, {
      hint: 'write a full URL such as http://127.0.0.1:4010',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KitError(
      'genesys.base_url_invalid',
      `genesys.baseUrl must use http or https, not ${url.protocol}`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    // The SDK's gateway has no place for these; silently dropping them would send requests elsewhere.
    throw new KitError(
      'genesys.base_url_invalid',
      'genesys.baseUrl must not carry credentials, a query or a fragment',
      { hint: 'write only scheme, host, port and an optional path prefix' },
    );
  }
  const pathPrefix = url.pathname.replace(/^\/+|\/+$/g, '');
  const gateway: Extract<OrgLocation, { kind: 'gateway' }>['gateway'] = {
    protocol: url.protocol.slice(0, -1),
    host: url.hostname,
    pathPrefix,
  };
  if (url.port !== '') gateway.port = Number(url.port);
  return gateway;
}

/** Points one SDK client at the org: setEnvironment for a region, setGateway for a base URL. */
export function applyLocation(sdk: SdkClient, location: OrgLocation): void {
  if (location.kind === 'region') {
    sdk.setEnvironment(location.region);
    // A gateway read from the home config file must not survive (see home-config.ts).
    sdk.config.setGateway(undefined as unknown as platformClient.GatewayConfiguration);
    return;
  }
  const { protocol, host, port, pathPrefix } = location.gateway;
  // setEnvironment still runs so that nothing falls back to a host named in a config file.
  sdk.setEnvironment('mypurecloud.com');
  sdk.setGateway({
    protocol,
    host,
    ...(port === undefined ? {} : { port }),
    ...(pathPrefix ? { path_params_login: pathPrefix, path_params_api: pathPrefix } : {}),
  });
}

/** The base URLs the SDK computes for its login and API requests, read back from the SDK itself. */
export function sdkEndpoints(sdk: SdkClient): Endpoints {
  return {
    api: sdk.config.getConfUrl('api', sdk.config.basePath),
    login: sdk.config.getConfUrl('login', `https://login.${sdk.config.environment}`),
  };
}
