import type { KitConfig } from '../config/schema.js';
import { loadState, stateKey } from '../genesys/engine/state.js';
import { names, OAUTH_CLIENT_KIND } from '../genesys/resources/index.js';
import { deploymentPaths } from './deployment.js';

/**
 * What provisioning made that other parts of the kit need, read from the state file (no call to
 * Genesys): the backend serves the widget client id in config.js.
 */
export interface ProvisionedOutputs {
  deploymentId: string;
  organizationId: string | undefined;
  /** The widget's OAuth client (PKCE): config.widget.clientId, else the one provision created. */
  widgetClientId: string | undefined;
  /** The client-credentials client (its secret is in the secrets file, never in state). */
  backendClientId: string | undefined;
}

export function provisionedOutputs(options: {
  config: KitConfig;
  configPath: string;
  stateDir?: string | undefined;
}): ProvisionedOutputs | undefined {
  const state = loadState(deploymentPaths(options).stateFile);
  if (!state) return undefined;
  const n = names(options.config);
  const idOf = (name: string) => state.objects[stateKey(OAUTH_CLIENT_KIND, name)]?.id;
  return {
    deploymentId: state.deploymentId,
    organizationId: state.organizationId,
    widgetClientId: options.config.widget.clientId ?? idOf(n.widgetClient),
    backendClientId: idOf(n.backendClient),
  };
}
