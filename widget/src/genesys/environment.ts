import * as clientAppSdk from 'purecloud-client-app-sdk';
import { configurationError } from '../core/errors.js';

/**
 * Where the agent signs in and which Platform API the widget calls. Genesys fills the widget URL
 * with `{{gcHostOrigin}}` and `{{gcTargetEnv}}`; purecloud-client-app-sdk's ClientApp turns them
 * into the environment (`mypurecloud.ie`). A sandbox org (config.js `genesysBaseUrl`) serves
 * login and API on one origin; ClientApp does not know it (it accepts 127.0.0.1 only for Genesys'
 * own environment names), so there the host origin is given to ClientApp as a custom origin.
 */
// The package is CommonJS (module.exports = ClientApp) typed with `export default`: TypeScript sees
// the class one `default` deeper than the bundler does. Take whichever is there.
type ClientAppClass = (typeof clientAppSdk.default)['default'];
type ClientApp = InstanceType<ClientAppClass>;
const exported = clientAppSdk.default as unknown as ClientAppClass | { default: ClientAppClass };
const ClientApp: ClientAppClass = 'default' in exported ? exported.default : exported;

export interface GenesysEnvironment {
  /** e.g. `https://api.mypurecloud.ie`, or the sandbox org's URL. */
  apiBase: string;
  /** e.g. `https://login.mypurecloud.ie`, or the sandbox org's URL. */
  loginBase: string;
  /** For toasts and lifecycle; null outside Genesys (no host frame). */
  clientApp: ClientApp | null;
  /** `mypurecloud.ie`, or `sandbox`. */
  name: string;
}

export interface EnvironmentInputs {
  gcHostOrigin: string | null;
  gcTargetEnv: string | null;
  genesysRegion: string | null;
  genesysBaseUrl: string | null;
  /** Whether the page is framed (toasts go to the frame's parent). */
  framed: boolean;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function originOf(url: string, what: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw configurationError('genesys.bad_url', `${what} is not a URL: ${JSON.stringify(url)}`);
  }
}

export function resolveEnvironment(input: EnvironmentInputs): GenesysEnvironment {
  if (input.genesysBaseUrl) {
    const base = trimSlash(input.genesysBaseUrl);
    const orgOrigin = originOf(base, 'config.js genesysBaseUrl');
    const host = input.gcHostOrigin ?? orgOrigin;
    if (originOf(host, 'gcHostOrigin') !== orgOrigin) {
      throw configurationError(
        'genesys.host_mismatch',
        `the widget is framed by ${host} but config.js names the org at ${orgOrigin} (genesysBaseUrl)`,
      );
    }
    return {
      apiBase: base,
      loginBase: base,
      clientApp: input.framed ? new ClientApp({ pcOrigin: orgOrigin }) : null,
      name: 'sandbox',
    };
  }
  let clientApp: ClientApp;
  try {
    clientApp =
      input.gcHostOrigin && input.gcTargetEnv
        ? new ClientApp({ gcHostOrigin: input.gcHostOrigin, gcTargetEnv: input.gcTargetEnv })
        : new ClientApp({ pcEnvironment: input.genesysRegion ?? '' });
  } catch (err) {
    throw configurationError(
      'genesys.unknown_environment',
      `Genesys Cloud environment not recognised (gcHostOrigin ${String(input.gcHostOrigin)}, gcTargetEnv ${String(input.gcTargetEnv)}, genesysRegion ${String(input.genesysRegion)}): ${String(err)}`,
    );
  }
  const env = clientApp.gcEnvironment;
  if (!env || env === 'localhost') {
    throw configurationError(
      'genesys.unknown_environment',
      'the Genesys Cloud environment could not be found: open the widget from Genesys Cloud (gcHostOrigin, gcTargetEnv), or set genesys.region',
    );
  }
  if (input.genesysRegion && env !== input.genesysRegion) {
    throw configurationError(
      'genesys.region_mismatch',
      `Genesys Cloud frames the widget from ${env}, but the kit is configured for ${input.genesysRegion} (genesys.region)`,
    );
  }
  return {
    apiBase: `https://api.${env}`,
    loginBase: `https://login.${env}`,
    clientApp: input.framed ? clientApp : null,
    name: env,
  };
}
