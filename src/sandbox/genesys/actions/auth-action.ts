import type { SandboxStore } from '../state/store.js';
import type { ActionRecord, IntegrationRecord } from '../state/model.js';

export const authActionId = (integrationId: string) => `customAuth_-_${integrationId}`;

/**
 * A Web Services Data Actions integration whose credential is `userDefinedOAuth` gets a custom
 * authentication action with a well-known id; other credential types have none.
 */
export function syncAuthAction(store: SandboxStore, integration: IntegrationRecord): void {
  const { state } = store;
  const credId = integration.config.credentials.basicAuth?.id;
  const cred = credId ? state.credentials.find((c) => c.id === credId) : undefined;
  const id = authActionId(integration.id);
  const existing = state.actions.find((a) => a.id === id);
  if (cred?.typeName !== 'userDefinedOAuth') {
    if (existing) {
      state.actions = state.actions.filter((a) => a.id !== id);
      store.changed();
    }
    return;
  }
  if (existing) return;
  const action: ActionRecord = {
    id,
    integrationId: integration.id,
    authAction: true,
    dateCreated: store.iso(),
    published: {
      version: 1,
      name: `Custom Auth - ${integration.config.name}`,
      category: integration.config.name,
      secure: false,
      config: {
        timeoutSeconds: 60,
        request: {
          requestUrlTemplate: '${credentials.loginUrl}',
          requestType: 'POST',
          headers: {
            Authorization: 'Basic $encoding.base64("${credentials.clientId}:${credentials.clientSecret}")',
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          requestTemplate: 'grant_type=client_credentials',
        },
        response: { translationMap: {}, translationMapDefaults: {}, successTemplate: '${rawResult}' },
      },
      contract: {
        input: { inputSchema: { type: 'object', properties: {} } },
        output: { successSchema: { type: 'object', properties: {} } },
      },
    },
  };
  state.actions.push(action);
  store.changed();
}
