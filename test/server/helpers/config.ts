import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { parseConfigText, type KitConfig } from '../../../src/config/index.js';

export const API_KEY_1 = `test-backend-key-one-${randomBytes(8).toString('hex')}`;
export const API_KEY_2 = `test-backend-key-two-${randomBytes(8).toString('hex')}`;
export const ENCRYPTION_KEY = { id: 'k1', key: randomBytes(32).toString('base64') };
export const MODEL_HASH = 'test-model-v1';
export const PUBLIC_URL = 'http://127.0.0.1:18080/';
export const DASPEAK_SOCKET_URL = 'http://127.0.0.1:14020';

export interface TestConfigOptions {
  genesysUrl: string;
  tokenUrl: string;
  databaseUrl: string;
  daspeakClientId?: string;
  daspeakClientSecret?: string;
  organizationId?: string;
  backend?: Record<string, unknown>;
  widget?: Record<string, unknown>;
}

/** The config file's content (before defaults) pointing at the test's servers. */
export function testConfigObject(o: TestConfigOptions): Record<string, unknown> {
  return {
    genesys: {
      baseUrl: o.genesysUrl,
      clientId: 'sandbox-admin-client',
      clientSecret: 'sandbox-admin-secret',
      ...(o.organizationId ? { organizationId: o.organizationId } : {}),
    },
    daspeak: {
      rest: { baseUrl: 'http://127.0.0.1:14020/dpsrest', apiKey: 'rest-api-key-not-used' },
      socketio: { url: DASPEAK_SOCKET_URL },
      auth: {
        tokenUrl: o.tokenUrl,
        clientId: o.daspeakClientId ?? 'test-sio-client',
        clientSecret: o.daspeakClientSecret ?? 'test-sio-secret-0123456789',
      },
      audiohook: {
        connectionUri: 'ws://127.0.0.1:14020/audiohook/ws',
        apiKey: 'audiohook-key',
        clientSecret: Buffer.from('audiohook-client-secret-32-bytes').toString('base64'),
      },
      modelHash: MODEL_HASH,
    },
    backend: {
      publicUrl: PUBLIC_URL,
      databaseUrl: o.databaseUrl,
      encryptionKeys: [ENCRYPTION_KEY],
      apiKeys: [API_KEY_1, API_KEY_2],
      defaultCountry: 'ES',
      ...o.backend,
    },
    // Most suites test the routes of direct mode (the seed's design); relay suites ask for relay.
    widget: { clientId: 'widget-client-id', signalling: 'direct', ...o.widget },
  };
}

/** A full kit config (defaults applied by the real loader) pointing at the test's servers. */
export function testConfig(o: TestConfigOptions): KitConfig {
  return parseConfigText(stringify(testConfigObject(o)), 'test-config.yaml', { env: {} }).config;
}
