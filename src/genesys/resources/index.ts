import type { KitConfig } from '../../config/schema.js';
import type { ResourceKind } from '../engine/resource.js';
import { credentialKind } from './credential/kind.js';
import { dataActionKind } from './data-action/kind.js';
import { flowKind } from './flow/kind.js';
import { integrationKind } from './integration/kind.js';
import { oauthClientKind } from './oauth-client/kind.js';
import { queueAudioMonitoringKind } from './queue-audio-monitoring/kind.js';
import { roleKind } from './role/kind.js';
import type { GenesysOrg } from './shared/org.js';

/**
 * Every kind the kit manages. Independent kinds keep this order in a run, so the OAuth clients come
 * last: creating the client-credentials client is the one write Genesys may refuse until the
 * provisioning client holds the kit's role, and everything else is in place by then.
 */
export function kitKinds(): ResourceKind<KitConfig, GenesysOrg>[] {
  return [
    roleKind,
    credentialKind,
    integrationKind,
    dataActionKind,
    flowKind,
    queueAudioMonitoringKind,
    oauthClientKind,
  ];
}

export { createOrg, type GenesysOrg } from './shared/org.js';
export { OrgLookups, type Identity } from './shared/lookups.js';
export * from './names.js';
export { KIT_ROLE_PERMISSIONS, ROLE_KIND } from './role/kind.js';
export { OAUTH_CLIENT_KIND, WIDGET_SCOPES } from './oauth-client/kind.js';
export { CREDENTIAL_KIND } from './credential/kind.js';
export {
  INTEGRATION_KIND,
  INTEGRATION_TYPES,
  WIDGET_PERMISSIONS,
  WIDGET_SANDBOX,
} from './integration/kind.js';
export { DATA_ACTION_KIND } from './data-action/kind.js';
export { FLOW_KIND, contentHash, markedYaml } from './flow/kind.js';
export { listFlows, publishFlowYaml, deleteFlow, type FlowRecord } from './flow/api.js';
export { QUEUE_AUDIO_MONITORING_KIND } from './queue-audio-monitoring/kind.js';
export {
  DATA_ACTION_TEMPLATES_DIR,
  dataActionNames,
  renderDataActions,
  templateContext,
  templateKeys,
  type DataActionDefinition,
  type RenderedDataAction,
} from './data-action/templates.js';
export { listActions, getAction } from './data-action/api.js';
export { listIntegrations, maxInstances, type IntegrationRecord } from './integration/api.js';
export { listRoles } from './role/api.js';
export { getClient } from './oauth-client/api.js';
