import { KitError } from '../../errors.js';

/** Where the org's services are, as the backend needs them. */
export interface GenesysOrigins {
  /** Prefix of Platform API paths (`/api/v2/…` is appended), e.g. https://api.mypurecloud.ie. */
  apiUrl: string;
  /** Prefix of the login service (`/oauth/token` is appended). */
  loginUrl: string;
  /** Origin of the agent UI that frames the widget, e.g. https://apps.mypurecloud.ie. */
  appsOrigin: string;
  /** Origin of apiUrl, for the Content-Security-Policy. */
  apiOrigin: string;
}

/**
 * Reads `genesys.region` (a real org: api., login. and apps. hosts of the region) or
 * `genesys.baseUrl` (a sandbox org: one server answers the API and the login, and is the page that
 * frames the widget).
 */
export function genesysOrigins(genesys: {
  region?: string | undefined;
  baseUrl?: string | undefined;
}): GenesysOrigins {
  if (genesys.region !== undefined && genesys.baseUrl === undefined) {
    const region = genesys.region.trim().toLowerCase();
    if (!/^[a-z0-9.-]+$/.test(region)) {
      throw new KitError('genesys.region_invalid', `"${genesys.region}" is not a Genesys Cloud region host`);
    }
    return {
      apiUrl: `https://api.${region}`,
      loginUrl: `https://login.${region}`,
      appsOrigin: `https://apps.${region}`,
      apiOrigin: `https://api.${region}`,
    };
  }
  if (genesys.baseUrl !== undefined && genesys.region === undefined) {
    let url: URL;
    try {
      url = new URL(genesys.baseUrl);
    } catch {
      throw new KitError('genesys.base_url_invalid', 'genesys.baseUrl is not a URL');
    }
    const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    return { apiUrl: base, loginUrl: base, appsOrigin: url.origin, apiOrigin: url.origin };
  }
  throw new KitError('genesys.location_missing', 'give exactly one of genesys.region and genesys.baseUrl', {
    hint: 'region for a real org (mypurecloud.ie), baseUrl for a sandbox org',
  });
}
